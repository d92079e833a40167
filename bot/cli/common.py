"""Helpers shared by subcommands."""

from __future__ import annotations

import logging

from bot import logsafe
from bot.config import Settings, load_settings


def settings_from(args: object, **overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides where given."""
    values = {k: v for k, v in overrides.items() if v is not None}
    settings = load_settings(**values)
    logsafe.install(settings)  # from here on, no output carries these settings' secrets
    if getattr(args, "verbose", False):
        logging.getLogger().setLevel(logging.DEBUG)
    else:
        logging.getLogger().setLevel(settings.log_level.upper())
    return settings
