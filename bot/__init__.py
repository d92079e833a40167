"""Dozor: monitors official Telegram channels and alerts subscribed chats."""

__version__ = "0.1.0"
