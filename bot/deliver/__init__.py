"""Delivery: rendering alerts per chat and sending the outbox through the Bot API."""
