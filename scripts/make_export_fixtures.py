"""Build the Desktop-export test fixtures in ``tests/data/export/`` from ``../shared/data``.

Run from the repository root: ``python scripts/make_export_fixtures.py [SHARED_DATA_DIR]``.

* ``kpszsu/result.json``: the DERIVED single-channel export of 25 real @kpszsu posts, copied.
* ``synthetic/``: the hand-made full-account export of telegram-export-md 0.4.1 (MIT),
  copied, with small real image files written for its ``photo``/``file`` paths (the video
  and audio are placeholders; ``documents/missing.pdf`` is left out on purpose).
* ``tricky/``: our own full-account export in the real layout (``chats: {about, list}``,
  ``left_chats``) with the awkward cases: text as an entity list, edits, forwards, a service
  message, a file the export left out, an album, a date without ``date_unixtime``, a path
  escaping the export folder.
* ``malformed/``: inputs the reader must refuse with a clear error.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "export"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def image(path: Path, size: tuple[int, int], colour: str, fmt: str, label: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, colour)
    if label:
        ImageDraw.Draw(img).text((10, 10), label, fill="white")
    img.save(path, fmt)


def write_json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def kpszsu(shared: Path) -> None:
    target = OUT / "kpszsu" / "result.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared / "telegram" / "DERIVED_kpszsu_result.json", target)


def synthetic(shared: Path) -> None:
    base = OUT / "synthetic"
    base.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        shared / "telegram" / "SYNTHETIC_telegram_export_md-0.4.1_fixture_result.json",
        base / "result.json",
    )
    image(base / "photos" / "photo_1.jpg", (1920, 1080), "#335577", "JPEG", "photo_1")
    image(base / "stickers" / "sticker_1.webp", (512, 512), "#aa8800", "WEBP")
    placeholder = b"placeholder, not a real media file\n"
    for rel in ("video_files/video_1.mp4", "audio_files/song.mp3"):
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_bytes(placeholder)
    # documents/missing.pdf stays missing: the reader must warn and go on.


def _msg(msg_id: int, unix: int, text: Any, **more: Any) -> dict[str, Any]:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    # Desktop writes `date` in the exporting machine's zone; ours was Kyiv.
    local = datetime.fromtimestamp(unix, UTC).astimezone(ZoneInfo("Europe/Kyiv"))
    msg: dict[str, Any] = {
        "id": msg_id,
        "type": "message",
        "date": local.replace(tzinfo=None).isoformat(),
        "date_unixtime": str(unix),
        "from": "Dozor Test Channel",
        "from_id": "channel1000000001",
        "text": text,
    }
    msg.update(more)
    return msg


def tricky() -> None:
    base = OUT / "tricky"
    t0 = 1723446000  # 2024-08-12 07:00 UTC
    messages = [
        _msg(
            100,
            t0,
            [
                "Ворог атакував ",
                {"type": "bold", "text": "Харків"},
                " та ",
                {"type": "text_link", "text": "Суми", "href": "https://example.com/sumy"},
                ".",
            ],
        ),
        _msg(
            101,
            t0 + 60,
            [
                "Дивіться ",
                {"type": "hashtag", "text": "#Курщина"},
                " ",
                {"type": "mention", "text": "@kpszsu"},
            ],
            text_entities=[
                {"type": "plain", "text": "Дивіться "},
                {"type": "hashtag", "text": "#Курщина"},
                {"type": "plain", "text": " "},
                {"type": "mention", "text": "@kpszsu"},
            ],
        ),
        _msg(
            102,
            t0 + 120,
            "Уточнено: Суджа",
            edited="2024-08-12T10:30:00",
            edited_unixtime=str(t0 + 1800),
        ),
        _msg(103, t0 + 180, "Збито 12 БпЛА", forwarded_from="Повітряні Сили ЗС України"),
        {
            "id": 104,
            "type": "service",
            "date": "2024-08-12T10:04:00",
            "date_unixtime": str(t0 + 240),
            "actor": "Dozor Test Channel",
            "actor_id": "channel1000000001",
            "action": "pin_message",
            "message_id": 100,
            "text": "",
            "text_entities": [],
        },
        _msg(
            105, t0 + 300, "Мапа не увійшла в експорт", photo=NOT_INCLUDED, width=1280, height=960
        ),
        _msg(
            106,
            t0 + 360,
            "Альбом: три мапи",
            photo="photos/photo_1@12-08-2024_10-06-00.png",
            width=64,
            height=48,
        ),
        _msg(
            107, t0 + 360, "", photo="photos/photo_2@12-08-2024_10-06-00.png", width=64, height=48
        ),
        _msg(
            108, t0 + 361, "", photo="photos/photo_3@12-08-2024_10-06-01.png", width=64, height=48
        ),
        {
            "id": 109,
            "type": "message",
            "date": "2024-08-12T10:00:00",
            "from": "Dozor Test Channel",
            "from_id": "channel1000000001",
            "text": "Дата без unixtime",
        },
        _msg(
            110,
            t0 + 600,
            "Шлях поза експортом",
            file="../outside.txt",
            media_type="document",
            mime_type="text/plain",
        ),
        _msg(
            111,
            t0 + 660,
            "Звіт",
            file="files/report.pdf",
            file_name="report.pdf",
            mime_type="application/pdf",
            media_type="document",
        ),
        _msg(
            112,
            t0 + 720,
            "Фото загубилось",
            photo="photos/photo_9@12-08-2024_10-12-00.jpg",
            width=10,
            height=10,
        ),
    ]
    doc = {
        "about": "Here is the data you requested. Remember: Telegram is ad free...",
        "personal_information": {
            "user_id": 1,
            "first_name": "Test",
            "last_name": "",
            "phone_number": "+000",
            "username": "",
            "bio": "",
        },
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Dozor Test Channel",
                    "type": "public_channel",
                    "id": 1000000001,
                    "messages": messages,
                },
                {
                    "name": "Повітряні Сили ЗС України / Air Force of the Armed Forces of Ukraine",
                    "type": "public_channel",
                    "id": 1223955273,
                    "messages": [_msg(66144, 1782279878, "Курськ, Брянськ")],
                },
            ],
        },
        "left_chats": {
            "about": "This page lists all supergroups and channels you left.",
            "list": [
                {
                    "name": "Старий канал",
                    "type": "public_channel",
                    "id": 1000000002,
                    "messages": [_msg(5, t0, "Старий пост про Бєлгород")],
                },
            ],
        },
    }
    write_json(base / "result.json", doc)
    for n, colour in ((1, "#884444"), (2, "#448844"), (3, "#444488")):
        name = f"photo_{n}@12-08-2024_10-06-0{0 if n < 3 else 1}.png"
        image(base / "photos" / name, (64, 48), colour, "PNG", str(n))
    (base / "files").mkdir(parents=True, exist_ok=True)
    (base / "files" / "report.pdf").write_bytes(b"%PDF-1.4\n% tiny test file\n%%EOF\n")
    (OUT / "outside.txt").write_text("must never be copied\n", encoding="utf-8")


def malformed(shared: Path) -> None:
    base = OUT / "malformed"
    base.mkdir(parents=True, exist_ok=True)
    derived = (shared / "telegram" / "DERIVED_kpszsu_result.json").read_bytes()
    (base / "truncated.json").write_text(derived.decode("utf-8")[:600], encoding="utf-8")
    (base / "not_utf8.json").write_bytes(derived[:600])  # cut inside a character
    write_json(base / "not_export.json", {"foo": [1, 2]})
    write_json(base / "top_list.json", [1, 2, 3])
    write_json(base / "bad_chats.json", {"about": "x", "chats": {"about": "x", "list": 5}})
    chat = {"name": "X", "type": "public_channel", "id": 1}
    write_json(
        base / "bad_id.json",
        {
            **chat,
            "messages": [
                {"id": "abc", "type": "message", "date": "2024-01-01T00:00:00", "text": "x"}
            ],
        },
    )
    write_json(
        base / "bad_text.json",
        {
            **chat,
            "messages": [{"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "text": 42}],
        },
    )
    write_json(
        base / "bad_date.json",
        {**chat, "messages": [{"id": 1, "type": "message", "date": "yesterday", "text": "x"}]},
    )


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    if OUT.exists():
        shutil.rmtree(OUT)
    kpszsu(shared)
    synthetic(shared)
    tricky()
    malformed(shared)
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files under {OUT}")


if __name__ == "__main__":
    main()
