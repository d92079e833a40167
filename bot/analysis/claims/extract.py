"""Claims from one post's text: trigger and place in the same clause, scoped by speech.

Pure: text in, claims out. Place finding is injected (``find_places``) so the logic runs with
the gazetteer's matcher in production and with any matcher in tests.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.analysis.claims import lexicon as lx
from bot.analysis.claims.losses import parse_losses
from bot.analysis.claims.model import (
    CONTROL_KINDS,
    LOSSES_PLACE_PREFIX,
    Claim,
    Contains,
    FindPlaces,
    Kind,
    MentionLike,
    PlaceLike,
)
from bot.analysis.claims.speakers import Span, Speaker, attribute, claimants, opposite, post_voice

Resolve = Callable[[str], Sequence[PlaceLike]]  # a word -> the places it may name

# Place kinds that name an area: "operation completed" over one covers every place inside.
AREA_KINDS = frozenset({"oblast", "region", "raion", "district", "country", "krai", "hromada"})
MAX_AREA_TESTS = 16  # areas of one clause tested for containing another named place

_ABBREV = frozenset(
    {
        "м",
        "с",
        "смт",
        "обл",
        "сел",
        "н",
        "п",
        "р",
        "ст",
        "г",
        "пос",
        "вул",
        "ул",
        "св",
        "т",
        "д",
        "mr",
        "st",
        "vs",
        "no",
    }
)
_SENT_END = re.compile(r"[.!?…]+[\"»”']?\s+(?=[\"«“'(]?[A-ZА-ЯІЇЄҐ0-9])|\n+|;\s*")
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?:але|проте|однак|тоді як|натомість|но|однако|тогда как|в то время как|"
    r"but|while|whereas|however)\s+|,\s+а\s+|,\s+(?:where|де|где)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Clause:
    start: int
    end: int
    sentence: int


# A control word's unnamed object ("another village", "кілька населених пунктів").
_OBJECT_NOUNS = frozenset(
    [
        "village",
        "villages",
        "town",
        "towns",
        "city",
        "settlement",
        "settlements",
        "село",
        "села",
        "сіл",
        "селище",
        "селища",
        "населений",
        "населені",
        "населених",
        "населенный",
        "населенные",
        "населенных",
        "населённый",
        "населённые",
        "населённых",
        "пункт",
        "пункти",
        "пунктів",
        "пункты",
        "пунктов",
        "місто",
        "міста",
        "містами",
        "город",
        "города",
        "городами",
        "поселок",
        "посёлок",
        "поселки",
        "hamlet",
    ]
)
# The gap between two names of one list, possibly over names the gazetteer lacks
# ("Казачья Локня, 1-й Княжий, 2-й Княжий, Замостье и Мирный").
_CHAIN = re.compile(
    r"^\s*(?:(?:,|\s(?:і|и|й|та|and)\b|[–—-])(?:\s*[A-ZА-ЯІЇЄҐ0-9][\w'’ʼ-]*){0,3}\s*)*"
    r"(?:,|\s(?:і|и|й|та|and)|,\s*(?:і|и|й|та|and)|[–—-])?\s*$"
)
_QUESTION = re.compile(r"\bчи ні\b|\bили нет\b|\bor not\b", re.IGNORECASE)
_NO_NEWS = re.compile(
    r"не\s+(?:надходил\w*|надходить|зафіксован\w*|підтвердж\w*|поступал\w*|зафиксирован\w*|"
    r"подтвержд\w*)|\bno (?:data|information|confirmation)\b",
    re.IGNORECASE,
)
_PARTIAL = re.compile(
    r"\d+\s*(?:%|відсот\w*|процент\w*|percent|per cent)|більш\w* половин\w*|"
    r"более половин\w*|more than half|частин\w*|част[ьи] города|part of|parts of|sections of|"
    r"district|"
    r"мікрорайон\w*|микрорайон\w*|квартал\w*|кв\.? ?км|km2|square kilomet\w*",
    re.IGNORECASE,
)


def _scare_quoted(text: str, at: int) -> bool:
    """A control word in quotes of its own: «звільнення», "liberated" (someone's word)."""
    return at > 0 and text[at - 1] in "«\"“„'‘"


_THERE = re.compile(
    r"\b(?:там|тут|в ньому|у ньому|навколо нього|в нем|в нём|вокруг него|there|in it|around it)\b",
    re.IGNORECASE,
)

# Words that name what is denied as someone's claims ("Заяви ворога — брехня").
_CLAIM_WORDS = re.compile(
    r"заяв[аиіу]\w*|заявлени\w*|повідомленн\w*|сообщени\w*|\bclaims?\b|statements?",
    re.IGNORECASE,
)

_NO = frozenset({"ні", "нет", "no", "неправда"})

_AND = re.compile(r"\s(?:та|і|й|и|and)\s+(?=(\w+))", re.IGNORECASE)


def _and_splits(text: str, s: int, e: int) -> list[int]:
    """Offsets where "and" joins two clauses ("звільнили X та ведуть бої за Y"): the word
    after it is a verb."""
    lang = lx.detect_lang(text[s:e])
    return [m.start() for m in _AND.finditer(text, s, e) if lx.is_verb(m.group(1), lang)]


def segment(text: str) -> list[_Clause]:
    """Sentences, then clauses at contrastive conjunctions and at "and" before a verb.
    Abbreviations do not end a sentence."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        word = re.search(r"(\w+)\W*$", text[pos : m.start() + 1])
        if m.group().startswith(".") and word and word.group(1).lower() in _ABBREV:
            continue
        bounds.append((pos, m.start() + 1 if m.group()[0] in ".!?…" else m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    out: list[_Clause] = []
    for n, (s, e) in enumerate(bounds):
        cpos = s
        cuts = [(m.start(), m.end()) for m in _CLAUSE_SPLIT.finditer(text, s, e)]
        cuts += [(at, at + 1) for at in _and_splits(text, s, e)]
        for start, end in sorted(cuts):
            if start < cpos:
                continue
            if start > cpos:
                out.append(_Clause(cpos, start, n))
            cpos = end
        if e > cpos and text[cpos:e].strip():
            out.append(_Clause(cpos, e, n))
    return out


def _actor(text: str, lo: int, hi: int, side: str | None) -> tuple[str | None, str | None]:
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


def _is_area(place: PlaceLike) -> bool:
    return place.kind in AREA_KINDS


# A name right after "grouping of forces" names the grouping ("угруповання військ «Курськ»").
_GROUPING = re.compile(
    r"(?:угрупованн\w*|группировк\w*|grouping|осув|оту|ouv)\s*(?:військ\w*|войск\w*|"
    r"of forces|of troops)?\s*[«\"“„']?\s*$",
    re.IGNORECASE,
)


# "глава Харьковской областной военной администрации" names who speaks, not where.
_INSTITUTION_AFTER = re.compile(
    r"\s+(?:областн\w*|міськ\w*|городск\w*|районн\w*)\s+(?:(?:військов\w*|военн\w*|"
    r"державн\w*|государствен\w*)\s+)?(?:адміністрац\w*|администрац\w*|рад\w*|совет\w*)",
    re.IGNORECASE,
)

_AXIS_AFTER = re.compile(
    r"\s+(?:front|фронт\w*|напрям\w*|направлени\w*|axis|direction)\b", re.IGNORECASE
)


def _mentions(
    find_places: FindPlaces, text: str
) -> tuple[list[tuple[MentionLike, PlaceLike]], list[tuple[int, int]]]:
    """(places to claim about, spans of names that are not such places: axes, groupings)."""
    out: list[tuple[MentionLike, PlaceLike]] = []
    skipped: list[tuple[int, int]] = []
    for m in find_places(text):
        if m.place is None:
            continue
        if m.place.kind == "country":
            continue  # a country speaks; it is not where fighting is
        if (
            m.kind == "axis"
            or _GROUPING.search(text[max(0, m.start - 40) : m.start])
            or _AXIS_AFTER.match(text, m.end)
            or _INSTITUTION_AFTER.match(text, m.end)
        ):
            skipped.append((m.start, m.end))  # "Pokrovsk axis" is not Pokrovsk
            continue
        out.append((m, m.place))
    return out, skipped


@dataclass(frozen=True, slots=True)
class _Sink:
    """Adds claims for one clause, with that clause's speaker and side."""

    builder: _Builder
    text: str
    clause: _Clause
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
        side = self.side or _default_side(kind, controller, self.voice)
        if kind == Kind.CONTROL and self.reported and controller and self.reported != controller:
            # a named speaker granting the enemy a place ("Генштаб: росіяни окупували
            # Суджу") reports its side's loss: a withdrawal, never its own capture
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


def _default_side(kind: str, controller: str | None, voice: str | None) -> str | None:
    """Who asserts a claim no speaker or channel vouches for: a capture is its taker's
    claim, a withdrawal the leaver's; fighting and denials are the post's own voice."""
    if kind in CONTROL_KINDS:
        return controller or voice
    if kind == Kind.WITHDRAWAL:
        return opposite(controller) or voice
    return voice


class _Builder:
    """Collects claims for one post, one per (kind, place, polarity, side)."""

    def __init__(self, date: datetime) -> None:
        self.date = date
        self.claims: dict[tuple[str, str, str | None, str | None], Claim] = {}

    def result(self) -> list[Claim]:
        """The claims; an area's plain control claim yields to its "operation completed"."""
        done = {
            (c.place_id, c.controller)
            for c in self.claims.values()
            if c.kind == Kind.OPERATION_COMPLETED
        }
        return [
            c
            for c in self.claims.values()
            if not (c.kind == Kind.CONTROL and (c.place_id, c.controller) in done)
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
        clause: _Clause,
        reported: str | None,
        **data: object,
    ) -> None:
        key = (kind, place.id, polarity, side)
        if key in self.claims:
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


def _gazetteer_resolve(word: str) -> Sequence[PlaceLike]:
    # Imported late: loading the gazetteer reads the bundled data file.
    from bot.analysis.places import get_gazetteer

    return get_gazetteer().resolve(word)


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
    losses = _loss_claims(text, channel_side, date)
    if losses:
        return losses
    return _PostReader(
        text, channel_side, date, find_places, contains, resolve or _gazetteer_resolve
    ).read()


@dataclass(frozen=True, slots=True)
class _Parsed:
    clause: _Clause
    text: str
    lang: str
    toks: list[lx.Token]
    denial: int | None


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
        self.mentions, self.not_places = _mentions(find_places, text)
        counts = Counter(p.id for _m, p in self.mentions)
        self.by_id = {p.id: p for _m, p in self.mentions}
        first = {p.id: m.start for m, p in reversed(self.mentions)}
        main = max(counts, key=lambda pid: (counts[pid], -first[pid]), default=None)
        # The post's main place: most named, first named on a tie.
        self.main_place = self.by_id.get(main) if main else None
        self.builder = _Builder(date)
        self.answers: str | None = None  # the kind of claim this post denies
        self.pending_denials: list[tuple[_Clause, str | None, bool]] = []
        lang_post = lx.detect_lang(text)
        self.parsed: list[_Parsed] = []
        for cl in segment(text):
            ctext = text[cl.start : cl.end]
            lang = lx.detect_lang(ctext, cyrillic=lang_post if lang_post != "en" else "cy")
            toks = lx.tokenize(ctext, lang, cl.start)
            self.parsed.append(_Parsed(cl, ctext, lang, toks, lx.find_any(lx.DENIAL, lang, toks)))
        self.post_denies = any(p.denial is not None for p in self.parsed)
        self.voice = channel_side or post_voice(text)
        self.speakers = attribute(
            text,
            [
                Span(p.clause.start, p.clause.end, p.clause.sentence, p.toks, p.lang)
                for p in self.parsed
            ],
            self.voice,
        )
        self.claimed: set[str] = set()  # sides that claimed control in earlier clauses

    def read(self) -> list[Claim]:
        for n, parsed in enumerate(self.parsed):
            self._clause(parsed, *self.speakers[n])
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

    def _places(self, cl: _Clause) -> tuple[list[PlaceLike], list[PlaceLike]]:
        """(places the clause claims about, every place it names)."""
        named = [p for m, p in self.mentions if m.start >= cl.start and m.end <= cl.end]
        every = list({p.id: p for p in named}.values())
        places = every
        if self.contains is not None and len(places) > 1:
            contains = self.contains
            # Only areas (oblast, raion, hromada, country) contain places, so only they are
            # tested, and at most MAX_AREA_TESTS of them: a clause naming hundreds of places
            # costs linear time, not one test per pair (an area past the cap is kept).
            tested = {p.id for p in [q for q in places if _is_area(q)][:MAX_AREA_TESTS]}
            places = [
                p
                for p in places
                if p.id not in tested
                or not any(q.id != p.id and contains(p.id, q.id) for q in places)
            ]
        return places, every

    def _who(
        self, pc: _Parsed, spk: Speaker | None, named: bool
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

    def _clause(self, pc: _Parsed, spk: Speaker | None, named: bool) -> None:
        lang, toks, cl = pc.lang, pc.toks, pc.clause
        side, reported, labels, told = self._who(pc, spk, named)
        places, every = self._places(cl)
        add = _Sink(self.builder, self.text, cl, side, reported, labels, self.voice)

        control = lx.find_any(lx.CONTROL, lang, toks)
        completed = lx.find_any(lx.COMPLETED, lang, toks)
        if control is not None and _QUESTION.search(pc.text):
            control = completed = None  # "Селидове окуповане чи ні": a question, no claim
        claims_control = control is not None or completed is not None
        held = lx.find_any(lx.FIGHTING["holding"], lang, toks) is not None
        held = held or lx.find_any(lx.ONGOING_CLEARING, lang, toks) is not None
        admitted = False
        if held and control is not None and side is not None:
            # "Суджа тепер перебуває під контролем Росії", said by Ukrainians: not holding
            lo = toks[max(0, control - 5)].start
            hi = toks[min(len(toks) - 1, control + 5)].end
            winner, _ = _actor(self.text, lo, hi, side)
            admitted = winner is not None and winner != side
            held = not admitted
        if control is not None and not places:
            places = every = self._place_after(toks, control)
        elif claims_control:
            # every control word takes its own object ("seized Kupiansk and controlled
            # large sections of Pokrovsk and Vovchansk")
            first = control if control is not None else completed
            assert first is not None
            ats = lx.find_all(lx.CONTROL, lang, toks) or [first]
            objects = {p.id: p for at in ats for p in self._objects(cl, toks, at, places)}
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
            or _NO_NEWS.search(pc.text) is not None  # "даних про захоплення не надходило"
        )
        if control is not None and _scare_quoted(self.text, toks[control].start):
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
                tell = _Sink(self.builder, self.text, cl, teller, teller, {}, self.voice)
                _control(self.text, lang, toks, control, completed, places, every, teller, tell)
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
                _control(self.text, lang, toks, control, completed, places, every, side, add)
            what = self.answers or (
                Kind.OPERATION_COMPLETED if completed is not None else Kind.CONTROL
            )
            for p in places:
                add(Kind.DENIAL, p, None, what, answers=what)
            if not places:
                # "заперечили, що місто було захоплене": the denial names what it denies
                names_claims = bool(told) or claims_control or bool(_CLAIM_WORDS.search(pc.text))
                self.pending_denials.append((cl, side, names_claims))
        elif claims_control and not retold:
            if lx.find_any(lx.ATTEMPT, lang, toks) is not None:
                for p in places:
                    add(Kind.ATTEMPT, p, None, opposite(side) if side else None)
                return
            if lx.find_any(lx.CONDITIONAL, lang, toks) is not None:
                return
            if lx.find_any(lx.WITHDRAWAL, lang, toks) is None and not held:
                _control(self.text, lang, toks, control, completed, places, every, side, add)
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
            and not any(lx.find_any(ph, lang, toks) is not None for ph in lx.FIGHTING.values())
        ):
            for p in places:
                add(Kind.ATTEMPT, p, None, None)
            return
        self._withdrawal(pc, places, side, add)
        if lx.find_any(lx.AIR, lang, toks) is None and not admitted:
            self._fighting(pc, places, add)

    def _objects(
        self, cl: _Clause, toks: list[lx.Token], at: int, places: list[PlaceLike]
    ) -> list[PlaceLike]:
        """The places a control word takes as its object: the name or list right after it
        ("освободили Малорязанцево и Белую Гору", "the village of Voznesenka"), not every
        place of the clause ("…, north of Kurakhove, west of Donetsk city"). An unnamed
        object ("captured another village") takes none; no name after it: all of them."""
        after = sorted(
            (
                (m.start, m.end, p)
                for m, p in self.mentions
                if toks[at].end <= m.start and m.end <= cl.end and p in places
            ),
            key=lambda x: x[0],
        )
        if not after:
            return places
        between = [t for t in toks if toks[at].end <= t.start < after[0][0]]
        nouns = [n for n, t in enumerate(between) if t.low in _OBJECT_NOUNS]
        if nouns:
            rest = between[nouns[-1] + 1 :]
            apposition = re.search(r"[–—:]", self.text[between[nouns[-1]].end : after[0][0]])
            if rest and not apposition and any(t.low != "of" for t in rest):
                return []  # "захопили кілька населених пунктів у Курській області"
        elif len(between) > 3 or "," in self.text[toks[at].end : after[0][0]]:
            return places
        chain = [after[0]]
        for nxt in after[1:]:
            gap = self.text[chain[-1][1] : nxt[0]]
            if len(gap) > 80 or not _CHAIN.match(gap):
                break
            chain.append(nxt)
        return list({p.id: p for _s, _e, p in chain}.values())

    def _place_after(self, toks: list[lx.Token], at: int) -> list[PlaceLike]:
        """The place a capitalised word right after the control verb names, if the
        gazetteer knows exactly one (the matcher skips some case forms: "Суджу")."""
        if at + 1 >= len(toks):
            return []
        tok = toks[at + 1]
        if any(a <= tok.start < b for a, b in self.not_places):
            return []  # an axis or a grouping, not a place
        word = self.text[tok.start : tok.end]
        if not word[:1].isupper() or len(word) < 3:
            return []
        found = [p for p in self.resolve(word) if p.kind != "country"]
        return found if len(found) == 1 else []

    def _rejected_question(self, pc: _Parsed) -> bool:
        if not pc.text.rstrip().endswith("?"):
            return False
        later = [p for p in self.parsed if p.clause.start >= pc.clause.end]
        if not later:
            return False
        nxt = later[0]
        return nxt.denial is not None or (bool(nxt.toks) and nxt.toks[0].low in _NO)

    def _withdrawal(
        self, pc: _Parsed, places: Sequence[PlaceLike], side: str | None, add: _Sink
    ) -> None:
        at = lx.find_any(lx.WITHDRAWAL, pc.lang, pc.toks)
        if at is None or not places or lx.find_any(lx.CONDITIONAL, pc.lang, pc.toks) is not None:
            return
        toks = pc.toks
        if any(t.low in lx.NEGATION or t.low == "any" for t in toks[max(0, at - 3) : at]):
            return  # "did not mention any withdrawal", "не було відходу"
        who, _ = _actor(
            self.text, toks[max(0, at - 5)].start, toks[min(len(toks) - 1, at + 5)].end, side
        )
        for p in places:
            add(Kind.WITHDRAWAL, p, opposite(who or side), who or side)

    def _fighting(self, pc: _Parsed, places: Sequence[PlaceLike], add: _Sink) -> None:
        if lx.find_any(lx.PAST_FIGHTING, pc.lang, pc.toks) is not None:
            return  # fighting told as history
        for polarity, phrases in lx.FIGHTING.items():
            if lx.find_any(phrases, pc.lang, pc.toks) is None:
                continue
            # A clause naming no place speaks of the post's place, if it has only one and
            # the clause names no axis or grouping instead.
            # "Там тривають бої", "бої в ньому": a pronoun points at the post's main place.
            spots = {pid for pid, p in self.by_id.items() if not _is_area(p)}
            inherit = (
                self.main_place is not None
                and (len(self.by_id) == 1 or (len(spots) == 1 and _THERE.search(pc.text)))
                and not any(pc.clause.start <= a < pc.clause.end for a, _b in self.not_places)
            )
            targets = list(places) or ([self.main_place] if self.main_place and inherit else [])
            for p in targets:
                add(Kind.FIGHTING, p, None, polarity)
            return


