"""Alert text: excerpts centred on a match, and HTML messages cut to Telegram's limits.

Telegram measures a message after parsing its entities: tags do not count, ``&amp;`` counts
as one character, and characters are counted in UTF-16 code units (an emoji outside the
BMP counts 2). ``tg_len`` counts the same way, so ``tg_len(html) <= TEXT_LIMIT`` means the
Bot API accepts the message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"

_MARKUP_RE = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_SENTENCE_END_RE = re.compile(r"[.!?…;](?=[\s\"'»”)\]])|\n")


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def tg_len(html_text: str) -> int:
    """Length of an HTML-formatted message as Telegram counts it (after entity parsing)."""
    return utf16_len(html.unescape(re.sub(r"<[^>]*>", "", html_text)))


def _joins_previous(ch: str) -> bool:
    """Characters that belong to the grapheme before them: cutting before them would break
    an accented letter or an emoji sequence (skin tones, ZWJ families, flags' tags)."""
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or cp in (0x200D, 0xFE0E, 0xFE0F, 0x20E3)
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
    )


def safe_cut(text: str, i: int) -> int:
    """The nearest index ≤ ``i`` that does not split a character cluster."""
    i = max(0, min(i, len(text)))
    while 0 < i < len(text) and (
        _joins_previous(text[i]) or text[i - 1] == "\u200d" or _splits_flag(text, i)
    ):
        i -= 1
    return i


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _splits_flag(text: str, i: int) -> bool:
    if not (_is_regional(text[i - 1]) and _is_regional(text[i])):
        return False
    run = 0  # regional indicators pair up from the start of their run
    j = i - 1
    while j >= 0 and _is_regional(text[j]):
        run += 1
        j -= 1
    return run % 2 == 1


def _budget_end(text: str, start: int, budget: int) -> int:
    """The largest end such that ``text[start:end]`` fits ``budget`` UTF-16 units."""
    used = 0
    end = start
    while end < len(text):
        used += 2 if ord(text[end]) > 0xFFFF else 1
        if used > budget:
            break
        end += 1
    return safe_cut(text, end)


