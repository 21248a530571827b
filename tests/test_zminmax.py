"""Issue 10: `z-score mean of a, b, … then min-max`, the UN EGDI's TII and HCI: each term
standardised over the cohort (population sd), the z-scores averaged (weighted), the mean
min-max normalised over the cohort. Invented data, figures by hand.

TII-like block, terms min(internet, 120), min(mobile, 120), broadband, equal weights:

    entity  internet→capped  mobile→capped  broadband
    A       135 → 120        100            20
    B        60              90              5
    C       100              160 → 120      25
    D        80              60             15
    E        90              80             35

internet_c 120, 60, 100, 80, 90: mean 90, deviations 30, −30, 10, −10, 0, squares sum 2000,
÷ 5 = 400, sd 20 → z 1.5, −1.5, 0.5, −0.5, 0. mobile_c 100, 90, 120, 60, 80: mean 90, the
same deviations reordered (10, 0, 30, −30, −10), sd 20 → z 0.5, 0, 1.5, −1.5, −0.5.
broadband 20, 5, 25, 15, 35: mean 20, deviations 0, −15, 5, −5, 15, squares 500 ÷ 5 = 100,
sd 10 → z 0, −1.5, 0.5, −0.5, 1.5. c = sum ÷ 3: A 2/3, B −1, C 5/6, D −5/6, E 1/3. min −1
(B), max 5/6 (C), range 11/6. Points (max 1): A (5/3)·(6/11) = 10/11, B 0, C 1,
D (1/6)·(6/11) = 1/11, E (4/3)·(6/11) = 8/11.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_rules
from egov_rules.diagnostics import EgovRulesError, Reporter
from egov_rules.stream import scores_of_file
from tests.conftest import cli

TII = """methodology tii
  title "TII"
  year 2024
  source "Thử nghiệm"
blocks
  country "Country"
indicators
  internet  number "Internet"
  mobile    number "Mobile"
  broadband number "Broadband"
let internet_c = min(internet, 120)
let mobile_c = min(mobile, 120)
category infra "Infrastructure" max 1
  tii "TII" max 1
    z-score mean of internet_c, mobile_c, broadband then min-max
"""
ROWS = {"A": (135, 100, 20), "B": (60, 90, 5), "C": (100, 160, 25), "D": (80, 60, 15),
        "E": (90, 80, 35)}
DATA = {k: {"block": "country", "internet": i, "mobile": mo, "broadband": b}
        for k, (i, mo, b) in ROWS.items()}
POINTS = {"A": Fraction(10, 11), "B": Fraction(0), "C": Fraction(1), "D": Fraction(1, 11),
          "E": Fraction(8, 11)}


@pytest.fixture(scope="module")
def m() -> egov_rules.Methodology:
    return egov_rules.compile(TII)


def _points(ranking: egov_rules.Ranking, node: str = "tii") -> dict[str, Fraction | None]:
    return {e.entity: e.node(node).points for e in ranking.evaluations}


def test_tii_by_hand(m: egov_rules.Methodology) -> None:
    ranking = m.evaluate_many(DATA)
    assert _points(ranking) == POINTS
    a = ranking.evaluations[0]
    assert a.cohort == {"tii.mean1": 90, "tii.sd1": 20, "tii.mean2": 90, "tii.sd2": 20,
                        "tii.mean3": 20, "tii.sd3": 10, "tii.min": -1,
                        "tii.max": Fraction(5, 6)}
    assert a.cohort_sources["tii.min"].entity == "B" and a.cohort_sources["tii.max"].entity == "C"
    assert a.cohort_sources["tii.max"].count == 5 and a.cohort_sources["tii.sd1"].entity is None
    words = a.node("tii").branch.en
    assert "120 → z = (120 − 90) ÷ 20 = 1.5" in words  # the cap: 135 reads as 120
    assert "“Broadband” 20 → z = (20 − 20) ÷ 10 = 0; mean of z = 0.6667; " \
        "(0.6667 − (−1)) ÷ (0.8333 − (−1)) = 90.91%; × 1 = 0.9091 points" in words
    assert words.endswith("; min -1 = B, max 0.8333 = C (of the block's 5 entities)")
    assert "significant digits" not in words  # sds 20, 20, 10: exact
    assert "trung bình z = 0,6667" in a.node("tii").branch.vi
    d = ranking.evaluations[3].node("tii").branch.en
    assert "80 → z = (80 − 90) ÷ 20 = (−0.5)" in d and "mean of z = (−0.8333)" in d


HCI = """methodology hci
  title "HCI"
  year 2024
  source "Thử nghiệm"
