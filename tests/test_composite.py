"""Issue 10, composite indices: free weights, geometric and harmonic means, index scales,
ranking options. Every figure is worked out by hand in the comment beside it."""

from __future__ import annotations

from fractions import Fraction

import egov_rules

HEAD = """methodology m
  title "T"
  year 2024
  source "S"
blocks
  province "Tỉnh"
indicators
  a percent "A"
  b percent "B"
  c percent "C"
category ca "A" max 10
  proportional a
category cb "B" max 10
  proportional b
category cc "C" max 10
  proportional c
index ia = share of max ca
index ib = share of max cb
index ic = share of max cc
"""

DATA = {"a": 80, "b": 40, "c": 20}  # shares 0.8, 0.4, 0.2


def _index(lines: str, name: str = "x", data: dict[str, int] | None = None
           ) -> egov_rules.IndexResult:
    methodology = egov_rules.compile(HEAD + lines)
    return methodology.evaluate(data or DATA, block="province").index(name)


def test_free_weights_are_divided_by_their_sum() -> None:
    # (2 × 0.8 + 1 × 0.4 + 1 × 0.2) / 4 = 2.2 / 4 = 0.55
    result = _index("index x = weighted mean of ia 2, ib 1, ic 1\n")
    assert result.value == Fraction(11, 20)
    assert "ia 2/4 = 50%, ib 1/4 = 25%, ic 1/4 = 25%" in result.words.en
    assert "ia 2/4 = 50%" in result.words.vi


def test_free_weights_equal_the_same_percents() -> None:
    # 2/9, 3/9, 4/9 written as numbers or as fractions of one: the same value
    free = _index("index x = weighted mean of ia 2, ib 3, ic 4\n")
    fractional = _index("index x = weighted mean of ia 0.2, ib 0.3, ic 0.4\n")
    # (2 × 0.8 + 3 × 0.4 + 4 × 0.2) / 9 = 3.6 / 9 = 0.4
    assert free.value == fractional.value == Fraction(2, 5)


def test_free_weights_in_a_group() -> None:
    text = HEAD + """category g "G" max 20
  weighted mean of
    ga "GA" max 10  weight 3
      proportional a
    gb "GB" max 10  weight 1
      proportional b
"""
    evaluation = egov_rules.compile(text).evaluate(DATA, block="province")
    # (3 × 0.8 + 1 × 0.4) / 4 × 20 = 2.8 / 4 × 20 = 14
    assert evaluation.points("g") == 14
