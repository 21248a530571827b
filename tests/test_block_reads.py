"""An indicator that no node applicable to a block reads is not required of that block's
entities (`missing error`), yet is still checked when given; every path agrees."""

from __future__ import annotations

import pytest

import egov_rules
from egov_rules.annex import render_annex
from tests.conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart.egr"
MINISTRY = {"staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20,
            "units_on_wan": 18, "has_backup": "yes", "has_firewall": "yes",
            "has_monitoring": "no", "incidents": 1, "online_share": 30, "portal_level": 3,
            "hosting": "own", "meetings": 0, "it_staff": 6, "trained_share": 50}


def _quickstart() -> egov_rules.Methodology:
    return egov_rules.load(QUICKSTART)


def test_reads_has_one_home_on_the_model_and_the_annex_uses_it() -> None:
    model = _quickstart().model
    assert "meetings" in model.reads["province"] and "meetings" not in model.reads["ministry"]
    annex = render_annex(_quickstart(), "markdown", "en")
    assert "Not used in this block: `meetings`." in annex


def test_every_path_scores_an_entity_without_what_its_block_does_not_read() -> None:
    methodology = _quickstart()
    refs = {"bandwidth": 1000}
    without = {k: v for k, v in MINISTRY.items() if k != "meetings"}
    full = methodology.evaluate(MINISTRY, "ministry", "Bộ A", refs)
    evaluation = methodology.evaluate(without, "ministry", "Bộ A", refs)
    assert evaluation.nodes == full.nodes and evaluation.indices == full.indices
    for exact in (False, True):
        score = methodology.score(without, "ministry", "Bộ A", refs, exact=exact)
        same = methodology.score(MINISTRY, "ministry", "Bộ A", refs, exact=exact)
        # floats: the absent key sends the fast path to the validated one (within TOLERANCE)
        assert score.figures == (same.figures if exact else pytest.approx(same.figures))
    ranked = methodology.evaluate_many({"Bộ A": {**without, "block": "ministry"},
                                        "Bộ B": {**MINISTRY, "block": "ministry"}})
    assert [e.entity for e in ranked.evaluations] == ["Bộ A", "Bộ B"]


def test_a_value_given_for_an_unread_indicator_is_still_checked() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        _quickstart().evaluate({**MINISTRY, "meetings": -1}, "ministry", "Bộ A",
                               {"bandwidth": 1000})
    assert [d.code.code for d in raised.value.diagnostics] == ["E205"]


def test_an_indicator_the_block_reads_is_still_required() -> None:
    without = {k: v for k, v in MINISTRY.items() if k != "units"}
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        _quickstart().evaluate(without, "ministry", "Bộ A", {"bandwidth": 1000})
    assert [d.code.code for d in raised.value.diagnostics] == ["E206"]
