"""Entities from tables: CSV (`,` or `;`, UTF-8 with or without BOM) here, XLSX workbooks in
`xlsx.py`. One row per entity: `entity`, `block`, then one column per indicator id; every cell
located."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.inputs import values
from egov_rules.inputs.values import (
    IGNORED,
    MAX_ENTITIES,
    MAX_STREAM_BYTES,
    MAX_STREAM_ROWS,
    MAX_TEXT_CHARS,
    MAX_VALUES,
    EntityData,
    Located,
    Reading,
    _is_empty,
    _report,
    _report_duplicate,
    block_id,
    checked_stream,
    folded,
    normal_text,
    normal_value,
    share_as_fraction,
    too_many_entities,
    too_many_values,
)
from egov_rules.model import Model
from egov_rules.source import SourceFile, Span

ENTITY_COLUMNS = ("entity", "đơn vị", "don_vi", "tên đơn vị", "tỉnh", "tỉnh/thành phố",
                  "tỉnh, thành phố")
BLOCK_COLUMNS = ("block", "khối", "khoi", "khối đơn vị")
# The name of a row that sums or averages the rows above it: never an entity (W527).
SUMMARY_ROWS = frozenset({"tổng cộng", "cộng", "tổng", "tổng số", "bình quân", "trung bình",
                          "total", "totals", "average", "mean"})
MAX_TITLE_ROWS = 10  # rows above a table's header looked through for it
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


def _column_kind(name: str, reading: Reading | None = None) -> str:
    heading = folded(name)
    mapped = reading.columns.get(heading) if reading is not None else None
    if mapped in ("entity", "block"):
        return mapped
    if mapped == IGNORED:  # `heading: ~` in the map: read, named (W520), not scored
        return "info"
    if mapped is not None:
        return "indicator"
    if heading in ENTITY_COLUMNS:
        return "entity"
    if heading in BLOCK_COLUMNS:
        return "block"
    if not heading:
        return "blank"
    if heading.startswith("#") or heading in INFO_COLUMNS:
        return "info"
    return "indicator"


def indicator_of(heading: str, model: Model | None, reading: Reading | None = None) -> str:
    """The indicator a column heading names: as `--columns` maps it, else by its id or its
    label (vi or en), compared without case; the heading itself when none matches."""
    given = folded(heading)
    mapped = reading.columns.get(given) if reading is not None else None
    if mapped is not None:
        return mapped
    if model is None or heading in model.indicators:
        return heading
    for indicator in model.indicators.values():
        if given in (folded(indicator.id), folded(indicator.label),
                     folded(model.label_en(indicator) or indicator.id)):
            return indicator.id
    return heading


def _headings(row: list[Located]) -> list[str]:
    return [normal_text(str(cell.value or "")) for cell in row]


def _is_header(row: list[Located], model: Model | None, reading: Reading) -> bool:
    """A table's header: it names the entity and block columns, or half the indicators."""
    headings = _headings(row)
    kinds = {_column_kind(h, reading) for h in headings}
    if {"entity", "block"} <= kinds:
        return True
    if model is None or not model.indicators:
        return False
    named = {indicator_of(h, model, reading) for h in headings} & set(model.indicators)
    return 2 * len(named) >= len(model.indicators)


def header_at(first: list[list[Located]], numbers: list[int], model: Model | None,
              reading: Reading, reporter: Reporter) -> int:
    """Which of a table's first rows is its header (`numbers`: each row's number as the file
    counts it): the row `--header-row` names, else the first that `_is_header`; the title
    rows above it are named (W527), never read as entities."""
    if reading.header_row is not None:
        found = next((i for i, n in enumerate(numbers) if n == reading.header_row), None)
        if found is None:
            where = first[0][0] if first and first[0] else Located(None)
            _report(reporter, codes.BAD_DATA, where,
                    detail=f"--header-row {reading.header_row}: the table has no such row",
                    detail_vi=f"--header-row {reading.header_row}: bảng không có dòng này")
            return 0
    else:
        found = next((i for i, row in enumerate(first) if _is_header(row, model, reading)), 0)
        if not any(not _is_empty(cell.value) for row in first[:found] for cell in row):
            return found  # only blank rows above the header: nothing to name
    if found:
        titles = "; ".join(f"`{values.shown(t, 60)}`" for row in first[:found]
                           for t in _headings(row)[:1] if t)
        rows = ", ".join(map(str, numbers[:found]))
        _report(reporter, codes.ROWS_NOT_READ, first[found][0] if first[found] else Located(None),
                detail=f"the header is row {numbers[found]}; row(s) {rows} above it are a title, "
                       f"not read: {titles}",
                detail_vi=f"dòng tiêu đề cột là dòng {numbers[found]}; (các) dòng {rows} phía trên "
                          f"là tiêu đề, không được đọc: {titles}")
    return found


