"""Every construct of the language, one small methodology at a time, scored on inputs whose
points are worked out by hand in the comment next to each assertion."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import egov_rules
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import load_yaml

DATA = Path(__file__).resolve().parent / "data"

HEADER = """\
methodology t
  title    "Phương pháp thử"
  title_en "Test methodology"
  year     2024
  source   "Nguồn thử / test source"
  missing  {missing}

blocks
  ministry "Bộ"  en "Ministries"
  province "Tỉnh"  en "Provinces"

indicators
"""


def source(indicators: str, body: str, missing: str = "error") -> str:
    """A whole methodology: the header, the given indicators (one per line) and body."""
    return (HEADER.format(missing=missing) + textwrap.indent(textwrap.dedent(indicators).strip(), "  ")
            + "\n\n" + textwrap.dedent(body).strip() + "\n")


def build(indicators: str, body: str, missing: str = "error") -> egov_rules.Methodology:
    return egov_rules.compile(source(indicators, body, missing), "fragment.egr")


def codes_of(error: pytest.ExceptionInfo[egov_rules.EgovRulesError]) -> list[str]:
    return [d.code.code for d in error.value.diagnostics]


def score(methodology: egov_rules.Methodology, node: str, block: str = "ministry", /, **values: Any
          ) -> Fraction | None:
    return methodology.evaluate(values, block=block).points(node)


# A probe whose points equal the value of `v` while 0 ≤ v ≤ 1000: `1 per v up to 1000`.
PROBE = """
category c "C"  max 1000
  criterion k "K"  max 1000
    1 per v up to 1000
"""


def probe_value(methodology: egov_rules.Methodology, /, **values: Any) -> Fraction | None:
    return score(methodology, "k", **values)


# -- header ------------------------------------------------------------------------------------


def test_header_fields_reach_the_methodology_and_its_results() -> None:
    m = build('x count "X"', PROBE.replace("per v", "per x"))
    assert (m.id, m.year, m.title) == ("t", 2024, "Phương pháp thử")
    evaluation = m.evaluate({"x": 3}, block="ministry", entity="Bộ X")
    info = evaluation.methodology
    assert (info.title_en, info.source) == ("Test methodology", "Nguồn thử / test source")
    assert info.content_hash.startswith("sha256:")
    assert (evaluation.entity, evaluation.block, evaluation.block_label) == ("Bộ X", "ministry", "Bộ")
    assert evaluation.points("k") == 3  # 1 per x × 3


def test_missing_error_reports_the_missing_indicator() -> None:
    m = build('x count "X"\ny yes/no "Y"', """
        category c "C"  max 15
          criterion k "K"  max 10
            1 per x up to 10
          criterion ky "KY"  max 5
            yes/no y
    """)
    with pytest.raises(egov_rules.EgovRulesError) as error:
        m.evaluate({"x": 1}, block="ministry", entity="Bộ X")
    assert codes_of(error) == ["E206"]
    assert "Bộ X: no value for indicator `y`" in error.value.diagnostics[0].message("en")


def test_missing_zero_gives_a_missing_indicator_zero() -> None:
    m = build('x count "X"\nb yes/no "B"', """
        category c "C"  max 15
          criterion k "K"  max 10
            1 per x up to 10
          criterion kb "KB"  max 5
            yes/no b
    """, missing="zero")
    evaluation = m.evaluate({}, block="ministry")
    assert evaluation.points("k") == 0  # x missing → 0 → 0 points
    assert evaluation.points("kb") == 0  # b missing → no → 0 points
    assert evaluation.points("c") == 0


# -- indicator types ---------------------------------------------------------------------------


COUNT = build('v count "V"', PROBE)


def test_count_takes_whole_non_negative_numbers() -> None:
    assert probe_value(COUNT, v=7) == 7  # 1 × 7
    assert probe_value(COUNT, v="12") == 12  # a numeric string is read exactly
    for bad in (-1, 2.5, "abc", True):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            probe_value(COUNT, v=bad)
        assert codes_of(error) == ["E205"]


def test_number_with_between_bounds() -> None:
    m = build('n number "N"\n  between 0 and 100', """
        category c "C"  max 10
          criterion k "K"  max 10
            bands n
              at least 50.5: 10
              otherwise: 0
    """)
    assert score(m, "k", n="50.5") == 10  # exactly on the threshold: that band
    assert score(m, "k", n="50.49") == 0
    assert score(m, "k", n=100) == 10  # the upper bound itself is allowed
    for bad in (-1, "100.01"):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            score(m, "k", n=bad)
        assert codes_of(error) == ["E205"]
        assert "0 to 100" in error.value.diagnostics[0].message("en")


PERCENT = build('p percent "P"', """
    category c "C"  max 20
      criterion k "K"  max 20
        proportional p
