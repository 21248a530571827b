"""Issue 10, part 2: a cohort figure found over the block (the default), over every entity
scored together (`in all`) or over a group (`in group g`, g a `one of` indicator: those with
the entity's value of g). Every path agrees: evaluate_many, score_many (exact and float),
the stream (which reads such a file whole), and evaluate alone with references.

Entities by hand (block, region, speed, reach):
A province north 2 4 · B province south 8 10 · C city north 6 5 · D city south 4 2
- `everyone` (min-max speed in all): min 2 (A), max 8 (B); C (6 − 2) ÷ 6 = 2/3 → 20/3, D
  (4 − 2) ÷ 6 = 1/3 → 10/3, A 0, B 10.
- `grouped` (min-max speed in group region): north 2 (A), 6 (C) → A 0, C 10; south 4 (D),
  8 (B) → D 0, B 10.
- `near` (proportional reach relative to best in group region): north best 5 (C) → A 4/5
  × 10 = 8, C 10; south best 10 (B) → D 2/10 × 10 = 2, B 10.
- `spread` (z-score speed within 2 in group region): north mean 4, sd 2 → A z −1 →
  (−1 + 2) ÷ 4 × 10 = 2.5, C z 1 → 7.5; south mean 6, sd 2 → D 2.5, B 7.5.
- `local` (min-max speed, the block): province 2 (A), 8 (B) → A 0, B 10; city 4 (D), 6 (C)
  → D 0, C 10."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diagnostics import EgovRulesError, Reporter
from egov_rules.inputs import load_data
from egov_rules.stream import scores_of_file

TEXT = """methodology scope
  title "Scope"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
  city "Thành phố"
indicators
  speed number "Tốc độ"
  reach number "Phủ sóng"
  region one of (north "Bắc", south "Nam") "Vùng"
category c "C" max 50
  everyone "Cả nước" max 10
    min-max speed in all
  grouped "Theo vùng" max 10
    min-max speed in group region
  near "Phủ sóng trong vùng" max 10
    proportional reach relative to best in group region
  spread "Độ lệch trong vùng" max 10
    z-score speed within 2 in group region
  local "Trong khối" max 10
    min-max speed
