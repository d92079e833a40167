#!/usr/bin/env python3
"""Structural check of the real-text corpus (issue 10); reads labels only, never runs the analyser.

Checks: every line loads as JSON; ids are unique; `contradicts` / `not_contradicts` point to
earlier items (by `date`) of the same file and split, never to the item itself; `contradicts`
stay within 45 days; every region, place and claim place is a gazetteer id (first column of the
data rows of bot/data/gazetteer.tsv.gz).
Usage: python3 tests/data/real/check_corpus.py [file.jsonl ...]
"""
import gzip, json, sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAZ = HERE.parents[2] / "bot" / "data" / "gazetteer.tsv.gz"


def gazetteer_ids():
    ids = set()
    with gzip.open(GAZ, "rt", encoding="utf-8") as f:
        section = None
        for line in f:
            if line.startswith("#"):
                section = line.strip()
                continue
            if section == "#places" and line.strip():
                ids.add(line.split("\t", 1)[0])
    return ids


def check(path, ids, seen_ids):
    errors = []
    items = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{path.name}:{n}: does not load: {e}")
            continue
        if d["id"] in seen_ids:
            errors.append(f"{path.name}:{n}: duplicate id {d['id']}")
        seen_ids.add(d["id"])
        items[d["id"]] = d
    for iid, d in items.items():
        g = d["gold"]
        t = datetime.fromisoformat(d["date"])
        for key in ("contradicts", "not_contradicts"):
            for other in g[key]:
                o = items.get(other)
                if o is None:
                    errors.append(f"{iid}: {key} -> {other} not in {path.name}")
                elif other == iid:
                    errors.append(f"{iid}: {key} points to itself")
                elif o["split"] != d["split"]:
                    errors.append(f"{iid}: {key} -> {other} crosses splits")
                elif datetime.fromisoformat(o["date"]) > t:
                    errors.append(f"{iid}: {key} -> {other} is later")
                elif key == "contradicts" and t - datetime.fromisoformat(o["date"]) > timedelta(days=45):
                    errors.append(f"{iid}: contradicts {other} more than 45 days apart")
        for r in g["regions"]:
            if r not in ids:
                errors.append(f"{iid}: region {r} not in gazetteer")
        for p in g["places"]:
            if p not in ids:
                errors.append(f"{iid}: place {p} not in gazetteer")
        for c in g["claims"]:
            if c["place"] not in ids:
                errors.append(f"{iid}: claim place {c['place']} not in gazetteer")
    return len(items), errors


def main(argv):
    paths = [Path(a) for a in argv] or sorted(HERE.glob("*.jsonl"))
    ids, seen, bad = gazetteer_ids(), set(), 0
    for p in paths:
        n, errors = check(p, ids, seen)
        for e in errors:
            print(e)
        bad += len(errors)
        print(f"{p.name}: {n} items, {len(errors)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
