"""Claims built from one clause's findings: the actor of a control verb, the asserting side,
one claim per (kind, place, polarity, side)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.analysis.claims import lexicon as lx
from bot.analysis.claims.losses import parse_losses
from bot.analysis.claims.mentions import is_area
from bot.analysis.claims.model import (
    CONTROL_KINDS,
    LOSSES_PLACE_PREFIX,
    Claim,
    Kind,
    PlaceLike,
)
from bot.analysis.claims.segment import Clause
from bot.analysis.claims.speakers import opposite

PARTIAL = re.compile(
    r"\d+\s*(?:%|відсот\w*|процент\w*|percent|per cent)|більш\w* половин\w*|"
    r"более половин\w*|more than half|частин\w*|част[ьи] города|part of|parts of|sections of|"
    r"district|"
    r"мікрорайон\w*|микрорайон\w*|квартал\w*|кв\.? ?км|km2|square kilomet\w*",
    re.IGNORECASE,
)


def actor(text: str, lo: int, hi: int, side: str | None) -> tuple[str | None, str | None]:
    """(winner, loser) named near a control verb; "our"/"enemy" resolve against ``side``."""
    window = text[lo:hi].lower()
    # the actor nearest the verb (the window is centred on it): in "Генштаб ЗСУ: заява
    # Міноборони РФ про захоплення" the Russian MoD, not the speaker's ЗСУ, is near it
    centre = (hi - lo) // 2
    # not across a comma: "Несмотря на освобождение Курской области, командиры ВСУ…"
    left = window.rfind(",", 0, centre) + 1
    right = window.find(",", centre)
    right = len(window) if right < 0 else right
    found = sorted(
        (
            (abs(m.start() - centre), m.start(), m, who)
            for rx, who in lx.ACTOR_RES
            for m in rx.finditer(window, left, right)
        ),
        key=lambda x: (x[0], x[1]),
    )
    for _d, _s, m, who in found:
        actual = side if who == "SELF" else opposite(side) if who == "OTHER" else who
        if actual is None:
            continue
        prev = re.search(r"(\w+)\W*$", window[: m.start()])
        if prev and lx.POSSESSED.search(prev.group(1)):
            return None, actual
        # "від ЗСУ", "от подразделений Вооруженных сил Украины": whom it was taken from
        before = re.findall(r"\w+", window[max(0, m.start() - 50) : m.start()])[-4:]
        if any(w in lx.FROM_WORDS for w in before) or lx.CLEARED_OF.search(
            window[max(0, m.start() - 50) : m.start()]
        ):
            return None, actual
        if window[m.end() : m.end() + 2] in ("'s", "’s"):
            return None, actual  # "the enemy's fortified areas"
        return actual, None
    return None, None


@dataclass(frozen=True, slots=True)
class Sink:
    """Adds claims for one clause, with that clause's speaker and side."""

    builder: Builder
    text: str
    clause: Clause
    side: str | None
    reported: str | None
    speaker: dict[str, str]
    voice: str | None = None  # the post's own side when nobody is named (news posts)

    def __call__(
        self,
        kind: str,
        place: PlaceLike,
        controller: str | None,
        polarity: str | None,
        **data: object,
    ) -> None:
        side = self.side or default_side(kind, controller, self.voice)
        if kind == Kind.CONTROL and self.side is None and self.voice and controller:
            side = self.voice  # the post's own narration tells of a capture
        if kind == Kind.CONTROL and side and controller and side != controller:
            # a speaker (named, the channel, or the narration) granting the enemy a place
            # ("Генштаб: росіяни окупували Суджу") concedes its side's loss: a withdrawal,
            # never its own capture
            kind, polarity = Kind.WITHDRAWAL, side
        self.builder.add(
            kind,
            place,
            side=side,
            controller=controller,
            polarity=polarity,
            text=self.text,
            clause=self.clause,
            reported=self.reported,
            **self.speaker,
            **data,
        )


def default_side(kind: str, controller: str | None, voice: str | None) -> str | None:
    """Who asserts a claim no speaker or channel vouches for: a capture is its taker's
    claim, a withdrawal the leaver's; fighting and denials are the post's own voice."""
    if kind in CONTROL_KINDS:
        return controller or voice
    if kind == Kind.WITHDRAWAL:
        return opposite(controller) or voice
    return voice


