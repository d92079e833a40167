"""Albums in a Desktop export: consecutive media messages made ONE post, as live sources do.

Exports have no ``grouped_id``; consecutive ids from the same sender, each with a photo or
video, no more than ``ALBUM_WINDOW_S`` apart, are taken to be one album (see ``export``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from bot.core.post import MediaFile, Post

ALBUM_WINDOW_S = 1
_ALBUM_MEDIA = frozenset({"photo", "video_file", "animation"})


def _album_kind(msg: Mapping[str, Any]) -> bool:
    if isinstance(msg.get("photo"), str):
        return True
    return msg.get("media_type") in _ALBUM_MEDIA


def same_album(prev: tuple[Post, Mapping[str, Any]], cur: tuple[Post, Mapping[str, Any]]) -> bool:
    (p_post, p_msg), (c_post, c_msg) = prev, cur
    return (
        c_post.id == p_post.id + 1
        and _album_kind(p_msg)
        and _album_kind(c_msg)
        and p_msg.get("from_id") == c_msg.get("from_id")
        and abs((c_post.date - p_post.date).total_seconds()) <= ALBUM_WINDOW_S
    )


def close_album(album: Iterable[tuple[Post, Mapping[str, Any]]]) -> Iterator[Post]:
    posts = [post for post, _ in album]
    if len(posts) < 2:
        yield from posts
        return
    yield _merge_album(posts)


def _merge_album(posts: list[Post]) -> Post:
    """The items of one album (in id order) as one post, the way the live sources store it."""
    first = posts[0]
    caption = next((p for p in posts if p.text), first)
    media: list[MediaFile] = []
    for post in posts:
        media.extend(m for m in post.media if m not in media)
    extra: list[tuple[str, str]] = []
    for post in (caption, *posts):
        extra.extend(e for e in post.extra if e not in extra)
    edits = [p.edit_date for p in posts if p.edit_date is not None]
    views = [p.views for p in posts if p.views is not None]
    return replace(
        first,
        date=min(p.date for p in posts),
        text=caption.text,
        edit_date=max(edits) if edits else None,
        media=tuple(media),
        grouped_id=-first.id,
        forward=first.forward or caption.forward,
        views=max(views) if views else None,
        extra=tuple(extra),
    )
