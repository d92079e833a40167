"""Write tests/data/places_eval_hard.jsonl: hand-written hard cases with their gold places.

Negatives (common words, people's names, capitalised phrases) and positives that need
inflection, aliases, cues or context, in uk/ru/en. Ids were looked up with
``get_gazetteer().resolve()`` and checked by hand.
"""

import json


def P(i: str, r: str, k: str) -> dict[str, str]:
    return {"id": i, "region": r, "kind": k}


KUP = P("UA63080090010026457", "UA-63", "city")
rows = [
    # --- uk: hard negatives (common words, people, capitalised phrases)
    ("uk", "Разом – до перемоги! Перемога буде за нами.", []),
    ("uk", "Суми грошей, виділені на відновлення, вражають.", []),
    ("uk", "Мирне населення страждає від обстрілів. Веселе свято цього року не вийде.", []),
    ("uk", "Ілля та Надія повернулися додому до батьків.", []),
    ("uk", "Ми відзначаємо День Перемоги разом із союзниками.", []),
    ("uk", "Зоря зійшла над полем, а Калина зацвіла.", []),
    ("uk", "Ракета Х-31 з акваторії Чорного моря не досягла цілі.", []),
    ("uk", "Сьогодні день народження Тараса Шевченка.", []),
    ("uk", "Слава Україні! Героям слава!", []),
    ("uk", "Нагородити орденом Богдана Хмельницького. Новий пакет допомоги. Працюють 12 ТЕС.", []),
    (
        "uk",
        "Пам'ятаємо Бабин Яр. Тому Харків вистояв.",
        [P("UA63120270010096107", "UA-63", "city")],
    ),
    (
        "uk",
        "Це Ванда Обʼєдкова, а Марії Адаменко з Київщини подякували.",
        [P("UA-32", "UA-32", "region")],
    ),
    # --- uk: positives that need inflection, context or aliases
    (
        "uk",
        "У Сумах пролунали вибухи, Сумщина знову під обстрілом.",
        [P("UA59080270010036634", "UA-59", "city"), P("UA-59", "UA-59", "region")],
    ),
    (
        "uk",
        "Окупанти обстріляли Куп'янськ та Куп'янськ-Вузловий.",
        [KUP, P("UA63080090030044417", "UA-63", "town")],
    ),
    (
        "uk",
        "Найгарячіше на Покровському напрямку, також бої біля Торецька і Часового Яру.",
        [
            P("UA14160210010099403", "UA-14", "city"),
            P("UA14020110010025394", "UA-14", "city"),
            P("UA14020130010015598", "UA-14", "city"),
        ],
    ),
    (
        "uk",
        "Ворог атакував с. Перемога Сумського району.",
        [P("UA59080030540028027", "UA-59", "town"), P("UA59080000000057897", "UA-59", "raion")],
    ),
    (
        "uk",
        "Сили оборони звільнили Горналь і Олешню на Курщині.",
        [
            P("RU-KRS-gornal", "RU-KRS", "village"),
            P("RU-KRS-oleshnya", "RU-KRS", "village"),
            P("RU-KRS", "RU-KRS", "region"),
        ],
    ),
    (
        "uk",
        "Удари по Харківщині та Запоріжжю; у Вовчанську зруйновано школу.",
        [
            P("UA-63", "UA-63", "region"),
            P("UA23060070010069526", "UA-23", "city"),
            P("UA63140010010035757", "UA-63", "city"),
        ],
    ),
    # --- ru
    ("ru", "Мирное население пострадало. Победа будет за нами.", []),
    (
        "ru",
        "Суммы выплат выросли, а Сумы остались без света.",
        [P("UA59080270010036634", "UA-59", "city")],
    ),
    (
        "ru",
        "ВСУ атаковали Теткино и Гуево Курской области.",
        [
            P("RU-KRS-tetkino", "RU-KRS", "town"),
            P("RU-KRS-guyevo", "RU-KRS", "village"),
            P("RU-KRS", "RU-KRS", "region"),
        ],
    ),
    (
        "ru",
        "Бои идут в районе Купянска и Красноармейска, под Артемовском тихо.",
        [KUP, P("UA14160210010099403", "UA-14", "city"), P("UA14020010010059145", "UA-14", "city")],
    ),
    (
        "ru",
        "На Курском направлении и в Белгородской области, в Шебекино, неспокойно.",
        [
            P("RU-KRS", "RU-KRS", "region"),
            P("RU-BEL", "RU-BEL", "region"),
            P("RU-BEL-shebekino", "RU-BEL", "town"),
        ],
    ),
    (
        "ru",
        "Удары по Харькову, Днепру и Одессе.",
        [
            P("UA63120270010096107", "UA-63", "city"),
            P("UA12020010010037010", "UA-12", "city"),
            P("UA51100270010076757", "UA-51", "city"),
        ],
    ),
    (
        "ru",
        "Подразделения группировки «Запад» освободили населенный пункт Торское "
        "Донецкой Народной Республики.",
        [P("UA14120110320081898", "UA-14", "village"), P("UA-14", "UA-14", "region")],
    ),
    (
        "ru",
        "Противник потерял до 230 военнослужащих в районах населенных пунктов Купянск, "
        "Волчанск и Липцы Харьковской области.",
        [
            KUP,
            P("UA63140010010035757", "UA-63", "city"),
            P("UA63120090010039403", "UA-63", "village"),
            P("UA-63", "UA-63", "region"),
        ],
    ),
    (
        "ru",
        "В Белгороде и Шебекино объявлена ракетная опасность, под Грайвороном обстрел.",
        [
            P("RU-BEL-belgorod", "RU-BEL", "city"),
            P("RU-BEL-shebekino", "RU-BEL", "town"),
            P("RU-BEL-grayvoron", "RU-BEL", "town"),
        ],
    ),
    (
        "ru",
        "Сумы, Харьков и Запорожье снова под ударом; в Днепре горит предприятие.",
        [
            P("UA59080270010036634", "UA-59", "city"),
            P("UA63120270010096107", "UA-63", "city"),
            P("UA23060070010069526", "UA-23", "city"),
            P("UA12020010010037010", "UA-12", "city"),
        ],
    ),
    ("ru", "Мирный житель погиб. Счастье и Победа — названия, а не новости.", []),
    (
        "ru",
        "На Запорожском направлении бои у Работино и Орехова.",
        [
            P("UA23060070010069526", "UA-23", "city"),
            P("UA23100270150025192", "UA-23", "village"),
            P("UA23100170010023304", "UA-23", "city"),
        ],
    ),
    # --- en
    ("en", "Olexandr Syrskyi said the sums were paid. Victory Day parade was cancelled.", []),
    ("en", "Bar staff in Lane Cove were happy about the Peace prize.", []),
    (
        "en",
        "Russian troops are near Sudzha and the village of Gornal in Kursk region.",
        [
            P("RU-KRS-sudzha", "RU-KRS", "town"),
            P("RU-KRS-gornal", "RU-KRS", "village"),
            P("RU-KRS", "RU-KRS", "region"),
        ],
    ),
    (
        "en",
        "Fighting near Kupyansk and in the Kharkov region continues.",
        [KUP, P("UA-63", "UA-63", "region")],
    ),
    (
        "en",
        "Strikes on Kiev and Odessa overnight; Dnepr was also hit.",
        [
            P("UA80000000000093317", "UA-30", "city"),
            P("UA51100270010076757", "UA-51", "city"),
            P("UA12020010010037010", "UA-12", "city"),
        ],
    ),
    (
        "en",
        "Ukrainian forces struck targets in Belgorod and Bryansk regions overnight.",
        [P("RU-BEL", "RU-BEL", "region"), P("RU-BRY", "RU-BRY", "region")],
    ),
    (
        "en",
        "The General Staff reported 45 clashes near Chasiv Yar, Toretsk and Kurakhove.",
        [
            P("UA14020130010015598", "UA-14", "city"),
            P("UA14020110010025394", "UA-14", "city"),
            P("UA14160110010020758", "UA-14", "city"),
        ],
    ),
    (
        "en",
        "Sumy came under fire again; Zelensky spoke from Kyiv.",
        [P("UA59080270010036634", "UA-59", "city"), P("UA80000000000093317", "UA-30", "city")],
    ),
    ("en", "A new Marine brigade and the Azov regiment were praised by the President.", []),
    (
        "en",
        "The situation in the Pokrovsk direction remains difficult, Kupiansk's outskirts too.",
        [P("UA14160210010099403", "UA-14", "city"), KUP],
    ),
]
OUT = __file__.rsplit("/scripts/", 1)[0] + "/tests/data/places_eval_hard.jsonl"
with open(OUT, "w", encoding="utf-8") as fh:
    for n, (lang, text, places) in enumerate(rows):
        fh.write(
            json.dumps(
                {
                    "id": f"hard/{n}",
                    "lang": lang,
                    "text": text,
                    "places": places,
                    "checked": "written by hand",
                },
                ensure_ascii=False,
            )
            + "\n"
        )
