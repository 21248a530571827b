"""The compiled scores (`Methodology.score`, `score_many`) against the reference evaluator.

Exact scores (`exact=True`) must equal `evaluate` / `evaluate_many` in every figure. Float
scores must take every decision as they do (applicability, maxima, rounded indices, grades,
clamped and banded points exactly) and stay within `codegen.TOLERANCE` of every continuous
figure. Data is generated at the rules' thresholds and zero denominators
(`egov_rules.testing`), given as ints, floats, Fractions or text as a data file would.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_rules
from egov_rules import syntax as s
from egov_rules.emit import TOLERANCE
from egov_rules.results import Evaluation
from egov_rules.scoring import Score
from egov_rules.testing import default_references, entity_sets
from tests.conftest import ROOT
from tests.test_docs import _all
from tests.test_signed_numbers import SOURCE as SIGNED

FILES = sorted((ROOT / "methodologies").glob("*.egr")) + sorted((ROOT / "examples").glob("*.egr"))
METHODOLOGIES = {path.name: egov_rules.load(path) for path in FILES}
# The documented constructs (groups, means, `only`, `when`, tables …) and signed figures.
METHODOLOGIES |= {f"{f.where}": egov_rules.compile(f.text, f.where) for f in _all("egr")}
METHODOLOGIES["signed"] = egov_rules.compile(SIGNED)
METHODOLOGIES["index scale"] = egov_rules.load(ROOT / "tests" / "data" / "index_scale.egr")
METHODOLOGIES["fractional maxima"] = egov_rules.compile("""
methodology halves
  title "Nửa điểm"
  year 2024
  source "Thử nghiệm"
blocks
  b "Khối"
indicators
  share  percent "Tỷ lệ"
  units  count   "Số đơn vị"  neutral
  ok     yes/no  "Đạt"
  score  number  "Điểm"
    between 0 and 10
category c "C" max 1.2
  capped sum of
    a "A" max 0.1  when units > 0
      proportional share
    b "B" max 0.2  when units > 1
      yes/no ok
    h "H" max 2.5
      bands score
        above 7.5: 2.5
        at least 2.5: 1.25
        otherwise: 0
