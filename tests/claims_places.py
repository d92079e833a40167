"""TEMPORARY place finder for the claims tests, until ``bot.analysis.places`` lands.

A tiny real list of the places the labelled claims name, each with hand-written inflected
forms. ``find_places`` has the matcher's signature (text -> mentions), so the tests switch to
``get_matcher().find`` by changing one function. Ids are made up here; the tests never
depend on them (gold labels use English names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.analysis.claims import PlaceTools, default_place_tools


@dataclass(frozen=True)
class TPlace:
    id: str
    name_en: str
    name_uk: str
    kind: str
    parent_id: str | None = None


@dataclass(frozen=True)
class TMention:
    place: TPlace | None
    kind: str
    start: int
    end: int
    surface: str
    candidates: tuple[TPlace, ...] = field(default=())


_P: list[tuple[TPlace, str]] = [
    (
        TPlace("RU-KRS", "Kursk Oblast", "Курська область", "oblast"),
        r"курськ\w* обл\w*|курщин\w*|курск\w* обл\w*|kursk (?:oblast|region)|курской области",
    ),
    (
        TPlace("RU-BEL", "Belgorod Oblast", "Бєлгородська область", "oblast"),
        r"бєлгородськ\w* обл\w*|белгородск\w* обл\w*|belgorod (?:oblast|region)",
    ),
    (
        TPlace("UA-59", "Sumy Oblast", "Сумська область", "oblast"),
        r"сумськ\w* обл\w*|сумск\w* обл\w*|sumy (?:oblast|region)|сумщин\w*",
    ),
    (
        TPlace("UA-14", "Donetsk Oblast", "Донецька область", "oblast"),
        r"донецьк\w* обл\w*|донецк\w* обл\w*|donetsk (?:oblast|region)|донеччин\w*|\bднр\b",
    ),
    (
        TPlace("UA-63", "Kharkiv Oblast", "Харківська область", "oblast"),
        r"харківськ\w* обл\w*|харьковск\w* обл\w*|kharkiv (?:oblast|region)|харківщин\w*",
    ),
    (TPlace("ru-sudzha", "Sudzha", "Суджа", "city", "RU-KRS"), r"судж\w*|sudzha"),
    (TPlace("ru-gornal", "Gornal", "Горналь", "village", "RU-KRS"), r"горнал\w*|gornal|hornal"),
    (TPlace("ru-melovoy", "Melovoy", "Меловий", "village", "RU-KRS"), r"мелов\w*|melovoy"),
    (TPlace("ru-podol", "Podol", "Подол", "village", "RU-KRS"), r"\bподол\b|\bpodol\b"),
    (
        TPlace("ua-avdiivka", "Avdiivka", "Авдіївка", "city", "UA-14"),
        r"авдіїв\w*|авдеев\w*|avdiivka|avdeyevka",
    ),
    (
        TPlace("ua-toretsk", "Toretsk", "Торецьк", "city", "UA-14"),
        r"торецьк\w*|торецк\w*|toretsk|дзержинск\w*",
    ),
    (
        TPlace("ua-chasiv-yar", "Chasiv Yar", "Часів Яр", "city", "UA-14"),
        r"час\w* яр\w*|chasiv yar",
    ),
    (
        TPlace("ua-kupiansk", "Kupiansk", "Куп'янськ", "city", "UA-63"),
        r"куп['’ʼ]?янськ\w*|купянск\w*|kupiansk|kupyansk",
    ),
    (
        TPlace("ua-pokrovsk", "Pokrovsk", "Покровськ", "city", "UA-14"),
        r"покровськ\w*|покровск\w*|красноармейск\w*|pokrovsk",
    ),
    (
        TPlace("ua-myrnohrad", "Myrnohrad", "Мирноград", "city", "UA-14"),
        r"мирноград\w*|димитров\b|myrnohrad",
    ),
    (
        TPlace("ua-vovchansk", "Vovchansk", "Вовчанськ", "city", "UA-63"),
        r"вовчанськ\w*|волчанск\w*|vovchansk",
    ),
    (
        TPlace("ua-siversk", "Siversk", "Сіверськ", "city", "UA-14"),
        r"сіверськ\w*|северск\w*|siversk",
    ),
    (
        TPlace("ua-kostiantynivka", "Kostiantynivka", "Костянтинівка", "city", "UA-14"),
        r"костянтинівк\w*|костянтинівц\w*|константиновк\w*|kostiantynivka",
    ),
    (
        TPlace("ua-vuhledar", "Vuhledar", "Вугледар", "city", "UA-14"),
        r"вугледар\w*|угледар\w*|vuhledar",
    ),
    (
        TPlace("UA-23", "Zaporizhzhia Oblast", "Запорізька область", "oblast"),
        r"запорізьк\w* обл\w*|запоріжж\w*|zaporizhzhia (?:oblast|region)",
    ),
    (TPlace("ua-lyman", "Lyman", "Лиман", "city", "UA-14"), r"(?:красн\w* )?лиман\w*|lyman"),
    (TPlace("ua-soledar", "Soledar", "Соледар", "city", "UA-14"), r"соледар\w*|soledar"),
    (TPlace("ua-bakhmut", "Bakhmut", "Бахмут", "city", "UA-14"), r"бахмут\w*|артемовск\w*|bakhmut"),
    (
        TPlace("ua-robotyne", "Robotyne", "Роботине", "village", "UA-23"),
        r"роботин\w*|работин\w*|robotyne",
    ),
    (
        TPlace("ua-marinka", "Marinka", "Мар'їнка", "city", "UA-14"),
        r"мар['’ʼ]?їнк\w*|марьинк\w*|marinka|marinka",
    ),
    (TPlace("ua-krynky", "Krynky", "Кринки", "village", "UA-65"), r"кринк\w*|krynky"),
    (
        TPlace("ua-krasnohorivka", "Krasnohorivka", "Красногорівка", "city", "UA-14"),
        r"красногорівк\w*|красногоровк\w*|krasnohorivka",
    ),
    (TPlace("ua-kurakhove", "Kurakhove", "Курахове", "city", "UA-14"), r"курахов\w*|kurakhove"),
    (
        TPlace("ua-velyka-novosilka", "Velyka Novosilka", "Велика Новосілка", "village", "UA-14"),
        r"велик\w* новосілк\w*|велик\w* новоселк\w*|velyka novosilka",
    ),
    (
        TPlace("ua-novohrodivka", "Novohrodivka", "Новогродівка", "city", "UA-14"),
        r"новогродівк\w*|новогродовк\w*|novohrodivka",
    ),
    (
        TPlace("ua-mykhailivka", "Mykhailivka", "Михайлівка", "village", "UA-14"),
        r"михайлівк\w*|mykhailivka",
    ),
    (
        TPlace("ua-kramatorsk", "Kramatorsk", "Краматорськ", "city", "UA-14"),
        r"краматорськ\w*|краматорск\w*|kramatorsk",
    ),
    (TPlace("ua-sieverne", "Sieverne", "Сєверне", "village", "UA-14"), r"сєверн\w*|sieverne"),
    (
        TPlace("ua-lastochkyne", "Lastochkyne", "Ласточкине", "village", "UA-14"),
        r"ласточкин\w*|lastochkyne",
    ),
    (
        TPlace("ua-kucheriv-yar", "Kucheriv Yar", "Кучерів Яр", "village", "UA-12"),
        r"кучер\w* яр\w*|kucheriv yar",
    ),
    (
        TPlace("ua-novopavlivka", "Novopavlivka", "Новопавлівка", "village", "UA-14"),
        r"новопавлівк\w*|новопавловк\w*|novopavlivka",
    ),
]
_RX = [(p, re.compile(rx, re.IGNORECASE)) for p, rx in _P]
BY_ID = {p.id: p for p, _ in _P}


def find_places(text: str) -> list[TMention]:
    out: list[TMention] = []
    taken: list[tuple[int, int]] = []
    for place, rx in _RX:  # oblasts first: "Курської області" is not the city of Kursk
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            axis = re.match(r"\s+(напрям|направлен|direction|axis|front)", text[m.end() :], re.I)
            kind = "axis" if axis else "place"
            out.append(TMention(place, kind, m.start(), m.end(), m.group()))
    return sorted(out, key=lambda m: m.start)


def ancestors(place_id: str) -> tuple[str, ...]:
    chain: list[str] = []
    place = BY_ID.get(place_id)
    while place is not None and place.parent_id:
        chain.append(place.parent_id)
        place = BY_ID.get(place.parent_id)
    return tuple(chain)


def contains(outer: str, inner: str) -> bool:
    return outer in ancestors(inner)


def tools() -> PlaceTools:
    """The temporary finder as the claims code wants it."""
    return PlaceTools(find_places, ancestors, contains)


def real_tools() -> PlaceTools:
    """The gazetteer's matcher (issue 3)."""
    return default_place_tools()
