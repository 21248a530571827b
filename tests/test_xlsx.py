"""XLSX workbooks in: what the reader reads, what it refuses, and its bounds.

Every workbook here is built from XML strings with `zipfile` (`package`), so each hostile part
is written out where it is used; the fuzz test starts from a workbook openpyxl saves. Messages
are asserted in English (`--lang en`) with the `file.xlsx!Sheet:C7` that locates them.
"""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from egov_rules.cli import main
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import load_data, sheet_read, xlsx

# Three indicators of three kinds; `missing zero`, so a value that vanished would score 0
# instead of failing: the reader, not the policy, must notice.
METHODOLOGY = """methodology m
  title "T"
  year 2024
  source "S"
  missing zero
blocks
  province "Tỉnh"
indicators
  meetings count "Số cuộc họp"
  online percent "Tỷ lệ trực tuyến"
  backup yes/no "Sao lưu"
category c "C" max 30
  criterion steering "Họp" max 10
    bands meetings
      at least 4: 10
      otherwise: 0
  criterion services "Dịch vụ" max 10
    proportional online
  criterion safety "An toàn" max 10
    yes/no backup
index overall "Chỉ số" = share of max c  round 3
example "A" block province
  meetings 4  online 50%  backup yes
  expect steering = 10
  expect services = 5
  expect safety = 10
"""
HEADER = ["entity", "block", "meetings", "online", "backup"]
ROW_A = ["A", "province", 4, 50, "yes"]  # 10 + 5 + 10 = 25 points
ROW_B = ["B", "province", 1, 20, "no"]  # 0 + 2 + 0 = 2 points

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def letter(column: int) -> str:
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell(ref: str, value: object) -> str:
    """One cell as Excel writes it: text inline, numbers in `<v>`, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def rows(*table: Sequence[object], start: int = 1) -> str:
    return "".join(
        f'<row r="{number}">'
        + "".join(cell(f"{letter(column)}{number}", value)
                  for column, value in enumerate(row, start=1))
        + "</row>"
        for number, row in enumerate(table, start=start))


def worksheet(data: str, before: str = "", after: str = "") -> str:
    """A worksheet part: `before` goes ahead of sheetData (a dimension), `after` behind it."""
    return (f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{before}<sheetData>{data}</sheetData>'
            f"{after}</worksheet>")


def package(sheets: dict[str, str], *, hidden: Sequence[str] = (), active: int = 0,
            strings: str | None = None, styles: str | None = None,
            charts: Sequence[str] = (), parts: dict[str, str | bytes | None] | None = None
            ) -> bytes:
    """A minimal workbook package: one worksheet part per entry of `sheets` (name → XML), in
    order; `charts` names chartsheets; `parts` replaces (or, with None, deletes) any part."""
    names = [*sheets, *charts]
    content = {
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
                       f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView '
            f'activeTab="{active}"/></bookViews><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
                      + (' state="hidden"' if name in hidden else "") + "/>"
                      for i, name in enumerate(names, start=1))
            + "</sheets></workbook>"),
    }
    relations = []
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CONTENT}.sheet.main+xml"/>']
    for i, name in enumerate(names, start=1):
        kind = "chartsheet" if name in charts else "worksheet"
        part = f"{kind}s/sheet{i}.xml"
        content[f"xl/{part}"] = sheets.get(name) or (
            f'<chartsheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews><sheetView '
            f'workbookViewId="0"/></sheetViews></chartsheet>')
        relations.append(f'<Relationship Id="rId{i}" Type="{RELS}/{kind}" Target="{part}"/>')
        overrides.append(f'<Override PartName="/xl/{part}" ContentType="{CONTENT}.{kind}+xml"/>')
    for kind, text, ctype in (("sharedStrings", strings, "sharedStrings"),
                              ("styles", styles, "styles")):
        if text is not None:
            content[f"xl/{kind}.xml"] = text
            relations.append(f'<Relationship Id="r{kind}" Type="{RELS}/{kind}" '
                             f'Target="{kind}.xml"/>')
            overrides.append(f'<Override PartName="/xl/{kind}.xml" ContentType="{CONTENT}.{ctype}+xml"/>')
    content["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}">{"".join(relations)}</Relationships>')
    content["[Content_Types].xml"] = (
        f'<Types xmlns="{TYPES}"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{"".join(overrides)}</Types>')
    for name, replacement in (parts or {}).items():
        if replacement is None:
            content.pop(name, None)
        else:
            content[name] = replacement  # type: ignore[assignment]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in content.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def styles_xml(*formats: tuple[int, str | None]) -> str:
    """cellXfs whose style s=1, 2, … has each (numFmtId, custom format code) in turn."""
    custom = "".join(f'<numFmt numFmtId="{i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
                     for i, code in formats if code is not None)
    xfs = "".join(f'<xf numFmtId="{i}" applyNumberFormat="1"/>' for i, _ in formats)
    return (f'<styleSheet xmlns="{MAIN}"><numFmts>{custom}</numFmts>'
            f'<cellXfs><xf numFmtId="0"/>{xfs}</cellXfs></styleSheet>')


@pytest.fixture
def egr(tmp_path: Path) -> str:
    path = tmp_path / "m.egr"
    path.write_text(METHODOLOGY, encoding="utf-8")
    return str(path)


def save(tmp_path: Path, data: bytes, name: str = "data.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def score(capsys: pytest.CaptureFixture[str], egr: str, data: str, *more: str
          ) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["score", egr, data, "--format", "csv", "--lang", "en", *more], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def points(out: str) -> dict[str, str]:
    """entity → points of category c, from `score --format csv`."""
    return {line.split(",")[0]: line.split(",")[2] for line in out.splitlines()[1:]}


# -- what a worksheet holds, read from its cells ------------------------------------------


def test_rows_and_columns_outside_a_stale_dimension_are_read(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    # Some exporters write the dimension of the first rows only; openpyxl's read-only mode
    # trusted it and scored one entity of two, and `backup` (column E) as missing, i.e. 0.
    sheet = worksheet(rows(HEADER, ROW_A, ROW_B), before='<dimension ref="A1:D2"/>')
    code, out, err = score(capsys, egr, save(tmp_path, package({"Data": sheet})))
    assert (code, err) == (0, "")
    assert points(out) == {"A": "25", "B": "2"}


def test_rows_start_where_the_cells_are_not_where_the_dimension_says(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    sheet = worksheet(rows(HEADER, ROW_A), before='<dimension ref="B2:E2"/>')
    code, out, _ = score(capsys, egr, save(tmp_path, package({"Data": sheet})))
    assert code == 0
    assert points(out) == {"A": "25"}


def test_cells_without_a_reference_follow_the_previous_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    # `r` is optional on rows and cells: each follows the one before.
    data = rows(HEADER) + "<row>" + "".join(
        cell("", v).replace(' r=""', "") for v in ROW_A) + "</row>"
    code, out, _ = score(capsys, egr, save(tmp_path, package({"Data": worksheet(data)})))
    assert code == 0
    assert points(out) == {"A": "25"}


def test_empty_styled_cells_and_blank_rows_cost_nothing_and_are_not_data(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    styled = '<row r="5"><c r="A5" s="0"/><c r="XFD5" s="0"/></row>'
    data = rows(HEADER, ROW_A) + styled + rows(ROW_B, start=9)
    code, out, err = score(capsys, egr, save(tmp_path, package({"Data": worksheet(data)})))
    assert (code, err) == (0, "")
    assert points(out) == {"A": "25", "B": "2"}


# -- which sheet -----------------------------------------------------------------------------


def test_the_active_visible_sheet_is_read_and_a_hidden_one_with_data_is_named(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    book = package({"Old": worksheet(rows(HEADER, ROW_B)), "2024": worksheet(rows(HEADER, ROW_A)),
                    "Empty": worksheet("")}, hidden=("Old", "Empty"), active=1)
    path = save(tmp_path, book)
    code, out, err = score(capsys, egr, path)
    assert code == 0
    assert points(out) == {"A": "25"}
    assert err.splitlines()[0] == (
        f"{path}!Old: warning[W525]: sheet `Old` is hidden and holds data; it is not read "
        "(--sheet Old reads it)")
    assert "Empty" not in err  # hidden, but nothing in it


def test_a_hidden_active_sheet_gives_way_to_the_first_visible_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    book = package({"Old": worksheet(rows(HEADER, ROW_B)), "2024": worksheet(rows(HEADER, ROW_A))},
                   hidden=("Old",), active=0)
    code, out, err = score(capsys, egr, save(tmp_path, book))
    assert code == 0
    assert points(out) == {"A": "25"}
    assert "sheet `Old` is hidden and holds data" in err


def test_sheet_option_reads_a_hidden_sheet_and_says_so(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    book = package({"Old": worksheet(rows(HEADER, ROW_B)), "2024": worksheet(rows(HEADER, ROW_A))},
                   hidden=("Old",), active=1)
    path = save(tmp_path, book)
    code, out, err = score(capsys, egr, path, "--sheet", "Old")
    assert code == 0
    assert points(out) == {"B": "2"}
    assert err.splitlines()[0] == (
        f"{path}!Old: warning[W525]: sheet `Old` is hidden; it is read because --sheet names it")


def test_sheet_option_naming_a_chartsheet_or_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    path = save(tmp_path, package({"Data": worksheet(rows(HEADER, ROW_A))}, charts=("Chart",)))
    code, _, err = score(capsys, egr, path, "--sheet", "Chart")
    assert code == 1
    assert (f"{path}!Chart: error[E207]: sheet `Chart` is a chartsheet, not a worksheet: "
            "it has no cells to read") in err
    code, _, err = score(capsys, egr, path, "--sheet", "Dta")
    assert code == 1
    assert f"{path}: error[E207]: no sheet named `Dta`; the workbook has: Data, Chart" in err


def test_a_workbook_without_a_worksheet(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        egr: str) -> None:
    path = save(tmp_path, package({}, charts=("Chart",)))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert f"{path}: error[E207]: not a readable workbook: it has no worksheet" in err


def test_every_worksheet_hidden(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                egr: str) -> None:
    path = save(tmp_path, package({"A": worksheet(""), "B": worksheet("")}, hidden=("A", "B")))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert f"{path}: error[E207]: every worksheet is hidden (A, B): name one with --sheet" in err


# -- malformed packages: a located error, exit 1, never a traceback --------------------------

GOOD = {"Data": worksheet(rows(HEADER, ROW_A))}


@pytest.mark.parametrize(("data", "where", "message"), [
    (package(GOOD)[:300], "", "not a ZIP package"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "",
     "an encrypted workbook or an Excel 97-2003 file: save it as .xlsx without a password"),
    (package(GOOD, parts={"xl/workbook.xml": "<workbook><sheets>"}), "",
     "xl/workbook.xml: bad XML: no element found: line 1, column 18"),
    (package(GOOD, parts={"xl/workbook.xml": None}), "", "the part xl/workbook.xml is missing"),
    (package(GOOD, parts={"xl/worksheets/sheet1.xml": None}), "!Data",
     "the part xl/worksheets/sheet1.xml is missing"),
    (package(GOOD, parts={"xl/_rels/workbook.xml.rels": None}), "",
     "the part xl/_rels/workbook.xml.rels is missing"),
    (package({"Data": worksheet(rows(HEADER, ROW_A)).replace("<v>4</v>", "<v>four</v>")}),
     "!Data:C2", "`four` is not a number"),
    (package({"Data": worksheet(rows(HEADER, ROW_A)).replace("</row><row", "</rw><row", 1)}),
     "!Data", "xl/worksheets/sheet1.xml: bad XML: mismatched tag: line 1, column 430"),
    (package({"Data": worksheet(rows(HEADER) + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>')}),
     "!Data:A2", "shared string 7 does not exist (the workbook has 0)"),
    (package({"Data": worksheet(rows(HEADER) + '<row r="2"><c r="A2" t="b"><v>2</v></c></row>')}),
     "!Data:A2", "`2` is not a yes/no value (0 or 1)"),
    (package({"Data": worksheet(rows(HEADER) + '<row r="2"><c r="A2" t="x"><v>1</v></c></row>')}),
     "!Data:A2", "unknown cell type `x`"),
    (package({"Data": worksheet(rows(HEADER) + '<row r="2"><c r="A2" s="9"><v>1</v></c></row>')}),
     "!Data:A2", "style 9 does not exist"),
    (package({"Data": worksheet(rows(HEADER, ROW_A) + rows(ROW_B, start=2))}), "!Data",
     "xl/worksheets/sheet1.xml: row 2 comes after row 2: rows out of order"),
    (package({"Data": worksheet('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>1</v></c></row>')}),
     "!Data:A1", "cell A1 comes after B1: cells out of order"),
    (package({"Data": worksheet('<row r="1"><c r="A2"><v>1</v></c></row>')}), "!Data:A2",
     "cell A2 is in row 1"),
    (package({"Data": worksheet('<row r="1"><c r="XFE1"><v>1</v></c></row>')}), "!Data",
     "xl/worksheets/sheet1.xml: `XFE1` is not a cell of a worksheet (A1 to XFD1048576)"),
    (package({"Data": worksheet('<row r="1048577"><c r="A1048577"><v>1</v></c></row>')}),
     "!Data", "xl/worksheets/sheet1.xml: row 1,048,577 is beyond a worksheet's 1,048,576 rows"),
    (package(GOOD, parts={"xl/workbook.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>'}), "",
     "xl/workbook.xml: a DOCTYPE declaration, which no workbook part has"),
    (package(GOOD, parts={"xl/workbook.xml": f'<workbook xmlns="{MAIN}"><sheets><sheet '
                                             'name="Data"/></sheets></workbook>'}), "",
     "sheet `Data` names no part"),
])
def test_malformed_workbooks_are_located_errors(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str, data: bytes, where: str,
        message: str) -> None:
    path = save(tmp_path, data)
    code, out, err = score(capsys, egr, path)
    assert (code, out) == (1, "")
    assert f"{path}{where}: error[E207]: not a readable workbook: {message}" in err, err
    assert "Traceback" not in err and "internal error" not in err


def test_a_corrupted_part_is_a_located_error(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path, egr: str) -> None:
    data = bytearray(package(GOOD))
    at = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[at + 10:at + 30] = bytes(20)  # inside the first part's compressed bytes
    path = save(tmp_path, bytes(data))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data: error[E207]: not a readable workbook: xl/worksheets/sheet1.xml: "
            "Error -3 while decompressing data") in err


# -- values ------------------------------------------------------------------------------------


def test_formula_without_a_computed_value_is_an_error_naming_the_cell(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    data = rows(HEADER) + ('<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
                           '<c r="B2" t="inlineStr"><is><t>province</t></is></c>'
                           '<c r="C2"><f>2*2</f></c><c r="D2"><f>E9</f><v>50</v></c>'
                           '<c r="E2" t="str"><f>"yes"</f><v>yes</v></c></row>')
    path = save(tmp_path, package({"Data": worksheet(data)}))
    code, _, err = score(capsys, egr, path)
    assert code == 1  # never 0 points for `meetings` under `missing zero`
    assert err.splitlines()[:2] == [
        f"{path}!Data:C2: error[E205]: A: meetings: the formula `=2*2` has no computed value",
        "  = help: open the workbook in Excel or LibreOffice and save it: the values of "
        "formulas are stored when it is saved"]


def test_cached_values_of_formulas_are_read(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            egr: str) -> None:
    data = rows(HEADER) + ('<row r="2"><c r="A2" t="str"><f>"A"</f><v>A</v></c>'
                           '<c r="B2" t="inlineStr"><is><t>province</t></is></c>'
                           '<c r="C2"><f>2*2</f><v>4</v></c><c r="D2"><f>E9</f><v>50</v></c>'
                           '<c r="E2" t="b"><f>TRUE()</f><v>1</v></c></row>')
    code, out, _ = score(capsys, egr, save(tmp_path, package({"Data": worksheet(data)})))
    assert code == 0
    assert points(out) == {"A": "25"}


@pytest.mark.parametrize(("style", "shown"), [
    ((14, None), "builtin format 14"),
    ((164, "dd/mm/yyyy"), "format `dd/mm/yyyy`"),
    ((165, "[h]:mm"), "format `[h]:mm`"),
    ((166, '[$-42A]d mmmm yyyy;@'), "format `[$-42A]d mmmm yyyy;@`"),
])
def test_dates_and_times_in_indicators_are_located_errors(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str,
        style: tuple[int, str | None], shown: str) -> None:
    data = rows(HEADER, ROW_A).replace('<c r="C2"><v>4</v>', '<c r="C2" s="1"><v>45413</v>')
    path = save(tmp_path, package({"Data": worksheet(data)}, styles=styles_xml(style)))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data:C2: error[E205]: A: meetings: a date or time ({shown}), "
            "not a number") in err


def test_number_formats_that_are_not_dates(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           egr: str) -> None:
    # Quoted and escaped letters, colours and the number formats around the date ids.
    styles = styles_xml((164, '0 "days"'), (165, r"0\d"), (166, "[Red]0"), (10, None),
                        (167, '0.0" %"'))
    data = rows(HEADER, ROW_A).replace('<c r="C2"><v>4</v>', '<c r="C2" s="1"><v>4</v>')
    data = data.replace('<c r="D2"><v>50</v>', '<c r="D2" s="4"><v>0.5</v>')
    code, out, err = score(capsys, egr, save(tmp_path, package(
        {"Data": worksheet(data)}, styles=styles)))
    assert (code, err) == (0, "")
    assert points(out) == {"A": "25"}  # 0.5 shown as 50.00% is 50 %
    for style in (2, 3, 5):  # not a percentage: `0.0" %"` shows 0.5 as "0.5 %"
        other = data.replace('<c r="D2" s="4">', f'<c r="D2" s="{style}">')
        path = save(tmp_path, package({"Data": worksheet(other)}, styles=styles), f"{style}.xlsx")
        code, out, err = score(capsys, egr, path)
        assert points(out) == {"A": "20.05"}, err  # 0.5 % → 0.05 points; 10 + 0.05 + 10


def test_error_cells_are_located_errors_and_informational_columns_may_hold_anything(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    data = rows([*HEADER, "# checked on", "# formula"]) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>province</t></is></c><c r="C2"><v>4</v></c>'
        '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E2" t="b"><v>1</v></c>'
        '<c r="F2" s="1"><v>45413</v></c><c r="G2"><f>1+1</f></c></row>')
    path = save(tmp_path, package({"Data": worksheet(data)}, styles=styles_xml((14, None))))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert [line for line in err.splitlines() if "error[" in line] == [
        f"{path}!Data:D2: error[E205]: A: online: the cell shows the error #DIV/0!, not a value"]


def test_booleans_inline_and_rich_shared_strings_are_read(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    strings = (f'<sst xmlns="{MAIN}"><si><r><t>Tỉnh </t></r><r><rPr><b/></rPr><t>Á</t></r>'
               '<rPh sb="0" eb="1"><t>phonetic, not shown</t></rPh></si>'
               "<si><t>province</t></si></sst>")
    data = rows(HEADER) + ('<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
                           '<c r="C2"><v>4</v></c><c r="D2"><v>5E1</v></c>'
                           '<c r="E2" t="b"><v>1</v></c></row>')
    code, out, _ = score(capsys, egr, save(tmp_path, package({"Data": worksheet(data)},
                                                             strings=strings)))
    assert code == 0
    assert points(out) == {"Tỉnh Á": "25"}


def test_a_boolean_where_a_number_is_expected(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, egr: str) -> None:
    data = rows(HEADER, ROW_A).replace('<c r="C2"><v>4</v>', '<c r="C2" t="b"><v>1</v>')
    path = save(tmp_path, package({"Data": worksheet(data)}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert f"{path}!Data:C2: error[E205]: A: meetings: expected a number, got a yes/no" in err


@pytest.mark.parametrize("ref", ["B2:B3", "C2:D2"])
def test_merged_cells_over_scored_columns_are_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str, ref: str) -> None:
    # Only the first cell of a merged range holds a value; the others would read as empty.
    data = rows(HEADER, ROW_A, ROW_B)
    sheet = worksheet(data, after=f'<mergeCells count="2"><mergeCell ref="{ref}"/>'
                                  '<mergeCell ref="F1:G1"/></mergeCells>')
    path = save(tmp_path, package({"Data": sheet}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    # F1:G1, beyond the table's columns, hides nothing that is read: not reported.
    assert [line for line in err.splitlines() if "error[" in line] == [
        f"{path}!Data:{ref}: error[E207]: cells {ref} are merged: only {ref[:2]} holds a value "
        "and the others read as empty"]


def test_a_cell_longer_than_excel_allows(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         egr: str) -> None:
    data = rows(HEADER, ["A" * 32768, "province"])
    path = save(tmp_path, package({"Data": worksheet(data)}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data:A2: error[E207]: not a readable workbook: a text of more than 32,767 "
            "characters") in err


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_are_the_shortest_decimal_of_the_stored_float(number: float) -> None:
    assert xlsx._decimal(repr(number)) == Fraction(repr(number))


# -- bounds ------------------------------------------------------------------------------------


def test_one_cell_at_xfd1048576_is_read_in_little_memory(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = package({"Data": worksheet(rows(HEADER, ROW_A) + far,
                                      before='<dimension ref="A1:XFD1048576"/>')})
    assert len(data) < 5000
    path = save(tmp_path, data)
    tracemalloc.start()
    try:
        code, _, err = score(capsys, egr, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1
    assert f"{path}!Data:XFD1048576: error[E207]: `1` is in a column without a header" in err
    assert peak < 20 * 2**20, peak  # one row of 16,384 located cells, not the grid


def test_a_part_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A zip bomb: 64 MB of spaces pack into 64 KB; the limit is lowered to keep the test fast.
    bomb = worksheet(" " * (64 << 20) + rows(HEADER, ROW_A))
    data = package({"Data": bomb})
    assert len(data) < 200_000
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", 32 << 20)
    path = save(tmp_path, data)
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data: error[E007]: the XML read from this workbook (67,110,287 bytes "
            "unpacked, with xl/worksheets/sheet1.xml) exceeds the limit of 33,554,432 bytes") in err


def test_too_many_cells(capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_CELLS", 12)
    path = save(tmp_path, package({"Data": worksheet(rows(HEADER, ROW_A, ROW_B))}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data: error[E007]: the number of cells holding a value exceeds the limit "
            "of 12 cells") in err


def test_a_table_made_wide_by_one_far_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          egr: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stray header cell at XFD1 makes every row 16,384 located cells: counted, and refused.
    monkeypatch.setattr(xlsx, "MAX_CELLS", 40_000)
    header = rows(HEADER).replace("</row>", '<c r="XFD1"><v>1</v></c></row>')
    path = save(tmp_path, package({"Data": worksheet(header + rows(ROW_A, ROW_B, start=2))}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}!Data: error[E007]: the table of sheet `Data` (49,152 cells from column A to "
            "XFD, empty ones included) exceeds the limit of 40,000 cells") in err


def test_entries_beyond_the_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Sheets, relationships, formats: each kept costs memory, and a packed part lists millions.
    monkeypatch.setattr(xlsx, "MAX_ENTRIES", 2)
    path = save(tmp_path, package({"A": worksheet(""), "B": worksheet(""), "C": worksheet("")}))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert f"{path}: error[E007]: the number of sheets exceeds the limit of 2" in err


def test_a_central_directory_beyond_the_limit_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # zipfile keeps about 550 bytes per entry: a file of empty entries is refused unread.
    monkeypatch.setattr(xlsx, "MAX_DIRECTORY_BYTES", 2000)
    parts: dict[str, str | bytes | None] = {f"junk/{i}": b"" for i in range(100)}
    path = save(tmp_path, package(GOOD, parts=parts))
    code, _, err = score(capsys, egr, path)
    assert code == 1
    assert (f"{path}: error[E007]: the zip's table of contents (5,615 bytes) exceeds the limit "
            "of 2,000 bytes") in err


# -- the Python API ------------------------------------------------------------------------------


def test_load_data_reports_into_the_reporter(tmp_path: Path) -> None:
    path = save(tmp_path, package(GOOD, parts={"xl/workbook.xml": None}))
    reporter = Reporter()
    assert load_data(path, reporter=reporter) == []
    assert [d.code.code for d in reporter.diagnostics] == ["E207"]
    entities = load_data(save(tmp_path, package(GOOD), "good.xlsx"))
    assert [(e.name, e.values["meetings"].value) for e in entities] == [("A", Fraction(4))]


# -- fuzz ----------------------------------------------------------------------------------------


def _valid_workbook() -> bytes:
    """What openpyxl saves: shared strings written inline, styles, a percentage, a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data"
    for row in (HEADER, ROW_A, ROW_B):
        sheet.append(row)
    sheet["D3"] = 0.2
    sheet["D3"].number_format = "0%"
    sheet["F1"] = "# note"
    sheet["F2"] = "=C2*2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _mutate(data: bytes, rng: random.Random) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = rng.choice(sorted(parts))
    text = parts[name]
    how = rng.randrange(6)
    if how == 0:  # truncate the part
        text = text[:rng.randrange(len(text) + 1)]
    elif how == 1:  # delete an attribute
        spans = [i for i in range(len(text)) if text[i:i + 2] == b'="']
        if spans:
            at = rng.choice(spans)
            start = text.rfind(b" ", 0, at)
            end = text.find(b'"', at + 2) + 1
            text = text[:start] + text[end:]
    elif how == 2:  # swap a cell type
        text = text.replace(rng.choice([b't="n"', b't="inlineStr"', b't="s"', b't="b"', b'"1"']),
                            rng.choice([b't="e"', b't="s"', b't="b"', b't="d"', b't="str"',
                                        b'"99"']), 1)
    elif how == 3:  # flip bytes
        raw = bytearray(text)
        for _ in range(rng.randrange(1, 4)):
            if raw:
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        text = bytes(raw)
    elif how == 4:  # drop the part
        del parts[name]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    packed = buffer.getvalue()
    if how == 5:  # truncate or corrupt the package itself
        packed = packed[:rng.randrange(len(packed))]
    return packed


