"""Kakehashi candidates service: worker profiles registered by training centres."""
