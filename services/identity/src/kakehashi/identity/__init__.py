"""Kakehashi identity service."""
