"""Entities from tables: CSV (`,` or `;`, UTF-8 with or without BOM) here, XLSX workbooks in
`xlsx.py`. One row per entity: `entity`, `block`, then one column per indicator id; every cell
located."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.inputs.values import (
    MAX_ENTITIES,
    MAX_TEXT_CHARS,
    MAX_VALUES,
    EntityData,
    Located,
    _is_empty,
    _read_text,
    _report,
    _report_duplicate,
    normal_text,
    normal_value,
    too_many_entities,
    too_many_values,
)
from egov_rules.model import Model
from egov_rules.source import SourceFile

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
    kinds = [_column_kind(normal_text(str(cell.value or ""))) for cell in table.header]
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
        if all(_is_empty(cell.value) for index, cell in enumerate(row) if index != block_col):
            continue  # a blank line carries nothing, nor one left unfilled in a template
        _stray_cells(table, row, kinds, reporter)
        name_cell = _cell(table, row, number, entity_col)
        name = "" if _is_empty(name_cell.value) else normal_text(str(name_cell.value))
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
        block = None if _is_empty(block_cell.value) else normal_text(str(block_cell.value))
        values = {}
        for index, indicator in columns.items():
            cell = _cell(table, row, number, index)
            raw = normal_value(cell.value)
            values[indicator] = Located(None if raw == "" else raw, cell.span, cell.path)
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
        name = normal_text(str(cell.value or ""))
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


def sniff_delimiter(header_line: str) -> str:
    """`;` when the header has more semicolons than commas (Excel in many locales), else `,`."""
    unquoted = "".join(part for i, part in enumerate(header_line.split('"')) if i % 2 == 0)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def load_csv(path: str | Path, reporter: Reporter, model: Model | None = None) -> list[EntityData]:
    """Entities from a CSV file: UTF-8 (BOM or not), `,` or `;` delimited, one row per entity.
    Blank lines are skipped; a line ends at LF, CRLF or CR outside quotes (RFC 4180)."""
    source = _read_text(path, reporter)
    if source is None:
        return []
    first_line = re.search(r"[^\r\n]*\S[^\r\n]*", source.text)
    if first_line is None:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": "the file is empty", "detail_vi": "tệp rỗng"}, path=str(path)))
        return []
    reader = _CsvReader(source, sniff_delimiter(first_line.group()), reporter)
    rows, ends = reader.rows()
    if not rows:
        return []
    return _entities_from_table(_Table(rows[0], rows[1:], ends[1:]), reporter, model)


class _CsvReader:
    """CSV records with every cell located: quoted cells may hold delimiters, quotes (`""`)
    and line breaks; anything else malformed is a located error, never a traceback."""

    def __init__(self, source: SourceFile, delimiter: str, reporter: Reporter) -> None:
        self.source, self.text, self.delimiter = source, source.text, delimiter
        self.reporter = reporter
        self.unquoted = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
        self.newline = re.compile("[\r\n]")

    def rows(self) -> tuple[list[list[Located]], list[Located]]:
        """The non-blank records, and where each one's missing trailing cells would be."""
        rows: list[list[Located]] = []
        ends: list[Located] = []
        pos = count = 0
        while pos < len(self.text):
            record = self._record(pos)
            if record is None:
                break  # an unclosed quote: the rest of the file would be one cell
            cells, end, pos = record
            if all(not cell.value for cell in cells):  # a blank line, or a dropped one
                continue
            count += len(cells)
            if len(rows) > MAX_ENTITIES or count > MAX_VALUES:  # the header is not an entity
                (too_many_entities if len(rows) > MAX_ENTITIES else too_many_values)(
                    self.reporter, cells[0])
                break
            rows.append(cells)
            ends.append(Located(None, self.source.span(end, end)))
        return rows, ends

    def _record(self, pos: int) -> tuple[list[Located], int, int] | None:
        """(cells, where the record ends, where the next begins), or None after an error that
        ends the reading."""
        newline = self.newline.search(self.text, pos)
        end = newline.start() if newline is not None else len(self.text)
        line = self.text[pos:end]
        if '"' in line:
            return self._quoted_record(pos)
        cells: list[Located] = []
        for value in line.split(self.delimiter):  # the usual record, read fast
            cells.append(Located(value, self.source.span(pos, pos + len(value))))
            pos += len(value) + 1
        return self._within_limit(cells), end, self._next(end)

    def _quoted_record(self, pos: int) -> tuple[list[Located], int, int] | None:
        cells: list[Located] = []
        while True:
            start = pos
            cell = self._quoted(pos) if self.text.startswith('"', pos) else self._plain(pos)
            if cell is None:
                return None
            value, pos = cell
            cells.append(Located(value, self.source.span(start, pos)))
            if not self.text.startswith(self.delimiter, pos):
                break
            pos += 1
        return self._within_limit(cells), pos, self._next(pos)

    def _next(self, end: int) -> int:
        return end + (2 if self.text.startswith("\r\n", end) else 1)

    def _within_limit(self, cells: list[Located]) -> list[Located]:
        """The record, or none of it when a cell exceeds MAX_TEXT_CHARS (reported)."""
        too_long = [cell.span for cell in cells
                    if cell.span is not None and cell.span.end - cell.span.start > MAX_TEXT_CHARS]
        for span in too_long:
            size = span.end - span.start
            self.reporter.report(codes.TOO_LARGE, self.source.span(span.start, span.start + 1),
                                 what=f"a cell ({size:,} characters)",
                                 what_vi=f"một ô ({size:,} ký tự)",
                                 limit=f"{MAX_TEXT_CHARS:,} characters",
                                 limit_vi=f"{MAX_TEXT_CHARS:,} ký tự")
        return [] if too_long else cells

    def _plain(self, pos: int) -> tuple[str, int]:
        end = self.unquoted.match(self.text, pos).end()  # type: ignore[union-attr]
        return self.text[pos:end], end

    def _quoted(self, pos: int) -> tuple[str, int] | None:
        """A quoted cell from its opening quote: its value and where it ends."""
        parts: list[str] = []
        inside = pos + 1
        while True:
            close = self.text.find('"', inside)
            if close < 0:
                self.reporter.report(
                    codes.BAD_DATA, self.source.span(pos, pos + 1),
                    hint=Text('close the quote; write a quote inside a quoted cell as ""',
                              'đóng dấu nháy; dấu nháy bên trong ô có nháy viết là ""'),
                    detail="this quote opens a cell that is never closed",
                    detail_vi="dấu nháy này mở một ô không bao giờ được đóng")
                return None
            parts.append(self.text[inside:close])
            if not self.text.startswith('""', close):
                break
            parts.append('"')
            inside = close + 2
        end = close + 1
        after = self.unquoted.match(self.text, end).end()  # type: ignore[union-attr]
        if after > end:  # `"a"b`: not a quoted cell, nor a plain one
            self.reporter.report(
                codes.BAD_DATA, self.source.span(end, after),
                hint=Text("quote the whole cell, and write a quote inside it as \"\"",
                          "đặt cả ô trong dấu nháy; dấu nháy bên trong viết là \"\""),
                detail="text after the closing quote of a cell",
                detail_vi="có ký tự sau dấu nháy đóng của ô")
        return "".join(parts) + self.text[end:after], after
