"""Audit records read back: one evaluation per entity, one rank row per (entity, index), one
result per node and index id, one schema; anything else refused with its place
(`record.json#/evaluations/5/entity`), never read as the first or the last of two."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import egov_rules
from egov_rules import results
from egov_rules.diagnostics import EgovRulesError
from egov_rules.inputs import file_sha256, load_data
from egov_rules.render import render_text
from egov_rules.results import Ranking
from tests.conftest import ROOT

DATA = str(ROOT / "examples" / "quickstart-data.csv")
BO_A = "Bộ A (minh hoạ)"


@pytest.fixture(scope="module")
def record(quickstart: egov_rules.Methodology) -> dict[str, Any]:
    """A record as `egov-rules score --format json` writes it, as plain JSON."""
    ranking = quickstart.evaluate_many(load_data(DATA, model=quickstart.model))
    made = ranking.model_copy(update={"library_version": egov_rules.__version__,
                                      "inputs_path": DATA, "inputs_hash": file_sha256(DATA)})
    return dict(json.loads(made.model_dump_json()))


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "record.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _refused(path: Path) -> list[str]:
    """The first line of each diagnostic `Ranking.read_record` raises, in English."""
    with pytest.raises(EgovRulesError) as raised:
        Ranking.read_record(path)
    return [render_text(d).split("\n")[0] for d in raised.value.diagnostics]


def _forged_evaluation(record: dict[str, Any], entity: str = BO_A) -> dict[str, Any]:
    """Bộ A's evaluation claiming 30 points for `computers` (really 28.5)."""
    forged = copy.deepcopy(next(e for e in record["evaluations"] if e["entity"] == entity))
    next(n for n in forged["nodes"] if n["id"] == "computers")["points"] = "30"
    return forged


def test_the_honest_record_reads_back_as_it_was_written(tmp_path: Path,
                                                        record: dict[str, Any]) -> None:
    ranking = Ranking.read_record(_write(tmp_path, record))
    assert ranking.model_dump(mode="json") == record
    assert ranking.evaluation(BO_A).points("computers") == 28.5


@pytest.mark.parametrize("place", ["before", "after"])
def test_a_second_evaluation_of_an_entity_is_refused(tmp_path: Path, record: dict[str, Any],
                                                     place: str) -> None:
    forged, evaluations = _forged_evaluation(record), record["evaluations"]
    record = {**record, "evaluations": [forged, *evaluations] if place == "before"
              else [*evaluations, forged]}
    path = _write(tmp_path, record)
    second, first = (1, 0) if place == "before" else (len(evaluations), 0)
    assert _refused(path) == [f"{path}#/evaluations/{second}/entity: error[E702]: a second "
                              f"evaluation of `{BO_A}`: a record holds exactly one"]
    with pytest.raises(EgovRulesError) as raised:
        Ranking.read_record(path)
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.hint is not None
    assert diagnostic.hint("en") == f"the first is at {path}#/evaluations/{first}/entity"
    assert diagnostic.message("vi") == (f"đánh giá của `{BO_A}` xuất hiện lần thứ hai: "
                                        "bản ghi chỉ được có đúng một")
    # The model refuses it too: no reader of the file can be shown the forgery.
    with pytest.raises(ValidationError, match=f"/evaluations/{second}/entity repeats"):
        Ranking.model_validate(record)


def test_a_second_rank_row_is_refused(tmp_path: Path, record: dict[str, Any]) -> None:
    row = next(r for r in record["ranks"] if r["entity"] == "Bộ C (minh hoạ)" and r["index"] == "overall")
    path = _write(tmp_path, {**record, "ranks": [{**row, "rank": 1}, *record["ranks"]]})
    first = 1 + record["ranks"].index(row)
    assert _refused(path) == [f"{path}#/ranks/{first}: error[E702]: a second rank row of "
                              "`Bộ C (minh hoạ)` for `overall`: a record holds exactly one"]


