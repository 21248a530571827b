"""Negative figures where a methodology needs them: bounds, band thresholds, example values
and expectations (expressions already had unary minus)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import egov_rules

SOURCE = """\
methodology signed
  title "Số âm"
  year 2024
  source "Thử nghiệm"
blocks
  b "Khối"
indicators
  gain number "Mức tăng"
    between -10 and 10
let net = gain - 1
category c "C" max 10
  bands net
    at least 5: 10
    at least -5: 5
    otherwise: 0
example "E" block b
  gain -3
  expect net = -4
  expect c = 5
"""


@pytest.mark.parametrize(("gain", "points"), [
    ("-3", 5),     # net = -4 ≥ -5 → 5
    ("-4", 5),     # net = -5, exactly on the threshold → 5
    ("-4.5", 0),   # net = -5.5 < -5 → otherwise
    ("6", 10),     # net = 5 ≥ 5 → 10
])
def test_negative_thresholds_and_values(gain: str, points: int) -> None:
    methodology = egov_rules.compile(SOURCE, "signed.egr")
    evaluation = methodology.evaluate({"gain": gain}, block="b")
    assert evaluation.points("c") == Fraction(points)


def test_negative_bounds_are_enforced() -> None:
    methodology = egov_rules.compile(SOURCE, "signed.egr")
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        methodology.evaluate({"gain": "-11"}, block="b")
    assert "outside the declared bounds -10 to 10" in raised.value.diagnostics[0].message("en")


def test_a_wrong_negative_expectation_fails_the_example() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        egov_rules.compile(SOURCE.replace("expect net = -4", "expect net = -3"), "signed.egr")
    assert [d.code.code for d in raised.value.diagnostics] == ["E401"]
