"""Claims and contradictions across a stream of posts, with an in-memory history by place.

This is what ``dozor analyze`` calls per post: it fills ``"claims"`` and ``"contradicts"``
(naming earlier posts of the same input). Stored claims (``--db``) come in as extra
candidates, fetched by the caller with ``storage.repos.claims.candidates``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.analysis.claims.contradict import VALIDITY_WINDOW, find_contradictions
from bot.analysis.claims.extract import extract_claims
from bot.analysis.claims.model import Claim, Contains, Contradiction, FindPlaces, StoredClaimRef

Ancestors = Callable[[str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class PlaceTools:
    """The three things claims need from the gazetteer."""

    find: FindPlaces
    ancestors: Ancestors
    contains: Contains


def default_place_tools() -> PlaceTools:
    """The gazetteer's matcher (imported late: loading it reads the bundled gazetteer)."""
    from bot.analysis.places import get_gazetteer, get_matcher

    matcher, gaz = get_matcher(), get_gazetteer()
    return PlaceTools(find=matcher.find, ancestors=gaz.ancestors, contains=gaz.contains)


@dataclass(frozen=True, slots=True)
class PostClaims:
    claims: list[Claim]
    contradictions: list[Contradiction]

    def fields(self) -> dict[str, Any]:
        """The ``dozor analyze`` fields: ``claims`` and ``contradicts``."""
        return {
            "claims": [
                {
                    "kind": c.kind,
                    "place": c.place_name,
                    "side": c.side,
                    "polarity": c.polarity,
                    # new field: who says it, when the text names a speaker ("Russia's MoD")
                    "speaker": c.data.get("speaker_en"),
                }
                for c in self.claims
            ],
            "contradicts": [
                {
                    "channel": x.earlier.channel,
                    "id": x.earlier.message_id,
                    "place": x.place_name,
                    "why": x.why_en,
                }
                for x in self.contradictions
            ],
        }


def place_and_areas(place_id: str, ancestors: Ancestors) -> list[str]:
    """``place_id`` and the areas around it; a pseudo place ("~losses/...") has none."""
    if place_id.startswith("~"):
        return [place_id]
    return [place_id, *ancestors(place_id)]


def lookup_ids(claim: Claim, ancestors: Ancestors) -> list[str]:
    """Place ids whose claims can clash with ``claim``: its place and the areas around it."""
    return place_and_areas(claim.place_id, ancestors)


@dataclass
class ClaimHistory:
    tools: PlaceTools
    window: timedelta = VALIDITY_WINDOW
    _by_place: dict[str, list[StoredClaimRef]] = field(default_factory=lambda: defaultdict(list))

    def extract(self, text: str, *, channel_side: str | None, date: datetime) -> list[Claim]:
        return extract_claims(
            text,
            channel_side=channel_side,
            date=date,
            find_places=self.tools.find,
            contains=self.tools.contains,
        )

    def check(
        self,
        claims: Sequence[Claim],
        *,
        channel: str,
        message_id: int,
        extra: Mapping[int, Sequence[StoredClaimRef]] | None = None,
    ) -> list[Contradiction]:
        """Contradictions with remembered claims (and ``extra[i]`` for ``claims[i]``);
        one per earlier post."""
        out: list[Contradiction] = []
        seen: set[tuple[str, int]] = set()
        for i, claim in enumerate(claims):
            cands = [
                r
                for pid in lookup_ids(claim, self.tools.ancestors)
                for r in self._by_place.get(pid, ())
            ]
            if extra:
                cands.extend(extra.get(i, ()))
            for x in find_contradictions(
                claim,
                cands,
                self.tools.contains,
                new_channel=channel,
                new_message_id=message_id,
                window=self.window,
            ):
                key = (x.earlier.channel, x.earlier.message_id)
                if key not in seen:
                    seen.add(key)
                    out.append(x)
        return out

    def remember(self, claims: Sequence[Claim], *, channel: str, message_id: int) -> None:
        for c in claims:
            self._by_place[c.place_id].append(StoredClaimRef(c, None, channel, message_id))

    def analyze(
        self, *, channel: str, message_id: int, date: datetime, text: str, channel_side: str | None
    ) -> PostClaims:
        claims = self.extract(text, channel_side=channel_side, date=date)
        found = self.check(claims, channel=channel, message_id=message_id)
        self.remember(claims, channel=channel, message_id=message_id)
        return PostClaims(claims, found)
