"""Issue 12: spreadsheets as evaluators keep them are read right or refused, never misread:
numbers the Vietnamese way (`--locale`), text compared after NFC without case, headings by
label, title and summary rows, shares written as 0.72 (docs/cli.md, "Input formats")."""

from __future__ import annotations

import csv
import io
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import load_data
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
ICT = str(ROOT / "methodologies" / "vn-ict-2016.egr")
ICT_DATA = ROOT / "examples" / "vn-ict-2016-data.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main([*argv, "--lang", "en"], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def quickstart_row() -> dict[str, str]:
    with open(ROOT / "examples" / "quickstart-data.csv", encoding="utf-8") as file:
        return next(csv.DictReader(file))


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_one(path: Path, **options: Any) -> dict[str, Any]:
    methodology = egov_rules.load(QUICKSTART)
    entities = load_data(path, model=methodology.model, **options)
    ranking = methodology.evaluate_many(entities)
    return dict(ranking.evaluations[0].inputs)


# -- 1. numbers the Vietnamese way -----------------------------------------------------------


@pytest.mark.parametrize(("locale", "written", "read"), [
    ("vi", "1.200", Fraction(1200)), ("vi", "55,5", Fraction(111, 2)),
    ("vi", "234.567,8", Fraction(2345678, 10)), ("vi", "0.75", Fraction(3, 4)),
    ("en", "1,200", Fraction(1200)), ("en", "1.5", Fraction(3, 2)),
    ("en", "234,567.8", Fraction(2345678, 10)),
])
def test_a_locale_reads_numbers_its_way(tmp_path: Path, locale: str, written: str,
                                        read: Fraction) -> None:
    row = {**quickstart_row(), "bandwidth_mbps": written}
    path = write_csv(tmp_path / "data.csv", [row])
    assert read_one(path, locale=locale)["bandwidth_mbps"] == read


def test_a_semicolon_csv_is_vietnamese_and_the_stream_reads_it_alike(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = {**quickstart_row(), "bandwidth_mbps": "1.200", "online_share": "55,5%"}
    path = write_csv(tmp_path / "data.csv", [row], delimiter=";")
    inputs = read_one(path)
    assert inputs["bandwidth_mbps"] == 1200 and inputs["online_share"] == Fraction(555, 1000)
    whole = run(capsys, "score", QUICKSTART, str(path), "--format", "json")
    streamed = run(capsys, "score", QUICKSTART, str(path), "--format", "csv")
    assert whole[0] == streamed[0] == 0
    plain = write_csv(tmp_path / "plain.csv", [{**row, "bandwidth_mbps": "1200",
                                                "online_share": "55.5"}])
    assert run(capsys, "score", QUICKSTART, str(plain), "--format", "csv")[1] == streamed[1]


def test_without_a_locale_two_readings_are_an_error_that_names_the_locale(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "data.csv", [{**quickstart_row(), "bandwidth_mbps": "1.200"}])
    code, _, err = run(capsys, "score", QUICKSTART, str(path))
    assert code == 1 and "reads two ways: 1200" in err and "--locale vi" in err
    code, _, err = run(capsys, "score", QUICKSTART, str(path), "--locale", "vi",
                         "--format", "csv")
    assert code == 0, err


@pytest.mark.parametrize("written", ["72%", "72 %", "72\u00a0%"])
def test_percent_signs_read_as_shares(tmp_path: Path, written: str) -> None:
    path = write_csv(tmp_path / "data.csv", [{**quickstart_row(), "online_share": written}])
    assert read_one(path)["online_share"] == Fraction(72, 100)


def test_a_share_written_as_a_fraction_of_one_is_a_warning_naming_the_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "data.csv", [{**quickstart_row(), "online_share": "0.72"}])
    code, _, err = run(capsys, "score", QUICKSTART, str(path), "--format", "csv")
    assert code == 0
    assert "warning[W528]" in err and "online_share: 0.72 is read as 0.72%" in err
    assert "data.csv:2:" in err


def test_an_excel_percent_cell_is_a_percent_and_no_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = quickstart_row()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["entity", "block", *list(row)[2:]])
    sheet.append([row["entity"], row["block"], *(float(v) if v.replace(".", "").isdigit() else v
                                                 for v in list(row.values())[2:])])
    column = list(row).index("online_share") + 1
    cell = sheet.cell(row=2, column=column)
    cell.value, cell.number_format = 0.005, "0.0%"
    book.save(tmp_path / "data.xlsx")
    assert read_one(tmp_path / "data.xlsx")["online_share"] == Fraction(5, 1000)
    code, _, err = run(capsys, "score", QUICKSTART, str(tmp_path / "data.xlsx"))
    assert code == 0 and "W528" not in err


# -- 2. text as people type it -----------------------------------------------------------------


