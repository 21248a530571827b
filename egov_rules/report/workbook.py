"""Result tables as a workbook (.xlsx): one sheet per `Table`, the same cells the CSV writes.

Numbers are stored as numbers (the decimal the CSV holds, `numbers.machine_str`), shown with
an index's declared decimals; text is stored as text, never as a formula: a name written
`=SUM(A1)` stays those characters, so no `'` guard is needed (nor added) here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from egov_rules.numbers import machine_str
from egov_rules.report.safe import printable
from egov_rules.report.tables import Cell, Figure, Table

_BOLD, _WRAP = Font(bold=True), Alignment(wrap_text=True, vertical="top")
_KEYS = Font(italic=True, color="666666")
_NOT_IN_A_NAME = re.compile(r"[\[\]:*?/\\]")  # what Excel refuses in a sheet's name
WIDTH = (8, 40)  # a column's width bounds, in characters


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """A sheet per table: its headers in row 1 (bold), its column keys in row 2 when it has
    them, both frozen, then its rows; the caption, if any, below."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    names: set[str] = set()
    for table in tables:
        _fill(book.create_sheet(_sheet_name(table.title, names)), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _NOT_IN_A_NAME.sub("-", printable(title, one_line=True)).strip("' ")[:31] or "Sheet"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base[:31 - len(str(number)) - 1]}~{number}"
    taken.add(name.lower())
    return name


def _fill(sheet: Worksheet, table: Table) -> None:
    rows: list[Sequence[Cell]] = [table.headers, *([table.keys] if table.keys else [])]
    for row in (*rows, *table.rows):
        sheet.append([None] * len(row))  # a row, then its cells: each is typed by _put
        for column, value in enumerate(row, start=1):
            _put(_at(sheet, sheet.max_row, column), value)
    for cell in sheet[1]:
        cell.font, cell.alignment = _BOLD, _WRAP
    if table.keys:
        for cell in sheet[2]:
            cell.font = _KEYS
    sheet.freeze_panes = _at(sheet, len(rows) + 1, 2)
    if table.caption:
        _put(_at(sheet, sheet.max_row + 2, 1), table.caption)
    _widths(sheet, [table.headers, *table.rows[:200]])


def _at(sheet: Worksheet, row: int, column: int) -> SheetCell:
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, SheetCell), "no cell is merged here"
    return cell


def _put(cell: SheetCell, value: Cell) -> None:
    if value is None:
        return
    if isinstance(value, Figure | Fraction):
        figure = value if isinstance(value, Figure) else Figure(value, None)
        cell.value = float(machine_str(figure.value, figure.digits))
        if figure.digits is not None:
            cell.number_format = "0." + "0" * figure.digits if figure.digits else "0"
        return
    if isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        return
    # Text, always: openpyxl would store "=…" as a formula. Controls, which a workbook cannot
    # hold, are shown as visible escapes.
    cell.value = printable(str(value))
    cell.data_type = "s"


def _widths(sheet: Worksheet, rows: Sequence[Sequence[Cell]]) -> None:
    low, high = WIDTH
    for column in range(1, max((len(r) for r in rows), default=0) + 1):
        longest = max((_length(r[column - 1]) for r in rows if column <= len(r)), default=0)
        sheet.column_dimensions[get_column_letter(column)].width = min(high, max(low, longest + 2))


def _length(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, Figure):
        return len(machine_str(value.value, value.digits))
    return len(machine_str(value) if isinstance(value, Fraction) else str(value))