blocks
  country "Country"
indicators
  literacy  number "Adult literacy"
  enrolment number "Gross enrolment"
  expected  number "Expected years of schooling"
  schooling number "Mean years of schooling"
category people "People" max 10
  hci "HCI" max 10
    z-score mean of literacy 1/3, enrolment 2/9, expected 2/9, schooling 2/9 then min-max
"""
# literacy 90, 70, 90, 70: mean 80, sd 10 → z 1, −1, 1, −1; enrolment 75, 75, 65, 65: mean
# 70, sd 5 → z 1, 1, −1, −1; expected 14, 10, 10, 14: mean 12, sd 2 → z 1, −1, −1, 1;
# schooling 8 everywhere: sd 0 → z 0. c = z1/3 + 2·z2/9 + 2·z3/9: P 3/9 + 2/9 + 2/9 = 7/9,
# Q −3/9 + 2/9 − 2/9 = −1/3, R 3/9 − 2/9 − 2/9 = −1/9, S −3/9 − 2/9 + 2/9 = −1/3.
# min −1/3 (Q and S, Q first), max 7/9 (P), range 10/9: P 10, Q 0, S 0,
# R (2/9)·(9/10) = 1/5 → 2 points.
HCI_ROWS = {"P": (90, 75, 14, 8), "Q": (70, 75, 10, 8), "R": (90, 65, 10, 8),
            "S": (70, 65, 14, 8)}
HCI_DATA = {k: {"block": "country", "literacy": a, "enrolment": b, "expected": c,
                "schooling": d} for k, (a, b, c, d) in HCI_ROWS.items()}
HCI_POINTS = {"P": Fraction(10), "Q": Fraction(0), "R": Fraction(2), "S": Fraction(0)}


@pytest.mark.parametrize("weights", ["1/3, 2/9, 2/9, 2/9", "3, 2, 2, 2",
                                     "33.3333%, 22.2222%, 22.2222%, 22.2223%"])
def test_hci_weights_and_an_sd_of_zero(weights: str) -> None:
    parts = [p.strip() for p in weights.split(",")]
    text = HCI.replace("literacy 1/3, enrolment 2/9, expected 2/9, schooling 2/9",
                       ", ".join(f"{n} {w}" for n, w in zip(
                           ("literacy", "enrolment", "expected", "schooling"), parts,
                           strict=True)))
    ranking = egov_rules.compile(text).evaluate_many(HCI_DATA)
    if "%" in weights:  # rounded percents shift the figures a little, not the order
        assert _points(ranking, "hci")["P"] == 10 and _points(ranking, "hci")["Q"] == 0
        return
    assert _points(ranking, "hci") == HCI_POINTS
    r = ranking.evaluations[2]
    assert r.cohort["hci.sd4"] == 0 and r.cohort["hci.min"] == Fraction(-1, 3)
    words = r.node("hci").branch.en
    assert "“Mean years of schooling” 8: sd 0, z = 0" in words
    assert words.endswith("min -0.3333 = Q, tied with 1 other, max 0.7778 = P "
                          "(of the block's 4 entities)")


@pytest.mark.parametrize(("weights", "code"), [
    ("literacy 1/3, enrolment, expected 2/9, schooling 2/9", "E311"),  # all or none
    ("literacy 30%, enrolment 20%, expected 20%, schooling 20%", "E307"),  # 90 %
    ("literacy 30%, enrolment 2, expected 20%, schooling 20%", "E311"),  # mixed
    ("literacy 0, enrolment 0, expected 0, schooling 0", "E311"),  # all 0
])
def test_bad_weights(weights: str, code: str) -> None:
    text = HCI.replace("literacy 1/3, enrolment 2/9, expected 2/9, schooling 2/9", weights)
    assert code in {d.code.code for d in egov_rules.check(text)}


def test_a_name_other_than_mean_is_a_located_error() -> None:
    found = egov_rules.check(TII.replace("z-score mean of", "z-score average of"))
    (error,) = [d for d in found if d.is_error]
    assert error.code.code == "E308" and error.span is not None and error.span.line == 15


def test_an_indicator_named_mean_still_reads_in_a_plain_z_score() -> None:
    text = TII.replace("broadband number", "mean number").replace(
        "mobile_c, broadband then", "mobile_c, mean then") + \
        '  plain "Plain" max 1\n    z-score mean within 2\n'
    text = text.replace('"Infrastructure" max 1', '"Infrastructure" max 2')
    assert not [d for d in egov_rules.check(text) if d.is_error]


def test_min_equal_to_max_gives_all_points(m: egov_rules.Methodology) -> None:
    same = {k: {**v, "internet": 50, "mobile": 50, "broadband": 10} for k, v in DATA.items()}
    assert set(_points(m.evaluate_many(same)).values()) == {1}
    # one entity alone in its block: every sd 0, c 0 = min = max, all the points
    assert _points(m.evaluate_many({"A": DATA["A"]})) == {"A": 1}


def test_an_irrational_sd_says_how_it_is_kept(m: egov_rules.Methodology) -> None:
    # broadband 1, 2, 3 (the others alike): sd √(2/3) is irrational
    data = {f"X{v}": {"block": "country", "internet": 50, "mobile": 50, "broadband": v}
            for v in (1, 2, 3)}
    words = m.evaluate_many(data).evaluations[0].node("tii").branch
    assert "(each sd exact, or to 30 significant digits when irrational)" in words.en
    assert "30 chữ số có nghĩa" in words.vi


SCOPES = """methodology sc
  title "Scopes"
  year 2024
  source "Thử nghiệm"
