"""The bot's words: one catalogue per language, each with its plural rule.

A message is a ``str.format`` template, or a tuple of templates, one per plural form of the
language (``uk``: one, few, many; ``en``: one, other), chosen by the ``n`` parameter.
``bot.core.i18n.t`` is the one lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType

from bot.core.catalogue import en, uk

Message = str | tuple[str, ...]


class Catalogue:
    def __init__(self, module: ModuleType) -> None:
        self.lang: str = module.LANG
        self.messages: Mapping[str, Message] = module.MESSAGES
        self.plural: Callable[[int], int] = module.plural


CATALOGUES: dict[str, Catalogue] = {m.LANG: Catalogue(m) for m in (uk, en)}
