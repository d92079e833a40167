"""Reading a chat's settings as users type them: times, durations, time zones. Pure.

Each parser returns the value or None; the caller words the error in the chat's language.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_MUTE = timedelta(days=30)
OFF_WORDS = frozenset({"off", "none", "no", "0", "вимк", "вимкнути", "ні", "стоп", "stop"})

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_DURATION = re.compile(r"(\d{1,4})\s*([a-zа-яіїє]+)")
_UNITS: dict[str, timedelta] = {}
for _names, _unit in (
    (
        ("m", "min", "mins", "minute", "minutes", "хв", "хвилин", "хвилини", "хвилина"),
        timedelta(minutes=1),
    ),
    (
        ("h", "hr", "hrs", "hour", "hours", "г", "год", "години", "годин", "година"),
        timedelta(hours=1),
    ),
    (("d", "day", "days", "д", "дн", "день", "дні", "днів", "доба", "доби"), timedelta(days=1)),
    (("w", "week", "weeks", "т", "тиж", "тиждень", "тижні", "тижнів"), timedelta(weeks=1)),
):
    for _name in _names:
        _UNITS[_name] = _unit

# Cities people type, in the spellings they use. Any IANA zone name also works, and so
# does the city part of one ("Tokyo" → Asia/Tokyo).
CITY_ZONES: dict[str, str] = {
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "київ": "Europe/Kyiv",
    "киев": "Europe/Kyiv",
    "ukraine": "Europe/Kyiv",
    "україна": "Europe/Kyiv",
    "kharkiv": "Europe/Kyiv",
    "харків": "Europe/Kyiv",
    "odesa": "Europe/Kyiv",
    "одеса": "Europe/Kyiv",
    "lviv": "Europe/Kyiv",
    "львів": "Europe/Kyiv",
    "dnipro": "Europe/Kyiv",
    "дніпро": "Europe/Kyiv",
    "london": "Europe/London",
    "лондон": "Europe/London",
    "berlin": "Europe/Berlin",
    "берлін": "Europe/Berlin",
    "warsaw": "Europe/Warsaw",
    "варшава": "Europe/Warsaw",
    "paris": "Europe/Paris",
    "париж": "Europe/Paris",
    "prague": "Europe/Prague",
    "прага": "Europe/Prague",
    "vilnius": "Europe/Vilnius",
    "вільнюс": "Europe/Vilnius",
    "riga": "Europe/Riga",
    "рига": "Europe/Riga",
    "tallinn": "Europe/Tallinn",
    "таллінн": "Europe/Tallinn",
    "chisinau": "Europe/Chisinau",
    "кишинів": "Europe/Chisinau",
    "bucharest": "Europe/Bucharest",
    "бухарест": "Europe/Bucharest",
    "rome": "Europe/Rome",
    "рим": "Europe/Rome",
    "madrid": "Europe/Madrid",
    "мадрид": "Europe/Madrid",
    "lisbon": "Europe/Lisbon",
    "лісабон": "Europe/Lisbon",
    "toronto": "America/Toronto",
    "торонто": "America/Toronto",
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "нью-йорк": "America/New_York",
    "washington": "America/New_York",
    "вашингтон": "America/New_York",
    "chicago": "America/Chicago",
    "чикаго": "America/Chicago",
    "los angeles": "America/Los_Angeles",
    "лос-анджелес": "America/Los_Angeles",
    "moscow": "Europe/Moscow",
    "москва": "Europe/Moscow",
    "utc": "UTC",
    "gmt": "UTC",
}
TZ_EXAMPLES = "Europe/Kyiv, Europe/London, America/New_York, Київ, Berlin"


def parse_time(text: str) -> time | None:
    m = _HHMM.match(text.strip().lower())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def is_off(text: str) -> bool:
    return text.strip().lower() in OFF_WORDS


def parse_duration(text: str) -> timedelta | None:
    """ "30m", "2h", "1d", "1h30m", "2 години"; None when unreadable, zero or over 30 days."""
    value = text.strip().lower()
    if not value or len(value) > 40:
        return None
    total = timedelta()
    pos = 0
    for m in _DURATION.finditer(value):
        if value[pos : m.start()].strip():
            return None
        unit = _UNITS.get(m.group(2))
        if unit is None:
            return None
        total += int(m.group(1)) * unit
        pos = m.end()
    if value[pos:].strip() or total <= timedelta() or total > MAX_MUTE:
        return None
    return total


@lru_cache(maxsize=1)
def _zones_by_fold() -> dict[str, str]:
    """Every IANA zone by its case-folded name, and by its city part when that is unique."""
    zones = available_timezones()
    out = {z.casefold(): z for z in zones}
    cities: dict[str, set[str]] = {}
    for z in zones:
        if "/" in z and not z.startswith(("Etc/", "SystemV/")):
            cities.setdefault(z.rsplit("/", 1)[1].replace("_", " ").casefold(), set()).add(z)
    for city, names in cities.items():
        if len(names) == 1:
            out.setdefault(city, next(iter(names)))
    return out


def resolve_timezone(text: str) -> str | None:
    """An IANA zone name for an IANA name or a city, in any letter case; None if unknown."""
    value = " ".join(text.split())
    if not value or len(value) > 64:
        return None
    folded = value.casefold()
    name = (
        CITY_ZONES.get(folded)
        or _zones_by_fold().get(folded)
        or _zones_by_fold().get(folded.replace(" ", "_"))
    )
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
