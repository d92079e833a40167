"""Who says each clause of a post: the speaker named in it, in its sentence or around it.

News posts retell several voices ("Russia's MoD claimed…, but Генштаб ЗСУ спростував…"), so a
claim belongs to its speaker, not to the channel. A speaker is named next to a reporting word
("заявив", "said", "по данным", "спростував"); a sentence with a reporting word but no name
("he said", "йдеться у повідомленні") is the last named speaker's; a quotation is its
attribution's ("«…», - заявив Песков"); "Об этом сообщил X" names the speaker of the
sentences before it; otherwise a sentence speaks with the voice of the one before it in the
same paragraph. Pure: text and tokens in, speakers out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.claims import lexicon as lx


@dataclass(frozen=True, slots=True)
class Speaker:
    side: str
    label_en: str
    label_uk: str


def opposite(side: str | None) -> str | None:
    return {"UA": "RU", "RU": "UA"}.get(side or "")


SIDE_LABELS = {
    "UA": ("the Ukrainian side", "українська сторона"),
    "RU": ("the Russian side", "російська сторона"),
}

_GENERIC = 2  # the last speaker patterns name a whole side, not a body that speaks
_GENERIC_REACH = 30  # characters between such a name and its reporting word

# "заява" / "заяви" (claims, a noun) name whose claim follows; "заявила" (said, a verb) names
# who speaks: only the noun's case forms count.
_CLAIM_NOUN_UK = r"заяв(?:а|и|і|у|ою|ам|ами|ах)?\b"

_CLAIM_BEFORE = re.compile(
    rf"({_CLAIM_NOUN_UK}|повідомлен\w*|заявлен\w*|сообщени\w*|claims?|statements?|reports?\s+(?:by|from)|"
    r"представник\w*|представител\w*)\W+(?:\w+\W+){0,4}$"
    r"|(?:claims?|statements?)\s+(?:made\s+)?by\s+(?:\w+\W+){0,8}$"
)
_CLAIM_AFTER = re.compile(
    r"\W*(?:'s\W+)?(?:(?!deni|reject|dismiss|disput|спрост|опроверг)\w+\W+)?"
    r"(claims?|statements?|про|о|об)\b"
)


def claimants(clause: str, named_only: bool = False) -> set[str]:
    """Sides whose claims the clause retells: "X's claims", "заяви X", "X claims that";
    ``named_only``: only a named body (Gerasimov, the MoD), not a whole side ("Russian")."""
    low = clause.lower()
    sides: set[str] = set()
    patterns = lx.SPEAKER_RES[:-_GENERIC] if named_only else lx.SPEAKER_RES
    for rx, side_, _en, _uk in patterns:
        side = "UA" if side_ == lx.AMBIGUOUS else side_
        for m in rx.finditer(low):
            before = low[max(0, m.start() - 60) : m.start()]
            after = low[m.end() : m.end() + 25]
            if _CLAIM_BEFORE.search(before) or _CLAIM_AFTER.match(after):
                sides.add(side)
    return sides


# Not a speaker: the author of a claim named after it ("заяви Герасимова"), or an object
# ("від підрозділів ЗСУ", "from Ukrainian forces", "against Russia").
_OBJECT_BEFORE = re.compile(
    r"(?:\b(?:від|от|из|з|із|from|against|проти|против|over|над|of)\W+(?:\w+\W+)?|"
    rf"(?:{_CLAIM_NOUN_UK}|заявлен\w*|сообщени\w*|повідомленн\w*|claims?\s+(?:by|of))\W+"
    r"(?:\w+\W+){0,3})$"
)


def _tokens(toks: Sequence[lx.Token]) -> lx.Tokens:
    return lx.as_tokens(toks)


def _reporting_at(toks: Sequence[lx.Token], lang: str) -> int | None:
    rep = lx.find_any(lx.REPORTING, lang, _tokens(toks))
    den = lx.find_any(lx.DENIAL_VERBS, lang, _tokens(toks))
    if rep is None or (den is not None and den < rep):
        return den
    return rep


_GS_LABELS = {
    "UA": ("Ukraine's General Staff", "Генштаб ЗСУ"),
    "RU": ("Russia's General Staff", "Генштаб РФ"),
}


def _resolve(side: str, en: str, uk: str, voice: str | None) -> Speaker:
    """A speaker; "the General Staff" with no country is the one of the post's voice."""
    if side != lx.AMBIGUOUS:
        return Speaker(side, en, uk)
    real = voice or "UA"
    return Speaker(real, *_GS_LABELS[real])


