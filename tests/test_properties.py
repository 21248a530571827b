"""Properties of the evaluator over many valid data sets of examples/quickstart.egr, and of the
checker over hostile text. Budgets come from the hypothesis profile in conftest.py."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

import egov_rules
from egov_rules.diagnostics import Diagnostic
from tests.conftest import ROOT

QUICKSTART_TEXT = (ROOT / "examples" / "quickstart.egr").read_text(encoding="utf-8")
QUICKSTART = egov_rules.compile(QUICKSTART_TEXT, "quickstart.egr")


def counts(high: int, *edges: int) -> st.SearchStrategy[int]:
    """Whole numbers up to `high`, with 0 and the rule's thresholds drawn often."""
    return st.one_of(st.sampled_from((0, *edges)), st.integers(0, high))


def percents(*edges: int) -> st.SearchStrategy[Any]:
    """0..100 as the data gives it, in the forms users write: int, decimal string, "x%"."""
    exact = st.one_of(
        st.sampled_from((0, 100, *edges)),
        st.integers(0, 100),
        st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
    )
    return st.one_of(exact, exact.map(lambda v: f"{v}%"), exact.map(str))


indicator_sets = st.fixed_dictionaries({
    "staff": counts(5000, 1),
    "staff_with_pc": counts(5000, 1),
    "bandwidth_mbps": st.one_of(
        counts(1_000_000, 1_000_000),
        st.decimals(0, 1_000_000, places=3, allow_nan=False, allow_infinity=False),
    ),
    "units": counts(60, 1),
    "units_on_wan": counts(60, 1),
    "has_backup": st.booleans(),
    "has_firewall": st.booleans(),
    "has_monitoring": st.one_of(st.booleans(), st.sampled_from(["có", "không", "yes", "no"])),
    "incidents": counts(12, 2, 3, 5, 6),
    "online_share": percents(10, 50),
    "portal_level": st.integers(1, 4),
    "hosting": st.sampled_from(["own", "cloud", "none"]),
    "meetings": counts(8, 1, 2, 3, 4),
    "it_staff": counts(20, 10, 11),
    "trained_share": percents(),
})
blocks = st.sampled_from(["ministry", "province"])
references = st.one_of(st.just(Fraction(0)), st.fractions(Fraction(1, 1000), 50, max_denominator=1000))


def evaluate(data: dict[str, Any], block: str, best: Fraction) -> egov_rules.Evaluation:
    return QUICKSTART.evaluate(data, block=block, entity="E", references={"bandwidth": best})


