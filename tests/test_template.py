"""`egov-rules template`: a workbook that a person fills in and `score` reads with no edit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

import egov_rules
from egov_rules.cli import main
from tests.conftest import ROOT

ICT = str(ROOT / "methodologies" / "vn-ict-2016.egr")
ICT_CSV = ROOT / "examples" / "vn-ict-2016-data.csv"
BLOCKS = ["ministry", "agency", "province"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _typed(text: str) -> object:
    """A cell as a person types it: numbers as numbers, yes/no as the drop-down offers them."""
    if text in ("yes", "no"):
        return "có" if text == "yes" else "không"
    try:
        return int(text)
    except ValueError:
        return float(text)


def _scores(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, list[str]]:
    code, out, err = run(capsys, "score", ICT, *argv, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(out.splitlines()))
    return {row[0]: row for row in rows[1:]}


def test_a_filled_template_scores_as_the_csv_it_was_filled_from(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mau.xlsx"
    assert run(capsys, "template", ICT, "--output", str(path)) == (0, "", "")
    with ICT_CSV.open(encoding="utf-8", newline="") as file:
        entities = list(csv.DictReader(file))
    book = load_workbook(path)
    assert book.sheetnames == [*BLOCKS, "Hướng dẫn"] and book.active.title == "ministry"
    for block in BLOCKS:
        sheet = book[block]
        header = [cell.value for cell in sheet[1]]
        assert header[:2] == ["đơn vị", "khối"]
        assert set(header[2:]) == egov_rules.load(ICT).model.reads[block] & set(entities[0])
        mine = [e for e in entities if e["block"] == block]
        for row, entity in enumerate(mine, start=2):
            assert sheet.cell(row=row, column=2).value == block  # filled in already
            sheet.cell(row=row, column=1, value=entity["entity"])
            for column, name in enumerate(header[2:], start=3):
                sheet.cell(row=row, column=column, value=_typed(entity[name]))
    book.save(path)
    expected = _scores(capsys, str(ICT_CSV))
    for block in BLOCKS:  # each sheet on its own: the rows left unfilled carry nothing
        got = _scores(capsys, str(path), "--sheet", block)
        assert got == {name: row for name, row in expected.items() if row[1] == block}


def test_the_template_says_what_each_column_holds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mau.xlsx"
    assert run(capsys, "template", ICT, "--block", "province", "--rows", "3", "--output",
               str(path), "--lang", "en")[0] == 0
    book = load_workbook(path)
    assert book.sheetnames == ["province", "Guide"]
    sheet = book["province"]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["entity", "block"]
    comments = {cell.value: cell.comment.text for cell in sheet[1]}
    assert comments["bandwidth_mbps"].startswith("Converted Internet bandwidth (Mbps)\n")
    assert "number, from 0 to 1000000 (Mbps)" in comments["bandwidth_mbps"]
    assert "percent" in comments["e_doc_share"] and "yes/no" in comments["has_data_centre"]
    assert "not used in this block" not in comments["has_one_stop"]  # a province's criterion
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == ["province"] * 3 + [None]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    column = header.index("has_data_centre") + 1
    letter = sheet.cell(row=1, column=column).column_letter
    assert lists[f"{letter}2:{letter}4"] == '"yes,no"'
    assert len(lists) == sum(1 for name in header[2:] if comments[name].count("yes/no"))
    guide = [[cell.value for cell in row] for row in book["Guide"].iter_rows(min_row=4)]
    assert guide[0][:3] == ["province", "staff", "Civil servants"]
    assert guide[0][6] == "Báo cáo ứng dụng CNTT theo Thông tư 06/2013/TT-BTTTT"


def test_a_sheet_asks_only_for_what_its_block_reads(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`has_one_stop` scores provinces only: a ministry need not give it (missing error)."""
    path = tmp_path / "mau.xlsx"
    assert run(capsys, "template", ICT, "--output", str(path))[0] == 0
    book = load_workbook(path)
    assert "has_one_stop" not in [cell.value for cell in book["ministry"][1]]
    assert "has_one_stop" in [cell.value for cell in book["province"][1]]
    lists = {v.formula1 for v in book["ministry"].data_validations.dataValidation}
    assert lists == {'"có,không"'}


@pytest.mark.parametrize("argv", [
    ["--output", "mau.csv"], ["--output", "mau"], [], ["--output", "mau.xlsx", "--block", "provnce"],
    ["--output", "mau.xlsx", "--rows", "0"],
])
def test_a_template_goes_to_an_xlsx_file_or_nowhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "template", ICT, *argv, "--lang", "en")
    assert (code, out) == (2, "") and err
    assert list(tmp_path.iterdir()) == []
    if "provnce" in argv:
        assert "did you mean `province`?" in err
