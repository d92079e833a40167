"""Index terms of a keyword expression: what lets a post skip expressions it cannot satisfy.

An expression that does not match the empty post can only match a post containing one of its
positive terms (those under an even number of NOTs). Proof: in negation normal form the value
is monotone in each literal; with every positive term absent, the positive literals are as in
the empty post and the negated ones are at most true, as they are in the empty post, so the
value is at most the empty post's: false. Hence a post needs one of the positive terms'
anchor keys in its ``Doc.index`` for the expression to be worth evaluating.

The parser refuses expressions matching the empty post (``-x``, ``a OR -b``). Any such stored
key, or one that no longer parses, is indexed under ``ALWAYS`` and evaluated for every post,
so nothing is silently lost.
"""

from __future__ import annotations

from bot.core.keywords.tree import EMPTY_DOC, Expr

ALWAYS = "*"  # no word normalises to it: tokens are letters and digits


def anchor_terms(expr: Expr) -> frozenset[str]:
    """Keys under which to index ``expr``: a post lacking all of them cannot match it."""
    if expr.matches(EMPTY_DOC):
        return frozenset({ALWAYS})
    keys: set[str] = set()
    for term in expr.positive_terms():
        keys |= term.anchors()
    return frozenset(keys) if keys else frozenset({ALWAYS})
