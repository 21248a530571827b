"""Entities from XLSX workbooks, read from the package's XML with the standard library.

openpyxl's read-only mode, used before, trusted a sheet's `<dimension>` tag (cells outside it
vanished), padded every row to the widest column (one cell at XFD1048576 allocated the whole
grid), read a formula without a cached value as an empty cell and raised bare exceptions on a
malformed part. Here each part is streamed through expat within the limits below (documented
in docs/testing.md, "Data limits"), only cells that hold something are kept, and every problem
is a diagnostic located at `file.xlsx!Sheet:C7`.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.inputs.tables import (
    MAX_TITLE_ROWS,
    _column_kind,
    _entities_from_table,
    _Table,
    header_at,
    indicator_of,
)
from egov_rules.inputs.values import EntityData, Located, PercentCell, Reading, _is_empty
from egov_rules.model import Model

MAX_UNPACKED_BYTES = 200 * 2**20  # the XML read from one workbook, unpacked, all parts together
MAX_DIRECTORY_BYTES = 2**20  # the zip's table of contents, which zipfile reads whole: ~10,000 parts
MAX_ELEMENTS = 5_000_000  # XML elements read from one workbook: a table of 1,000,000 cells has 2-3
MAX_CELLS = 1_000_000  # cells of the table kept, empty ones inside it included
MAX_ENTRIES = 65_536  # sheets, relationships of a part, number formats, cell styles (Excel: 64,000)
MAX_TEXT = 32_767  # characters in one cell: Excel's own limit
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # a worksheet's size in Excel

_CHUNK = 1 << 16
_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# What a number format shows literally (quoted text, escaped characters, padding, colours,
# locales) hides no date or percent sign; `[h]`, `[mm]`, `[ss]` are elapsed times.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.I)
_BUILTIN_DATES = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_BUILTIN_PERCENTS = frozenset({9, 10})
_NOT_A_VALUE_HINT = Text(
    "open the workbook in Excel or LibreOffice and save it: the values of formulas are stored "
    "when it is saved",
    "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại: giá trị của công thức được ghi khi lưu")


class _Problem(Exception):
    """Ends the reading of a workbook; located at the file, a sheet or a cell."""

    def __init__(self, cell: str | None = None) -> None:
        super().__init__()
        self.cell, self.sheet = cell, ""

    def diagnostic(self, path: str) -> Diagnostic:
        raise NotImplementedError

    def where(self, path: str) -> str:
        sheet = f"!{self.sheet}" if self.sheet else ""
        return f"{path}{sheet}:{self.cell}" if self.sheet and self.cell else f"{path}{sheet}"


class _Unreadable(_Problem):
    """The package breaks the format."""

    def __init__(self, en: str, vi: str, cell: str | None = None) -> None:
        super().__init__(cell)
        self.en, self.vi = en, vi

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(codes.BAD_DATA, None, {
            "detail": f"not a readable workbook: {self.en}",
            "detail_vi": f"không đọc được tệp XLSX: {self.vi}"}, path=self.where(path))


class _TooLarge(_Problem):
    """Beyond one of the limits above: refused before the memory or the time is spent."""

    def __init__(self, en: str, vi: str, limit: int, unit: str = "", unit_vi: str = "") -> None:
        super().__init__()
        self.en, self.vi, self.limit, self.unit, self.unit_vi = en, vi, limit, unit, unit_vi

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(codes.TOO_LARGE, None, {
            "what": self.en, "what_vi": self.vi, "limit": f"{self.limit:,}{self.unit}",
            "limit_vi": f"{self.limit:,}{self.unit_vi}".replace(",", ".")}, path=self.where(path))


class _Stop(Exception):
    """Raised by a part's reader that has seen enough."""


@dataclass(frozen=True)
class _Refused:
    """A cell that holds no value to score (a date, an error, a formula never computed):
    reported where it would be read, harmless in a column of notes."""

    en: str
    vi: str
    shown: str  # what Excel shows, for a column without a header
    hint: Text | None = None


