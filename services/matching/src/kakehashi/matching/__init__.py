"""Kakehashi matching service: read model from events, explainable scores, ranked lists."""
