"""Rules of identity: organisations, users, passwords, sign-in throttling, signing keys."""
