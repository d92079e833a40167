"""Helpers shared by subcommands."""

from __future__ import annotations

import logging

from bot.config import Settings, load_settings


def settings_from(args: object, **overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides where given."""
    values = {k: v for k, v in overrides.items() if v is not None}
    settings = load_settings(**values)
    from bot.analysis.places import use_cache_dir  # not at import: keeps `--help` light

    use_cache_dir(settings.cache_dir)
    if getattr(args, "verbose", False):
        logging.getLogger().setLevel(logging.DEBUG)
    else:
        logging.getLogger().setLevel(settings.log_level.upper())
    return settings
