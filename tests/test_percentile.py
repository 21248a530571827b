"""`percentile x [lower is better] [in …]`: the share of the others of the entity's cohort
with a worse x, those level counting half: (worse + ½·level) ÷ (n − 1) of the points.

Figures by hand. Block province, x (and wait, the same numbers) P0…P7 = 3, 5, 5, 7, 7, 9, 2, 5;
sorted 2, 3, 5, 5, 5, 7, 7, 9: n = 8, 7 others.
- `up` (percentile x): 2 → 0 worse: 0; 3 → 1 worse: 1/7 × 10 = 10/7; 5 → 2 worse (2, 3),
  2 level: (2 + 1) ÷ 7 → 30/7; 7 → 5 worse, 1 level: 5.5 ÷ 7 → 55/7; 9 → 7 worse: 10.
- `down` (percentile wait lower is better, worse = higher): 2 → 7 higher: 10; 3 → 6: 60/7;
  5 → 3 higher (7, 7, 9), 2 level: 4 ÷ 7 → 40/7; 7 → 1 higher, 1 level: 1.5 ÷ 7 → 15/7; 9 → 0.
Block city C0 x 4, C1 x 6 (wait the same): up C0 0, C1 10; down C0 10, C1 0.

Scoped (x over all 10: sorted 2, 3, 4, 5, 5, 5, 6, 7, 7, 9, 9 others):
- `everyone` (in all): 2 → 0; 3 → 10/9; 4 → 20/9; 5 → (3 + 1) ÷ 9 → 40/9; 6 → 6/9 → 20/3;
  7 → (7 + ½) ÷ 9 → 25/3; 9 → 10.
- `grouped` (in group region): north P0 3, P1 5, P3 7, P6 2, C0 4 → sorted 2, 3, 4, 5, 7
  (4 others): 0, 2.5, 5, 7.5, 10; south P2 5, P4 7, P5 9, P7 5, C1 6 → sorted 5, 5, 6, 7, 9:
  the 5s ½ ÷ 4 → 1.25, 6 → 5, 7 → 7.5, 9 → 10.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diagnostics import EgovRulesError, Reporter
from egov_rules.stream import scores_of_file
from tests.conftest import cli

HEAD = """methodology pct
  title "Percentile"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
  city "Thành phố"
indicators
  x number "Chỉ số x"
  wait number "Thời gian chờ" lower is better
  region one of (north "Bắc", south "Nam") "Vùng"
"""
BLOCK = HEAD + """category c "C" max 20
  up "X" max 10
    percentile x
  down "Chờ" max 10
    percentile wait lower is better
"""
SCOPED = HEAD + """category c "C" max 20
  everyone "Cả nước" max 10
    percentile x in all
  grouped "Theo vùng" max 10
    percentile x in group region
