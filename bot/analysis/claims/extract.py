"""Claims from one post's text: trigger and place in the same clause, scoped by speech.

Pure: text in, claims out. Place finding is injected (``find_places``) so the logic runs with
the gazetteer's matcher in production and with any matcher in tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from bot.analysis.claims import lexicon as lx
from bot.analysis.claims.build import Builder, Sink, actor, add_control, loss_claims
from bot.analysis.claims.cues import (
    CLAIM_WORDS,
    NO_ANSWERS,
    NO_NEWS,
    QUESTION,
    RELATIVE,
    THERE,
    Parsed,
    may_claim,
    scare_quoted,
)
from bot.analysis.claims.mentions import (
    Resolve,
    control_objects,
    find_mentions,
    gazetteer_resolve,
    is_area,
    place_after,
)
from bot.analysis.claims.model import Claim, Contains, FindPlaces, Kind, PlaceLike
from bot.analysis.claims.segment import Clause, segment
from bot.analysis.claims.speakers import Span, Speaker, attribute, claimants, opposite, post_voice

__all__ = ["MAX_AREA_TESTS", "extract_claims", "segment"]

MAX_AREA_TESTS = 16  # areas of one clause tested for containing another named place


def extract_claims(
    text: str,
    *,
    channel_side: str | None,
    date: datetime,
    find_places: FindPlaces,
    contains: Contains | None = None,
    resolve: Resolve | None = None,
) -> list[Claim]:
    """The claims a post makes. ``contains(outer, inner)`` drops places that only locate
    another place of the same clause ("Горналь Курської області"). ``resolve(word)`` names
    the place a capitalised word right after a control verb means when the matcher found
    none in that clause ("освободили Суджу"); default: the bundled gazetteer."""
    losses = loss_claims(text, channel_side, date)
    if losses:
        return losses
    return _PostReader(
        text, channel_side, date, find_places, contains, resolve or gazetteer_resolve
    ).read()


class _PostReader:
    """One post: its places, clauses and speakers, read clause by clause."""

    def __init__(
        self,
        text: str,
        channel_side: str | None,
        date: datetime,
        find_places: FindPlaces,
        contains: Contains | None,
        resolve: Resolve,
    ) -> None:
        self.text = text
        self.resolve = resolve
        self.channel_side = channel_side
        self.contains = contains
        self.find_places = find_places
        self.builder = Builder(date)
        self.answers: str | None = None  # the kind of claim this post denies
        self.pending_denials: list[tuple[Clause, str | None, bool]] = []
        self.claimed: set[str] = set()  # sides that claimed control in earlier clauses
        lang_post = lx.detect_lang(text)
        self.parsed: list[Parsed] = []
        for cl in segment(text):
            ctext = text[cl.start : cl.end]
            lang = lx.detect_lang(ctext, cyrillic=lang_post if lang_post != "en" else "cy")
            toks = lx.tokenize(ctext, lang, cl.start)
            self.parsed.append(Parsed(cl, ctext, lang, toks, lx.find_any(lx.DENIAL, lang, toks)))
        self.post_denies = any(p.denial is not None for p in self.parsed)

    def _prepare(self) -> None:
        """Places and speakers: looked up only for a post some clause of which may claim."""
        text = self.text
        self.mentions, self.not_places = find_mentions(self.find_places, text)
        counts = Counter(p.id for _m, p in self.mentions)
        self.by_id = {p.id: p for _m, p in self.mentions}
        first = {p.id: m.start for m, p in reversed(self.mentions)}
        main = max(counts, key=lambda pid: (counts[pid], -first[pid]), default=None)
        # The post's main place: most named, first named on a tie.
        self.main_place = self.by_id.get(main) if main else None
        self.voice = self.channel_side or post_voice(text)
        self.speakers = attribute(
            text,
            [
                Span(p.clause.start, p.clause.end, p.clause.sentence, p.toks, p.lang)
                for p in self.parsed
            ],
            self.voice,
        )
        # sides that deny something in this post: their "under our control" is holding
        self.deniers = {
            (spk.side if spk else None) or self.channel_side or self.voice
            for p, (spk, _named) in zip(self.parsed, self.speakers, strict=True)
            if p.denial is not None
        } - {None}

    def read(self) -> list[Claim]:
        # Every claim needs a trigger phrase in its clause; most clauses of a stream have
        # none, and a post with none needs neither the place matcher nor attribution.
        live = [n for n, p in enumerate(self.parsed) if may_claim(p)]
        if not live:
            return []
        self._prepare()
        for n in live:
            self._clause(self.parsed[n], *self.speakers[n])
        if self.main_place is not None:
            # a denial naming no place answers the claim this post retells, or the other
            # side's claims it names ("Заяви ворога — брехня"), not just any "information"
            what = self.answers or Kind.CONTROL
            for cl, side, answers_claims in self.pending_denials:
                if self.answers is None and not answers_claims:
                    continue
                self.builder.add(
                    Kind.DENIAL,
                    self.main_place,
                    side=side,
                    controller=None,
                    polarity=what,
                    text=self.text,
                    clause=cl,
                    reported=None,
                    answers=what,
                    inherited=True,
                )
        return self.builder.result()

    def _places(self, cl: Clause) -> tuple[list[PlaceLike], list[PlaceLike]]:
        """(places the clause claims about, every place it names)."""
        named = [p for m, p in self.mentions if m.start >= cl.start and m.end <= cl.end]
        every = list({p.id: p for p in named}.values())
        places = every
        if self.contains is not None and len(places) > 1:
            contains = self.contains
            # Only areas (oblast, raion, hromada, country) contain places, so only they are
            # tested, and at most MAX_AREA_TESTS of them: a clause naming hundreds of places
            # costs linear time, not one test per pair (an area past the cap is kept).
            tested = {p.id for p in [q for q in places if is_area(q)][:MAX_AREA_TESTS]}
            places = [
                p
                for p in places
                if p.id not in tested
                or not any(q.id != p.id and contains(p.id, q.id) for q in places)
            ]
        return places, every

    def _who(
        self, pc: Parsed, spk: Speaker | None, named: bool
    ) -> tuple[str | None, str | None, dict[str, str], set[str]]:
        """(asserting side, reported side, speaker labels, sides whose claims are retold)."""
        told = claimants(pc.text)
        reported = spk.side if spk else None
        if not named and pc.denial is not None and reported and reported in self.claimed:
            told = told | {reported}  # "X claimed Y. Це брехня": X's claim is denied
        if reported in told and pc.denial is not None:
            # the named side is whose claim is denied, not who denies: an official channel
            # denies for itself; in a news post the denier is the other side
            reported = None if self.channel_side is not None else opposite(reported)
            spk = None
        labels: dict[str, str] = {}
        if spk and reported:
            labels = {"speaker_en": spk.label_en, "speaker_uk": spk.label_uk}
        return reported or self.channel_side, reported, labels, told

    def _clause(self, pc: Parsed, spk: Speaker | None, named: bool) -> None:
        lang, toks, cl = pc.lang, pc.toks, pc.clause
        side, reported, labels, told = self._who(pc, spk, named)
        places, every = self._places(cl)
        add = Sink(self.builder, self.text, cl, side, reported, labels, self.voice)

        control = lx.find_any(lx.CONTROL, lang, toks)
        completed = lx.find_any(lx.COMPLETED, lang, toks)
        if control is not None and QUESTION.search(pc.text):
            control = completed = None  # "Селидове окуповане чи ні": a question, no claim
        claims_control = control is not None or completed is not None
        held = lx.find_any(lx.FIGHTING["holding"], lang, toks) is not None
        held = held or lx.find_any(lx.ONGOING_CLEARING, lang, toks) is not None
        held = held or (side in self.deniers and self._control_as_state(pc))
        admitted = False
        if held and control is not None and side is not None:
            # "Суджа тепер перебуває під контролем Росії", said by Ukrainians: not holding
            lo = toks[max(0, control - 5)].start
            hi = toks[min(len(toks) - 1, control + 5)].end
            winner, _ = actor(self.text, lo, hi, side)
            admitted = winner is not None and winner != side
            held = not admitted
        if control is not None and not places:
            places = every = place_after(self.text, toks, control, self.not_places, self.resolve)
        elif claims_control:
            # every control word takes its own object ("seized Kupiansk and controlled
            # large sections of Pokrovsk and Vovchansk")
            first = control if control is not None else completed
            assert first is not None
            ats = lx.find_all(lx.CONTROL, lang, toks) or [first]
            objects = {
                p.id: p
                for at in ats
                for p in control_objects(self.text, self.mentions, cl, toks, at, places)
            }
            places = list(objects.values())
        # Someone else's claim told here: hedged ("нібито"), attributed to another side,
        # the other side's words in a post that denies something, or a question answered
        # "no" ("Захопили X? Ні, це фейк").
        retold = (
            lx.find_any(lx.HEDGE, lang, toks) is not None
            or bool(told - {side})
            or self._rejected_question(pc)
            or (
                self.post_denies
                and reported is not None
                and self.channel_side is not None
                and reported != self.channel_side
            )
        )
        negated = control is not None and (
            any(t.low in lx.NEGATION for t in toks[max(0, control - 2) : control])
            or NO_NEWS.search(pc.text) is not None  # "даних про захоплення не надходило"
        )
        if control is not None and scare_quoted(self.text, toks[control].start):
            retold = True  # "подати це як «захоплення» Покровська"
        denial = pc.denial
        if claims_control and reported is not None and not (held or negated or retold):
            self.claimed.add(reported)
        if claims_control and (retold or negated):
            self.answers = Kind.OPERATION_COMPLETED if completed is not None else Kind.CONTROL
            # whose claim is told: the one side named as claimant, else the speaker telling
            # it without denying it; nobody's when neither is named ("інформація про…")
            others = told - {side}
            teller = next(iter(others)) if len(others) == 1 else None
            teller = teller or (reported if denial is None else None)
            if teller is not None and not negated:
                self.claimed.add(teller)
            # a denial restates the claim it answers only when it names its author
            # ("denied claims by Gerasimov that…"), not "Russian claims" in general
            restated = denial is None or teller in claimants(pc.text, named_only=True)
            if (
                retold
                and not negated
                and teller is not None
                and restated
                and self.channel_side is None
            ):
                # a news post reports the claim: it is its teller's, next to any denial
                tell = Sink(self.builder, self.text, cl, teller, teller, {}, self.voice)
                add_control(self.text, lang, toks, control, completed, places, every, teller, tell)
            if denial is None and not negated and not self.post_denies:
                return  # retold without endorsement or denial: nobody's claim here
            if negated and denial is None:
                denial = control
        if denial is not None:
            if (
                claims_control
                and not (retold or negated)
                and lx.find_any(lx.CAPTURE, lang, toks) is None
            ):
                # "Несмотря на освобождение Курской области, … о несуществующих успехах":
                # the speaker's own liberation, said while denying something else
                add_control(self.text, lang, toks, control, completed, places, every, side, add)
            what = self.answers or (
                Kind.OPERATION_COMPLETED if completed is not None else Kind.CONTROL
            )
            for p in places:
                add(Kind.DENIAL, p, None, what, answers=what)
            if not places:
                # "заперечили, що місто було захоплене": the denial names what it denies
                names_claims = bool(told) or claims_control or bool(CLAIM_WORDS.search(pc.text))
                self.pending_denials.append((cl, side, names_claims))
        elif claims_control and not retold:
            if lx.find_any(lx.ATTEMPT, lang, toks) is not None:
                for p in places:
                    add(Kind.ATTEMPT, p, None, opposite(side) if side else None)
                return
            cond = lx.find_any(lx.CONDITIONAL, lang, toks)
            first = min(i for i in (control, completed) if i is not None)
            if cond is not None and not (
                cond > first and toks[cond - 1].low in RELATIVE
            ):  # a relative clause's modal is not the capture's ("took X, which would be")
                return
            if lx.find_any(lx.WITHDRAWAL, lang, toks) is None and not held:
                add_control(self.text, lang, toks, control, completed, places, every, side, add)
                # the capture ends the fighting it tells of ("liberated X during the
                # offensive", "took X after heavy fighting"): no fighting claim besides
                return
        elif (
            places
            and lx.find_any(lx.ATTEMPT, lang, toks) is not None
            and lx.find_any(lx.DISLODGE, lang, toks) is not None
        ):
            for p in places:  # attacks on positions held there: fighting, not an attempt
                add(Kind.FIGHTING, p, None, "ongoing")
            return
        elif (
            places
            and lx.find_any(lx.ATTEMPT, lang, toks) is not None
            and lx.find_any(lx.ADVANCE, lang, toks) is not None
            and not any(
                lx.find_any(ph, lang, toks) is not None
                for ph in (*lx.FIGHTING.values(), lx.ATTACKS)
            )
        ):
            for p in places:
                add(Kind.ATTEMPT, p, None, None)
            return
        self._withdrawal(pc, places, side, add)
        if lx.find_any(lx.AIR, lang, toks) is None and not admitted:
            self._fighting(pc, places, add)

    def _control_as_state(self, pc: Parsed) -> bool:
        """Whether the clause's control words only say whose control the place is under
        ("Купʼянськ під контролем СОУ"), with no verb of taking it."""
        state = set(lx.find_all(lx.CONTROL_STATE, pc.lang, pc.toks))
        if not state or lx.find_any(lx.TAKE_CONTROL, pc.lang, pc.toks) is not None:
            return False
        words = set(lx.find_all(lx.CONTROL, pc.lang, pc.toks))
        words |= set(lx.find_all(lx.COMPLETED, pc.lang, pc.toks))
        # "під контролем" is found by CONTROL at "під" or at "контролем"
        return all(i in state or i - 1 in state for i in words)

    def _left(self, place: PlaceLike, side: str | None) -> bool:
        """Whether ``side`` withdrew from ``place`` earlier in this post."""
        return any(
            k == Kind.WITHDRAWAL and pid == place.id and s == side
            for k, pid, _pol, s in self.builder.claims
        )

    def _rejected_question(self, pc: Parsed) -> bool:
        if not pc.text.rstrip().endswith("?"):
            return False
        later = [p for p in self.parsed if p.clause.start >= pc.clause.end]
        if not later:
            return False
        nxt = later[0]
        return nxt.denial is not None or (bool(nxt.toks) and nxt.toks[0].low in NO_ANSWERS)

    def _withdrawal(
        self, pc: Parsed, places: Sequence[PlaceLike], side: str | None, add: Sink
    ) -> None:
        at = lx.find_any(lx.WITHDRAWAL, pc.lang, pc.toks)
        if at is None or not places or lx.find_any(lx.CONDITIONAL, pc.lang, pc.toks) is not None:
            return
        toks = pc.toks
        if any(t.low in lx.NEGATION or t.low == "any" for t in toks[max(0, at - 3) : at]):
            return  # "did not mention any withdrawal", "не було відходу"
        who, _ = actor(
            self.text, toks[max(0, at - 5)].start, toks[min(len(toks) - 1, at + 5)].end, side
        )
        for p in places:
            add(Kind.WITHDRAWAL, p, opposite(who or side), who or side)

    def _fighting(self, pc: Parsed, places: Sequence[PlaceLike], add: Sink) -> None:
        if lx.find_any(lx.PAST_FIGHTING, pc.lang, pc.toks) is not None:
            return  # fighting told as history
        families = [*lx.FIGHTING.items(), ("ongoing", lx.ATTACKS)]
        if add.side in self.deniers and self._control_as_state(pc):
            families.append(("holding", lx.CONTROL_STATE))
        for polarity, phrases in families:
            if lx.find_any(phrases, pc.lang, pc.toks) is None:
                continue
            # A clause naming no place speaks of the post's place, if it has only one and
            # the clause names no axis or grouping instead.
            # "Там тривають бої", "бої в ньому": a pronoun points at the post's main place.
            spots = {pid for pid, p in self.by_id.items() if not is_area(p)}
            inherit = (
                self.main_place is not None
                and (len(self.by_id) == 1 or (len(spots) == 1 and THERE.search(pc.text)))
                and not any(pc.clause.start <= a < pc.clause.end for a, _b in self.not_places)
            )
            if inherit and self.main_place and self._left(self.main_place, add.side):
                inherit = False  # "вийшли з X. Ми продовжуємо оборону": not fighting in X
            targets = list(places) or ([self.main_place] if self.main_place and inherit else [])
            for p in targets:
                add(Kind.FIGHTING, p, None, polarity)
            return