def _entities_from_table(table: _Table, reporter: Reporter, model: Model | None,
                         reading: Reading | None = None) -> list[EntityData]:
    names = _Names()
    entities = list(_entities(table.header, zip(table.rows, table.end_of_row, strict=True),
                              reporter, model, names, reading or Reading()))
    names.report_later(reporter, lambda offsets: {})  # a workbook's cells are kept: none later
    return entities


def _summary(row: list[Located], entity_col: int) -> Located | None:
    """The cell naming a row as a total or an average (`Tổng cộng`, `Bình quân`): in the
    entity column, or first in the row when that is empty (a label across merged cells)."""
    named = row[entity_col] if entity_col < len(row) and not _is_empty(row[entity_col].value) \
        else next((cell for cell in row if not _is_empty(cell.value)), None)
    if named is None or not isinstance(named.value, str):
        return None
    return named if folded(named.value) in SUMMARY_ROWS else None


def _entities(header: list[Located], rows: Iterable[tuple[list[Located], Located]],
              reporter: Reporter, model: Model | None, names: _Names, reading: Reading
              ) -> Iterator[EntityData]:
    """Each row's entity, as the rows come: the header's columns are checked once first.
    `rows` holds each row's cells and where its missing trailing cells would be."""
    kinds = [_column_kind(heading, reading) for heading in _headings(header)]
    only = _only_block(model) if "block" not in kinds else None  # one block: no column needed
    if "entity" not in kinds or ("block" not in kinds and only is None):
        where = header[0] if header else Located(None)
        _report(reporter, codes.BAD_DATA, where,
                hint=Text("the first row names the columns: entity, block, then one per indicator",
                          "dòng đầu đặt tên cột: entity (đơn vị), block (khối), rồi mỗi chỉ số "
                          "một cột"),
                detail="the table needs an `entity` column and a `block` column",
                detail_vi="bảng cần có cột `entity` (đơn vị) và cột `block` (khối)")
        return
    columns = _indicator_columns(header, kinds, reporter, model, reading)
    absent = _absent_columns(columns, model)
    unreported = set(absent)  # reported at the first row whose block reads one
    entity_col = kinds.index("entity")
    block_col = kinds.index("block") if only is None else -1
    for row, end in rows:
        if all(_is_empty(cell.value) for index, cell in enumerate(row) if index != block_col):
            continue  # a blank line carries nothing, nor one left unfilled in a template
        summary = _summary(row, entity_col)
        if summary is not None:  # it would be scored, and move the block's best
            name = values.shown(normal_text(str(summary.value)), 60)
            _report(reporter, codes.ROWS_NOT_READ, summary,
                    detail=f"`{name}` is a summary row (a total or an average): left out, "
                           "not scored",
                    detail_vi=f"`{name}` là dòng tổng hợp (tổng cộng hoặc bình quân): bỏ qua, "
                              "không chấm điểm")
            continue
        _stray_cells(row, kinds, reporter)
        name_cell = _cell(row, end, entity_col)
        name = "" if _is_empty(name_cell.value) else normal_text(str(name_cell.value))
        if not name:
            _report(reporter, codes.BAD_DATA, name_cell,
                    detail="this row has figures but no entity name",
                    detail_vi="dòng này có số liệu nhưng thiếu tên đơn vị")
            continue
        if not names.first_time(name, name_cell, reporter):
            continue
        block_cell = _cell(row, end, block_col) if only is None else \
            Located(only, name_cell.span, name_cell.path)
        block = None if _is_empty(block_cell.value) else normal_text(str(block_cell.value))
        if model is not None and block is not None:  # by its id or label, in any case
            block = block_id(model, block) or block
        figures = {}
        for index, indicator in columns.items():
            cell = _cell(row, end, index)
            raw = normal_value(cell.value)
            figures[indicator] = Located(None if raw == "" else raw, cell.span, cell.path)
        entity = EntityData(name=name, block=Located(block, block_cell.span, block_cell.path),
                            values=figures, span=name_cell.span, path=name_cell.path,
                            missing_reported=absent, locale=reading.locale)
        needed = unreported & (model.reads.get(str(block), frozenset()) if model else set())
        if needed:
            _report_absent(header, [n for n in absent if n in needed], reporter)
            unreported -= needed
        if model is not None:
            share_as_fraction(model, entity, reporter)
        yield entity