""")


def test_percent_is_given_as_0_to_100() -> None:
    assert score(PERCENT, "k", p=30) == 6  # 30% × 20 = 6
    assert score(PERCENT, "k", p="30%") == 6  # "30%" is the same figure
    assert score(PERCENT, "k", p="12.5") == Fraction(5, 2)  # 12.5% × 20 = 2.5
    assert score(PERCENT, "k", p=100) == 20
    for bad in (140, -5, "140%"):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            score(PERCENT, "k", p=bad)
        assert codes_of(error) == ["E205"]
        assert "between 0 and 100" in error.value.diagnostics[0].message("en")


@pytest.mark.parametrize("bounds", ["between 10 and 90", "between 10% and 90%"])
def test_percent_with_between_bounds(bounds: str) -> None:
    # Both spellings mean 10% .. 90% of the percent scale the data is given in.
    m = build(f'p percent "P"\n  {bounds}', """
        category c "C"  max 20
          criterion k "K"  max 20
            proportional p
    """)
    assert score(m, "k", p=50) == 10  # 50% × 20
    assert score(m, "k", p=10) == 2  # 10% × 20, on the lower bound
    assert score(m, "k", p="90%") == 18  # 90% × 20, on the upper bound
    for bad in (5, 95):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            score(m, "k", p=bad)
        assert codes_of(error) == ["E205"]
        assert "10 to 90" in error.value.diagnostics[0].message("en")


YES_NO = build('b yes/no "B"', """
    category c "C"  max 5
      criterion k "K"  max 5
        yes/no b
""")


def test_yes_no_answers() -> None:
    for yes in (True, "yes", "có", "Có", 1):
        assert score(YES_NO, "k", b=yes) == 5  # yes: the whole maximum
    for no in (False, "no", "không", 0):
        assert score(YES_NO, "k", b=no) == 0
    with pytest.raises(egov_rules.EgovRulesError) as error:
        score(YES_NO, "k", b="maybe")
    assert codes_of(error) == ["E205"]


LEVEL = build('lvl level 1..4 "L"', """
    category c "C"  max 20
      criterion k "K"  max 20
        table lvl
          1: 0
          2: 5
          3: 12
          4: 20
""")


def test_level_table_over_every_level() -> None:
    assert [score(LEVEL, "k", lvl=level) for level in (1, 2, 3, 4)] == [0, 5, 12, 20]
    for bad in (0, 5, "2.5"):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            score(LEVEL, "k", lvl=bad)
        assert codes_of(error) == ["E205"]


OPTIONS = build('h one of (own "Tự vận hành", cloud "Đám mây", none "Chưa có") "H"', """
    category c "C"  max 20
      criterion k "K"  max 20
        table h
          cloud: 20
          own: 15
          none: 0
""")


def test_one_of_options() -> None:
    assert [score(OPTIONS, "k", h=o) for o in ("cloud", "own", "none")] == [20, 15, 0]
    with pytest.raises(egov_rules.EgovRulesError) as error:
        score(OPTIONS, "k", h="clod")
    assert codes_of(error) == ["E205"]
    hint = error.value.diagnostics[0].hint
    assert hint is not None and "`cloud`" in hint.en


def test_one_of_options_given_as_non_strings_are_rejected_clearly() -> None:
    for bad in (1, True, None):
        with pytest.raises(egov_rules.EgovRulesError) as error:
            score(OPTIONS, "k", h=bad)
        assert codes_of(error) in (["E205"], ["E206"])  # None counts as not given
        assert "h" in error.value.diagnostics[0].message("en")


SWITCH = build('mode one of (on "Bật", off "Tắt") "Chế độ"', """
    category c "C"  max 10
      criterion k "K"  max 10
        table mode
          on: 10
          off: 0
