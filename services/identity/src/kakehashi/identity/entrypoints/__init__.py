"""HTTP API and CLI."""