def _only_block(model: Model | None) -> str | None:
    """The block of a methodology that declares one: a table needs no block column then."""
    return next(iter(model.blocks)) if model is not None and len(model.blocks) == 1 else None


class _Names:
    """The entity names read so far, each with where it was first given. A name read from a
    text file keeps only that offset (a file of a million rows would otherwise keep every
    row's cells); the cell itself is read again, from the file, for a name given twice."""

    def __init__(self) -> None:
        self.first: dict[str, int | Located] = {}
        self.later: list[tuple[str, Located, int]] = []

    def first_time(self, name: str, cell: Located, reporter: Reporter) -> bool:
        first = self.first.get(name)
        if first is None:
            self.first[name] = cell if cell.span is None else cell.span.start
            return True
        if isinstance(first, Located):
            _report_duplicate(reporter, name, cell, first)
        else:
            self.later.append((name, cell, first))
        return False

    def report_later(self, reporter: Reporter,
                     cells_at: Callable[[set[int]], dict[int, Located]]) -> None:
        """Report each name given again, with its first cell (`cells_at`: offset → cell)."""
        if not self.later:
            return
        cells = cells_at({offset for _, _, offset in self.later})
        for name, cell, offset in self.later:
            _report_duplicate(reporter, name, cell, cells[offset])
        self.later.clear()


def _cell(row: list[Located], end: Located, index: int) -> Located:
    return row[index] if index < len(row) else end


def _indicator_columns(header: list[Located], kinds: list[str], reporter: Reporter,
                       model: Model | None, reading: Reading) -> dict[int, str]:
    """Column index → indicator id, reporting ignored, unknown and repeated headers."""
    columns: dict[int, str] = {}
    for index, (cell, kind) in enumerate(zip(header, kinds, strict=True)):
        name = normal_text(str(cell.value or ""))
        if kind == "indicator":
            name = indicator_of(name, model, reading)
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


def _absent_columns(columns: dict[int, str], model: Model | None) -> frozenset[str]:
    """Indicators with no column at all: one error for the file, not one per row, and only
    once a row's block reads one (a column no block of the file reads may be left out)."""
    if model is None:
        return frozenset()
    return frozenset(name for name in model.indicators
                     if name not in columns.values() and model.missing_for(name) == "error")


def _report_absent(header: list[Located], absent: list[str], reporter: Reporter) -> None:
    names = ", ".join(f"`{name}`" for name in absent)
    plural = "s" if len(absent) > 1 else ""
    _report(reporter, codes.BAD_DATA, header[0] if header else Located(None),
            hint=Text("add the columns (the methodology's policy is `missing error`)",
                      "thêm các cột này (phương pháp quy định `missing error`)"),
            detail=f"no column for indicator{plural} {names}",
            detail_vi=f"không có cột cho chỉ số {names}")


def _stray_cells(row: list[Located], kinds: list[str], reporter: Reporter) -> None:
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


@dataclass(frozen=True)
class CsvBounds:
    """What one CSV file may hold (docs/testing.md, "Data limits"): read whole, its rows are
    kept and bounded for memory; read as a stream, only its time and one record are bounded."""

    max_bytes: int
    max_rows: int  # rows (entities) after the header
    max_values: int | None  # cells, the header's included


STREAMED = CsvBounds(MAX_STREAM_BYTES, MAX_STREAM_ROWS, None)


def _whole() -> CsvBounds:
    """The bounds of a file read whole, as they are when it is read (tests lower them)."""
    return CsvBounds(values.MAX_FILE_BYTES, MAX_ENTITIES, MAX_VALUES)


def load_csv(path: str | Path, reporter: Reporter, model: Model | None = None,
             reading: Reading | None = None) -> list[EntityData]:
    """Entities from a CSV file: UTF-8 (BOM or not), `,` or `;` delimited, one row per entity.
    Blank lines are skipped; a line ends at LF, CRLF or CR outside quotes (RFC 4180). A `;`
    file writes numbers the `vi` way unless `reading` gives a locale (Excel's `;` CSV is
    written where `,` is the decimal mark)."""
    return list(stream_csv(path, reporter, model, _whole(), reading))


