"""Number literals with an exponent (`1e-6`, `2.5E3`) and exact fractions (`2/9`) wherever a
rule file writes a number outside a formula; inside a formula `/` stays division."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

import egov_rules
from egov_rules import syntax as s
from egov_rules.evaluate import compute_lets

SOURCE = """\
methodology lit
  title "Số viết dạng mũ và phân số"
  year 2.024e3
  source "Thử nghiệm"
blocks
  b "Khối"
indicators
  x number "X"
    between -1e-6 and 2/9
  lv level 1e0..5 "Mức"
let r = x * 2/9 + 1e-6
category c "C" max 1.25e1
  criterion a "A" max 2.5E0
    bands x
      at least 1/9: 5/2
      above 0e5: 1/4
      otherwise: 0
  criterion p "P" max 15/2
    proportional r from 0 to 2/9
  criterion t "T" max 5/2
    table lv
      5: 5/2
      otherwise: 0
index i = share of max c round 3e0
example "E" block b
  x 1/9  lv 5
  expect a = 5/2
  expect r = 2000081/81000000
"""


def _model() -> egov_rules.Methodology:
    return egov_rules.compile(SOURCE, "lit.egr")


def test_exponents_and_fractions_are_exact_where_numbers_are_written() -> None:
    model = _model().model
    assert model.year == 2024
    assert model.indicators["lv"].levels == (1, 5)
    assert model.indicators["x"].get("between").value == (Fraction(-1, 10**6), Fraction(2, 9))
    assert model.max_for("c", "b") == Fraction(25, 2)
    assert model.max_for("a", "b") == Fraction(5, 2)
    assert model.max_for("p", "b") == Fraction(15, 2)
    rule = model.nodes["a"].rules[0]
    assert isinstance(rule, s.Bands)
    assert [(b.threshold.value if b.threshold else None, b.award.value)  # type: ignore[union-attr]
            for b in rule.bands] == [(Fraction(1, 9), Fraction(5, 2)),
                                     (Fraction(0), Fraction(1, 4)), (None, 0)]
    assert model.indices["i"].round == 3


def test_a_fraction_in_a_formula_is_still_division() -> None:
    """`x * 2/9` is (x * 2) / 9; `a / 6/3` must stay (a / 6) / 3, never a / (6/3)."""
    inputs = {"x": Fraction(1, 9), "lv": Fraction(5)}
    assert compute_lets(_model().model, inputs)["r"] == Fraction(2, 81) + Fraction(1, 10**6)
    source = SOURCE.replace("let r = x * 2/9 + 1e-6", "let r = x / 6/3").replace(
        "expect r = 2000081/81000000", "expect r = 1/162")
    model = egov_rules.compile(source, "lit.egr").model
    assert compute_lets(model, inputs)["r"] == Fraction(1, 9) / 6 / 3


def test_an_example_may_give_and_expect_fractions_and_exponents() -> None:
    failing = SOURCE.replace("expect a = 5/2", "expect a = 2.4e0")
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        egov_rules.compile(failing, "lit.egr")
    assert [d.code.code for d in raised.value.diagnostics] == ["E401"]
    assert "expected a = 2.4, got 2.5" in raised.value.diagnostics[0].message("en")


def _errors(source: str) -> list[tuple[str, str, str]]:
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        egov_rules.compile(source, "lit.egr")
    return [(d.code.code, d.message("en"), d.span.text if d.span else "")
            for d in raised.value.diagnostics]


def test_a_huge_exponent_is_refused_at_once_where_it_is_written() -> None:
    started = time.monotonic()
    errors = _errors(SOURCE.replace("at least 1/9:", "at least 1e99999999:"))
    assert time.monotonic() - started < 5
    assert errors[0][0] == "E007"
    assert "`1e99999999` written out exceeds the limit of 60 digits" in errors[0][1]


@pytest.mark.parametrize(("written", "accepted"), [
    ("1e59", True), ("1e60", False), ("1e-59", True), ("1e-60", False), ("0e99999", True),
])
def test_an_exponent_may_reach_what_60_digits_can_write_out(written: str, accepted: bool) -> None:
    source = SOURCE.replace("between -1e-6", f"between -{written}")
    if accepted:
        egov_rules.compile(source, "lit.egr")
    else:
        assert _errors(source)[0][0] == "E007"


def test_a_zero_denominator_is_a_located_error() -> None:
    errors = _errors(SOURCE.replace("max 5/2\n    table", "max 5/0\n    table"))
    assert ("E205", "`5/0` divides by zero", "5/0") in errors


@pytest.mark.parametrize(("before", "after", "written", "is_"), [
    ("year 2.024e3", "year 2.0245e3", "2.0245e3", "2024.5"),
    ("level 1e0..5", "level 1/2..5", "1/2", "0.5"),
    ("round 3e0", "round 1e-1", "1e-1", "0.1"),
])
def test_a_whole_number_written_as_a_non_integer_says_what_it_is(
        before: str, after: str, written: str, is_: str) -> None:
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        egov_rules.compile(SOURCE.replace(before, after), "lit.egr")
    first = raised.value.diagnostics[0]
    assert first.code.code == "E205" and "must be a whole number" in first.message("en")
    assert first.hint is not None and f"`{written}` is {is_}" in first.hint.en


def test_a_spaced_fraction_outside_a_formula_is_told_how_to_write_it() -> None:
    errors = _errors(SOURCE.replace("at least 1/9:", "at least 1 / 9:"))
    assert errors[0][:2] == (
        "E001", "unexpected `/`: a fraction is written without spaces, e.g. `2/9`")