def test_yes_no_options_blocks_and_headings_ignore_case_and_normal_form(tmp_path: Path) -> None:
    row = quickstart_row()
    yes_no = next(k for k, v in row.items() if v in ("yes", "no", "có", "không"))
    nfd = unicodedata.normalize("NFD", "KHÔNG")
    text = {**row, yes_no: nfd, "block": row["block"].upper() + " "}
    headed = {k.upper(): v for k, v in text.items()}
    path = write_csv(tmp_path / "data.csv", [headed])
    inputs = read_one(path)
    assert inputs[yes_no] is False
    methodology = egov_rules.load(QUICKSTART)
    evaluation = methodology.evaluate({**{k: v for k, v in text.items() if k not in (
        "entity", "block")}}, block=text["block"], entity=row["entity"] + "  ",
        references={"bandwidth": 1})
    assert evaluation.entity == row["entity"] and evaluation.block == row["block"]


# -- 3. headings, title rows and summary rows ------------------------------------------------


def ict_rows() -> list[dict[str, str]]:
    with open(ICT_DATA, encoding="utf-8") as file:
        return [r for r in csv.DictReader(file) if r["block"] == "province"]


def vi_number(text: str) -> Any:
    """A figure as a Vietnamese form has it typed: text, `.` between thousands, `,` decimals."""
    if text in ("yes", "no"):
        return "Có" if text == "yes" else "Không"
    value = Fraction(text)
    if value.denominator == 1:
        return f"{int(value):,}".replace(",", ".")
    return text.replace(".", ",")


def reporting_form(path: Path, rows: list[dict[str, str]], summaries: bool) -> Path:
    """A workbook shaped like a provincial reporting form: a title and a subtitle above the
    header, the indicators' Vietnamese labels as headings, `Khối` filled down with the block's
    label, numbers typed as text the Vietnamese way, an Excel percent cell, a blank row, and
    (with `summaries`) a totals row and an average row."""
    model = egov_rules.load(ICT).model
    ids = list(rows[0])[2:]
    block_label = model.blocks["province"].label
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["BÁO CÁO ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM 2016"])
    sheet.append(["(Kèm theo công văn số 123/BTTTT-THH)"])
    sheet.append(["STT", "Tên đơn vị", "Khối", *(model.indicators[i].label for i in ids)])
    for number, row in enumerate(rows, 1):
        sheet.append([number, row["entity"], block_label, *(vi_number(row[i]) for i in ids)])
        if number == 1:
            sheet.append([])
    share = ids.index("trained_share") + 4
    cell = sheet.cell(row=4, column=share)
    cell.value, cell.number_format = float(Fraction(rows[0]["trained_share"]) / 100), "0%"
    if summaries:
        figures = [[Fraction(r[i]) if r[i] not in ("yes", "no") else None for i in ids]
                   for r in rows]
        totals = [sum((f[k] for f in figures if f[k] is not None), Fraction(0))
                  for k in range(len(ids))]
        sheet.append(["", "Tổng cộng", block_label, *(float(t) for t in totals)])
        sheet.append(["", "Bình quân", block_label,
                      *(float(t * 10 / len(rows)) for t in totals)])  # a best none has
    book.save(path)
    return path


def scores(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, "score", ICT, *argv, "--format", "csv")
    assert code == 0, err
    return out


def test_the_provincial_reporting_form_scores_as_the_plain_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    plain = scores(capsys, str(write_csv(tmp_path / "plain.csv", rows)))
    form = reporting_form(tmp_path / "form.xlsx", rows, summaries=True)
    code, out, err = run(capsys, "score", ICT, str(form), "--locale", "vi", "--format", "csv")
    assert code == 0, err
    assert out == plain  # the average row, best in every column, moved no score
    assert "the header is row 3; row(s) 1, 2 above it are a title" in err
    assert "`Tổng cộng` is a summary row" in err and "`Bình quân` is a summary row" in err
    without = reporting_form(tmp_path / "without.xlsx", rows, summaries=False)
    assert scores(capsys, str(without), "--locale", "vi") == plain


def test_summary_rows_never_score_in_a_csv_either(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    plain = scores(capsys, str(write_csv(tmp_path / "plain.csv", rows)))
    average = {**rows[0], "entity": "Trung bình", "bandwidth_mbps": "999999"}
    with_average = write_csv(tmp_path / "avg.csv", [*rows, average])
    code, out, err = run(capsys, "score", ICT, str(with_average), "--format", "csv")
    assert (code, out) == (0, plain) and "W527" in err


def test_header_row_names_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    plain = scores(capsys, str(write_csv(tmp_path / "plain.csv", rows)))
    path = tmp_path / "titled.csv"
    body = (tmp_path / "plain.csv").read_text("utf-8")
    path.write_text("Báo cáo năm 2016,,\n" + body, encoding="utf-8")
    assert scores(capsys, str(path), "--header-row", "2") == plain
    code, _, err = run(capsys, "score", ICT, str(path), "--header-row", "9")
    assert code == 1 and "--header-row 9: the table has no such row" in err


def test_label_headings_in_the_api(tmp_path: Path) -> None:
    model = egov_rules.load(ICT).model
    rows = ict_rows()
    labelled = [{("entity" if k == "entity" else "block" if k == "block"
                  else model.indicators[k].label.upper()): v for k, v in r.items()} for r in rows]
    reporter = Reporter()
    entities = load_data(write_csv(tmp_path / "l.csv", labelled), model=model, reporter=reporter)
    assert not reporter.has_errors, reporter.diagnostics
    assert set(entities[0].values) == set(model.indicators)