class _Reader:
    """What expat calls for one part; names arrive without their namespace."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _refuse_doctype(*_: object) -> None:
    # No part of a workbook has a DTD; without one, no entity can be declared or expanded.
    raise _Unreadable("a DOCTYPE declaration, which no workbook part has",
                      "có khai báo DOCTYPE, điều không phần nào của tệp XLSX có")


class _Package:
    """The zip archive; parts are found by name case-insensitively, as OPC says."""

    def __init__(self, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                if handle.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                    raise _Unreadable(
                        "an encrypted workbook or an Excel 97-2003 file: save it as .xlsx "
                        "without a password",
                        "tệp có mật khẩu hoặc tệp Excel 97-2003: lưu lại dạng .xlsx không mật khẩu")
                directory = _directory_size(handle)
        except OSError as error:
            raise _Unreadable(f"cannot read it ({error.strerror})",
                              f"không đọc được ({error.strerror})") from None
        if directory > MAX_DIRECTORY_BYTES:
            raise _TooLarge(f"the zip's table of contents ({directory:,} bytes)",
                            f"mục lục của tệp zip ({directory:,} byte)".replace(",", "."),
                            MAX_DIRECTORY_BYTES, " bytes", " byte")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise _Unreadable(f"not a ZIP package ({error})",
                              f"không phải gói ZIP ({error})") from None
        self.parts = {info.filename.lower(): info for info in self.zip.infolist()}
        self.unpacked = self.elements = 0

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *_: object) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return name.lower() in self.parts

    def feed(self, name: str, reader: _Reader) -> None:
        """Stream one part through `reader`, counting its unpacked size against the limit."""
        info = self.parts.get(name.lower())
        if info is None:
            raise _Unreadable(f"the part {name} is missing", f"thiếu phần {name}")
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                            zipfile.ZIP_DEFLATED):
            raise _Unreadable(f"{name}: encrypted or packed in a way Excel does not use",
                              f"{name}: bị mã hoá hoặc nén theo cách Excel không dùng")
        # zipfile never unpacks more than file_size (the CRC check fails instead), so the
        # declared size bounds what this part can cost.
        self.unpacked += info.file_size
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise _TooLarge(
                f"the XML read from this workbook ({self.unpacked:,} bytes unpacked, with {name})",
                f"phần XML đọc từ tệp ({self.unpacked:,} byte khi giải nén, gồm {name})"
                .replace(",", "."), MAX_UNPACKED_BYTES, " bytes", " byte")
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse_doctype

        def start(tag: str, attrs: dict[str, str]) -> None:
            # Each element costs a few Python calls, empty ones too: 4 bytes of `<c/>` pack
            # to almost nothing, so time is bounded by counting elements, not bytes.
            self.elements += 1
            if self.elements > MAX_ELEMENTS:
                raise _TooLarge("the number of XML elements read from this workbook",
                                "số phần tử XML đọc từ tệp", MAX_ELEMENTS)
            reader.start(tag[tag.rfind("}") + 1:], attrs)

        parser.StartElementHandler = start
        parser.EndElementHandler = lambda tag: reader.end(tag[tag.rfind("}") + 1:])
        parser.CharacterDataHandler = reader.text
        try:
            for chunk in self._chunks(info):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Stop:
            pass
        except expat.ExpatError as error:
            raise _Unreadable(f"{name}: bad XML: {error}", f"{name}: XML sai: {error}") from None
        except _Unreadable as problem:
            if problem.cell is None:  # a cell locates itself; anything else, by its part
                problem.en, problem.vi = f"{name}: {problem.en}", f"{name}: {problem.vi}"
            raise

    def _chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise _Unreadable(str(error), str(error)) from None

    def relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Id → (type, the part it points to) of the relationships of `part` ("": the package)."""
        folder, base = posixpath.split(part)
        found = _Relations(folder)
        self.feed(posixpath.join(folder, "_rels", f"{base}.rels"), found)
        return found.targets


def _directory_size(handle: BinaryIO) -> int:
    """The size of the zip's central directory as its end records declare it, which zipfile
    reads whole (with ~550 bytes per entry); 0 when there is no end record (zipfile refuses)."""
    end = handle.seek(0, 2)
    start = handle.seek(max(0, end - 22 - 65_535))
    tail = handle.read()
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return 0
    size = int.from_bytes(tail[at + 12:at + 16], "little")
    if start + at >= 76:  # a ZIP64 end record and its locator, just before: zipfile uses them
        handle.seek(start + at - 76)
        record = handle.read(76)
        if record[:4] == b"PK\x06\x06" and record[56:60] == b"PK\x06\x07":
            size = max(size, int.from_bytes(record[40:48], "little"))
    return size


class _Relations(_Reader):
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.targets: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            part = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(self.folder, target))
            self.targets[attrs.get("Id", "")] = (attrs.get("Type", "").rsplit("/", 1)[-1], part)
            _bounded(len(self.targets), "relationships of a part", "quan hệ của một phần")


@dataclass(eq=False)
class _Sheet:
    name: str
    state: str  # visible, hidden or veryHidden
    kind: str  # worksheet, chartsheet, dialogsheet, xlMacrosheet …
    part: str


