"""Developer tools: local orchestration, token minting and demo data for Kakehashi."""
