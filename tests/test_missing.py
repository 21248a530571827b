"""Per-indicator `missing` policies: `zero` fills a value, `not applicable` drops every node
that reads it (as `when` does); both are shown in the explanation and the audit record, and
every path (evaluate, score fast and exact, evaluate_many, the CLI, verify-record) agrees."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from tests.conftest import cli

SOURCE = """\
methodology mini
  title "Mini"
  year 2024
  source "test"
  missing error

blocks
  ministry "Bộ"

indicators
  staff count "Cán bộ" neutral
  trained count "Được đào tạo"
    missing not applicable
  portal yes/no "Cổng"
    missing zero

let trained_share = trained / staff  if staff = 0: 0

category all "Tất cả"  max 30
  criterion training "Đào tạo"  max 20
    proportional trained_share
  criterion has_portal "Cổng"  max 10
    yes/no portal

index total = share of max all round 2
"""


def _mini(default: str | None = None) -> egov_rules.Methodology:
    text = SOURCE if default is None else SOURCE.replace("missing error", f"missing {default}")
    return egov_rules.compile(text, "mini.egr")


def test_not_applicable_drops_the_node_and_its_maximum_like_when() -> None:
    evaluation = _mini().evaluate({"staff": 10, "portal": "yes"}, "ministry", "A")
    training = evaluation.node("training")
    assert not training.applicable and training.points is None and training.max is None
    assert training.branch.en == "does not apply: `trained` is missing (policy: not applicable)"
    # all = has_portal only: 10 of 10 (not 10 of 30), so the index re-normalises to 1.
    assert (evaluation.points("all"), evaluation.node("all").max) == (10, 10)
    assert evaluation.index("total").value == 1
    assert evaluation.missing == {"trained": "not applicable"}


def test_zero_fills_the_value_and_says_so() -> None:
    evaluation = _mini().evaluate({"staff": 10, "trained": 5}, "ministry", "A")
    # training = 5/10 × 20 = 10; has_portal = no → 0; total = 10/30 → 0.33.
    assert (evaluation.points("training"), evaluation.points("has_portal")) == (10, 0)
    assert evaluation.index("total").rounded == Fraction(33, 100)
    read = evaluation.node("has_portal").read[0]
    assert (read.name, read.value, read.missing) == ("portal", False, "zero")
    assert read.shown.en == "no (missing; policy: zero)"
    assert evaluation.missing == {"portal": "zero"}
    assert "(missing; policy: zero)" in evaluation.explain("en")


def test_an_indicator_line_overrides_the_file_default_both_ways() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as raised:  # staff: the default, error
        _mini().evaluate({"trained": 5}, "ministry", "A")
    assert [d.code.code for d in raised.value.diagnostics] == ["E206"]
    # `missing not applicable` as the file default: staff drops training too; portal keeps zero.
    evaluation = _mini("not applicable").evaluate({"trained": 5}, "ministry", "A")
    assert not evaluation.node("training").applicable
    assert evaluation.missing == {"staff": "not applicable", "portal": "zero"}


def test_a_given_value_is_never_marked() -> None:
    evaluation = _mini().evaluate({"staff": 10, "trained": 5, "portal": "yes"}, "ministry", "A")
    assert evaluation.missing == {} and evaluation.node("has_portal").read[0].missing is None


@pytest.mark.parametrize("exact", [False, True])
def test_score_agrees_with_evaluate_when_a_value_is_missing(exact: bool) -> None:
    methodology = _mini()
    for data in ({"staff": 10}, {"staff": 10, "portal": "yes"}, {"staff": 4, "trained": 3},
                 {"staff": 10, "trained": 5, "portal": "yes"}):
        evaluation = methodology.evaluate(data, "ministry", "A")
        score = methodology.score(data, "ministry", "A", exact=exact)
        for node in ("all", "training", "has_portal"):
            assert score.points(node) == evaluation.points(node), (data, node)
            assert score.max(node) == evaluation.node(node).max, (data, node)
        rounded = evaluation.index("total").rounded
        assert score.index("total").rounded == (rounded if exact else pytest.approx(rounded))


def test_evaluate_many_records_each_entitys_missing_values() -> None:
    ranked = _mini().evaluate_many({"A": {"block": "ministry", "staff": 10},
                                    "B": {"block": "ministry", "staff": 10, "trained": 10,
                                          "portal": "yes"}})
    assert [e.missing for e in ranked.evaluations] == [
        {"trained": "not applicable", "portal": "zero"}, {}]
    # A: only has_portal applies, 0 of 10 → 0; B: 30 of 30 → 1.
    assert [e.index("total").value for e in ranked.evaluations] == [0, 1]



def test_cli_scores_empty_cells_by_their_policies_and_verifies_the_record(tmp_path: Path) -> None:
    rules, data, record = tmp_path / "mini.egr", tmp_path / "data.csv", tmp_path / "r.json"
    rules.write_text(SOURCE, encoding="utf-8")
    data.write_text("entity,block,staff,trained,portal\nA,ministry,10,,\n"
                    "B,ministry,10,5,yes\n", encoding="utf-8")
    code, _ = cli("score", str(rules), str(data), "--format", "json", "--output", str(record), lang=None)
    assert code == 0
    saved = json.loads(record.read_text(encoding="utf-8"))
    first = saved["evaluations"][0]
    assert first["missing"] == {"trained": "not applicable", "portal": "zero"}
    assert first["inputs"] == {"staff": "10", "portal": False}
    assert saved["evaluations"][1]["missing"] == {}
    code, out = cli("verify-record", str(record), "--methodology", str(rules),
                     "--data", str(data), "--lang", "en", lang=None)
    assert code == 0, out
    code, out = cli("explain", str(rules), str(data), "--entity", "A", "--lang", "en", lang=None)
    assert code == 0
    assert "does not apply: `trained` is missing (policy: not applicable)" in out
