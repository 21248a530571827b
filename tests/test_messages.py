"""Issue 12, messages: one summary line per run, data errors in reading order (row, then
column), the command line in the user's language. Every data file is built here."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from egov_rules.cli import main
from tests.conftest import ROOT

ICT = str(ROOT / "methodologies" / "vn-ict-2016.egr")
ICT_CSV = ROOT / "examples" / "vn-ict-2016-data.csv"
SUMMARY = re.compile(r"^\d+ (lỗi|errors?), \d+ (cảnh báo|warnings?)$", re.MULTILINE)
LOCATION = re.compile(r"^(\S+): (?:error|warning|lỗi|cảnh báo)\[", re.MULTILINE)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ict_rows() -> list[list[str]]:
    with ICT_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


# -- one summary line per run ----------------------------------------------------------------


def test_warnings_and_errors_of_one_run_share_one_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    rows[0].append("#ghi chú")  # a note column: a warning when the file is read
    for row in rows[1:]:
        row.append("x")
    rows[1][2], rows[2][3] = "abc", "-5"  # two bad values: errors found when they are checked
    data = tmp_path / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    code, _, err = run(capsys, "score", ICT, str(data), "--lang", "en")
    assert code == 1
    assert SUMMARY.findall(err) == [("errors", "warning")], err
    assert err.rstrip().endswith("2 errors, 1 warning")
    assert "warning[W520]" in err and err.count("error[E205]") == 2


def test_a_run_with_only_warnings_says_one_summary_and_scores(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    rows[0].append("#ghi chú")
    for row in rows[1:]:
        row.append("x")
    data = tmp_path / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    code, out, err = run(capsys, "score", ICT, str(data))
    assert code == 0 and "Bộ A" in out
    # W520 for the column, W529 said after it while scoring (Cơ quan C is the only agency)
    assert "W520" in err and "W529" in err
    assert len(SUMMARY.findall(err)) == 1 and err.rstrip().endswith("0 lỗi, 2 cảnh báo")


# -- errors in reading order -----------------------------------------------------------------


def test_xlsx_errors_are_listed_by_row_then_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ict_rows()
    header, entities = rows[0], rows[1:]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(header)
    for number in range(9):  # rows 2 to 10
        entity = list(entities[number % len(entities)])
        entity[0] = f"Đơn vị {number}"
        sheet.append(entity)
    sheet["C2"] = "abc"  # staff
    sheet["AA7"] = "abc"  # a count, read after C2 in a sheet but before it as a string
    sheet["B10"] = "không có khối này"
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert header[26] == sheet["AA1"].value  # AA really is an indicator column
    code, _, err = run(capsys, "score", ICT, str(path), "--lang", "en")
    assert code == 1
    cells = [where.rsplit(":", 1)[-1] for where in LOCATION.findall(err)]
    assert cells == ["C2", "AA7", "B10"], err


# -- the command line in the user's language -------------------------------------------------


def test_help_is_vietnamese_by_default_and_english_with_lang_en(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--help")
    assert code == 0
    assert out.startswith("cách dùng: egov-rules score")
    assert "tuỳ chọn:" in out and "in hướng dẫn này rồi thoát" in out
    assert "tệp phương pháp (.egr)" in out and "usage:" not in out and "options:" not in out
    code, out, _ = run(capsys, "score", "--help", "--lang", "en")
    assert code == 0 and out.startswith("usage: egov-rules score")
    assert "methodology file (.egr)" in out and "cách dùng" not in out
    code, out, _ = run(capsys, "--lang=en", "--help")
    assert code == 0 and out.startswith("usage: egov-rules") and "exit codes:" in out


@pytest.mark.parametrize(("argv", "vi", "en"), [
    (["score"], "thiếu tham số bắt buộc: file, data",
     "the following arguments are required: file, data"),
    (["score", ICT, "data.csv", "extra"], "không nhận ra tham số: extra",
     "unrecognized arguments: extra"),
    (["check", ICT, "--format", "xml"], "lựa chọn không hợp lệ: 'xml'", "invalid choice: 'xml'"),
])
def test_argument_errors_are_in_the_chosen_language(
        capsys: pytest.CaptureFixture[str], argv: list[str], vi: str, en: str) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("cách dùng: ") and vi in err and "lỗi:" in err and en not in err
    code, out, err = run(capsys, *argv, "--lang", "en")
    assert (code, out) == (2, "")
    assert err.startswith("usage: ") and en in err and "error:" in err and vi not in err


def test_a_mistyped_command_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "socre", ICT, "data.csv")
    assert code == 2 and "có phải ý bạn là `score`?" in err
    code, _, err = run(capsys, "socre", ICT, "data.csv", "--lang", "en")
    assert code == 2 and "did you mean `score`?" in err


def test_a_mistyped_flag_is_named_with_its_command_usage(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.txt"
    code, out, err = run(capsys, "score", ICT, str(ICT_CSV), "--outptu", str(output))
    assert (code, out) == (2, "") and not output.exists()
    assert err.startswith("cách dùng: egov-rules score")
    assert "không nhận ra tham số: --outptu" in err and "có phải ý bạn là `--output`?" in err
    code, _, err = run(capsys, "score", ICT, str(ICT_CSV), f"--outptu={output}", "--lang=en")
    assert code == 2 and "unrecognized arguments: --outptu=" in err
    assert "did you mean `--output`?" in err


def test_nothing_close_gets_no_guess(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "xyzzy", "--lang", "en")
    assert code == 2 and "invalid choice: 'xyzzy'" in err and "did you mean" not in err


# -- one Vietnamese word for a category: hạng mục, as the decree says ------------------------


def test_a_category_is_called_hang_muc_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from egov_rules.report.words import phrase

    code, out, _ = run(capsys, "score", ICT, str(ICT_CSV))
    assert code == 0 and "hạng mục: điểm/tối đa" in out
    code, out, _ = run(capsys, "explain", ICT, str(ICT_CSV), "--entity", "Bộ A (minh hoạ)",
                       "--format", "markdown")
    assert code == 0 and "| Hạng mục | Tiêu chí |" in out
    assert phrase("chart", "vi").endswith("theo hạng mục")
    # No other word for the concept is left in what the library says.
    sources = (ROOT / "egov_rules").rglob("*.py")
    others = [(path.name, word) for path in sources for word in ("lĩnh vực", "danh mục", "theo nhóm")
              if word in path.read_text(encoding="utf-8").lower()]
    assert others == []


def test_lang_may_come_before_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "en", "score", ICT, str(ICT_CSV), "--entity",
                       "Tỉnh D (minh hoạ)")
    assert code == 0 and "Entity" in out and "Đơn vị" not in out
    assert run(capsys, "score", ICT, str(ICT_CSV), "--entity", "Tỉnh D (minh hoạ)")[1] != out
    code, _, err = run(capsys, "--lang=en", "score", ICT, "missing.csv")
    assert code == 2 and "no such file" in err
