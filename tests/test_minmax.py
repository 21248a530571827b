"""Issue 10: `min-max x` places x between the min and the max of its block (or the stated
reference figures). Figures checked by hand: speeds 1.3, 9.8, 6.2 → for 6.2,
(6.2 − 1.3) ÷ (9.8 − 1.3) = 4.9 ÷ 8.5 = 49/85, × 10 points = 98/17 ≈ 5.76."""

from __future__ import annotations

from fractions import Fraction

import pytest

import egov_rules
from egov_rules.diagnostics import EgovRulesError

TEXT = """methodology mm
  title "Min-max"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
indicators
  speed number "Tốc độ"
  wait number "Thời gian chờ" lower is better
category c "C" max 20
  fast "Nhanh" max 10
    min-max speed
  quick "Chờ ít" max 10
    min-max wait lower is better reference min 1 max 5
"""
ENTITIES = {"A": {"block": "province", "speed": 1.3, "wait": 2},
            "B": {"block": "province", "speed": 9.8, "wait": 4},
            "C": {"block": "province", "speed": 6.2, "wait": 3}}


@pytest.fixture(scope="module")
def m() -> egov_rules.Methodology:
    return egov_rules.compile(TEXT)


def test_min_max_over_the_block_with_the_figures_in_words(m: egov_rules.Methodology) -> None:
    ranking = m.evaluate_many(ENTITIES)
    points = {e.entity: e.nodes.by_id("fast").points for e in ranking.evaluations}
    assert points == {"A": 0, "B": 10, "C": Fraction(98, 17)}
    c = ranking.evaluations[2]
    assert c.cohort["fast.min"] == Fraction(13, 10) and c.cohort["fast.max"] == Fraction(49, 5)
    words = c.nodes.by_id("fast").branch.en
    assert "6.2 → (6.2 − 1.3) ÷ (9.8 − 1.3) = 57.65%" in words
    # who holds each figure: A the min 1.3, B the max 9.8, over the block's 3 entities
    assert words.endswith("; min 1.3 = A, max 9.8 = B (of the block's 3 entities)")


def test_lower_is_better_reverses(m: egov_rules.Methodology) -> None:
    # waits 2, 4, 3 (the block's figures come before the stated 1 and 5):
    # A (4 − 2) ÷ (4 − 2) = 1 → 10; B 0; C (4 − 3) ÷ 2 = 1/2 → 5
    ranking = m.evaluate_many(ENTITIES)
    points = {e.entity: e.nodes.by_id("quick").points for e in ranking.evaluations}
    assert points == {"A": 10, "B": 0, "C": 5}


def test_scored_alone_with_references(m: egov_rules.Methodology) -> None:
    # `quick` states min 1 max 5: wait 2 → (5 − 2) ÷ 4 = 3/4 → 7.5; wait 9 lies outside: 0.
    # `fast` states nothing: its figures are given as references.
    refs = {"fast.min": "1.3", "fast.max": "9.8"}
    one = m.evaluate({"speed": 6.2, "wait": 2}, block="province", entity="X", references=refs)
    assert one.nodes.by_id("quick").points == Fraction(15, 2)
    assert one.nodes.by_id("fast").points == Fraction(98, 17)
    far = m.evaluate({"speed": 20, "wait": 9}, block="province", entity="X", references=refs)
    assert far.nodes.by_id("quick").points == 0 and far.nodes.by_id("fast").points == 10


def test_scored_alone_without_references_is_e208(m: egov_rules.Methodology) -> None:
    with pytest.raises(EgovRulesError) as raised:
        m.evaluate({"speed": 6.2, "wait": 2}, block="province", entity="X")
    (found,) = raised.value.diagnostics
    assert found.code.code == "E208" and found.args["node"] == "fast"
    assert "fast.min" in found.hint.en and "fast.max" in found.hint.en
    # The message names the figures this kind reads, not "the best" of `relative to best`.
    assert found.message("en").startswith("`fast` compares with the lowest and the highest of its block")
    assert "giá trị thấp nhất và giá trị cao nhất của khối" in found.message("vi")
    with pytest.raises(EgovRulesError):
        m.score({"speed": 6.2, "wait": 2}, block="province", entity="X")


def test_min_equal_to_max_gives_every_entity_all_points(m: egov_rules.Methodology) -> None:
    same = {k: {**v, "speed": 4} for k, v in ENTITIES.items()}
    ranking = m.evaluate_many(same)
    assert {e.nodes.by_id("fast").points for e in ranking.evaluations} == {10}


@pytest.mark.parametrize("exact", [True, False])
def test_compiled_scores_agree_with_evaluate(m: egov_rules.Methodology, exact: bool) -> None:
    # the fast variant declines a block with a min-max node: its exact variant scores it
    evaluations = m.evaluate_many(ENTITIES).evaluations
    for score, evaluation in zip(m.score_many(ENTITIES, exact=exact), evaluations, strict=True):
        for node in ("fast", "quick", "c"):
            assert score.points(node) == (evaluation.nodes.by_id(node).points if exact
                                          else float(evaluation.nodes.by_id(node).points))


def test_reference_min_must_be_below_max() -> None:
    bad = TEXT.replace("reference min 1 max 5", "reference min 5 max 1")
    assert "E" in {d.code.code[0] for d in egov_rules.check(bad)}


def test_shape_is_monotone_in_the_own_value(m: egov_rules.Methodology) -> None:
    from egov_rules.kinds import rule_kind

    fast, quick = (m.model.nodes[n].rules[0] for n in ("fast", "quick"))
    assert rule_kind(fast).shape(fast, None).word == "non-decreasing"  # type: ignore[arg-type]
    assert rule_kind(quick).shape(quick, None).word == "non-increasing"  # type: ignore[arg-type]
