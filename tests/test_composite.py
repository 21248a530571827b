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


MEANS = """index g = geometric mean of ia, ib
index gw = geometric mean of ia 1, ib 1, ic 0
index g3 = geometric mean of ia, ib, ic  round 3
index h = harmonic mean of ia, ib, ic
index hw = harmonic mean of ia 2, ib 1
index on_indices = harmonic mean of g3, h
"""


def test_geometric_mean_exact_when_rational() -> None:
    # 0.8 × 0.4 × 0.2 = 0.064 = 0.4³: the cube root is exactly 0.4
    assert _index(MEANS, "g3").value == Fraction(2, 5)
    # a 90 %, b 40 %: √(0.9 × 0.4) = √0.36 = 0.6 exactly
    assert _index(MEANS, "g", {"a": 90, "b": 40, "c": 0}).value == Fraction(3, 5)


def test_geometric_mean_to_30_significant_digits() -> None:
    # √(0.8 × 0.4) = √0.32 = 0.4·√2 = 0.565685424949238019520675489683879…, rounded to 30
    # significant digits (the 31st is 8: the 30th goes up)
    result = _index(MEANS, "g")
    assert result.value == Fraction("0.565685424949238019520675489684")
    assert "30 significant digits" in result.words.en
    # a 0 weight leaves its term out: the same √0.32
    assert _index(MEANS, "gw").value == result.value


def test_harmonic_mean_is_exact() -> None:
    # 3 / (1/0.8 + 1/0.4 + 1/0.2) = 3 / (1.25 + 2.5 + 5) = 3 / 8.75 = 12/35
    assert _index(MEANS, "h").value == Fraction(12, 35)
    # (2 + 1) / (2/0.8 + 1/0.4) = 3 / (2.5 + 2.5) = 0.6
    result = _index(MEANS, "hw")
    assert result.value == Fraction(3, 5)
    assert "harmonic mean of ia 2/3 = 66.67%, ib 1/3 = 33.33%" in result.words.en
    assert "trung bình điều hoà của ia 2/3 = 66,67%" in result.words.vi
    # of indices: g3 is read as published (0.400) → 2 / (1/0.4 + 35/12) = 2 / (65/12) = 24/65
    assert _index(MEANS, "on_indices").value == Fraction(24, 65)


def test_a_zero_term_makes_both_means_zero() -> None:
    data = {"a": 80, "b": 40, "c": 0}
    assert _index(MEANS, "g3", data).value == 0
    assert _index(MEANS, "h", data).value == 0


def test_means_compiled_agree_with_evaluate() -> None:
    methodology = egov_rules.compile(HEAD + MEANS)
    for data in (DATA, {"a": 90, "b": 40, "c": 0}, {"a": 0, "b": 0, "c": 0},
                 {"a": 100, "b": 33, "c": 7}):
        evaluation = methodology.evaluate(data, block="province")
        for exact in (True, False):
            score = methodology.score(data, block="province", exact=exact)
            for index in evaluation.indices:
                figures = score.index(index.id)
                if exact:
                    assert figures.value == index.value, (data, index.id)
                    assert figures.rounded == index.rounded, (data, index.id)
                else:  # the exact figures, given as floats
                    assert figures.value == _float(index.value), (data, index.id)
                    assert figures.rounded == _float(index.rounded), (data, index.id)
    # the fast variant declines these means: their float error is not tracked
    declined = methodology.scorer.compiled.blocks["province"].declined
    assert declined is not None and "mean" in declined


def _float(value: Fraction | None) -> int | float | None:
    return None if value is None else int(value) if value.denominator == 1 else float(value)


def test_means_take_weights_on_all_terms_or_none() -> None:
    found = egov_rules.check(HEAD + "index x = geometric mean of ia 1, ib\n")
    errors = [d for d in found if d.severity == "error"]
    assert [d.code.code for d in errors] == ["E311"]
    assert "needs a weight" in errors[0].message("en")
