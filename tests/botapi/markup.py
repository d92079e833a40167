"""Parse mode HTML as the Bot API applies it: visible text plus entities, or a 400 answer.

Checking the markup here means a malformed alert fails in tests the way it would in production
("can't parse entities"), instead of passing against a server that accepts anything.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.botapi.failures import ApiError

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._pos = 0
        self.stack: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def _fail(self, why: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {why}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        entity: dict[str, Any]
        if tag in _SIMPLE:
            entity = {"type": _SIMPLE[tag]}
        elif tag == "span" and attr.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "a":
            href = attr.get("href") or ""
            if href.startswith("tg://user?id="):
                entity = {
                    "type": "text_mention",
                    "user": {
                        "id": int(href.split("=", 1)[1]),
                        "is_bot": False,
                        "first_name": "User",
                    },
                }
            else:
                entity = {"type": "text_link", "url": href}
        elif tag == "blockquote":
            expandable = "expandable" in attr
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attr.get("emoji-id", "")}
        else:
            raise self._fail(f'Unsupported start tag "{tag}"')
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            lang = (attr.get("class") or "").removeprefix("language-")
            if lang:
                self.stack[-1][1]["language"] = lang
            entity = {}  # a code inside pre only names the language
        entity["offset"] = self._pos
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise self._fail(f'Unmatched end tag "{tag}"')
        _, entity = self.stack.pop()
        if "type" in entity and self._pos > entity["offset"]:
            entity["length"] = self._pos - entity["offset"]
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self._pos += utf16_len(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.stack:
            raise self._fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.text), self.entities


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _Parser()
    parser.feed(text)
    return parser.finish()


def apply_parse_mode(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities. MarkdownV2/Markdown are passed through unparsed: the fake does
    not model Markdown escaping, so it must not claim a message would have been accepted."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text, list(entities or [])
