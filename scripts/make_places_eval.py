"""Draft the labelled place-evaluation set (tests/data/places_eval.jsonl) from real text.

Sources (read-only, /work/shared/data): the @kpszsu posts (Apache-2.0 fixture), paragraphs of
the President's addresses (Amice13/resistinua, CC0; their ``cities`` field is only a weak
label), and the Kursk claim statements.

Steps (already done; the drafts are kept in tests/data/places_eval_drafts/):
1. ``make_places_eval.py`` writes batch1: all kpszsu posts and Kursk statements, and address
   paragraphs with and without a match (uk/en).
2b. ``--batch3`` writes batch3: Russian paragraphs of the addresses (no selection by
   the matcher).
2. ``make_places_eval.py --batch2`` writes batch2: address paragraphs picked by their weak
   ``cities`` label only, independent of the matcher (better for recall).
3. Every draft row was read against its text; the draft's matcher output was corrected by
   the RULES and EDITS below; ``--finalize`` writes tests/data/places_eval.jsonl.
Hard cases are written by hand in make_places_eval_hard.py. Re-running step 1 or 2 now would
select different rows (the matcher changed since): the drafts are the record.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path("/work/shared/data")
DRAFTS = ROOT / "tests" / "data" / "places_eval_drafts"
OUT = DRAFTS / "batch1.jsonl"
OUT2 = DRAFTS / "batch2.jsonl"
OUT3 = DRAFTS / "batch3.jsonl"


def main() -> None:
    from bot.analysis.places import get_matcher

    m = get_matcher()
    rows = []
    for line in (SHARED / "telegram/kpszsu_summaries_2026-06-24_to_2026-07-18.jsonl").open():
        p = json.loads(line)
        rows.append({"id": f"kpszsu/{p['id']}", "lang": "uk", "text": p["text"]})
    for line in (SHARED / "corpus/kursk_2025_claims_counterclaims.jsonl").open():
        p = json.loads(line)
        rows.append(
            {"id": f"kursk/{p['id']}", "lang": p["lang"], "text": p["text"], "weak": p["places"]}
        )
    rnd = random.Random(3)
    with gzip.open(SHARED / "corpus/resistinua_addresses_2022.jsonl.gz", "rt") as fh:
        addresses = [json.loads(x) for x in fh]
    for lang in ("uk", "en"):
        paras = []
        for a in addresses:
            if a["lang"] != lang or not a.get("cities"):
                continue
            for k, para in enumerate(a["text"].split("\n\n")):
                if 80 <= len(para) <= 1500:
                    paras.append((a, k, para))
        rnd.shuffle(paras)
        with_place = [x for x in paras if m.find(x[2])][:28]
        without = [x for x in paras if not m.find(x[2])][:12]
        for a, k, para in with_place + without:
            rows.append(
                {"id": f"resistinua/{a['id']}/{k}", "lang": lang, "text": para, "weak": a["cities"]}
            )
    with OUT.open("w", encoding="utf-8") as fh:
        for r in rows:
            found = m.find(r["text"])
            r["gold"] = sorted(
                {x.place.id for x in found if x.place is not None and x.place.kind != "country"}
            )
            r["pred_surfaces"] = [
                f"{x.surface}->{x.place.id if x.place else x.candidates}" for x in found
            ]
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows -> {OUT}")


# --- the hand check ------------------------------------------------------------------------
# Run once, after reading every draft row against its text (`--finalize`): gold = the draft's
# places (countries are not scored) corrected by these edits. Pseudo ids (not in the
# gazetteer) stand for real places the gazetteer lacks, so that they count as misses.
PSEUDO = {
    "RU-SMO-shatalovo": ("RU-SMO", "village"),
    "UA-43-chauda": ("UA-43", "village"),
    "RU-PRI-vladivostok": ("RU-PRI", "city"),
    "RU-KK": ("RU-KK", "region"),
}
RULES = [  # (substring in text, id to add)
    ("Міллєрово", "RU-ROS-millerovo"),
    ("Мілерово", "RU-ROS-millerovo"),
    ("Шаталово", "RU-SMO-shatalovo"),
    ("Чауда", "UA-43-chauda"),
]
EDITS: dict[str, tuple[list[str], list[str], str]] = {  # id: (add, remove, note)
    "kpszsu/66963": ([], ["UA14100010290072884"], "'Чорного моря' is the Black Sea"),
    "kpszsu/68010": ([], ["UA14100010290072884"], "'Чорного моря' is the Black Sea"),
    "kpszsu/67506": (
        ["UA-14", "RU-VLG"],
        ["UA14080030010048113"],
        "'ТОТ Донецька' is the oblast; 'Вологодська, - рф' has its обл. elided",
    ),
    "kpszsu/68398": (
        ["UA-14", "RU-BRY"],
        ["UA14080030010048113"],
        "'ТОТ Донецька' is the oblast; 'Бринської' is a typo of Брянської",
    ),
    "kursk/ua_genstaff_2025-04-26_denial_uk_b": (
        [],
        ["RU-KRS-kursk"],
        "'Курськ' names a troop grouping",
    ),
    "resistinua/PNcaDIHuClk/8": (["RU-PRI-vladivostok"], [], "Владивосток"),
    "resistinua/YTBFBeQedvA/42": (["RU-KK"], [], "Хакасії"),
    "resistinua/C9IxFpRt_h0/27": (
        ["UA32080190030018486"],
        [],
        "Андріївка of the 2022 corridors is in Makariv hromada",
    ),
    "resistinua/C9IxFpRt_h0/28": (
        ["UA32080190030018486"],
        [],
        "Andriivka of the 2022 corridors is in Makariv hromada",
    ),
}


def batch2() -> None:
    from bot.analysis.places import get_gazetteer, get_matcher

    gaz, m = get_gazetteer(), get_matcher()
    with gzip.open(SHARED / "corpus/resistinua_addresses_2022.jsonl.gz", "rt") as fh:
        addresses = [json.loads(x) for x in fh]
    done = {json.loads(x)["id"] for x in OUT.open(encoding="utf-8")}
    rnd = random.Random(11)
    picked = []
    for lang, n in (("en", 34), ("uk", 22)):
        cands = []
        for a in addresses:
            if a["lang"] != lang or not a.get("cities"):
                continue
            stems = set()
            for c in a["cities"]:
                r = gaz.resolve(c)
                if r:
                    nm = r[0].name_en if lang == "en" else r[0].name_uk
                    stems.add(nm[: max(4, len(nm) - 2)])
            for k, para in enumerate(a["text"].split("\n\n")):
                rid = f"resistinua/{a['id']}/{k}"
                if 80 <= len(para) <= 1200 and any(s in para for s in stems) and rid not in done:
                    cands.append((rid, lang, para))
        rnd.shuffle(cands)
        picked += cands[:n]
    with OUT2.open("w", encoding="utf-8") as fh:
        for rid, lang, text in picked:
            gold = sorted(
                {
                    x.place.id
                    for x in m.find(text)
                    if x.place is not None and x.place.kind != "country"
                }
            )
            fh.write(
                json.dumps(
                    {"id": rid, "lang": lang, "text": text, "gold": gold}, ensure_ascii=False
                )
                + "\n"
            )


def is_russian(text: str) -> bool:
    return bool(re.search("[ыэъ]", text)) and not re.search("[іїєґ]", text)


def batch3() -> None:
    """Russian paragraphs of the addresses (the President speaking to Russians)."""
    from bot.analysis.places import get_matcher

    m = get_matcher()
    with gzip.open(SHARED / "corpus/resistinua_addresses_2022.jsonl.gz", "rt") as fh:
        addresses = [json.loads(x) for x in fh]
    done = {json.loads(x)["id"] for f in (OUT, OUT2) for x in f.open(encoding="utf-8")}
    picked = []
    for a in addresses:
        for k, para in enumerate(a["text"].split("\n\n")):
            rid = f"resistinua/{a['id']}/{k}"
            if a["lang"] == "uk" and len(para) > 80 and is_russian(para) and rid not in done:
                picked.append((rid, para))
    random.Random(5).shuffle(picked)
    with OUT3.open("w", encoding="utf-8") as fh:
        for rid, text in picked[:30]:
            gold = sorted(
                {
                    x.place.id
                    for x in m.find(text)
                    if x.place is not None and x.place.kind != "country"
                }
            )
            fh.write(
                json.dumps(
                    {"id": rid, "lang": "ru", "text": text, "gold": gold}, ensure_ascii=False
                )
                + "\n"
            )


def finalize() -> None:
    from bot.analysis.places import get_gazetteer

    gaz = get_gazetteer()
    out = ROOT / "tests" / "data" / "places_eval.jsonl"
    lines = [line for f in (OUT, OUT2, OUT3) if f.exists() for line in f.open(encoding="utf-8")]
    with out.open("w", encoding="utf-8") as dst:
        for line in lines:
            r = json.loads(line)
            ids = list(r["gold"])
            for needle, pid in RULES:
                if needle in r["text"] and pid not in ids:
                    ids.append(pid)
            add, remove, note = EDITS.get(r["id"], ([], [], ""))
            ids = [i for i in ids if i not in remove] + [i for i in add if i not in ids]
            places = []
            for pid in ids:
                if pid in PSEUDO:
                    region, kind = PSEUDO[pid]
                else:
                    p = gaz.get(pid)
                    region, kind = p.region, p.kind
                places.append({"id": pid, "region": region, "kind": kind})
            lang = "ru" if r["lang"] == "uk" and is_russian(r["text"]) else r["lang"]
            row = {
                "id": r["id"],
                "lang": lang,
                "text": r["text"],
                "places": places,
                "checked": "by hand",
                "note": note,
            }
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    drafts = {"--batch2": OUT2, "--batch3": OUT3}
    target = next((drafts[a] for a in sys.argv if a in drafts), OUT)
    if "--finalize" not in sys.argv and target.exists() and "--force" not in sys.argv:
        sys.exit(f"{target} exists: it is the record of the hand check (use --force)")
    if "--finalize" in sys.argv:
        finalize()
    elif "--batch2" in sys.argv:
        batch2()
    elif "--batch3" in sys.argv:
        batch3()
    else:
        main()