# Raions, districts and hromadas locate places; a claim is about a settlement or a region.
NO_CLAIM_KINDS = frozenset({"raion", "district", "hromada"})


class Builder:
    """Collects claims for one post, one per (kind, place, polarity, side)."""

    def __init__(self, date: datetime) -> None:
        self.date = date
        self.claims: dict[tuple[str, str, str | None, str | None], Claim] = {}

    def result(self) -> list[Claim]:
        """The claims; an area's plain control claim yields to its "operation completed".
        A claim nobody asserts (no side: a neutral outlet's own narration, no speaker of a
        side named) is no claim: who says it is what a claim is."""
        done = {
            (c.place_id, c.controller)
            for c in self.claims.values()
            if c.kind == Kind.OPERATION_COMPLETED
        }
        return [
            c
            for c in self.claims.values()
            if c.side is not None
            and not (c.kind == Kind.CONTROL and (c.place_id, c.controller) in done)
        ]

    def add(
        self,
        kind: str,
        place: PlaceLike,
        *,
        side: str | None,
        controller: str | None,
        polarity: str | None,
        text: str,
        clause: Clause,
        reported: str | None,
        **data: object,
    ) -> None:
        key = (kind, place.id, polarity, side)
        if key in self.claims or place.kind in NO_CLAIM_KINDS:
            return
        self.claims[key] = Claim(
            kind=kind,
            place_id=place.id,
            place_name=place.name_en or place.name_uk,
            side=side,
            controller=controller,
            polarity=polarity,
            asserted_at=self.date,
            quote=text[clause.start : clause.end].strip(),
            start=clause.start,
            end=clause.end,
            reported_side=reported,
            data={"place_uk": place.name_uk, **data},
        )


def add_control(
    text: str,
    lang: str,
    toks: list[lx.Token],
    control: int | None,
    completed: int | None,
    places: Sequence[PlaceLike],
    all_places: Sequence[PlaceLike],
    side: str | None,
    add: Sink,
) -> None:
    at = control if control is not None else completed
    assert at is not None
    lo = toks[max(0, at - 5)].start
    hi = toks[min(len(toks) - 1, at + 5)].end
    winner, loser = actor(text, lo, hi, side)
    # No actor named: a liberation verb is the asserting side's own gain; a capture verb
    # has no direction, so only a named speaker's side (never the channel's) may claim it.
    fallback = side or add.voice
    if lx.find_any(lx.CAPTURE, lang, toks) is not None:
        # with nobody named, a Ukrainian voice tells of the enemy's captures
        fallback = add.reported or ("RU" if side is None and add.voice == "UA" else None)
    controller = winner or opposite(loser) or fallback
    if controller is None:
        return
    spots = [p for p in places if not is_area(p)]
    # "Completed" over a town means the town; over an area only with no town named, or
    # when the town taken is "the last settlement" of the area.
    last = lx.find_any(lx.LAST, lang, toks) is not None
    areas = [p for p in (all_places if last else places) if is_area(p)]
    if last:
        completed = at
    partial = bool(PARTIAL.search(text, toks[0].start, toks[-1].end))
    for p in spots:
        if partial:  # "more than 80% of the town": contradicted by a denial, not by fighting
            add(Kind.CONTROL, p, controller, controller, partial=True)
        else:
            add(Kind.CONTROL, p, controller, controller)
    if completed is not None and (last or not spots):
        for p in areas or ([] if spots else list(places)):
            add(Kind.OPERATION_COMPLETED, p, controller, controller)
    elif not spots and not partial:
        # an area taken whole ("освобождение Курской области") is its operation completed
        for p in areas:
            add(Kind.OPERATION_COMPLETED, p, controller, controller)


def loss_claims(text: str, side: str | None, date: datetime) -> list[Claim]:
    out: list[Claim] = []
    for f in parse_losses(text):
        out.append(
            Claim(
                kind=Kind.LOSSES,
                place_id=LOSSES_PLACE_PREFIX + f.metric,
                place_name=f.metric,
                side=side,
                controller=None,
                polarity=f.metric,
                asserted_at=date,
                quote=text[f.start : f.end].strip(),
                start=f.start,
                end=f.end,
                data={
                    "metric": f.metric,
                    "cumulative": f.cumulative,
                    "change": f.change,
                    "qualifier": f.qualifier,
                },
            )
        )
    return out