def test_a_second_result_of_a_node_or_index_is_refused(tmp_path: Path,
                                                       record: dict[str, Any]) -> None:
    record = copy.deepcopy(record)
    evaluation = record["evaluations"][0]
    forged_node = {**evaluation["nodes"][1], "points": "30"}           # computers
    evaluation["nodes"].insert(0, forged_node)
    evaluation["indices"].append({**evaluation["indices"][0], "value": "1"})
    path = _write(tmp_path, record)
    last = len(evaluation["indices"]) - 1
    assert _refused(path) == [
        f"{path}#/evaluations/0/indices/{last}/id: error[E702]: a second result of index "
        f"`infrastructure_index` of `{BO_A}`: a record holds exactly one",
        f"{path}#/evaluations/0/nodes/2/id: error[E702]: a second result of node `computers` "
        f"of `{BO_A}`: a record holds exactly one",
    ]


def test_names_in_messages_cannot_write_lines(tmp_path: Path, record: dict[str, Any]) -> None:
    record = copy.deepcopy(record)
    name = "Bộ Z\nrecord verified\x1b[2J\u202e"
    for evaluation in record["evaluations"][:2]:
        evaluation["entity"] = name
    (line,) = _refused(_write(tmp_path, record))
    assert line.endswith("a second evaluation of `Bộ Z\\nrecord verified\\x1b[2J\\u202e`: "
                         "a record holds exactly one")


def test_keys_and_values_in_messages_cannot_write_lines(tmp_path: Path,
                                                       record: dict[str, Any]) -> None:
    ranks = [{**record["ranks"][0], "note\nE000 all clear\x1b[2J": 1}, *record["ranks"][1:]]
    path = _write(tmp_path, {**record, "ranks": ranks})
    assert _refused(path) == [f"{path}#/ranks/0/note\\nE000 all clear\\x1b[2J: error[E701]: "
                              "not what a record holds: Extra inputs are not permitted"]
    path = _write(tmp_path, {**record, "schema_version": ["v2\n"] * 50})
    (line,) = _refused(path)
    assert line.endswith('is not egov_rules.evaluation.v1, the one this egov_rules reads')
    assert '["v2\\n", ' in line and len(line) < len(str(path)) + 200


def test_problems_of_the_file_are_located(tmp_path: Path, record: dict[str, Any]) -> None:
    path = _write(tmp_path, '{"schema_version": "egov_rules.evaluation.v1",\n "ranks": [1,]}')
    assert _refused(path) == [f"{path}:2:14: error[E701]: not valid JSON: Expecting value"]
    path = _write(tmp_path, [record])
    assert _refused(path) == [f"{path}: error[E701]: expected a JSON object, found list"]
    path.write_bytes(b'{"entity": "B\xf4"}')
    assert _refused(path) == [f"{path}: error[E008]: the file is not valid UTF-8 text"]
    text = json.dumps(record, ensure_ascii=False)
    path = _write(tmp_path, text.replace('"inputs_hash": ', '"inputs_hash": null, "inputs_hash": '))
    assert _refused(path) == [f"{path}#/inputs_hash: error[E701]: the key `inputs_hash` is given twice"]


def test_a_record_of_another_schema_is_refused(tmp_path: Path, record: dict[str, Any]) -> None:
    path = _write(tmp_path, {**record, "schema_version": "egov_rules.evaluation.v2"})
    assert _refused(path) == [
        f"{path}#/schema_version: error[E701]: schema_version \"egov_rules.evaluation.v2\" is not "
        "egov_rules.evaluation.v1, the one this egov_rules reads"]
    path = _write(tmp_path, {k: v for k, v in record.items() if k != "schema_version"})
    assert _refused(path) == [f"{path}: error[E701]: schema_version null is not "
                              "egov_rules.evaluation.v1, the one this egov_rules reads"]
    # An evaluation of another schema inside a v1 record: refused by the model.
    evaluations = [{**record["evaluations"][0], "schema_version": "v0"}, *record["evaluations"][1:]]
    path = _write(tmp_path, {**record, "evaluations": evaluations})
    assert _refused(path) == [
        f"{path}#/evaluations/0/schema_version: error[E701]: not what a record holds: Value "
        "error, schema `v0` is not `egov_rules.evaluation.v1`, the one this version of "
        "egov_rules reads"]