index i = share of max c  round 2
""")


def _written(value: Any, form: str) -> Any:
    """A generated value as a data source might give it (the same exact value)."""
    if isinstance(value, Fraction) and form == "float":
        as_float = float(value)
        return as_float if Fraction(repr(as_float)) == value else value
    if isinstance(value, Fraction | int) and not isinstance(value, bool) and form == "text":
        return str(value) if isinstance(value, int) or value.denominator == 1 else \
            str(float(value)) if Fraction(repr(float(value))) == value else value
    return value


def _ratio_lets(methodology: egov_rules.Methodology) -> list[tuple[str, str, list[Fraction]]]:
    """(numerator, denominator, thresholds) for each `let r = a / b` of two counts that a band
    or a proportional scale compares with a threshold."""
    model = methodology.model
    found = []
    for let_id, let in model.lets.items():
        e = let.expr
        if not (isinstance(e, s.Binary) and e.op == "/" and isinstance(e.left, s.Name)
                and isinstance(e.right, s.Name)):
            continue
        if {model.indicators[n].kind for n in (e.left.name, e.right.name)
                if n in model.indicators} != {"count"}:
            continue
        thresholds = [n.value for node in model.nodes.values() for rule in node.rules
                      if isinstance(rule.expr, s.Name) and rule.expr.name == let_id
                      for n in ([b.threshold for b in rule.bands if b.threshold is not None]
                                if isinstance(rule, s.Bands) else
                                [rule.low, rule.high] if isinstance(rule, s.Proportional) else [])
                      if n is not None and n.value > 0]
        if thresholds:
            found.append((e.left.name, e.right.name, thresholds))
    return found


def _nudged(value: Any, kind: str, draw: st.DrawFn) -> Any:
    """A float one ulp beside the value (its decimal is what validation reads)."""
    if kind not in ("number", "percent") or isinstance(value, bool | str):
        return value
    return math.nextafter(float(value), draw(st.sampled_from([math.inf, -math.inf])))


@st.composite
def batches(draw: st.DrawFn, methodology: egov_rules.Methodology) -> dict[str, dict[str, Any]]:
    """Entities at the rules' thresholds and zero denominators (`entity_sets`), written as a
    data source might write them, some one ulp off a threshold, some with a ratio of counts
    exactly on one."""
    model = methodology.model
    entities = draw(entity_sets(methodology, max_size=4))
    form = draw(st.sampled_from(["float", "float", "fraction", "text", "nudged"]))
    ratios = _ratio_lets(methodology)
    out: dict[str, dict[str, Any]] = {}
    for name, data in entities.items():
        row = {k: _written(v, "float" if form == "nudged" else form) for k, v in data.items()}
        if form == "nudged":
            for k in draw(st.lists(st.sampled_from(sorted(model.indicators)), max_size=3)):
                row[k] = _nudged(row[k], model.indicators[k].kind, draw)
        for numerator, denominator, thresholds in ratios:
            if draw(st.booleans()):
                t = draw(st.sampled_from(thresholds))
                k = draw(st.integers(1, 7))
                row[numerator], row[denominator] = t.numerator * k, t.denominator * k
        out[name] = row
    return out


def _close(fast: Any, exact: Fraction, scale: Fraction) -> bool:
    return abs(Fraction(fast) - exact) <= TOLERANCE * max(scale, Fraction(1))


def assert_same(evaluation: Evaluation, fast: Score, exact: Score) -> None:
    """`exact` equals the evaluation; `fast` takes every decision the evaluation took."""
    assert (fast.entity, fast.block) == (exact.entity, exact.block) == (
        evaluation.entity, evaluation.block)
    for node in evaluation.nodes:
        assert (exact.points(node.id), exact.max(node.id)) == (node.points, node.max), node.id
        assert fast.applicable(node.id) == node.applicable, node.id
        if node.points is None or node.max is None:
            assert fast.points(node.id) is None and fast.max(node.id) is None, node.id
            continue
        if node.max.denominator == 1:  # whole maxima add up exactly; others within TOLERANCE
            assert fast.max(node.id) == float(node.max), node.id
        assert _close(fast.max(node.id), node.max, node.max), node.id
        points = fast.points(node.id)
        assert isinstance(points, int | float), node.id
        assert _close(points, node.points, node.max), (node.id, points, node.points)
        if node.rule in ("bands", "table", "yes/no") or node.points in (0, node.max):
            assert points == float(node.points), (node.id, points, node.points)  # decisions
    for index in evaluation.indices:
        got, want = fast.index(index.id), exact.index(index.id)
        assert (want.value, want.rounded, want.grade, want.grade_en) == (
            index.value, index.rounded, index.grade, index.grade_en), index.id
        assert (got.grade, got.grade_en) == (index.grade, index.grade_en), index.id
        assert (got.value is None) == (index.value is None), index.id
        if index.value is not None:
            assert _close(got.value, index.value, Fraction(1)), (index.id, got, index.value)
        assert got.rounded == (None if index.rounded is None else float(index.rounded)), index.id


def _scores(methodology: egov_rules.Methodology, entities: Any, exact: bool) -> list[Score]:
    return list(methodology.score_many(entities, exact=exact))


def _raised(call: Any) -> list[str] | None:
    try:
        call()
    except egov_rules.EgovRulesError as error:
        return [str(d) for d in error.diagnostics]
    return None


@pytest.mark.parametrize("name", sorted(METHODOLOGIES))
@settings(max_examples=16)
@given(data=st.data())
def test_score_many_matches_evaluate_many(name: str, data: st.DataObject) -> None:
    methodology = METHODOLOGIES[name]
    entities = data.draw(batches(methodology))
    errors = _raised(partial(methodology.evaluate_many, entities))
    if errors is not None:  # the same diagnostics: all of them, or when streaming the first
        for exact in (False, True):  # invalid entity's (a prefix: they come in entity order)
            found = _raised(partial(_scores, methodology, entities, exact))
            assert found is not None
            assert found == errors if methodology.scorer.has_cohort else found == errors[
                :len(found)]
        return
    ranking = methodology.evaluate_many(entities)
    fast = list(methodology.score_many(entities))
    exact = list(methodology.score_many(entities, exact=True))
    assert len(fast) == len(exact) == len(ranking.evaluations)
    for evaluation, f, e in zip(ranking.evaluations, fast, exact, strict=True):
        assert_same(evaluation, f, e)


@pytest.mark.parametrize("name", sorted(METHODOLOGIES))
@settings(max_examples=8)
@given(data=st.data())
def test_score_matches_evaluate(name: str, data: st.DataObject) -> None:
    methodology = METHODOLOGIES[name]
    entities = data.draw(batches(methodology))
    references = default_references(methodology)
    for entity, values in entities.items():
        block = values["block"]
        errors = _raised(partial(methodology.evaluate, values, block, entity, references))
        if errors is not None:
            assert _raised(partial(methodology.score, values, block, entity, references)) == errors
            continue
        evaluation = methodology.evaluate(values, block, entity, references)
        assert_same(evaluation, methodology.score(values, block, entity, references),
                     methodology.score(values, block, entity, references, exact=True))


# -- targeted cases --------------------------------------------------------------------------

THRESHOLDS = """
methodology thresholds
  title  "Ngưỡng"
  year   2024
  source "Minh hoạ"

