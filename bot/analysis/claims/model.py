"""Claims and contradictions as plain records: the core's output, the storage layer's input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class Kind:
    """Claim kinds. Strings, because they are stored and shown as they are."""

    CONTROL = "control"  # captured / liberated / took control / cleared
    OPERATION_COMPLETED = "operation_completed"  # over an area: control of all inside it
    WITHDRAWAL = "withdrawal"
    FIGHTING = "fighting"  # polarity: ongoing | holding | repelled | remnants
    ATTEMPT = "attempt"  # never counts as control
    DENIAL = "denial"  # data["answers"]: the kind of claim denied
    LOSSES = "losses"  # data: metric, cumulative, change, qualifier

    ALL = (CONTROL, OPERATION_COMPLETED, WITHDRAWAL, FIGHTING, ATTEMPT, DENIAL, LOSSES)


# Kinds that assert one side holds a place, and kinds that say it does not (yet).
CONTROL_KINDS = frozenset({Kind.CONTROL, Kind.OPERATION_COMPLETED})
CONTESTING_KINDS = frozenset({Kind.FIGHTING, Kind.DENIAL})

LOSSES_PLACE_PREFIX = "~losses/"  # pseudo place ids: counters use the same (place, time) index


class PlaceLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def name_uk(self) -> str: ...
    @property
    def kind(self) -> str: ...


class MentionLike(Protocol):
    """What the place matcher returns (``bot.analysis.places.PlaceMention`` fits)."""

    @property
    def place(self) -> PlaceLike | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


FindPlaces = Callable[[str], Sequence[MentionLike]]
Contains = Callable[[str, str], bool]  # (outer_id, inner_id) -> inner lies inside outer


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    place_id: str
    place_name: str  # English name, for messages; data["place_uk"] holds the Ukrainian one
    side: str | None  # who asserts it: reported side if the text names one, else channel's
    controller: str | None  # control claims: who holds the place (not who used which verb)
    polarity: str | None  # control: controller; fighting: ongoing|holding|repelled|remnants
    asserted_at: datetime
    quote: str  # the clause the claim was read from
    start: int  # offsets of the clause in the post text
    end: int
    reported_side: str | None = None  # side named by reported speech ("MoD claims ...")
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class StoredClaimRef:
    """An earlier claim and where it was posted, as a contradiction candidate."""

    claim: Claim
    claim_id: int | None  # database id; None for in-memory history
    channel: str
    message_id: int
    speaker: str | None = None  # e.g. "Russia's MoD"; None: derived from side / channel

    @property
    def link(self) -> str:
        return f"https://t.me/{self.channel}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class Contradiction:
    kind: str  # "contradiction" | "figures"  ("figures don't add up", never "false")
    new: Claim
    earlier: StoredClaimRef
    place_id: str
    place_name: str
    why_en: str
    why_uk: str

    @property
    def why(self) -> str:
        return self.why_en


CONTRADICTION = "contradiction"
FIGURES = "figures"
