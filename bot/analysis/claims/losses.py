"""The General Staff's daily "enemy losses" post, parsed into one record per metric.

Format (Ukrainian; the English edition is alike)::

    Загальні бойові втрати противника з 24.02.22 по 26.04.25 орієнтовно склали:
    особового складу ‒ близько 945 130 (+1 170) осіб
    танків ‒ 10 664 (+3) од
    ...

Metric keys follow the PetroIvaniuk dataset, so parsed posts compare to it directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (label prefix, lower case, without a leading "засоби"/"засобів" difference) -> metric key.
# Longer prefixes first: "автомобільної техніки та автоцистерн" before "автомобільної техніки".
LABELS: tuple[tuple[str, str], ...] = (
    ("особового склад", "personnel"),
    ("personnel", "personnel"),
    ("танк", "tank"),
    ("tank", "tank"),
    ("бойових броньованих машин", "APC"),
    ("бойові броньовані машини", "APC"),
    ("armoured combat vehicles", "APC"),
    ("armored combat vehicles", "APC"),
    ("артилерійських систем", "field artillery"),
    ("артилерійські системи", "field artillery"),
    ("artillery systems", "field artillery"),
    ("рсзв", "MRL"),
    ("mlrs", "MRL"),
    ("засоби ппо", "anti-aircraft warfare"),
    ("засобів ппо", "anti-aircraft warfare"),
    ("air defense", "anti-aircraft warfare"),
    ("air defence", "anti-aircraft warfare"),
    ("anti-aircraft", "anti-aircraft warfare"),
    ("літак", "aircraft"),
    ("aircraft", "aircraft"),
    ("гелікоптер", "helicopter"),
    ("helicopter", "helicopter"),
    ("бпла", "drone"),
    ("uav", "drone"),
    ("крилаті ракети", "cruise missiles"),
    ("крилатих ракет", "cruise missiles"),
    ("cruise missiles", "cruise missiles"),
    ("кораблі", "naval ship"),
    ("кораблів", "naval ship"),
    ("warships", "naval ship"),
    ("підводні човни", "submarines"),
    ("підводних човнів", "submarines"),
    ("submarines", "submarines"),
    ("автомобільної техніки та автоцистерн", "vehicles and fuel tanks"),
    ("автомобільна техніка та автоцистерни", "vehicles and fuel tanks"),
    ("vehicles and fuel tanks", "vehicles and fuel tanks"),
    ("автомобільної техніки", "military auto"),
    ("цистерн", "fuel tank"),
    ("спеціальна техніка", "special equipment"),
    ("спеціальної техніки", "special equipment"),
    ("special equipment", "special equipment"),
    ("наземні робототехнічні комплекси", "ground robotic systems"),
    ("наземних робототехнічних комплексів", "ground robotic systems"),
    ("ground robotic", "ground robotic systems"),
)

_HEADER = re.compile(
    r"(загальні\s+бойові\s+втрати\s+противника|total\s+combat\s+losses\s+of\s+the\s+enemy)",
    re.IGNORECASE,
)
_NUM = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+"
_LINE = re.compile(
    rf"^[\s•\-–*]*(?P<label>[^\d‒–—:\n]+?)\s*[‒–—:-]+\s*"
    rf"(?P<qual>близько|орієнтовно|about|approximately|приблизно)?\s*"
    rf"(?P<cum>{_NUM})\s*(?:\(\s*(?P<chg>[+-−]?\s*(?:{_NUM}))\s*\))?",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class LossFigure:
    metric: str
    cumulative: int
    change: int | None
    qualifier: str | None  # "близько", "about", ...; None when the figure is exact
    start: int
    end: int


def _int(raw: str) -> int:
    cleaned = re.sub(r"[\s\u00a0\u202f+]", "", raw).replace("−", "-")
    return int(cleaned)


def _metric(label: str) -> str | None:
    low = " ".join(label.lower().split())
    for prefix, key in LABELS:
        if low.startswith(prefix):
            return key
    return None


def is_losses_post(text: str) -> bool:
    return _HEADER.search(text) is not None


def parse_losses(text: str) -> list[LossFigure]:
    """Every metric line of a losses post, in order; [] if ``text`` is not one."""
    header = _HEADER.search(text)
    if header is None:
        return []
    out: list[LossFigure] = []
    seen: set[str] = set()
    for m in _LINE.finditer(text, header.end()):
        metric = _metric(m.group("label"))
        if metric is None or metric in seen:
            continue
        seen.add(metric)
        chg = m.group("chg")
        qual = m.group("qual")
        out.append(
            LossFigure(
                metric=metric,
                cumulative=_int(m.group("cum")),
                change=_int(chg) if chg else None,
                qualifier=qual.lower() if qual else None,
                start=m.start("label"),
                end=m.end(),
            )
        )
    return out
