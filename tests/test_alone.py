"""Issue 12: an entity scored alone. `--reference NODE=VALUE` and `--cohort FILE` give the
block's best figures; without them, a `relative to best in block` node scored for the only
entity of its block is a warning (W529) that says what was assumed (docs/cli.md, "Scoring
one entity alone")."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import load_data
from egov_rules.stream import scores_of_file
from tests.conftest import ROOT

ICT = str(ROOT / "methodologies" / "vn-ict-2016.egr")
ICT_DATA = ROOT / "examples" / "vn-ict-2016-data.csv"
PROVINCE = "Tỉnh E (minh hoạ)"  # 1000 Mbps for 2000 staff; Tỉnh D is the best, 1


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main([*argv, "--lang", "en"], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def split(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """The example data as two files: the entity `name` alone, and every other entity."""
    with open(ICT_DATA, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    paths = tmp_path / "one.csv", tmp_path / "others.csv"
    for path, keep in zip(paths, (True, False), strict=True):
        with open(path, "w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows([rows[0], *(r for r in rows[1:] if (r[0] == name) == keep)])
    return paths


def json_scores(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, _ = run(capsys, "score", ICT, *argv, "--format", "json")
    assert code == 0
    return {e["entity"]: (e["nodes"], e["indices"]) for e in json.loads(out)["evaluations"]}


def test_cohort_gives_the_scores_of_scoring_all_together(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, others = split(tmp_path, PROVINCE)
    together = json_scores(capsys, str(ICT_DATA))[PROVINCE]
    alone = json_scores(capsys, str(one))[PROVINCE]
    with_cohort = json_scores(capsys, str(one), "--cohort", str(others))
    assert list(with_cohort) == [PROVINCE]  # the cohort's entities are not scored
    # the same figures; only the words of where the best came from differ: Tỉnh D gives
    # it from the cohort file, the cohort file's entities counted with the scored one
    nodes, indices = with_cohort[PROVINCE]  # type: ignore[misc]
    nodes_together, indices_together = together  # type: ignore[misc]
    assert indices == indices_together
    said = ({n["id"]: n.pop("branch") for n in nodes},
            {n["id"]: n.pop("branch") for n in nodes_together})
    assert nodes == nodes_together
    assert {k for k in said[0] if said[0][k] != said[1][k]} == {"bandwidth"}
    assert "best 1 = Tỉnh D (minh hoạ) (cohort file) (of the block's" in said[0]["bandwidth"]["en"]
    assert "from the cohort file)" in said[0]["bandwidth"]["en"]
    assert "best 1 = Tỉnh D (minh hoạ) (of the block's" in said[1]["bandwidth"]["en"]
    assert alone != together  # alone, it was its own best: the test can fail


def test_alone_is_a_warning_that_says_what_was_assumed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, others = split(tmp_path, PROVINCE)
    code, _, err = run(capsys, "score", ICT, str(one))
    assert code == 0 and "warning[W529]" in err
    assert (f"{PROVINCE}: `bandwidth` compares with the best of block `province`, but no other "
            "entity of the block was given: its own value, 0.5, was taken as the best "
            "(full points)") in err
    assert "--reference bandwidth=… or --cohort FILE" in err
    for given in (("--cohort", str(others)), ("--reference", "bandwidth=2")):
        code, _, err = run(capsys, "score", ICT, str(one), *given)
        assert code == 0 and "W529" not in err


def test_alone_streamed_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, others = split(tmp_path, PROVINCE)
    code, _, err = run(capsys, "rank", ICT, str(one), "--format", "csv")
    assert code == 0 and "warning[W529]" in err and PROVINCE in err
    code, _, err = run(capsys, "rank", ICT, str(one), "--format", "csv", "--cohort", str(others))
    assert code == 0 and "W529" not in err


def test_reference_replaces_the_data_best(capsys: pytest.CaptureFixture[str]) -> None:
    scores = json_scores(capsys, str(ICT_DATA), "--reference", "bandwidth=2")
    nodes, _ = scores["Tỉnh D (minh hoạ)"]
    [bandwidth] = [n for n in nodes if n["id"] == "bandwidth"]  # 3000 Mbps / 3000 staff = 1
    assert Fraction(bandwidth["points"]) == Fraction(40, 2)
    assert Fraction(bandwidth["max"]) == 40


def test_reference_read_as_the_data_numbers_are(capsys: pytest.CaptureFixture[str]) -> None:
    comma = json_scores(capsys, str(ICT_DATA), "--reference", "bandwidth=1,25", "--locale", "vi")
    point = json_scores(capsys, str(ICT_DATA), "--reference", "bandwidth=1.25")
    assert comma == point


@pytest.mark.parametrize(("given", "said"), [
    ("bandwith=2", "no such figure (did you mean `bandwidth`?)"),
    ("wan=2", "`wan` is not a figure of the block a node is scored against; these are: bandwidth"),
    ("bandwidth=1,5", "`1,5` uses a comma as the decimal mark"),
    ("bandwidth=lots", "`lots` is not a number"),
    ("bandwidth", "write NODE=VALUE"),
])
def test_bad_reference_is_a_usage_error(capsys: pytest.CaptureFixture[str], given: str,
                                        said: str) -> None:
    code, out, err = run(capsys, "score", ICT, str(ICT_DATA), "--reference", given)
    assert (code, out) == (2, "") and said in err


def test_bad_cohort_is_located_in_its_file(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    one, others = split(tmp_path, PROVINCE)
    others.write_text(others.read_text("utf-8").replace(",province,", ",provinc,", 1), "utf-8")
    code, out, err = run(capsys, "score", ICT, str(one), "--cohort", str(others))
    assert (code, out) == (1, "") and f"{others}:" in err and "error[" in err


def test_evaluate_many_references_and_the_stream_agree(tmp_path: Path) -> None:
    """The whole-file and streamed paths give the same scores with references, with a cohort,
    and with both."""
    m = egov_rules.load(ICT)
    one, others = split(tmp_path, PROVINCE)
    cohort = load_data(others, model=m.model)
    for data in (ICT_DATA, one):
        for refs, with_cohort in (({"bandwidth": "0.5"}, []), ({}, cohort),
                                  ({"bandwidth": "3"}, cohort)):
            ranking = m.evaluate_many(load_data(data, model=m.model), references=refs,
                                      cohort=with_cohort)
            reporter = Reporter()
            streamed = list(scores_of_file(m, data, reporter, None,
                                           {k: Fraction(v) for k, v in refs.items()}, with_cohort))
            assert not reporter.has_errors
            assert [(s.entity, {n.id: s.points(n.id) for n in e.nodes})
                    for s, e in zip(streamed, ranking.evaluations, strict=True)] == [
                (e.entity, {n.id: n.points for n in e.nodes}) for e in ranking.evaluations]


def test_evaluate_many_names_the_lone_entity_to_a_reporter() -> None:
    m = egov_rules.load(ICT)
    data = load_data(ICT_DATA, model=m.model)
    reporter = Reporter()
    m.evaluate_many(data, reporter=reporter)
    assert [(d.code.code, d.args["entity"], d.args["node"]) for d in reporter.diagnostics] == [
        ("W529", "Cơ quan C (minh hoạ)", "bandwidth")]
    reporter = Reporter()
    m.evaluate_many(data, reporter=reporter, references={"bandwidth": 1})
    assert reporter.diagnostics == []


# -- --columns MAP.yaml: any other heading mapped to an indicator -----------------------------


def free_text_headings(tmp_path: Path) -> tuple[Path, Path]:
    """The example data with every indicator heading rewritten as free text, and the map."""
    with open(ICT_DATA, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    mapping = {f"Cột số {k} ({name})": name for k, name in enumerate(rows[0][2:], 1)}
    data, columns = tmp_path / "free.csv", tmp_path / "columns.yaml"
    with open(data, "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([["Đơn vị", "Khối", *mapping], *rows[1:]])
    columns.write_text("".join(f'"{heading}": {name}\n' for heading, name in mapping.items())
                       + '"Đơn vị": entity\n"Khối": block\n', "utf-8")
    return data, columns


def test_columns_map_free_text_headings(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data, columns = free_text_headings(tmp_path)
    assert run(capsys, "score", ICT, str(data))[0] == 1  # the headings name nothing
    mapped = json_scores(capsys, str(data), "--columns", str(columns))
    assert mapped == json_scores(capsys, str(ICT_DATA))
    code, out, _ = run(capsys, "rank", ICT, str(data), "--columns", str(columns), "--format", "csv")
    assert code == 0 and out == run(capsys, "rank", ICT, str(ICT_DATA), "--format", "csv")[1]


@pytest.mark.parametrize(("text", "said"), [
    ('"Băng thông": bandwith_mbps\n', "`bandwith_mbps` is not an indicator of the methodology"),
    ('"Băng thông": [bandwidth_mbps]\n', "a heading and an indicator id are texts"),
    ("- bandwidth_mbps\n", "expected a mapping of column headings to indicator ids"),
    ('"A": staff\n"a": pcs\n', "the heading `a` is mapped twice"),
    ('"A": !!binary aGk=\n', "the YAML tag `!!binary` is not read"),
])
def test_bad_columns_map_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    text: str, said: str) -> None:
    columns = tmp_path / "columns.yaml"
    columns.write_text(text, "utf-8")
    code, out, err = run(capsys, "score", ICT, str(ICT_DATA), "--columns", str(columns))
    assert (code, out) == (1, "") and f"{columns}:" in err and said in err
    if "bandwith" in text:
        assert "did you mean `bandwidth_mbps`?" in err