"""
ROWS = {"A": ("province", "north", 2, 4), "B": ("province", "south", 8, 10),
        "C": ("city", "north", 6, 5), "D": ("city", "south", 4, 2)}
ENTITIES = {k: {"block": b, "region": g, "speed": s, "reach": r}
            for k, (b, g, s, r) in ROWS.items()}
POINTS = {
    "everyone": {"A": 0, "B": 10, "C": Fraction(20, 3), "D": Fraction(10, 3)},
    "grouped": {"A": 0, "B": 10, "C": 10, "D": 0},
    "near": {"A": 8, "B": 10, "C": 10, "D": 2},
    "spread": {"A": Fraction(5, 2), "B": Fraction(15, 2), "C": Fraction(15, 2),
               "D": Fraction(5, 2)},
    "local": {"A": 0, "B": 10, "C": 10, "D": 0},
}


@pytest.fixture(scope="module")
def m() -> egov_rules.Methodology:
    return egov_rules.compile(TEXT)


def test_figures_over_all_over_a_group_and_over_the_block(m: egov_rules.Methodology) -> None:
    assert not [d for d in m.check() if d.code.code == "W501"]  # `in group region` reads region
    ranking = m.evaluate_many(ENTITIES)
    for node, expected in POINTS.items():
        assert {e.entity: e.node(node).points for e in ranking.evaluations} == expected, node


def test_the_explanation_names_the_cohort(m: egov_rules.Methodology) -> None:
    c = m.evaluate_many(ENTITIES).evaluation("C")
    assert c.cohort_sources["everyone.max"].model_dump(exclude_none=True) == {
        "kind": "cohort", "entity": "B", "ties": 1, "count": 4, "from_file": 0, "scope": "all"}
    assert c.node("everyone").branch.en.endswith(
        "; min 2 = A, max 8 = B (of all 4 entities scored together)")
    assert c.node("everyone").branch.vi.endswith("(trong tất cả 4 đơn vị được chấm cùng)")
    assert c.cohort_sources["grouped.min"].group == "north"
    assert c.node("grouped").branch.en.endswith(
        "; min 2 = A, max 6 = C (of the group north's 2 entities)")
    assert c.node("local").branch.en.endswith(
        "; min 4 = D, max 6 = C (of the block's 2 entities)")


@pytest.mark.parametrize("exact", [True, False])
def test_compiled_scores_agree(m: egov_rules.Methodology, exact: bool) -> None:
    scores = {s.entity: s for s in m.score_many(ENTITIES, exact=exact)}
    for node, expected in POINTS.items():
        for entity, points in expected.items():
            assert scores[entity].points(node) == (points if exact else pytest.approx(
                float(points))), (node, entity)


def test_the_stream_reads_a_scoped_file_whole_and_agrees(m: egov_rules.Methodology,
                                                          tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("entity,block,region,speed,reach\n" + "".join(
        f"{k},{b},{g},{s},{r}\n" for k, (b, g, s, r) in ROWS.items()), encoding="utf-8")
    sources: dict[str, dict[str, egov_rules.results.CohortSource]] = {}
    reporter = Reporter()
    scores = {s.entity: s for s in scores_of_file(m, data, reporter, sources=sources)}
    assert not reporter.has_errors
    for node, expected in POINTS.items():
        assert {k: scores[k].points(node) for k in expected} == expected, node
    whole = m.evaluate_many(load_data(data))
    for evaluation in whole.evaluations:
        for key, source in evaluation.cohort_sources.items():
            if source.scope == "group":  # differs within a block: left out of `sources`
                assert key not in sources[evaluation.block]
            else:
                assert sources[evaluation.block][key] == source


def test_references_state_the_figures_for_every_cohort(m: egov_rules.Methodology) -> None:
    refs = {"everyone.min": 0, "everyone.max": 10, "grouped.min": 0, "grouped.max": 20,
            "near": 5, "spread.mean": 5, "spread.sd": 1, "local.min": 0, "local.max": 10}
    # speed 6: everyone 6/10 → 6; grouped 6/20 → 3; reach 4 ÷ 5 → 8; z 1 → 7.5; local 6
    alone = m.evaluate({"speed": 6, "reach": 4, "region": "north"}, "city", "X", references=refs)
    assert [alone.node(n).points for n in POINTS] == [6, 3, 8, Fraction(15, 2), 6]
    assert {s.kind for s in alone.cohort_sources.values()} == {"given"}
    score = m.score({"speed": 6, "reach": 4, "region": "north"}, "city", "X", refs, exact=True)
    assert [score.points(n) for n in POINTS] == [6, 3, 8, Fraction(15, 2), 6]


def test_writing_in_block_is_the_default() -> None:
    plain = egov_rules.compile(TEXT).structure_hash
    written = egov_rules.compile(TEXT.replace("    min-max speed\n", "    min-max speed in block\n"))
    assert written.structure_hash == plain
    grouped = egov_rules.compile(TEXT.replace("    min-max speed\n", "    min-max speed in all\n"))
    assert grouped.structure_hash != plain


@pytest.mark.parametrize(("group", "code", "column"), [("speed", "E315", 28), ("regoin", "E101", 28)])
def test_a_group_must_be_a_one_of_indicator(group: str, code: str, column: int) -> None:
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.compile(TEXT.replace("min-max speed in group region",
                                        f"min-max speed in group {group}"))
    (found,) = [d for d in raised.value.diagnostics if d.is_error]
    assert found.code.code == code
    assert found.span is not None and (found.span.line, found.span.column) == (16, column)
    if code == "E101":
        assert found.hint is not None and "region" in found.hint.en  # did you mean


def test_the_cli_scores_a_scoped_csv_whole_and_explains_the_group(tmp_path: Path) -> None:
    import io

    from egov_rules.cli import main

    rules, data = tmp_path / "scope.egr", tmp_path / "data.csv"
    rules.write_text(TEXT, encoding="utf-8")
    data.write_text("entity,block,region,speed,reach\n" + "".join(
        f"{k},{b},{g},{s},{r}\n" for k, (b, g, s, r) in ROWS.items()), encoding="utf-8")
    out = io.StringIO()
    assert main(["score", str(rules), str(data), "--format", "csv", "--exact"], out=out) == 0
    rows = {line.split(",")[0]: line.split(",") for line in out.getvalue().splitlines()[1:]}
    # category c: A 0 + 0 + 8 + 2.5 + 0 = 10.5; C 20/3 + 10 + 10 + 7.5 + 10 = 265/6
    assert Fraction(rows["A"][2]) == Fraction(21, 2) and Fraction(rows["C"][2]) == Fraction(265, 6)
    out = io.StringIO()
    assert main(["explain", str(rules), str(data), "--entity", "A", "--lang", "en"], out=out) == 0
    assert "4 ÷ best in group region 5 = 80%" in out.getvalue()
    assert "best 5 = C (of the group north's 2 entities)" in out.getvalue()


@pytest.mark.parametrize("path", ["evaluate_many", "exact", "float"])
def test_an_entity_without_a_group_is_not_applicable_there(path: str) -> None:
    # `missing not applicable` on region; D gives none: its nodes `in group region` do not
    # apply, the others do. South is then B alone: min = max = 8 → 10 (nobody behind). D's
    # `everyone` stays (4 − 2) ÷ 6 × 10 = 10/3, its `local` (city 4, 6) 0 — the compiled
    # path scores D, which lacks a value, through the evaluator's figures, by their keys.
    m = egov_rules.compile(TEXT.replace('"Vùng"', '"Vùng"\n    missing not applicable'))
    data = {k: dict(v) for k, v in ENTITIES.items()}
    del data["D"]["region"]
    if path == "evaluate_many":
        points = {e.entity: {n: e.node(n).points for n in POINTS}
                  for e in m.evaluate_many(data).evaluations}
    else:
        points = {s.entity: {n: s.points(n) for n in POINTS}
                  for s in m.score_many(data, exact=path == "exact")}
    assert points["D"] == {"everyone": pytest.approx(Fraction(10, 3)), "grouped": None,
                           "near": None, "spread": None, "local": 0}
    assert points["B"]["grouped"] == 10 and points["B"]["near"] == 10
