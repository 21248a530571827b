"""The shipped quickstart compiles cleanly and scores its example data."""

from __future__ import annotations

from fractions import Fraction

import egov_rules
from egov_rules.cli import main
from tests.conftest import ROOT


def test_quickstart_compiles_without_diagnostics(quickstart: egov_rules.Methodology) -> None:
    assert quickstart.id == "quickstart"
    assert quickstart.check() == []


def test_quickstart_example_entity_by_hand(quickstart: egov_rules.Methodology) -> None:
    # Bộ A: 950 of 1000 staff have a computer → 0.95 × 30 = 28.5 points.
    evaluation = quickstart.evaluate(
        {"staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20,
         "units_on_wan": 18, "has_backup": True, "has_firewall": True, "has_monitoring": False,
         "incidents": 1, "online_share": 30, "portal_level": 3, "hosting": "own",
         "meetings": 0, "it_staff": 6, "trained_share": 50},
        block="ministry", references={"bandwidth": 1},
    )
    assert evaluation.points("computers") == Fraction(57, 2)
    assert evaluation.points("infrastructure") == Fraction(145, 2)
    assert evaluation.index("services_index").rounded == Fraction("0.588")


def test_cli_score_runs_on_quickstart_data() -> None:
    code = main(["score", str(ROOT / "examples/quickstart.egr"),
                 str(ROOT / "examples/quickstart-data.yaml")])
    assert code == 0
