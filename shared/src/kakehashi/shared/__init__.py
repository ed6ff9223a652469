"""Kakehashi's own library, used by every service: settings, database, events, Kafka, auth."""
