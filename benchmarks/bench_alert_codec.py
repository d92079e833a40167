"""What the typed alerts cost on the two hot paths, measured side by side in one run.

- Fan-out (ingest, once per chat a post concerns): the reasons a delivery row stores, for a
  post that concerns 2,000 chats. The baseline is the string-keyed dict earlier versions
  built (reproduced here, the same JSON); ours builds ``Reasons`` and encodes it with
  ``reasons_to_json``, as ingest and ``outbox.enqueue_many`` do.
- Dispatch (once per row sent): decoding the stored payload and reasons, against the render
  that follows it either way (the baseline read the dicts directly inside the render).

Run: ``python benchmarks/bench_alert_codec.py``. Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.analysis.places import get_gazetteer
from bot.core.alert import post_alert_from_json, reasons_from_json, reasons_to_json, to_json
from bot.core.post import Post
from bot.deliver.render import render_alert
from bot.ingest import _reasons, _reasons_of, post_payload
from bot.matching import ChatMatch

CHATS = 2000
MATCHES = [
    ChatMatch(1, 0, 11, "place", "place:RU-KRS-sudzha@RU-KRS", ((9, 14), (40, 48))),
    ChatMatch(1, 0, 12, "keyword", "keyword:суджа AND бої", ((0, 3), (9, 14))),
    ChatMatch(1, 0, 13, "place", "place:~Олександрівка@UA", ((60, 72),)),
]
POST = Post(
    channel="generalstaffzsu",
    id=21404,
    date=datetime(2025, 4, 26, 10, 15, tzinfo=UTC),
    text="Бої біля Суджі тривають. Над Курщиною збито 21 БпЛА. " * 8,
    channel_title="Генштаб ЗСУ",
)


def old_reasons(matches: Sequence[ChatMatch]) -> dict[str, Any]:
    """What ingest stored before typed reasons (bot/ingest.py at main)."""
    return {
        "labels": sorted({m.label for m in matches}),
        "kinds": sorted({m.kind for m in matches}),
        "spans": sorted({span for m in matches for span in m.spans}),
    }


def per_call(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t0) / repeat)
    return best


def main() -> None:
    gaz = get_gazetteer()
    stored_payload = json.loads(json.dumps(to_json(post_payload(POST))))
    stored_reasons = json.loads(json.dumps(old_reasons(MATCHES)))
    # The same JSON either way (tuples aside, which JSON stores as arrays).
    assert json.loads(json.dumps(reasons_to_json(_reasons(MATCHES)))) == stored_reasons

    # One post's fan-out to CHATS chats that track the same things (each chat its own matches).
    per_chat = [[replace(m, chat_id=c) for m in MATCHES] for c in range(CHATS)]

    def fan_out_old() -> object:
        return [old_reasons(ms) for ms in per_chat]

    def fan_out_typed() -> object:
        # As ingest and outbox.enqueue_many do it: equal reasons are one object, encoded once.
        encoded: dict[int, dict[str, Any]] = {}
        out = []
        for ms in per_chat:
            r = _reasons(ms)
            out.append(encoded.get(id(r)) or encoded.setdefault(id(r), reasons_to_json(r)))
        return out

    _reasons_of.cache_clear()
    fan_old = per_call(fan_out_old, 20) / CHATS
    fan_new = per_call(fan_out_typed, 20) / CHATS

    def decode() -> object:
        return post_alert_from_json(stored_payload), reasons_from_json(stored_reasons)

    alert, reasons = post_alert_from_json(stored_payload), reasons_from_json(stored_reasons)
    dec = per_call(decode, 20000)
    rend = per_call(lambda: render_alert(alert, reasons, lang="en", tz="Europe/Kyiv", gaz=gaz), 500)

    rows = [
        ("fan-out reasons per chat (old dict)", fan_old * 1e6, 1.0),
        ("fan-out reasons per chat (Reasons + JSON)", fan_new * 1e6, fan_new / fan_old),
        ("dispatch: decode payload + reasons", dec * 1e6, dec / rend),
        ("dispatch: render the alert", rend * 1e6, 1.0),
    ]
    print(f"{'step':45} {'µs':>9} {'ratio':>7}")
    for name, us, ratio in rows:
        print(f"{name:45} {us:9.2f} {ratio:7.2f}")
    print(
        json.dumps(
            {
                "bench": "alert_codec",
                "fanout_us": {
                    "baseline_dict": round(fan_old * 1e6, 3),
                    "typed": round(fan_new * 1e6, 3),
                },
                "fanout_ratio_typed_over_baseline": round(fan_new / fan_old, 3),
                "dispatch_us": {"decode": round(dec * 1e6, 3), "render": round(rend * 1e6, 3)},
                "decode_share_of_render": round(dec / rend, 4),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
