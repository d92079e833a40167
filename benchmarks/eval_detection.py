"""Detection quality on real reporting (issue 10), next to a naive keyword bot.

    python benchmarks/eval_detection.py [--frozen] [--errors]

Reads ``tests/data/real/*.jsonl`` (schema and labelling rules: ``tests/data/real/README.md``).
Each (file, split) is one channel history: its items are analysed in date order with the
product's own place matcher and ``ClaimHistory`` (the code behind alerts, ``/claims``, the
digest and ``dozor analyze``), channel sides as the product knows them. Scored, micro-averaged
over items:

- regions: first-level units (``kind == "region"``) the matcher finds;
- places: settlements (city, town, village); a gold name the gazetteer lacks (``missing``)
  counts as a miss;
- claims: (kind, place, side) per item (losses figures are not territory claims);
- pairs: (item, earlier item) contradiction pairs of the same history.

The baseline is a keyword bot: every nominative name of the gazetteer (Ukrainian, Russian,
English) found as a case-insensitive whole-word substring (a name hit is scored against the
gold ids its homonyms could mean); a claim is a capture word (control) or a fighting/denial
word within a few words of such a name, sided by the channel; a pair is a later fighting /
denial name hit after an earlier control one on the same name within 45 days.

``--frozen`` also scores the held-out part (score it once, at the end of the work). Prints a
table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.claims import ClaimHistory, Kind, PlaceTools  # noqa: E402
from bot.analysis.claims.contradict import VALIDITY_WINDOW  # noqa: E402
from bot.analysis.places import Gazetteer, PlaceMatcher  # noqa: E402
from bot.config import known_side  # noqa: E402
from tests.claims_eval import Score  # noqa: E402

REAL = ROOT / "tests" / "data" / "real"
SETTLEMENTS = frozenset({"city", "town", "village"})
TARGETS = {
    "pairs": (0.90, 0.80),
    "places": (0.96, 0.94),
    "regions": (0.98, 0.98),
}
METRICS = ("regions", "places", "claims", "pairs")


Scores = dict[str, Score]


def load_items(split: str, root: Path = REAL) -> dict[str, list[dict[str, Any]]]:
    """(file stem) -> items of that split, in date order (one history each)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(root.glob("*.jsonl")):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        rows = [r for r in rows if r.get("split") == split]
        if rows:
            out[path.stem] = sorted(rows, key=lambda r: datetime.fromisoformat(r["date"]))
    return out


