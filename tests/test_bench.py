"""The benchmark's premises, without timing anything: its synthetic methodology compiles
cleanly, its hand-written baseline computes what the engine computes (so the speed ratios
compare like with like), the agreement check can fail, and its 63 provinces are valid data."""

from __future__ import annotations

from typing import Any

import pytest

import egov_rules
from benchmarks import bench, handwritten, synthetic
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def methodology() -> egov_rules.Methodology:
    return egov_rules.compile(synthetic.synthetic_source(), "synthetic.egr")


def test_synthetic_methodology_has_60_criteria_and_no_diagnostics() -> None:
    source = synthetic.synthetic_source()
    assert source == synthetic.synthetic_source()          # deterministic
    assert source.count("\n  criterion ") == 60
    assert egov_rules.check(source, "synthetic.egr") == []  # no error, no warning


def test_handwritten_function_agrees_with_the_engine(methodology: egov_rules.Methodology) -> None:
    entities = synthetic.make_entities(40)
    # The entities reach what the comparison is about: every grade and a zero denominator.
    assert {handwritten.score(e)["grade"] for e in entities.values()} == {
        "Tốt", "Khá", "Trung bình", "Yếu"}
    assert any(e["infra_base"] == 0 for e in entities.values())
    assert bench.check_agreement(methodology, entities) == []


def test_agreement_check_reports_a_wrong_baseline(methodology: egov_rules.Methodology) -> None:
    def one_point_too_many(e: dict[str, Any]) -> dict[str, Any]:
        result = handwritten.score(e)
        result["portal"] += 1
        return result

    entities = synthetic.make_entities(3)
    evaluations = methodology.evaluate_many(entities).evaluations
    problems = bench.disagreements(evaluations, entities, "explained", one_point_too_many)
    assert [p.split(":")[1].split("=")[0].strip() for p in problems] == ["portal"] * 3
    assert bench.disagreements(evaluations[:2], entities, "explained") == [
        "explained: 2 results for 3 entities"]


def test_agreement_covers_the_fast_path_once_the_build_has_one(
        methodology: egov_rules.Methodology, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand-ins for `Methodology.score_many`, which lands on another branch: one that streams
    # the explained results (agrees), one that loses an entity (must be reported).
    def streamed(self: egov_rules.Methodology, entities: bench.Entities) -> Any:
        return iter(self.evaluate_many(entities).evaluations)

    def loses_one(self: egov_rules.Methodology, entities: bench.Entities) -> Any:
        return self.evaluate_many(entities).evaluations[1:]

    entities = synthetic.make_entities(3)
    monkeypatch.setattr(egov_rules.Methodology, "score_many", streamed, raising=False)
    assert bench.has_fast_path() and bench.check_agreement(methodology, entities) == []
    monkeypatch.setattr(egov_rules.Methodology, "score_many", loses_one, raising=False)
    assert bench.check_agreement(methodology, entities) == ["fast path: 2 results for 3 entities"]


def test_63_provinces_are_valid_distinct_data_for_decision_62() -> None:
    cohort = bench.provinces()
    ranking = egov_rules.load(ROOT / "methodologies/vn-ict-2016.egr").evaluate_many(cohort)
    assert len(ranking.evaluations) == 63
    assert {ev.block for ev in ranking.evaluations} == {"province"}
    assert len({tuple(sorted(data.items())) for data in cohort.values()}) == 63
