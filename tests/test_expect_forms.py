"""`expect x = not applicable` and `expect x ≈ v ± t` (or `~=`, `+-`) in examples."""

from __future__ import annotations

import pytest

import egov_rules
from egov_rules.annex import render_annex

SOURCE = """\
methodology m
  title "Kỳ vọng"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
  ministry "Bộ"
indicators
  x number "X"
    between 0 and 1
  online yes/no "Trực tuyến" neutral
category c "C" max province 20, ministry 30
  criterion a "A" max 10
    proportional x
  criterion for_ministry "B" max 10 only ministry
    proportional x
  criterion if_online "O" max 10 when online
    proportional x
index i = share of max c round 4
example "E" block province
  x 1/3  online no
  expect for_ministry = not applicable
  expect if_online = not applicable
  expect a ≈ 3.3333 ± 0.0001
  expect i ~= 0.3333 +- 1e-4
"""


def _failures(source: str) -> list[egov_rules.Diagnostic]:
    with pytest.raises(egov_rules.EgovRulesError) as raised:
        egov_rules.compile(source, "m.egr")
    assert {d.code.code for d in raised.value.diagnostics} == {"E401"}
    return list(raised.value.diagnostics)


def test_expectations_that_hold_pass() -> None:
    egov_rules.compile(SOURCE, "m.egr")


def test_a_node_that_applies_fails_not_applicable_saying_so() -> None:
    [failed] = _failures(SOURCE.replace("online no", "online yes"))
    assert failed.message("en") == (
        "example “E”: expected if_online = not applicable, got 3.333333")
    assert failed.hint is not None
    assert failed.hint.en == "`if_online` applies to this example's block and inputs"


def test_not_applicable_in_the_block_it_does_apply_to_fails() -> None:
    source = SOURCE.replace('example "E" block province', 'example "E" block ministry').replace(
        "  expect a ≈ 3.3333 ± 0.0001\n  expect i ~= 0.3333 +- 1e-4\n", "")
    failed = _failures(source)
    assert [d.message("en") for d in failed] == [
        "example “E”: expected for_ministry = not applicable, got 3.333333"]


@pytest.mark.parametrize("tolerance", ["0.0001", "1/30000", "1e-4"])
def test_a_tolerance_is_inclusive_and_exact(tolerance: str) -> None:
    """|10/3 − 3.3333| is exactly 1/30000: a tolerance of 1/30000 holds, a smaller one not."""
    egov_rules.compile(SOURCE.replace("± 0.0001", f"± {tolerance}"), "m.egr")


def test_a_value_beyond_its_tolerance_fails_showing_both_and_the_gap() -> None:
    [failed] = _failures(SOURCE.replace("± 0.0001", "± 0.00003"))
    assert failed.message("en") == "example “E”: expected a = 3.3333 ± 0.00003, got 3.333333"
    assert failed.hint is not None
    assert failed.hint.en == "off by 1/30000, more than the tolerance 0.00003"


def test_a_not_applicable_node_never_meets_a_tolerance() -> None:
    [failed] = _failures(SOURCE.replace(
        "expect for_ministry = not applicable", "expect for_ministry ≈ 0 ± 1"))
    assert failed.message("en") == (
        "example “E”: expected for_ministry = 0 ± 1, got not applicable")


def test_the_annex_shows_both_forms() -> None:
    annex = render_annex(egov_rules.compile(SOURCE, "m.egr"), "markdown", "en")
    assert "| `for_ministry` | not applicable |" in annex
    assert "| `a` | ≈ 3.3333 ± 0.0001 |" in annex
