"""Copy the real t.me/s/kpszsu message block into the test data, and wrap it into a page.

Provenance: ``../shared/data/telegram/kpszsu_79455_tme_s_block.html`` is one real message block
of the public web preview https://t.me/s/kpszsu (post 79455, 2026-09-22), taken from the test
fixtures of jerzy99jerzy/air-alert-early-warning (Apache-2.0; licence text in
``../shared/data/LICENSES/``). It is a fragment: it starts inside the opening tag of the message
``div`` (at its ``data-view`` attribute) and ends with the start of the next block.

Outputs (in ``tests/data/tme/``):
- ``kpszsu_79455_block_raw.html``: the fragment, byte for byte;
- ``kpszsu_79455_page.html``: the fragment completed into a minimal page in the real layout:
  the opening tags it lacks (``tgme_widget_message_wrap`` and the message ``div`` with
  ``data-post="kpszsu/79455"``) are put back, the dangling start of the next block is cut, and
  the channel-history section and document end are added around it.

Run from the repository root: ``python scripts/make_tme_fixtures.py [SHARED_DATA_DIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "telegram" / "kpszsu_79455_tme_s_block.html"
OUT = ROOT / "tests" / "data" / "tme"

OPEN = (
    '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
    '<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
    'data-post="kpszsu/79455"'
)
NEXT_BLOCK = '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
HEAD = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Повітряні Сили ЗС України / Air Force of the Armed Forces of Ukraine – Telegram</title>
    <link rel="prev" href="/s/kpszsu?before=79455">
  </head>
  <body class="widget_frame_base tgme_webpreview emoji_image thin_box_shadow tme_mode">
<main class="tgme_main" data-url="/kpszsu">
  <div class="tgme_container">
    <section class="tgme_channel_history js-message_history">
      <div class="tgme_widget_message_centered js-messages_more_wrap">\
<a href="/s/kpszsu?before=79455" class="tme_messages_more js-messages_more" \
data-before="79455"></a></div>"""
TAIL = """
    </section>
  </div>
</main>
  </body>
</html>
"""


def main() -> None:
    src = Path(sys.argv[1]) / "telegram" / DEFAULT_SRC.name if len(sys.argv) > 1 else DEFAULT_SRC
    raw = src.read_text(encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "kpszsu_79455_block_raw.html").write_text(raw, encoding="utf-8")

    cut = raw.rfind(NEXT_BLOCK)
    if cut < 0:
        raise SystemExit("the fragment no longer ends with the next block's start")
    page = HEAD + OPEN + raw[:cut] + TAIL
    (OUT / "kpszsu_79455_page.html").write_text(page, encoding="utf-8")
    (OUT / "PROVENANCE.md").write_text(
        "kpszsu_79455_*.html: made by scripts/make_tme_fixtures.py from a real t.me/s/kpszsu\n"
        "message block in the test fixtures of jerzy99jerzy/air-alert-early-warning\n"
        "(Apache-2.0). See the script's docstring for what was added around the fragment.\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
