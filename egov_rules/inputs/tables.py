"""Entities from tables: CSV (`,` or `;`, UTF-8 with or without BOM) here, XLSX workbooks in
`xlsx.py`. One row per entity: `entity`, `block`, then one column per indicator id; every cell
located."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.inputs.values import EntityData, Located, _is_empty, _read_text, _report, _report_duplicate
from egov_rules.model import Model

ENTITY_COLUMNS = ("entity", "đơn vị", "don_vi")
BLOCK_COLUMNS = ("block", "khối", "khoi")
# Columns evaluators keep beside the figures; read, named in a warning, never scored.
# Any column whose name starts with `#` is informational too.
INFO_COLUMNS = frozenset({
    "note", "notes", "comment", "comments", "source", "ghi chú", "ghi_chu", "nguồn", "stt", "no",
    "code", "province_code", "ministry_code", "commune_code", "mã", "ma", "mã tỉnh", "ma_tinh",
})


@dataclass(frozen=True)
class _Table:
    """A table's header cells and rows, every cell located; shared by CSV and XLSX."""

    header: list[Located]
    rows: list[list[Located]]
    end_of_row: list[Located]  # where a row's missing trailing cells would be


def _column_kind(name: str) -> str:
    folded = name.strip().casefold()
    if folded in ENTITY_COLUMNS:
        return "entity"
    if folded in BLOCK_COLUMNS:
        return "block"
    if not folded:
        return "blank"
    if folded.startswith("#") or folded in INFO_COLUMNS:
        return "info"
    return "indicator"


def _entities_from_table(table: _Table, reporter: Reporter, model: Model | None
                         ) -> list[EntityData]:
    kinds = [_column_kind(str(cell.value or "")) for cell in table.header]
    if "entity" not in kinds or "block" not in kinds:
        where = table.header[0] if table.header else Located(None)
        _report(reporter, codes.BAD_DATA, where,
                hint=Text("the first row names the columns: entity, block, then one per indicator",
                          "dòng đầu đặt tên cột: entity (đơn vị), block (khối), rồi mỗi chỉ số "
                          "một cột"),
                detail="the table needs an `entity` column and a `block` column",
                detail_vi="bảng cần có cột `entity` (đơn vị) và cột `block` (khối)")
        return []
    columns = _indicator_columns(table, kinds, reporter, model)
    absent = _absent_columns(table, columns, reporter, model)
    entity_col, block_col = kinds.index("entity"), kinds.index("block")
    entities: list[EntityData] = []
    seen: dict[str, Located] = {}
    for number, row in enumerate(table.rows):
        if all(_is_empty(cell.value) for cell in row):
            continue  # a blank line carries nothing
        _stray_cells(table, row, kinds, reporter)
        name_cell = _cell(table, row, number, entity_col)
        name = "" if _is_empty(name_cell.value) else str(name_cell.value).strip()
        if not name:
            _report(reporter, codes.BAD_DATA, name_cell,
                    detail="this row has figures but no entity name",
                    detail_vi="dòng này có số liệu nhưng thiếu tên đơn vị")
            continue
        if name in seen:
            _report_duplicate(reporter, name, name_cell, seen[name])
            continue
        seen[name] = name_cell
        block_cell = _cell(table, row, number, block_col)
        block = None if _is_empty(block_cell.value) else str(block_cell.value).strip()
        values = {}
        for index, indicator in columns.items():
            cell = _cell(table, row, number, index)
            raw = None if _is_empty(cell.value) else cell.value
            values[indicator] = Located(raw.strip() if isinstance(raw, str) else raw,
                                        cell.span, cell.path)
        entities.append(EntityData(name=name, block=Located(block, block_cell.span, block_cell.path),
                                   values=values, span=name_cell.span, path=name_cell.path,
                                   missing_reported=absent))
    return entities


def _cell(table: _Table, row: list[Located], number: int, index: int) -> Located:
    return row[index] if index < len(row) else table.end_of_row[number]