""")


def test_yaml_options_that_yaml_reads_as_booleans() -> None:
    reporter = Reporter()
    ranking = SWITCH.evaluate_many(load_yaml(DATA / "options.yaml", reporter))
    assert reporter.diagnostics == []
    points = {e.entity: e.points("k") for e in ranking.evaluations}
    assert points == {"Bộ bật": 10, "Bộ tắt": 0, "Bộ có trích dẫn": 10}  # on: 10, off: 0
    assert ranking.evaluation("Bộ bật").inputs["mode"] == "on"


def test_yaml_options_that_are_not_option_ids() -> None:
    reporter = Reporter()
    with pytest.raises(egov_rules.EgovRulesError) as error:
        SWITCH.evaluate_many(load_yaml(DATA / "options-bad.yaml", reporter))
    messages = [(d.code.code, d.span.line if d.span else 0, d.message("en"))
                for d in error.value.diagnostics]
    assert messages == [
        ("E205", 4, "Bộ số: mode: `3` is not one of on, off"),
        ("E205", 7, "Bộ có: mode: `yes` is not one of on, off"),
    ]


# -- directions --------------------------------------------------------------------------------


def test_directions_are_recorded_and_steer_the_hint() -> None:
    m = build('incidents count "Sự cố" lower is better\nstaff count "S" neutral\nok count "OK"', """
        let per_staff = ok / staff  if staff = 0: 0
        category c "C"  max 20
          criterion k "K"  max 15
            bands incidents
              at most 0: 15
              at most 2: 10
              otherwise: 0
          criterion k2 "K2"  max 5
            5 per per_staff up to 5
    """)
    directions = {i: m.model.indicators[i].direction for i in ("incidents", "staff", "ok")}
    assert directions == {"incidents": "lower", "staff": "neutral", "ok": "higher"}
    evaluation = m.evaluate({"incidents": 2, "staff": 10, "ok": 1}, block="ministry")
    assert evaluation.points("k") == 10  # 2 ≤ 2: 10 points
    hint = evaluation.node("k").next
    assert hint is not None
    assert (hint.input, hint.target, hint.gain) == ("incidents", 0, 5)  # at most 0 gives 15 = 10 + 5
    assert hint.words.en.startswith("lower")


# -- let ---------------------------------------------------------------------------------------


def test_let_arithmetic_with_a_zero_rule() -> None:
    let = "let v = (a + b) * e - a / d  if d = 0: 100\n"
    m = build('a count "A" neutral\nb count "B"\nd count "D" neutral\ne count "E" neutral', PROBE + let)
    # (6 + 4) × 3 − 6 / 2 = 30 − 3 = 27
    assert probe_value(m, a=6, b=4, e=3, d=2) == 27
    # 6 / 4 = 1.5: (6 + 4) × 3 − 1.5 = 28.5, exactly
    assert probe_value(m, a=6, b=4, e=3, d=4) == Fraction(57, 2)
    assert probe_value(m, a=6, b=4, e=3, d=0) == 100  # d = 0: the rule's fallback


def test_let_min_max_clamp() -> None:
    let = "let v = min(a, 10) + max(b, 3) + clamp(x, 2, 5)\n"
    m = build('a count "A"\nb count "B"\nx count "X"', PROBE + let)
    assert probe_value(m, a=12, b=1, x=9) == 18  # 10 + 3 + 5
    assert probe_value(m, a=4, b=7, x=1) == 13  # 4 + 7 + 2
    assert probe_value(m, a=0, b=3, x=4) == 7  # 0 + 3 + 4


def test_let_count_yes() -> None:
    m = build('x yes/no "X"\ny yes/no "Y"\nz yes/no "Z"', """
        let v = count_yes(x, y, z)
        category c "C"  max 15
          criterion k "K"  max 15
            5 per v up to 15
    """)
    assert score(m, "k", x=True, y=False, z=True) == 10  # 2 yes × 5
    assert score(m, "k", x=False, y=False, z=False) == 0
    assert score(m, "k", x=True, y=True, z=True) == 15  # 3 × 5


ZERO_RULES = build('a count "A" neutral\nb count "B" neutral\nd number "D" neutral\ne number "E" neutral',
                   PROBE + "let v = a / d + b / e  if d = 0: 50  if e = 0: 60\n")


def test_several_zero_rules_in_one_let() -> None:
    assert probe_value(ZERO_RULES, a=6, b=8, d=2, e=4) == 5  # 6/2 + 8/4 = 3 + 2
    assert probe_value(ZERO_RULES, a=6, b=8, d=0, e=4) == 50  # d = 0: first rule
    assert probe_value(ZERO_RULES, a=6, b=8, d=2, e=0) == 60  # e = 0: second rule
    assert probe_value(ZERO_RULES, a=6, b=8, d=0, e=0) == 50  # both zero: the first rule written


def test_zero_rule_fires_exactly_when_the_denominator_is_zero() -> None:
    # d = 10⁻⁹ is tiny but not zero: 6 / 10⁻⁹ + 8 / 4 = 6 000 000 002, not the fallback.
    evaluation = ZERO_RULES.evaluate({"a": 6, "b": 8, "d": "0.000000001", "e": 4}, block="ministry")
    read = evaluation.node("k").read[0]
    assert read.name == "v" and read.value == 6_000_000_002
    assert evaluation.points("k") == 1000  # capped at `up to 1000`
    assert read.formula is not None and "if d = 0" not in read.formula


def test_hint_through_a_bounding_let_names_the_indicator() -> None:
    m = build('it_staff count "Cán bộ chuyên trách"\n  en "Dedicated IT staff"\nx count "X"', """
        let capped = min(it_staff, 10)
        let floored = max(x, 3)
        category c "C"  max 40
          criterion k "K"  max 20
            2 per capped up to 20
          criterion k2 "K2"  max 20
            2 per floored up to 20
    """)
    e = m.evaluate({"it_staff": 6, "x": 1}, block="ministry")
    assert e.points("k") == 12  # 2 × min(6, 10)
    hint = e.node("k").next
    assert hint is not None
    # one more IT staff member, 7, earns 2 × 7 = 14 = 12 + 2
    assert (hint.input, hint.current, hint.target, hint.gain) == ("it_staff", 6, 7, 2)
    assert "it_staff" in hint.words.en and "capped" not in hint.words.en
    assert "capped" not in hint.words.vi
    assert e.points("k2") == 6  # 2 × max(1, 3)
    hint = e.node("k2").next
    # x must reach 4 for max(x, 3) to move: 2 × 4 = 8 = 6 + 2
    assert hint is not None and (hint.input, hint.current, hint.target, hint.gain) == ("x", 1, 4, 2)


# -- proportional ------------------------------------------------------------------------------


def test_proportional_of_a_share_stays_exact() -> None:
    m = build('a count "A"\nb count "B" neutral', """
        let share = a / b  if b = 0: 0
        category c "C"  max 1
          criterion k "K"  max 1
            proportional share
    """)
    evaluation = m.evaluate({"a": 2, "b": 3}, block="ministry")
    assert evaluation.points("k") == Fraction(2, 3)  # 2/3 × 1, not 0.666…
    dumped = json.loads(evaluation.model_dump_json())
    node = next(n for n in dumped["nodes"] if n["id"] == "k")
    assert node["points"] == "2/3" and node["max"] == "1"
    assert dumped["nodes"][0]["points"] == "2/3"  # the category: sum of one child


FROM_TO = build('p percent "P"', """
    category c "C"  max 40
      criterion k "K"  max 40
        proportional p from 10% to 50%
