"""Issue 10: every cohort figure an evaluation used says where it came from — which entity
holds a picked figure (min, max, best; on a tie the first in input order, an entity scored
before one of the cohort file) and over how many entities, or a reference given by the
caller, or the rule's own `reference` — in `Evaluation.cohort_sources`, in the words, in the
record (verify-record compares it), alike on the whole-file, streamed and alone paths.

Figures by hand, speeds A 1.3, B 9.8, C 6.2, D 1.3 and reaches A 4, B 8, C 8, D 2:
min speed 1.3 held by A and D (A first), max 9.8 by B alone, best reach 8 by B and C (B
first), each over the block's 4 entities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import load_data
from egov_rules.results import CohortSource
from egov_rules.stream import scores_of_file
from tests.conftest import cli

TEXT = """methodology prov
  title "Provenance"
  year 2024
  source "Thử nghiệm"
blocks
  province "Tỉnh"
indicators
  speed number "Tốc độ"
  reach number "Phủ sóng"
category c "C" max 30
  fast "Nhanh" max 10
    min-max speed
  steady "Ổn định" max 10
    z-score speed within 2 reference mean 3 sd 1
  wide "Rộng" max 10
    proportional reach relative to best in block reference 8
"""
ROWS = {"A": (1.3, 4), "B": (9.8, 8), "C": (6.2, 8), "D": (1.3, 2)}
ENTITIES = {k: {"block": "province", "speed": s, "reach": r} for k, (s, r) in ROWS.items()}


def held(entity: str, ties: int = 1, count: int = 4, from_file: int = 0,
         kind: str = "cohort") -> CohortSource:
    return CohortSource(kind=kind, entity=entity, ties=ties, count=count,  # type: ignore[arg-type]
                        from_file=from_file, scope="block")


@pytest.fixture(scope="module")
def m() -> egov_rules.Methodology:
    return egov_rules.compile(TEXT)


def test_who_holds_each_figure_ties_first_in_input_order(m: egov_rules.Methodology) -> None:
    a = m.evaluate_many(ENTITIES).evaluation("A")
    assert a.cohort_sources == {
        "fast.min": held("A", ties=2), "fast.max": held("B"),
        "steady.mean": CohortSource(kind="cohort", count=4, from_file=0, scope="block"),
        "steady.sd": CohortSource(kind="cohort", count=4, from_file=0, scope="block"),
        "wide": held("B", ties=2)}
    fast = a.node("fast").branch
    # A is at the min: (1.3 − 1.3) ÷ (9.8 − 1.3) = 0 → 0 points
    assert fast.en == ("1.3 → (1.3 − 1.3) ÷ (9.8 − 1.3) = 0%; 0% × 10 = 0 points; "
                       "min 1.3 = A, tied with 1 other, max 9.8 = B (of the block's 4 entities)")
    assert fast.vi.endswith("nhỏ nhất 1,3 = A, ngang với 1 đơn vị khác, lớn nhất 9,8 = B "
                            "(trong 4 đơn vị của khối)")
    # 4 ÷ 8 = 50% → 5 points; the best 8 is B's, shared with C
    assert a.node("wide").branch.en.endswith(
        "; best 8 = B, tied with 1 other (of the block's 4 entities)")
    # the mean (1.3 + 9.8 + 6.2 + 1.3) ÷ 4 = 4.65 is nobody's: no holder is named
    assert "; mean 4.65, population sd 3.5" in a.node("steady").branch.en
    assert a.node("steady").branch.en.endswith("(of the block's 4 entities)")


def test_a_cohort_files_entities_are_named_and_counted(m: egov_rules.Methodology) -> None:
    scored = {k: ENTITIES[k] for k in ("C", "A")}
    others = {k: ENTITIES[k] for k in ("D", "B")}
    a = m.evaluate_many(scored, cohort=others).evaluation("A")
    # the max 9.8 is B's, from the file; the min 1.3 is A's and D's: the scored A is named
    assert a.cohort_sources["fast.max"] == held("B", from_file=2, kind="cohort file")
    assert a.cohort_sources["fast.min"] == held("A", ties=2, from_file=2)
    assert a.cohort_sources["wide"] == held("C", ties=2, from_file=2)  # C is scored, B not
    assert a.node("fast").branch.en.endswith(
        "max 9.8 = B (cohort file) (of the block's 4 entities, 2 from the cohort file)")
    assert "(tệp cohort)" in a.node("fast").branch.vi
    # the figures, and so the points, are those of scoring all four together
    together = m.evaluate_many(ENTITIES).evaluation("A")
    assert a.cohort == together.cohort
    assert [n.points for n in a.nodes] == [n.points for n in together.nodes]


def test_a_reference_given_and_the_rules_own(m: egov_rules.Methodology) -> None:
    ranked = m.evaluate_many(ENTITIES, references={"fast.max": "12"})
    c = ranked.evaluation("C")
    assert c.cohort_sources["fast.max"] == CohortSource(kind="given")
    assert c.cohort_sources["fast.min"] == held("A", ties=2)
    # (6.2 − 1.3) ÷ (12 − 1.3) = 4.9 ÷ 10.7 = 45.79%
    assert c.node("fast").branch.en.endswith(
        "min 1.3 = A, tied with 1 other, max 12 (reference given) (of the block's 4 entities)")
    alone = m.evaluate({"speed": 5, "reach": 4}, "province", "X",
                       references={"fast.min": 1, "fast.max": 9})
    assert alone.cohort_sources == {
        "fast.min": CohortSource(kind="given"), "fast.max": CohortSource(kind="given"),
        "steady.mean": CohortSource(kind="rule", line=14),
        "steady.sd": CohortSource(kind="rule", line=14),
        "wide": CohortSource(kind="rule", line=16)}
    assert alone.node("wide").branch.en.endswith("; best 8 (the rule's reference, line 16)")
    assert alone.node("wide").branch.vi.endswith(
        "; cao nhất 8 (giá trị tham chiếu của quy tắc, dòng 16)")
    # (5 − 1) ÷ (9 − 1) = 50% → 5 points
    assert alone.node("fast").points == 5
    assert alone.node("fast").branch.en.endswith(
        "; min 1, max 9 (reference given)")  # one source for both: said once


def _csv(path: Path, names: tuple[str, ...]) -> Path:
    path.write_text("entity,block,speed,reach\n" + "".join(
        f"{k},province,{ROWS[k][0]},{ROWS[k][1]}\n" for k in names), encoding="utf-8")
    return path


@pytest.mark.parametrize("cohort", [(), ("D", "B")])
def test_streamed_sources_are_the_whole_files(m: egov_rules.Methodology, tmp_path: Path,
                                              cohort: tuple[str, ...]) -> None:
    scored = tuple(k for k in ROWS if k not in cohort)
    data = _csv(tmp_path / "data.csv", scored)
    others = load_data(_csv(tmp_path / "cohort.csv", cohort)) if cohort else []
    sources: dict[str, dict[str, CohortSource]] = {}
    reporter = Reporter()
    list(scores_of_file(m, data, reporter, cohort=others, sources=sources))
    assert not reporter.has_errors
    whole = m.evaluate_many(load_data(data), cohort=others)
    for evaluation in whole.evaluations:
        assert evaluation.cohort_sources == {
            k: sources["province"][k] for k in evaluation.cohort_sources}
    # the stream reads the cohort file first, yet the scored A holds the tied min 1.3
    assert sources["province"]["fast.min"].entity == "A"



def test_the_record_holds_the_sources_and_a_forged_one_fails(tmp_path: Path) -> None:
    rules, record = tmp_path / "prov.egr", tmp_path / "r.json"
    rules.write_text(TEXT, encoding="utf-8")
    data = _csv(tmp_path / "data.csv", tuple(ROWS))
    code, _ = cli("score", str(rules), str(data), "--format", "json", "--output", str(record))
    assert code == 0
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["evaluations"][2]["cohort_sources"]["fast.max"] == {
        "kind": "cohort", "entity": "B", "ties": 1, "count": 4, "from_file": 0, "scope": "block",
        "group": None, "line": None}
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 0, out
    saved["evaluations"][2]["cohort_sources"]["fast.max"]["entity"] = "C"  # a forged holder
    record.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    code, out = cli("verify-record", str(record), "--methodology", str(rules), "--data", str(data))
    assert code == 1 and "cohort_sources" in out


def test_the_json_schema_describes_the_sources() -> None:
    schema = json.dumps(egov_rules.json_schema())
    assert "cohort_sources" in schema and '"cohort file"' in schema
