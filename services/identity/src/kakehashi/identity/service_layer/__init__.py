"""Use cases of identity, one transaction each."""
