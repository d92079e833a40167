"""Which earlier claims a new claim contradicts, and why, in one sentence per language.

Rules (issue 4):
- A control claim ("X is ours", "operation completed over area A") is contradicted by a later
  claim, within ``VALIDITY_WINDOW``, from a side other than the controller, that fighting goes
  on / positions are held / attacks were repelled / remnants remain there, that denies the
  claim, or that another side controls the place. Places inside the area of an "operation
  completed" claim count as the same place.
- Not contradictions: a withdrawal followed by the other side's capture claim (withdrawals
  are never contradicted); both sides reporting fighting (fighting is never contradicted);
  a capture after earlier fighting (the direction is control first, then the counter-claim);
  fighting in a town claimed only in part ("80% of Vovchansk": only a denial answers that);
  fighting told together with a withdrawal from the place (it confirms the loss); a side
  answering what it said itself (DeepState granting a town, then fighting there).
- Loss counters: a cumulative figure below the previous post's, or a daily change that does
  not bridge consecutive days, is "figures don't add up" (kind ``FIGURES``), never "false".
  "Previous" is the same channel's; another channel of the same side only for a channel's
  first figures, and never when they repeat a figure already published (a repost).

Why 45 days: official counter-claims come the same day or within weeks (Kursk: 26 Apr, again
21 May 2025); after six weeks a fresh "fighting goes on" is news about a new situation,
not an answer to the old claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysis.claims.model import (
    CONTRADICTION,
    FIGURES,
    Claim,
    Contains,
    Contradiction,
    Kind,
    StoredClaimRef,
)

VALIDITY_WINDOW = timedelta(days=45)
EPISODE_GAP = timedelta(days=45)  # pairs about one place closer than this: one episode

CHANNEL_SPEAKERS: dict[str, tuple[str, str]] = {
    "generalstaffzsu": ("Ukraine's General Staff", "Генштаб ЗСУ"),
    "v_zelenskiy_official": ("Ukraine's President", "Президент України"),
    "kpszsu": ("Ukraine's Air Force", "Повітряні сили ЗСУ"),
    "mod_russia": ("Russia's MoD", "Міноборони РФ"),
    "mod_russia_en": ("Russia's MoD", "Міноборони РФ"),
}


def channel_speaker(channel: str | None) -> tuple[str, str] | None:
    """(English, Ukrainian) name of an official channel; names are case-insensitive."""
    return CHANNEL_SPEAKERS.get((channel or "").lstrip("@").lower())


SIDE_SPEAKERS = {
    "UA": ("the Ukrainian side", "українська сторона"),
    "RU": ("the Russian side", "російська сторона"),
}
COUNTRY = {"UA": ("Ukraine", "України"), "RU": ("Russia", "Росії")}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def speaker_of(claim: Claim, channel: str | None) -> tuple[str, str]:
    """(English, Ukrainian) name of who asserts ``claim``."""
    if claim.reported_side and "speaker_en" in claim.data:
        return str(claim.data["speaker_en"]), str(claim.data.get("speaker_uk", ""))
    known = channel_speaker(channel)
    if known and not claim.reported_side:
        return known
    if claim.side in SIDE_SPEAKERS:
        return SIDE_SPEAKERS[claim.side]
    return (f"@{channel}", f"@{channel}") if channel else ("a source", "джерело")


def _d_en(at: datetime) -> str:
    return f"{at.day} {_MONTHS[at.month - 1]} {at.year}"


def _d_uk(at: datetime) -> str:
    return at.strftime("%d.%m.%Y")


def _place_uk(c: Claim) -> str:
    return str(c.data.get("place_uk") or c.place_name)


def _new_phrase(c: Claim) -> tuple[str, str]:
    """(English phrase, Ukrainian "that" clause about "там": the place is named earlier in the
    Ukrainian sentence, so the clause need not decline it.)"""
    p = c.place_name
    if c.kind == Kind.FIGHTING:
        return {
            "holding": (f"says its troops still hold positions in {p}", "позиції там утримуються"),
            "repelled": (f"says attacks at {p} were repelled", "атаки там відбито"),
            "remnants": (
                f"says enemy troops remain in {p}",
                "там залишаються ворожі підрозділи",
            ),
        }.get(c.polarity or "", (f"says fighting continues in {p}", "бої там тривають"))
    if c.kind == Kind.DENIAL:
        if c.polarity == Kind.OPERATION_COMPLETED:
            return f"denies that combat in {p} is over", "бойові дії там не завершено"
        return f"denies that {p} was taken", "контроль там не втрачено"
    en = COUNTRY.get(c.controller or "", ("another side", ""))[0]
    by = _BY_COUNTRY.get(c.controller or "", "іншою стороною")
    return f"says {p} is held by {en}", f"контроль там за {by}"


def _old_phrase(c: Claim) -> tuple[str, str]:
    en, uk = COUNTRY.get(c.controller or "", ("its side", "її сторони"))
    if c.kind == Kind.OPERATION_COMPLETED:
        return (
            f"{en} had fully taken {c.place_name}",
            f"{_place_uk(c)} повністю під контролем {uk}",
        )
    return f"{en} had taken {c.place_name}", f"{_place_uk(c)} під контролем {uk}"


_BY_COUNTRY = {"UA": "Україною", "RU": "Росією"}
# Who, in the genitive ("за заявою Генштабу ЗСУ"); absent: the name does not decline.
_UK_GENITIVE = {
    "Генштаб ЗСУ": "Генштабу ЗСУ",
    "Президент України": "Президента України",
    "Повітряні сили ЗСУ": "Повітряних сил ЗСУ",
    "українська сторона": "української сторони",
    "російська сторона": "російської сторони",
    "джерело": "джерела",
}
_UK_PLURAL = ("Повітряні сили",)


def _uk_verb(c: Claim, speaker: str) -> str:
    plural = speaker.startswith(_UK_PLURAL)
    if c.kind == Kind.DENIAL:
        return "стверджують" if plural else "стверджує"
    if c.kind == Kind.FIGHTING:
        return "повідомляють" if plural else "повідомляє"
    return "заявляють" if plural else "заявляє"


def explain(new: Claim, new_speaker: tuple[str, str], old: StoredClaimRef) -> tuple[str, str]:
    """One sentence per language: who says what (date), contradicting whose claim (date)."""
    o_en, o_uk = (old.speaker, old.speaker) if old.speaker else speaker_of(old.claim, old.channel)
    n_ph, n_ph_uk = _new_phrase(new)
    o_ph, o_ph_uk = _old_phrase(old.claim)
    en = (
        f"{new_speaker[0][:1].upper()}{new_speaker[0][1:]} {n_ph} ({_d_en(new.asserted_at)}), "
        f"contradicting the claim by {o_en} of {_d_en(old.claim.asserted_at)} that {o_ph}."
    )
    # The earlier claim first, naming the place, so the new one can say "там":
    # "За заявою Міноборони РФ від 26.04.2025, Курська область повністю під контролем
    # Росії, але Генштаб ЗСУ (26.04.2025) повідомляє, що бої там тривають."
    speaker_uk = new_speaker[1]
    uk = (
        f"За заявою {_UK_GENITIVE.get(o_uk, o_uk)} від {_d_uk(old.claim.asserted_at)}, "
        f"{o_ph_uk}, але {speaker_uk} ({_d_uk(new.asserted_at)}) "
        f"{_uk_verb(new, speaker_uk)}, що {n_ph_uk}."
    )
    return en, uk


def _same_place(earlier: Claim, new: Claim, contains: Contains) -> bool:
    if earlier.place_id == new.place_id:
        return True
    return earlier.kind == Kind.OPERATION_COMPLETED and contains(earlier.place_id, new.place_id)


def _contests(earlier: Claim, new: Claim) -> bool:
    if earlier.kind not in (Kind.CONTROL, Kind.OPERATION_COMPLETED) or not earlier.controller:
        return False
    if new.side is None:
        return False
    if new.kind == Kind.FIGHTING and (earlier.data.get("partial") or new.data.get("withdrawn")):
        # both sides agree fighting goes on in a town partly taken; fighting told with a
        # withdrawal from the place confirms the loss
        return False
    if new.kind in (Kind.FIGHTING, Kind.DENIAL):
        # the other side answers; a side that granted the place to the enemy ("DeepState:
        # the enemy took X") and then reports fighting there is not answering anyone
        return new.side not in (earlier.controller, earlier.side)
    if new.kind in (Kind.CONTROL, Kind.OPERATION_COMPLETED):
        return new.controller is not None and new.controller != earlier.controller
    return False


def find_contradictions(
    new: Claim,
    candidates: Sequence[StoredClaimRef],
    contains: Contains,
    *,
    new_channel: str | None = None,
    new_message_id: int | None = None,
    window: timedelta = VALIDITY_WINDOW,
) -> list[Contradiction]:
    """Earlier claims ``new`` contradicts, at most one per earlier post."""
    if new.kind == Kind.LOSSES:
        return _figures(new, candidates, new_channel, new_message_id)
    speaker = speaker_of(new, new_channel)
    out: list[Contradiction] = []
    seen: set[tuple[str, int]] = set()
    for ref in sorted(candidates, key=lambda r: r.claim.asserted_at):
        old = ref.claim
        if (ref.channel, ref.message_id) == (new_channel, new_message_id):
            continue
        if (ref.channel, ref.message_id) in seen:
            continue
        delta = new.asserted_at - old.asserted_at
        if delta < timedelta(0) or delta > window:
            continue
        if not _same_place(old, new, contains) or not _contests(old, new):
            continue
        seen.add((ref.channel, ref.message_id))
        en, uk = explain(new, speaker, ref)
        out.append(Contradiction(CONTRADICTION, new, ref, old.place_id, old.place_name, en, uk))
    return out


def _figures(
    new: Claim, candidates: Sequence[StoredClaimRef], channel: str | None, message_id: int | None
) -> list[Contradiction]:
    earlier = [
        r
        for r in candidates
        if r.claim.kind == Kind.LOSSES
        and r.claim.polarity == new.polarity
        and r.claim.asserted_at < new.asserted_at
        and (r.channel, r.message_id) != (channel, message_id)
    ]
    # A counter is one publisher's series: compare with the same channel's earlier posts.
    prior = [r for r in earlier if r.channel == channel]
    if not prior:
        # A channel's first figures: the same side's other channels, unless the figure is
        # one already published (a news channel reposting yesterday's General Staff post
        # is not the counter going down).
        cum_new = int(new.data["cumulative"])
        if any(int(r.claim.data["cumulative"]) == cum_new for r in earlier):
            return []
        prior = [r for r in earlier if new.side is None or r.claim.side in (None, new.side)]
    if not prior:
        return []
    ref = max(prior, key=lambda r: r.claim.asserted_at)
    old = ref.claim
    cum, old_cum = int(new.data["cumulative"]), int(old.data["cumulative"])
    change = new.data.get("change")
    metric = new.polarity or ""
    who_en, who_uk = speaker_of(new, channel)
    d_new, d_old = new.asserted_at.date(), old.asserted_at.date()
    if cum < old_cum:
        en = (
            f"{who_en} reports {metric} at {cum:,} ({_d_en(new.asserted_at)}), below the "
            f"{old_cum:,} reported on {_d_en(old.asserted_at)}: a cumulative counter went "
            "down, figures don't add up."
        )
        uk = (
            f"{who_uk} ({_d_uk(new.asserted_at)}): {metric} — {cum:,}, менше за {old_cum:,} "
            f"від {_d_uk(old.asserted_at)}: накопичувальний лічильник зменшився, цифри не "
            "сходяться."
        )
    elif change is not None and (d_new - d_old).days == 1 and old_cum + int(change) != cum:
        exp = old_cum + int(change)
        en = (
            f"{who_en} reports {metric} at {cum:,} (+{int(change):,}) on "
            f"{_d_en(new.asserted_at)}, but {old_cum:,} on {_d_en(old.asserted_at)} plus "
            f"{int(change):,} is {exp:,}: figures don't add up."
        )
        uk = (
            f"{who_uk} ({_d_uk(new.asserted_at)}): {metric} — {cum:,} (+{int(change):,}), "
            f"але {old_cum:,} від {_d_uk(old.asserted_at)} плюс {int(change):,} дає "
            f"{exp:,}: цифри не сходяться."
        )
    else:
        return []
    return [Contradiction(FIGURES, new, ref, old.place_id, old.place_name, en, uk)]


@dataclass
class _Episode:
    id: int
    started_at: datetime
    last_at: datetime


@dataclass
class EpisodeTracker:
    """In-memory episodes: contradictions about one place, no more than ``gap`` apart."""

    gap: timedelta = EPISODE_GAP
    _open: dict[str, list[_Episode]] = field(default_factory=dict)
    _next: int = 1

    def assign(self, place_id: str, at: datetime) -> tuple[int, bool]:
        """(episode id, whether it was opened now)."""
        for ep in self._open.get(place_id, []):
            if abs(at - ep.last_at) <= self.gap:
                ep.last_at = max(ep.last_at, at)
                return ep.id, False
        ep = _Episode(self._next, at, at)
        self._next += 1
        self._open.setdefault(place_id, []).append(ep)
        return ep.id, True