blocks
  ministry "Bộ"
  province "Tỉnh"

indicators
  online    percent  "Tỷ lệ hồ sơ trực tuyến"
  ratio_in  number   "Một tỷ lệ cho sẵn"
  done      count    "Số hồ sơ xong"
  total     count    "Số hồ sơ"  neutral
  units     count    "Số đơn vị"  neutral
  speed     number   "Băng thông"

let done_share = done / total  if total = 0: 0

category c "Ngưỡng"  max ministry 40, province 50
  criterion by_percent "Phần trăm"  max 10
    bands online
      at least 29%: 10
      otherwise: 0
  criterion by_number "Số"  max 10
    bands ratio_in
      at least 0.29: 10
      otherwise: 0
  criterion by_ratio "Tỷ lệ"  max 10
    bands done_share
      at least 29%: 10
      otherwise: 0
  criterion per_unit "Khi có đơn vị"  max 10  when units > 0
    proportional done_share
  criterion fastest "Nhanh nhất"  max 10  only province
    proportional speed relative to best in block

index idx = share of max c  round 2

grades idx
  at least 0.5: "Đạt"
  otherwise: "Chưa đạt"

example "A" block province
  online 29  ratio_in 0.29  done 29  total 100  units 1  speed 5
  reference fastest = 10
  expect by_percent = 10
  expect fastest = 5
