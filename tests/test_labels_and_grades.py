"""English labels for blocks, derived values and indices; next-grade hints that respect the
declared rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest

import egov_rules
from egov_rules import syntax as s
from egov_rules.kinds.bands import lowest_value_reaching
from egov_rules.numbers import fmt_published
from egov_rules.source import SourceFile

BOB_A = {"staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20,
         "units_on_wan": 18, "has_backup": True, "has_firewall": True, "has_monitoring": False,
         "incidents": 1, "online_share": 30, "portal_level": 3, "hosting": "own",
         "meetings": 0, "it_staff": 6, "trained_share": 50}


def _band(op: s.BandOp, threshold: str) -> s.Band:
    span = SourceFile("<t>", "").whole()
    number = s.Number(value=Fraction(threshold), percent=False, span=span)
    return s.Band(op=op, threshold=number, award="x", award_en=None, span=span)


def test_lowest_value_reaching_a_rounded_threshold() -> None:
    # Published with 3 decimals, half-up: 0.7995 is printed 0.800, 0.79949… is printed 0.799.
    assert lowest_value_reaching(_band("at least", "0.8"), 3) == Fraction("0.7995")
    # `above 0.8` needs a published 0.801, i.e. at least 0.8005.
    assert lowest_value_reaching(_band("above", "0.8"), 3) == Fraction("0.8005")
    # Without rounding the threshold itself is the answer (`above` has no smallest value).
    assert lowest_value_reaching(_band("at least", "0.8"), None) == Fraction("0.8")
    assert lowest_value_reaching(_band("above", "0.8"), None) is None


def test_next_grade_counts_points_to_the_rounded_threshold(
    quickstart: egov_rules.Methodology,
) -> None:
    evaluation = quickstart.evaluate(BOB_A, block="ministry", references={"bandwidth": 1})
    services = evaluation.index("services_index")
    # 47 of 80 points; "Tốt" needs a published 0.800, reached from 0.7995 × 80 = 63.96 points,
    # so 63.96 − 47 = 16.96 more points.
    assert services.next_grade is not None
    assert "16.96 more points" in services.next_grade.en
    assert "thêm 16,96 điểm" in services.next_grade.vi


def test_english_labels_reach_explanations(quickstart: egov_rules.Methodology) -> None:
    evaluation = quickstart.evaluate(BOB_A, block="ministry", references={"bandwidth": 1})
    assert evaluation.block_label_en == "Ministries"
    assert evaluation.index("infrastructure_index").label_en == "Infrastructure index"
    english = evaluation.explain("en")
    assert "block: Ministries" in english
    assert "Infrastructure index (infrastructure_index) = 0.725" in english
    assert "Share of staff with a computer (pc_share = 95%)" in english
    vietnamese = evaluation.explain("vi")
    assert "khối: Bộ, cơ quan ngang Bộ" in vietnamese
    assert "Chỉ số hạ tầng (infrastructure_index) = 0,725" in vietnamese
    # The Vietnamese text names the method in Vietnamese, not "weighted mean".
    assert "trung bình có trọng số của infrastructure_index 40%" in vietnamese


@pytest.mark.parametrize(("value", "digits", "en", "vi"), [
    (Fraction(1), 3, "1.000", "1,000"),
    (Fraction(18, 25), 3, "0.720", "0,720"),      # 0.72 published with 3 decimals
    (Fraction(934, 1000), 3, "0.934", "0,934"),
    (Fraction(1), 0, "1", "1"),
    (Fraction(1, 3), None, "0.333333333333", "0,333333333333"),  # no rounding declared
])
def test_indices_are_shown_as_published(value: Fraction, digits: int | None, en: str, vi: str) -> None:
    assert fmt_published(value, "en", digits) == en
    assert fmt_published(value, "vi", digits) == vi
