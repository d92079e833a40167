"""Surface forms of place names: suffix paradigms and transliteration (used at build time).

The dictionaries (pymorphy3) know big towns but not villages such as Горналь or Олешня, and
their first parse of an oblique form is often wrong (Покровську → "покровський"). So every
name gets a rule-based paradigm by its ending, united with the dictionary's lexeme when the
dictionary knows the name as a noun. Over-generation is cheap: a nonsense form never occurs
in text, and forms that are real common words get flagged by the build.

A paradigm is six sets of lower-case forms: nominative, genitive, dative, accusative,
instrumental, locative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.analysis.places.ru_names import uk_to_ru, uk_to_ru_variants

__all__ = ["uk_to_ru", "uk_to_ru_variants"]  # re-exported: the build reads them from here

Paradigm = list[set[str]]
NCASES = 6

_UK_SIBILANT = "жчшщ"
_UK_VOWELS = "аеєиіїоуюя"
_CONS = "бвгґджзйклмнпрстфхцчшщ"


def _p(*cases: Iterable[str]) -> Paradigm:
    return [set(c) for c in cases]


def _uk_alternate(stem: str) -> str | None:
    """Closed-syllable і/ї → о/є in oblique cases: Харків → Харкова, Київ → Києва."""
    m = re.search(r"([іїo])([" + _CONS + r"]ь?)$", stem)
    if not m:
        return None
    repl = "є" if m.group(1) == "ї" else "о"
    return stem[: m.start(1)] + repl + m.group(2)


def uk_adjective(word: str) -> Paradigm | None:
    """Adjectival declension, by gender of the nominative; None if the word is not one."""
    if word.endswith("ий"):
        s = word[:-2]
        return _p(
            [word], [s + "ого"], [s + "ому"], [word, s + "ого"], [s + "им"], [s + "ому", s + "ім"]
        )
    if word.endswith("ій"):
        s = word[:-2]
        return _p(
            [word],
            [s + "ього", s + "ого"],
            [s + "ьому"],
            [word],
            [s + "ім"],
            [s + "ьому", s + "ім"],
        )
    if word.endswith("я") and len(word) > 3 and word[-2] == "н" and word[-3] in _CONS:
        s = word[:-1]  # Верхня, Нижня
        return _p([word], [s + "ьої"], [s + "ій"], [s + "ю"], [s + "ьою"], [s + "ій"])
    if word.endswith("а") and len(word) > 3:
        s = word[:-1]
        return _p([word], [s + "ої"], [s + "ій"], [s + "у"], [s + "ою"], [s + "ій"])
    if word.endswith("е") and len(word) > 3 and word[-2] in _CONS:
        s = word[:-1]
        return _p([word], [s + "ого"], [s + "ому"], [word], [s + "им"], [s + "ому", s + "ім"])
    if word.endswith("і") and len(word) > 3 and word[-2] in "нвкл":
        s = word[:-1]  # Великі (Мости): plural adjective
        return _p([word], [s + "их"], [s + "им"], [word, s + "их"], [s + "ими"], [s + "их"])
    return None


def uk_noun(word: str) -> Paradigm:
    """Noun declension by ending; unions of plausible variants where the gender is unclear."""
    w = word
    if w.endswith("ка") or w.endswith("га") or w.endswith("ха"):
        s, k = w[:-2], w[-2]
        soft_k = {"к": "ц", "г": "з", "х": "с"}[k]
        return _p(
            [w],
            [s + k + "и"],
            [s + soft_k + "і"],
            [s + k + "у"],
            [s + k + "ою"],
            [s + soft_k + "і"],
        )
    if w.endswith("ія") or w.endswith("ея"):
        s = w[:-1]
        return _p(
            [w], [s[:-1] + "ії"], [s[:-1] + "ії"], [w[:-1] + "ю"], [w[:-1] + "єю"], [s[:-1] + "ії"]
        )
    if re.search(r"([" + _CONS + r"])\1я$", w) or w.endswith("ччя") or w.endswith("ля"):
        s = w[:-1]  # Запоріжжя (neuter), also Олешня-type below by union
        return _p(
            [w], [w, s + "і"], [s + "ю", s + "і"], [w, s + "ю"], [s + "ям", s + "ею"], [s + "і"]
        )
    if w.endswith("я"):
        s = w[:-1]
        return _p([w], [s + "і"], [s + "і"], [s + "ю"], [s + "ею"], [s + "і"])
    if w.endswith("а"):
        s = w[:-1]
        soft = bool(s) and (s[-1] in _UK_SIBILANT or s.endswith("дж"))
        return _p(
            [w],
            [s + ("і" if soft else "и")],
            [s + "і"],
            [s + "у"],
            [s + ("ею" if soft else "ою")],
            [s + "і"],
        )
    if w.endswith("и") or (w.endswith("і") and len(w) > 3):
        s = w[:-1]  # pluralia tantum: Суми, Ромни, Чернівці
        soft = w.endswith("і") or s.endswith("ц")
        a = "я" if soft else "а"
        gen = {s + "ів", s} if not soft else {s + "ів", s + "ь"}
        if re.search(r"[" + _CONS + r"]к$", s):
            gen.add(s[:-1] + "ок")  # a fleeting vowel: Кринки → Кринок
        return _p(
            [w],
            gen,
            [s + a + "м", s + "ам"],
            [w],
            [s + a + "ми", s + "ами"],
            [s + a + "х", s + "ах"],
        )
    if w.endswith("о"):
        s = w[:-1]
        return _p([w], [s + "а"], [s + "у"], [w], [s + "ом"], [s + "і", s + "у"])
    if w.endswith("е") or w.endswith("є"):
        s = w[:-1]  # Гуляйполе
        return _p([w], [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "і"])
    if w.endswith("ь"):
        s = w[:-1]
        alt = _uk_alternate(s[:-1] + s[-1]) if len(s) > 2 else None
        stems = {s} | ({alt} if alt else set())
        last = s[-1] if s else ""
        out = _p([w], set(), set(), [w], set(), set())
        for st in stems:
            out[1] |= {st + "я", st + "і"}
            out[2] |= {st + "ю", st + "і"}
            out[4] |= {st + "ем", st + last + "ю"}
            out[5] |= {st + "і"}
        return out
    if w.endswith("й"):
        s = w[:-1]
        return _p([w], [s + "я", s + "ю"], [s + "ю"], [w], [s + "єм"], [s + "ї"])
    if w and w[-1] in _CONS:
        stems = {w}
        alt = _uk_alternate(w)
        if alt:
            stems.add(alt)
        soft_end = w[-1] in _UK_SIBILANT or w[-1] == "ц"
        out = _p([w], set(), set(), [w], set(), set())
        for st in stems:
            out[1] |= {st + "а", st + "у"}
            out[2] |= {st + "у", st + "ові"}
            out[4] |= {st + ("ем" if soft_end else "ом")}
            out[5] |= {st + "і", st + "у"}
        return out
    return _p([w], [w], [w], [w], [w], [w])


def ru_adjective(word: str) -> Paradigm | None:
    w = word
    if w.endswith(("ый", "ий", "ой")):
        s = w[:-2]
        soft = w.endswith("ий") and not s.endswith(("к", "г", "х", "ж", "ш", "ч", "щ"))
        i = "и" if (soft or s.endswith(("к", "г", "х", "ж", "ш", "ч", "щ"))) else "ы"
        o = "е" if soft else "о"
        return _p(
            [w], [s + o + "го"], [s + o + "му"], [w, s + o + "го"], [s + i + "м"], [s + o + "м"]
        )
    if w.endswith(("ая", "яя")):
        s = w[:-2]
        o = "е" if w.endswith("яя") or s.endswith(("ж", "ш", "ч", "щ")) else "о"
        u = "юю" if w.endswith("яя") else "ую"
        return _p([w], [s + o + "й"], [s + o + "й"], [s + u], [s + o + "й"], [s + o + "й"])
    if w.endswith(("ое", "ее")) and len(w) > 4:
        s = w[:-2]
        soft = w.endswith("ее")
        o = "е" if soft else "о"
        i = "и" if soft or s.endswith(("к", "г", "х", "ж", "ш", "ч", "щ")) else "ы"
        return _p([w], [s + o + "го"], [s + o + "му"], [w], [s + i + "м"], [s + o + "м"])
    if w.endswith(("ые", "ие")) and len(w) > 4:
        s = w[:-2]
        i = "и" if w.endswith("ие") else "ы"
        return _p([w], [s + i + "х"], [s + i + "м"], [w], [s + i + "ми"], [s + i + "х"])
    return None


def ru_noun(word: str) -> Paradigm:
    w = word
    hush = ("к", "г", "х", "ж", "ш", "ч", "щ")
    if w.endswith("ия"):
        s = w[:-1]
        return _p([w], [s + "и"], [s + "и"], [s + "ю"], [s + "ей"], [s + "и"])
    if w.endswith("ье"):
        s = w[:-1]
        return _p([w], [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "е"])
    if w.endswith("я"):
        s = w[:-1]
        return _p([w], [s + "и"], [s + "е"], [s + "ю"], [s + "ей"], [s + "е"])
    if w.endswith("а"):
        s = w[:-1]
        y = "и" if s.endswith(hush) else "ы"
        o = "ей" if s.endswith(("ж", "ш", "ч", "щ", "ц")) else "ой"
        return _p([w], [s + y], [s + "е"], [s + "у"], [s + o], [s + "е"])
    if w.endswith(("ы", "и")) and len(w) > 3:
        s = w[:-1]
        fleeting = {s[:-1] + "ок"} if re.search(r"[бвгджзлмнпрстфхцчшщ]к$", s) else set()
        return _p(
            [w],
            {s, s + "ов", s + "ей"} | fleeting,
            [s + "ам", s + "ям"],
            [w],
            [s + "ами", s + "ями"],
            [s + "ах", s + "ях"],
        )
    if w.endswith(("о", "е")):
        s = w[:-1]  # Гуево, Теткино: indeclinable in the press, declined in speech
        return _p([w], [w, s + "а"], [w, s + "у"], [w], [w, s + "ом"], [w, s + "е"])
    if w.endswith("ь"):
        s = w[:-1]
        return _p(
            [w],
            [s + "я", s + "и"],
            [s + "ю", s + "и"],
            [w],
            [s + "ем", w + "ю"],
            [s + "е", s + "и"],
        )
    if w.endswith("й"):
        s = w[:-1]
        return _p([w], [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "е"])
    if w and w[-1] in "бвгджзклмнпрстфхцчшщ":
        o = "ем" if w[-1] in "жшчщц" else "ом"
        # the second locative: "в Яру", "на Донбассе"/"в Лесу"
        return _p([w], [w + "а"], [w + "у"], [w], [w + o], [w + "е", w + "у"])
    return _p([w], [w], [w], [w], [w], [w])


def combine(words: list[Paradigm]) -> set[str]:
    """Forms of a multi-word name: each word in the same case (agreement)."""
    out: set[str] = set()
    for case in range(NCASES):
        acc = [""]
        for par in words:
            acc = [(a + " " + f).strip() for a in acc for f in par[case]]
            if len(acc) > 64:
                acc = acc[:64]
        out.update(acc)
    return out


def uk_forms(name: str) -> set[str]:
    """Rule forms of a Ukrainian nominative name (lower-case, may be multi-word)."""
    words = name.lower().replace("-", " - ").split()
    return combine([_uk_word(w, i, words) for i, w in enumerate(words)])


def _linking(w: str, i: int, words: list[str]) -> bool:
    """The first part of a compound ("Олександро-Калинове"): it keeps its form."""
    return i + 1 < len(words) and words[i + 1] == "-" and w.endswith(("о", "е"))


def _uk_word(w: str, i: int, words: list[str]) -> Paradigm:
    n = len(words)
    if w == "-" or _linking(w, i, words):
        return _p([w], [w], [w], [w], [w], [w])
    if i < n - 1 and re.search(r"[іо]в$|їв$", w):
        s = w[:-2] + ("єв" if w.endswith("їв") else "ов")  # Часів Яр → Часового Яру
        # and the short genitive of reporting, "у районі Часова Яру"
        return _p([w], [s + "ого", s + "а"], [s + "ому"], [w], [s + "им"], [s + "ому", s + "ім"])
    adj = uk_adjective(w)
    if adj is not None and (i < n - 1 or w.endswith(("ий", "ій", "е"))):
        if i == n - 1 and w.endswith(("поле", "море", "ще")):  # Гуляйполе is a noun
            return uk_noun(w)
        return adj
    return uk_noun(w)


def ru_forms(name: str) -> set[str]:
    words = name.lower().replace("ё", "е").replace("-", " - ").split()
    pars: list[Paradigm] = []
    for i, w in enumerate(words):
        if w == "-" or _linking(w, i, words):  # "Александро-Шультино"
            pars.append(_p([w], [w], [w], [w], [w], [w]))
            continue
        adj = ru_adjective(w)
        if adj is not None and (i < len(words) - 1 or w.endswith(("ый", "ий", "ой", "ое", "ее"))):
            pars.append(adj)
        elif i < len(words) - 1 and w.endswith(("ов", "ев", "ин", "ын")):
            # a possessive before its noun: "в Часовом Яру", "о Часовом Яре"
            pars.append(_p([w], [w + "а"], [w + "у"], [w], [w + "ым"], [w + "ом"]))
        else:
            pars.append(ru_noun(w))
    return combine(pars)


# --- transliteration -----------------------------------------------------------------------

_RU_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def ru_to_latin(name: str) -> str:
    """Russian-based press spelling (Купянск → Kupyansk, Горналь → Gornal, Харьков → Kharkov)."""
    out = []
    low = name.lower()
    for i, ch in enumerate(low):
        prev = low[i - 1] if i else " "
        if ch == "е" and (not prev.isalpha() or prev in "аеёиоуыэюяьъ"):
            out.append("ye")
        else:
            out.append(_RU_LATIN.get(ch, ch))
    res = "".join(out)
    res = re.sub(r"(?<=[a-z])iy\b", "y", res).replace("yy", "y")
    return " ".join(w[:1].upper() + w[1:] for w in res.split(" "))


_UK_LATIN_INIT = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
    "ʼ": "",
}


def uk_to_latin(name: str) -> str:
    """The official KMU-2010 transliteration (for names KATOTTG gives no Latin for)."""
    out = []
    low = name.lower()
    for i, ch in enumerate(low):
        initial = i == 0 or (not low[i - 1].isalpha() and low[i - 1] not in "'’ʼ")
        if ch == "г" and i and low[i - 1] == "з":
            out.append("gh")
        elif initial and ch in _UK_LATIN_INIT:
            out.append(_UK_LATIN_INIT[ch])
        else:
            out.append(_UK_LATIN.get(ch, ch))
    res = "".join(out)
    return " ".join(w[:1].upper() + w[1:] for w in res.split(" "))
