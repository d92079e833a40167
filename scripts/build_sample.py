"""Build the sample that ``dozor replay`` replays when given no file: ``bot/data/sample/``.

Run from the repository root: ``python scripts/build_sample.py [SHARED_DATA_DIR]``.

Inputs (read-only, never used at run time):

* ``telegram/kpszsu_summaries_2026-06-24_to_2026-07-18.jsonl``: 25 real @kpszsu posts with
  their real message ids; ``posted_at`` (UTC) is rewritten in Kyiv time.
* ``corpus/kursk_2025_claims_counterclaims.jsonl``: 14 real statements on Kursk Oblast, as
  posts of the channel named by ``original_channel``. The data gives only the day, so each
  gets an invented time of day; ids are invented too (increasing with time per channel),
  except the President's 2025-03-15 post whose real id (13559) the data gives.

Outputs: ``posts.jsonl`` (the JSONL post format of ``bot.watch.jsonl``, sorted by date),
three illustrative map images in ``media/`` (drawn here, clearly labelled as not real) and a
check that the default ``tracks.txt`` matches enough posts. ``README.md`` is hand-written.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.textmatch import find_term  # noqa: E402

OUT = ROOT / "bot" / "data" / "sample"
KYIV = ZoneInfo("Europe/Kyiv")
MOSCOW = ZoneInfo("Europe/Moscow")

TITLES = {
    "kpszsu": "Повітряні Сили ЗС України / Air Force of the Armed Forces of Ukraine",
    "mod_russia": "Минобороны России",
    "generalstaffzsu": "Генеральний штаб ЗСУ",
    "v_zelenskiy_official": "Zelenskiy / Official",
}
CHANNELS = {
    "mod_russia": "mod_russia",
    "kremlin / mod_russia": "mod_russia",
    "GeneralStaffZSU": "generalstaffzsu",
    "V_Zelenskiy_official": "v_zelenskiy_official",
}
# statement id -> (invented message id, invented local time). 13559 is the real id.
KURSK_IDS: dict[str, tuple[int, str]] = {
    "ua_president_2024-08-12_stavka": (10688, "19:40"),
    "ua_president_2024-08-12_stavka_ru": (10689, "19:41"),
    "ru_mod_2025-03-13_sudzha": (49120, "14:05"),
    "ru_mod_2025-03-13_sudzha_areas": (49127, "14:40"),
    "ua_president_2025-03-15_not_surrounded": (13559, "21:30"),
    "ua_genstaff_2025-03-16_map_sudzha": (21404, "20:15"),
    "ru_genstaff_2025-04-26_gornal": (51803, "12:30"),
    "ru_mod_2025-04-26_weekly_gornal": (51810, "13:10"),
    "ua_genstaff_2025-04-26_denial_uk_a": (22786, "15:20"),
    "ua_genstaff_2025-04-26_denial_uk_b": (22787, "15:21"),
    "ua_genstaff_2025-04-26_belgorod_uk": (22788, "15:22"),
    "ua_genstaff_2025-04-26_denial_uk_variant": (22790, "15:45"),
    "ua_genstaff_2025-04-26_denial_en": (22791, "16:05"),
    "ua_genstaff_2025-04-26_denial_en_b": (22792, "16:06"),
}
KPSZSU_MAP_POST = 66293  # "із напрямків: Курськ, Брянськ, ... Орел"
MIN_TRACK_MATCHES = 10


def _font(size: int) -> ImageFont.FreeTypeFont:
    # DejaVu Sans ships with matplotlib and has Cyrillic.
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return ImageFont.truetype(path, size)


def draw_map(
    name: str, title: str, points: list[tuple[str, int, int, str]], arrows: list[tuple[int, ...]]
) -> Path:
    """A schematic 'map': a made-up border, labelled dots, arrows. Not geography."""
    img = Image.new("RGB", (480, 360), "#f4f1e8")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 479, 44), fill="#b00020")
    d.text((10, 4), "ILLUSTRATIVE MAP — NOT REAL", font=_font(18), fill="white")
    d.text((10, 25), "ілюстративна мапа, не справжня · Dozor sample", font=_font(13), fill="white")
    d.line([(40, 330), (130, 250), (210, 270), (300, 190), (440, 150)], fill="#555555", width=3)
    d.text((330, 300), "schematic border", font=_font(12), fill="#555555")
    for x1, y1, x2, y2 in arrows:
        d.line([(x1, y1), (x2, y2)], fill="#b00020", width=4)
        d.ellipse((x2 - 6, y2 - 6, x2 + 6, y2 + 6), fill="#b00020")
    for label, x, y, colour in points:
        d.ellipse((x - 7, y - 7, x + 7, y + 7), fill=colour, outline="black")
        d.text((x + 10, y - 9), label, font=_font(15), fill="black")
    d.text((10, 336), title, font=_font(13), fill="black")
    img = img.quantize(colors=32)
    target = OUT / "media" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    img.save(target, "PNG", optimize=True)
    return target


def media_entry(path: Path) -> dict[str, str]:
    return {
        "path": path.relative_to(OUT).as_posix(),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def kpszsu_posts(shared: Path) -> list[dict[str, Any]]:
    posts = []
    src = shared / "telegram" / "kpszsu_summaries_2026-06-24_to_2026-07-18.jsonl"
    for line in src.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        when = datetime.fromisoformat(row["posted_at"]).astimezone(KYIV)
        posts.append(
            {
                "channel": "kpszsu",
                "id": int(row["id"]),
                "date": when.isoformat(),
                "text": row["text"],
                "channel_title": TITLES["kpszsu"],
                "source": "kpszsu_summaries (jerzy99jerzy/air-alert-early-warning, Apache-2.0)",
            }
        )
    return posts


def kursk_posts(shared: Path) -> list[dict[str, Any]]:
    posts = []
    src = shared / "corpus" / "kursk_2025_claims_counterclaims.jsonl"
    for line in src.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        channel = CHANNELS[row["original_channel"]]
        msg_id, clock = KURSK_IDS[row["id"]]
        # Moscow and Kyiv local time: both +03:00, except Kyiv's winter time (+02:00).
        zone = MOSCOW if channel == "mod_russia" else KYIV
        when = datetime.fromisoformat(f"{row['date']}T{clock}:00").replace(tzinfo=zone)
        posts.append(
            {
                "channel": channel,
                "id": msg_id,
                "date": when.isoformat(),
                "text": row["text"],
                "channel_title": TITLES[channel],
                "source": f"kursk_2025_claims_counterclaims {row['id']}",
                "quoted_via": row["quoted_via"],
                "ids_and_time_invented": msg_id != 13559,
            }
        )
    return posts


def attach_maps(posts: list[dict[str, Any]]) -> None:
    by_key = {(p["channel"], p["id"]): p for p in posts}
    sudzha = draw_map(
        "illustrative_sudzha_mod_claim.png",
        "RU MoD claim, 13 Mar 2025: Меловой, Подол, Суджа",
        [
            ("Суджа", 250, 200, "#cc3333"),
            ("Меловой", 150, 150, "#cc3333"),
            ("Подол", 330, 120, "#cc3333"),
            ("Курськ", 380, 70, "#333333"),
        ],
        [(300, 95, 260, 185)],
    )
    by_key["mod_russia", 49120]["media"] = [media_entry(sudzha)]
    genstaff = draw_map(
        "illustrative_sudzha_genstaff.png",
        "UA General Staff map, 16 Mar 2025: Суджа",
        [("Суджа", 250, 170, "#3355cc"), ("Сумщина", 90, 300, "#3355cc")],
        [(250, 185, 110, 290)],
    )
    by_key["generalstaffzsu", 21404]["media"] = [media_entry(genstaff)]
    kpszsu = draw_map(
        "illustrative_kpszsu_directions.png",
        "Air Force summary: launch directions Курськ, Брянськ, Орел",
        [
            ("Курськ", 330, 120, "#333333"),
            ("Брянськ", 120, 80, "#333333"),
            ("Орел", 250, 60, "#333333"),
        ],
        [(330, 130, 260, 260), (130, 95, 120, 300), (250, 75, 200, 280)],
    )
    by_key["kpszsu", KPSZSU_MAP_POST]["media"] = [media_entry(kpszsu)]


def check_tracks(posts: list[dict[str, Any]]) -> int:
    tracks = [
        line.strip()
        for line in (OUT / "tracks.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    hits = sum(1 for p in posts if any(find_term(p["text"], t) for t in tracks))
    if hits < MIN_TRACK_MATCHES:
        raise SystemExit(f"tracks.txt matches only {hits} posts; need {MIN_TRACK_MATCHES}")
    return hits


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    posts = kpszsu_posts(shared) + kursk_posts(shared)
    attach_maps(posts)
    posts.sort(key=lambda p: (datetime.fromisoformat(p["date"]), p["channel"], p["id"]))
    with (OUT / "posts.jsonl").open("w", encoding="utf-8") as fh:
        for post in posts:
            fh.write(json.dumps(post, ensure_ascii=False) + "\n")
    hits = check_tracks(posts)
    print(f"wrote {len(posts)} posts; tracks.txt matches {hits} of them")


if __name__ == "__main__":
    main()
