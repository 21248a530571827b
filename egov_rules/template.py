"""`egov-rules template`: a workbook an evaluator fills in, that `score` then reads as it is.

One sheet per block, named by the block's id: a header row of the columns the reader expects
(`entity`, `block`, one indicator id per column: ids, so that the file scores with no edit),
each heading carrying a comment with the indicator's label, type, bounds, unit and source;
yes/no and option columns offer their answers in a drop-down; the block is filled in on the
rows to fill. A last sheet, "Hướng dẫn" / "Guide", lists the same facts as a table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from egov_rules.annex import IndicatorFacts, indicator_facts
from egov_rules.diagnostics import Lang, Text
from egov_rules.model import Model

DEFAULT_ROWS = 5
MAX_ROWS = 10_000  # rows to fill per sheet: more is a spreadsheet nobody would scroll
_BOLD = Font(bold=True)
_WORDS: dict[str, Text] = {
    "guide": Text("Guide", "Hướng dẫn"),
    "sheet": Text("Sheet", "Trang tính"),
    "id": Text("Column (id)", "Cột (mã)"), "label": Text("Label", "Tên chỉ tiêu"),
    "type": Text("Type and bounds", "Kiểu và giới hạn"), "unit": Text("Unit", "Đơn vị tính"),
    "direction": Text("Direction", "Chiều tốt"), "source": Text("Data source", "Nguồn số liệu"),
    "entity": Text("the entity's name, once per row", "tên đơn vị, mỗi dòng một đơn vị"),
    "block": Text("the block (already filled in)", "khối (đã điền sẵn)"),
    "how": Text("Fill one row per entity under its block's sheet; leave the headings (row 1) "
                "as they are: they are the columns `egov-rules score` reads.",
                "Mỗi đơn vị điền một dòng ở trang tính của khối; giữ nguyên dòng tiêu đề (dòng 1): "
                "đó là các cột `egov-rules score` đọc."),
}
# The answers offered for a yes/no column: words the data reader takes (inputs/values.py).
_YES_NO = {"vi": ("có", "không"), "en": ("yes", "no")}


@dataclass(frozen=True, slots=True)
class _Sheet:
    block: str
    facts: list[IndicatorFacts]


def template_bytes(model: Model, blocks: Sequence[str], lang: Lang, rows: int = DEFAULT_ROWS
                   ) -> bytes:
    """The workbook (.xlsx) for `blocks` (ids of `model`), `rows` rows to fill on each sheet."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    # Only what the block reads: no other indicator is required of its entities.
    sheets = [_Sheet(block, [f for f in indicator_facts(model, block, lang) if f.used])
              for block in blocks]
    for sheet in sheets:
        _fill(book.create_sheet(sheet.block[:31]), model, sheet, lang, rows)
    _guide(book.create_sheet(_WORDS["guide"](lang)), sheets, lang)
    book.active = 0  # the reader takes the active sheet: the first block's
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, model: Model, plan: _Sheet, lang: Lang, rows: int) -> None:
    entity, block = ("đơn vị", "khối") if lang == "vi" else ("entity", "block")
    sheet.append([entity, block, *(f.id for f in plan.facts)])
    notes = [_WORDS["entity"](lang), _WORDS["block"](lang), *(_note(f) for f in plan.facts)]
    for column, note in enumerate(notes, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.comment = _BOLD, Comment(note, "egov-rules", width=320, height=160)
        sheet.column_dimensions[get_column_letter(column)].width = max(12, len(str(cell.value)) + 2)
    for row in range(2, rows + 2):
        sheet.cell(row=row, column=2, value=plan.block)
    sheet.freeze_panes = "C2"
    for column, facts in enumerate(plan.facts, start=3):
        choices = _choices(model, facts.id, lang)
        if choices:
            letter = get_column_letter(column)
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                        allow_blank=True)
            validation.add(f"{letter}2:{letter}{rows + 1}")
            sheet.add_data_validation(validation)


def _choices(model: Model, indicator: str, lang: Lang) -> tuple[str, ...]:
    declared = model.indicators[indicator]
    if declared.kind == "yes/no":
        return _YES_NO[lang]
    if declared.kind == "options":
        return tuple(o.id for o in declared.options)
    return ()


def _note(facts: IndicatorFacts) -> str:
    lines = [facts.label, facts.kind + (f" ({facts.unit})" if facts.unit else ""), facts.direction]
    if facts.data_source:
        lines.append(facts.data_source)
    return "\n".join(lines)


def _guide(sheet: Worksheet, sheets: list[_Sheet], lang: Lang) -> None:
    sheet.append([_WORDS["how"](lang)])
    sheet.append([])
    keys = ("sheet", "id", "label", "type", "unit", "direction", "source")
    sheet.append([_WORDS[k](lang) for k in keys])
    for cell in sheet[3]:
        cell.font = _BOLD
    for plan in sheets:
        for f in plan.facts:
            sheet.append([plan.block, f.id, f.label, f.kind, f.unit, f.direction, f.data_source])
    for letter, width in zip("ABCDEFG", (12, 22, 60, 36, 10, 18, 40), strict=True):
        sheet.column_dimensions[letter].width = width