"""


@pytest.fixture(scope="module")
def thresholds() -> egov_rules.Methodology:
    return egov_rules.compile(THRESHOLDS)


def _entity(**changes: Any) -> dict[str, Any]:
    return {"block": "province", "online": 29, "ratio_in": 0.29, "done": 29, "total": 100,
            "units": 1, "speed": 5, **changes}


def _both(m: egov_rules.Methodology, data: Mapping[str, Any], **kw: Any) -> tuple[Score, Evaluation]:
    references = kw.pop("references", {"fastest": 10})
    block = data["block"]
    return (m.score(data, block, references=references, **kw),
            m.evaluate(data, block, references=references))


@pytest.mark.parametrize("online", [29, 29.0, "29", "29%", Fraction(29)])
def test_a_share_at_its_threshold_meets_it(thresholds: egov_rules.Methodology, online: Any
                                           ) -> None:
    score, evaluation = _both(thresholds, _entity(online=online))
    assert score.points("by_percent") == evaluation.points("by_percent") == 10
    assert score.points("by_number") == score.points("by_ratio") == 10  # 0.29, 29/100


@pytest.mark.parametrize(("online", "ratio_in", "points"), [
    (math.nextafter(29.0, 0), math.nextafter(0.29, 0), 0),  # one ulp below: 28.999999999999996
    (math.nextafter(29.0, 99), math.nextafter(0.29, 1), 10),  # one ulp above
])
def test_one_ulp_either_side_of_a_threshold(thresholds: egov_rules.Methodology, online: float,
                                            ratio_in: float, points: int) -> None:
    score, evaluation = _both(thresholds, _entity(online=online, ratio_in=ratio_in))
    assert score.points("by_percent") == evaluation.points("by_percent") == points
    assert score.points("by_number") == evaluation.points("by_number") == points
    assert thresholds.scorer.fallbacks["uncertain"] == 0  # proven, not recomputed


def test_zero_denominator_and_when(thresholds: egov_rules.Methodology) -> None:
    score, evaluation = _both(thresholds, _entity(done=0, total=0, units=0))
    assert score.points("by_ratio") == evaluation.points("by_ratio") == 0  # if total = 0: 0
    assert not score.applicable("per_unit") and score.max("per_unit") is None
    assert score.max("c") == evaluation.node("c").max == 40  # per_unit left the maximum


def test_relative_to_best_in_block(thresholds: egov_rules.Methodology) -> None:
    entities = {"A": _entity(speed=5), "B": _entity(speed=8), "C": _entity(speed=2.5),
                "M": _entity(block="ministry", speed=100)}
    scores = {s.entity: s for s in thresholds.score_many(entities)}
    ranking = thresholds.evaluate_many(entities)
    for name in ("A", "B", "C"):  # the best of the provinces is 8; the ministry is apart
        assert Fraction(scores[name].points("fastest")) == ranking.evaluation(name).points(
            "fastest")
    assert scores["B"].points("fastest") == 10 and scores["M"].points("fastest") is None
    alone = thresholds.score(_entity(speed=5), "province", references={"fastest": 20})
    assert alone.points("fastest") == 2.5  # 5 / 20 × 10
    with pytest.raises(egov_rules.EgovRulesError) as missing:
        thresholds.score(_entity(), "province")
    assert [d.code.code for d in missing.value.diagnostics] == ["E208"]


def test_a_block_the_node_does_not_apply_to(thresholds: egov_rules.Methodology) -> None:
    score, evaluation = _both(thresholds, _entity(block="ministry"))
    assert score.points("fastest") is None and score.max("fastest") is None
    assert not evaluation.node("fastest").applicable
    assert score.index("idx").value == float(evaluation.index("idx").value or 0)


def test_a_rounding_tie_is_decided_exactly(thresholds: egov_rules.Methodology) -> None:
    # 10 (29%) + 0 (0.1 < 0.29) + 10 (82.5% ≥ 29%) + 8.25 (82.5% × 10) + 5 (5 / 10 × 10)
    # = 33.25 / 50 = 0.665 exactly: a half, which rounds up to 0.67.
    before = thresholds.scorer.fallbacks["uncertain"]
    score, evaluation = _both(thresholds, _entity(done=825, total=1000, ratio_in=0.1))
    assert evaluation.index("idx").value == Fraction(665, 1000)
    assert evaluation.index("idx").rounded == Fraction(67, 100)
    assert score.index("idx").rounded == 0.67 and score.index("idx").grade == "Đạt"
    assert thresholds.scorer.fallbacks["uncertain"] == before + 1  # the float could not tell


def test_exact_scores_are_fractions(thresholds: egov_rules.Methodology) -> None:
    score = thresholds.score(_entity(), "province", references={"fastest": 10}, exact=True)
    assert score.exact and score.points("by_percent") == Fraction(10)
    assert isinstance(score.points("fastest"), Fraction)
    assert score.index("idx").rounded == Fraction(76, 100)  # 10 + 10 + 10 + 2.9 + 5 = 37.9 / 50
    assert score.index("idx").grade == "Đạt"


def test_bad_data_is_reported_as_evaluate_reports_it(thresholds: egov_rules.Methodology
                                                     ) -> None:
    bad = _entity(online=140, done=-1, units="many")
    with pytest.raises(egov_rules.EgovRulesError) as by_evaluate:
        thresholds.evaluate(bad, "province", "X", references={"fastest": 10})
    with pytest.raises(egov_rules.EgovRulesError) as by_score:
        thresholds.score(bad, "province", "X", references={"fastest": 10})
    assert [str(d) for d in by_score.value.diagnostics] == [
        str(d) for d in by_evaluate.value.diagnostics]
    batch = {"X": bad, "Y": {**bad, "block": "county"}}
    with pytest.raises(egov_rules.EgovRulesError) as by_evaluate_many:
        thresholds.evaluate_many(batch)
    with pytest.raises(egov_rules.EgovRulesError) as by_many:  # a cohort: all errors at once
        list(thresholds.score_many(batch))
    assert [str(d) for d in by_many.value.diagnostics] == [
        str(d) for d in by_evaluate_many.value.diagnostics]
    assert len(by_many.value.diagnostics) == 7  # three values twice, and the unknown block


def test_scores_stream_without_a_cohort(quickstart: egov_rules.Methodology) -> None:
    pulled = 0

    def entities() -> Iterator[Any]:
        nonlocal pulled
        from egov_rules.inputs import from_mapping
        for k in range(3):
            pulled += 1
            yield from_mapping(f"E{k}", _quickstart_entity())

    streamed = quickstart.score_many(entities(), references={"bandwidth": 1})
    first = next(streamed)
    assert pulled == 1 and first.entity == "E0"
    assert [s.entity for s in streamed] == ["E1", "E2"]


@pytest.mark.parametrize(("changes", "path"), [
    ({"staff_with_pc": "950", "has_backup": "có"}, "unusual"),  # text, read as a file would
    ({"staff": 2**60, "staff_with_pc": 2**59}, "out of range"),  # beyond the bounded magnitudes
    ({"bandwidth_mbps": 1e-20}, "out of range"),  # a float below the fast path's FLOOR
])
def test_unusual_valid_data_takes_the_long_way_to_the_same_figures(
        quickstart: egov_rules.Methodology, changes: dict[str, Any], path: str) -> None:
    data = {**_quickstart_entity(), **changes}
    before = quickstart.scorer.fallbacks[path]
    score = quickstart.score(data, "province", references={"bandwidth": 1})
    exact = quickstart.score(data, "province", references={"bandwidth": 1}, exact=True)
    assert_same(quickstart.evaluate(data, "province", references={"bandwidth": 1}), score, exact)
    assert quickstart.scorer.fallbacks[path] == before + 1


def test_progress_counts_scored_entities(quickstart: egov_rules.Methodology) -> None:
    seen: list[int] = []
    entities = {f"E{k}": _quickstart_entity() for k in range(3)}
    scores = list(quickstart.score_many(entities, progress=seen.append))  # a cohort: buffered
    assert seen == [1, 2, 3] and len(scores) == 3


def _quickstart_entity() -> dict[str, Any]:
    return {"block": "province", "staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500,
            "units": 20, "units_on_wan": 18, "has_backup": True, "has_firewall": True,
            "has_monitoring": False, "incidents": 1, "online_share": 30, "portal_level": 3,
            "hosting": "own", "meetings": 0, "it_staff": 6, "trained_share": 50}


def test_the_generated_source_reads_no_user_text(quickstart: egov_rules.Methodology) -> None:
    source = quickstart.compiled_source("province")
    assert "def fast_" in source and "def exact_" in source
    assert "staff_with_pc" not in source  # indicators are read by position, not by name
    assert "'own'" not in source or "hosting" not in source  # option ids only as literals
    assert quickstart.scorer.compiled.blocks["province"].declined is None


def test_shipped_methodologies_have_a_fast_path() -> None:
    # Only a geometric or harmonic mean, a min-max, a z-score (alone or then min-max) or a
    # percentile may decline it (computed exactly: docs/language.md).
    for name, methodology in METHODOLOGIES.items():
        nonlinear = {f"a {i.method} (its float error is not tracked)"
                     for i in methodology.model.indices.values()
                     if i.method in ("geometric mean", "harmonic mean")}
        nonlinear |= {f"{kind} is scored by the exact variant"
                      for kind in ("min-max", "z-score", "percentile", "z-score … then min-max")}
        for block, code in methodology.scorer.compiled.blocks.items():
            assert code.declined is None or code.declined in nonlinear, (name, block, code.declined)


def test_examples_of_the_docs_score_alike() -> None:
    from egov_rules.inputs import load_data

    for path, data in (("vn-ict-2016.egr", "vn-ict-2016-data.csv"),
                       ("vn-dti-2022.egr", "vn-dti-2022-data.yaml")):
        methodology = METHODOLOGIES[path]
        entities = load_data(ROOT / "examples" / data, model=methodology.model)
        ranking = methodology.evaluate_many(entities)
        exact = list(methodology.score_many(entities, exact=True))
        fast = list(methodology.score_many(entities))
        for evaluation, f, e in zip(ranking.evaluations, fast, exact, strict=True):
            assert_same(evaluation, f, e)



NFD_NAME = unicodedata.normalize("NFD", "Bộ Tài chính")


@pytest.mark.parametrize("options", [{}, {"references": {"bandwidth": 1}}, {"exact": True}])
def test_score_many_reads_names_as_evaluate_many(quickstart: egov_rules.Methodology,
                                                 options: dict[str, Any]) -> None:
    # Names and blocks as a file's are read: NFC, without zero-width characters, trimmed.
    entities = {NFD_NAME: _quickstart_entity(),
                " Sở X\u200b": {**_quickstart_entity(), "block": " province\u200b"}}
    names = [e.entity for e in quickstart.evaluate_many(entities).evaluations]
    scores = list(quickstart.score_many(entities, **options))
    assert [s.entity for s in scores] == names == ["Bộ Tài chính", "Sở X"]
    assert [s.block for s in scores] == ["province", "province"]


@pytest.mark.parametrize("options", [{}, {"references": {"bandwidth": 1}}, {"exact": True}])
def test_score_many_reports_one_name_given_twice(quickstart: egov_rules.Methodology,
                                                 options: dict[str, Any]) -> None:
    entities = {"Bộ Tài chính": _quickstart_entity(), NFD_NAME: _quickstart_entity(),
                "Y": _quickstart_entity(), "Y\u200b": _quickstart_entity()}
    with pytest.raises(egov_rules.EgovRulesError) as by_evaluate:
        quickstart.evaluate_many(entities)
    with pytest.raises(egov_rules.EgovRulesError) as by_score:
        list(quickstart.score_many(entities, **options))
    assert [str(d) for d in by_score.value.diagnostics] == [
        str(d) for d in by_evaluate.value.diagnostics]
    assert [d.code.code for d in by_score.value.diagnostics] == ["E102", "E102"]


def test_score_reads_the_entity_and_block_as_evaluate(quickstart: egov_rules.Methodology
                                                      ) -> None:
    data, refs = _quickstart_entity(), {"bandwidth": 1}
    score = quickstart.score(data, " province", NFD_NAME + "\u200b", references=refs)
    evaluation = quickstart.evaluate(data, " province", NFD_NAME + "\u200b", references=refs)
    assert (score.entity, score.block) == (evaluation.entity, evaluation.block) == (
        "Bộ Tài chính", "province")


@pytest.mark.parametrize("options", [{}, {"references": {"bandwidth": 1}}, {"exact": True}])
def test_a_block_by_its_label_or_in_capitals_is_the_block(quickstart: egov_rules.Methodology,
                                                          options: dict[str, Any]) -> None:
    # `score` raised AssertionError ("unreachable") on what `evaluate` reads as the block.
    label = quickstart.model.blocks["province"].label
    entities = {"A": {**_quickstart_entity(), "block": "PROVINCE"},
                "B": {**_quickstart_entity(), "block": label.upper()}}
    assert [e.block for e in quickstart.evaluate_many(entities).evaluations] == ["province"] * 2
    assert [s.block for s in quickstart.score_many(entities, **options)] == ["province"] * 2
    refs = {"bandwidth": 1}
    assert quickstart.score(_quickstart_entity(), label, "C", references=refs).block == "province"
