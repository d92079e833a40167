"""Trigger lexicons for claims, per language, written as lemmas.

A phrase is a space-separated sequence of slots; a slot lists alternatives with ``|``; an
alternative ending in ``*`` matches any word starting with it. Words of a phrase must appear
in order, at most ``MAX_GAP`` words apart. ``A & B`` means both parts anywhere in the clause.
Ukrainian and Russian words are compared by pymorphy3 lemma, so "звільнено", "звільнили" and
"звільнення" all meet the lemmas "звільнити" / "звільнення"; English has no analyser here, so
its phrases list the inflected forms (or stems with ``*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

import pymorphy3

from bot.core.morph import analyzer

MAX_GAP = 3

# kind -> language -> phrases
CONTROL: dict[str, tuple[str, ...]] = {
    "uk": (
        "звільнити|звільнення|звільнений",
        "захопити|захоплення|захоплений",
        "окупувати|окупований",
        "зачистити|зачистка",
        "взяти під контроль",
        "встановити контроль",
        "під контроль|контролем",
        "в|у руки|руках",
        "вибити|витіснити з|із",
        "зайняти|заняти",
        "оволодіти",
    ),
    "ru": (
        "освободить|освобождение|освобождённый|освобожденный",
        "захватить|захват|захваченный",
        "оккупировать",
        "зачистить",
        "взять под контроль",
        "установить контроль",
        "под контроль|контролем",
        "в руки|руках",
        "выбить|вытеснить из",
        "занять",
        "овладеть",
    ),
    "en": (
        "liberat*",
        "captur*",
        "recaptur*",
        "retook|retaken|regained",
        "took|taken|take|taking|seized|seize*|secured|secure*|established|gained control|hold",
        "had|has|have taken|took",
        "took|taken the village|town|city|settlement",
        "seized|seize",
        "cleared",
        "under control",
        "fell",
        "occupied",
    ),
}

COMPLETED: dict[str, tuple[str, ...]] = {
    "uk": (
        "завершення|завершити|завершений бій|бойовий|операція|звільнення",
        "повністю|повний звільнити|звільнення|звільнений|контроль",
    ),
    "ru": (
        "завершение|завершить|завершённый|завершенный бой|боевой|операция|освобождение",
        "полностью|полный освободить|освобождение|освобождённый|освобожденный|контроль",
    ),
    "en": (
        "fully|completely|entirely liberat*|captur*|recaptur*|cleared|taken",
        "complet*|end|ended|conclu* of|the liberation|operation|combat|hostilities|fighting",
    ),
}

# "the last settlement of X Oblast": taking it completes the operation over the area.
LAST: dict[str, tuple[str, ...]] = {
    "uk": ("останній населений|село|місто",),
    "ru": ("последний населённый|населенный|село|город",),
    "en": ("last settlement|village|town",),
}

WITHDRAWAL: dict[str, tuple[str, ...]] = {
    "uk": (
        "вийти з|із",
        "вихід з|із",
        "відійти|відхід|відступити|відступ",
        "відвести|відведення|вивести|виведення|вивід",
        "вигідний рубіж",
        "залишити місто|населений",
    ),
    "ru": (
        "выйти из",
        "выход из",
        "отойти|отход|отступить|отступление",
        "отвести|отвод|вывести|вывод",
        "выгодный рубеж",
        "оставить город|населённый|населенный",
        "покинуть",
    ),
    "en": (
        "withdr*",
        "pulled out",
        "retreat*",
        "more favourable|favorable|advantageous lines|positions",
    ),
}

_FIGHT_NOUNS_UK = (
    "бій|бойовий|операція|дія|зіткнення|штурм|боєзіткнення|пошуково-ударн*|стабілізаційний|"
    "оборона|зачистка|зачищення"
)
_FIGHT_NOUNS_RU = "бой|боевой|операция|действие|столкновение|штурм|оборона|зачистка"
_FIGHT_NOUNS_EN = "fighting|operation|battle*|clashes|hostilities|combat|defen*"

FIGHTING: dict[str, dict[str, tuple[str, ...]]] = {
    "ongoing": {
        "uk": (
            f"тривати|продовжуватися|тривалий & {_FIGHT_NOUNS_UK}",
            "вестися бій",
            "бій за|в|у|біля",
            "зіткнення|боєзіткнення у|в|біля|поблизу|район|районі|районах",
            "оборонний операція",
            "операція тривати",
        ),
        "ru": (
            f"продолжаться|продолжиться|идти|вестись & {_FIGHT_NOUNS_RU}",
            "бой за|в|у|около",
            "столкновение|боестолкновение в|у|около|район|районе|районах",
            "нанести поражение",
        ),
        "en": (
            f"continu*|ongoing|underway & {_FIGHT_NOUNS_EN}",
            "fighting for|in|near",
            "clashes|engagements in|near|around",
            "operation of our forces",
            "clashes",
        ),
    },
    "holding": {
        "uk": (
            "ситуація|обстановка під|на контроль|контролем|контрольований",
            "знаходиться|перебуває|залишається|знаходяться|перебувають|залишаються під "
            "контроль|контролем",
            "залишатися під контроль|контролем",
            "утримувати|утримання",
            "тримати позиція|оборона",
            "триматися на|в|у околиця|околиці|позиція|позиціях|місті",
            "контролювати|контролюватися",
        ),
        "ru": (
            "ситуация|обстановка под|на контроль|контролем|контроле|контролируемый",
            "находится|остается|находятся|остаются под контроль|контролем",
            "оставаться под контроль|контролем",
            "удерживать|удержание",
            "держать оборона|позиция",
            "держаться на|в окраина|окраине|окраинах|позиция|позициях|городе",
            "контролировать|контролироваться",
        ),
        "en": (
            "situation under|is control|controlled",
            "is|remains|stays under the control",
            "remain* under control",
            "remain* in control",
            "continue to hold",
            "still hold*",
            "still|continue operating|operate",
            "hold|holding|held|holds positions|position|ground|line|lines|the",
        ),
    },
    "repelled": {
        "uk": (
            "відбити|відбивати|відбитий",
            "зупинити штурм|штурмовий|атака|наступ|наступальний",
            "відсіч",
        ),
        "ru": ("отбить|отбивать|отбитый", "отразить|отражать|отражённый|отраженный"),
        "en": ("repell*|repuls*", "fought off", "beat back|off"),
    },
    "remnants": {
        "uk": ("залишки|залишок|рештки", "залишатися підрозділ|ворожий|противник"),
        "ru": ("остаток|остатки", "оставаться подразделение|противник"),
        "en": ("remnants", "remaining pockets|units|troops"),
    },
}

# Air defence reports ("Повітряний напад відбито") are not ground fighting at a place.
AIR: dict[str, tuple[str, ...]] = {
    "uk": ("повітряний|протиповітряний|ппо|ракета|бпла|дрон|шахед|shahed|балістичний",),
    "ru": ("воздушный|противовоздушный|пво|ракета|бпла|беспилотник|дрон|шахед|баллистический",),
    "en": ("air|missile*|drone*|uav*|shahed*|ballistic",),
}

# Intent and orders ("хоче окупувати", "наказав захопити", "мета — захопити") are not control.
ATTEMPT: dict[str, tuple[str, ...]] = {
    "uk": (
        "намагатися|спробувати|спроба|прагнути|планувати|намір",
        "хотіти захопити",
        "хотіти|наказати|наказ|мета захопити|захоплення|окупувати|звільнити|взяти|"
        "зайняти|оволодіти",
    ),
    "ru": (
        "пытаться|попытаться|попытка|стремиться|планировать|намерение",
        "хотеть захватить",
        "хотеть|приказать|приказ|цель захватить|захват|оккупировать|освободить|взять|"
        "занять|овладеть",
    ),
    "en": (
        "attempt*",
        "trying|tries|tried|try to",
        "seek*|sought to",
        "plan|plans|planned to",
        "aim|aims|aimed to",
        "push* to",
        "goal|order*|want* captur*|seize*|occup*|take|liberat*",
    ),
}

# Fighting told as over ("Бои за Угледар шли более двух лет", "після місяців боїв") is
# history, not a claim that fighting goes on.
PAST_FIGHTING: dict[str, tuple[str, ...]] = {
    "uk": (
        "після|через бій|бойовий|штурм",
        "йшли|велися|точилися|тривали понад|більше|рік|місяць",
    ),
    "ru": ("после|спустя бой|боевой|штурм", "шли|велись|продолжались более|больше|год|месяц"),
    "en": ("after fighting|battles|months|weeks", "had been fighting", "lasted|raged for|more"),
}

# Clearing that goes on is fighting, not a place taken ("продолжается зачистка города").
ONGOING_CLEARING: dict[str, tuple[str, ...]] = {
    "uk": ("тривати|продовжуватися|продовжувати зачистка|зачищення|зачищати",),
    "ru": ("продолжаться|продолжать|идти зачистка|зачищать",),
    "en": ("continu*|ongoing clearing|clear*",),
}

# An attempt to push defenders off their positions is fighting at those places, not an
# attempt to take them ("спроби потіснити наших захисників із займаних позицій у районах…").
DISLODGE: dict[str, tuple[str, ...]] = {
    "uk": ("потіснити|витіснити|вибити|позиція|позиції|атакувати",),
    "ru": ("потеснить|вытеснить|выбить|позиция|позиции|атаковать",),
    "en": ("dislodge*|position|positions|attack",),
}

# An attempt without a control verb is an attempt only if it is one to advance.
ADVANCE: dict[str, tuple[str, ...]] = {
    "uk": (
        "просунутися|просування|прорватися|прорив|наступати|штурмувати|вклинитися|"
        "витіснити|оточити",
    ),
    "ru": (
        "продвинуться|продвижение|прорваться|прорыв|наступать|штурмовать|вклиниться|"
        "вытеснить|окружить",
    ),
    "en": ("advanc*|break|breach*|push*|storm*|encircl*|dislodge*",),
}

CONDITIONAL: dict[str, tuple[str, ...]] = {
    "uk": ("якщо|якби", "у разі", "може|можуть|міг|могли", "ймовірно|імовірно|можливо"),
    "ru": ("если", "в случае", "может|могут|мочь", "вероятно|возможно"),
    "en": ("if|unless|would|could|might|may", "likely|possibly|probably"),
}

DENIAL: dict[str, tuple[str, ...]] = {
    "uk": (
        "не відповідати",
        "брехня|неправда|фейк|пропаганда|вигадка|неіснуючий|недостовірний|збрехати|брехати",
        "видавати бажаний|бажане",
        "спростувати|спростування|спростовувати",
        "заперечити|заперечувати|заперечення",
        "не підтверджуватися",
    ),
    "ru": (
        "не соответствовать",
        "ложь|неправда|фейк|пропаганда|выдумка|несуществующий|недостоверный|соврать|лгать|врать",
        "выдавать желаемый|желаемое",
        "опровергнуть|опровержение|опровергать",
        "отрицать|отрицание",
        "не подтверждаться",
    ),
    "en": (
        "false|untrue|fake|lied|propaganda|fabricat*",
        "a lie",
        "dismiss*|denied|denies|deny|refut*|reject*|disputed|disputes",
        "wishful thinking",
        "not true",
        "does|do not reflect",
    ),
}

# The post distances itself from what it retells: a claim in this clause is someone else's.
HEDGE: dict[str, tuple[str, ...]] = {
    "uk": ("нібито", "так званий", "подати|подавати|видати|видавати як|за"),
    "ru": ("якобы", "так называемый", "подать|подавать|выдать|выдавать как|за"),
    "en": ("allegedly|alleged|purported*|so-called", "portray*|present*|pass* as|off"),
}

# "не змогли / не вдалося / не смогли" carry "не"; English failure words stand alone.
NEGATION = frozenset(
    {
        "не",
        "ні",
        "not",
        "no",
        "never",
        "нет",
        "failed",
        "fail",
        "fails",
        "unable",
        # "ніякого захоплення немає", "никакого освобождения нет"
        "ніякого",
        "ніякої",
        "жодного",
        "жодної",
        "никакого",
        "никакой",
    }
)

# Capture verbs name no direction: "Захоплено X" in a Ukrainian channel may retell either
# side's gain, so with no actor named they make no control claim (liberation verbs do:
# a channel liberates for its own side).
CAPTURE: dict[str, tuple[str, ...]] = {
    "uk": ("захопити|захоплення|захоплений", "окупувати|окупований|окупація"),
    "ru": ("захватить|захват|захваченный", "оккупировать|оккупированный|оккупация"),
    "en": ("captur*", "seized|seize|seizes|seizing", "occup*"),
}

REPORTING: dict[str, tuple[str, ...]] = {
    "uk": (
        "заявити|повідомити|стверджувати|сказати|оприлюднити|зазначити|визнати|доповісти|"
        "заявляти|повідомляти|наголосити|наголошувати|додати|розповісти|інформувати|"
        "поінформувати|проінформувати|"
        "писати|передати|передавати|уточнити|підтвердити|зазначатися|йтися|говоритися|"
        "казати|говорити",
        "за слово|дані",
        "заява|повідомлення|зведення",
        "з посиланням",
    ),
    "ru": (
        "заявить|сообщить|утверждать|сказать|объявить|доложить|отметить|признать|заявлять|"
        "сообщать|подчеркнуть|добавить|рассказать|информировать|писать|передать|передавать|"
        "уточнить|подтвердить|говориться|отмечаться|указать|доложить|говорить",
        "по данные|слово|словам|данным",
        "заявление|сообщение|сводка",
        "со ссылкой",
    ),
    "en": (
        "said|says|say|claim|claims|claimed|stated|reported|announced|told|according|"
        "admitted|acknowledged|insist*|report|statement|asserted|added|noted|wrote|writes|"
        "declared|emphasi*|informed|confirmed|citing",
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

_WORD = re.compile(r"[\w'’ʼ-]+", re.UNICODE)
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_CYR = re.compile(r"[а-яА-Я]")


def detect_lang(text: str, cyrillic: str = "cy") -> str:
    """'uk', 'ru' or 'en'. Letters unique to one alphabet decide; counts break ties;
    Cyrillic with neither kind of letter is ``cyrillic`` ("cy": both, undecided)."""
    uk = len(_UK_ONLY.findall(text))
    ru = len(_RU_ONLY.findall(text))
    if uk or ru:
        return "uk" if uk >= ru else "ru"
    return cyrillic if _CYR.search(text) else "en"


def _analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    return analyzer(lang)  # shared with the search terms: one load per process


@lru_cache(maxsize=200_000)
def lemmas(word: str, lang: str) -> frozenset[str]:
    """The lemmas of a lower-case word (all parses' normal forms, plus the word itself)."""
    if lang == "en" or not _CYR.search(word):
        return frozenset({word})
    if lang == "cy":
        return lemmas(word, "uk") | lemmas(word, "ru")
    forms = {word}
    for parse in _analyzer(lang).parse(word)[:3]:
        forms.add(parse.normal_form.replace("ё", "е"))
    return frozenset(forms)


@lru_cache(maxsize=50_000)
def is_verb(word: str, lang: str) -> bool:
    """Whether a word is most likely a finite verb (clause boundary after "та"/"и")."""
    low = word.lower()
    if lang == "en":
        return low in _EN_VERBS or (low.endswith("ed") and len(low) > 4)
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    return any(_analyzer(code).parse(low)[0].tag.POS == "VERB" for code in langs)


_EN_VERBS = frozenset(
    {
        "continue",
        "continues",
        "are",
        "is",
        "hold",
        "holds",
        "remain",
        "remains",
        "say",
        "says",
        "said",
        "repelled",
        "keep",
        "keeps",
    }
)


class Token:
    __slots__ = ("end", "forms", "low", "start")

    def __init__(self, low: str, forms: frozenset[str], start: int, end: int) -> None:
        self.low = low
        self.forms = forms
        self.start = start
        self.end = end


class Tokens(list[Token]):
    """A clause's tokens, with the set of all their words and lemmas (built once): a phrase
    whose plain words are not all in it cannot match, and most phrases are ruled out so."""

    __slots__ = ("_words",)

    def words(self) -> frozenset[str]:
        try:
            return self._words
        except AttributeError:
            self._words: frozenset[str] = frozenset(w for t in self for w in (t.low, *t.forms))
            return self._words


def tokenize(text: str, lang: str, offset: int = 0) -> Tokens:
    out = Tokens()
    for m in _WORD.finditer(text):
        low = m.group().lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
        out.append(Token(low, lemmas(low, lang), offset + m.start(), offset + m.end()))
    return out


Slot = tuple[frozenset[str], tuple[str, ...]]  # exact lemmas, prefixes
Pattern = tuple[tuple[Slot, ...], ...]  # parts joined by '&'; each part a slot sequence


def _slot(spec: str) -> Slot:
    alts = [a.replace("ё", "е") for a in spec.split("|")]
    return (
        frozenset(a for a in alts if not a.endswith("*")),
        tuple(a[:-1] for a in alts if a.endswith("*")),
    )


@cache
def compile_phrase(phrase: str) -> Pattern:
    return tuple(tuple(_slot(s) for s in part.split()) for part in phrase.split("&"))


def _impossible(pattern: Pattern, toks: list[Token]) -> bool:
    """Whether some slot of plain words has none of them among the clause's words."""
    if not isinstance(toks, Tokens):
        return False
    words = toks.words()
    return any(
        not prefixes and exact.isdisjoint(words) for seq in pattern for exact, prefixes in seq
    )


def _slot_hits(slot: Slot, tok: Token) -> bool:
    exact, prefixes = slot
    if tok.low in exact or not exact.isdisjoint(tok.forms):
        return True
    return any(tok.low.startswith(p) for p in prefixes)


def _seq_at(seq: tuple[Slot, ...], toks: list[Token], i: int) -> int | None:
    """If ``seq`` matches starting exactly at token i, the index of its last token."""
    if not _slot_hits(seq[0], toks[i]):
        return None
    pos = i
    for slot in seq[1:]:
        for j in range(pos + 1, min(pos + 2 + MAX_GAP, len(toks))):
            if _slot_hits(slot, toks[j]):
                pos = j
                break
        else:
            return None
    return pos


# The word -> token positions index of the last token list searched: every phrase of the
# lexicon is looked for in the same clause, so the index is built once per clause.
_indexed: list[tuple[list[Token], dict[str, list[int]]]] = []


def _token_index(toks: list[Token]) -> dict[str, list[int]]:
    if _indexed and _indexed[0][0] is toks:
        return _indexed[0][1]
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(toks):
        for word in {tok.low, *tok.forms}:
            index.setdefault(word, []).append(i)
    _indexed[:] = [(toks, index)]
    return index


def _starts(slot: Slot, toks: list[Token]) -> Iterable[int]:
    """Positions where ``slot`` may match, ascending: all of them when it has prefixes,
    else those of its exact words (a speed-up only: ``_seq_at`` checks the slot again)."""
    exact, prefixes = slot
    if prefixes:
        return range(len(toks))
    index = _token_index(toks)
    return sorted({i for word in exact for i in index.get(word, ())})


def _may_match(phrase: str, index: dict[str, list[int]]) -> bool:
    """False when a part's first word occurs nowhere in the clause (a speed-up only)."""
    for seq in compile_phrase(phrase):
        exact, prefixes = seq[0]
        if not prefixes and not any(word in index for word in exact):
            return False
    return True


def find_phrase(phrase: str, toks: list[Token]) -> int | None:
    """Index of the token where the phrase (its first part) matches, or None."""
    parts = compile_phrase(phrase)
    if _impossible(parts, toks):
        return None
    first: int | None = None
    for n, seq in enumerate(parts):
        hit = next((i for i in _starts(seq[0], toks) if _seq_at(seq, toks, i) is not None), None)
        if hit is None:
            return None
        if n == 0:
            first = hit
    return first


def find_all(phrases: dict[str, tuple[str, ...]], lang: str, toks: list[Token]) -> list[int]:
    """Every token index where a phrase of ``lang`` (its first part) starts."""
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    out: set[int] = set()
    for phrase in (p for code in langs for p in phrases.get(code, ())):
        parts = compile_phrase(phrase)
        if _impossible(parts, toks):
            continue
        for seq in parts[:1]:
            out.update(i for i in range(len(toks)) if _seq_at(seq, toks, i) is not None)
    return sorted(out)


def find_any(phrases: dict[str, tuple[str, ...]], lang: str, toks: list[Token]) -> int | None:
    """The earliest token index where any phrase of ``lang`` matches."""
    best: int | None = None
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    index = _token_index(toks)
    for phrase in (p for code in langs for p in phrases.get(code, ())):
        if not _may_match(phrase, index):
            continue
        hit = find_phrase(phrase, toks)
        if hit is not None and (best is None or hit < best):
            best = hit
    return best