def _indicator_columns(table: _Table, kinds: list[str], reporter: Reporter, model: Model | None
                       ) -> dict[int, str]:
    """Column index → indicator id, reporting ignored, unknown and repeated headers."""
    columns: dict[int, str] = {}
    for index, (cell, kind) in enumerate(zip(table.header, kinds, strict=True)):
        name = str(cell.value or "").strip()
        if kind == "info":
            _report(reporter, codes.IGNORED_COLUMN, cell, name=name)
        elif kind in ("entity", "block") and kinds.index(kind) != index:
            _report(reporter, codes.DUPLICATE_ID, cell, name=name)
        elif kind != "indicator":
            continue
        elif name in columns.values():
            _report(reporter, codes.DUPLICATE_ID, cell, name=name)
        elif model is not None and name not in model.indicators:
            _report(reporter, codes.UNKNOWN_NAME, cell, name=name, kind="column",
                    kind_vi="cột (chỉ số)",
                    hint=did_you_mean(name, list(model.indicators)) or Text(
                        "name a column after an indicator id, or start its name with # to keep "
                        "it as a note", "đặt tên cột theo mã chỉ số, hoặc bắt đầu tên cột bằng # "
                        "để giữ làm ghi chú"))
        else:
            columns[index] = name
    return columns


def _absent_columns(table: _Table, columns: dict[int, str], reporter: Reporter,
                    model: Model | None) -> frozenset[str]:
    """Indicators with no column at all: one error for the file, not one per row."""
    if model is None or model.missing_policy != "error":
        return frozenset()
    absent = [name for name in model.indicators if name not in columns.values()]
    if absent:
        names = ", ".join(f"`{name}`" for name in absent)
        plural = "s" if len(absent) > 1 else ""
        _report(reporter, codes.BAD_DATA, table.header[0] if table.header else Located(None),
                hint=Text("add the columns (the methodology's policy is `missing error`)",
                          "thêm các cột này (phương pháp quy định `missing error`)"),
                detail=f"no column for indicator{plural} {names}",
                detail_vi=f"không có cột cho chỉ số {names}")
    return frozenset(absent)


def _stray_cells(table: _Table, row: list[Located], kinds: list[str], reporter: Reporter) -> None:
    """Figures in a column that has no header would otherwise vanish."""
    for index, cell in enumerate(row):
        kind = kinds[index] if index < len(kinds) else "blank"
        if kind == "blank" and not _is_empty(cell.value):
            _report(reporter, codes.BAD_DATA, cell,
                    detail=f"`{cell.value}` is in a column without a header",
                    detail_vi=f"`{cell.value}` nằm trong cột không có tên")


def _records(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each CSV record; a newline inside quotes does not end one."""
    records: list[tuple[int, int]] = []
    start, quoted = 0, False
    for offset, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            records.append((start, offset))
            start = offset + 1
    if start < len(text):
        records.append((start, len(text)))
    return records


def _field_starts(raw: str, delimiter: str) -> list[int]:
    starts, quoted = [0], False
    for offset, char in enumerate(raw):
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            starts.append(offset + 1)
    return starts


def sniff_delimiter(header_line: str) -> str:
    """`;` when the header has more semicolons than commas (Excel in many locales), else `,`."""
    unquoted = "".join(part for i, part in enumerate(header_line.split('"')) if i % 2 == 0)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def load_csv(path: str | Path, reporter: Reporter, model: Model | None = None) -> list[EntityData]:
    """Entities from a CSV file: UTF-8 (BOM or not), `,` or `;` delimited, one row per entity."""
    import csv

    source = _read_text(path, reporter)
    if source is None:
        return []
    records = _records(source.text)
    if not records:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": "the file is empty", "detail_vi": "tệp rỗng"}, path=str(path)))
        return []
    delimiter = sniff_delimiter(source.text[records[0][0]:records[0][1]])
    rows: list[list[Located]] = []
    ends: list[Located] = []
    for start, end in records:
        raw = source.text[start:end].removesuffix("\r")
        try:
            fields = next(csv.reader([raw], delimiter=delimiter), [])
        except csv.Error as error:
            reporter.report(codes.BAD_DATA, source.span(start, end), detail=f"not valid CSV: {error}",
                            detail_vi=f"không phải CSV hợp lệ: {error}")
            fields = []
        starts = _field_starts(raw, delimiter)
        if len(starts) != len(fields):  # a malformed quote: locate at the start of the record
            starts = [0] * len(fields)
        bounds = [*[s - 1 for s in starts[1:]], len(raw)]
        rows.append([Located(value, source.span(start + s, start + e))
                     for value, s, e in zip(fields, starts, bounds, strict=True)])
        ends.append(Located(None, source.span(start + len(raw), start + len(raw))))
    table = _Table(header=rows[0], rows=rows[1:], end_of_row=ends[1:])
    return _entities_from_table(table, reporter, model)
