"""Data in: every supported format, and every class of bad input reported with its place.

Messages are asserted as the evaluator would read them (English, `--lang en`), with the
file:line:column (CSV), `file!Sheet:Cell` (XLSX) or JSON Pointer (JSON) that locates them.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import EgovRulesError, Reporter
from egov_rules.inputs import load_data, sniff_delimiter
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
HEADER = ("entity,block,staff,staff_with_pc,bandwidth_mbps,units,units_on_wan,has_backup,"
          "has_firewall,has_monitoring,incidents,online_share,portal_level,hosting,meetings,"
          "it_staff,trained_share")
# Bộ A of the quickstart example, as one CSV row.
ROW_A = "Bộ A,ministry,1000,950,500,20,18,yes,yes,no,1,30,3,own,0,6,50"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def score_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
              ) -> tuple[int, str, str]:
    path = write(tmp_path, "data.csv", text)
    return run(capsys, "score", QUICKSTART, path, "--lang", "en")


# -- formats -------------------------------------------------------------------------------


def test_csv_and_yaml_of_the_quickstart_give_the_same_results(
        quickstart: egov_rules.Methodology) -> None:
    from_csv = quickstart.evaluate_many(load_data(ROOT / "examples" / "quickstart-data.csv"))
    from_yaml = quickstart.evaluate_many(load_data(ROOT / "examples" / "quickstart-data.yaml"))
    assert from_csv.model_dump(mode="json") == from_yaml.model_dump(mode="json")
    # Tỉnh D: 1800/2000 × 30 = 27; bandwidth 0.5 vs best 1 → 15; WAN 40/40 × 10 = 10;
    # safeguards 2 × 5 = 10 and 2 incidents (at most 2) → 10: 27 + 15 + 10 + 20 = 72.
    assert from_csv.evaluation("Tỉnh D (minh hoạ)").points("infrastructure") == 72


def test_semicolon_csv_with_bom_is_read(tmp_path: Path,
                                        quickstart: egov_rules.Methodology) -> None:
    text = "\ufeff" + HEADER.replace(",", ";") + "\n" + ROW_A.replace(",", ";") + "\n"
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("utf-8"))
    entities = load_data(path, model=quickstart.model)
    assert [e.name for e in entities] == ["Bộ A"]
    # 950 of 1000 staff with a computer: 0.95 × 30 = 28.5.
    assert quickstart.evaluate_many(entities).evaluation("Bộ A").points("computers") == Fraction(57, 2)


def test_delimiter_is_sniffed_from_the_header_outside_quotes() -> None:
    assert sniff_delimiter("entity;block;staff") == ";"
    assert sniff_delimiter('entity,"a;b;c",block') == ","


def test_json_object_and_list_forms(tmp_path: Path, quickstart: egov_rules.Methodology) -> None:
    values = ('"staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20, '
              '"units_on_wan": 18, "has_backup": true, "has_firewall": true, "has_monitoring": false, '
              '"incidents": 1, "online_share": 30.5, "portal_level": 3, "hosting": "own", '
              '"meetings": 0, "it_staff": 6, "trained_share": 50')
    as_object = write(tmp_path, "a.json", '{"Bộ A": {"block": "ministry", ' + values + "}}")
    as_list = write(tmp_path, "b.json", '[{"entity": "Bộ A", "block": "ministry", ' + values + "}]")
    for path in (as_object, as_list):
        evaluation = quickstart.evaluate_many(load_data(path)).evaluation("Bộ A")
        # 30.5 is read as the decimal written: 61/200 as a share, never a binary float.
        assert evaluation.inputs["online_share"] == Fraction(61, 200)


def test_xlsx_floats_are_read_by_their_repr_and_percent_cells_as_percentages(
        tmp_path: Path, quickstart: egov_rules.Methodology) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Số liệu"
    sheet.append(HEADER.split(","))
    row: list[object] = [int(v) if v.isdigit() else v for v in ROW_A.split(",")]
    row[4] = 0.1  # bandwidth_mbps
    sheet.append(row)
    sheet["L2"] = 0.305  # online_share, shown by Excel as 30.5%
    sheet["L2"].number_format = "0.0%"
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    evaluation = quickstart.evaluate_many(load_data(path)).evaluation("Bộ A")
    assert evaluation.inputs["bandwidth_mbps"] == Fraction(1, 10)  # repr(0.1) = "0.1"
    assert evaluation.inputs["online_share"] == Fraction(61, 200)  # 0.305 × 100 = 30.5 %


def test_unsupported_extension_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, "data.txt", "x"), "--lang", "en")
    assert code == 2
    assert "unsupported data format `.txt`" in err
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, "data.txt", "x"))
    assert code == 2 and "không đọc được định dạng `.txt`" in err  # in the user's language


def test_python_api_raises_with_every_error(tmp_path: Path,
                                            quickstart: egov_rules.Methodology) -> None:
    path = write(tmp_path, "data.csv", "entity,block,staf\n,ministry,1\n")
    with pytest.raises(EgovRulesError) as raised:
        load_data(path, model=quickstart.model)
    codes = sorted(d.code.code for d in raised.value.diagnostics)
    # the unknown column `staf`, the row without a name; the missing columns are reported
    # once a row's block reads them, and this row is not read
    assert codes == ["E101", "E207"]


# -- bad input: each class, its message and its location -----------------------------------


def test_wrong_type(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = score_csv(capsys, tmp_path, HEADER + "\n" + ROW_A.replace(",1000,", ",many,", 1))
    assert code == 1 and out == ""
    # `many` starts at character 16 of line 2: "Bộ A,ministry," is 14 characters.
    assert "data.csv:2:15: error[E205]: Bộ A: staff: `many` is not a number" in err
    assert "2 | Bộ A,ministry,many,950" in err  # the row itself is shown


def test_out_of_bounds_share_and_negative_count_reported_together(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    row = ROW_A.replace(",1,30,", ",-1,140,")
    code, _, err = score_csv(capsys, tmp_path, HEADER + "\n" + row)
    assert code == 1
    assert "Bộ A: incidents: a count cannot be negative (got -1)" in err
    assert "Bộ A: online_share: a percentage must be between 0 and 100 (got 140)" in err
    assert "2 errors, 0 warnings" in err


def test_unknown_column_with_did_you_mean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header = HEADER.replace("it_staff", "it_staf")
    code, _, err = score_csv(capsys, tmp_path, header + "\n" + ROW_A)
    assert code == 1
    # `it_staf` is the 16th column; it starts after the 15 preceding names and commas.
    column = len(",".join(header.split(",")[:15])) + 2
    assert f"data.csv:1:{column}: error[E101]: unknown column `it_staf`" in err
    assert "help: did you mean `it_staff`, `staff`?" in err
    assert "no column for indicator `it_staff`" in err  # it is also missing: said once


def test_unknown_block(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = score_csv(capsys, tmp_path, HEADER + "\n" + ROW_A.replace("ministry", "minstry"))
    assert code == 1
    assert "data.csv:2:6: error[E101]: unknown block `minstry`" in err
    assert "did you mean `ministry`?" in err


def test_duplicate_entity_points_at_both_rows(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    code, _, err = score_csv(capsys, tmp_path, f"{HEADER}\n{ROW_A}\n{ROW_A}\n")
    assert code == 1
    assert "data.csv:3:1: error[E102]: `Bộ A` is declared twice" in err
    assert "first given here (" in err and "data.csv:2:1)" in err


def test_empty_entity_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = score_csv(capsys, tmp_path, HEADER + "\n" + ROW_A.replace("Bộ A", " "))
    assert code == 1
    assert "data.csv:2:1: error[E207]: this row has figures but no entity name" in err


def test_missing_value_is_located_at_its_cell(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    code, _, err = score_csv(capsys, tmp_path, HEADER + "\n" + ROW_A.replace(",own,", ",,"))
    assert code == 1
    # `hosting` is the 14th column: its (empty) cell starts after "…,3," on line 2.
    column = len(",".join(ROW_A.split(",")[:13])) + 2
    assert f"data.csv:2:{column}: error[E206]: Bộ A: no value for indicator `hosting`" in err


def test_missing_column_is_reported_once_not_per_row(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    header = HEADER.replace(",trained_share", "")
    rows = [",".join(ROW_A.replace("Bộ A", f"Bộ {n}").split(",")[:-1]) for n in range(3)]
    code, _, err = score_csv(capsys, tmp_path, "\n".join([header, *rows]))
    assert code == 1
    assert err.count("no column for indicator `trained_share`") == 1
    assert "no value for" not in err


def test_missing_zero_policy_fills_an_empty_cell_with_zero(tmp_path: Path) -> None:
    methodology = egov_rules.compile(
        "methodology z\n  title \"Z\"\n  year 2024\n  source \"x\"\n  missing zero\n\n"
        "blocks\n  b \"B\"\n\nindicators\n  n count \"N\"\n\n"
        "category c \"C\"  max 10\n  criterion k \"K\"  max 10\n    2 per n up to 10\n",
        "z.egr")
    path = write(tmp_path, "z.csv", "entity,block,n\nX,b,\n")
    # an empty cell counts as 0 under `missing zero`: 2 × 0 = 0 points.
    assert methodology.evaluate_many(load_data(path)).evaluation("X").points("k") == 0


def test_informational_columns_are_named_in_a_warning(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    text = f"province_code,{HEADER},#checked by\n01,{ROW_A},Lan\n"
    code, out, err = score_csv(capsys, tmp_path, text)
    assert code == 0
    assert "data.csv:1:1: warning[W520]: column `province_code` is not an indicator" in err
    assert "warning[W520]: column `#checked by` is not an indicator" in err
    assert "Bộ A" in out


def test_values_in_a_column_without_header_are_an_error(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    code, _, err = score_csv(capsys, tmp_path, f"{HEADER}\n{ROW_A},stray\n")
    assert code == 1
    assert "`stray` is in a column without a header" in err


def test_xlsx_errors_name_sheet_and_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(HEADER.split(","))
    row: list[object] = [int(v) if v.isdigit() else v for v in ROW_A.split(",")]
    row[2] = -5  # staff, column C
    sheet.append(row)
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    code, _, err = run(capsys, "score", QUICKSTART, str(path), "--lang", "en")
    assert code == 1
    assert f"{path}!Sheet1:C2: error[E205]: Bộ A: staff: a count cannot be negative (got -5)" in err
    code, _, err = run(capsys, "score", QUICKSTART, str(path), "--sheet", "Sheet2", "--lang", "en")
    assert code == 1
    assert "no sheet named `Sheet2`; the workbook has: Sheet1" in err


def test_json_errors_name_the_key_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "data.json",
                 '{"Bộ A": {"block": "ministry", "staff": "lots", "staff": 3}, "": {"block": "x"}}')
    reporter = Reporter()
    load_data(path, reporter=reporter)
    located = {(d.location, d.code.code) for d in reporter.diagnostics}
    assert (f"{path}#/Bộ A/staff", "E102") in located  # a key given twice
    assert (f"{path}#/", "E207") in located  # an entity without a name
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, "v.json",
                       '[{"entity": "Bộ A", "block": "ministry", "staff": true}]'), "--lang", "en")
    assert code == 1
    assert "v.json#/0/staff: error[E205]: Bộ A: staff: expected a number, got a yes/no" in err


def test_not_utf8_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"entity,block\nT\xecnh,x\n")  # "Tình" saved in Windows-1258
    code, _, err = run(capsys, "score", QUICKSTART, str(path), "--lang", "en")
    assert code == 1
    assert "error[E008]: the file is not valid UTF-8 text" in err
    assert "CSV UTF-8" in err