class _WorkbookPart(_Reader):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, str | None]] = []  # name, state, relationship id
        self.active: str | None = None
        self.listing = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "sheets":
            self.listing = True
        elif name == "sheet" and self.listing:
            rid = next((v for k, v in attrs.items() if k.endswith("}id")), None)
            self.sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            _bounded(len(self.sheets), "sheets", "trang tính")
        elif name == "workbookView" and self.active is None:
            self.active = attrs.get("activeTab", "0")

    def end(self, name: str) -> None:
        if name == "sheets":
            self.listing = False


class _SharedStrings(_Reader):
    """`<si>` texts: plain, or the runs of rich text; phonetic guides (`<rPh>`) are not shown."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.buffer: list[str] | None = None
        self.length = 0
        self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "si":
            self.parts, self.length = [], 0
        elif name == "t" and not self.phonetic:
            self.buffer = []
        elif name == "rPh":
            self.phonetic = True

    def text(self, data: str) -> None:
        if self.buffer is not None:
            self.length += len(data)
            if self.length > MAX_TEXT:
                raise _too_long()
            self.buffer.append(data)

    def end(self, name: str) -> None:
        if name == "t" and self.buffer is not None:
            self.parts.append("".join(self.buffer))
            self.buffer = None
        elif name == "rPh":
            self.phonetic = False
        elif name == "si":
            self.strings.append("".join(self.parts))
            if len(self.strings) > MAX_CELLS:
                raise _TooLarge("the number of shared strings", "số chuỗi dùng chung", MAX_CELLS)


class _Styles(_Reader):
    """The number format of each cell style (`cellXfs`), and the workbook's own formats."""

    def __init__(self) -> None:
        self.codes: dict[int, str] = {}
        self.formats: list[int] = []
        self.listing = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            self.codes[_whole(attrs.get("numFmtId", ""), "numFmtId")] = attrs.get("formatCode", "")
            _bounded(len(self.codes), "number formats", "định dạng số")
        elif name == "cellXfs":
            self.listing = True
        elif name == "xf" and self.listing:
            self.formats.append(_whole(attrs.get("numFmtId", "0"), "numFmtId"))
            _bounded(len(self.formats), "cell styles", "kiểu ô")

    def end(self, name: str) -> None:
        if name == "cellXfs":
            self.listing = False


def _bounded(count: int, what: str, what_vi: str) -> None:
    # Each costs a few hundred bytes; a part of 200 MB could otherwise list millions.
    if count > MAX_ENTRIES:
        raise _TooLarge(f"the number of {what}", f"số {what_vi}", MAX_ENTRIES)


