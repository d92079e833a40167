"""Digest payload → the messages a chat receives, in its language and time zone. Pure.

A digest is two outbox rows: the text (up to 4096 characters) and the chart as a photo with a
short caption, because a photo's caption holds only 1024.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.alert import Reasons
from bot.core.excerpt import TEXT_LIMIT, excerpt, fit_html
from bot.core.i18n import has, t
from bot.core.post import post_link
from bot.deliver.render import Rendered
from bot.digest.labels import item_name, place_name

if TYPE_CHECKING:
    from bot.analysis.places import Gazetteer


def _w(lang: str, key: str, **params: object) -> str:
    return t(lang, "digest." + key, **params)


def _label(prefix: str, key: str | None, lang: str) -> str:
    if key is None:
        return "?"
    return html.escape(t(lang, prefix + key) if has(prefix + key) else key)


def _local(iso: str, tz: str, fmt: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime(fmt)


def _day(payload: Mapping[str, Any]) -> str:
    return date.fromisoformat(payload["day"]).strftime("%d.%m.%Y")


def _a(channel: str, message_id: int, text: str) -> str:
    return f'<a href="{html.escape(post_link(channel, message_id))}">{html.escape(text)}</a>'


def _num(value: Any) -> str:
    return f"{int(value):,}".replace(",", "\u202f") if value is not None else "?"


def _place(place: dict[str, str], lang: str, gaz: Gazetteer | None) -> str:
    return html.escape(place_name(place, lang, gaz))


def _more(item: dict[str, Any], shown: int, lang: str, gaz: Gazetteer | None) -> str:
    """ "…and N more" with the command that lists them (tap to copy)."""
    rest = int(item["posts"]) - shown
    if rest <= 0:
        return ""
    if item.get("kind") == "place":
        command = "/latest " + item_name(item, lang, short=True, gaz=gaz)
    else:
        command = "/search " + " ".join(str(item.get("label") or item.get("key")).split())
    return "\n" + _w(lang, "and_more", n=rest, command=html.escape(command))


def _items(payload: dict[str, Any], lang: str, tz: str, gaz: Gazetteer | None) -> list[str]:
    out = []
    for item in payload["items"]:
        if not item["posts"]:
            continue
        name = html.escape(item_name(item, lang, gaz=gaz))
        lines = [f"📍 <b>{name}</b> — {_w(lang, 'posts', n=item['posts'])}"]
        for p in item["top"]:
            mark = "⚠️ " if p.get("contradiction") else ""
            who = html.escape(p.get("title") or f"@{p['channel']}")
            when = _local(p["date"], tz, "%d.%m %H:%M")
            body = excerpt(p["text"], [(int(s), int(e)) for s, e in p["spans"]], 220)
            echo = f" · {_w(lang, 'echo', n=p['echo'])}" if p.get("echo", 1) > 1 else ""
            lines.append(f"• {mark}{_a(p['channel'], p['id'], when)} {who}{echo}: {body}")
        out.append("\n".join(lines) + _more(item, len(item["top"]), lang, gaz))
    return out


def _contradictions(payload: dict[str, Any], lang: str, gaz: Gazetteer | None) -> list[str]:
    if not payload["contradictions"]:
        return []
    lines = [_w(lang, "contradictions")]
    for c in payload["contradictions"]:
        new, old = c["new"], c["earlier"]
        why = (c.get("why_uk") if lang == "uk" else None) or c["why"]
        pairs = int(c.get("pairs", 1))
        count = f" · {_w(lang, 'pairs', n=pairs)}" if pairs > 1 else ""
        lines.append(
            f"• <b>{_place(c['place'], lang, gaz)}</b>: {html.escape(why)} "
            f"({_a(new['channel'], new['id'], _w(lang, 'new'))} · "
            f"{_a(old['channel'], old['id'], _w(lang, 'earlier'))}{count})"
        )
    return ["\n".join(lines)]


def _claim_text(view: dict[str, Any], lang: str) -> str:
    text = _label("kind.", view.get("kind"), lang)
    holder = view.get("controller")
    return f"{text} ({html.escape(holder)})" if holder else text


def _claims(payload: dict[str, Any], lang: str, gaz: Gazetteer | None) -> list[str]:
    if not payload["claims"]:
        return []
    lines = [_w(lang, "claims")]
    for c in payload["claims"]:
        side = html.escape(c.get("side") or "?")
        was = f" ← {_w(lang, 'was')}: {_claim_text(c['was'], lang)}" if c.get("was") else ""
        lines.append(
            f"• <b>{_place(c['place'], lang, gaz)}</b> — {side}: "
            f"{_claim_text(c['now'], lang)}{was} "
            f"{_a(c['channel'], c['id'], '↗')}"
        )
    return ["\n".join(lines)]


def _losses(payload: dict[str, Any], lang: str) -> list[str]:
    if not payload.get("losses"):
        return []
    head = _w(lang, "losses")
    src = payload.get("losses_post")
    if src:
        head += f" ({_a(src['channel'], src['id'], _w(lang, 'source'))})"
    lines = [head]
    for f in payload["losses"]:
        change = f.get("change")
        delta = (
            f" (+{_num(change)})"
            if change is not None and change >= 0
            else (f" ({_num(change)})" if change is not None else "")
        )
        lines.append(f"{_label('metric.', f['metric'], lang)}: {_num(f['cumulative'])}{delta}")
    return ["\n".join(lines)]


def digest_text(
    payload: dict[str, Any], *, lang: str, tz: str, gaz: Gazetteer | None = None
) -> str:
    """The digest as Telegram HTML, at most 4096 characters. ``gaz``: the composition
    root's gazetteer (place names in ``lang``); None only for tools without one."""
    title = _w(lang, "title", day=_day(payload))
    if payload.get("empty"):
        return f"{title}\n{_w(lang, 'empty')}"
    fmt = "%d.%m %H:%M"
    window = _w(
        lang,
        "window",
        since=_local(payload["since"], tz, fmt),
        until=_local(payload["until"], tz, fmt),
    )
    parts = [
        f"{title}\n{window}",
        *_contradictions(payload, lang, gaz),
        *_items(payload, lang, tz, gaz),
        *_claims(payload, lang, gaz),
        *_losses(payload, lang),
    ]
    return fit_html("\n\n".join(parts), TEXT_LIMIT, None, _w(lang, "more"))


def render_digest(
    payload: Mapping[str, Any],
    reasons: Reasons,
    *,
    lang: str,
    tz: str,
    gaz: Gazetteer | None = None,
) -> Rendered:
    """Dispatcher renderer for kind "digest"."""
    return Rendered(text=digest_text(dict(payload), lang=lang, tz=tz, gaz=gaz))


def render_digest_chart(
    payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str
) -> Rendered:
    """Dispatcher renderer for kind "digest_chart": the week's chart, short caption."""
    key = "chart_losses" if payload.get("chart_kind") == "losses" else "chart"
    photos = (payload["chart"],) if payload.get("chart") else ()
    return Rendered(text=_w(lang, key, day=_day(payload)), photos=photos)
