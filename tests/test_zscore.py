"""Issue 10: `z-score x within k` standardises x over its block (population sd) and maps
−k…k onto the points. Figures checked by hand: speeds 2, 4, 4, 4, 5, 5, 7, 9 → mean 40/8 = 5,
squared deviations 9, 1, 1, 1, 0, 0, 4, 16 sum to 32, variance 32/8 = 4, sd 2 exactly. With
`within 2` and 10 points: 9 → z = 2, (2 + 2) ÷ 4 = 1 → 10; 2 → z = −1.5, 0.5 ÷ 4 → 1.25;
4 → z = −0.5 → 3.75; 5 → 5; 7 → z = 1 → 7.5."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diagnostics import EgovRulesError, Reporter
from egov_rules.kinds.base import Gather
from egov_rules.kinds.index_methods import square_root

TEXT = """methodology zs
  title "Z-score"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
indicators
  speed number "Tốc độ"
  wait number "Thời gian chờ" lower is better
category c "C" max 20
  fast "Nhanh" max 10
    z-score speed within 2
  quick "Chờ ít" max 10
    z-score wait lower is better within 2 reference mean 3 sd 1
"""
SPEEDS = (2, 4, 4, 4, 5, 5, 7, 9)
ENTITIES = {f"E{k}": {"block": "province", "speed": v, "wait": v} for k, v in enumerate(SPEEDS)}
FAST = {2: Fraction(5, 4), 4: Fraction(15, 4), 5: Fraction(5), 7: Fraction(15, 2), 9: Fraction(10)}


@pytest.fixture(scope="module")
def m() -> egov_rules.Methodology:
    return egov_rules.compile(TEXT)


def _points(ranking: egov_rules.Ranking, node: str) -> dict[Fraction, Fraction]:
    return {e.inputs["speed"]: e.nodes.by_id(node).points for e in ranking.evaluations}


def test_z_score_over_the_block_with_the_figures_in_words(m: egov_rules.Methodology) -> None:
    ranking = m.evaluate_many(ENTITIES)
    assert _points(ranking, "fast") == FAST
    seven = next(e for e in ranking.evaluations if e.inputs["speed"] == 7)
    assert seven.cohort["fast.mean"] == 5 and seven.cohort["fast.sd"] == 2
    words = seven.nodes.by_id("fast").branch.en
    assert "7 → z = (7 − 5) ÷ 2 = 1; within 2: (1 + 2) ÷ 4 = 75%" in words
    assert "significant digits" not in words  # sd 2 is exact: no rounding to speak of
    assert words.endswith("; mean 5, population sd 2 (of the block's 8 entities)")  # E0…E7
    assert "trung bình 5" in seven.nodes.by_id("fast").branch.vi
    two = next(e for e in ranking.evaluations if e.inputs["speed"] == 2)
    assert "z = (2 − 5) ÷ 2 = (-1.5); within 2: ((-1.5) + 2) ÷ 4 = 12.5%" \
        in two.nodes.by_id("fast").branch.en


def test_lower_is_better_reverses(m: egov_rules.Methodology) -> None:
    # the block's figures (mean 5, sd 2) come before the stated mean 3, sd 1:
    # 2 → (2 − (−1.5)) ÷ 4 = 7/8 → 8.75; 9 → (2 − 2) ÷ 4 = 0; 5 → 5
    ranking = m.evaluate_many(ENTITIES)
    quick = _points(ranking, "quick")
    assert quick[2] == Fraction(35, 4) and quick[9] == 0 and quick[5] == 5
    assert all(quick[v] + FAST[v] == 10 for v in FAST)  # the mirror image around the mean


def test_scored_alone_with_references(m: egov_rules.Methodology) -> None:
    # `quick` states mean 3 sd 1: wait 2 → z = −1, (2 + 1) ÷ 4 = 3/4 → 7.5; wait 9 → z = 6,
    # beyond 2: 0. `fast` states nothing: its figures are given as references.
    refs = {"fast.mean": "5", "fast.sd": "2"}
    one = m.evaluate({"speed": 7, "wait": 2}, block="province", entity="X", references=refs)
    assert one.nodes.by_id("quick").points == Fraction(15, 2)
    assert one.nodes.by_id("fast").points == Fraction(15, 2)
    far = m.evaluate({"speed": -20, "wait": 9}, block="province", entity="X", references=refs)
    assert far.nodes.by_id("quick").points == 0 and far.nodes.by_id("fast").points == 0


def test_scored_alone_without_references_is_e208(m: egov_rules.Methodology) -> None:
    with pytest.raises(EgovRulesError) as raised:
        m.evaluate({"speed": 6.2, "wait": 2}, block="province", entity="X")
    (found,) = raised.value.diagnostics
    assert found.code.code == "E208" and found.args["node"] == "fast"
    assert "fast.mean" in found.hint.en and "fast.sd" in found.hint.en
    assert "compares with the mean and the standard deviation of its block" in found.message("en")
    with pytest.raises(EgovRulesError):
        m.score({"speed": 6.2, "wait": 2}, block="province", entity="X")


def test_sd_zero_gives_every_entity_half_the_points(m: egov_rules.Methodology) -> None:
    same = {k: {**v, "speed": 4} for k, v in ENTITIES.items()}
    ranking = m.evaluate_many(same)
    assert {e.nodes.by_id("fast").points for e in ranking.evaluations} == {5}
    assert "sd 0, every entity at the mean" in ranking.evaluations[0].nodes.by_id("fast").branch.en
    # one entity alone in its block: sd 0 as well, no W529 (that warning speaks of a best)
    reporter = Reporter()
    alone = m.evaluate_many({"A": ENTITIES["E0"]}, reporter=reporter)
    assert alone.evaluations[0].nodes.by_id("fast").points == 5
    assert not any(d.code.code == "W529" for d in reporter.diagnostics)


def test_an_irrational_sd_is_kept_to_30_significant_digits() -> None:
    # 1, 2, 3: mean 2, variance 2/3, sd = √6 ÷ 3 = 0.81649658092772603273242802490196…
    gather = Gather("sd")
    for v in (1, 2, 3):
        gather.add(Fraction(v))
    assert gather.result() == Fraction(Decimal("0.816496580927726032732428024902"))
    assert square_root(Fraction(9, 4)) == Fraction(3, 2)  # a rational root stays exact


def test_an_irrational_sd_says_how_it_is_kept(m: egov_rules.Methodology) -> None:
    # speeds 1, 2, 3: sd √(2/3) is irrational, so the words say it is kept to 30 digits
    ranking = m.evaluate_many({f"E{v}": {"block": "province", "speed": v, "wait": v}
                               for v in (1, 2, 3)})
    words = ranking.evaluations[0].nodes.by_id("fast").branch
    assert "(the sd exact, or to 30 significant digits when irrational)" in words.en
    assert "30 chữ số có nghĩa" in words.vi
    assert square_root(Fraction(0)) == 0


@pytest.mark.parametrize("exact", [True, False])
def test_compiled_scores_agree_with_evaluate(m: egov_rules.Methodology, exact: bool) -> None:
    # the fast variant declines a block with a z-score node: its exact variant scores it
    data = {**ENTITIES, "odd": {"block": "province", "speed": 3.3, "wait": 1.1}}  # sd irrational
    evaluations = m.evaluate_many(data).evaluations
    for score, evaluation in zip(m.score_many(data, exact=exact), evaluations, strict=True):
        for node in ("fast", "quick", "c"):
            points = evaluation.nodes.by_id(node).points
            assert score.points(node) == (points if exact else float(points))


def test_the_stream_keeps_the_values_for_the_mean_and_sd(
        m: egov_rules.Methodology, tmp_path: Path) -> None:
    from egov_rules.stream import scores_of_file

    data = tmp_path / "data.csv"
    data.write_text("entity,block,speed,wait\n" + "".join(
        f"{name},province,{v['speed']},{v['wait']}\n" for name, v in ENTITIES.items()),
        encoding="utf-8")
    reporter = Reporter()
    scores = list(scores_of_file(m, data, reporter))
    assert not reporter.has_errors
    assert [s.points("fast") for s in scores] == [FAST[v] for v in SPEEDS]


@pytest.mark.parametrize("bad", ["within 0", "within 2 reference mean 3 sd 0"])
def test_within_and_a_stated_sd_must_be_above_zero(bad: str) -> None:
    text = TEXT.replace("within 2 reference mean 3 sd 1", bad)
    assert "E" in {d.code.code[0] for d in egov_rules.check(text)}


def test_shape_is_monotone_in_the_own_value(m: egov_rules.Methodology) -> None:
    from egov_rules.kinds import rule_kind

    fast, quick = (m.model.nodes[n].rules[0] for n in ("fast", "quick"))
    assert rule_kind(fast).shape(fast, None).word == "non-decreasing"  # type: ignore[arg-type]
    assert rule_kind(quick).shape(quick, None).word == "non-increasing"  # type: ignore[arg-type]