""")


@pytest.mark.parametrize(("p", "points"), [
    (0, 0),  # below 10%: clamped to 0
    (5, 0),
    (10, 0),  # (10% − 10%) / 40% × 40 = 0
    (20, 10),  # (20% − 10%) / 40% × 40 = 10
    (30, 20),  # (30% − 10%) / 40% × 40 = 20
    ("32.5", 22.5),  # 22.5% / 40% × 40 = 22.5
    (50, 40),  # the top of the scale
    (80, 40),  # above 50%: clamped to 40
])
def test_proportional_from_to_is_linear_and_clamped(p: Any, points: float) -> None:
    assert score(FROM_TO, "k", p=p) == Fraction(str(points))


RELATIVE = """
    category c "C"  max 30
      criterion k "K"  max 30
        proportional n relative to best in block{reference}
"""


def test_relative_to_best_in_block_uses_each_blocks_best() -> None:
    m = build('n number "N"', RELATIVE.format(reference=""))
    ranking = m.evaluate_many({
        "M1": {"block": "ministry", "n": 50},
        "M2": {"block": "ministry", "n": 200},
        "P1": {"block": "province", "n": 10},
    })
    assert ranking.evaluation("M1").points("k") == Fraction(15, 2)  # 50 / 200 × 30 = 7.5
    assert ranking.evaluation("M2").points("k") == 30  # the best of the ministries
    assert ranking.evaluation("P1").points("k") == 30  # 10 is the provinces' best, not 200
    assert ranking.evaluation("M1").cohort == {"k": 200}
    assert ranking.evaluation("P1").cohort == {"k": 10}
    assert "200" in ranking.evaluation("M1").node("k").branch.en


def test_relative_with_a_reference_in_the_rule() -> None:
    m = build('n number "N"', RELATIVE.format(reference=" reference 400"))
    assert score(m, "k", n=100) == Fraction(15, 2)  # 100 / 400 × 30 = 7.5


def test_relative_with_references_given_to_evaluate() -> None:
    m = build('n number "N"', RELATIVE.format(reference=""))
    evaluation = m.evaluate({"n": 60}, block="ministry", references={"k": 120})
    assert evaluation.points("k") == 15  # 60 / 120 × 30
    assert evaluation.cohort == {"k": 120}


def test_relative_scored_alone_without_a_reference_is_e208() -> None:
    m = build('n number "N"', RELATIVE.format(reference=""))
    with pytest.raises(egov_rules.EgovRulesError) as error:
        m.evaluate({"n": 60}, block="ministry")
    assert codes_of(error) == ["E208"]
    assert "`k`" in error.value.diagnostics[0].message("en")


# -- bands, yes/no, per, table ------------------------------------------------------------------


BANDS = build('n number "N"\nm number "M" lower is better', """
    category c "C"  max 20
      criterion up "Up"  max 10
        bands n
          above 80: 10
          at least 60: 7
          otherwise: 0
      criterion down "Down"  max 10
        bands m
          below 2: 10
          at most 5: 4
          otherwise: 0