def test_mutated_workbooks_end_in_0_or_1(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         egr: str) -> None:
    valid = _valid_workbook()
    code, out, _ = score(capsys, egr, save(tmp_path, valid))
    assert (code, points(out)) == (0, {"A": "25", "B": "2"})
    rng = random.Random(13)
    outcomes = []
    for case in range(50):
        path = save(tmp_path, _mutate(valid, rng), f"fuzz{case}.xlsx")
        code, _, err = score(capsys, egr, path)
        assert code in (0, 1), (case, err)
        assert "internal error" not in err, (case, err)
        outcomes.append(code)
    assert outcomes.count(1) >= 10  # the mutations do break things


# -- hidden rows and columns ------------------------------------------------------------------


def test_hidden_rows_and_columns_are_read_and_named(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    # Row 3 (B) hidden, as a filter hides it; columns D:E (online, backup) hidden by one
    # `<col>`, column F hidden but empty. Everything is read (A 25 and B 2 points, as when
    # shown) and the hidden rows and columns that hold data are named.
    data = rows(HEADER, ROW_A, ROW_B).replace('<row r="3">', '<row r="3" hidden="1">')
    cols = '<cols><col min="2" max="2"/><col min="4" max="5" hidden="1"/>' \
           '<col min="6" max="6" hidden="true"/></cols>'
    path = save(tmp_path, package({"Data": worksheet(data, before=cols)}))
    code, out, err = score(capsys, egr, path)
    assert code == 0 and points(out) == {"A": "25", "B": "2"}
    assert err.splitlines()[0] == (
        f"{path}!Data: warning[W526]: row 3 of sheet `Data` is hidden and holds data; read as "
        "any other row")
    assert f"{path}!Data: warning[W526]: columns D, E of sheet `Data` are hidden and hold data;" \
           " read as any other column" in err
    assert err.count("W526") == 2


def test_shown_rows_and_columns_give_no_warning(tmp_path: Path) -> None:
    data = rows(HEADER, ROW_A).replace('<row r="2">', '<row r="2" hidden="0">')
    cols = '<cols><col min="1" max="5" width="12" hidden="0"/></cols>'
    reporter = Reporter()
    entities = xlsx.load_xlsx(save(tmp_path, package({"Data": worksheet(data, before=cols)})),
                              reporter)
    assert [e.name for e in entities] == ["A"] and reporter.diagnostics == []


@pytest.mark.parametrize("col", ['<col min="0" max="2" hidden="1"/>',
                                 '<col min="3" max="2" hidden="1"/>',
                                 '<col min="1" max="16385" hidden="1"/>',
                                 '<col min="x" hidden="1"/>'])
def test_hidden_columns_out_of_the_sheet_are_refused(tmp_path: Path, col: str) -> None:
    reporter = Reporter()
    path = save(tmp_path, package({"Data": worksheet(rows(HEADER, ROW_A),
                                                      before=f"<cols>{col}</cols>")}))
    assert xlsx.load_xlsx(path, reporter) == []
    assert [d.code.code for d in reporter.diagnostics] == ["E207"]


def test_the_record_names_the_sheet_read_without_sheet(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, egr: str) -> None:
    # Two visible sheets, the second active: it is the one read, and the record says so.
    old = worksheet(rows(HEADER, ["A", "province", 1, 0, "no"]))
    path = save(tmp_path, package({"Old": old, "Mới": worksheet(rows(HEADER, ROW_A, ROW_B))},
                                  active=1))
    out = io.StringIO()
    assert main(["score", egr, path, "--format", "json"], out=out) == 0
    record = json.loads(out.getvalue())
    assert record["inputs_sheet"] == "Mới"
    assert [e["entity"] for e in record["evaluations"]] == ["A", "B"]
    saved = tmp_path / "record.json"
    saved.write_text(out.getvalue(), encoding="utf-8")
    out = io.StringIO()
    code = main(["verify-record", str(saved), "--methodology", egr, "--data", path, "--lang",
                 "en"], out=out)
    assert (code, out.getvalue()) == (0, "record verified: 2 entities recomputed, every value "
                                         "matches\n")
    capsys.readouterr()
    assert sheet_read(path) == "Mới" and sheet_read(path, "Old") == "Old"
    assert sheet_read(tmp_path / "data.csv") is None  # a table of another format has no sheet