"""
ROWS = {"P0": ("province", "north", 3), "P1": ("province", "north", 5),
        "P2": ("province", "south", 5), "P3": ("province", "north", 7),
        "P4": ("province", "south", 7), "P5": ("province", "south", 9),
        "P6": ("province", "north", 2), "P7": ("province", "south", 5),
        "C0": ("city", "north", 4), "C1": ("city", "south", 6)}
ENTITIES = {k: {"block": b, "region": g, "x": v, "wait": v} for k, (b, g, v) in ROWS.items()}
F = Fraction
UP = {2: F(0), 3: F(10, 7), 5: F(30, 7), 7: F(55, 7), 9: F(10)}
DOWN = {2: F(10), 3: F(60, 7), 5: F(40, 7), 7: F(15, 7), 9: F(0)}
BLOCK_POINTS = {
    "up": {**{k: UP[v] for k, (b, _, v) in ROWS.items() if b == "province"},
           "C0": F(0), "C1": F(10)},
    "down": {**{k: DOWN[v] for k, (b, _, v) in ROWS.items() if b == "province"},
             "C0": F(10), "C1": F(0)},
}
ALL = {2: F(0), 3: F(10, 9), 4: F(20, 9), 5: F(40, 9), 6: F(20, 3), 7: F(25, 3), 9: F(10)}
SCOPED_POINTS = {
    "everyone": {k: ALL[v] for k, (_, _, v) in ROWS.items()},
    "grouped": {"P6": F(0), "P0": F(5, 2), "C0": F(5), "P1": F(15, 2), "P3": F(10),
                "P2": F(5, 4), "P7": F(5, 4), "C1": F(5), "P4": F(15, 2), "P5": F(10)},
}
CASES = [(BLOCK, BLOCK_POINTS), (SCOPED, SCOPED_POINTS)]


def _csv(path: Path, names: tuple[str, ...] = tuple(ROWS)) -> Path:
    path.write_text("entity,block,region,x,wait\n" + "".join(
        f"{k},{ROWS[k][0]},{ROWS[k][1]},{ROWS[k][2]},{ROWS[k][2]}\n" for k in names),
        encoding="utf-8")
    return path



@pytest.mark.parametrize(("text", "expected"), CASES)
def test_ties_lower_is_better_and_scopes_by_hand(text: str,
                                                 expected: dict[str, dict[str, Fraction]]) -> None:
    ranking = egov_rules.compile(text).evaluate_many(ENTITIES)
    for node, points in expected.items():
        assert {e.entity: e.node(node).points for e in ranking.evaluations} == points, node


def test_the_record_and_the_words() -> None:
    p3 = egov_rules.compile(BLOCK).evaluate_many(ENTITIES).evaluation("P3")  # x 7
    assert {k: v for k, v in p3.cohort.items() if k.startswith("up.")} == {
        "up.worse": 5, "up.level": 1, "up.count": 8}
    assert p3.cohort["down.worse"] == 1  # only 9 waits longer
    assert p3.cohort_sources["up.worse"].model_dump(exclude_none=True) == {
        "kind": "cohort", "count": 8, "from_file": 0, "scope": "block"}
    up = p3.node("up")
    assert up.branch.en == ("7 is better than 5 and level with 1 of the block's 7 others: "
                            "(5 + ½ × 1) ÷ 7 = 78.57%; 78.57% × 10 = 7.8571 points "
                            "(of the block's 8 entities)")
    assert up.branch.vi == ("7 tốt hơn 5 và ngang bằng 1 trong 7 đơn vị khác trong khối: "
                            "(5 + ½ × 1) ÷ 7 = 78,57%; 78,57% × 10 = 7,8571 điểm "
                            "(trong 8 đơn vị của khối)")
    assert up.next is None  # the next better value is another entity's: no hint made up


def test_scoped_words_name_the_cohort() -> None:
    c1 = egov_rules.compile(SCOPED).evaluate_many(ENTITIES).evaluation("C1")  # x 6
    assert c1.node("everyone").branch.en.endswith(
        "(6 + ½ × 0) ÷ 9 = 66.67%; 66.67% × 10 = 6.6667 points "
        "(of all 10 entities scored together)")
    assert c1.node("grouped").branch.en.endswith("(of the group south's 5 entities)")


def test_a_cohort_of_one_gets_full_points_with_w529() -> None:
    reporter = Reporter()
    m = egov_rules.compile(BLOCK)
    ranking = m.evaluate_many({"C0": ENTITIES["C0"]}, reporter=reporter)
    c0 = ranking.evaluation("C0")
    assert c0.node("up").points == 10 and c0.node("down").points == 10
    assert c0.cohort["up.count"] == 1
    assert "no other entity, none is ahead" in c0.node("up").branch.en
    warned = [d for d in reporter.diagnostics if d.code.code == "W529"]
    assert sorted(d.args["node"] for d in warned) == ["down", "up"]
    assert warned[0].hint is not None and "--cohort FILE" in warned[0].hint.en \
        and "--reference" not in warned[0].hint.en  # no reference stands for a distribution


def test_scored_alone_it_needs_the_cohort_e208() -> None:
    m = egov_rules.compile(BLOCK)
    for call in (lambda: m.evaluate({"x": 7, "wait": 7, "region": "north"}, "province", "A"),
                 lambda: m.score({"x": 7, "wait": 7, "region": "north"}, "province", "A")):
        with pytest.raises(EgovRulesError) as raised:
            call()
        (found,) = raised.value.diagnostics
        assert found.code.code == "E208"
        assert "the values of the other entities" in found.message()
        assert found.hint is not None and "cohort=" in found.hint.en \
            and "references=" not in found.hint.en


def test_a_cohort_file_counts_but_is_not_scored() -> None:
    # P3 (x 7) scored with the other province entities as the cohort: as in the block
    m = egov_rules.compile(BLOCK)
    others = {k: v for k, v in ENTITIES.items() if k != "P3" and ROWS[k][0] == "province"}
    ranking = m.evaluate_many({"P3": ENTITIES["P3"]}, cohort=others)
    p3 = ranking.evaluation("P3")
    assert p3.node("up").points == F(55, 7)
    assert p3.cohort_sources["up.count"].from_file == 7
    assert [e.entity for e in ranking.evaluations] == ["P3"]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_every_path_agrees(text: str, expected: dict[str, dict[str, Fraction]],
                           tmp_path: Path) -> None:
    m = egov_rules.compile(text)
    many = {e.entity: e for e in m.evaluate_many(ENTITIES).evaluations}
    exact = {s.entity: s for s in m.score_many(ENTITIES, exact=True)}
    fast = {s.entity: s for s in m.score_many(ENTITIES)}
    reporter = Reporter()
    streamed = {s.entity: s for s in scores_of_file(m, _csv(tmp_path / "d.csv"), reporter)}
    assert not reporter.has_errors
    rules = tmp_path / "p.egr"
    rules.write_text(text, encoding="utf-8")
    code, out = cli("score", str(rules), str(tmp_path / "d.csv"), "--format", "csv", "--exact")
    assert code == 0, out
    table = {line.split(",")[0]: line.split(",") for line in out.splitlines()[1:]}
    for node, points in expected.items():
        for entity, p in points.items():
            assert many[entity].node(node).points == p, (node, entity)
            assert exact[entity].points(node) == p, (node, entity)
            assert fast[entity].points(node) == pytest.approx(float(p)), (node, entity)
            assert streamed[entity].points(node) == p, (node, entity)
    # the category c is the sum of the two nodes
    for entity in ROWS:
        assert Fraction(table[entity][2]) == sum(expected[n][entity] for n in expected)


def test_the_record_round_trips_and_verifies(tmp_path: Path) -> None:
    rules, record = tmp_path / "p.egr", tmp_path / "r.json"
    rules.write_text(BLOCK, encoding="utf-8")
    data = _csv(tmp_path / "d.csv")
    code, out = cli("score", str(rules), str(data), "--format", "json", "--output", str(record))
    assert code == 0, out
    text = record.read_text(encoding="utf-8")
    again = egov_rules.Ranking.model_validate_json(text)
    assert egov_rules.Ranking.model_validate_json(again.model_dump_json()) == again
    p3 = again.evaluation("P3")
    assert p3.cohort["up.worse"] == 5 and p3.node("up").points == F(55, 7)
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 0, out
    saved = json.loads(text)
    at = next(k for k, e in enumerate(saved["evaluations"]) if e["entity"] == "P3")
    saved["evaluations"][at]["cohort"]["up.worse"] = "6"  # a forged standing
    record.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 1, out


def test_percentile_reads_a_number() -> None:
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.compile(BLOCK.replace("percentile x", "percentile region"))
    assert any(d.code.code.startswith("E2") for d in raised.value.diagnostics)


def test_in_group_must_name_a_one_of_indicator() -> None:
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.compile(SCOPED.replace("in group region", "in group x"))
    assert [d.code.code for d in raised.value.diagnostics if d.is_error] == ["E315"]


def test_the_annex_describes_it() -> None:
    m = egov_rules.compile(BLOCK)
    from egov_rules.kinds import rule_kind

    node = m.model.nodes["down"]
    said = rule_kind(node.rules[0]).describe(node.rules[0], m.model, F(10))
    assert "with a higher value, those level counting half, × 10 points" in said.en


DERIVED = """methodology pct_let
  title "Percentile of a ratio"
  year 2024
  source "Thử nghiệm"
  missing not applicable
