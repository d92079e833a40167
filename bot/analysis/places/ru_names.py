"""Russian names of Ukrainian settlements, made by rule (used at build time).

Russian reporting does not spell Ukrainian villages letter by letter: Біла Гора is Белая Гора,
Вільне Поле is Вольное Поле, Малорязанцеве is Малорязанцево, Андріївка is Андреевка. The
rules follow how the two languages diverge:

- Endings: -ськ/-цьк → -ск/-цк; -івка → -овка, -ївка → -евка; -ів → -ов; -піль → -поль;
  -пілля → -полье; adjectival -е → -ое (Мирне → Мирное, Вільне → Вольное); possessive
  -ове/-еве/-ине → -ово/-ево/-ино (Малорязанцеве → Малорязанцево, Котлине → Котлино), with
  the adjectival -овое/-евое/-иное as a variant (Берестове → Берестовое).
- Ukrainian і in a closed syllable stands for an older о or е (ікавізм): Біла → Белая,
  Вільне → Вольное, Світле → Светлое, Кліщіївка → Клещеевка. Common roots are in a table;
  for the rest the variants with е and о are generated next to и (``uk_to_ru_variants``).
- Letters: і/ї → и (ї → йи at the start), є → е, ґ → г, the apostrophe → ь (none after a
  labial: Куп'янськ → Купянск), initial е → э.
"""

from __future__ import annotations

import re
from itertools import product

_UK_VOWELS = "аеєиіїоуюя"
_LABIAL = "бпвмф"
_CHARS = {"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": "ь"}

# (Ukrainian ending, Russian ending, variant endings); first match wins, longest first.
_ENDINGS: list[tuple[str, str, tuple[str, ...]]] = [
    ("ське", "ское", ()),
    ("цьке", "цкое", ()),
    ("зьке", "зкое", ()),
    ("ський", "ский", ()),
    ("цький", "цкий", ()),
    ("зький", "зкий", ()),
    ("ська", "ская", ()),
    ("цька", "цкая", ()),
    ("зька", "зкая", ()),
    ("ськ", "ск", ()),
    ("цьк", "цк", ()),
    ("зьк", "зк", ()),
    ("ївка", "евка", ()),
    ("івка", "овка", ("евка",)),
    ("пілля", "полье", ()),
    ("піль", "поль", ()),
    ("іль", "оль", ()),
    ("ове", "ово", ("овое",)),
    ("еве", "ево", ("евое",)),
    ("єве", "ево", ("евое",)),
    ("ине", "ино", ("иное",)),
    ("їне", "ино", ("иное",)),
    ("ів", "ов", ()),
    ("їв", "ев", ()),
    ("не", "ное", ()),
    ("ве", "вое", ()),
    ("ке", "кое", ()),
    ("те", "тое", ()),
    ("ре", "рое", ()),
    ("ле", "лое", ()),
    ("ий", "ый", ()),
    ("ій", "ий", ()),
    ("а", "ая", ()),
]
_ADJ_E = frozenset({"не", "ве", "ке", "те", "ре", "ле", "ове", "еве", "єве", "ине", "їне"})
_NOUN_E = ("поле", "море", "ще", "лле", "жжя")  # Гуляйполе is a noun, not an adjective

# Roots whose Ukrainian і is a Russian е or о, as Russian reporting writes them.
_ROOTS = [
    ("олександр", "александр"),
    ("микола", "никола"),
    ("новосіл", "новосел"),
    ("сіль", "сель"),
    ("біл", "бел"),
    ("віль", "воль"),
    ("світл", "светл"),
    ("світ", "свет"),
    ("кам'ян", "камен"),
    ("піщ", "песч"),
    ("лісн", "лесн"),
    ("ліс", "лес"),
    ("сівер", "север"),
    ("кліщ", "клещ"),
    ("ріг", "рог"),
    ("річ", "реч"),
    ("дід", "дед"),
    ("гірськ", "горск"),
    ("гірн", "горн"),
    ("кін", "кон"),
    ("ії", "ее"),
]


def _ending(low: str, is_last: bool) -> tuple[str, str, tuple[str, ...]]:
    """(stem, Russian ending, variant endings) of one lower-case word."""
    for uk, ru, alts in _ENDINGS:
        if not low.endswith(uk) or len(low) <= len(uk) + 1:
            continue
        if uk == "а" and is_last:
            continue  # a final noun in -а stays (Суджа); adjectives before a noun change
        if uk in _ADJ_E and is_last and low.endswith(_NOUN_E):
            continue
        if uk in _ADJ_E and not is_last and low.endswith(_NOUN_E):
            continue
        stem = low[: -len(uk)]
        if uk in ("ївка", "їв", "їне") and stem.endswith("і"):
            stem = stem[:-1] + "е"  # Андріївка → Андреевка
        return stem, ru, alts
    return low, "", ()


def _letters(stem: str, ending: str) -> str:
    for uk, ru in _ROOTS:
        stem = stem.replace(uk, ru)
    out = []
    for i, ch in enumerate(stem):
        prev = stem[i - 1] if i else ""
        if ch == "и" and i == len(stem) - 1 and not ending and prev not in "кгхжчшщ":
            out.append("ы")  # plural nouns: Суми → Сумы
        elif ch == "'":
            out.append("" if prev in _LABIAL else "ь")
        elif ch == "ї":
            out.append("йи" if i == 0 else "и")
        elif ch == "е" and i == 0:
            out.append("э")
        else:
            out.append(_CHARS.get(ch, ch))
    return "".join(out) + ending


def _word_variants(word: str, is_last: bool, all_variants: bool) -> list[str]:
    """The Russian spellings of one word, the likeliest first."""
    low = word.lower().replace("’", "'").replace("ʼ", "'")
    stem, ending, alts = _ending(low, is_last)
    stems = [stem]
    if all_variants:
        # the first і of the root left untranslated by the table may be an е or an о
        at = next((i for i, ch in enumerate(stem) if ch == "і" and i > 0), -1)
        if at > 0 and not any(uk in stem for uk, _ in _ROOTS):
            stems += [stem[:at] + v + stem[at + 1 :] for v in "ео"]
    out: list[str] = []
    for st, end in product(stems, (ending, *alts) if all_variants else (ending,)):
        res = _letters(st, end)
        res = res[:1].upper() + res[1:] if word[:1].isupper() else res
        if res not in out:
            out.append(res)
    return out


def _convert(name: str, all_variants: bool) -> list[str]:
    parts = re.split(r"(\s+|-)", name.replace("’", "'").replace("ʼ", "'"))
    choices: list[list[str]] = []
    for idx, part in enumerate(parts):
        if not part or part.isspace() or part == "-":
            choices.append([part])
            continue
        is_last = all(not p.strip() or p == "-" for p in parts[idx + 1 :])
        choices.append(_word_variants(part, is_last, all_variants))
    out: list[str] = []
    for combo in product(*choices):
        res = "".join(combo)
        if res not in out:
            out.append(res)
        if len(out) >= 8:
            break
    return out


def uk_to_ru(name: str) -> str:
    """The likeliest Russian name of a Ukrainian place (Куп'янськ → Купянск)."""
    return _convert(name, False)[0]


def uk_to_ru_variants(name: str) -> list[str]:
    """Plausible Russian names, the likeliest first (Малорязанцеве → Малорязанцево,
    Малорязанцевое; Світле → Светлое, Свитлое …), at most eight."""
    return _convert(name, True)