def stream_csv(path: str | Path, reporter: Reporter, model: Model | None = None,
               bounds: CsvBounds | None = None, reading: Reading | None = None
               ) -> Iterator[EntityData]:
    """`load_csv`'s entities one at a time, as the file is read: the same rules and the same
    diagnostics, none of the rows kept. A name given twice is reported when the file ends.
    `bounds`: STREAMED by default."""
    bounds = bounds or STREAMED
    reading = reading or Reading()
    if not checked_stream(path, reporter, bounds.max_bytes):
        return
    with _CsvReader(path, reporter, bounds) as reader:
        if reader.delimiter is None:
            reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
                "detail": "the file is empty", "detail_vi": "tệp rỗng"}, path=str(path)))
            return
        if reader.delimiter == ";" and reading.locale is None:
            reading = replace(reading, locale="vi")
        records = reader.records()
        first = list(islice(records, MAX_TITLE_ROWS + 1))
        if not first:
            return
        lines = [cells[0].span.line if cells and cells[0].span else 0 for cells, _ in first]
        at = header_at([cells for cells, _ in first], lines, model, reading, reporter)
        names = _Names()
        yield from _entities(first[at][0], chain(first[at + 1:], records), reporter, model,
                             names, reading)
    names.report_later(reporter, partial(_cells_at, path))


def _cells_at(path: str | Path, offsets: set[int]) -> dict[int, Located]:
    """The cells of a CSV file that start at these offsets, read again from the file."""
    found: dict[int, Located] = {}
    with _CsvReader(path, Reporter(), replace(STREAMED, max_rows=2**62)) as reader:
        for cells, _ in reader.records():
            for cell in cells:
                if cell.span is not None and cell.span.start in offsets:
                    found[cell.span.start] = cell
    return found


class _More(Exception):
    """The buffer ends before the record does: read on, then read the record again."""