def _gold_claims(item: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {(c["kind"], c["place"], c.get("side")) for c in item["gold"].get("claims", [])}


def _gold_pairs(item: dict[str, Any]) -> set[tuple[str, str]]:
    return {(item["id"], e) for e in item["gold"].get("contradicts", [])}


def evaluate_product(
    streams: dict[str, list[dict[str, Any]]], matcher: PlaceMatcher, tools: PlaceTools
) -> Scores:
    scores = {m: Score() for m in METRICS}
    for items in streams.values():
        history = ClaimHistory(tools)
        by_msg: dict[int, str] = {}
        for n, item in enumerate(items, 1):
            gold = item["gold"]
            text = item["text"]
            found = [
                m.place for m in matcher.find(text) if m.place is not None and m.kind != "axis"
            ]
            regions = {p.id for p in found if p.kind == "region"}
            places = {p.id for p in found if p.kind in SETTLEMENTS}
            scores["regions"].add(item["id"], gold.get("regions", []), regions)
            scores["places"].add(
                item["id"], gold.get("places", []), places, len(gold.get("missing", []))
            )
            by_msg[n] = item["id"]
            out = history.analyze(
                channel=item["channel"],
                message_id=n,
                date=datetime.fromisoformat(item["date"]),
                text=text,
                channel_side=known_side(item["channel"]),
            )
            claims = {(c.kind, c.place_id, c.side) for c in out.claims if c.kind != Kind.LOSSES}
            scores["claims"].add(item["id"], _gold_claims(item), claims)
            pairs = {(item["id"], by_msg[x.earlier.message_id]) for x in out.contradictions}
            scores["pairs"].add(item["id"], _gold_pairs(item), pairs)
    return scores


# --- the baseline ------------------------------------------------------------------------------

_CAPTURE = re.compile(
    r"захоп|звільн|окупув|контрол|captur|liberat|took|seiz|control|освобо|захват|овладе|взял",
    re.IGNORECASE,
)
_CONTEST = re.compile(
    r"бо[їйяю]|бій|оборон|спрост|неправд|фейк|брех|fight|battle|defen[cs]|false|deni|"
    r"бой|боев|опроверг|ложь",
    re.IGNORECASE,
)
_NEAR = 60  # characters either side of the name


class KeywordBot:
    """Nominative names as whole-word case-insensitive substrings; no inflection, no context."""

    def __init__(self, gaz: Gazetteer) -> None:
        import ahocorasick

        self.names: dict[str, set[str]] = defaultdict(set)
        for p in gaz.places:
            if p.kind in SETTLEMENTS or p.kind == "region":
                for n in (p.name_uk, p.name_ru, p.name_en):
                    if n and len(n) >= 3:
                        self.names[n.lower()].add(p.id)
        self.kind = {p.id: p.kind for p in gaz.places}
        self.auto = ahocorasick.Automaton()
        for name in self.names:
            self.auto.add_word(name, name)
        self.auto.make_automaton()

    def hits(self, text: str) -> list[tuple[int, int, str]]:
        low = text.lower()
        out = []
        for end, name in self.auto.iter(low):
            s, e = end - len(name) + 1, end + 1
            if (s == 0 or not low[s - 1].isalnum()) and (e >= len(low) or not low[e].isalnum()):
                out.append((s, e, name))
        return out


def _by_name(item: str, score: Score, gold: set[str], hit_ids: Sequence[set[str]]) -> None:
    """A name hit is right if any of its homonyms is gold (generous to the baseline)."""
    got: set[str] = set()
    for ids in hit_ids:
        right = ids & gold
        if right:
            got |= right
        else:
            score.fp += 1
            score.errors.append(f"{item}: FP {sorted(ids)[0]}")
    score.tp += len(got)
    score.fn += len(gold - got)


def evaluate_baseline(streams: dict[str, list[dict[str, Any]]], bot: KeywordBot) -> Scores:
    scores = {m: Score() for m in METRICS}
    for items in streams.values():
        controls: list[tuple[datetime, str, str]] = []  # (date, name, item id)
        for item in items:
            gold = item["gold"]
            text = item["text"]
            date = datetime.fromisoformat(item["date"])
            side = known_side(item["channel"])
            hits = bot.hits(text)
            names = {name for _s, _e, name in hits}
            regions = [{i for i in bot.names[n] if bot.kind[i] == "region"} for n in names]
            places = [{i for i in bot.names[n] if bot.kind[i] in SETTLEMENTS} for n in names]
            _by_name(
                item["id"],
                scores["regions"],
                set(gold.get("regions", [])),
                [r for r in regions if r],
            )
            gp = set(gold.get("places", []))
            _by_name(item["id"], scores["places"], gp, [p for p in places if p])
            scores["places"].fn += len(gold.get("missing", []))
            claims: set[tuple[str, str, str | None]] = set()
            pairs: set[tuple[str, str]] = set()
            new_controls = []
            for s, e, name in hits:
                around = text[max(0, s - _NEAR) : e + _NEAR]
                ids = sorted(bot.names[name])
                pid = next((i for i in ids if i in gp or i in gold.get("regions", [])), ids[0])
                if _CAPTURE.search(around):
                    claims.add((Kind.CONTROL, pid, side))
                    new_controls.append((date, name, item["id"]))
                if _CONTEST.search(around):
                    claims.add((Kind.FIGHTING, pid, side))
                    for d, n, earlier in controls:
                        if n == name and timedelta(0) <= date - d <= VALIDITY_WINDOW:
                            pairs.add((item["id"], earlier))
            controls += new_controls
            scores["claims"].add(item["id"], _gold_claims(item), claims)
            scores["pairs"].add(item["id"], _gold_pairs(item), pairs)
    return scores


# --- report ------------------------------------------------------------------------------------


def _product_tools() -> tuple[PlaceMatcher, PlaceTools]:
    from bot.analysis.claims import default_place_tools
    from bot.analysis.places import get_matcher

    return get_matcher(), default_place_tools()


def run(splits: Sequence[str], only: str | None = None) -> dict[str, dict[str, Scores]]:
    from bot.analysis.places import get_gazetteer

    matcher, tools = _product_tools()
    bot = KeywordBot(get_gazetteer())
    out: dict[str, dict[str, Scores]] = {}
    for split in splits:
        streams = load_items(split)
        if only is not None:
            streams = {stem: items for stem, items in streams.items() if stem == only}
        out[split] = {
            "dozor": evaluate_product(streams, matcher, tools),
            "baseline": evaluate_baseline(streams, bot),
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frozen", action="store_true", help="also score the held-out part")
    ap.add_argument("--errors", action="store_true", help="list Dozor's errors (tune only)")
    ap.add_argument("--file", help="score one file of the corpus only (its stem: fresh, …)")
    args = ap.parse_args(argv)
    splits = ["tune", "frozen"] if args.frozen else ["tune"]
    results = run(splits, args.file)
    n_items = {
        s: sum(len(v) for k, v in load_items(s).items() if args.file in (None, k)) for s in splits
    }
    print(f"{'split':<7} {'metric':<8} {'Dozor P':>8} {'R':>6} {'baseline P':>11} {'R':>6}  target")
    summary: dict[str, Any] = {"items": n_items, "targets": {}, "met": {}}
    for split, res in results.items():
        summary[split] = {who: {m: s.figures() for m, s in sc.items()} for who, sc in res.items()}
        for m in METRICS:
            d, b = res["dozor"][m], res["baseline"][m]
            tgt = TARGETS.get(m)
            met = tgt is not None and d.precision >= tgt[0] and d.recall >= tgt[1]
            t = f"P≥{tgt[0]:.2f} R≥{tgt[1]:.2f} {'met' if met else 'NOT met'}" if tgt else "-"
            print(
                f"{split:<7} {m:<8} {d.precision:>8.3f} {d.recall:>6.3f} "
                f"{b.precision:>11.3f} {b.recall:>6.3f}  {t}"
            )
            if tgt:
                summary["targets"][m] = {"p": tgt[0], "r": tgt[1]}
                summary["met"][f"{split}.{m}"] = met
    if args.errors:
        for m in METRICS:
            for e in results["tune"]["dozor"][m].errors:
                print(f"  [{m}] {e}", file=sys.stderr)
    print(json.dumps({"eval_detection": summary}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
