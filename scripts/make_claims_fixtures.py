"""Build tests/data/claims_kursk.jsonl from the reference corpus, with gold labels.

    python scripts/make_claims_fixtures.py [--shared ../shared/data]

Reads ``corpus/kursk_2025_claims_counterclaims.jsonl`` (14 real statements, Aug 2024 - Apr
2025). The statements give only the day: each row gets an invented time of day and an
invented message id (marked ``ids_and_time_invented``); the order within a day follows the
real order (the Russian claims of 26 Apr came first, Kyiv's answers after). Gold labels are
written here, by hand, per statement id.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "claims_kursk.jsonl"

# corpus id -> (channel, invented id, time of day, gold claims, gold contradicted ids)
GOLD: dict[str, tuple[str, int, str, list[dict[str, str]], list[str]]] = {
    "ua_president_2024-08-12_stavka": ("v_zelenskiy_official", 10688, "19:40", [], []),
    "ua_president_2024-08-12_stavka_ru": ("v_zelenskiy_official", 10689, "19:41", [], []),
    "ru_mod_2025-03-13_sudzha": (
        "mod_russia",
        49120,
        "14:05",
        [
            {"kind": "control", "place": "Melovoy", "controller": "RU"},
            {"kind": "control", "place": "Podol", "controller": "RU"},
            {"kind": "control", "place": "Sudzha", "controller": "RU"},
        ],
        [],
    ),
    "ru_mod_2025-03-13_sudzha_areas": (
        "mod_russia",
        49127,
        "14:40",
        [{"kind": "fighting", "place": "Sudzha"}],
        [],
    ),
    # "operation continues in certain areas of Kursk region": not about Sudzha itself.
    "ua_president_2025-03-15_not_surrounded": (
        "v_zelenskiy_official",
        13559,
        "21:30",
        [{"kind": "fighting", "place": "Kursk Oblast"}],
        [],
    ),
    "ua_genstaff_2025-03-16_map_sudzha": (
        "generalstaffzsu",
        21404,
        "20:15",
        [{"kind": "withdrawal", "place": "Sudzha"}],
        [],
    ),
    "ru_genstaff_2025-04-26_gornal": (
        "mod_russia",
        51803,
        "12:30",
        [
            {"kind": "control", "place": "Gornal", "controller": "RU"},
            {"kind": "operation_completed", "place": "Kursk Oblast", "controller": "RU"},
        ],
        [],
    ),
    "ru_mod_2025-04-26_weekly_gornal": (
        "mod_russia",
        51810,
        "13:10",
        [
            {"kind": "control", "place": "Gornal", "controller": "RU"},
            {"kind": "operation_completed", "place": "Kursk Oblast", "controller": "RU"},
        ],
        [],
    ),
    "ua_genstaff_2025-04-26_denial_uk_a": (
        "generalstaffzsu",
        22786,
        "15:20",
        [
            {"kind": "denial", "place": "Kursk Oblast"},
            {"kind": "fighting", "place": "Kursk Oblast"},
        ],
        ["mod_russia/51803", "mod_russia/51810"],
    ),
    # "Курськ" here names the grouping of forces, not a place: no claim.
    "ua_genstaff_2025-04-26_denial_uk_b": ("generalstaffzsu", 22787, "15:21", [], []),
    "ua_genstaff_2025-04-26_belgorod_uk": (
        "generalstaffzsu",
        22788,
        "15:22",
        [{"kind": "fighting", "place": "Belgorod Oblast"}],
        [],
    ),
    "ua_genstaff_2025-04-26_denial_uk_variant": (
        "generalstaffzsu",
        22790,
        "15:45",
        [{"kind": "denial", "place": "Kursk Oblast"}],
        ["mod_russia/51803", "mod_russia/51810"],
    ),
    # The two English statements name no place (the quoting page did): nothing to pin.
    "ua_genstaff_2025-04-26_denial_en": ("generalstaffzsu", 22791, "16:05", [], []),
    "ua_genstaff_2025-04-26_denial_en_b": ("generalstaffzsu", 22792, "16:06", [], []),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    src = args.shared / "corpus" / "kursk_2025_claims_counterclaims.jsonl"
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line]
    out = []
    for row in rows:
        channel, msg_id, hhmm, claims, contradicts = GOLD[row["id"]]
        # Kyiv is +02:00 until the last Sunday of March; Moscow is +03:00 all year.
        winter = row["date"] < "2025-03-30" and channel != "mod_russia"
        offset = "+02:00" if winter and row["date"] > "2024-10-27" else "+03:00"
        out.append(
            {
                "uid": f"{channel}/{msg_id}",
                "channel": channel,
                "id": msg_id,
                "date": f"{row['date']}T{hhmm}:00{offset}",
                "channel_side": "RU" if channel == "mod_russia" else "UA",
                "text": row["text"],
                "provenance": (
                    f"kursk_2025_claims_counterclaims {row['id']} via {row['quoted_via']}"
                ),
                "ids_and_time_invented": True,
                "gold": {"claims": claims, "contradicts": contradicts},
            }
        )
    out.sort(key=lambda r: (r["date"][:10], r["date"][11:16]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} rows to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