class _CsvReader:
    """CSV records with every cell located, read from the file a buffer at a time: quoted cells
    may hold delimiters, quotes (`""`) and line breaks; anything else malformed is a located
    error, never a traceback. Spans hold the file's offsets and its lines as counted in the
    whole file (LF), over a piece of the file that lives while a cell or diagnostic needs it."""

    CHUNK = 1 << 20  # characters read at a time, at least; more while a record is longer

    def __init__(self, path: str | Path, reporter: Reporter, bounds: CsvBounds) -> None:
        self.path, self.reporter, self.bounds = str(path), reporter, bounds
        # utf-8-sig drops a BOM as SourceFile.read does; newline="": line ends are the reader's
        self.file = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115  # closed by __exit__
        self.text, self.eof = "", False
        self.source = SourceFile(self.path, "")
        self.delimiter = self._sniff()
        if self.delimiter is not None:
            self.unquoted = re.compile(f"[^{re.escape(self.delimiter)}\r\n]*")
        self.newline = re.compile("[\r\n]")

    def __enter__(self) -> _CsvReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def _sniff(self) -> str | None:
        """The delimiter, from the first line that holds more than white space."""
        while True:
            found = re.search(r"[^\r\n]*\S[^\r\n]*", self.text)
            if found is not None and (found.end() < len(self.text) or self.eof):
                return sniff_delimiter(found.group())
            if self.eof:
                return None
            self._read_on(0)

    def _read_on(self, consumed: int) -> None:
        """Drop the first `consumed` characters (read already), then read at least as much
        again as is left, so that a long record is read again only a few times."""
        gone = self.text[:consumed]
        source = self.source
        line = source.first_line + gone.count("\n")
        last = gone.rfind("\n")
        column = consumed - last if last >= 0 else source.first_column + consumed
        more = self.file.read(max(self.CHUNK, len(self.text) - consumed))
        self.eof = not more
        self.text = self.text[consumed:] + more
        self.source = SourceFile(self.path, self.text, source.offset + consumed, line, column)

    def records(self) -> Iterator[tuple[list[Located], Located]]:
        """The non-blank records, each with where its missing trailing cells would be."""
        pos = rows = count = 0
        while True:
            if pos >= len(self.text):
                if self.eof:
                    return
                self._read_on(pos)
                pos = 0
                continue
            found = Reporter()
            try:
                record = self._record(pos, found)
            except _More:
                self._read_on(pos)
                pos = 0
                continue
            self.reporter.diagnostics += found.diagnostics
            if record is None:
                return  # an unclosed quote: the rest of the file would be one cell
            cells, end, pos = record
            if all(not cell.value for cell in cells):  # a blank line, or a dropped one
                continue
            count += len(cells)
            limit = self.bounds.max_values
            if rows > self.bounds.max_rows or (limit is not None and count > limit):
                if rows > self.bounds.max_rows:  # the header is not an entity
                    too_many_entities(self.reporter, cells[0], self.bounds.max_rows)
                else:
                    too_many_values(self.reporter, cells[0])
                return
            rows += 1
            yield cells, Located(None, self._span(end, end))

    def _span(self, start: int, end: int) -> Span:
        offset = self.source.offset
        return self.source.span(offset + start, offset + end)

    def _record(self, pos: int, found: Reporter) -> tuple[list[Located], int, int] | None:
        """(cells, where the record ends, where the next begins), or None after an error that
        ends the reading; _More when the buffer ends first."""
        newline = self.newline.search(self.text, pos)
        if newline is None or newline.end() == len(self.text):
            self._need(len(self.text))  # no line end yet, or a CR that a LF may follow
        end = newline.start() if newline is not None else len(self.text)
        line = self.text[pos:end]
        if '"' in line:
            return self._quoted_record(pos, found)
        cells: list[Located] = []
        for value in line.split(self.delimiter):  # the usual record, read fast
            cells.append(Located(value, self._span(pos, pos + len(value))))
            pos += len(value) + 1
        return self._within_limit(cells, found), end, self._next(end)

    def _need(self, end: int) -> None:
        """Read on unless the record, ending at `end`, is known to end there."""
        if not self.eof and end >= len(self.text) - 1:
            raise _More

    def _quoted_record(self, pos: int, found: Reporter) -> tuple[list[Located], int, int] | None:
        cells: list[Located] = []
        while True:
            start = pos
            cell = self._quoted(pos, found) if self.text.startswith('"', pos) else self._plain(pos)
            if cell is None:
                return None
            value, pos = cell
            cells.append(Located(value, self._span(start, pos)))
            if not self.text.startswith(self.delimiter or ",", pos):
                break
            pos += 1
        self._need(pos)
        return self._within_limit(cells, found), pos, self._next(pos)

    def _next(self, end: int) -> int:
        return end + (2 if self.text.startswith("\r\n", end) else 1)

    def _within_limit(self, cells: list[Located], found: Reporter) -> list[Located]:
        """The record, or none of it when a cell exceeds MAX_TEXT_CHARS (reported)."""
        too_long = [cell.span for cell in cells
                    if cell.span is not None and cell.span.end - cell.span.start > MAX_TEXT_CHARS]
        for span in too_long:
            size = span.end - span.start
            found.report(codes.TOO_LARGE, self.source.span(span.start, span.start + 1),
                         what=f"a cell ({size:,} characters)",
                         what_vi=f"một ô ({size:,} ký tự)",
                         limit=f"{MAX_TEXT_CHARS:,} characters",
                         limit_vi=f"{MAX_TEXT_CHARS:,} ký tự")
        return [] if too_long else cells

    def _plain(self, pos: int) -> tuple[str, int]:
        end = self.unquoted.match(self.text, pos).end()  # type: ignore[union-attr]
        return self.text[pos:end], end

    def _quoted(self, pos: int, found: Reporter) -> tuple[str, int] | None:
        """A quoted cell from its opening quote: its value and where it ends."""
        parts: list[str] = []
        inside = pos + 1
        while True:
            close = self.text.find('"', inside)
            if close < 0:
                self._need(len(self.text))
                found.report(
                    codes.BAD_DATA, self._span(pos, pos + 1),
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
            found.report(
                codes.BAD_DATA, self._span(end, after),
                hint=Text("quote the whole cell, and write a quote inside it as \"\"",
                          "đặt cả ô trong dấu nháy; dấu nháy bên trong viết là \"\""),
                detail="text after the closing quote of a cell",
                detail_vi="có ký tự sau dấu nháy đóng của ô")
        return "".join(parts) + self.text[end:after], after