def named_speaker(
    text: str,
    start: int,
    end: int,
    toks: Sequence[lx.Token],
    lang: str,
    voice: str | None = None,
) -> Speaker | None:
    """The side named as the source of ``text[start:end]``, next to a reporting word.

    A side named as the author of a retold claim ("сообщение Путина о…") is whose claim is
    answered, not who answers: when the span denies, the denier is another named speaker or,
    failing one, the other side.
    """
    rep = _reporting_at(toks, lang)
    if rep is None:
        return None
    low = text[start:end].lower()
    # when the span denies, the denying verb names who speaks ("X denied claims by Y")
    den_at = lx.find_all(lx.DENIAL_VERBS, lang, _tokens(toks))
    rep_at_all = den_at or lx.find_all(lx.REPORTING, lang, _tokens(toks))
    reps = [toks[i].start - start for i in rep_at_all]
    denies = lx.find_any(lx.DENIAL, lang, _tokens(toks)) is not None
    denies = denies or lx.find_any(lx.DENIAL_VERBS, lang, _tokens(toks)) is not None
    told = claimants(text[start:end]) if denies else set()
    best: tuple[int, int, Speaker] | None = None
    for n, (rx, side_, en, uk) in enumerate(lx.SPEAKER_RES):
        tier = int(n >= len(lx.SPEAKER_RES) - _GENERIC)  # a named body beats "Russia", "ЗСУ"
        side = (voice or "UA") if side_ == lx.AMBIGUOUS else side_
        for m in rx.finditer(low):
            if side in told or _OBJECT_BEFORE.search(low[max(0, m.start() - 40) : m.start()]):
                continue
            rep_at = min(reps, key=lambda r: abs(m.start() - r))
            dist = abs(m.start() - rep_at)
            lo, hi = sorted((m.start(), rep_at))
            if tier and (dist > _GENERIC_REACH or re.search(r"[,;:–—]", low[lo:hi])):
                continue  # "Russia", "ЗСУ" speak only right at the verb ("Russia said")
            # the body nearest its verb speaks; a whole side counts as a little farther
            key = (dist + tier * _GENERIC_REACH, tier)
            if best is None or key < best[:2]:
                best = (*key, _resolve(side_, en, uk, voice))
    if best is not None:
        return best[2]
    if len(told) == 1:
        other = opposite(next(iter(told)))
        if other:
            return Speaker(other, *SIDE_LABELS[other])
    return None


@dataclass(frozen=True, slots=True)
class Span:
    """A clause or sentence as the attribution sees it."""

    start: int
    end: int
    sentence: int
    toks: Sequence[lx.Token]
    lang: str


_BACKREF = re.compile(
    r"\b(?:об этом|про це|about this|this was|this is according|такі дані|такие данные)\b"
)
_QUOTE = re.compile(r"«[^«»]{20,3000}»|“[^“”]{20,3000}”|\"[^\"]{20,3000}\"|„[^„“]{20,3000}“")


_DASH_SOURCE = re.compile(r"\s[–—-]\s*([^–—-]{2,40})$")


def _dash_source(sentence: str, voice: str | None) -> Speaker | None:
    """The source a headline names after a dash: "Росіяни окупували Суджу – DeepState"."""
    m = _DASH_SOURCE.search(sentence.rstrip(" .!"))
    if m is None:
        return None
    tail = m.group(1).lower()
    for rx, side, en, uk in lx.SPEAKER_RES[:-_GENERIC]:
        if rx.search(tail):
            return _resolve(side, en, uk, voice)
    return None


_COLON_SOURCE = re.compile(r"^\W*([^:\n]{2,40}):\s")


def _colon_source(sentence: str, voice: str | None) -> Speaker | None:
    """The source a line names before a colon: "Генштаб ЗСУ: там тривають бої"."""
    m = _COLON_SOURCE.match(sentence)
    if m is None:
        return None
    head = m.group(1).lower()
    for rx, side, en, uk in lx.SPEAKER_RES[:-_GENERIC]:
        if rx.search(head):
            return _resolve(side, en, uk, voice)
    return None


