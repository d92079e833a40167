"""Build tests/data/claims_losses.jsonl: General Staff losses posts from the ground truth.

    python scripts/make_losses_fixtures.py [--shared ../shared/data]

For a sample of days, writes the day's post in the General Staff's real format ("Загальні
бойові втрати противника з 24.02.22 по DD.MM.YY орієнтовно склали: особового складу ‒
близько 945 130 (+1 170) осіб ...") from the PetroIvaniuk dataset (MIT), with the expected
parse as gold. Runs of consecutive days let the test check that daily changes add up; one
post is altered on purpose (a cumulative figure lower than the day before) and labelled as
the one pair that must be flagged "figures don't add up". The ground truth's own
corrections (``equipment_correction``) are days when the published figures did not chain:
a sampled correction day is labelled as flagged too.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "claims_losses.jsonl"

# metric -> (Ukrainian label, unit suffix). Order as in the real post.
FORMAT: tuple[tuple[str, str, str], ...] = (
    ("personnel", "особового складу", " осіб"),
    ("tank", "танків", " од"),
    ("APC", "бойових броньованих машин", " од"),
    ("field artillery", "артилерійських систем", " од"),
    ("MRL", "РСЗВ", " од"),
    ("anti-aircraft warfare", "засоби ППО", " од"),
    ("aircraft", "літаків", " од"),
    ("helicopter", "гелікоптерів", " од"),
    ("drone", "БПЛА оперативно-тактичного рівня", ""),
    ("cruise missiles", "крилаті ракети", ""),
    ("naval ship", "кораблі / катери", " од"),
    ("submarines", "підводні човни", " од"),
    ("vehicles and fuel tanks", "автомобільної техніки та автоцистерн", " од"),
    ("military auto", "автомобільної техніки", " од"),
    ("fuel tank", "цистерн з ПММ", " од"),
    ("special equipment", "спеціальна техніка", ""),
    ("ground robotic systems", "наземні робототехнічні комплекси", " од"),
)
# Runs of consecutive days (start, length) across the years, and single days.
RUNS = (
    ("2022-03-10", 3),
    ("2022-10-12", 2),
    ("2023-05-26", 2),
    ("2023-10-02", 2),
    ("2024-02-16", 3),
    ("2025-04-25", 3),
    ("2026-08-06", 3),
)
BROKEN_DAY = "2025-04-27"  # its tank figure is lowered below the day before


def _num(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def post_text(day: str, values: dict[str, int], changes: dict[str, int]) -> str:
    d = date.fromisoformat(day)
    lines = [f"Загальні бойові втрати противника з 24.02.22 по {d:%d.%m.%y} орієнтовно склали:"]
    for metric, label, unit in FORMAT:
        if metric not in values:
            continue
        qual = "близько " if metric == "personnel" else ""
        chg = changes[metric]
        sign = "+" if chg >= 0 else "-"
        lines.append(f"{label} ‒ {qual}{_num(values[metric])} ({sign}{_num(abs(chg))}){unit}")
    lines.append("Дані уточнюються.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    base = args.shared / "losses"
    pers = {
        r["date"]: r
        for r in json.loads((base / "petroivaniuk_russia_losses_personnel.json").read_text())
    }
    equip = {
        r["date"]: r
        for r in json.loads((base / "petroivaniuk_russia_losses_equipment.json").read_text())
    }
    corrections = {
        r["date"]
        for r in json.loads(
            (base / "petroivaniuk_russia_losses_equipment_correction.json").read_text()
        )
    }

    def values(day: str) -> dict[str, int]:
        out: dict[str, int] = {"personnel": int(pers[day]["personnel"])}
        for metric, _l, _u in FORMAT:
            v: Any = equip[day].get(metric)
            if metric != "personnel" and isinstance(v, int | float):
                out[metric] = int(v)
        return out

    rows = []
    msg_id = 30000
    for start, length in RUNS:
        d0 = date.fromisoformat(start)
        for i in range(length):
            day = (d0 + timedelta(days=i)).isoformat()
            prev = (d0 + timedelta(days=i - 1)).isoformat()
            vals, before = values(day), values(prev)
            changes = {m: vals[m] - before.get(m, vals[m]) for m in vals}
            gold_pairs: list[str] = []
            note = None
            if day == BROKEN_DAY:
                vals["tank"] = before["tank"] - 2
                changes["tank"] = 0
                note = "altered: tank cumulative lowered below the previous day's"
            text = post_text(day, vals, changes)
            # A day whose real figures do not chain with the day before (the dataset records
            # a correction): flagged, unless it opens a run (nothing earlier to compare to).
            if i > 0 and (
                day == BROKEN_DAY or any(vals[m] < before.get(m, 0) for m in vals if m in before)
            ):
                gold_pairs.append(f"generalstaffzsu/{msg_id - 1}")
            msg_id += 1
            rows.append(
                {
                    "uid": f"generalstaffzsu/{msg_id - 1}",
                    "channel": "generalstaffzsu",
                    "id": msg_id - 1,
                    "date": f"{day}T09:00:00+03:00",
                    "channel_side": "UA",
                    "text": text,
                    "provenance": "built by scripts/make_losses_fixtures.py from PetroIvaniuk/"
                    f"2022-Ukraine-Russia-War-Dataset (MIT), day {day}"
                    + (" (a correction day)" if day in corrections else ""),
                    "ids_and_time_invented": True,
                    **({"note": note} if note else {}),
                    "gold": {
                        "claims": [{"kind": "losses", "place": m} for m in vals],
                        "losses": {
                            m: {
                                "cumulative": vals[m],
                                "change": changes[m],
                                "qualifier": "близько" if m == "personnel" else None,
                            }
                            for m in vals
                        },
                        "contradicts": gold_pairs,
                    },
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
