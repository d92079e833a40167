"""The one lookup of the bot's words: ``t(lang, key, **params)``.

The words live in ``bot.core.catalogue`` (``uk.py``, ``en.py``), each language with its
plural rule. A message with plural forms takes its count as ``n``:
``t("uk", "digest.posts", n=21)`` → "21 допис".
"""

from __future__ import annotations

from bot.core.catalogue import CATALOGUES, Message

LANGS = ("uk", "en")
DEFAULT_LANG = "uk"

# Keys added here by branches written before the catalogue existed still work; move them
# into bot/core/catalogue/{uk,en}.py.
_MESSAGES: dict[str, dict[str, str]] = {}


def pick_lang(code: str | None) -> str:
    """Ukrainian for uk/ru speakers and unknown users, English for everyone else."""
    if not code:
        return DEFAULT_LANG
    code = code.lower().split("-")[0]
    if code in ("uk", "ru"):
        return "uk"
    return "en" if code in LANGS or code else DEFAULT_LANG


def has(key: str) -> bool:
    return key in CATALOGUES[DEFAULT_LANG].messages or key in _MESSAGES


def plural(lang: str, n: int, forms: tuple[str, ...]) -> str:
    """The form of ``forms`` that ``n`` takes in ``lang``."""
    cat = CATALOGUES.get(lang) or CATALOGUES[DEFAULT_LANG]
    return forms[min(cat.plural(n), len(forms) - 1)]


def _message(lang: str, key: str) -> tuple[str, Message]:
    for code in (lang, DEFAULT_LANG):
        cat = CATALOGUES.get(code)
        if cat is not None and key in cat.messages:
            return code, cat.messages[key]
    legacy = _MESSAGES[key]  # KeyError: a missing key is a bug, not a user's problem
    return (lang, legacy[lang]) if lang in legacy else (DEFAULT_LANG, legacy[DEFAULT_LANG])


def t(lang: str, key: str, **params: object) -> str:
    found_in, msg = _message(lang, key)
    if isinstance(msg, tuple):
        n = params.get("n")
        msg = plural(found_in, int(n) if isinstance(n, int | float | str) else 0, msg)
    return msg.format(**params) if params else msg