def attribute(
    text: str, clauses: Sequence[Span], voice: str | None = None
) -> list[tuple[Speaker | None, bool]]:
    """The speaker of each clause (None: nobody named; the channel speaks), and whether
    the clause's own sentence names it (not carried over from elsewhere)."""
    own = [named_speaker(text, c.start, c.end, c.toks, c.lang, voice) for c in clauses]
    sentences: dict[int, list[int]] = {}
    for i, c in enumerate(clauses):
        sentences.setdefault(c.sentence, []).append(i)
    order = sorted(sentences)
    bounds = {
        s: (
            clauses[ix[0]].start,
            clauses[ix[-1]].end,
            # a one-clause sentence shares its clause's tokens (and their search results)
            lx.as_tokens(clauses[ix[0]].toks)
            if len(ix) == 1
            else lx.Tokens(t for i in ix for t in clauses[i].toks),
        )
        for s, ix in sentences.items()
    }
    para = {s: text.count("\n", 0, bounds[s][0]) for s in order}
    spk: dict[int, Speaker | None] = {}
    named: set[int] = set()
    last: Speaker | None = None
    for s in order:
        found = next((own[i] for i in sentences[s] if own[i] is not None), None)
        lo, hi, toks = bounds[s]
        lang = clauses[sentences[s][0]].lang
        if found is None:
            found = named_speaker(text, lo, hi, toks, lang, voice)
        if found is not None:
            named.add(s)
        if found is None:
            found = _dash_source(text[lo:hi], voice)  # a headline "… – DeepState"
        if found is None:
            found = _colon_source(text[lo:hi], voice)  # "Генштаб ЗСУ: там тривають бої"
        if found is None and last is not None and _reporting_at(toks, lang) is not None:
            found = last  # "he said", "йдеться у повідомленні": the last named speaker
        spk[s] = found
        if found is not None:
            last = found
    # A quotation speaks with its attribution: «…», - заявив Песков.
    for m in _QUOTE.finditer(text):
        after = next((s for s in order if bounds[s][0] <= m.end() < bounds[s][1] + 3), None)
        tail_spk = spk.get(after) if after is not None else None
        if tail_spk is None:
            continue
        for s in order:
            if m.start() <= bounds[s][0] < m.end() and spk[s] is None:
                spk[s] = tail_spk
    # "Об этом сообщил X": X said the unattributed sentences just before.
    for n, s in enumerate(order):
        lo, hi, _ = bounds[s]
        if spk[s] is None or not _BACKREF.search(text[lo:hi].lower()):
            continue
        first_in_para = n == 0 or para[order[n - 1]] != para[s]
        for back in reversed(order[:n]):
            same = para[back] == para[s]
            if spk[back] is not None or not (same or (first_in_para and para[back] == para[s] - 1)):
                break
            spk[back] = spk[s]
    # Otherwise a sentence goes on in the voice of the one before it, in one paragraph, or
    # across paragraphs when it is a quotation ("“Also untrue are statements…”").
    prev: int | None = None
    for s in order:
        quoted = text[bounds[s][0] : bounds[s][0] + 1] in '«"“„'
        if spk[s] is None and prev is not None and (para[prev] == para[s] or quoted):
            spk[s] = spk[prev]
        prev = s
    return [
        (own[i], True) if own[i] else (spk[c.sentence], c.sentence in named)
        for i, c in enumerate(clauses)
    ]


_UA_VOICE = re.compile(
    r"окупант|оккупант|ворог|\bвраг|рашист|росіян|россиян|загарбник|\borcs?\b|occupier|invader|"
    r"сил\w* оборони|сил\w* обороны|захисник|защитник|\bdefenders\b|агресор|агрессор",
    re.IGNORECASE,
)
_RU_VOICE = re.compile(
    r"\bвфу\b|боевик|неонацист|нацист|киевск\w* режим|kyiv regime|kiev regime|\bукро|"
    r"\bсво\b|спецоперац|противник",
    re.IGNORECASE,
)


def post_voice(text: str) -> str | None:
    """The side a news post's own narration takes, from its wording; None when unclear.

    Ukrainian-language reporting narrates from the Ukrainian side; otherwise the words it uses
    for the armies tell ("окупанти", "ворог" vs "освобождение", "боевики ВСУ").
    """
    if lx.detect_lang(text) == "uk":
        return "UA"  # Ukrainian-language media
    ua = len(_UA_VOICE.findall(text))
    ru = len(_RU_VOICE.findall(text))
    if ua > ru:
        return "UA"
    if ru > ua:
        return "RU"
    return None