""")


@pytest.mark.parametrize(("n", "points"), [
    ("80.5", 10), ("80", 7),  # above 80 excludes 80 itself
    ("60", 7), ("59.99", 0),  # at least 60 includes 60
    ("0", 0),
])
def test_bands_at_least_above_otherwise(n: str, points: int) -> None:
    assert score(BANDS, "up", n=n, m=0) == points


@pytest.mark.parametrize(("m", "points"), [
    ("1.99", 10), ("2", 4),  # below 2 excludes 2
    ("5", 4), ("5.01", 0),  # at most 5 includes 5
])
def test_bands_below_at_most_otherwise(m: str, points: int) -> None:
    assert score(BANDS, "down", n=0, m=m) == points


PER = build('x count "X"', """
    category c "C"  max 10
      criterion k "K"  max 10
        3 per x up to 10
""")


def test_per_up_to() -> None:
    assert [score(PER, "k", x=x) for x in (0, 2, 3, 4, 100)] == [0, 6, 9, 10, 10]  # 3x, capped at 10
    hint = PER.evaluate({"x": 2}, block="ministry").node("k").next
    assert hint is not None and (hint.target, hint.gain) == (3, 3)  # x = 3 gives 9 = 6 + 3
    assert PER.evaluate({"x": 4}, block="ministry").node("k").next is None  # at the maximum


TABLES = build('lvl level 1..4 "L"\nh one of (own "Tự", cloud "Mây", none "Không") "H"\nb yes/no "B"', """
    category c "C"  max 38
      criterion by_level "By level"  max 20
        table lvl
          4: 20
          otherwise: 5
      criterion by_option "By option"  max 10
        table h
          cloud: 10
          otherwise: 0
      criterion by_yes "By yes/no"  max 8
        table b
          yes: 8
          no: 2
""")


def test_tables_with_and_without_otherwise() -> None:
    e = TABLES.evaluate({"lvl": 2, "h": "own", "b": False}, block="ministry")
    assert (e.points("by_level"), e.points("by_option"), e.points("by_yes")) == (5, 0, 2)
    assert "otherwise" in e.node("by_level").branch.en
    e = TABLES.evaluate({"lvl": 4, "h": "cloud", "b": True}, block="ministry")
    assert (e.points("by_level"), e.points("by_option"), e.points("by_yes")) == (20, 10, 8)
    assert e.points("c") == 38  # 20 + 10 + 8


# -- groups ------------------------------------------------------------------------------------


GROUPS = build('a yes/no "A"\nx count "X"\nflag yes/no "F" neutral', """
    category summed "Sum"  max 15
      criterion s "S"  max 15
        sum of
          s1 "S1"  max 10
            yes/no a
          s2 "S2"  max 5
            1 per x up to 5
    category capped "Capped"  max 10
      criterion cs "CS"  max 10
        capped sum of
          c1 "C1"  max 8
            yes/no a
          c2 "C2"  max 8
            2 per x up to 8
    category best "Best"  max 10
      criterion b "B"  max 10
        best of
          b1 "B1"  max 10
            yes/no a
          b2 "B2"  max 6
            2 per x up to 6
    category mean "Mean"  max 20
      weighted mean of
        w1 "W1"  max 10  weight 60%
          yes/no a
        w2 "W2"  max 5  weight 40%  when flag
          1 per x up to 5
""")


def test_sum_of() -> None:
    e = GROUPS.evaluate({"a": True, "x": 2, "flag": True}, block="ministry")
    assert e.points("s") == 12  # 10 + 2
    assert e.node("s").max == 15
    assert e.points("summed") == 12  # implicit sum of the category's only child


def test_capped_sum_of() -> None:
    e = GROUPS.evaluate({"a": True, "x": 3, "flag": True}, block="ministry")
    assert e.points("cs") == 10  # 8 + 6 = 14, capped at 10
    e = GROUPS.evaluate({"a": False, "x": 3, "flag": True}, block="ministry")
    assert e.points("cs") == 6  # 0 + 6
    assert "capped" not in e.node("cs").branch.en


def test_best_of() -> None:
    e = GROUPS.evaluate({"a": False, "x": 2, "flag": True}, block="ministry")
    assert e.points("b") == 4  # max(0, 4)
    assert "b2" in e.node("b").branch.en
    e = GROUPS.evaluate({"a": True, "x": 2, "flag": True}, block="ministry")
    assert e.points("b") == 10  # max(10, 4)


def test_weighted_mean_of_and_renormalised_weights() -> None:
    e = GROUPS.evaluate({"a": True, "x": 2, "flag": True}, block="ministry")
    # (60% × 10/10 + 40% × 2/5) × 20 = (0.6 + 0.16) × 20 = 15.2
    assert e.points("mean") == Fraction(76, 5)
    e = GROUPS.evaluate({"a": True, "x": 2, "flag": False}, block="ministry")
    # w2 drops out: 60% / 60% × 10/10 × 20 = 20
    assert e.points("mean") == 20
    assert e.node("w2").applicable is False
    assert "re-normalised" in e.node("mean").branch.en
    e = GROUPS.evaluate({"a": False, "x": 5, "flag": True}, block="ministry")
    assert e.points("mean") == 8  # (0 + 40% × 5/5) × 20


def test_nesting_to_depth_five() -> None:
    m = build('x count "X"\ny yes/no "Y"', """
        category top "Top"  max 20
          criterion one "One"  max 20
            sum of
              two "Two"  max 15
                sum of
                  three "Three"  max 10
                    best of
                      four "Four"  max 10
                        2 per x up to 10
                      four_b "Four B"  max 4
                        yes/no y
                  three_b "Three B"  max 5
                    yes/no y
              two_b "Two B"  max 5
                1 per x up to 5
    """)
    e = m.evaluate({"x": 3, "y": True}, block="ministry")
    assert e.points("four") == 6  # 2 × 3
    assert e.points("three") == 6  # best of 6 and 4
    assert e.points("two") == 11  # 6 + 5
    assert e.points("one") == 14  # 11 + min(3, 5)
    assert e.points("top") == 14
    assert e.node("four").depth == 4 and e.node("four").parent == "three"


# -- blocks, only, when ------------------------------------------------------------------------


BLOCKS = build('a yes/no "A"\nb yes/no "B"\nx count "X" neutral', """
    category c "C"  max ministry 10, province 30
      criterion k1 "K1"  max 10
        yes/no a
      criterion k2 "K2"  max 20  only province
        yes/no b
    category w "W"  max 30
      criterion w1 "W1"  max 10
        yes/no a
      criterion w2 "W2"  max 20  when x > 0
        yes/no b
    category gone "Gone"  max 5  when x > 0
      criterion g "G"  max 5
        yes/no a
    index c_index = share of max c
    index w_index = share of max w
    index both = share of max c, w
