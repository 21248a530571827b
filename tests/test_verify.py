"""`egov-rules verify` and `egov_rules.testing` on every shipped methodology (globbed at test
time: new files are picked up), plus the strategies and the shrinking of a failure."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

import egov_rules
from egov_rules import testing
from egov_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("methodologies/*.egr"), *ROOT.glob("examples/*.egr")])
BUDGET = 15 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 60


def test_there_are_methodologies_to_verify() -> None:
    assert any(p.name == "quickstart.egr" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_methodology_passes_every_property(path: Path) -> None:
    # Compiling runs the static monotonicity check: an unproven node would be an M601/M602
    # error here, so every shipped file is proven monotone or carries explained exemptions.
    methodology = egov_rules.load(path)
    for node in methodology.model.nodes.values():
        assert all(e.reason.strip() for e in node.exemptions)
    results = testing.verify(methodology, BUDGET)
    failures = {r.name: r.failure for r in results if r.failure is not None}
    assert failures == {}
    assert [r.name for r in results] == ["monotone", "bounded", "explained", "deterministic"]
    assert all(r.cases >= 1 for r in results)


def test_verify_command_prints_each_property(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(ROOT / "examples" / "quickstart.egr"), "--budget", "5",
                 "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0, out
    for name in ("monotone", "bounded", "explained", "deterministic"):
        assert f"{name}" in out
    assert "0 failing properties" in out


def test_verify_command_on_a_broken_file_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.egr"
    path.write_text("methodology m\ncategory\n", encoding="utf-8")
    assert main(["verify", str(path), "--budget", "5"]) == 1
    assert main(["verify", str(path), "--budget", "0"]) == 2


def test_a_failing_property_is_shrunk_to_a_minimal_case(quickstart: egov_rules.Methodology
                                                         ) -> None:
    def at_most_six_meetings(data: dict[str, object]) -> None:
        assert data["meetings"] < 7  # type: ignore[operator]

    result = testing._run_property("meetings", testing.indicator_sets(quickstart),
                                   at_most_six_meetings, 200)
    assert result.failure is not None
    # Shrunk: a count that breaks `< 7` but no larger than the next edge value tried (the
    # rules' thresholds 1-4 give edges 0..5, then the magnitudes 10, 100, …), and every other
    # field at its simplest value (0, `no`, the first option).
    case = result.counterexample[0]
    assert 7 <= case["meetings"] <= 10
    assert case["staff"] == 0 and case["has_backup"] is False and case["hosting"] == "own"


@settings(max_examples=20)
@given(data=testing.indicator_sets(egov_rules.load(ROOT / "examples" / "quickstart.egr")))
def test_generated_data_is_valid_and_respects_types(data: dict[str, object]) -> None:
    methodology = egov_rules.load(ROOT / "examples" / "quickstart.egr")
    assert data["block"] in methodology.blocks
    assert set(data) == {"block", *methodology.indicators}
    assert isinstance(data["has_backup"], bool)
    assert data["hosting"] in ("own", "cloud", "none")
    assert 1 <= data["portal_level"] <= 4  # type: ignore[operator]
    assert 0 <= Fraction(data["online_share"]) <= 100  # type: ignore[arg-type]
    assert 0 <= Fraction(data["bandwidth_mbps"]) <= 1_000_000  # type: ignore[arg-type]
    methodology.evaluate(data, block=str(data["block"]),
                         references=testing.default_references(methodology))


def test_edge_values_include_thresholds_and_zero(quickstart: egov_rules.Methodology) -> None:
    from egov_rules.samples import candidate_values, literals

    numbers = literals(quickstart.model.tree)
    meetings = candidate_values(quickstart.model.indicators["meetings"], numbers)
    # `bands meetings` has thresholds 4, 3, 2, 1: each, and one either side, is tried.
    assert {Fraction(n) for n in (0, 1, 2, 3, 4, 5)} <= set(meetings)
    online = candidate_values(quickstart.model.indicators["online_share"], numbers)
    # `from 10% to 50%` on a percent: 0.1 and 0.5 exactly, and a hundredth either side.
    assert {Fraction(1, 10), Fraction(9, 100), Fraction(11, 100), Fraction(1, 2)} <= set(online)


def test_entity_sets_and_improvements(quickstart: egov_rules.Methodology) -> None:
    @settings(max_examples=10)
    @given(entities=testing.entity_sets(quickstart, block="province", max_size=3),
           pair=testing.improvements(quickstart, block="ministry"))
    def run(entities: dict[str, dict[str, object]], pair: tuple[dict[str, object], ...]) -> None:
        assert 1 <= len(entities) <= 3
        assert all(d["block"] == "province" for d in entities.values())
        quickstart.evaluate_many(entities)
        before, after = pair
        assert before["block"] == after["block"] == "ministry"
        changed = [k for k in before if before[k] != after[k]]
        assert all(quickstart.model.indicators[k].direction != "neutral" for k in changed)
        testing.assert_monotone(quickstart, before, after)

    run()


def test_assert_monotone_rejects_a_change_that_is_not_an_improvement(
        quickstart: egov_rules.Methodology) -> None:
    base = {"block": "ministry", "staff": 10, "staff_with_pc": 5, "bandwidth_mbps": 1,
            "units": 0, "units_on_wan": 0, "has_backup": True, "has_firewall": True,
            "has_monitoring": True, "incidents": 1, "online_share": 20, "portal_level": 2,
            "hosting": "own", "meetings": 1, "it_staff": 1, "trained_share": 10}
    with pytest.raises(ValueError, match="not an improvement"):
        testing.assert_monotone(quickstart, base, {**base, "staff_with_pc": 4})
    with pytest.raises(ValueError, match="not an improvement"):
        testing.assert_monotone(quickstart, base, {**base, "staff": 11})  # neutral
    testing.assert_monotone(quickstart, base, {**base, "incidents": 0})  # lower is better
    testing.assert_bounded(quickstart, base)
    testing.assert_explained(quickstart, base)
    testing.assert_deterministic(quickstart, base)


BANDS_OUT_OF_ORDER = """methodology m
  title "T"
  year 2024
  source "S"
blocks
  province "Tỉnh"
indicators
  meetings  count  "Số cuộc họp"
category c "C"  max 10
  criterion steering "Họp"  max 10
    not monotone in meetings "test: points out of order on purpose"
    bands meetings
      at least 4: 5
      at least 2: 10
      otherwise: 0
"""


def test_assert_monotone_honours_exemptions_and_reports_a_fall() -> None:
    from dataclasses import replace

    methodology = egov_rules.compile(BANDS_OUT_OF_ORDER, "m.egr")
    before = {"block": "province", "meetings": 3}
    after = {"block": "province", "meetings": 4}
    testing.assert_monotone(methodology, before, after)  # covered by the exemption
    node = methodology.model.nodes["steering"]
    methodology.model.nodes["steering"] = replace(node, exemptions=())
    # 3 meetings: `at least 2` → 10; 4 meetings: `at least 4` → 5. The category follows.
    with pytest.raises(AssertionError) as failure:
        testing.assert_monotone(methodology, before, after)
    message = str(failure.value)
    assert "`steering` 10 → 5" in message and "`c` 10 → 5" in message
    assert 'example "before" block province' in message


def test_the_example_in_docs_testing_md_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/testing.md", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert len(tests) == 2
    for test in tests:
        test()