blocks
  north "North"
  south "South"
indicators
  internet  number "Internet"
  mobile    number "Mobile"
  broadband number "Broadband"
  region    one of (east "East", west "West") "Region"
let internet_c = min(internet, 120)
let mobile_c = min(mobile, 120)
category infra "Infrastructure" max 3
  everyone "All" max 1
    z-score mean of internet_c, mobile_c, broadband then min-max in all
  mine "Block" max 1
    z-score mean of internet_c, mobile_c, broadband then min-max in block
  grouped "Group" max 1
    z-score mean of internet_c, mobile_c, broadband then min-max in group region
"""
# blocks: north A, B, C; south D, E. regions: west B, D; east A, C, E.
PLACES = {"A": ("north", "east"), "B": ("north", "west"), "C": ("north", "east"),
          "D": ("south", "west"), "E": ("south", "east")}
SCOPED = {k: {**DATA[k], "block": b, "region": r} for k, (b, r) in PLACES.items()}


def test_scopes() -> None:
    m = egov_rules.compile(SCOPES)
    ranking = m.evaluate_many(SCOPED)
    # in all: the five entities, as one block above
    assert _points(ranking, "everyone") == POINTS
    # in block, south D (80, 60, 15) and E (90, 80, 35): two values, z ±1 in each term,
    # E above D in all three: c(E) = 1, c(D) = −1 → E 1, D 0
    mine = _points(ranking, "mine")
    assert mine["E"] == 1 and mine["D"] == 0
    # in group west, B (60, 90, 5) and D (80, 60, 15): z(D) = (1, −1, 1), c(D) = 1/3,
    # c(B) = −1/3 → D 1, B 0
    grouped = _points(ranking, "grouped")
    assert grouped["D"] == 1 and grouped["B"] == 0
    d = next(e for e in ranking.evaluations if e.entity == "D")
    assert d.cohort_sources["grouped.max"].scope == "group" \
        and d.cohort_sources["grouped.max"].entity == "D"
    for exact in (True, False):  # every path agrees with evaluate_many
        scores = {s.entity: s.points("infra") for s in m.score_many(SCOPED, exact=exact)}
        for evaluation in ranking.evaluations:
            points = evaluation.node("infra").points
            assert points is not None
            assert scores[evaluation.entity] == (points if exact else float(points))


@pytest.mark.parametrize("exact", [True, False])
def test_compiled_scores_agree_with_evaluate(m: egov_rules.Methodology, exact: bool) -> None:
    # the fast variant declines the block: its exact variant calls the kind's own function
    data = {**DATA, "odd": {"block": "country", "internet": 33.3, "mobile": 71.1,
                            "broadband": 2.2}}  # irrational sds
    evaluations = m.evaluate_many(data).evaluations
    for score, evaluation in zip(m.score_many(data, exact=exact), evaluations, strict=True):
        points = evaluation.node("tii").points
        assert points is not None
        assert score.points("tii") == (points if exact else float(points))
    assert m.scorer.compiled.blocks["country"].fast is None


def _csv(path: Path, names: tuple[str, ...] = tuple(ROWS)) -> Path:
    path.write_text("entity,block,internet,mobile,broadband\n" + "".join(
        f"{k},country,{ROWS[k][0]},{ROWS[k][1]},{ROWS[k][2]}\n" for k in names),
        encoding="utf-8")
    return path


def test_the_stream_keeps_the_terms(m: egov_rules.Methodology, tmp_path: Path) -> None:
    reporter = Reporter()
    sources: dict[str, dict[str, egov_rules.results.CohortSource]] = {}
    scores = list(scores_of_file(m, _csv(tmp_path / "d.csv"), reporter, sources=sources))
    assert not reporter.has_errors
    assert {s.entity: s.points("tii") for s in scores} == POINTS
    assert sources["country"]["tii.max"].entity == "C"
    assert sources["country"]["tii.min"].entity == "B"


KEYS = ("tii.mean1", "tii.sd1", "tii.mean2", "tii.sd2", "tii.mean3", "tii.sd3", "tii.min",
        "tii.max")


def test_scored_alone_needs_every_figure(m: egov_rules.Methodology) -> None:
    refs: dict[str, object] = {"tii.mean1": 90, "tii.sd1": 20, "tii.mean2": 90, "tii.sd2": 20,
                               "tii.mean3": 20, "tii.sd3": 10, "tii.min": -1, "tii.max": "5/6"}
    values = {"internet": 135, "mobile": 100, "broadband": 20}
    one = m.evaluate(values, block="country", entity="A", references=refs)
    assert one.node("tii").points == Fraction(10, 11)  # A's figures above
    assert one.node("tii").branch.en.endswith("min -1, max 0.8333 (reference given)")
    assert m.score(values, block="country", entity="A", references=refs).points("tii") \
        == 10 / 11
    partial = {k: v for k, v in refs.items() if k != "tii.sd2"}
    for call in (m.evaluate, m.score):
        with pytest.raises(EgovRulesError) as raised:
            call(values, block="country", entity="A", references=partial)
        (found,) = raised.value.diagnostics
        assert found.code.code == "E208" and found.args["node"] == "tii"
        assert all(k in found.hint.en for k in KEYS)
    message = found.message("en")
    assert "the mean of term 1 and the standard deviation of term 1" in message
    assert "the lowest and the highest" in message


def test_an_example_states_the_figures() -> None:
    text = TII + """example "A alone" block country
  internet 135  mobile 100  broadband 20
  reference tii.mean1 = 90
  reference tii.sd1 = 20
  reference tii.mean2 = 90
  reference tii.sd2 = 20
  reference tii.mean3 = 20
  reference tii.sd3 = 10
  reference tii.min = -1
  reference tii.max = 5/6
  expect tii ≈ 0.9091 ± 0.0001   # 10/11