""")


def test_only_drops_out_of_points_and_max() -> None:
    m = BLOCKS.evaluate({"a": True, "b": True, "x": 1}, block="ministry")
    assert m.node("k2").applicable is False
    assert (m.node("k2").points, m.node("k2").max) == (None, None)
    assert (m.points("c"), m.node("c").max) == (10, 10)  # only k1 counts for a ministry
    assert m.index("c_index").value == 1  # 10 / 10, not 10 / 30
    p = BLOCKS.evaluate({"a": True, "b": False, "x": 1}, block="province")
    assert (p.points("c"), p.node("c").max) == (10, 30)  # 10 + 0 of 10 + 20
    assert p.index("c_index").value == Fraction(1, 3)


def test_when_false_drops_out_of_points_and_max() -> None:
    e = BLOCKS.evaluate({"a": True, "b": True, "x": 0}, block="ministry")
    assert e.node("w2").applicable is False
    assert (e.points("w"), e.node("w").max) == (10, 10)
    assert e.index("w_index").value == 1
    # share of max c, w: (10 + 10) / (10 + 10) = 1; the whole `gone` category drops out too
    assert e.index("both").value == 1
    assert e.node("gone").applicable is False and e.node("g").applicable is False
    e = BLOCKS.evaluate({"a": True, "b": False, "x": 2}, block="ministry")
    assert (e.points("w"), e.node("w").max) == (10, 30)
    assert e.index("both").value == Fraction(1, 2)  # (10 + 10) / (10 + 30)


def test_parent_drops_when_every_child_drops() -> None:
    m = build('a yes/no "A"\nx count "X" neutral', """
        category c "C"  max 10
          criterion k "K"  max 10
            sum of
              k1 "K1"  max 5  when x > 0
                yes/no a
              k2 "K2"  max 5  when x > 1
                yes/no a
        category d "D"  max 5
          criterion kd "KD"  max 5
            yes/no a
        index all = share of max c, d
    """)
    e = m.evaluate({"a": True, "x": 0}, block="ministry")
    assert e.node("k").applicable is False and e.node("c").applicable is False
    assert e.points("c") is None
    assert (e.index("all").points, e.index("all").max) == (5, 5)  # only d counts
    e = m.evaluate({"a": True, "x": 1}, block="ministry")
    assert (e.points("k"), e.node("k").max) == (5, 5)  # k2 dropped out


def test_per_block_max_scales_points() -> None:
    m = build('p percent "P"', """
        category c "C"  max ministry 20, province 30
          criterion k "K"  max ministry 20, province 30
            proportional p
    """)
    assert score(m, "k", "ministry", p=50) == 10  # 50% × 20
    assert score(m, "k", "province", p=50) == 15  # 50% × 30
    assert m.evaluate({"p": 50}, block="province").node("c").max == 30


# -- zero denominators in explanations ---------------------------------------------------------


def test_zero_staff_takes_the_fallback_and_says_so() -> None:
    m = build('staff count "S" neutral\nwith_pc count "PC"', """
        let pc_share "Tỷ lệ có máy tính" = with_pc / staff  if staff = 0: 0
        category c "C"  max 30
          criterion k "K"  max 30
            proportional pc_share
    """)
    e = m.evaluate({"staff": 0, "with_pc": 0}, block="ministry")
    assert e.points("k") == 0
    read = e.node("k").read[0]
    assert read.name == "pc_share" and read.value == 0
    assert read.formula is not None and "if staff = 0: 0" in read.formula
    assert "if staff = 0: 0" in e.explain("en") and "if staff = 0: 0" in e.explain("vi")
    e = m.evaluate({"staff": 40, "with_pc": 30}, block="ministry")
    assert e.points("k") == Fraction(45, 2)  # 30/40 × 30 = 22.5
    assert e.node("k").read[0].formula == "with_pc / staff"


# -- indices, rounding, grades, ranks ----------------------------------------------------------


INDICES = build('x count "X"\ny count "Y"', """
    category c1 "C1"  max 80
      criterion k1 "K1"  max 80
        1 per x up to 80
    category c2 "C2"  max 2000
      criterion k2 "K2"  max 2000
        1 per y up to 2000
    index i1 = share of max c1  round 3
    index i2 = share of max c2  round 3
    index pooled = share of max c1, c2
    index wm = weighted mean of i1 75%, i2 25%  round 4
    index plain = mean of i1, i2
    grades i1
      at least 0.8: "Tốt"  en "Good"
      at least 0.5: "Khá"  en "Fair"
      otherwise: "Trung bình"  en "Average"
