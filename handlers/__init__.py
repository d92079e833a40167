"""Telegram-facing handlers: read the update, call a service, reply. Nothing else."""
