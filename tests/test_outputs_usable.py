"""Results people can use (issue 12): CSV numbers as decimals at the declared rounding (exact
fractions with `--exact`), a format that agrees with `--output`, workbooks, ordered JSON
rankings, a text table that fits 100 columns, and an HTML report to print (docs/cli.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from egov_rules.cli import _rank_tables, _score_table, build_parser, main, score_data
from egov_rules.report.tables import render_tables

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
QUICKSTART_DATA = str(ROOT / "examples" / "quickstart-data.csv")
ICT = str(ROOT / "methodologies" / "vn-ict-2016.egr")
ICT_DATA = str(ROOT / "examples" / "vn-ict-2016-data.csv")

# Thirds: values without a terminating decimal. i1 declares no rounding, i2 `round 2`.
THIRDS = '''methodology thirds
  title "T"
  year 2024
  source "S"

blocks
  a "A"

indicators
  x  count  "X"

category first "First"  max 3
  criterion cx "CX"  max 3
    1 per x up to 3

index i1 "I1" = share of max first
index i2 "I2" = share of max first  round 2

rank i1, i2 within block ties share a rank
'''


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def thirds(tmp_path: Path) -> tuple[str, str]:
    rules, data = tmp_path / "thirds.egr", tmp_path / "thirds.csv"
    rules.write_text(THIRDS, encoding="utf-8")
    data.write_text("entity,block,x\n=One,a,1\nTwo,a,2\n", encoding="utf-8")
    return str(rules), str(data)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("streamed", [True, False])
def test_csv_numbers_are_decimals_at_the_declared_rounding(
        capsys: pytest.CaptureFixture[str], thirds: tuple[str, str], streamed: bool) -> None:
    # `--lang en` and a sheet-less CSV stream; `--entity` forces the whole-file path.
    more = [] if streamed else ["--entity", "=One"]
    code, out, err = run(capsys, "score", *thirds, "--format", "csv", "--lang", "en", *more)
    assert code == 0, err
    one = next(r for r in rows_of(out) if r["entity"] == "'=One")
    # 1 of 3 points: 1 and 3 are exact; i1 = 1/3 has no exact decimal: 6 places; i2 its 2.
    assert (one["first"], one["first_max"], one["i1"], one["i2"]) == ("1", "3", "0.333333", "0.33")
    code, out, err = run(capsys, "score", *thirds, "--format", "csv", "--exact", *more)
    one = next(r for r in rows_of(out) if r["entity"] == "'=One")
    assert (one["i1"], one["i2"]) == ("1/3", "0.33")


@pytest.mark.parametrize("command", ["score", "rank"])
def test_exact_streamed_output_is_the_whole_file_output(
        capsys: pytest.CaptureFixture[str], thirds: tuple[str, str], command: str) -> None:
    for rules, data in (thirds, (ICT, ICT_DATA)):
        args = build_parser().parse_args([command, rules, data, "--format", "csv", "--exact"])
        ranking = score_data(args)
        made = ([_score_table(ranking, ranking.evaluations, args.lang, machine=True)]
                if command == "score" else _rank_tables(ranking, args, machine=True))
        code, out, err = run(capsys, command, rules, data, "--format", "csv", "--exact")
        assert code == 0, err
        assert out == render_tables(made, "csv", None, exact=True)
        assert "/" in out or rules == ICT  # the thirds stay fractions


def test_rank_csv_values_have_the_declared_decimals(capsys: pytest.CaptureFixture[str],
                                                     thirds: tuple[str, str]) -> None:
    code, out, err = run(capsys, "rank", *thirds, "--format", "csv")
    assert code == 0, err
    values = {(r["index"], r["entity"]): r["value"] for r in rows_of(out)}
    assert values == {("i1", "Two"): "0.666667", ("i1", "'=One"): "0.333333",
                      ("i2", "Two"): "0.67", ("i2", "'=One"): "0.33"}


# -- the format and --output's extension -------------------------------------------------------


@pytest.mark.parametrize(("command", "name", "starts"), [
    ("score", "r.csv", "entity,block,"), ("rank", "r.json", "{"), ("rank", "r.MD", "## "),
    ("score", "r.html", "<!DOCTYPE html>"), ("doc", "annex.html", "<!DOCTYPE html>"),
    ("rank", "r.txt", "infrastructure_index — "), ("rank", "r.out", "infrastructure_index — ")])
def test_a_format_not_given_is_the_one_the_extension_names(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, name: str,
        starts: str) -> None:
    target = tmp_path / name
    inputs = [QUICKSTART] if command == "doc" else [QUICKSTART, QUICKSTART_DATA]
    code, out, err = run(capsys, command, *inputs, "--lang", "en", "--output", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").lstrip().startswith(starts)
    assert out == ""


@pytest.mark.parametrize(("given", "name"), [("csv", "r.xlsx"), ("json", "r.md"),
                                             ("text", "r.csv"), ("markdown", "r.html")])
def test_a_format_the_extension_contradicts_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, given: str, name: str) -> None:
    target = tmp_path / name
    code, out, err = run(capsys, "score", QUICKSTART, QUICKSTART_DATA, "--lang", "en",
                         "--format", given, "--output", str(target))
    assert code == 2 and out == ""
    assert f"--format {given} does not match --output {target}" in err
    assert not target.exists()


def test_txt_holds_any_text_format_and_json_flag_counts_as_given(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    code, _, err = run(capsys, "score", QUICKSTART, QUICKSTART_DATA, "--format", "csv",
                       "--output", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("entity,block,")
    code, _, err = run(capsys, "score", QUICKSTART, QUICKSTART_DATA, "--json", "--lang", "en",
                       "--output", str(tmp_path / "r.csv"))
    assert code == 2 and "--format json does not match" in err


def test_an_extension_the_command_cannot_write_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "annex.csv"
    code, _, err = run(capsys, "doc", QUICKSTART, "--lang", "en", "--output", str(target))
    assert code == 2 and "doc cannot write csv; formats: markdown, html" in err
    assert not target.exists()