""")


def test_round_is_half_up() -> None:
    e = INDICES.evaluate({"x": 47, "y": 1}, block="ministry")
    assert e.index("i1").value == Fraction("0.5875")  # 47 / 80
    assert e.index("i1").rounded == Fraction("0.588")  # half-up, not to even (0.588 either way here)
    assert e.index("i2").value == Fraction("0.0005")  # 1 / 2000
    assert e.index("i2").rounded == Fraction("0.001")  # banker's rounding would give 0.000
    e = INDICES.evaluate({"x": 47, "y": 5}, block="ministry")
    assert e.index("i2").rounded == Fraction("0.003")  # 5 / 2000 = 0.0025 → 0.003 (to even: 0.002)


def test_share_of_max_pools_points_and_maxima() -> None:
    e = INDICES.evaluate({"x": 40, "y": 1000}, block="ministry")
    pooled = e.index("pooled")
    assert (pooled.points, pooled.max) == (1040, 2080)  # 40 + 1000 of 80 + 2000
    assert pooled.value == Fraction(1, 2) and pooled.rounded is None  # no `round`: exact


def test_mean_indices_use_the_rounded_parts() -> None:
    e = INDICES.evaluate({"x": 47, "y": 1}, block="ministry")
    # i1 = 0.588, i2 = 0.001 (rounded): 0.75 × 0.588 + 0.25 × 0.001 = 0.441 + 0.00025 = 0.44125
    assert e.index("wm").value == Fraction("0.44125")
    assert e.index("wm").rounded == Fraction("0.4413")  # half-up at 4 decimals
    assert e.index("plain").value == Fraction("0.2945")  # (0.588 + 0.001) / 2


@pytest.mark.parametrize(("x", "grade", "grade_en"), [
    (64, "Tốt", "Good"),  # 64/80 = 0.8: exactly on the band
    (63, "Khá", "Fair"),  # 0.7875 → 0.788
    (40, "Khá", "Fair"),  # 0.5
    (39, "Trung bình", "Average"),  # 0.4875 → 0.488
])
def test_grades_take_the_first_band(x: int, grade: str, grade_en: str) -> None:
    result = INDICES.evaluate({"x": x, "y": 0}, block="ministry").index("i1")
    assert (result.grade, result.grade_en) == (grade, grade_en)


def test_grade_uses_the_rounded_value() -> None:
    m = build('x count "X"', """
        category c "C"  max 10000
          criterion k "K"  max 10000
            1 per x up to 10000
        index i = share of max c  round 3
        grades i
          at least 0.8: "Tốt"  en "Good"
          otherwise: "Chưa tốt"  en "Not yet"
    """)
    result = m.evaluate({"x": 7995}, block="ministry").index("i")
    assert result.value == Fraction("0.7995") and result.rounded == Fraction("0.8")
    assert result.grade == "Tốt"  # graded on 0.800, as published
    assert m.evaluate({"x": 7994}, block="ministry").index("i").grade == "Chưa tốt"  # 0.7994 → 0.799


RANKED = build('x count "X"', """
    category c "C"  max 10000
      criterion k "K"  max 10000
        1 per x up to 10000
    index a = share of max c  round 3
    index b = share of max c  round 3
    rank a within block ties share a rank
    rank b within block ties dense
    grades a
      at least 0.75: "Tốt"  en "Good"
      otherwise: "Khá"  en "Fair"
