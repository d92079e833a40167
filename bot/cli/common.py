"""Helpers shared by subcommands."""

from __future__ import annotations

import logging

from bot.config import Settings, load_settings
from bot.ops.logs import setup_logging


def settings_from(args: object, **overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides where given."""
    values = {k: v for k, v in overrides.items() if v is not None}
    settings = load_settings(**values)
    verbose = getattr(args, "verbose", False)
    setup_logging(logging.DEBUG if verbose else settings.log_level, settings.log_format)
    return settings
