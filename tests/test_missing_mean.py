"""`missing mean`: a missing value is the exact mean of its block's given values (or the
reference `x.mean` when scored alone); said in the explanation, recorded in the audit
record, and every path (evaluate_many, score_many fast and exact, the CSV stream, the CLI,
verify-record) agrees."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.annex import render_annex
from egov_rules.diagnostics import Reporter
from egov_rules.stream import scores_of_file
from tests.conftest import cli

SOURCE = """\
methodology mini
  title "Mini"
  year 2024
  source "test"
  missing error

blocks
  ministry "Bộ"
  province "Tỉnh"

indicators
  staff count "Cán bộ" neutral
  trained count "Được đào tạo"
    missing mean

let trained_share = trained / staff  if staff = 0: 0

category all "Tất cả"  max 20
  criterion training "Đào tạo"  max 20
    proportional trained_share

index total = share of max all round 2
"""

# Hand-checked: ministry gives trained 10 and 15 → mean 25/2 = 12.5 over 2 values; A (staff
# 20) reads 12.5 → 12.5/20 × 20 = 12.5 points. Province gives 4 only → F reads 4 (of 1
# value) → 4/8 × 20 = 10 points.
ENTITIES = {
    "A": {"block": "ministry", "staff": 20},
    "B": {"block": "ministry", "staff": 20, "trained": 10},
    "C": {"block": "ministry", "staff": 20, "trained": 15},
    "E": {"block": "province", "staff": 8, "trained": 4},
    "F": {"block": "province", "staff": 8},
}


def _mini() -> egov_rules.Methodology:
    return egov_rules.compile(SOURCE, "mini.egr")


def test_a_missing_value_is_its_blocks_mean_and_says_so() -> None:
    ranked = _mini().evaluate_many(ENTITIES)
    a, b, _, _, f = ranked.evaluations
    assert a.inputs["trained"] == Fraction(25, 2) and a.missing == {"trained": "mean"}
    assert a.points("training") == Fraction(25, 2)  # 12.5 / 20 × 20
    read = next(r for r in a.node("training").read if r.name == "trained_share").inputs
    trained = next(r for r in read if r.name == "trained")
    assert trained.missing == "mean"
    assert trained.shown.en == "trained imputed: mean 12.5 of the block's 2 values"
    assert trained.shown.vi.startswith("trained được ước tính: trung bình 12,5")
    assert "trained imputed: mean 12.5 of the block's 2 values" in a.explain("en")
    # Province: the mean is of its own block only (4, not ministry's values).
    assert f.inputs["trained"] == 4 and f.points("training") == 10  # 4/8 × 20
    assert b.missing == {} and b.inputs["trained"] == 10


def test_the_mean_is_exact_not_a_float() -> None:
    # 1, 1 and 2 → 4/3 (0.333… × 4 would drift as a float); A reads 4/3 of staff 3 → 4/9 × 20.
    entities = {"A": {"block": "ministry", "staff": 3}, **{
        k: {"block": "ministry", "staff": 3, "trained": v} for k, v in (("B", 1), ("C", 1), ("D", 2))}}
    a = _mini().evaluate_many(entities).evaluations[0]
    assert a.inputs["trained"] == Fraction(4, 3) and a.points("training") == Fraction(80, 9)
    score = next(iter(_mini().score_many(entities, exact=True)))
    assert score.points("training") == Fraction(80, 9)


def test_alone_the_mean_needs_a_reference() -> None:
    methodology = _mini()
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        methodology.evaluate({"staff": 20}, "ministry", "A")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E206"
    assert "missing mean" in diagnostic.message("en") and "trained.mean" in str(diagnostic.hint)
    alone = methodology.evaluate({"staff": 20}, "ministry", "A", references={"trained.mean": 5})
    assert alone.inputs["trained"] == 5 and alone.points("training") == 5  # 5/20 × 20
    assert "trained imputed: mean 5 (reference)" in alone.explain("en")
    score = methodology.score({"staff": 20}, "ministry", "A", references={"trained.mean": 5})
    assert score.points("training") == 5


def test_a_block_where_no_entity_gave_it_is_an_error_unless_referenced() -> None:
    entities = {"A": {"block": "ministry", "staff": 20}, "B": {"block": "ministry", "staff": 5}}
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        _mini().evaluate_many(entities)
    assert [d.code.code for d in raised.value.diagnostics] == ["E206", "E206"]
    # A reference wins over the block's own mean, for every block.
    ranked = _mini().evaluate_many(ENTITIES, references={"trained.mean": 2})
    assert [e.inputs["trained"] for e in ranked.evaluations] == [2, 10, 15, 4, 2]


@pytest.mark.parametrize("exact", [False, True])
def test_score_many_agrees_with_evaluate_many(exact: bool) -> None:
    methodology = _mini()
    evaluations = methodology.evaluate_many(ENTITIES).evaluations
    scores = list(methodology.score_many(ENTITIES, exact=exact))
    for evaluation, score in zip(evaluations, scores, strict=True):
        assert score.points("training") == evaluation.points("training")
        assert score.index("total").value == pytest.approx(evaluation.index("total").value)
    assert scores[0].points("training") == Fraction(25, 2)



CSV = ("entity,block,staff,trained\nA,ministry,20,\nB,ministry,20,10\nC,ministry,20,15\n"
       "E,province,8,4\nF,province,8,\n")


def test_cli_scores_an_empty_cell_by_the_mean_and_verifies_the_record(tmp_path: Path) -> None:
    rules, data, record = tmp_path / "mini.egr", tmp_path / "data.csv", tmp_path / "r.json"
    rules.write_text(SOURCE, encoding="utf-8")
    data.write_text(CSV, encoding="utf-8")
    code, _ = cli("score", str(rules), str(data), "--format", "json", "--output", str(record), lang=None)
    assert code == 0
    first = json.loads(record.read_text(encoding="utf-8"))["evaluations"][0]
    assert first["missing"] == {"trained": "mean"} and first["inputs"]["trained"] == "12.5"
    code, out = cli("verify-record", str(record), "--methodology", str(rules),
                     "--data", str(data), "--lang", "en", lang=None)
    assert code == 0, out
    code, out = cli("explain", str(rules), str(data), "--entity", "A", "--lang", "en", lang=None)
    assert code == 0 and "trained imputed: mean 12.5 of the block's 2 values" in out


def test_the_csv_stream_falls_back_to_the_whole_file_and_agrees(tmp_path: Path) -> None:
    rules, data = tmp_path / "mini.egr", tmp_path / "data.csv"
    rules.write_text(SOURCE, encoding="utf-8")
    data.write_text(CSV, encoding="utf-8")
    methodology = egov_rules.load(rules)
    reporter = Reporter()
    scores = list(scores_of_file(methodology, data, reporter))
    assert not reporter.has_errors
    assert [s.points("training") for s in scores] == [Fraction(25, 2), 10, 15, 10, 10]
    code, out = cli("score", str(rules), str(data), "--format", "csv", lang=None)
    assert code == 0 and len(out.strip().splitlines()) == 6, out


def test_a_reference_key_is_accepted_on_the_command_line(tmp_path: Path) -> None:
    rules, data = tmp_path / "mini.egr", tmp_path / "data.csv"
    rules.write_text(SOURCE, encoding="utf-8")
    data.write_text("entity,block,staff,trained\nF,province,8,\n", encoding="utf-8")
    code, out = cli("score", str(rules), str(data), "--format", "json",
                     "--reference", "trained.mean=2", lang=None)
    assert code == 0, out
    assert json.loads(out)["evaluations"][0]["inputs"]["trained"] == "2"


def test_mean_as_the_file_default_and_in_the_annex() -> None:
    methodology = egov_rules.compile(SOURCE.replace("missing error", "missing mean")
                                     .replace("    missing mean\n\nlet", "\nlet"), "mini.egr")
    a = methodology.evaluate_many(ENTITIES).evaluations[0]
    assert a.inputs["trained"] == Fraction(25, 2) and a.missing == {"trained": "mean"}
    assert "the mean of its block's given values" in render_annex(methodology, "markdown", "en")