def _control(
    text: str,
    lang: str,
    toks: list[lx.Token],
    control: int | None,
    completed: int | None,
    places: Sequence[PlaceLike],
    all_places: Sequence[PlaceLike],
    side: str | None,
    add: _Sink,
) -> None:
    at = control if control is not None else completed
    assert at is not None
    lo = toks[max(0, at - 5)].start
    hi = toks[min(len(toks) - 1, at + 5)].end
    winner, loser = _actor(text, lo, hi, side)
    # No actor named: a liberation verb is the asserting side's own gain; a capture verb
    # has no direction, so only a named speaker's side (never the channel's) may claim it.
    fallback = side or add.voice
    if lx.find_any(lx.CAPTURE, lang, toks) is not None:
        # with nobody named, a Ukrainian voice tells of the enemy's captures
        fallback = add.reported or ("RU" if side is None and add.voice == "UA" else None)
    controller = winner or opposite(loser) or fallback
    if controller is None:
        return
    spots = [p for p in places if not _is_area(p)]
    # "Completed" over a town means the town; over an area only with no town named, or
    # when the town taken is "the last settlement" of the area.
    last = lx.find_any(lx.LAST, lang, toks) is not None
    areas = [p for p in (all_places if last else places) if _is_area(p)]
    if last:
        completed = at
    partial = bool(_PARTIAL.search(text, toks[0].start, toks[-1].end))
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


def _loss_claims(text: str, side: str | None, date: datetime) -> list[Claim]:
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