def _merge(spans: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted((max(0, a), min(size, b)) for a, b in spans):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _window(text: str, first: tuple[int, int] | None, budget: int) -> tuple[int, int]:
    """A slice of ``text`` that fits ``budget`` and shows the first match well: starting at
    a sentence if one begins shortly before the match, else at a word about a third of the
    budget before it; ending at a sentence end if one is near, else at a word end."""
    if first is None:
        start = 0
    else:
        s = first[0]
        lead = budget // 3
        start = max(0, s - lead)
        sentence = max((m.end() for m in _SENTENCE_END_RE.finditer(text, start, s)), default=-1)
        if sentence != -1:
            start = sentence
        elif start > 0:
            space = text.find(" ", start, s)
            start = space + 1 if space != -1 else start
    while start < len(text) and text[start].isspace():
        start += 1
    start = safe_cut(text, start)
    end = _budget_end(text, start, budget)
    if end < len(text):
        floor = start + (end - start) * 2 // 3
        if first is not None:
            floor = max(floor, min(first[1], end))
        sentence = max((m.end() for m in _SENTENCE_END_RE.finditer(text, floor, end)), default=-1)
        if sentence != -1:
            end = sentence
        else:
            space = text.rfind(" ", floor, end)
            if space > start:
                end = space
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def excerpt(text: str, spans: Sequence[tuple[int, int]], limit: int = 600) -> str:
    """HTML for a piece of ``text`` around the first span, the spans in ``<b>``.

    The result is escaped, its tags balanced, and ``tg_len(result) <= limit``. Cuts fall at
    sentence or word boundaries where possible and never inside a character cluster; a cut
    is marked with "…".
    """
    limit = max(limit, 3)
    merged = _merge(spans, len(text))
    if utf16_len(text) <= limit:
        start, end, lead, tail = 0, len(text), "", ""
    else:
        budget = limit - 3  # room for an ellipsis at each end and a space
        start, end = _window(text, merged[0] if merged else None, budget)
        lead = ELLIPSIS if start > 0 else ""
        tail = ""
        if end < len(text):
            tail = (" " if text[end - 1] in ".!?;…" else "") + ELLIPSIS
    parts = [lead]
    pos = start
    for span_start, span_end in merged:
        a = safe_cut(text, max(span_start, start))
        b = safe_cut(text, min(span_end, end))
        if a >= b:
            continue
        parts.append(html.escape(text[pos:a], quote=False))
        parts.append("<b>" + html.escape(text[a:b], quote=False) + "</b>")
        pos = b
    parts.append(html.escape(text[pos:end], quote=False))
    parts.append(tail)
    return "".join(parts)


# --- cutting a whole message ----------------------------------------------------------------


def _atoms(html_text: str) -> list[tuple[bool, str, str]]:
    """(is_tag, source, visible character) pieces. An entity is one atom, so no cut can
    split it; every non-tag atom is exactly one visible character."""
    atoms: list[tuple[bool, str, str]] = []
    for m in _MARKUP_RE.finditer(html_text):
        piece = m.group()
        if piece.startswith("<") and len(piece) > 1:
            atoms.append((True, piece, ""))
            continue
        if piece.startswith("&") and len(piece) > 1:
            char = html.unescape(piece)
            if len(char) == 1:
                atoms.append((False, piece, char))
                continue
            piece = char  # unknown or multi-character entity: treat it as plain text
        atoms.extend((False, html.escape(ch, quote=False), ch) for ch in piece)
    return atoms


def _tag_name(tag: str) -> str:
    inner = tag.strip("</>").split()
    return inner[0].lower() if inner else ""


def fit_html(html_text: str, limit: int, url: str | None = None, more: str = "more") -> str:
    """``html_text`` unchanged if Telegram would accept it under ``limit``; otherwise cut at
    a sentence (or word) end, open tags closed, followed by "… <a href=url>more</a>" (or
    just "…" without a url), so that ``tg_len(result) <= limit``.

    The input must be Telegram HTML as we produce it (escaped text, balanced tags).
    """
    if tg_len(html_text) <= limit:
        return html_text
    tail = ELLIPSIS
    if url:
        tail += f' <a href="{html.escape(url)}">{html.escape(more, quote=False)}</a>'
    budget = limit - tg_len(tail) - 1  # one more for a space before the tail
    if budget <= 0:
        return ELLIPSIS if limit >= 1 else ""
    atoms = _atoms(html_text)
    chars = [i for i, (is_tag, _, _) in enumerate(atoms) if not is_tag]
    full = "".join(atoms[i][2] for i in chars)
    used = fits = 0
    while fits < len(full):
        used += 2 if ord(full[fits]) > 0xFFFF else 1
        if used > budget:
            break
        fits += 1
    cut = safe_cut(full, fits)
    floor = cut // 2
    sentence = max((m.end() for m in _SENTENCE_END_RE.finditer(full, floor, cut)), default=-1)
    if sentence != -1:
        cut = sentence
    else:
        space = full.rfind(" ", floor, cut)
        if space > 0:
            cut = space
    while cut > 0 and full[cut - 1].isspace():
        cut -= 1
    kept = atoms[: chars[cut - 1] + 1] if cut > 0 else []
    stack: list[str] = []
    out: list[str] = []
    for is_tag, src, _ in kept:
        if is_tag:
            name = _tag_name(src)
            if src.startswith("</"):
                if stack and stack[-1] == name:
                    stack.pop()
            elif not src.endswith("/>"):
                stack.append(name)
        out.append(src)
    out.extend(f"</{name}>" for name in reversed(stack))
    gap = " " if cut > 0 and full[cut - 1] in ".!?;…" else ""
    return "".join(out) + gap + tail
