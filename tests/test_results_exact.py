"""Exact numbers in JSON: a terminating decimal is printed in full, anything else as p/q."""

from __future__ import annotations

from fractions import Fraction

import pytest

from egov_rules.numbers import exact_str, terminating_decimal


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(57, 2), "28.5"),
    (Fraction(-57, 2), "-28.5"),
    (Fraction(7, 20), "0.35"),
    (Fraction(0), "0"),
    (Fraction(-3), "-3"),
    (Fraction(2, 3), "2/3"),
    (Fraction(-1, 3), "-1/3"),
    # 1/2**40 has 40 decimals: more than Decimal's default 28 digits of precision.
    (Fraction(1, 2**40), "0.0000000000009094947017729282379150390625"),
])
def test_exact_str(value: Fraction, text: str) -> None:
    assert exact_str(value) == text
    assert Fraction(text) == value


def test_terminating_decimal_is_none_for_repeating_fractions() -> None:
    assert terminating_decimal(Fraction(1, 3)) is None
    assert terminating_decimal(Fraction(1, 6)) is None
    assert terminating_decimal(Fraction(1, 40)) == "0.025"
