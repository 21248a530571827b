"""`index … scale 0..100`: the 0..1 value mapped onto a declared scale (issue 10, item 3)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import egov_rules
from egov_rules.diagnostics import EgovRulesError
from egov_rules.results import Ranking
from tests.conftest import ROOT

SOURCE = (ROOT / "tests" / "data" / "index_scale.egr").read_text(encoding="utf-8")
METHODOLOGY = egov_rules.compile(SOURCE)


def test_a_scaled_index_rounds_grades_and_says_its_scale() -> None:
    # By hand: a = 7 of 10, c = 5.99 of 10: 12.99 / 20 = 0.6495; × 100 = 64.95, half up to
    # one decimal 65.0; below 70: "Fair".
    pci = METHODOLOGY.evaluate({"x": 7, "y": "5.99"}, "b").index("pci")
    assert (pci.value, pci.rounded, pci.grade_en) == (Fraction("64.95"), 65, "Fair")
    assert pci.scale == [0, 100]
    assert pci.words.en == "12.99 of 20 points = 0.6495 × 100 = 65.0"
    assert pci.words.vi == "12,99 trên 20 điểm = 0,6495 × 100 = 65,0"


def test_points_to_the_next_grade_are_divided_back_from_the_scale() -> None:
    # By hand: 70 at one decimal is published from 69.95 on, i.e. a share of 0.6995 of 20
    # points = 13.99; the entity has 12.99, so 1 point more (not 69.95 × 20 − 12.99).
    pci = METHODOLOGY.evaluate({"x": 7, "y": "5.99"}, "b").index("pci")
    assert pci.next_grade is not None
    assert pci.next_grade.en == "1 more points (index 70) reach “Good”"


def test_an_index_term_reads_the_scaled_index_as_a_share() -> None:
    # By hand: `both` = mean of pci (published 65.0 → 0.65) and a (0.7) = 0.675, a mean of
    # shares; reading 65 would give 32.85.
    both = METHODOLOGY.evaluate({"x": 7, "y": "5.99"}, "b").index("both")
    assert both.value == Fraction("0.675")


@pytest.mark.parametrize("exact", [True, False])
def test_the_compiled_path_agrees_on_a_scaled_index(exact: bool) -> None:
    score = METHODOLOGY.score({"x": 7, "y": "5.99"}, "b", exact=exact)
    index = score.index("pci")
    assert index.rounded == 65 and index.grade_en == "Fair"
    assert score.index("both").value == pytest.approx(0.675, abs=1e-12)


def test_a_scale_with_a_lower_start() -> None:
    # By hand: 10 + 0.6495 × (100 − 10) = 10 + 58.455 = 68.455 → 68.5 (one decimal, half up).
    scaled = egov_rules.compile(SOURCE.replace("scale 0..100", "scale 10..100"))
    pci = scaled.evaluate({"x": 7, "y": "5.99"}, "b").index("pci")
    assert (pci.value, pci.rounded) == (Fraction("68.455"), Fraction("68.5"))
    assert pci.words.en == "12.99 of 20 points = 10 + 0.6495 × 90 = 68.5"
    assert scaled.score({"x": 7, "y": "5.99"}, "b").index("pci").rounded == Fraction("68.5")


def test_a_scale_whose_low_is_not_below_its_high_is_refused() -> None:
    with pytest.raises(EgovRulesError) as caught:
        egov_rules.compile(SOURCE.replace("scale 0..100", "scale 100..100"))
    found = [d for d in caught.value.diagnostics if d.code.code == "E313"]
    assert found and "scale" in found[0].message("en")
    line = next(k for k, text in enumerate(SOURCE.splitlines(), 1) if "scale 0..100" in text)
    assert found[0].span is not None and (found[0].span.line, found[0].span.column) == (line, 37)


def test_next_rank_divides_the_gap_back_to_points() -> None:
    # By hand: p has 12.99 points (64.95 → 65.0), q has 14 (70.0). p must publish 70.0, i.e.
    # reach 69.95 = a share of 0.6995 of 20 = 13.99 points: 1 more; the index gap is
    # 69.95 − 64.95 = 5.
    ranking = _ranked({"p": {"x": 7, "y": "5.99"}, "q": {"x": 7, "y": 7}})
    step = next(s for s in ranking.next_rank("p") if s.index == "pci")
    assert (step.rank, step.target_rank, step.target_value) == (2, 1, 70)
    assert (step.index_gap, step.points_needed) == (5, 1)


def _ranked(entities: dict[str, dict[str, object]]) -> Ranking:
    source = SOURCE + "rank pci within block ties share a rank\n"
    return egov_rules.compile(source).evaluate_many(
        {name: {"block": "b", **values} for name, values in entities.items()})


# -- rank options: `by exact`, `then by` -----------------------------------------------
# p: 12.99 points → pci 64.95 → 65.0; both = mean(0.65, a 0.8) = 0.725.
# q: 13 points → pci 65 exactly → 65.0; both = mean(0.65, a 0.7) = 0.675.
# r: 2 points → pci 10 → 10.0.
TRIO = {"p": {"x": 8, "y": "4.99"}, "q": {"x": 7, "y": 6}, "r": {"x": 1, "y": 1}}


def _ranks(rank_line: str) -> Ranking:
    return egov_rules.compile(SOURCE + rank_line + "\n").evaluate_many(
        {name: {"block": "b", **values} for name, values in TRIO.items()})


@pytest.mark.parametrize(("options", "expected"), [
    ("", {"p": 1, "q": 1, "r": 3}),  # both publish 65.0: they share rank 1
    (" by rounded", {"p": 1, "q": 1, "r": 3}),
    (" by exact", {"q": 1, "p": 2, "r": 3}),  # 65 > 64.95
    (" then by both", {"p": 1, "q": 2, "r": 3}),  # tied at 65.0; 0.725 > 0.675
    (" by exact then by both", {"q": 1, "p": 2, "r": 3}),  # no tie left to break
])
def test_rank_options(options: str, expected: dict[str, int]) -> None:
    ranking = _ranks(f"rank pci within block ties share a rank{options}")
    assert {e.entity: e.rank for e in ranking.ranks} == expected


def test_ranked_by_exact_the_value_is_the_exact_one_and_next_rank_needs_no_half_unit() -> None:
    ranking = _ranks("rank pci within block ties share a rank by exact")
    assert {e.entity: e.value for e in ranking.ranks}["p"] == Fraction("64.95")
    step = next(s for s in ranking.next_rank("p") if s.index == "pci")
    # By hand: p must reach q's exact 65 (no rounding to lean on): 0.05 on the scale, a
    # share of 0.0005 of 20 points = 0.01 point (q has 13, p 12.99).
    assert (step.target_rank, step.target_entities, step.index_gap, step.points_needed) == (
        1, ["q"], Fraction("0.05"), Fraction("0.01"))


def test_ranked_by_rounded_next_rank_leans_on_the_half_unit() -> None:
    step = next(s for s in _ranks("rank pci within block ties share a rank").next_rank("r")
                if s.index == "pci")
    # By hand: r (10.0) must publish 65.0, i.e. reach 64.95: gap 54.95; 0.6495 × 20 = 12.99
    # points, r has 2: 10.99 more.
    assert (step.target_rank, step.target_value, step.index_gap, step.points_needed) == (
        1, 65, Fraction("54.95"), Fraction("10.99"))


def test_then_by_an_unknown_index_is_located_with_a_suggestion() -> None:
    with pytest.raises(EgovRulesError) as caught:
        egov_rules.compile(SOURCE + "rank pci within block ties share a rank then by bot\n")
    found = [d for d in caught.value.diagnostics if d.is_error]
    assert len(found) == 1 and "bot" in found[0].message("en")
    assert found[0].hint is not None and "both" in found[0].hint.en
    assert found[0].span is not None and found[0].span.line == len(SOURCE.splitlines()) + 1
