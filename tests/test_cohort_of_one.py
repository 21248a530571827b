"""A cohort of one is no cohort (docs/language.md, "A cohort of one"): when a figure of a
node would be found over one value only — the entity's own — and the rule states a
`reference …`, the reference is used, on every path (evaluate_many, score_many exact and
fast, the streamed file, the CLI), and W529 is not said. Without a stated reference the
entity's own value stands, with W529, as before (tests/test_alone.py)."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import Reporter
from egov_rules.render import render_text
from egov_rules.stream import scores_of_file

SOURCE = """\
methodology one_alone
  title  "Một mình trong khối"
  year   2024
  source "Minh hoạ"

blocks
  country "Quốc gia"
  region "Vùng"

indicators
  speed  number  "Tốc độ"
    between 0 and 1000
  years  number  "Số năm đi học"
    between 0 and 20

category c "C"  max 40
  spread "Dàn trải"  max 10
    min-max speed  reference min 0 max 200
  rel "So với tốt nhất"  max 10
    proportional speed relative to best in block reference 200
  z "Z"  max 10
    z-score years within 2  reference mean 8 sd 2
  bare "Không có tham chiếu"  max 10
    min-max years
"""
M = egov_rules.compile(SOURCE)
# Alone, by the rule's references: (50 − 0) ÷ (200 − 0) = 25% of 10 = 2.5; 50 ÷ 200 × 10 =
# 2.5; z = (10 − 8) ÷ 2 = 1, (1 + 2) ÷ 4 = 75% of 10 = 7.5; `bare` states nothing: its own
# value is its min and max, full points.
ALONE = {"spread": Fraction(5, 2), "rel": Fraction(5, 2), "z": Fraction(15, 2),
         "bare": Fraction(10)}
ONE = {"Quốc gia A": {"block": "country", "speed": 50, "years": 10}}
# Two in the block: the block's figures win over the references. speed 50, 150: A is at
# the min, 0 points of min-max, 50 ÷ 150 × 10 = 3.3333 of the best; years 10, 6: mean 8,
# sd 2, A's z = 1: 7.5; bare: A's 10 is the max, 10.
TWO = {**ONE, "Quốc gia B": {"block": "country", "speed": 150, "years": 6}}
TWO_A = {"spread": Fraction(0), "rel": Fraction(10, 3), "z": Fraction(15, 2),
         "bare": Fraction(10)}


def _points(evaluation: egov_rules.Evaluation) -> dict[str, Fraction | None]:
    return {n: evaluation.node(n).points for n in ALONE}


def test_evaluate_many_uses_the_rule_references_for_an_entity_alone_in_its_block() -> None:
    reporter = Reporter()
    ranking = M.evaluate_many(ONE, reporter=reporter)
    evaluation = ranking.evaluation("Quốc gia A")
    assert _points(evaluation) == ALONE
    assert evaluation.cohort_sources["spread.min"].kind == "rule"
    assert evaluation.cohort_sources["z.sd"].kind == "rule"
    assert evaluation.cohort_sources["bare.max"].kind == "cohort"
    # W529 only for the node that states no reference
    assert [d.args["node"] for d in reporter.diagnostics if d.code.code == "W529"] == ["bare"]
    assert "the rule's reference" in evaluation.node("spread").branch.en


def test_a_block_of_two_is_a_cohort() -> None:
    evaluation = M.evaluate_many(TWO).evaluation("Quốc gia A")
    assert _points(evaluation) == TWO_A
    assert evaluation.cohort_sources["spread.min"].kind == "cohort"


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("entities", [ONE, TWO])
def test_score_many_agrees(exact: bool, entities: dict[str, dict[str, object]]) -> None:
    expected = M.evaluate_many(entities).evaluation("Quốc gia A")
    score = next(s for s in M.score_many(entities, exact=exact) if s.entity == "Quốc gia A")
    for node in ALONE:
        assert score.points(node) == pytest.approx(float(expected.node(node).points or 0)), node


def test_alone_with_another_block_beside_it() -> None:
    # A region alone in its block beside two countries: the region is scored by the
    # references, the countries by their block.
    entities = {**TWO, "Vùng R": {"block": "region", "speed": 100, "years": 12}}
    ranking = M.evaluate_many(entities)
    region = ranking.evaluation("Vùng R")
    # 100 ÷ 200 = 50% of 10 = 5, twice; z = (12 − 8) ÷ 2 = 2: (2 + 2) ÷ 4 = all 10 points
    assert _points(region) == {"spread": 5, "rel": 5, "z": 10, "bare": 10}
    assert _points(ranking.evaluation("Quốc gia A")) == TWO_A


@pytest.mark.parametrize("rows", [["Quốc gia A,country,50,10"],
                                  ["Quốc gia A,country,50,10", "Quốc gia B,country,150,6"]])
def test_the_streamed_file_and_the_cli_agree(tmp_path: Path, rows: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = tmp_path / "m.egr", tmp_path / "d.csv"
    rules.write_text(SOURCE, encoding="utf-8")
    data.write_text("\n".join(["entity,block,speed,years", *rows]) + "\n", encoding="utf-8")
    expected = ALONE if len(rows) == 1 else TWO_A
    reporter = Reporter()
    streamed = next(iter(scores_of_file(M, data, reporter)))
    assert {n: streamed.points(n) for n in ALONE} == pytest.approx(
        {n: float(v) for n, v in expected.items()})
    assert [d.args["node"] for d in reporter.diagnostics if d.code.code == "W529"] == \
        (["bare"] if len(rows) == 1 else [])
    out = io.StringIO()
    assert main(["explain", str(rules), str(data), "--entity", "Quốc gia A", "--lang", "en"],
                out=out) == 0
    text = out.getvalue()
    if len(rows) == 1:
        assert "(the rule's reference, line 18)" in text, text
    else:
        assert "min 50 = Quốc gia A, max 150 = Quốc gia B (of the block's 2 entities)" in text


def test_w529_names_the_figures_a_min_max_takes() -> None:
    # `bare` states no reference: alone, its own 10 years is its block's min and max
    reporter = Reporter()
    M.evaluate_many(ONE, reporter=reporter)
    (warning,) = [d for d in reporter.diagnostics if d.code.code == "W529"]
    assert render_text(warning, "en").split("\n")[0].endswith(
        "warning[W529]: Quốc gia A: `bare` compares with the lowest and the highest of block "
        "`country`, but no other entity of the block was given: its own value, 10, was taken "
        "as the lowest and the highest (full points)")
    assert warning.hint is not None and "--reference bare.min=… --reference bare.max=…" \
        in warning.hint.en
