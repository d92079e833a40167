"""Who speaks and whose troops act: speaker names, reporting words and actors, per language."""

from __future__ import annotations

import re

REPORTING: dict[str, tuple[str, ...]] = {
    "uk": (
        "заявити|повідомити|стверджувати|сказати|оприлюднити|зазначити|визнати|доповісти|"
        "заявляти|повідомляти|наголосити|наголошувати|додати|розповісти|інформувати|"
        "поінформувати|проінформувати|"
        "писати|передати|передавати|уточнити|підтвердити|зазначатися|йтися|говоритися|"
        "казати|говорити|відповісти|відповідати|назвати|називати|пояснити|пояснювати",
        "за слово|дані",
        "заява|повідомлення|зведення",
        "з посиланням",
    ),
    "ru": (
        "заявить|сообщить|утверждать|сказать|объявить|доложить|отметить|признать|заявлять|"
        "сообщать|подчеркнуть|добавить|рассказать|информировать|писать|передать|передавать|"
        "уточнить|подтвердить|говориться|отмечаться|указать|доложить|говорить|ответить|"
        "отвечать|назвать|называть|пояснить|объяснить",
        "по данные|слово|словам|данным",
        "заявление|сообщение|сводка",
        "со ссылкой",
    ),
    "en": (
        "said|says|say|claim|claims|claimed|stated|reported|announced|told|according|"
        "admitted|acknowledged|insist*|report|statement|asserted|added|noted|wrote|writes|"
        "declared|emphasi*|informed|confirmed|citing|replied|responded|answered|explained",
    ),
}

# Denying is speaking too: "Генштаб ЗСУ спростував…" names who denies.
DENIAL_VERBS: dict[str, tuple[str, ...]] = {
    "uk": ("спростувати|спростовувати|заперечити|заперечувати",),
    "ru": ("опровергнуть|опровергать|отрицать|опровергаться",),
    "en": ("denied|denies|deny|refuted|refutes|dismissed|dismisses|rejected",),
}

AMBIGUOUS = "?"  # a speaker whose side the post's voice decides

