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


# -- workbooks ---------------------------------------------------------------------------------


def sheets_of(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def csv_value(text: str) -> object:
    """A CSV cell as the workbook holds it: a number, or the text without its formula guard."""
    try:
        number = float(text)
    except ValueError:
        return (text[1:] if text.startswith("'") else text) or None
    return int(number) if text.lstrip("-").isdigit() else number


def test_score_workbook_holds_the_csv_values_a_sheet_per_block(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "ket-qua.xlsx"  # --format inferred from the extension
    code, out, err = run(capsys, "score", ICT, ICT_DATA, "--lang", "en", "--output", str(target))
    assert code == 0 and out == "", err
    _, table, _ = run(capsys, "score", ICT, ICT_DATA, "--lang", "en", "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(table)))
    sheets = sheets_of(target)
    blocks = ["Ministries and ministerial-level agencies", "Government agencies",
              "Provinces and centrally-run cities"]
    assert list(sheets) == [b[:31] for b in blocks] + ["Explanations"]
    seen = 0
    for name, block in zip(sheets, ("ministry", "agency", "province"), strict=False):
        labels, keys, *values = sheets[name]
        assert labels[:4] == ["Entity", "IT infrastructure", "Max", "IT use inside the agency"]
        assert labels[13:16] == ["IT infrastructure index", "Grade", "Rank"]
        assert keys == [h for h in header if h != "block"]
        expected = [[csv_value(c) for k, c in enumerate(r) if k != 1] for r in rows
                    if r[1] == block]
        assert values == expected and values
        seen += len(values)
    assert seen == len(rows)
    sheet = load_workbook(target).worksheets[0]
    assert sheet.freeze_panes == "B3"
    index = sheet.cell(row=3, column=14)  # infrastructure_index: `round 3`
    assert (index.data_type, index.number_format) == ("n", "0.000")
    assert sheet.cell(row=3, column=2).number_format == "General"  # points: as they are
    explained = sheets["Explanations"]
    assert explained[1][:7] == ["entity", "node", "parent", "label", "applicable", "points", "max"]
    assert {r[0] for r in explained[2:]} == {r[0] for r in rows}
    assert [r[1] for r in explained[2:5]] == ["infrastructure", "computers", "antivirus"]


def test_workbook_text_is_never_a_formula(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          thirds: tuple[str, str]) -> None:
    from openpyxl import load_workbook

    for command in ("score", "rank"):
        target = tmp_path / f"{command}.xlsx"
        code, _, err = run(capsys, command, *thirds, "--format", "xlsx", "--output", str(target))
        assert code == 0, err
        cells = [c for s in load_workbook(target).worksheets for row in s.iter_rows() for c in row
                 if c.value == "=One"]
        assert cells and all(c.data_type == "s" for c in cells)
    number = load_workbook(tmp_path / "rank.xlsx").worksheets[0]["D3"]
    assert (number.value, number.number_format) == (0.666667, "General")  # i1: no `round`


def test_rank_and_explain_workbooks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "rank.xlsx"
    code, _, err = run(capsys, "rank", QUICKSTART, QUICKSTART_DATA, "--lang", "en", "--by",
                       "overall", "--output", str(target))
    assert code == 0, err
    _, table, _ = run(capsys, "rank", QUICKSTART, QUICKSTART_DATA, "--lang", "en", "--by",
                      "overall", "--format", "csv")
    rows = list(csv.reader(io.StringIO(table)))[1:]
    sheets = sheets_of(target)
    assert list(sheets) == ["Ministries", "Provinces"]
    assert sheets["Provinces"][:2] == [["Index", "Rank", "Entity", "Value", "Grade"],
                                       ["index", "rank", "entity", "value", "grade"]]
    assert sheets["Provinces"][2:] == [[csv_value(c) for k, c in enumerate(r) if k != 1]
                                       for r in rows if r[1] == "province"]
    target = tmp_path / "d.xlsx"
    code, _, err = run(capsys, "explain", QUICKSTART, QUICKSTART_DATA, "--entity",
                       "Tỉnh D (minh hoạ)", "--lang", "en", "--output", str(target))
    assert code == 0, err
    sheets = sheets_of(target)
    assert list(sheets) == ["Explanations", "Largest available gains",
                            "Tỉnh D (minh hoạ) — Next rank"]
    assert sheets["Largest available gains"][0] == ["Category", "Criterion", "Gain (points)", "How"]


@pytest.mark.parametrize("more", [["--format", "xlsx"], ["--format", "xlsx", "--output", "r.csv"]])
def test_a_workbook_needs_an_xlsx_file(capsys: pytest.CaptureFixture[str], more: list[str]
                                       ) -> None:
    code, out, err = run(capsys, "score", QUICKSTART, QUICKSTART_DATA, "--lang", "en", *more)
    assert code == 2 and out == ""
    assert "--output PATH.xlsx" in err or "--format xlsx does not match --output r.csv" in err


def test_rank_json_is_ordered_by_block_index_and_rank(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, err = run(capsys, "rank", QUICKSTART, QUICKSTART_DATA, "--format", "json")
    assert code == 0, err
    ranks = json.loads(out)["ranks"]
    order = [(r["block"], r["index"], r["rank"]) for r in ranks]
    # Blocks as the data first names them, indices as `rank` declares them.
    indices = ["infrastructure_index", "services_index", "people_index", "overall"]
    assert order == sorted(order, key=lambda o: (o[0] != "ministry", indices.index(o[1]), o[2]))
    assert order[:4] == [("ministry", "infrastructure_index", 1), ("ministry", "infrastructure_index", 2),
                         ("ministry", "infrastructure_index", 3), ("ministry", "services_index", 1)]
    assert len(ranks) == 5 * 4 and ranks[0]["entity"] == "Bộ B (minh hoạ)"
    code, out, _ = run(capsys, "rank", QUICKSTART, QUICKSTART_DATA, "--format", "json",
                       "--block", "province", "--by", "overall")
    assert [(r["entity"], r["rank"]) for r in json.loads(out)["ranks"]] == [
        ("Tỉnh D (minh hoạ)", 1), ("Tỉnh E (minh hoạ)", 2)]


# -- score as text: 100 columns ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_score_text_fits_100_columns_a_block_at_a_time(capsys: pytest.CaptureFixture[str],
                                                       lang: str) -> None:
    code, out, err = run(capsys, "score", ICT, ICT_DATA, "--lang", lang)  # a pipe: plain ASCII
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    titles = [line for line in lines if " — " in line and not line.startswith(("|", "+"))]
    # Three blocks, each its categories then its indices (six at about 20 columns: two tables).
    blocks = ("Bộ, cơ quan ngang Bộ", "Cơ quan thuộc Chính phủ") if lang == "vi" else (
        "Ministries and ministerial-level agencies", "Government agencies")
    assert len(titles) == 9 and titles[0].startswith(blocks[0]) and titles[3].startswith(blocks[1])
    assert titles[1].endswith("(1/2)") and titles[2].endswith("(2/2)")
    header = next(line for line in lines if line.startswith("| ") and "C1" in line)
    assert [c.strip() for c in header.strip("|").split("|")][1:] == [f"C{k}" for k in range(1, 7)]
    assert "I1 infrastructure_index: " in out and "C6 people: " in out
    row = next(line for line in lines if line.startswith("| Bộ A") and "#1" in line)
    assert "0.853 Good #1" in row or "0,853 Tốt #1" in row
