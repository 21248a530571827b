"""The public Python API: compile/check/load, errors that carry every diagnostic, the result
models' schema and the explanations."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import egov_rules
from egov_rules.numbers import fmt
from tests.conftest import ROOT

QUICKSTART_TEXT = (ROOT / "examples" / "quickstart.egr").read_text(encoding="utf-8")

BOO_A: dict[str, Any] = {
    "staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20, "units_on_wan": 18,
    "has_backup": True, "has_firewall": True, "has_monitoring": False, "incidents": 1,
    "online_share": 30, "portal_level": 3, "hosting": "own", "meetings": 0, "it_staff": 6,
    "trained_share": 50,
}

SEVERAL_MISTAKES = """\
methodology broken
  title "Sai nhiều chỗ"
  year 2024
  source "thử"

blocks
  ministry "Bộ"

indicators
  x count "X"
  x count "X lần hai"
  p percent "P"

category c "C"  max 10
  criterion k "K"  max 10
    bands p
      at least 20%: 5
      at least 50%: 10
      otherwise: 0
category d "D"  max 10
  weighted mean of
    d1 "D1"  max 10  weight 60%
      1 per y up to 10
    d2 "D2"  max 10  weight 30%
      1 per x up to 10
"""


def test_compile_raises_with_every_diagnostic() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.compile(SEVERAL_MISTAKES, "broken.egr")
    found = {d.code.code for d in error.value.diagnostics}
    # x declared twice, bands out of order (50% after 20%), unknown `y`, weights 60% + 30% = 90%
    assert {"E102", "E302", "E101", "E307"} <= found
    assert all(d.span is not None and d.span.path == "broken.egr" for d in error.value.diagnostics)
    assert "(and " in str(error.value)  # the message says there are more


def test_check_returns_the_same_diagnostics_without_raising() -> None:
    diagnostics = egov_rules.check(SEVERAL_MISTAKES, "broken.egr")
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.compile(SEVERAL_MISTAKES, "broken.egr")
    assert [str(d) for d in diagnostics] == [str(d) for d in error.value.diagnostics]


def test_every_diagnostic_speaks_both_languages() -> None:
    for diagnostic in egov_rules.check(SEVERAL_MISTAKES, "broken.egr"):
        assert diagnostic.message("en") and diagnostic.message("vi")
        assert "{" not in diagnostic.message("vi")  # no template left unfilled


def test_load_reports_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.egr"
    path.write_bytes(QUICKSTART_TEXT.replace("Mẫu", "Mau").encode("utf-8") + b"# caf\xe9\n")
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.load(path)
    assert [d.code.code for d in error.value.diagnostics] == ["E008"]


def test_methodology_properties(quickstart: egov_rules.Methodology) -> None:
    assert (quickstart.id, quickstart.year) == ("quickstart", 2024)
    assert quickstart.blocks == ["ministry", "province"]
    assert quickstart.indicators[:2] == ["staff", "staff_with_pc"]
    assert repr(quickstart) == "<Methodology quickstart (2024)>"


def test_evaluate_reports_every_data_problem(quickstart: egov_rules.Methodology) -> None:
    data = dict(BOO_A, staff=-1, online_share=140, staf=3)
    with pytest.raises(egov_rules.EgovRulesError) as error:
        quickstart.evaluate(data, block="ministry", entity="Bộ A", references={"bandwidth": 1})
    found = sorted((d.code.code, d.location) for d in error.value.diagnostics)
    assert found == [("E101", "Bộ A.staf"), ("E205", "Bộ A.online_share"), ("E205", "Bộ A.staff")]
    unknown = next(d for d in error.value.diagnostics if d.code.code == "E101")
    assert unknown.hint is not None and "`staff`" in unknown.hint.en


def test_evaluate_unknown_block(quickstart: egov_rules.Methodology) -> None:
    with pytest.raises(egov_rules.EgovRulesError) as error:
        quickstart.evaluate(BOO_A, block="ministri", references={"bandwidth": 1})
    assert [d.code.code for d in error.value.diagnostics] == ["E101"]
    assert "unknown block `ministri`" in error.value.diagnostics[0].message("en")


# -- schema ------------------------------------------------------------------------------------


def test_json_schemas_carry_the_schema_version() -> None:
    for schema in (egov_rules.Evaluation.model_json_schema(), egov_rules.json_schema()):
        assert "schema_version" in schema["properties"]
        assert schema["properties"]["schema_version"]["default"] == egov_rules.SCHEMA_VERSION
    assert "Evaluation" in egov_rules.json_schema()["$defs"]
    json.dumps(egov_rules.json_schema())  # serialisable as it is


def test_evaluation_json_round_trips(quickstart: egov_rules.Methodology) -> None:
    evaluation = quickstart.evaluate(BOO_A, block="ministry", entity="Bộ A", references={"bandwidth": 1})
    text = evaluation.model_dump_json()
    again = egov_rules.Evaluation.model_validate_json(text)
    assert again == evaluation
    assert json.loads(text)["nodes"][1]["points"] == "28.5"  # computers: 0.95 × 30
    assert again.points("people") == Fraction(56, 5)  # (0.6 × 12/20 + 0.4 × 10/20) × 20 = 11.2


# -- explanations ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_explain_mentions_every_applicable_criterion(quickstart: egov_rules.Methodology,
                                                     lang: egov_rules.diagnostics.Lang) -> None:
    evaluation = quickstart.evaluate(BOO_A, block="ministry", entity="Bộ A", references={"bandwidth": 1})
    text = evaluation.explain(lang)
    lines = text.splitlines()
    for node in evaluation.nodes:
        label = (node.label_en or node.label) if lang == "en" else node.label
        if node.points is None or node.max is None:
            assert any(label in line and ("not applicable" in line or "không áp dụng" in line)
                       for line in lines), node.id
            continue
        score = f"{fmt(node.points, lang)}/{fmt(node.max, lang)}"
        line = next((line for line in lines if f"{label} — {score}" in line), None)
        assert line is not None, (node.id, score)
        for citation in node.citations:
            assert f"[{citation}]" in line
    # figures worked out by hand for Bộ A
    decimal = "," if lang == "vi" else "."
    assert f"28{decimal}5/30" in text  # computers: 950/1000 × 30
    assert f"72{decimal}5/100" in text  # infrastructure: 28.5 + 15 + 9 + 10 + 10
    assert "47/80" in text  # services: 20 + 12 + 15 (steering applies to provinces only)


def test_explain_shows_the_english_grade_in_english(quickstart: egov_rules.Methodology) -> None:
    evaluation = quickstart.evaluate(BOO_A, block="ministry", references={"bandwidth": 1})
    # infrastructure_index 72.5/100 = 0.725: at least 0.5 → Khá / Fair
    assert "0.725 → Fair" in evaluation.explain("en")
    assert "0,725 → Khá" in evaluation.explain("vi")


def test_evaluate_many_reports_progress_after_each_entity() -> None:
    from tests.quickstart_by_hand import make_entities

    methodology = egov_rules.load(ROOT / "examples" / "quickstart.egr")
    seen: list[int] = []
    ranking = methodology.evaluate_many(make_entities(7), progress=seen.append)
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert len(ranking.evaluations) == 7