"""
    assert not [d for d in egov_rules.check(text) if d.is_error]



def test_cli_record_and_verify(tmp_path: Path) -> None:
    rules, record = tmp_path / "tii.egr", tmp_path / "r.json"
    rules.write_text(TII, encoding="utf-8")
    data = _csv(tmp_path / "data.csv")
    code, _ = cli("score", str(rules), str(data), "--format", "json", "--output", str(record))
    assert code == 0
    saved = json.loads(record.read_text(encoding="utf-8"))
    a = saved["evaluations"][0]
    assert a["cohort_sources"]["tii.max"]["entity"] == "C"
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 0, out
    saved["evaluations"][0]["cohort_sources"]["tii.max"]["entity"] = "E"  # a forged holder
    record.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 1 and "cohort_sources" in out
    refs = ["--reference", "tii.mean1=90", "--reference", "tii.sd1=20", "--reference",
            "tii.mean2=90", "--reference", "tii.sd2=20", "--reference", "tii.mean3=20",
            "--reference", "tii.sd3=10", "--reference", "tii.min=-1", "--reference",
            "tii.max=1"]
    alone = _csv(tmp_path / "alone.csv", ("E",))
    code, out = cli("score", str(rules), str(alone), "--format", "json", *refs)
    assert code == 0, out
    # E alone, against the stated figures: c = (0 − 0.5 + 1.5) ÷ 3 = 1/3, (1/3 + 1) ÷ 2 = 2/3
    (node,) = [n for n in json.loads(out)["evaluations"][0]["nodes"] if n["id"] == "tii"]
    assert Fraction(node["points"]) == Fraction(2, 3)


def test_own_z_never_falls_but_own_points_can() -> None:
    """When the cohort moves with the entity: raising its own xᵢ never lowers its own zᵢ —
    dz/dx = (1 − 1/n − z²/n) ÷ sd ≥ 0, as z² ≤ n − 1 — but it spreads term i, which pulls
    the others' negative zᵢ towards 0, and one of them can overtake it.

    Two terms, equal weights; A (6, 6), B (8, 1), C (6, 4), D (5, 9).
    Before: term 1 mean 6.25, sd √1.1875 ≈ 1.0897: z1 A −0.2294, B 1.6059, C −0.2294,
    D −1.1471; term 2 mean 5, sd √8.5 ≈ 2.9155: z2 A 0.3430, B −1.3720, C −0.3430,
    D 1.3720. c: A 0.0568, B 0.1170, C −0.2862, D 0.1125: B holds the max, all its points.
    B raises term 1 from 8 to 13: mean 7.5, sd √10.25 ≈ 3.2016: z1 A −0.4685, B 1.7179,
    C −0.4685, D −0.7809 (B's own z1 rose). c: A −0.0628, B 0.1730, C −0.4058, D 0.2956:
    D now holds the max; B (0.1730 + 0.4058) ÷ (0.2956 + 0.4058) ≈ 0.825 of its points."""
    text = TII.replace("z-score mean of internet_c, mobile_c, broadband",
                       "z-score mean of internet, mobile")
    m = egov_rules.compile(text)
    rows = {"A": (6, 6), "B": (8, 1), "C": (6, 4), "D": (5, 9)}

    def ranking(b: int) -> egov_rules.Ranking:
        return m.evaluate_many({k: {"block": "country", "internet": b if k == "B" else x,
                                    "mobile": y, "broadband": 0} for k, (x, y) in rows.items()})

    before, after = ranking(8), ranking(13)
    assert _points(before)["B"] == 1
    moved = _points(after)["B"]
    assert moved is not None and abs(float(moved) - 0.825) < 0.001
    assert after.evaluations[1].cohort_sources["tii.max"].entity == "D"


def test_shape_is_non_decreasing_in_every_term(m: egov_rules.Methodology) -> None:
    from egov_rules.kinds import rule_kind

    rule = m.model.nodes["tii"].rules[0]
    assert rule_kind(rule).shape(rule, None).word == "non-decreasing"  # type: ignore[arg-type]


TWO = egov_rules.compile(TII.replace("z-score mean of internet_c, mobile_c, broadband",
                                     "z-score mean of internet 2, mobile 1"))
small = st.integers(-20, 20).map(Fraction)


@given(small, small, st.integers(0, 1), st.integers(1, 10), st.tuples(small, small),
       st.tuples(st.integers(1, 5), st.integers(0, 5)), small, st.integers(0, 10))
def test_with_the_cohort_fixed_raising_a_term_never_lowers_the_points(
        x: Fraction, y: Fraction, which: int, step: int, means: tuple[Fraction, Fraction],
        sds: tuple[int, int], low: Fraction, spread: int) -> None:
    # the shape facet's claim (`UP`), under any figures given, an sd of 0 and min = max too
    m = TWO
    refs = {"tii.mean1": means[0], "tii.sd1": sds[0], "tii.mean2": means[1],
            "tii.sd2": sds[1], "tii.min": low / 10, "tii.max": (low + spread) / 10}

    def points(values: tuple[Fraction, Fraction]) -> Fraction | None:
        return m.evaluate({"internet": values[0], "mobile": values[1], "broadband": 0},
                          block="country", entity="X", references=refs).node("tii").points

    raised = (x + step, y) if which == 0 else (x, y + step)
    before, after = points((x, y)), points(raised)
    assert before is not None and after is not None and after >= before


def test_a_cohort_file_counts_and_its_holder_says_so(m: egov_rules.Methodology,
                                                     tmp_path: Path) -> None:
    from egov_rules.inputs import load_data

    # C (the max) and B (the min) given as the cohort file: the figures are the five's, as
    # above, A's points 10/11; the holders are named from the file
    others = load_data(_csv(tmp_path / "cohort.csv", ("B", "C")))
    data = _csv(tmp_path / "data.csv", ("A", "D", "E"))
    ranking = m.evaluate_many(load_data(data), cohort=others)
    assert _points(ranking) == {k: POINTS[k] for k in ("A", "D", "E")}
    source = ranking.evaluations[0].cohort_sources["tii.max"]
    assert source.kind == "cohort file" and source.entity == "C" and source.from_file == 2
    sources: dict[str, dict[str, egov_rules.results.CohortSource]] = {}
    reporter = Reporter()
    streamed = list(scores_of_file(m, data, reporter, cohort=others, sources=sources))
    assert {s.entity: s.points("tii") for s in streamed} == {k: POINTS[k] for k in "ADE"}
    assert sources["country"]["tii.max"] == source