""")


def test_rank_competition_and_dense_ties_on_rounded_values() -> None:
    ranking = RANKED.evaluate_many({
        "E1": {"block": "ministry", "x": 8001},  # 0.8001 → 0.800
        "E2": {"block": "ministry", "x": 8004},  # 0.8004 → 0.800: tied with E1 once rounded
        "E3": {"block": "ministry", "x": 7000},  # 0.700
        "E4": {"block": "ministry", "x": 6000},  # 0.600
        "P1": {"block": "province", "x": 1000},  # alone in its block
    })
    competition = {e: ranking.rank_of(e, "a") for e in ("E1", "E2", "E3", "E4", "P1")}
    dense = {e: ranking.rank_of(e, "b") for e in ("E1", "E2", "E3", "E4", "P1")}
    assert competition == {"E1": 1, "E2": 1, "E3": 3, "E4": 4, "P1": 1}
    assert dense == {"E1": 1, "E2": 1, "E3": 2, "E4": 3, "P1": 1}
    assert ranking.ties == {"a": "competition", "b": "dense"}
    assert [r.entity for r in ranking.table("a", "ministry")] == ["E1", "E2", "E3", "E4"]


def test_rank_entries_carry_both_grades() -> None:
    ranking = RANKED.evaluate_many({
        "E1": {"block": "ministry", "x": 8000},  # 0.8 ≥ 0.75: Tốt
        "E2": {"block": "ministry", "x": 7000},  # 0.7: Khá
    })
    rows = {r.entity: (r.grade, r.grade_en) for r in ranking.table("a", "ministry")}
    assert rows == {"E1": ("Tốt", "Good"), "E2": ("Khá", "Fair")}
    assert "Good" in ranking.explain("en") and "Tốt" not in ranking.explain("en")
    assert "Tốt" in ranking.explain("vi")


# -- examples ----------------------------------------------------------------------------------


EXAMPLE_BODY = """
    category c "C"  max 10
      criterion k "K"  max 10
        3 per x up to 10
    index i = share of max c  round 2
    example "Bộ thử" block ministry
      x 2
      expect k = {points}
      expect i = {index}
"""


def test_passing_example_compiles() -> None:
    m = build('x count "X"', EXAMPLE_BODY.format(points=6, index="0.6"))  # 3 × 2; 6 / 10
    assert not [d for d in m.check() if d.is_error]


def test_failing_example_is_e401_from_compile() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as error:
        build('x count "X"', EXAMPLE_BODY.format(points=7, index="0.6"))
    assert codes_of(error) == ["E401"]
    diagnostic = error.value.diagnostics[0]
    assert diagnostic.span is not None and diagnostic.span.text.startswith("expect k = 7")
    assert "expected k = 7, got 6" in diagnostic.message("en")


# -- exactness ---------------------------------------------------------------------------------


def test_29_over_100_meets_at_least_29_percent() -> None:
    m = build('a count "A"\nb count "B" neutral\np percent "P"', """
        let r = a / b  if b = 0: 0
        category c "C"  max 20
          criterion by_ratio "R"  max 10
            bands r
              at least 29%: 10
              otherwise: 0
          criterion by_percent "P"  max 10
            bands p
              at least 29%: 10
              otherwise: 0
    """)
    e = m.evaluate({"a": 29, "b": 100, "p": 29}, block="ministry")
    assert (e.points("by_ratio"), e.points("by_percent")) == (10, 10)
    e = m.evaluate({"a": 28, "b": 100, "p": "28.99"}, block="ministry")
    assert (e.points("by_ratio"), e.points("by_percent")) == (0, 0)


SUMS = build('n number "N"\nm number "M"', """
    let total = n + m
    category c "C"  max 10
      criterion k "K"  max 10
        bands total
          at least 0.3: 10
          otherwise: 0
""")


def test_decimal_inputs_in_any_python_type_give_identical_results() -> None:
    forms: list[Any] = ["0.1", 0.1, Decimal("0.1"), Fraction(1, 10)]
    dumps = set()
    for form in forms:
        evaluation = SUMS.evaluate({"n": form, "m": "0.2"}, block="ministry", entity="X")
        assert evaluation.points("k") == 10  # 0.1 + 0.2 = 0.3 exactly, unlike binary floats
        assert evaluation.inputs["n"] == Fraction(1, 10)
        dumps.add(evaluation.model_dump_json())
    assert len(dumps) == 1


def test_yaml_decimals_are_read_exactly() -> None:
    reporter = Reporter()
    entities = load_yaml(DATA / "exact.yaml", reporter)
    assert reporter.diagnostics == []
    ranking = SUMS.evaluate_many(entities)
    first = ranking.evaluation("Bộ chính xác")
    assert first.inputs == {"n": Fraction(1, 10), "m": Fraction(61, 2)}
    second = ranking.evaluation("Bộ sát ngưỡng")
    assert second.inputs == {"n": Fraction(1, 10), "m": Fraction(1, 5)}
    assert second.points("k") == 10  # 0.1 + 0.2 = 0.3: exactly on the threshold
