"""What an alert carries: its kind, its payload, and why a chat gets it. Pure.

This module is the one place alerts meet JSON: the outbox stores ``to_json(...)`` in
``alerts.payload`` and ``reasons_to_json(...)`` in ``deliveries.reasons``; everything that
reads them back goes through ``from_json`` / ``reasons_from_json``. The JSON is the shape
earlier versions wrote (a deployment upgrades with a full outbox), so both directions stay
compatible with rows already stored:

    match / edit     {"channel", "id", "title", "date", "text", "media", "forward"}
                     (+ "old_text" for an edit)
    contradiction    the same post fields + {"contradiction": {"kind", "episode_id",
                     "place_id", "place": {en, uk}, "why": {en, uk}, "new": side,
                     "earlier": side}}, a side being {"channel", "id", "date", "side",
                     "quote"}
    reasons          {"labels": [label…], "kinds": [...], "spans": [[start, end]…],
                     "contradictions": [contradiction…]}  (every key optional)

A reason label is a string (so the labels of old rows decode too):

    place:<mentioned id>@<tracked id>   a place subscription; the post named the first place
    place:~<surface>@<tracked id>       an ambiguous mention all of whose candidates lie
                                        inside the tracked place
    keyword:<canonical expression>      a keyword subscription
    anything else                       a free-text label (plain words, older versions)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar


class AlertKind(StrEnum):
    MATCH = "match"  # a post matched a chat's place or keyword
    EDIT = "edit"  # a matched post was edited
    CONTRADICTION = "contradiction"  # official sources disagree about a place
    SOURCE_HEALTH = "source_health"  # an admin's notice: a watched channel's state changed
    DIGEST = "digest"
    DIGEST_CHART = "digest_chart"


PLACE = "place:"
KEYWORD = "keyword:"
AMBIGUOUS = "~"


@dataclass(frozen=True, slots=True)
class PlaceReason:
    tracked: str  # the subscription's place id
    mentioned: str | None  # the place the post named; None for an ambiguous mention
    surface: str = ""  # the ambiguous mention as written

    def label(self) -> str:
        what = self.mentioned if self.mentioned is not None else AMBIGUOUS + self.surface
        return f"{PLACE}{what}@{self.tracked}"


@dataclass(frozen=True, slots=True)
class KeywordReason:
    expression: str  # the canonical expression

    def label(self) -> str:
        return KEYWORD + self.expression


@dataclass(frozen=True, slots=True)
class TextReason:
    text: str  # shown as it is

    def label(self) -> str:
        return self.text


Reason = PlaceReason | KeywordReason | TextReason


@lru_cache(maxsize=4096)  # the same few labels, decoded for every chat and every row sent
def reason_from_label(label: str) -> Reason:
    if label.startswith(PLACE):
        what, sep, tracked = label[len(PLACE) :].rpartition("@")
        if not sep:  # not a place reason after all: kept as the words it is
            return TextReason(label)
        if what.startswith(AMBIGUOUS):
            return PlaceReason(tracked, None, what[len(AMBIGUOUS) :])
        return PlaceReason(tracked, what)
    if label.startswith(KEYWORD):
        return KeywordReason(label[len(KEYWORD) :])
    return TextReason(label)


@dataclass(frozen=True, slots=True)
class Localised:
    en: str
    uk: str

    def say(self, lang: str) -> str:
        return (self.uk if lang == "uk" else self.en) or self.en


@dataclass(frozen=True, slots=True)
class ClaimSide:
    """One side of a contradiction: who said it, when, in which post."""

    channel: str
    id: int
    date: datetime
    side: str | None
    quote: str


@dataclass(frozen=True, slots=True)
class ContradictionNote:
    kind: str  # bot.analysis.claims.model.CONTRADICTION or "figures"
    episode_id: int
    place_id: str
    place: Localised
    why: Localised
    new: ClaimSide
    earlier: ClaimSide


@dataclass(frozen=True, slots=True)
class PostSnapshot:
    """The post as it was when the alert fired (the alert renders this text, not a later one)."""

    channel: str
    id: int
    title: str | None
    date: datetime
    text: str
    media: tuple[str, ...] = ()  # image paths relative to MEDIA_DIR
    forward: str | None = None  # the forwarded-from name


@dataclass(frozen=True, slots=True)
class PostAlert:
    post: PostSnapshot
    kind: ClassVar[AlertKind] = AlertKind.MATCH


@dataclass(frozen=True, slots=True)
class EditAlert:
    post: PostSnapshot  # the new text
    old_text: str
    kind: ClassVar[AlertKind] = AlertKind.EDIT


@dataclass(frozen=True, slots=True)
class ContradictionAlert:
    post: PostSnapshot  # the post that made it (shown by a plain post renderer too)
    contradiction: ContradictionNote
    kind: ClassVar[AlertKind] = AlertKind.CONTRADICTION


AlertPayload = PostAlert | EditAlert | ContradictionAlert


@dataclass(frozen=True, slots=True)
class Reasons:
    """Why one chat gets an alert."""

    labels: tuple[Reason, ...] = ()
    kinds: tuple[str, ...] = ()  # the subscription kinds that matched
    spans: tuple[tuple[int, int], ...] = ()  # of the post's text, to bold
    contradictions: tuple[ContradictionNote, ...] = ()  # shown at the top of a post's alert

    def with_contradiction(self, note: ContradictionNote) -> Reasons:
        return Reasons(self.labels, self.kinds, self.spans, (*self.contradictions, note))


# JSON ----------------------------------------------------------------------------------------


def _side_json(s: ClaimSide) -> dict[str, Any]:
    return {
        "channel": s.channel,
        "id": s.id,
        "date": s.date.isoformat(),
        "side": s.side,
        "quote": s.quote,
    }


def _side(d: Mapping[str, Any]) -> ClaimSide:
    side = d.get("side")
    return ClaimSide(
        channel=str(d["channel"]),
        id=int(d["id"]),
        date=datetime.fromisoformat(str(d["date"])),
        side=None if side is None else str(side),
        quote=str(d.get("quote") or ""),
    )


def _localised(d: Mapping[str, Any]) -> Localised:
    return Localised(en=str(d.get("en") or ""), uk=str(d.get("uk") or ""))


def note_to_json(c: ContradictionNote) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "episode_id": c.episode_id,
        "place_id": c.place_id,
        "place": {"en": c.place.en, "uk": c.place.uk},
        "why": {"en": c.why.en, "uk": c.why.uk},
        "new": _side_json(c.new),
        "earlier": _side_json(c.earlier),
    }


def note_from_json(d: Mapping[str, Any]) -> ContradictionNote:
    return ContradictionNote(
        kind=str(d.get("kind") or "contradiction"),
        episode_id=int(d.get("episode_id") or 0),
        place_id=str(d.get("place_id") or ""),
        place=_localised(d["place"]),
        why=_localised(d["why"]),
        new=_side(d["new"]),
        earlier=_side(d["earlier"]),
    )


def _post_json(p: PostSnapshot) -> dict[str, Any]:
    return {
        "channel": p.channel,
        "id": p.id,
        "title": p.title,
        "date": p.date.isoformat(),
        "text": p.text,
        "media": list(p.media),
        "forward": p.forward,
    }


def _post(d: Mapping[str, Any]) -> PostSnapshot:
    title, forward = d.get("title"), d.get("forward")
    return PostSnapshot(
        channel=str(d["channel"]),
        id=int(d["id"]),
        title=str(title) if title else None,
        date=datetime.fromisoformat(str(d["date"])),
        text=str(d["text"]),
        media=tuple(str(m) for m in d.get("media") or ()),
        forward=str(forward) if forward else None,
    )


def to_json(payload: AlertPayload) -> dict[str, Any]:
    """``alerts.payload`` of a typed alert (the kind is stored in its own column)."""
    out = _post_json(payload.post)
    if isinstance(payload, EditAlert):
        out["old_text"] = payload.old_text
    elif isinstance(payload, ContradictionAlert):
        out["contradiction"] = note_to_json(payload.contradiction)
    return out


def post_alert_from_json(data: Mapping[str, Any]) -> PostAlert:
    return PostAlert(_post(data))


def edit_alert_from_json(data: Mapping[str, Any]) -> EditAlert:
    return EditAlert(_post(data), str(data.get("old_text") or ""))


def contradiction_alert_from_json(data: Mapping[str, Any]) -> ContradictionAlert:
    return ContradictionAlert(_post(data), note_from_json(data["contradiction"]))


def from_json(kind: str, data: Mapping[str, Any]) -> AlertPayload:
    """The typed payload of a stored alert of ``kind`` (ValueError for other kinds)."""
    match AlertKind(kind):
        case AlertKind.MATCH:
            return post_alert_from_json(data)
        case AlertKind.EDIT:
            return edit_alert_from_json(data)
        case AlertKind.CONTRADICTION:
            return contradiction_alert_from_json(data)
    raise ValueError(f"alerts of kind {kind!r} carry no typed payload")


def reasons_to_json(r: Reasons) -> dict[str, Any]:
    out: dict[str, Any] = {
        "labels": [reason.label() for reason in r.labels],
        "kinds": list(r.kinds),
        "spans": [[s, e] for s, e in r.spans],
    }
    if r.contradictions:
        out["contradictions"] = [note_to_json(c) for c in r.contradictions]
    return out


def reasons_from_json(d: Mapping[str, Any] | None) -> Reasons:
    """Tolerant of every shape stored so far: keys missing, labels that are free text."""
    if not d:
        return Reasons()
    return Reasons(
        labels=tuple(reason_from_label(str(label)) for label in d.get("labels") or ()),
        kinds=tuple(str(k) for k in d.get("kinds") or ()),
        spans=tuple((int(s), int(e)) for s, e in d.get("spans") or ()),
        contradictions=tuple(
            note_from_json(c) for c in d.get("contradictions") or () if isinstance(c, Mapping)
        ),
    )
