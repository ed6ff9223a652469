"""Kakehashi employers service: Japanese employers and their job orders."""