# Who speaks: (pattern over lower-cased text, side, label en, label uk). Order: specific first.
SPEAKERS: tuple[tuple[str, str, str, str], ...] = (
    (
        r"генштаб\w*\s+(?:зсу|всу)|"
        r"генеральн\w+\s+штаб\w*\s+(?:зсу|всу|збройних|вооруж\w+ сил украины)|"
        r"general staff of (?:the armed forces of )?ukraine|ukraine.s general staff|"
        r"ukrainian general staff|генштаб\w* україни|генштаб\w* украины",
        "UA",
        "Ukraine's General Staff",
        "Генштаб ЗСУ",
    ),
    (
        # "the General Staff", "Генштаб" with no country: whose is told by the post's voice
        r"(?<!russia.s )(?<!russian )\bgeneral staff\b(?! of (?:the )?russia)|"
        r"генштаб\w*(?!\s+(?:вс\s+)?(?:рф|росії|россии|вс рф|збройних сил рф|зсу|всу|україн\w*|"
        r"украин\w*))(?!\s+(?:\w+\s+)?герасимов)",
        AMBIGUOUS,
        "the General Staff",
        "Генштаб",
    ),
    (
        r"зеленськ\w*|зеленск\w*|zelensk\w*|президент\w* україни|президент\w* украины|"
        r"ukraine.s president|ukrainian president",
        "UA",
        "Ukraine's President",
        "Президент України",
    ),
    (
        r"сирськ\w*|сырск\w*|syrsk\w*|головком\w*|главком\w*|головнокомандувач\w*|"
        r"главнокомандующ\w* всу|commander-in-chief of (?:the )?ukrain\w*",
        "UA",
        "Ukraine's Commander-in-Chief",
        "Головнокомандувач ЗСУ",
    ),
    (
        r"маляр\w*|maliar|буданов\w*|budanov|умєров\w*|umerov|резніков\w*|reznikov|"
        r"залужн\w*|zaluzhn\w*|тарнавськ\w*|tarnavsk\w*|черевать\w*|череват\w*|cherevat\w*|"
        r"трегубов\w*|trehubov|плетенчук\w*|pletenchuk|волошин\w*|voloshyn|"
        r"хортиц\w*|khortytsia|таврі\w*|tavria|міністр\w* оборони україни|"
        r"\bх?ова\b|\bоту\b|синєгуб\w*|синегуб\w*|обласн\w+ військов\w+ адміністрац\w*|"
        r"областн\w+ военн\w+ администрац\w*|"
        r"стратком\w*|stratcom|deep\s?state|діпстейт|\bцпд\b|центр\w* протидії дезінформації|"
        r"ukraine.s (?:defen[cs]e ministry|ministry of defen[cs]e|military|armed forces)|"
        r"ukrainian (?:troops|defenders|soldiers|command|officials)|armed forces of ukraine|"
        r"нацгвард\w* україни|нацгвард\w* украины|національн\w+ гвард\w* україни|"
        r"national guard of ukraine|"
        r"збройн\w* сил\w* україни|вооруж\w* сил\w* украины|"
        r"сил\w* оборони україни|сил\w* обороны украины|\d+\W{0,3}(?:окрем\w+ )?\w+ бригад\w* зсу",
        "UA",
        "the Ukrainian military",
        "українські військові",
    ),
    (
        r"міноборони\s+(?:рф|росії)|минобороны|министерств\w+ обороны|\bмо рф|"
        r"міністерств\w+ оборони (?:рф|росії|країни-агресор\w*)|"
        r"угрупованн\w* (?:військ )?[«\"“]?(?:захід|центр|схід|південь|північ|дніпро)|"
        r"russia.s (?:defen[cs]e ministry|ministry of defen[cs]e|mod)|"
        r"russian (?:defen[cs]e ministry|ministry of defen[cs]e|mod)|"
        r"(?:the )?(?:ministry of defen[cs]e|defen[cs]e ministry) of russia|"
        r"(?:пресс-центр\w* )?группировк\w* (?:войск )?[«\"“]?"
        r"(?:центр|запад|север|восток|юг|днепр)",
        "RU",
        "Russia's MoD",
        "Міноборони РФ",
    ),
    (
        r"шойгу|shoigu|белоусов\w*|belousov|конашенков\w*|konashenkov|пригожин\w*|prigozhin|"
        r"вагнер\w*|wagner",
        "RU",
        "Russia's MoD",
        "Міноборони РФ",
    ),
    (
        r"герасимов\w*|gerasimov|генштаб\w* (?:вс )?(?:рф|вс рф|россии|росії)|"
        r"russian general staff|"
        r"russia.s general staff|general staff of (?:the )?russia\w*",
        "RU",
        "Russia's General Staff",
        "Генштаб РФ",
    ),
    (
        r"кремл\w*|kremlin|пєсков\w*|песков\w*|peskov|путін\w*|путин\w*|putin|"
        r"президент\w* (?:рф|росії|россии)|russian president|верховн\w* главнокомандующ\w*|"
        r"риа новост\w*|ria novosti|"
        r"\bтасс\b|\btass\b|силов\w+ структур\w*",
        "RU",
        "the Kremlin",
        "Кремль",
    ),
    (
        r"\bзсу\b|\bвсу\b|сил\w* оборони|ukrainian (?:military|army|forces)|"
        r"\bukraine\b|\bkyiv\b|\bкиїв\b|\bкиев\b|\bукраїн[аиуі]\b|\bукраин[аеуы]\b",
        "UA",
        "the Ukrainian side",
        "українська сторона",
    ),
    (
        r"russian (?:military|army|officials|forces|command)|\brussia\b|\bmoscow\b|\bмосква\b|"
        r"\bрф\b|\bросі[яїюй]\w*|\bросси[яиюей]\w*|країн\w+.агресор\w*|держав\w+.агресор\w*|"
        r"стран\w*.агрессор\w*|росіян\w*|россиян\w*|\brussians\b|\bмоскв\w*|\bвс рф\b",
        "RU",
        "the Russian side",
        "російська сторона",
    ),
)
SPEAKER_RES = tuple((re.compile(p), s, en, uk) for p, s, en, uk in SPEAKERS)

# Actors of a control verb: whose troops did it. "our"/"enemy" are relative to the speaker.
ACTORS: tuple[tuple[str, str], ...] = (
    (
        r"\bзсу\b|\bвсу\b|сил\w* оборони|сил\w* обороны|"
        r"(?:україн\w*|украин\w*|ukrain\w*|\bkyiv)\b(?!\W+(?:city|town|village|territor\w*|"
        r"border|side|місто|міста|город|города|село|територі\w*|территори\w*|назван\w*))",
        "UA",
    ),
    (
        r"російськ\w*|российск\w*|\bрф\b|russian|окупант\w*|оккупант\w*|рашист\w*|"
        r"росіян\w*|россиян\w*|occupiers?\b|invaders?\b|\bросі[яїюй]\w*|\bросси[яиюей]\w*|"
        r"\brussia\b|загарбник\w*|moscow.s forces|"
        r"группировк\w* войск|угрупованн\w* військ рф|вс рф",
        "RU",
    ),
    (r"\bнаш\w*|\bour\b|\bмы\b|\bми\b", "SELF"),
    (r"ворог\w*|противник\w*|\bврага?\b|\benemy\b|неприятел\w*", "OTHER"),
)
ACTOR_RES = tuple((re.compile(p), s) for p, s in ACTORS)
FROM_WORDS = frozenset({"від", "от", "from", "з", "із", "из"})
# "cleared of Ukrainian forces": "of" means "from" only after clearing words ("the chief of
# Russia's General Staff" is no loser)
CLEARED_OF = re.compile(r"(?:clear\w*|free\w*|rid|purged?)\s+of\s+(?:\w+\W+){0,2}$")
# "опорні пункти противника", "the enemy's fortified areas": the enemy owned what was taken
POSSESSED = re.compile(
    r"(?:пункт\w*|позиці\w*|позици\w*|укріплен\w*|укреплен\w*|район\w*|areas?|positions?|"
    r"strongholds?|опорн\w*|угрупован\w*|группировк\w*)$"
)