blocks
  province "Tỉnh"
indicators
  done count "Hồ sơ đúng hạn"
  files count "Hồ sơ" neutral
  online yes/no "Trực tuyến"
let on_time = done / files  if files = 0: 0
category c "C" max 10
  timely "Đúng hạn" max 10
    when online
    percentile on_time
"""


@pytest.mark.parametrize("path", ["evaluate_many", "exact", "float"])
def test_a_derived_input_when_and_a_missing_value(path: str) -> None:
    # on_time: A 1/3, B 2/3, C 2/3, D 1 (online no: not counted), E (no `done`: not
    # applicable, not counted). Cohort A, B, C (n 3, 2 others): A 0; B, C 1 worse, 1 level:
    # (1 + ½) ÷ 2 = 3/4 → 7.5.
    m = egov_rules.compile(DERIVED)
    data = {"A": {"done": 1, "files": 3, "online": "yes"},
            "B": {"done": 2, "files": 3, "online": "yes"},
            "C": {"done": 4, "files": 6, "online": "yes"},
            "D": {"done": 5, "files": 5, "online": "no"},
            "E": {"files": 5, "online": "yes"}}
    data = {k: {"block": "province", **v} for k, v in data.items()}
    if path == "evaluate_many":
        points = {e.entity: e.node("timely").points for e in m.evaluate_many(data).evaluations}
    else:
        points = {s.entity: s.points("timely") for s in m.score_many(data, exact=path == "exact")}
    assert points == {"A": 0, "B": F(15, 2), "C": F(15, 2), "D": None, "E": None}


def test_when_the_cohort_moves_the_mover_gains_and_the_others_lose() -> None:
    # x 2, 5, 8 (2 others each): 2 → 0, 5 → 1 worse: ½ → 5, 8 → 10. The 2 rises to 6:
    # 5 → 0 worse: 0 (it lost), 6 → 1 worse: 5 (it gained), 8 → 10 (unchanged).
    m = egov_rules.compile(BLOCK)

    def points(xs: tuple[int, ...]) -> list[Fraction | None]:
        data = {f"E{k}": {"block": "city", "x": x, "wait": 0} for k, x in enumerate(xs)}
        return [e.node("up").points for e in m.evaluate_many(data).evaluations]

    assert points((2, 5, 8)) == [0, 5, 10]
    assert points((6, 5, 8)) == [5, 0, 10]


def test_the_group_is_named_in_the_words() -> None:
    # C1 (x 6) in the south 5, 5, 6, 7, 9: 2 worse, 0 level of 4 others → 2/4 → 5
    c1 = egov_rules.compile(SCOPED).evaluate_many(ENTITIES).evaluation("C1")
    assert c1.node("grouped").branch.en.startswith(
        "6 is better than 2 and level with 0 of the 4 others in its group of `region`: "
        "(2 + ½ × 0) ÷ 4 = 50%; 50% × 10 = 5 points")
