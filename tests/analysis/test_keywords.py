"""The /keyword expression language: parsing, errors, matching, canonical keys."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.keywords import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    And,
    Expr,
    Not,
    Or,
    Phrase,
    Word,
    analyse_text,
    describe,
    make_and,
    make_or,
    parse,
    pointer,
)
from bot.core.tokens import tokenize
from bot.errors import ExpressionError, KeywordExpressionError, UserInputError

POST_UK = (
    "Сили оборони продовжують операцію в Курській області. Бої точаться поблизу Суджі; "
    "ворог обстріляв Харків і Покровськ. Навчання в Kupiansk's районі скасовано."
)
POST_RU = "Министерство обороны: в Курской области отражены атаки в районе Судже и Покровске."
POST_EN = "Russian strikes hit Kharkiv overnight; drones attacked Kupiansk. More attacks expected."


def m(expr: str, text: str) -> bool:
    return parse(expr).matches(analyse_text(text))


def error(expr: str) -> KeywordExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(expr)
    assert isinstance(info.value, KeywordExpressionError)
    assert isinstance(info.value, UserInputError)
    return info.value


# --- parsing and canonical keys --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kursk  and  Sudzha", "kursk AND sudzha"),
        ("Kursk Sudzha", "kursk AND sudzha"),
        ("sudzha kursk", "kursk sudzha"),
        ("Kursk, Sudzha!", "kursk sudzha"),
        ("kursk -training", "kursk AND NOT training"),
        ("kursk —training", "kursk AND NOT training"),
        ("kursk −training", "kursk AND NOT training"),
        ("kursk НЕ training", "kursk not training"),
        ("Київ АБО Харків", "київ or харків"),
        ("Київ І Харків", "Київ Харків"),
        ('"Kursk"', "kursk"),
        ("“Курська область”", '"курська область"'),
        ("«Курська область»", '"курська область"'),
        ("(a OR b) AND (b OR a)", "a OR b"),
        ("a AND (b AND c)", "(a b) c"),
        ("a OR (b OR c)", "c OR b OR a"),
        ("((a))", "a"),
        ("a a a", "a"),
        ("Ку\u0301рськ", "курськ"),
    ],
)
def test_equivalent_spellings_share_a_canonical_key(a: str, b: str) -> None:
    assert parse(a) == parse(b)
    assert parse(a).canonical() == parse(b).canonical()


@pytest.mark.parametrize(
    ("expr", "canonical"),
    [
        ("Kursk  and  Sudzha", "kursk AND sudzha"),
        ("a OR b c", "a OR (b AND c)"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("x -(a b)", "NOT (a AND b) AND x"),
        ('"курська область" -"навчання"', '"курська область" AND NOT навчання'),
        ('"and" OR "not"', '"and" OR "not"'),
        ("Гуляй-Поле", "гуляй-поле"),
        ("п’ять", "п'ять"),
    ],
)
def test_canonical(expr: str, canonical: str) -> None:
    tree = parse(expr)
    assert tree.canonical() == canonical
    assert parse(canonical) == tree


def test_tree_shapes() -> None:
    assert parse("a OR b c") == Or((Word("a"), And((Word("b"), Word("c")))))
    assert parse('x -"y z"') == And((Not(Phrase(("y", "z"))), Word("x")))
    assert parse("lowercase і не або") == And(
        (Word("lowercase"), Word("або"), Word("не"), Word("і"))
    )


def test_lowercase_operator_words_are_operators_unless_quoted() -> None:
    assert parse("kursk or sudzha") == parse("kursk OR sudzha")
    assert parse('kursk "or" sudzha') == And((Word("or"), Word("kursk"), Word("sudzha")))


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "code", "position"),
    [
        ("", "empty", None),
        ("   ", "empty", None),
        ("!!! , …", "empty", None),
        ('"Курська область', "unclosed_quote", 0),
        ('Суджа "Курська', "unclosed_quote", 6),
        ('a "" b', "empty_phrase", 2),
        ('a "!!" b', "empty_phrase", 2),
        ("(a OR b", "unclosed_paren", 0),
        ("a (b (c)", "unclosed_paren", 2),
        ("a b)", "unmatched_close", 3),
        (")a", "unmatched_close", 0),
        ("a ()", "empty_parens", 2),
        ("a AND", "missing_operand", 2),
        ("a OR", "missing_operand", 2),
        ("a AND OR b", "missing_operand", 2),
        ("(a AND) b", "missing_operand", 3),
        ("a NOT", "missing_operand", 2),
        ("NOT", "missing_operand", 0),
        ("AND a", "missing_left", 0),
        ("(OR a)", "missing_left", 1),
        ("NOT NOT x", "double_not", 4),
        ("x AND NOT -y", "double_not", 10),
        ("x --y", "double_not", 3),
        ("x -(-y)", "double_not", 2),
        ("x НЕ НЕ y", "double_not", 5),
        ("a - b", "dangling_minus", 2),
        ("Kursk — Sudzha", "dangling_minus", 6),
        ("a -", "dangling_minus", 2),
        ("(a -)", "dangling_minus", 3),
        ("-x", "only_negative", 0),
        ("NOT x", "only_negative", 0),
        ("a OR -b", "only_negative", 0),
        ("-(a b)", "only_negative", 0),
        ("x" * (MAX_LENGTH + 1), "too_long", MAX_LENGTH),
        (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "too_many_terms", 4 * MAX_TERMS - 10),
        ('"' + " ".join("w" * 3 for _ in range(MAX_TERMS + 1)) + '"', "too_many_terms", 0),
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), "too_deep", MAX_DEPTH),
    ],
)
def test_errors_point_at_the_mistake(expr: str, code: str, position: int | None) -> None:
    err = error(expr)
    assert err.code == code
    assert err.position == position
    english, ukrainian = describe(err, "en"), describe(err, "uk")
    assert english == str(err)
    assert english != ukrainian and ukrainian
    assert describe(err, "de") == english
    if position is not None and code != "only_negative":
        assert f"{position + 1}" in english


def test_limits_are_accepted_at_the_boundary() -> None:
    assert parse(" ".join(f"w{i}" for i in range(MAX_TERMS)))
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == Word("a")
    assert parse("a" * MAX_LENGTH) == Word("a" * MAX_LENGTH)


def test_messages_in_both_languages() -> None:
    err = error('Суджа "Курська')
    assert describe(err, "en") == (
        "The quote at character 7 is never closed: add the closing quote."
    )
    assert describe(err, "uk") == "Лапки на позиції 7 не закрито: додайте закривні лапки."
    assert "NOT NOT" in describe(error("NOT NOT x"), "en")
    assert "НЕ НЕ" in describe(error("NOT NOT x"), "uk")
    assert "5000" in describe(error("x" * 5000), "en")


def test_pointer_marks_the_position() -> None:
    assert pointer("a b)", 3) == "a b)\n   ^"
    long = "a " * 100 + ")"
    line, caret = pointer(long, 200).split("\n")
    assert caret.index("^") == line.index(")")
    assert pointer("x", None) == ""


@pytest.mark.parametrize(
    "expr",
    [
        "x" * 5000,
        "(" * 5000,
        '"' * 5000,
        "NOT " * 1250,
        "a " * 2500,
        "-" * 5000,
        ")" * 5000,
        "a OR " * 1000,
        "(" * 150 + ")" * 150,
        "NOT " * 75,
        "a " * 150,
        '"' + "a " * 149,
        '" "' * 100,
        "(a " * 100,
        "a AND " * 50,
        "-a " * 100,
    ],
)
def test_pathological_inputs_are_refused(expr: str) -> None:
    with pytest.raises(ExpressionError):
        parse(expr)


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "text", "expected"),
    [
        ('"Курська область"', POST_UK, True),
        ('"Курська область"', POST_RU, True),
        ('"Курской области"', POST_UK, True),
        ('"область Курська"', POST_UK, False),  # order matters in a phrase
        ('"Курська область" Суджа', POST_UK, True),
        ("Суджа", POST_RU, True),
        ("Харків", POST_UK, True),
        ("Харьков", POST_UK, True),
        ("Харків", POST_RU, False),
        ("Покровськ", POST_RU, True),
        ("Покровську", POST_UK, True),
        ("kupiansk", POST_UK, True),
        ("kupiansk", POST_EN, True),
        ("strike drone", POST_EN, True),
        ("attack", POST_EN, True),
        ("Kharkiv -drones", POST_EN, False),
        ("Kharkiv -Kupiansk's", POST_UK, False),
        ("(Херсон OR Харків) Покровськ", POST_UK, True),
        ("Херсон OR Одеса", POST_UK, False),
        ("Курськ -навчання", POST_UK, False),  # "Навчання" excluded
        ("Курськ NOT (навчання скасовано)", POST_UK, False),
        ("Курськ NOT (навчання Одеса)", POST_UK, True),
        ('"operation"', POST_EN, False),
        ("Гуляй-Поле", "Бої біля Гуляйполя.", True),
        ("Гуляйполе", "Бої біля Гуляй-Поля.", True),
        ("Гуляй-Поле", "Гуляй Поле під обстрілом", True),  # written apart
        ("Гуляй-Поле", "Поле бою", False),
        ('"Гуляй Поле"', "Бої біля Гуляй-Поля.", True),
        ('"Гуляй Поле"', "Бої біля Гуляйполя.", True),
        ('"Гуляй Поле"', "Поле бою", False),
        ("Харкiв", POST_UK, True),  # Latin i in the query
        ("ХАРКІВ", POST_UK, True),
        ('"Сили оборони"', POST_UK, True),
        ('"сил обороны"', POST_UK, True),
    ],
)
def test_matching(expr: str, text: str, expected: bool) -> None:
    assert m(expr, text) is expected


def test_highlights_cover_matched_positive_terms_only() -> None:
    doc = analyse_text(POST_UK)
    tree = parse('"Курська область" OR Одеса Суджа -Херсон')
    assert tree.matches(doc)
    assert [doc.text[a:b] for a, b in tree.highlights(doc)] == ["Курській області", "Суджі"]
    tree = parse("Харків -Одеса")
    assert [doc.text[a:b] for a, b in tree.highlights(doc)] == ["Харків"]


def test_highlights_merge_overlaps_and_keep_offsets_in_the_original() -> None:
    text = "У Ха\u0301ркові та Харкові: «Курській області»"
    doc = analyse_text(text)
    tree = parse('Харків "курська область" область')
    spans = tree.highlights(doc)
    assert [text[a:b] for a, b in spans] == ["Ха\u0301ркові", "Харкові", "Курській області"]


def test_one_doc_serves_many_expressions() -> None:
    doc = analyse_text(POST_UK * 3)
    exprs = [parse(e) for e in ("Харків", '"Курська область"', "Одеса", "Суджа -Херсон")]
    assert [e.matches(doc) for e in exprs] == [True, True, False, True]


# --- property-based ----------------------------------------------------------------------------

VOCAB = [
    "kursk",
    "sudzha",
    "харків",
    "курська",
    "область",
    "and",
    "or",
    "not",
    "і",
    "не",
    "або",
    "гуляй-поле",
    "п'ять",
    "kupiansk's",
    "su-34",
    "155",
    "x",
    "ё",
]
word_text = st.one_of(
    st.sampled_from(VOCAB),
    st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=6),
).map(lambda s: next((t.norm for t in tokenize(s)), "x"))

leaves = st.one_of(
    word_text.map(Word),
    st.lists(word_text, min_size=2, max_size=3).map(lambda ws: Phrase(tuple(ws))),
)


def _negate(e: Expr) -> Expr:
    return e.operand if isinstance(e, Not) else Not(e)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    group = st.lists(children, min_size=2, max_size=3)
    return st.one_of(group.map(make_and), group.map(make_or), children.map(_negate))


def _anchor(e: Expr) -> Expr:
    """A tree that would match an empty post is rejected by design; AND it with a word."""
    return make_and([e, Word("kursk")]) if e.matches(analyse_text("")) else e


trees = st.recursive(leaves, _extend, max_leaves=8).map(_anchor)


def paren_depth(e: Expr) -> int:
    if isinstance(e, Not):
        inner = paren_depth(e.operand)
        return inner + 1 if isinstance(e.operand, And | Or) else inner
    if isinstance(e, And | Or):
        other = Or if isinstance(e, And) else And
        return max(paren_depth(i) + isinstance(i, other) for i in e.items)
    return 0


def valid(e: Expr) -> bool:
    return len(e.canonical()) <= MAX_LENGTH and paren_depth(e) <= MAX_DEPTH


def _double_not(e: Expr) -> bool:
    if isinstance(e, Not):
        return isinstance(e.operand, Not) or _double_not(e.operand)
    if isinstance(e, And | Or):
        return any(_double_not(i) for i in e.items)
    return False


def test_generated_trees_are_well_formed() -> None:
    @given(trees)
    def check(tree: Expr) -> None:
        assert not _double_not(tree)
        assert not tree.matches(analyse_text(""))

    check()


def render(e: Expr, draw: st.DrawFn) -> str:
    """Any of the accepted spellings of ``e``."""
    if isinstance(e, Word):
        if e.text in ("and", "or", "not") or draw(st.booleans()):
            q = draw(st.sampled_from(['""', "“”", "«»", "„“"]))
            return q[0] + e.text + q[1]
        upper = e.text.upper()
        usable = upper not in ("І", "НЕ", "АБО") and [t.norm for t in tokenize(upper)] == [e.text]
        if usable and draw(st.booleans()):
            return upper
        return e.text
    if isinstance(e, Phrase):
        sep = draw(st.sampled_from([" ", "  ", ", ", " - "]))
        return '"' + sep.join(e.words) + '"'
    if isinstance(e, Not):
        inner = render(e.operand, draw)
        if isinstance(e.operand, And | Or):
            inner = f"({inner})"
        op = draw(st.sampled_from(["NOT ", "not ", "НЕ ", "-"]))
        return op + inner
    assert isinstance(e, And | Or)
    parts = []
    for item in draw(st.permutations(e.items)):
        text = render(item, draw)
        if isinstance(item, And | Or) and (isinstance(item, Or) or draw(st.booleans())):
            text = f"({text})"
        parts.append(text)
    ops = [" AND ", " and ", " ", "  І "] if isinstance(e, And) else [" OR ", " or ", " АБО "]
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from(ops)) + part
    return out


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_canonical_round_trips(tree: Expr) -> None:
    assume(valid(tree))
    assert parse(tree.canonical()) == tree


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.data())
def test_any_rendering_parses_back_to_the_same_tree(tree: Expr, data: st.DataObject) -> None:
    assume(valid(tree))
    text = render(tree, data.draw)
    assume(len(text) <= MAX_LENGTH)
    assert parse(text) == tree


OPERATORY = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "НЕ",
        "АБО",
        "І",
        "(",
        ")",
        '"',
        "“",
        "«",
        "-",
        " ",
        "  ",
        "--",
        "a",
        "Харків",
        "x-y",
        "'",
        ",",
        "\n",
    ]
)


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=400), st.lists(OPERATORY, max_size=60).map("".join)))
def test_parser_raises_only_expression_errors(expr: str) -> None:
    try:
        tree = parse(expr)
    except ExpressionError as err:
        assert isinstance(err, KeywordExpressionError)
        assert err.position is None or 0 <= err.position <= len(expr)
        assert describe(err, "uk")
        return
    assert parse(tree.canonical()) == tree
    assert not tree.matches(analyse_text(""))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.text(max_size=300))
def test_matching_is_total(tree: Expr, text: str) -> None:
    doc = analyse_text(text)
    result = tree.matches(doc)
    assert isinstance(result, bool)
    for a, b in tree.highlights(doc):
        assert 0 <= a < b <= len(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_matching_a_text_made_of_the_expression_words(tree: Expr) -> None:
    # Every positive term finds itself; the whole expression matches iff its NOTs allow.
    for term in tree.terms():
        words = term.words if isinstance(term, Phrase) else (term.text,)
        assert term.matches(analyse_text(" ".join(words)))