def half_up(value: Fraction, digits: int) -> Fraction:
    """An independent half-up rounding through decimal (60 significant digits is ample)."""
    with localcontext() as context:
        context.prec = 60
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return Fraction(quotient.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def expected_combination(evaluation: egov_rules.Evaluation, node_id: str
                         ) -> tuple[Fraction, Fraction] | None:
    """The points and maximum of a parent node recomputed from its children's shown results."""
    node = QUICKSTART.model.nodes[node_id]
    children = [evaluation.node(c.id) for c in node.children]
    live = [c for c in children if c.points is not None and c.max is not None]
    if not live:
        return None
    points = [c.points for c in live if c.points is not None]
    maxima = [c.max for c in live if c.max is not None]
    declared = QUICKSTART.model.max_for(node_id, evaluation.block)
    if node.mode == "best":
        return max(points), max(maxima)
    if node.mode == "capped sum":
        assert declared is not None
        cap = min(declared, sum(maxima, Fraction(0)))
        return min(cap, sum(points, Fraction(0))), cap
    if node.mode == "weighted mean":
        assert declared is not None
        weights = {c.id: c.weight.value for c in node.children if c.weight is not None}
        total = sum((weights[c.id] for c in live), Fraction(0))
        shares = sum((weights[c.id] * c.points / c.max for c in live if c.points is not None
                      and c.max), Fraction(0))
        return declared * shares / total, declared
    return sum(points, Fraction(0)), sum(maxima, Fraction(0))


@given(indicator_sets, blocks, references)
def test_parents_combine_their_childrens_points(data: dict[str, Any], block: str, best: Fraction
                                                ) -> None:
    evaluation = evaluate(data, block, best)
    for node in evaluation.nodes:
        if node.children:
            expected = expected_combination(evaluation, node.id)
            assert (None if node.points is None else (node.points, node.max)) == (
                expected if node.applicable else None), node.id


@given(indicator_sets, blocks, references)
def test_points_stay_within_the_maximum(data: dict[str, Any], block: str, best: Fraction) -> None:
    evaluation = evaluate(data, block, best)
    for node in evaluation.nodes:
        if node.applicable:
            assert node.points is not None and node.max is not None
            assert 0 <= node.points <= node.max, node.id
            declared = QUICKSTART.model.max_for(node.id, block)
            assert declared is None or node.max <= declared, node.id
        else:
            assert node.points is None and node.max is None, node.id
    steering = evaluation.node("steering")
    assert steering.applicable == (block == "province")  # `only province`


# An exact tie: computers 1/120 × 30 = 0.25 points and nothing else in infrastructure, so its
# index is 0.25 / 100 = 0.0025, which rounds half-up to 0.003 (half-even would give 0.002).
TIE = {
    "staff": 120, "staff_with_pc": 1, "bandwidth_mbps": 0, "units": 1, "units_on_wan": 0,
    "has_backup": False, "has_firewall": False, "has_monitoring": False, "incidents": 6,
    "online_share": 0, "portal_level": 1, "hosting": "none", "meetings": 0, "it_staff": 0,
    "trained_share": 0,
}


@given(indicator_sets, blocks, references)
@example(TIE, "ministry", Fraction(1))
def test_indices_are_shares_rounded_half_up(data: dict[str, Any], block: str, best: Fraction
                                           ) -> None:
    evaluation = evaluate(data, block, best)
    for index in evaluation.indices:
        assert index.value is not None
        assert 0 <= index.value <= 1, index.id
        assert index.round == 3
        assert index.rounded == half_up(index.value, 3), index.id
    infrastructure = evaluation.index("infrastructure_index")
    node = evaluation.node("infrastructure")
    assert node.points is not None and node.max
    assert infrastructure.value == node.points / node.max


@given(indicator_sets, blocks, references)
def test_json_round_trip_and_determinism(data: dict[str, Any], block: str, best: Fraction) -> None:
    evaluation = evaluate(data, block, best)
    assert egov_rules.Evaluation.model_validate_json(evaluation.model_dump_json()) == evaluation
    assert evaluate(data, block, best) == evaluation
    assert evaluation.explain("en") == evaluate(data, block, best).explain("en")


@given(st.lists(st.tuples(indicator_sets, blocks), min_size=1, max_size=4))
def test_scoring_together_uses_the_best_of_each_block(entities: list[tuple[dict[str, Any], str]]
                                                      ) -> None:
    ranking = QUICKSTART.evaluate_many({
        f"E{number}": {"block": block, **data} for number, (data, block) in enumerate(entities)
    })
    for block in ("ministry", "province"):
        members = [e for e in ranking.evaluations if e.block == block]
        if not members:
            continue
        bandwidth = [e.node("bandwidth") for e in members]
        # whoever has the block's best bandwidth per staff gets all 30 points (unless it is 0)
        best = max(e.node("bandwidth").read[0].value for e in members)
        assert all(e.cohort == {"bandwidth": best} for e in members)
        if isinstance(best, Fraction) and best > 0:
            assert max(n.points or 0 for n in bandwidth) == 30


# -- the checker never raises ------------------------------------------------------------------


def assert_diagnostics(result: object) -> None:
    assert isinstance(result, list)
    assert all(isinstance(d, Diagnostic) for d in result)


@given(st.text(max_size=400))
def test_check_random_text(text: str) -> None:
    assert_diagnostics(egov_rules.check(text, "random.egr"))


@given(st.binary(max_size=400))
def test_check_random_bytes_as_latin1(data: bytes) -> None:
    assert_diagnostics(egov_rules.check(data.decode("latin-1"), "random.egr"))


LINES = QUICKSTART_TEXT.splitlines(keepends=True)


@st.composite
def mutations(draw: st.DrawFn) -> str:
    text = QUICKSTART_TEXT
    kind = draw(st.sampled_from(["delete char", "duplicate char", "insert char",
                                 "delete line", "duplicate line", "insert line"]))
    if kind.endswith("line"):
        at = draw(st.integers(0, len(LINES) - 1))
        lines = list(LINES)
        if kind == "delete line":
            del lines[at]
        elif kind == "duplicate line":
            lines.insert(at, lines[at])
        else:
            lines.insert(at, draw(st.sampled_from([*LINES, "  \n", "\t x\n", "max 10\n"])))
        return "".join(lines)
    at = draw(st.integers(0, len(text) - 1))
    if kind == "delete char":
        return text[:at] + text[at + 1:]
    if kind == "duplicate char":
        return text[:at] + text[at] + text[at:]
    char = draw(st.one_of(st.sampled_from(' \t\n"#:[]()%.,-0123456789aáạ=/'), st.characters()))
    return text[:at] + char + text[at:]


@given(mutations())
def test_check_mutated_quickstart(text: str) -> None:
    assert_diagnostics(egov_rules.check(text, "mutated.egr"))
