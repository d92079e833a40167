"""Helpers shared by subcommands."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings


def settings_from(args: object, **overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides where given.

    Logging: ``-v`` info, ``-vv`` debug; otherwise the commands that run until stopped log
    at LOG_LEVEL and the offline ones (replay, export, …) only warnings, so their output is
    theirs alone."""
    from bot import logsafe
    from bot.config import load_settings
    from bot.ops.logs import setup_logging

    values = {k: v for k, v in overrides.items() if v is not None}
    settings = load_settings(**values)
    from bot.analysis.places import use_cache_dir  # not at import: keeps `--help` light

    use_cache_dir(settings.cache_dir)
    logsafe.install(settings)  # from here on, no output carries these settings' secrets
    verbose = int(getattr(args, "verbose", 0) or 0)
    if verbose:
        level = logging.DEBUG if verbose >= 2 else logging.INFO
    elif getattr(args, "service", False):
        level = logging.getLevelName(settings.log_level.upper())
    else:
        level = logging.WARNING
    setup_logging(level, settings.log_format)
    return settings