def _whole(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise _Unreadable(f"{what} `{text[:20]}` is not a whole number",
                          f"{what} `{text[:20]}` không phải số nguyên")
    return int(text)


def _too_long(cell: str | None = None) -> _Unreadable:
    return _Unreadable(f"a text of more than {MAX_TEXT:,} characters",
                       f"một chuỗi dài quá {MAX_TEXT:,} ký tự".replace(",", "."), cell)


class _Book:
    """The workbook's sheets, shared strings and number formats."""

    def __init__(self, package: _Package) -> None:
        self.package = package
        main = "xl/workbook.xml"
        if package.has("_rels/.rels"):
            main = next((part for kind, part in package.relations("").values()
                         if kind == "officeDocument"), main)
        workbook = _WorkbookPart()
        package.feed(main, workbook)
        related = package.relations(main)
        self.sheets: list[_Sheet] = []
        for name, state, rid in workbook.sheets:
            if rid not in related:
                raise _Unreadable(f"sheet `{name}` names no part",
                                  f"trang tính `{name}` không trỏ tới phần nào")
            kind, part = related[rid]
            self.sheets.append(_Sheet(name, state, kind, part))
        active = workbook.active or "0"
        self.active = int(active) if active.isascii() and active.isdigit() and len(active) < 6 else 0
        targets = {kind: part for kind, part in related.values()}
        strings, styles = _SharedStrings(), _Styles()
        if "sharedStrings" in targets:
            package.feed(targets["sharedStrings"], strings)
        if "styles" in targets:
            package.feed(targets["styles"], styles)
        self.strings, self.styles = strings.strings, styles
        self._kinds: dict[int, tuple[str, str]] = {}

    def number_format(self, style: str) -> tuple[str, str] | None:
        """("date" | "percent" | "", how to name the format) of a cell style; None if there
        is no such style."""
        if style == "0" and not self.styles.formats:
            return "", ""  # no styles part: every cell is General
        index = int(style) if style.isascii() and style.isdigit() and len(style) < 10 else -1
        if not 0 <= index < len(self.styles.formats):
            return None
        number = self.styles.formats[index]
        if number not in self._kinds:
            code = self.styles.codes.get(number)
            if code is None:
                kind = ("date" if number in _BUILTIN_DATES else
                        "percent" if number in _BUILTIN_PERCENTS else "")
                self._kinds[number] = (kind, f"builtin format {number}")
            else:
                section = _FORMAT_LITERALS.sub("", code).split(";")[0]
                kind = ("date" if re.search(r"[dmyhs]", section, re.I) else
                        "percent" if "%" in section else "")
                self._kinds[number] = (kind, f"format `{code}`")
        return self._kinds[number]

    def read(self, sheet: _Sheet, first_value_only: bool = False) -> _SheetReader:
        reader = _SheetReader(self, first_value_only)
        try:
            self.package.feed(sheet.part, reader)
        except _Problem as problem:
            problem.sheet = sheet.name
            raise
        return reader


def _decimal(text: str) -> Fraction:
    """`repr` of a finite float as a Fraction: Fraction(text) would do, 2.5 times slower."""
    mantissa, _, exponent = text.partition("e")
    whole, _, decimals = mantissa.partition(".")
    shift = int(exponent or 0) - len(decimals)
    digits = int(whole + decimals)
    return Fraction(digits * 10**shift) if shift >= 0 else Fraction(digits, 10**-shift)


@cache
def _letter(column: int) -> str:
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell_ref(text: str) -> tuple[int, int]:
    """(row, column) of `C7`; a reference outside a worksheet is unreadable."""
    match = _REF.fullmatch(text)
    column = 0
    for char in match[1].upper() if match else "":
        column = column * 26 + ord(char) - 64
    if match is None or column > MAX_COLUMNS or int(match[2]) > MAX_ROWS:
        raise _Unreadable(f"`{text[:20]}` is not a cell of a worksheet (A1 to XFD1048576)",
                          f"`{text[:20]}` không phải ô của trang tính (A1 đến XFD1048576)")
    return int(match[2]), column


class _SheetReader(_Reader):
    """The cells of a worksheet that hold something, row by row, and its merged ranges."""

    def __init__(self, book: _Book, first_value_only: bool) -> None:
        self.book, self.first_value_only = book, first_value_only
        self.rows: list[tuple[int, list[tuple[int, Any]]]] = []
        self.merges: list[tuple[str, int, int, int, int]] = []
        self.kept = 0
        self.in_data = self.in_row = False
        self.row = self.column = 0
        self.row_cells: list[tuple[int, Any]] = []
        self.open = False  # inside a `<c>`
        self.kind = self.style = ""
        self.value: str | None = None
        self.formula: str | None = None
        self.inline: list[str] | None = None
        self.buffer: list[str] | None = None
        self.length = 0
        self.phonetic = False
        self.hidden_rows: list[int] = []  # rows hidden in the sheet that hold a value
        self.row_hidden = False
        self.hidden_columns: bytearray | None = None  # 1 at each hidden column, once one is

    def hidden_with_data(self) -> tuple[list[int], list[int]]:
        """The hidden rows and the hidden columns that hold a value read from the sheet."""
        hidden = self.hidden_columns
        if hidden is None:
            return self.hidden_rows, []
        used = {column for _, cells in self.rows for column, _ in cells}
        return self.hidden_rows, sorted(c for c in used if hidden[c])

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "c" and self.in_data:
            self._open_cell(attrs)
        elif (name in ("v", "f") and self.open) or (
                name == "t" and self.inline is not None and not self.phonetic):
            self.buffer, self.length = [], 0
        elif name == "is" and self.open:
            self.inline = []
        elif name == "rPh":
            self.phonetic = True
        elif name == "row" and self.in_data:
            self._open_row(attrs)
        elif name == "sheetData":
            self.in_data = True
        elif name == "mergeCell":
            self._merge(attrs.get("ref", ""))
        elif name == "col" and attrs.get("hidden") in ("1", "true"):
            self._hide_columns(attrs)

    def text(self, data: str) -> None:
        if self.buffer is not None:
            self.length += len(data)
            if self.length > MAX_TEXT:
                raise _too_long(self.ref)
            self.buffer.append(data)

    def end(self, name: str) -> None:
        if self.buffer is not None and name in ("v", "f", "t"):
            text = "".join(self.buffer)
            self.buffer = None
            if name == "v":
                self.value = text
            elif name == "f":
                self.formula = text
            elif self.inline is not None:
                self.inline.append(text)
        elif name == "rPh":
            self.phonetic = False
        elif name == "c" and self.open:
            self._close_cell()
        elif name == "row" and self.in_row:
            if self.row_cells:
                self.rows.append((self.row, self.row_cells))
                if self.row_hidden:
                    self.hidden_rows.append(self.row)
            self.in_row = False
        elif name == "sheetData":
            self.in_data = False

    @property
    def ref(self) -> str:
        """The open cell's reference, made only when a message needs it."""
        return f"{_letter(self.column)}{self.row}"

    def _open_row(self, attrs: dict[str, str]) -> None:
        if self.in_row:
            raise _Unreadable("a row inside a row", "một dòng nằm trong một dòng")
        given = attrs.get("r")
        number = _whole(given, "row") if given else self.row + 1
        if number > MAX_ROWS:
            raise _Unreadable(f"row {number:,} is beyond a worksheet's {MAX_ROWS:,} rows",
                              f"dòng {number:,} vượt quá {MAX_ROWS:,} dòng của trang tính"
                              .replace(",", "."))
        if number <= self.row:
            raise _Unreadable(f"row {number} comes after row {self.row}: rows out of order",
                              f"dòng {number} đứng sau dòng {self.row}: sai thứ tự")
        self.row, self.column, self.in_row, self.row_cells = number, 0, True, []
        self.row_hidden = attrs.get("hidden") in ("1", "true")

    def _hide_columns(self, attrs: dict[str, str]) -> None:
        """`<col min max hidden>`: columns min to max are hidden (a flag per column, so that a
        hostile file's many `<col>` cost one bounded slice each)."""
        first = _whole(attrs.get("min", ""), "column")
        last = _whole(attrs.get("max", "") or str(first), "column")
        if not 1 <= first <= last <= MAX_COLUMNS:
            raise _Unreadable(f"hidden columns {first} to {last} are not within A to XFD",
                              f"các cột ẩn {first} đến {last} không nằm trong A đến XFD")
        if self.hidden_columns is None:
            self.hidden_columns = bytearray(MAX_COLUMNS + 1)
        self.hidden_columns[first:last + 1] = b"\x01" * (last - first + 1)

    def _open_cell(self, attrs: dict[str, str]) -> None:
        if self.open or not self.in_row:
            raise _Unreadable("a cell outside a row or inside a cell",
                              "một ô nằm ngoài dòng hoặc trong một ô khác")
        given = attrs.get("r")
        if given:
            row, column = _cell_ref(given)
            ref = f"{_letter(column)}{row}"
            if row != self.row:
                raise _Unreadable(f"cell {ref} is in row {self.row}",
                                  f"ô {ref} nằm trong dòng {self.row}", ref)
            if column <= self.column:
                raise _Unreadable(
                    f"cell {ref} comes after {_letter(self.column)}{row}: cells out of order",
                    f"ô {ref} đứng sau {_letter(self.column)}{row}: sai thứ tự", ref)
        else:
            column = self.column + 1
            if column > MAX_COLUMNS:
                raise _Unreadable(f"row {self.row} has cells beyond column XFD",
                                  f"dòng {self.row} có ô vượt quá cột XFD")
        self.column, self.open = column, True
        self.kind, self.style = attrs.get("t", "n"), attrs.get("s", "0")
        self.value = self.formula = None
        self.inline = None

    def _close_cell(self) -> None:
        value = self._value()
        self.open, self.inline = False, None
        if value is None or _is_empty(value):
            return  # styled but empty: not data, and costs nothing
        self.kept += 1
        if self.kept > MAX_CELLS:
            raise _TooLarge("the number of cells holding a value", "số ô có giá trị", MAX_CELLS,
                            " cells", " ô")
        self.row_cells.append((self.column, value))
        if self.first_value_only:
            raise _Stop

    def _value(self) -> Any:
        kind, value = self.kind, self.value
        if kind == "inlineStr" and self.inline is not None:
            return "".join(self.inline)
        if kind == "inlineStr":  # a writer that put the text in `<v>`
            kind = "str"
        if value is None or (value == "" and kind != "str"):
            if self.formula is None:
                return None
            shown = f"={self.formula[:60]}"
            en, vi = (f"the formula `{shown}`", f"công thức `{shown}`") if self.formula else (
                "a formula", "công thức")  # a shared formula's other cells hold no text
            return _Refused(f"{en} has no computed value", f"{vi} chưa có giá trị đã tính", shown,
                            _NOT_A_VALUE_HINT)
        if kind == "n":
            return self._number(value)
        if kind == "s":
            strings = self.book.strings
            if not (value.isascii() and value.isdigit() and len(value) < 10
                    and int(value) < len(strings)):
                raise _Unreadable(
                    f"shared string {value[:20]} does not exist (the workbook has {len(strings)})",
                    f"không có chuỗi dùng chung {value[:20]} (tệp có {len(strings)})", self.ref)
            return strings[int(value)]
        if kind == "str":
            return value
        if kind == "b":
            if value not in ("0", "1"):
                raise _Unreadable(f"`{value[:20]}` is not a yes/no value (0 or 1)",
                                  f"`{value[:20]}` không phải giá trị có/không (0 hoặc 1)", self.ref)
            return value == "1"
        if kind == "e":
            return _Refused(f"the cell shows the error {value[:20]}, not a value",
                            f"ô hiển thị lỗi {value[:20]}, không phải giá trị", value[:20])
        if kind == "d":
            return _Refused(f"a date or time ({value[:30]}), not a number",
                            f"một ngày hoặc giờ ({value[:30]}), không phải số", value[:30])
        raise _Unreadable(f"unknown cell type `{kind[:20]}`", f"kiểu ô `{kind[:20]}` không xác định",
                          self.ref)

    def _number(self, text: str) -> Any:
        number = float(text) if _NUMBER.fullmatch(text) else None
        if number is None or number in (float("inf"), float("-inf")):
            raise _Unreadable(f"`{text[:40]}` is not a number", f"`{text[:40]}` không phải số",
                              self.ref)
        style = self.book.number_format(self.style)
        if style is None:
            raise _Unreadable(f"style {self.style[:20]} does not exist",
                              f"không có kiểu {self.style[:20]}", self.ref)
        kind, shown = style
        if kind == "date":
            return _Refused(f"a date or time ({shown}), not a number",
                            f"một ngày hoặc giờ ({shown}), không phải số", text, Text(
                                "if it is a number, format the cell as Number or General",
                                "nếu đây là một số, định dạng ô là Number hoặc General"))
        exact = _decimal(repr(number))  # the shortest decimal of the stored float: 0.1 is 1/10
        return PercentCell(exact * 100) if kind == "percent" else exact

    def _merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        top, left = _cell_ref(first)
        bottom, right = _cell_ref(last) if last else (top, left)
        top, bottom, left, right = min(top, bottom), max(top, bottom), min(left, right), max(left, right)
        if (top, left) != (bottom, right):
            self.kept += 1
            if self.kept > MAX_CELLS:
                raise _TooLarge("the number of cells holding a value", "số ô có giá trị", MAX_CELLS,
                                " cells", " ô")
            self.merges.append((ref, top, left, bottom, right))


def _dense(path: str, title: str, rows: list[tuple[int, list[tuple[int, Any]]]]) -> _Table:
    """The rows as the table code reads them: every cell located, from column A to the
    header's last column (or a row's last cell when further); each row's sparse cells are
    let go as its dense row is made."""
    width = rows[0][1][-1][0]
    spans = [max(width, cells[-1][0]) for _, cells in rows]
    if sum(spans) > MAX_CELLS:
        problem = _TooLarge(f"the table of sheet `{title}` ({sum(spans):,} cells from column A to "
                            f"{_letter(max(spans))}, empty ones included)",
                            f"bảng của trang tính `{title}` ({sum(spans):,} ô từ cột A đến "
                            f"{_letter(max(spans))}, kể cả ô trống)".replace(",", "."),
                            MAX_CELLS, " cells", " ô")
        problem.sheet = title
        raise problem
    base = f"{path}!{title}:"
    dense: list[list[Located]] = []
    ends: list[Located] = []
    for index, span in enumerate(spans):
        number, cells = rows[index]
        rows[index] = (number, [])
        row = [Located(None, path=f"{base}{_letter(column)}{number}")
               for column in range(1, span + 1)]
        for column, value in cells:
            row[column - 1].value = value
        dense.append(row)
        ends.append(Located(None, path=f"{base}{_letter(span + 1)}{number}"))
    return _Table(dense[0], dense[1:], ends[1:])


def _name(value: Any) -> str:
    return "" if _is_empty(value) or isinstance(value, _Refused) else str(value).strip()


def _refusals(table: _Table, kinds: list[str], reporter: Reporter
              ) -> tuple[_Table, dict[str, set[str]]]:
    """Report each refused cell where it would be read; drop rows whose entity or block is
    refused. Also returns, by entity, the indicators reported (no `missing` error for them)."""
    for located in table.header:
        if isinstance(located.value, _Refused):
            _report(reporter, codes.BAD_DATA, located.path, f"column name: {located.value.en}",
                    f"tên cột: {located.value.vi}", located.value.hint)
            located.value = None
    entity = kinds.index("entity") if "entity" in kinds else None
    reported: dict[str, set[str]] = {}
    kept: list[list[Located]] = []
    ends: list[Located] = []
    for row, end in zip(table.rows, table.end_of_row, strict=True):
        drop = False
        for index, located in enumerate(row):
            refused = located.value
            if not isinstance(refused, _Refused):
                continue
            kind = kinds[index] if index < len(kinds) else "blank"
            located.value = refused.shown if kind == "blank" else None  # a stray cell, said
            if kind in ("info", "blank"):
                continue
            who = _name(row[entity].value) if entity is not None else ""
            column = _name(table.header[index].value)
            prefix = f"{who}: {column}: " if who else f"{column}: "
            _report(reporter, codes.BAD_VALUE, located.path, prefix + refused.en,
                    prefix + refused.vi, refused.hint)
            if kind == "indicator":
                reported.setdefault(who, set()).add(column)
            else:
                drop = True
        if not drop:
            kept.append(row)
            ends.append(end)
    return _Table(table.header, kept, ends), reported


def _merged(path: str, title: str, reader: _SheetReader, header_row: int, kinds: list[str],
            reporter: Reporter) -> None:
    """A merged range shows its first cell's value across all its cells, but the others hold
    nothing: refused where one of those would be read."""
    upto = [0]  # upto[c]: how many of the columns A..c are read
    for kind in kinds:
        upto.append(upto[-1] + (kind in ("entity", "block", "indicator")))

    def read(first: int, last: int) -> bool:
        return upto[min(last, len(kinds))] > upto[min(first - 1, len(kinds))]

    for ref, top, left, bottom, right in reader.merges:
        below = read(left, left) and bottom >= max(top + 1, header_row)
        beside = bottom >= header_row and read(left + 1, right)
        if below or beside:
            first = f"{_letter(left)}{top}"
            _report(reporter, codes.BAD_DATA, f"{path}!{title}:{ref}",
                    f"cells {ref} are merged: only {first} holds a value and the others read as "
                    "empty", f"các ô {ref} được gộp: chỉ {first} có giá trị, các ô còn lại trống",
                    Text("unmerge the cells and write the value in each one",
                         "bỏ gộp ô và ghi giá trị vào từng ô"))


def _report(reporter: Reporter, code: codes.Code, where: str, en: str, vi: str,
            hint: Text | None = None) -> None:
    reporter.diagnostics.append(Diagnostic(code, None, {"detail": en, "detail_vi": vi}, hint,
                                           path=where))


def _choose(book: _Book, wanted: str | None, path: str, reporter: Reporter) -> _Sheet | None:
    """The sheet named, else the active sheet when it is a visible worksheet, else the first
    visible worksheet."""
    if wanted is not None:
        named = next((s for s in book.sheets if s.name == wanted), None)
        if named is None:
            names = [s.name for s in book.sheets]
            listed = ", ".join(names)
            _report(reporter, codes.BAD_DATA, path, f"no sheet named `{wanted}`; the workbook has: {listed}",
                    f"không có trang tính `{wanted}`; tệp có: {listed}", did_you_mean(wanted, names))
        elif named.kind != "worksheet":
            _report(reporter, codes.BAD_DATA, f"{path}!{wanted}",
                    f"sheet `{wanted}` is a {named.kind}, not a worksheet: it has no cells to read",
                    f"trang `{wanted}` là {named.kind}, không phải trang tính: không có ô nào để đọc")
            return None
        elif named.state != "visible":
            _report(reporter, codes.HIDDEN_SHEET, f"{path}!{wanted}",
                    f"sheet `{wanted}` is hidden; it is read because --sheet names it",
                    f"trang tính `{wanted}` bị ẩn; vẫn được đọc vì --sheet chỉ định nó")
        return named
    worksheets = [s for s in book.sheets if s.kind == "worksheet"]
    if not worksheets:
        raise _Unreadable("it has no worksheet", "tệp không có trang tính nào")
    visible = [s for s in worksheets if s.state == "visible"]
    if not visible:
        hidden = ", ".join(s.name for s in worksheets)
        _report(reporter, codes.BAD_DATA, path,
                f"every worksheet is hidden ({hidden}): name one with --sheet",
                f"mọi trang tính đều bị ẩn ({hidden}): chọn một trang bằng --sheet")
        return None
    active = book.sheets[book.active] if book.active < len(book.sheets) else None
    return active if any(active is s for s in visible) else visible[0]


def _report_hidden(reader: _SheetReader, where: str, title: str, reporter: Reporter) -> None:
    """Hidden rows and columns holding data are read as any other (the data is there, and a
    filter or a collapsed group hides rows that are meant), but named: nothing that is scored
    is out of sight without a word."""
    rows, columns = reader.hidden_with_data()
    for names, what, what_vi in ((list(map(str, rows)), "row", "dòng"),
                                 (list(map(_letter, columns)), "column", "cột")):
        if not names:
            continue
        listed = ", ".join(names[:10]) + (f" (+{len(names) - 10})" if len(names) > 10 else "")
        en = (f"{what} {listed} of sheet `{title}` is hidden and holds data" if len(names) == 1
              else f"{what}s {listed} of sheet `{title}` are hidden and hold data")
        _report(reporter, codes.HIDDEN_CELLS, where, f"{en}; read as any other {what}",
                f"{what_vi} {listed} của trang tính `{title}` bị ẩn và có dữ liệu; vẫn được đọc "
                f"như mọi {what_vi} khác",
                Text("unhide them in Excel to see everything that is scored",
                     "bỏ ẩn trong Excel để thấy mọi thứ được chấm điểm"))


def sheet_read(path: str | Path, sheet: str | None = None) -> str | None:
    """The name of the sheet `load_xlsx` reads: `sheet`, else the one it chooses (None when
    the workbook cannot be read or has no sheet to choose: `load_xlsx` says why)."""
    try:
        with _Package(str(path)) as package:
            chosen = _choose(_Book(package), sheet, str(path), Reporter())
    except _Problem:
        return None
    return None if chosen is None else chosen.name


def _skip_titles(where: str, title: str, reader: _SheetReader, model: Model | None,
                 reading: Reading, reporter: Reporter) -> None:
    """Drop the title rows above the table's header (`header_at` finds it and names them)."""
    first = reader.rows[:MAX_TITLE_ROWS + 1]
    located = [[Located(value, path=f"{where}!{title}:{_letter(column)}{number}")
                for column, value in cells] for number, cells in first]
    at = header_at(located, [number for number, _ in first], model, reading, reporter)
    del reader.rows[:at]


def load_xlsx(path: str | Path, reporter: Reporter, model: Model | None = None,
              sheet: str | None = None, reading: Reading | None = None) -> list[EntityData]:
    """Entities from one worksheet of an XLSX workbook, one row each: the sheet named, else
    the active sheet when it is visible, else the first visible one. A hidden sheet holding
    data is named in a warning. Formulas are read as the values last computed."""
    where = str(path)
    reading = reading or Reading()
    try:
        with _Package(where) as package:
            book = _Book(package)
            chosen = _choose(book, sheet, where, reporter)
            if chosen is None:
                return []
            reader = book.read(chosen)
            for other in book.sheets:
                if (other is not chosen and other.kind == "worksheet" and other.state != "visible"
                        and book.read(other, first_value_only=True).kept):
                    _report(reporter, codes.HIDDEN_SHEET, f"{where}!{other.name}",
                            f"sheet `{other.name}` is hidden and holds data; it is not read "
                            f"(--sheet {shlex.quote(other.name)} reads it)",
                            f"trang tính `{other.name}` bị ẩn và có dữ liệu; không được đọc "
                            f"(--sheet {shlex.quote(other.name)} để đọc nó)")
            title = chosen.name
            if not reader.rows:
                _report(reporter, codes.BAD_DATA, f"{where}!{title}", f"sheet `{title}` is empty",
                        f"trang tính `{title}` trống")
                return []
            _skip_titles(where, title, reader, model, reading, reporter)
            header_row = reader.rows[0][0]
            _report_hidden(reader, f"{where}!{title}", title, reporter)
            table = _dense(where, title, reader.rows)
    except _Problem as problem:
        reporter.diagnostics.append(problem.diagnostic(where))
        return []
    kinds = [_column_kind(_name(cell.value), reading) for cell in table.header]
    table, reported = _refusals(table, kinds, reporter)
    _merged(where, title, reader, header_row, kinds, reporter)
    entities = _entities_from_table(table, reporter, model, reading)
    for entity in entities:
        if entity.name in reported:
            entity.missing_reported = entity.missing_reported | frozenset(
                indicator_of(heading, model, reading) for heading in reported[entity.name])
    return entities
