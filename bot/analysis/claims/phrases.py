"""Trigger phrases for claims, per language, by phrase family (syntax: ``matching``).

Ukrainian and Russian phrases are written as pymorphy3 lemmas, so one entry covers every
case, person, tense and aspect form ("звільнено", "звільнили", "звільнення" all meet
"звільнити|звільнення"); English has no analyser here, so its phrases list inflected forms or
stems with ``*``.
"""

from __future__ import annotations

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
        "повернути|повернення|відновити контроль",
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
        "вернуть|возвратить|возвращение|восстановить контроль",
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
        "regain*|restor* control",
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
        "завершення|завершити|завершений бій|бойовий|операція|звільнення|зачистка|зачищення|пошук",
        "повністю|повний звільнити|звільнення|звільнений|контроль",
    ),
    "ru": (
        "завершение|завершить|завершённый|завершенный бой|боевой|операция|освобождение|зачистка",
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

# Combat at a place, in every person, tense and aspect (lemmas): battles "for / at / near"
# it, attacks and assaults "in the area of" it, and the verbs that say fighting is under way
# ("йдуть / точаться / тривають бої", "идут бои", "fighting continues").
# (intransitive "бої тривають", and transitive "продовжують / проводять операцію, зачистку")
_ONGOING_VERBS_UK = (
    "тривати|продовжуватися|тривалий|йти|точитися|вестися|відбуватися|триваючий|"
    "продовжувати|проводити|вести|здійснювати"
)
_ONGOING_VERBS_RU = (
    "продолжаться|продолжиться|идти|вестись|происходить|развернуться|вестися|продолжать|"
    "проводить|вести|осуществлять"
)
_NEAR_UK = "район|біля|поблизу|неподалік|під|околиця|навколо"
_NEAR_RU = "район|около|возле|вблизи|под|окраина|вокруг"
_ATTACK_UK = "атака|атакувати|штурм|штурмувати|штурмовий|наступ|наступати|наступальний"
_ATTACK_RU = "атака|атаковать|штурм|штурмовать|штурмовой|наступать|наступление|наступательный"

FIGHTING: dict[str, dict[str, tuple[str, ...]]] = {
    "ongoing": {
        "uk": (
            f"{_ONGOING_VERBS_UK} & {_FIGHT_NOUNS_UK}",
            "бій|битва|сутичка за|в|у|біля|під|поблизу|навколо|околиця",
            "зіткнення|боєзіткнення у|в|біля|поблизу|район|районі|районах",
            "оборонний операція",
            "операція тривати",
        ),
        "ru": (
            f"{_ONGOING_VERBS_RU} & {_FIGHT_NOUNS_RU}",
            "бой|сражение|битва|схватка за|в|у|около|под|возле|вблизи|вокруг|окраина",
            "столкновение|боестолкновение в|у|около|район|районе|районах",
            "нанести поражение",
            "огневой поражение",
        ),
        "en": (
            f"continu*|ongoing|underway|going & {_FIGHT_NOUNS_EN}",
            "fighting for|in|near|around|at|on",
            "battle|battles|struggle for|of|in|near|around",
            "clashes|engagements in|near|around",
            "operation of our forces",
            "fire damage",
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
            "зупинити|зупиняти|стримувати|стримати|зірвати штурм|штурмовий|атака|наступ|"
            "наступальний|просування",
            "відсіч",
        ),
        "ru": (
            "отбить|отбивать|отбитый",
            "отразить|отражать|отражённый|отраженный",
            "остановить|останавливать|сдерживать|сдержать|сорвать|пресечь атака|наступление|"
            "штурм|штурмовой|продвижение|деятельность",
        ),
        "en": (
            "repell*|repuls*",
            "fought off",
            "beat back|off",
            "halt*|stopp*|stop|thwart* attack*|advance*|assault*|offensive*|the",
            "hold*|held off",
        ),
    },
    "remnants": {
        "uk": ("залишки|залишок|рештки", "залишатися підрозділ|ворожий|противник"),
        "ru": ("остаток|остатки", "оставаться подразделение|противник"),
        "en": ("remnants", "remaining pockets|units|troops"),
    },
}

# Attacks and assaults in the area of a place: fighting there, unless a more specific
# phrase says how it went (repelled, held); checked after ``FIGHTING``.
ATTACKS: dict[str, tuple[str, ...]] = {
    "uk": (
        f"{_ATTACK_UK} {_NEAR_UK}",
        # an advance near a place, as its defenders report it (DeepState)
        f"просунутися|просуватися|просування {_NEAR_UK}",
    ),
    "ru": (
        f"{_ATTACK_RU} {_NEAR_RU}",
        f"продвинуться|продвигаться|продвижение {_NEAR_RU}",
    ),
    "en": (
        "attack*|assault*|offensive*|storm* near|around|towards|toward|area|areas",
        "advance|advanced|advancing|advances near|around|area|areas|outskirts",
    ),
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

# Control as a state ("під контролем ЗСУ", "under the control of Ukraine's forces"): the
# instrumental case (uk/ru) or "under" (en) with no verb of taking it. Said while denying
# the other side's capture it is holding the place, not taking it.
CONTROL_STATE: dict[str, tuple[str, ...]] = {
    "uk": ("під контролем",),
    "ru": ("под контролем",),
    "en": ("under control", "under the|our|ukrainian|russian|full|complete control"),
}

# Verbs of taking control ("взяли під контроль", "перейшло під контроль", "brought under").
TAKE_CONTROL: dict[str, tuple[str, ...]] = {
    "uk": ("взяти|брати|встановити|встановлювати|перейти|переходити|повернути|повертати|узяти",),
    "ru": ("взять|брать|установить|устанавливать|перейти|переходить|вернуть|возвращать",),
    "en": (
        "took|taken|take|taking|brought|bring|came|come|fell|placed|returned|seized|"
        "established|gained|regained|retook|put",
    ),
}

# Capture verbs name no direction: "Захоплено X" in a Ukrainian channel may retell either
# side's gain, so with no actor named they make no control claim (liberation verbs do:
# a channel liberates for its own side).
CAPTURE: dict[str, tuple[str, ...]] = {
    "uk": ("захопити|захоплення|захоплений", "окупувати|окупований|окупація"),
    "ru": ("захватить|захват|захваченный", "оккупировать|оккупированный|оккупация"),
    "en": ("captur*", "seized|seize|seizes|seizing", "occup*"),
}