def test_fields_of_the_wrong_kind_are_located(tmp_path: Path, record: dict[str, Any]) -> None:
    record = copy.deepcopy(record)
    record["evaluations"][2]["nodes"][3]["points"] = "lots"
    record["ranks"][4]["rank"] = "first"
    record["evaluations"][1]["note"] = "extra"
    path = _write(tmp_path, record)
    assert _refused(path) == [
        f"{path}#/evaluations/1/note: error[E701]: not what a record holds: Extra inputs are "
        "not permitted",
        f"{path}#/evaluations/2/nodes/3/points: error[E701]: not what a record holds: Value "
        "error, Invalid literal for Fraction: 'lots'",
        f"{path}#/ranks/4/rank: error[E701]: not what a record holds: Input should be a valid "
        "integer, unable to parse string as an integer",
    ]


def test_many_problems_are_counted_not_listed(tmp_path: Path, record: dict[str, Any]) -> None:
    ranks = [{**row, "rank": "x", "value": "y"} for row in record["ranks"]]   # 2 × 20 problems
    lines = _refused(_write(tmp_path, {**record, "ranks": ranks}))
    assert len(lines) == 21
    assert lines[0] == f"{tmp_path / 'record.json'}: error[E701]: 20 more problems in the record, not listed"


def test_size_and_depth_are_bounded(tmp_path: Path, record: dict[str, Any],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, record)
    monkeypatch.setattr(results, "RECORD_MAX_BYTES", path.stat().st_size - 1)
    assert _refused(path) == [f"{path}: error[E701]: the record is larger than "
                              f"{path.stat().st_size - 1:,} bytes"]
    monkeypatch.undo()
    # 200 levels are read (and refused for what they hold); 201 are not.
    for depth, expected in ((200, "not what a record holds"), (201, "deeper than 200 levels")):
        nested = {**record, "ties": {"overall": json.loads("[" * (depth - 2) + "]" * (depth - 2))}}
        assert expected in _refused(_write(tmp_path, nested))[0]
    path = _write(tmp_path, "[" * 100_000 + "]" * 100_000)    # deeper than Python's own stack
    assert _refused(path) == [f"{path}: error[E701]: the record nests deeper than 200 levels"]


def test_evaluate_many_refuses_an_entity_given_twice(quickstart: egov_rules.Methodology) -> None:
    # The ranking it returns could not hold both: say so, as a data reader would.
    entities = load_data(DATA, model=quickstart.model)
    with pytest.raises(EgovRulesError) as raised:
        quickstart.evaluate_many([*entities, entities[2]])
    (diagnostic,) = raised.value.diagnostics
    assert render_text(diagnostic).split("\n")[0] == (
        f"{DATA}:4:1: error[E102]: `Bộ C (minh hoạ)` is declared twice")


def test_differences_compare_every_field_but_the_paths(record: dict[str, Any]) -> None:
    honest = Ranking.model_validate(record)
    changed = Ranking.model_validate({
        **record, "library_version": "0.0.9", "inputs_hash": None, "inputs_sheet": "2023",
        "methodology_path": "/etc/passwd", "inputs_path": "elsewhere.csv"})  # paths: not compared
    other_schema = honest.model_copy(update={"schema_version": "egov_rules.evaluation.v0"})
    found = [(d.entity, d.node, d.field, d.recorded, d.recomputed)
             for d in [*changed.differences(honest), *other_schema.differences(honest)]]
    assert found == [
        ("—", "record", "inputs_hash", "null", record["inputs_hash"]),
        ("—", "record", "inputs_sheet", "2023", "null"),
        ("—", "record", "library_version", "0.0.9", egov_rules.__version__),
        ("—", "record", "schema_version", "egov_rules.evaluation.v0", "egov_rules.evaluation.v1"),
    ]


def test_differences_compare_an_evaluation_s_methodology_field_by_field(
        record: dict[str, Any]) -> None:
    evaluations = copy.deepcopy(record["evaluations"])
    evaluations[0]["methodology"]["year"] = 2023
    forged = Ranking.model_validate({**record, "evaluations": evaluations})
    assert [(d.entity, d.node, d.field, d.recorded, d.recomputed)
            for d in forged.differences(Ranking.model_validate(record))] == [
        (BO_A, "methodology", "year", "2023", "2024")]
