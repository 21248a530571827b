"""The data fuzzer: mutated data files and audit records through `egov-rules`, end to end.

Every case is a data file (CSV, XLSX, JSON, YAML) or an audit record made from the shipped
example data, mutated, and run through `egov_rules.cli.main` exactly as the command line runs
it. A case must end in exit 0, 1 or 2 — never a crash (exit 3), an exception escaping `main`
or a hang — and where the correct outcome of a mutation is known, exit 0 must mean the right
figures (no silent misreading):

- `same`: the mutation keeps the file's meaning (a BOM, `;`, CRLF, permuted rows, a number
  spelled `30.0`, the same text in another format …). Exit 0 must give the scores of the
  *reference*: the intended table written as plain CSV and scored the same way. Some of
  these must be accepted (`must_accept`): refusing them is a finding too.
- `error`: the mutation makes the data wrong (a row or a column given twice, two entities
  whose names differ only by Unicode normalisation, a cell that is not a number …): exit 0
  is a silent misreading.
- `any`: no known outcome: only crashes and hangs count.

Byte-level mutations of a CSV file are checked against the standard reading of the mutated
text (Python's `csv` module): when `egov-rules` accepts such a file, it must have read the
rows that reading finds.

Cases run in-process with a watchdog (`signal.setitimer`) where that is safe, and in a forked
child with a memory limit (`RLIMIT_AS`) and a hard timeout (the stack of a hang is dumped by
`faulthandler`) where a case may eat memory or spin in C code: workbooks, huge numbers, deep
nesting. `EGOV_RULES_DEBUG=1` is set while `main` runs, so that an internal error raises with
its traceback instead of printing exit 3: an `Exception` escaping `main` that way *is* exit 3
(counted as such, located by its innermost `egov_rules` frame); anything else escaping `main`
(`SystemExit`, …) is counted apart.

By hand, from the repository root::

    python -m tests.fuzz_data --budget 5000 --seed 7          # counts and findings
    python -m tests.fuzz_data --seed 7 --case 123 --keep /tmp/case   # one case, files kept

`tests/test_fuzz_data.py` runs a fixed seed at a small budget in CI and fails on any finding
not listed in `KNOWN` (each of those is a strict-xfail regression test there).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import faulthandler
import hashlib
import io
import json
import os
import pickle
import random
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egov_rules.inputs import normal_text
from egov_rules.inputs.values import folded

ROOT = Path(__file__).resolve().parent.parent

# methodology, CSV data, YAML data
SOURCES = {
    "quickstart": ("examples/quickstart.egr", "examples/quickstart-data.csv",
                   "examples/quickstart-data.yaml"),
    "vn-ict-2016": ("methodologies/vn-ict-2016.egr", "examples/vn-ict-2016-data.csv",
                    "examples/vn-ict-2016-data.yaml"),
}

Table = tuple[list[str], list[list[str]]]  # header, rows: every cell as the text written


# -- findings that are known (reported, fixed elsewhere) -----------------------------------

# signature → the strict-xfail regression test in tests/test_fuzz_data.py that pins it down.
# When a fix lands, the regression test passes (XPASS fails loudly): remove its xfail mark
# and its line here.
_T = "tests/test_fuzz_data.py::"
KNOWN: dict[str, str] = {
}


# -- tables and their renderings -----------------------------------------------------------


def read_table(path: Path) -> Table:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def csv_text(table: Table, delimiter: str = ",", quote_all: bool = False, newline: str = "\n") -> str:
    """RFC 4180: a cell holding the delimiter, a quote, CR or LF is quoted (Python's csv
    writer leaves a lone CR unquoted when the line ends with LF)."""
    def cell(text: str) -> str:
        if quote_all or any(ch in text for ch in (delimiter, '"', "\r", "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text
    return "".join(delimiter.join(map(cell, row)) + newline for row in [table[0], *table[1]])


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _json_value(text: str, typed: bool) -> str:
    if typed and _JSON_NUMBER.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def json_text(table: Table, shape: str = "object", typed: bool = True) -> str:
    """`{entity: {block, …}}`, `{"entities": {…}}` or `[{"entity": …}]`; numbers as JSON
    numbers written exactly as in the table (`typed`), else as strings."""
    header, rows = table
    entity_col = header.index("entity")
    objects = []
    for row in rows:
        fields = [f"{json.dumps(h, ensure_ascii=False)}: {_json_value(c, typed)}"
                  for i, (h, c) in enumerate(zip(header, row, strict=False)) if i != entity_col]
        objects.append((row[entity_col], "{" + ", ".join(fields) + "}"))
    if shape == "list":
        return "[\n" + ",\n".join(
            "{" + f'"entity": {json.dumps(name, ensure_ascii=False)}, ' + body[1:]
            for name, body in objects) + "\n]\n"
    inner = ",\n".join(f"  {json.dumps(name, ensure_ascii=False)}: {body}" for name, body in objects)
    text = "{\n" + inner + "\n}"
    return ('{"entities": ' + text + "}\n") if shape == "entities" else text + "\n"


def yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar for any text (astral characters as \\U escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


_YAML_PLAIN = re.compile(r"[A-Za-z0-9_+.][A-Za-z0-9_+.:%/-]*|-[0-9][A-Za-z0-9_+.:%/-]*")


def yaml_value(text: str) -> str:
    """Plain when a plain scalar is the natural way to write it (so YAML 1.1 resolves it as
    a reader would), else double-quoted."""
    if _YAML_PLAIN.fullmatch(text) and not text.endswith(":"):
        return text
    return yaml_quote(text)


def yaml_text(table: Table, under_entities: bool = True) -> str:
    header, rows = table
    entity_col = header.index("entity")
    indent = "  " if under_entities else ""
    lines = ["entities:"] if under_entities else []
    for row in rows:
        key = yaml_quote(row[entity_col])
        # an implicit key holds at most 1024 characters; longer ones are written explicitly
        lines.append(f"{indent}{key}:" if len(key) < 1000 else f"{indent}? {key}\n{indent}:")
        lines += [f"{indent}  {yaml_quote(h) if not _YAML_PLAIN.fullmatch(h) else h}: {yaml_value(c)}"
                  for i, (h, c) in enumerate(zip(header, row, strict=False)) if i != entity_col]
    return "\n".join(lines) + "\n"


def _xlsx_cell(text: str, typed: bool) -> object:
    """A number when Excel would store the text as one without changing it. `900.000` stays
    text: Excel would store 900 or 900000 by its locale, and the CSV reader refuses it as
    reading two ways, so a number cell would not be the same table (seed 1301, case 2178)."""
    if typed and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) and len(text) < 16 \
            and not re.fullmatch(r"-?[1-9][0-9]{0,2}\.[0-9]{3}", text):
        number = float(text)
        if number == int(number) and "." not in text:
            return int(text)
        return number
    return text


def xlsx_bytes(table: Table, typed: bool = True, sheets: list[tuple[str, Table, str]] | None = None
               ) -> bytes:
    """A workbook with the table on its first sheet (or `sheets`: title, table, state)."""
    from openpyxl import Workbook

    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    for title, sheet_table, state in sheets or [("Data", table, "visible")]:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        sheet.append(sheet_table[0])
        for row in sheet_table[1]:
            sheet.append([_xlsx_cell(c, typed) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def first_sheet_part(parts: dict[str, bytes]) -> str:
    return min((n for n in parts if n.startswith("xl/worksheets/sheet")), key=lambda n: (len(n), n))


# -- cases ---------------------------------------------------------------------------------


@dataclass
class Expect:
    kind: str  # "same", "error", "any", "ok" (a record must verify)
    table: Table | None = None  # for "same": the table meant, scored as plain CSV
    must_accept: bool = False  # for "same": exit 1 is a finding too
    reference_csv: bool = False  # the table is the csv module's reading of the mutated text


@dataclass
class Case:
    source: str
    component: str  # csv, json, yaml, xlsx, values, names, records
    mutation: str
    files: dict[str, bytes]  # name in the case folder → bytes; `data` names the data file
    data: str
    expect: Expect
    command: list[str] = field(default_factory=list)  # {M} {D} {OUT} {DIR} filled in
    risky: bool = False  # run in a forked child with a memory limit
    note: str = ""
    family: str = ""  # the mutation as findings are grouped (default: the mutation)

    @property
    def group(self) -> str:
        return self.family or self.mutation


@dataclass
class Outcome:
    code: int | None  # None: no exit code (hang, escaped)
    kind: str  # "exit", "crash" (an Exception escaping main = exit 3), "escaped", "hang", "killed"
    stdout: str = ""
    stderr: str = ""
    output: str | None = None  # the --output file
    error: str = ""  # exception type and message
    where: str = ""  # innermost egov_rules frame
    trace: str = ""
    seconds: float = 0.0


@dataclass
class Finding:
    kind: str  # crash, escaped, hang, silent, mismatch, refused, secondary
    signature: str
    case: int
    source: str
    component: str
    mutation: str
    detail: str
    argv: list[str]
    trace: str = ""


class Gen:
    """What a mutator works from: the per-case random generator and the source."""

    def __init__(self, rng: random.Random, source: str, seeds: Seeds, hazards: bool = True) -> None:
        self.rng, self.source, self.seeds, self.hazards = rng, source, seeds, hazards
        self.table: Table = seeds.tables[source]

    def copy(self) -> Table:
        header, rows = self.table
        return list(header), [list(r) for r in rows]

    def choice(self, items: list[str]) -> str:
        return self.rng.choice([i for i in items if self.hazards or not _HAZARD.search(i)])

    def row_index(self) -> int:
        return self.rng.randrange(len(self.table[1]))

    def numeric_cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r, row in enumerate(self.table[1]) for c, cell in enumerate(row)
                if c > 1 and re.fullmatch(r"[0-9]+(\.[0-9]+)?", cell)]

    def case(self, component: str, mutation: str, files: dict[str, bytes], data: str, expect: Expect,
             risky: bool = False, note: str = "") -> Case:
        return Case(self.source, component, mutation, files, data, expect, risky=risky, note=note)


@dataclass
class Seeds:
    tables: dict[str, Table]
    yaml_texts: dict[str, str]
    folder: Path
    xlsx_cache: dict[str, bytes] = field(default_factory=dict)
    records: dict[str, bytes] = field(default_factory=dict)

    def record(self, source: str) -> bytes:
        """The audit record of the source's table as CSV (`score --format json`; paths absolute)."""
        if source not in self.records:
            place = self.folder / "seed" / source
            place.mkdir(parents=True, exist_ok=True)
            data, record = place / "data.csv", place / "record.json"
            data.write_text(csv_text(self.tables[source]), encoding="utf-8")
            outcome = run_main(["score", str(ROOT / SOURCES[source][0]), str(data), "--format", "json",
                                "--output", str(record)], None)
            assert outcome.code == 0, outcome
            self.records[source] = record.read_bytes()
        return self.records[source]

    def xlsx(self, source: str) -> bytes:
        if source not in self.xlsx_cache:
            self.xlsx_cache[source] = xlsx_bytes(self.tables[source])
        return self.xlsx_cache[source]


def _damaged(g: Gen, raw: bytearray, most: int, ops: list[str],
             inserts: Sequence[bytes] = (), longest: int = 4) -> bytes:
    """`raw` with 1 to `most` random byte edits: a bit flipped, bytes inserted (one of
    `inserts`), deleted (up to `longest`) or the rest cut off."""
    for _ in range(g.rng.randint(1, most)):
        if not raw:  # cut to nothing: nothing left to edit
            break
        at = g.rng.randrange(len(raw))
        op = g.rng.choice(ops)
        if op == "flip":
            raw[at] ^= 1 << g.rng.randrange(8)
        elif op == "insert":
            raw[at:at] = g.rng.choice(inserts)
        elif op == "delete":
            del raw[at:at + g.rng.randint(1, longest)]
        else:
            del raw[at:]
    return bytes(raw)


# -- mutations: CSV ------------------------------------------------------------------------


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _csv_case(g: Gen, mutation: str, text: str, expect: Expect, component: str = "csv",
              risky: bool = False, note: str = "") -> Case:
    return g.case(component, mutation, {"data.csv": _encode(text)}, "data.csv", expect, risky, note)


def m_csv_format(g: Gen) -> Case:
    """Ways of writing the same CSV that every reader must accept."""
    table = g.copy()
    how = g.rng.choice(["bom", "crlf", "semicolon", "quote_all", "no_final_newline", "permute_rows",
                        "permute_columns", "info_column", "blank_lines", "entity_header_case"])
    text = csv_text(table)
    if how == "bom":
        text = "\ufeff" + text
    elif how == "crlf":
        text = csv_text(table, newline="\r\n")
    elif how == "semicolon":
        text = csv_text(table, delimiter=";", quote_all=g.rng.random() < 0.3)
    elif how == "quote_all":
        text = csv_text(table, quote_all=True)
    elif how == "no_final_newline":
        text = text.rstrip("\n")
    elif how == "permute_rows":
        rows = table[1][:]
        g.rng.shuffle(rows)
        text = csv_text((table[0], rows))
    elif how == "permute_columns":
        order = list(range(len(table[0])))
        g.rng.shuffle(order)
        text = csv_text(([table[0][i] for i in order], [[r[i] for i in order] for r in table[1]]))
    elif how == "info_column":
        name = g.rng.choice(["# note", "ghi chú", "source", "stt", "#"])
        at = g.rng.randrange(len(table[0]) + 1)
        notes = [g.rng.choice(["", "x", "checked, ok", "1,5", '"q"', "=1+1"]) for _ in table[1]]
        text = csv_text(([*table[0][:at], name, *table[0][at:]],
                         [[*r[:at], n, *r[at:]] for r, n in zip(table[1], notes, strict=True)]))
    elif how == "blank_lines":
        lines = text.split("\n")
        for _ in range(g.rng.randint(1, 3)):
            at = g.rng.randint(2, len(lines) - 1)
            lines.insert(at, g.rng.choice(["", "  ", ",,,", "\t", '""', " , ,"]))
        text = "\n".join(lines)
    else:
        header = [g.rng.choice(["Entity", "ENTITY", " entity ", "Đơn vị"]) if h == "entity" else
                  g.rng.choice(["Block", " block", "KHỐI"]) if h == "block" else h for h in table[0]]
        text = csv_text((header, table[1]))
    return _csv_case(g, f"csv.{how}", text, Expect("same", table, must_accept=True))


def m_csv_structure(g: Gen) -> Case:
    """Rows and columns duplicated, deleted, shortened, lengthened: each an error, except a
    deleted row (the other entities are scored, as if the row had never been there)."""
    header, rows = g.copy()
    how = g.rng.choice(["dup_row", "dup_row_changed", "dup_column", "del_column", "del_row",
                        "short_row", "long_row", "swap_headers", "empty_name", "empty_cell"])
    i = g.row_index()
    expect = Expect("error")
    if how == "dup_row":
        rows.insert(g.rng.randrange(len(rows) + 1), rows[i][:])
    elif how == "dup_row_changed":
        copy = rows[i][:]
        j = g.rng.randrange(2, len(copy))
        copy[j] = "0" if copy[j] != "0" else "1"
        rows.append(copy)
    elif how == "dup_column":
        j = g.rng.randrange(len(header))
        header.insert(j, header[j])
        rows = [[*r[:j], r[j], *r[j:]] for r in rows]
    elif how == "del_column":
        j = g.rng.randrange(len(header))
        del header[j]
        rows = [r[:j] + r[j + 1:] for r in rows]
    elif how == "del_row":
        del rows[i]
        expect = Expect("same", (header, rows), must_accept=True)
    elif how == "short_row":
        rows[i] = rows[i][:g.rng.randrange(1, len(rows[i]))]
    elif how == "long_row":
        rows[i] = [*rows[i], g.rng.choice(["1", "x", "0"])]
    elif how == "swap_headers":
        a, b = g.rng.sample(range(2, len(header)), 2)
        header[a], header[b] = header[b], header[a]
        expect = Expect("any")
    elif how == "empty_name":
        rows[i][0] = g.rng.choice(["", " ", "\t"])
    else:
        j = g.rng.randrange(2, len(header))
        rows[i][j] = ""
        if header[j] not in _reads(g.source).get(rows[i][1], frozenset()):
            # not required of that block (no criterion of it reads the indicator, issue 10):
            # read as not given, so the rest is scored
            expect = Expect("any")
    return _csv_case(g, f"csv.{how}", csv_text((header, rows)), expect)


_READS: dict[str, dict[str, frozenset[str]]] = {}


def _reads(source: str) -> dict[str, frozenset[str]]:
    """Block id → the indicators its criteria read (`Model.reads`), of a source's methodology."""
    if source not in _READS:
        import egov_rules

        _READS[source] = egov_rules.load(ROOT / SOURCES[source][0]).model.reads
    return _READS[source]


def m_csv_header_variant(g: Gen) -> Case:
    """An indicator's header that only looks right: it is another column, so an error. A
    zero-width character or BOM around the id is not in this list: a header is a cell, and
    every cell and name is read by one rule (`normal_text`: NFC, zero-width characters
    dropped, trimmed), under which `id` + U+200B is the id it looks like, compared without
    case (issue 12: `HAS_FIREWALL` is `has_firewall`). Those are `csv.header_invisible`,
    which must score as the plain table."""
    header, rows = g.copy()
    j = g.rng.randrange(2, len(header))
    name = header[j]
    invisible = g.rng.random() < 0.3
    header[j] = g.rng.choice([name + "\u200b", "\u200b" + name, "\ufeff" + name]) if invisible \
        else g.rng.choice([
            name.upper(), name + "_", name.replace("_", "-"), name.replace("_", " "),
            name[:-1], "\u202e" + name,
            "".join(c + "\u0301" if c == "e" else c for c in name) if "e" in name
            else name + "\u0301"])
    if invisible or folded(header[j]) == folded(name):  # headings are compared without case
        return _csv_case(g, "csv.header_invisible", csv_text((header, rows)),
                         Expect("same", g.copy(), must_accept=True))
    if header[j] == name:  # e.g. `-` for `_` in a name without one
        header[j] = name + "_"
    return _csv_case(g, "csv.header_variant", csv_text((header, rows)), Expect("error"))


def _csv_reference(text: str) -> Table | None:
    """The standard reading of a CSV text (Python's csv module, the delimiter sniffed as
    documented), or None when that reading fails."""
    from egov_rules.inputs import sniff_delimiter

    text = text.removeprefix("\ufeff")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), None)
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return None
    if first is None or not rows:
        return None
    return rows[0], rows[1:]


def m_csv_bytes(g: Gen) -> Case:
    """Byte-level damage: flips, insertions, deletions, truncation, stray quotes, quoted
    CR/LF. Accepted only if read as the standard CSV reading of the damaged text reads it."""
    table = g.copy()
    raw = bytearray(_encode(csv_text(table, delimiter=g.rng.choice([",", ",", ";"]))))
    how = g.rng.choice(["flip", "insert", "delete", "truncate", "stray_quote", "quoted_newline",
                        "cr", "nul", "splice"])
    for _ in range(g.rng.randint(1, 3)):
        at = g.rng.randrange(len(raw) + 1)
        if how == "flip" and at < len(raw):
            raw[at] ^= 1 << g.rng.randrange(8)
        elif how == "insert":
            raw[at:at] = bytes([g.rng.randrange(256)]) if g.rng.random() < 0.5 else \
                g.rng.choice([b",", b";", b'"', b"\n", b"\r", b" ", b"\t", b"\xef\xbb\xbf", b"\\"])
        elif how == "delete" and at < len(raw):
            del raw[at:at + g.rng.randint(1, 4)]
        elif how == "truncate":
            del raw[at:]
            break
        elif how == "stray_quote":
            raw[at:at] = b'"'
        elif how == "quoted_newline":
            # a name with a line break in it, quoted as CSV does
            line_starts = [0, *[m.end() for m in re.finditer(rb"\n", raw)][:-1]]
            start = g.rng.choice(line_starts[1:] or [0])
            end = raw.index(b",", start) if b"," in raw[start:] else len(raw)
            name = bytes(raw[start:end]).strip(b'"')
            raw[start:end] = b'"' + name + g.rng.choice([b"\n", b"\r\n", b"\r"]) + b'x"'
        elif how == "cr":
            raw[at:at] = b"\r"
        elif how == "nul":
            raw[at:at] = b"\x00"
        elif how == "splice":
            other = bytes(raw[g.rng.randrange(len(raw)):])[:g.rng.randint(1, 80)]
            raw[at:at] = other
    data = bytes(raw)
    try:
        reference = _csv_reference(data.decode("utf-8"))
    except UnicodeDecodeError:
        reference = None
    expect = Expect("same", reference, reference_csv=True) if reference else Expect("error")
    case = g.case("csv", f"csv.bytes.{how}", {"data.csv": data}, "data.csv", expect)
    case.family = "csv.bytes"
    return case


# -- mutations: values (any format) --------------------------------------------------------

# Texts for a numeric cell. `same` ones mean the number written; the rest are read however the
# reference (the same text in a plain CSV file) reads them.
NUMBER_SPELLINGS = ["{n}.0", "{n}.000", " {n} ", "+{n}", "{n}e0", "{n}E+0", "{n}_"]
ODD_NUMBERS = [
    "1e99999999", "1e5000", "-1e5000", "1e-5000", "1E-99999999", "1e+99999999", "9" * 61,
    "0." + "0" * 57 + "1", "1" * 60, "NaN", "nan", "Infinity", "inf", "-inf", "-0", "-0.0", "0e0",
    "1/2", "12/2023", "1/0", "0/0", "-1/3", "1.000", "1,5", "1.000,5", "1 000", "1\u00a0000",
    "١٠٠", "３０", "𝟑𝟎", "30%", "30 %", "%", "--30", "3e1", "0x10", "0b11", "0o17", "0100", "1:30",
    "½", "²", "1e", ".", "-", "+", "e", "1..2", "1.2.3", "30\u200b", "\u202e30", "1_000", "_1",
    "1__0", "True", "yes", "null", "~", "[1]", "{}", "1e-1", "2.5", "-3", "0.1", "1e3", "\t7",
]
_HUGE = re.compile(r"[eE][-+]?[0-9]{4,}|[0-9]{40,}")
# Inputs that once hung until refused early: `hazards=False` leaves them out (for timing runs).
_HAZARD = re.compile(r"[eE][-+]?[0-9]{7,}")
MILLION = 1048576


def _number_text(g: Gen, original: str) -> tuple[str, bool]:
    """A replacement text for a numeric cell, and whether it means the same number."""
    if g.rng.random() < 0.35:
        spelled = g.rng.choice(NUMBER_SPELLINGS).format(n=original)
        if spelled.endswith("_"):
            spelled = original[:1] + "_" + original[1:] if len(original) > 1 else original
        return spelled, True
    return g.choice([n for n in ODD_NUMBERS if g.hazards or not _HAZARD.search(n)]), False


def _render(g: Gen, table: Table, fmt: str, typed: bool | None = None) -> tuple[str, bytes]:
    typed = g.rng.random() < 0.7 if typed is None else typed
    if fmt == "csv":
        return "data.csv", _encode(csv_text(table, delimiter=g.rng.choice([",", ";"])))
    if fmt == "json":
        return "data.json", _encode(json_text(table, g.rng.choice(["object", "list", "entities"]), typed))
    if fmt == "yaml":
        return "data.yaml", _encode(yaml_text(table, g.rng.random() < 0.5))
    return "data.xlsx", xlsx_bytes(table, typed)


def m_values(g: Gen) -> Case:
    """Numbers written oddly, in any format. The reference reads the same text from CSV, so a
    format that reads it differently (YAML 1.1 `0100` = 64, `1:30` = 90) is a mismatch."""
    table = g.copy()
    cells = g.numeric_cells()
    edits = g.rng.choice([1, 1, 1, 2, 3])
    same = True
    texts = []
    for r, c in g.rng.sample(cells, min(edits, len(cells))):
        text, means_same = _number_text(g, table[1][r][c])
        same = same and means_same
        table[1][r][c] = text
        texts.append(text)
    fmt = g.rng.choice(["csv", "json", "yaml", "yaml", "xlsx"])
    name, data = _render(g, table, fmt)
    expect = Expect("same", g.copy() if same else table)
    risky = fmt == "xlsx" or any(_HUGE.search(t) for t in texts)
    return g.case("values", f"values.{fmt}" + (".spelling" if same else ".odd"), {name: data}, name,
                  expect, risky=risky, note=" | ".join(texts))


# -- mutations: entity names ---------------------------------------------------------------

NAME_TRICKS: list[tuple[str, Callable[[str], str]]] = [
    ("nfd", lambda s: unicodedata.normalize("NFD", s)),
    ("nfc", lambda s: unicodedata.normalize("NFC", s)),
    ("zero_width", lambda s: s[:2] + "\u200b" + s[2:]),
    ("zwj", lambda s: s + "\u200d"),
    ("bom_inside", lambda s: s[:1] + "\ufeff" + s[1:]),
    ("bidi", lambda s: "\u202e" + s + "\u202c"),
    ("isolate", lambda s: "\u2067" + s + "\u2069"),
    ("nbsp", lambda s: s.replace(" ", "\u00a0")),
    ("trailing_nbsp", lambda s: s + "\u00a0"),
    ("ideographic_space", lambda s: "\u3000" + s),
    ("bell", lambda s: s + "\x07"),
    ("escape", lambda s: "\x1b[31m" + s + "\x1b[0m"),
    ("del", lambda s: s + "\x7f"),
    ("nel", lambda s: s[:3] + "\x85" + s[3:]),
    ("line_separator", lambda s: s[:3] + "\u2028" + s[3:]),
    ("newline", lambda s: s[:3] + "\n" + s[3:]),
    ("crlf", lambda s: s[:3] + "\r\n" + s[3:]),
    ("cr", lambda s: s[:3] + "\r" + s[3:]),
    ("tab", lambda s: s.replace(" ", "\t")),
    ("quotes", lambda s: '"' + s + '" \'x\''),
    ("delimiters", lambda s: s + ", ; | #"),
    ("markdown", lambda s: s + " | **b** <i>x</i> `c`"),
    ("html", lambda s: "<script>alert(1)</script>" + s),
    ("formula", lambda s: "=HYPERLINK(\"x\")" + s),
    ("astral", lambda s: s + " 😀𝔸"),
    ("combining_pile", lambda s: s + "\u0301" * 50),
    ("long", lambda s: s * 2000),
    ("very_long", lambda s: "x" * 200_000),
    ("surrogate", lambda s: s + "\ud800"),
    ("nul", lambda s: s + "\x00"),
    ("only_spaces", lambda s: " \u00a0\t "),
    ("hash", lambda s: "# " + s),
    ("dash", lambda s: "- " + s),
    ("yaml_key", lambda s: s + ": x"),
]

# Forms that a reader must take for the name they copy: a second row with one of these is the
# same entity given twice.
EQUIVALENT_NAMES: list[tuple[str, Callable[[str], str]]] = [
    ("nfd", lambda s: unicodedata.normalize("NFD", s)),
    ("zero_width", lambda s: s[:2] + "\u200b" + s[2:]),
    ("trailing_space", lambda s: s + " "),
    ("trailing_nbsp", lambda s: s + "\u00a0"),
    ("zwj", lambda s: s + "\u200d"),
    ("bom_inside", lambda s: s[:1] + "\ufeff" + s[1:]),
]


def m_names(g: Gen) -> Case:
    """An entity renamed with hostile characters: read as written (stripped) or refused;
    then every output format has to carry it."""
    header, rows = g.copy()
    trick, change = g.rng.choice(NAME_TRICKS)
    i = g.row_index()
    rows[i][0] = change(rows[i][0])
    fmt = g.rng.choice(["csv", "json", "yaml", "xlsx"])
    if fmt == "xlsx" and (re.search(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]", rows[i][0])
                          or len(rows[i][0]) > 32767):
        fmt = "json"  # openpyxl refuses to write them, XML turns CR LF into LF, a cell holds 32,767
    if fmt in ("csv", "yaml") and "\ud800" in rows[i][0]:
        fmt = "json"  # only JSON can spell a lone surrogate (\ud800)
    name, data = _render(g, (header, rows), fmt)
    if fmt == "json":
        data = data.decode("utf-8", "surrogatepass").replace("\ud800", "\\ud800").encode("utf-8")
    case = g.case("names", f"names.{fmt}.{trick}", {name: data}, name,
                  Expect("same", (header, rows)), risky=fmt == "xlsx")
    case.family = f"names.{fmt}"
    return case


def m_duplicate_names(g: Gen) -> Case:
    """The same entity twice, the second time spelled in an equivalent form: an error."""
    header, rows = g.copy()
    trick, change = g.rng.choice(EQUIVALENT_NAMES)
    i = g.row_index()
    copy = rows[i][:]
    copy[0] = change(copy[0])
    if copy[0] == rows[i][0]:
        copy[0] += "\u200b"
    if g.rng.random() < 0.5:  # the copy with other figures: which one would be scored?
        j = g.rng.randrange(2, len(copy))
        copy[j] = "0" if copy[j] != "0" else "1"
    rows.insert(g.rng.randrange(len(rows) + 1), copy)
    fmt = g.rng.choice(["csv", "json", "yaml", "xlsx"])
    name, data = _render(g, (header, rows), fmt)
    case = g.case("names", f"names.duplicate.{fmt}.{trick}", {name: data}, name, Expect("error"),
                  risky=fmt == "xlsx")
    case.family = f"names.duplicate.{fmt}"
    return case


# -- mutations: JSON -----------------------------------------------------------------------


def _nest(depth: int, leaf: str, kind: str) -> str:
    if kind == "list":
        return "[" * depth + leaf + "]" * depth
    return '{"a": ' * depth + leaf + "}" * depth


def m_json(g: Gen) -> Case:
    table = g.copy()
    how = g.rng.choice(["shape", "strings", "dup_entity", "dup_field", "deep_value", "deep_root",
                        "constants", "non_value", "root", "bytes", "big_exponent", "bom",
                        "entity_key_inside", "numbers_spelled"])
    shape = g.rng.choice(["object", "list", "entities"])
    text = json_text(table, shape)
    expect = Expect("error")
    risky = False
    name0 = json.dumps(table[1][0][0], ensure_ascii=False)
    first_field = f'"{table[0][2]}": '
    if how == "shape":
        expect = Expect("same", table, must_accept=True)
    elif how == "strings":
        text = json_text(table, shape, typed=False)
        expect = Expect("same", table)
    elif how == "numbers_spelled":
        def respell(m: re.Match[str]) -> str:
            number = m.group(2)
            # Not `5.000` or `5.500`: one to three digits, a point and exactly three digits read
            # two ways (a thousands separator or a decimal point) and are refused, by design.
            return m.group(1) + g.rng.choice([number + ("0" if "." in number else ".0"), number + "e0",
                                              number + "E+00", number])
        text = re.sub(r'(: )(-?[0-9]+(?:\.[0-9]+)?)(?=[,}])', respell, text)
        expect = Expect("same", table, must_accept=True)
    elif how == "dup_entity":
        if shape == "list":
            text = text.replace("\n]", ",\n" + text.splitlines()[1].rstrip(",") + "\n]", 1)
        else:
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(name0))
            text = text.replace(line, line.rstrip(",") + ",\n" + line.rstrip(","), 1)
            text = re.sub(r",\n(\s*[}\]])", r"\n\1", text)
    elif how == "dup_field":
        text = text.replace(first_field, first_field + "1, " + first_field, 1)
    elif how == "deep_value":
        depth = g.rng.choice([2, 50, 1000, 100_000])
        text = re.sub(re.escape(first_field) + r"[^,}]+",
                      lambda m: first_field + _nest(depth, "1", g.rng.choice(["list", "dict"])),
                      text, count=1)
        risky = True
    elif how == "deep_root":
        depth = g.rng.choice([1000, 100_000, 1_000_000])
        text = _nest(depth, text.strip() if g.rng.random() < 0.5 else "1", g.rng.choice(["list", "dict"]))
        risky = True
    elif how == "constants":
        text = re.sub(re.escape(first_field) + r"[^,}]+",
                      first_field + g.rng.choice(["NaN", "Infinity", "-Infinity"]), text, count=1)
    elif how == "non_value":
        text = re.sub(re.escape(first_field) + r"[^,}]+",
                      first_field + g.rng.choice(["null", "true", "false", "[]", "{}", "[1]",
                                                  '{"value": 1}', '""']), text, count=1)
    elif how == "root":
        text = g.rng.choice(["[]", "{}", "null", "3", '"x"', "true", '{"entities": []}',
                             '{"entities": null}', '{"entities": {}, "x": 1}', "[1, 2]", "[null]",
                             '{"entities": {"A": {"block": null}}}', ""])
        expect = Expect("error")
    elif how == "big_exponent":
        text = re.sub(re.escape(first_field) + r"[^,}]+",
                      first_field + g.choice(["1e99999999", "1E+99999999", "-1e99999999",
                                              "1e-99999999", "1e5000", "1" * 5000,
                                              "0." + "0" * 5000 + "1"]), text, count=1)
        expect = Expect("any")
        risky = True
    elif how == "bom":
        text = "\ufeff" + text
        expect = Expect("same", table)
    elif how == "entity_key_inside":
        text = json_text(table, "object").replace("{", '{"entity": "Other", ', 2).replace(
            '{"entity": "Other", ', "{", 1)
    else:  # bytes
        raw = _damaged(g, bytearray(_encode(text)), 3, ["flip", "insert", "delete", "truncate"],
                       [b"{", b"[", b'"', b",", b"\\", b"\\u", b"\\ud800", b"0"])
        return g.case("json", "json.bytes", {"data.json": raw}, "data.json", Expect("any"))
    return g.case("json", f"json.{how}", {"data.json": _encode(text)}, "data.json", expect, risky=risky)


# -- mutations: YAML -----------------------------------------------------------------------

YAML_TAGGED = [  # (text, means the original number?)
    ("!!str {n}", True), ("!!float {n}", True), ("!!int {n}", True), ('"{n}"', True),
    ("'{n}'", True), ("|\n      {n}", True), (">-\n      {n}", True),
    ("!!binary aGVsbG8=", False), ("!!timestamp 2001-12-14", False), ("!!set {{a}}", False),
    ("!!omap [a: 1]", False), ("!custom {n}", False), ("!!python/object:os.system {{}}", False),
    ("!!python/name:os.system", False), ("!!null ''", False), ("!!bool yes", False),
    ("!!int 0x1F", False), ("!!float .nan", False), ("!!float 1e99999", False),
]
YAML_11 = ["0{n}", "00{n}", "{n}:00", "1:30", "1:30:00", "0b1010", "0x1F", "0o17", "+{n}", "{n}.",
           ".5", "1_000", "1__0", "yes", "no", "on", "off", "y", "n", "~", "null", "", ".inf",
           "-.INF", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1e3", "1.0e+3", "=",
           "<<", "[{n}]", "{{a: {n}}}"]


def m_yaml(g: Gen) -> Case:
    table = g.copy()
    how = g.rng.choice(["shipped", "tags", "yaml11", "deep", "alias_entity", "merge_key", "dup_entity",
                        "dup_field", "complex_key", "multi_document", "bytes", "flow",
                        "indent_tab", "anchors_bomb", "key_spacing"])
    text = yaml_text(table)
    expect = Expect("error")
    risky = False
    note = ""
    first_row = table[1][0]
    cells = [(0, c) for c in range(2, len(table[0])) if re.fullmatch(r"[0-9]+", first_row[c])]
    if how == "shipped":
        text = g.seeds.yaml_texts[g.source]
        expect = Expect("same", g.copy(), must_accept=True)
    elif how in ("tags", "yaml11"):
        _, c = g.rng.choice(cells)
        number = first_row[c]
        if how == "tags":
            pattern, means_same = g.rng.choice(YAML_TAGGED)
        else:
            pattern, means_same = g.rng.choice(YAML_11), False
        raw = pattern.format(n=number)
        note = raw
        line = f"    {table[0][c]}: {number}\n"
        assert line in text, line
        text = text.replace(line, f"    {table[0][c]}: {raw}\n", 1)
        if means_same:
            expect = Expect("same", table)
        elif how == "yaml11" and raw in ("~", "null", "") and \
                table[0][c] not in _reads(g.source).get(first_row[1], frozenset()):
            # YAML's null is "not given", which a block that does not read the indicator
            # accepts; the CSV text `~` is a value given, checked, and refused: no reference
            expect = Expect("any")
        elif how == "yaml11":
            # as the same text in a CSV file reads it (a plain scalar is the text written)
            meant = g.copy()
            meant[1][0][c] = raw
            expect = Expect("same", meant)
        else:
            expect = Expect("any")
    elif how == "deep":
        depth = g.rng.choice([50, 1000, 100_000])
        nested = ("[" * depth + "1" + "]" * depth) if g.rng.random() < 0.5 else \
            ("{a: " * depth + "1" + "}" * depth)
        line = f"    {table[0][2]}: {first_row[2]}\n"
        text = text.replace(line, f"    {table[0][2]}: {nested}\n", 1) if g.rng.random() < 0.7 \
            else nested + "\n"
        risky = True
    elif how == "alias_entity":
        # the second entity's data is the first's, by alias: it reads as that copy
        lines = text.split("\n")
        keys = [i for i, ln in enumerate(lines) if ln.startswith("  ") and not ln.startswith("    ")]
        body_end = keys[2] if len(keys) > 2 else len(lines) - 1
        text = "\n".join([lines[0], lines[keys[0]] + " &first", *lines[keys[0] + 1:keys[1]],
                          lines[keys[1]] + " *first", *lines[body_end:]])
        meant = g.copy()
        meant[1][1] = [meant[1][1][0], *meant[1][0][1:]]
        expect = Expect("same", meant)
    elif how == "merge_key":
        text = text.replace("entities:\n", "base: &b {block: x}\nentities:\n", 1)
        text = text.replace("    block:", "    <<: *b\n    block:", 1)
        expect = Expect("any")
    elif how == "dup_entity":
        lines = text.split("\n")
        end = next((i for i, ln in enumerate(lines[2:], 2) if ln.startswith("  ") and not
                    ln.startswith("    ")), len(lines) - 1)
        text = "\n".join([*lines[:end], *lines[1:end], *lines[end:]])
    elif how == "dup_field":
        line = f"    {table[0][2]}: {first_row[2]}\n"
        text = text.replace(line, line + line.replace(first_row[2], "0"), 1)
    elif how == "complex_key":
        key = g.rng.choice(["? [a, b]", "? {a: 1}", "[a, b]", "? |\n  x\n", "!!binary aGk=",
                            "1", "null", "~", "yes", "2024-01-01", "1.5"])
        lines = text.split("\n")
        lines[1] = f"  {key}:" if not key.startswith("?") else f"  {key}\n  :"
        text = "\n".join(lines)
        expect = Expect("any") if key in ("1", "null", "~", "yes", "2024-01-01", "1.5") else Expect("error")
    elif how == "multi_document":
        text = text + "---\n" + text
    elif how == "flow":
        text = json_text(table, g.rng.choice(["object", "entities"]))  # JSON is YAML 1.2 (flow)
        expect = Expect("same", table)
    elif how == "indent_tab":
        text = text.replace("    ", "\t", g.rng.randint(1, 3))
    elif how == "anchors_bomb":
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9))
        text = bomb + text.replace(f"    {table[0][2]}: {first_row[2]}\n", f"    {table[0][2]}: *j\n", 1)
        risky = True
    elif how == "key_spacing":
        # an entity key with a trailing space is the same entity as without, in every format
        lines = text.split("\n")
        end = next((i for i, ln in enumerate(lines[2:], 2) if ln.startswith("  ") and not
                    ln.startswith("    ")), len(lines) - 1)
        copy = [*lines[1:end]]
        copy[0] = copy[0][:-2] + ' ":'
        text = "\n".join([*lines[:end], *copy, *lines[end:]])
    else:  # bytes
        raw = _damaged(g, bytearray(_encode(g.seeds.yaml_texts[g.source] if g.rng.random() < 0.5
                                            else text)),
                       3, ["flip", "insert", "delete", "truncate"],
                       [b":", b"-", b"\n", b" ", b"\t", b"&", b"*", b"!", b"?", b"|", b"'", b'"', b"{",
                        b"[", b"%", b"\x00", b"#"])
        return g.case("yaml", "yaml.bytes", {"data.yaml": raw}, "data.yaml", Expect("any"))
    return g.case("yaml", f"yaml.{how}", {"data.yaml": _encode(text)}, "data.yaml", expect,
                  risky=risky, note=note)


# -- mutations: XLSX -----------------------------------------------------------------------


def m_xlsx(g: Gen) -> Case:
    table = g.copy()
    base = g.seeds.xlsx(g.source)
    parts = zip_parts(base)
    if g.rng.random() < 0.6:
        parts = shared_strings(parts)
        base = zip_bytes(parts)
    sheet = first_sheet_part(parts)
    xml = parts[sheet].decode("utf-8")
    how = g.rng.choice(["plain", "stale_dimension", "no_dimension", "huge_dimension", "far_cell",
                        "far_empty_cell", "hidden_first_sheet", "malformed_xml", "non_numeric_v",
                        "bad_shared_index", "cell_types", "number_v", "zip_bytes", "dup_row",
                        "del_column", "permute", "inline_strings", "rich_text", "strings_only"])
    expect = Expect("error")
    note = ""
    if how == "plain":
        expect = Expect("same", table, must_accept=True)
    elif how == "stale_dimension":
        ref = g.rng.choice(["A1", "A1:B2", "A1:C3", f"A1:{_col(len(table[0]) - 1)}{len(table[1])}",
                            f"A1:{_col(len(table[0]))}2"])
        note = ref
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
        expect = Expect("same", table, must_accept=True)
    elif how == "no_dimension":
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
        expect = Expect("same", table, must_accept=True)
    elif how == "huge_dimension":
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        expect = Expect("same", table, must_accept=True)
    elif how in ("far_cell", "far_empty_cell"):
        # a cell far away, the dimension saying so or not: a figure in a column or row with
        # no header is an error; an empty cell is nothing
        column, row = g.rng.choice([("XFD", MILLION), ("XFD", 2), ("A", MILLION), ("ZZ", 500), ("AAA", 3)])
        honest = g.rng.random() < 0.5 and (g.hazards or row < MILLION)
        value = "<v>1</v>" if how == "far_cell" else ""
        cell = f'<c r="{column}{row}">{value}</c>'
        if f'<row r="{row}"' in xml:
            xml = re.sub(rf'(<row r="{row}"[^>]*>.*?)</row>', lambda m: m.group(1) + cell + "</row>", xml,
                         count=1, flags=re.S)
        else:
            xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>', 1)
        if honest:
            from openpyxl.utils import column_index_from_string

            last_column = _col(max(column_index_from_string(column), len(table[0])))
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>',
                         f'<dimension ref="A1:{last_column}{max(row, len(table[1]) + 1)}"/>', xml)
            note = f"{column}{row}, dimension updated"
        else:
            note = f"{column}{row}, dimension stale"
        expect = Expect("error") if how == "far_cell" else Expect("same", table)
    elif how == "hidden_first_sheet":
        decoy = g.copy()
        for row in decoy[1]:
            row[2] = str(int(row[2]) + 1) if row[2].isdigit() else row[2]
        content = g.rng.choice(["decoy", "lists"])
        first = decoy if content == "decoy" else (["code", "label"], [["1", "x"], ["2", "y"]])
        data = xlsx_bytes(table, sheets=[("Old", first, g.rng.choice(["hidden", "veryHidden"])),
                                         ("Data", table, "visible")])
        note = content
        case = g.case("xlsx", f"xlsx.hidden_first_sheet.{content}", {"data.xlsx": data}, "data.xlsx",
                      Expect("same", table), risky=True, note=note)
        case.family = "xlsx.hidden_first_sheet"
        return case
    elif how == "malformed_xml":
        part = g.rng.choice([sheet, "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml",
                             "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"])
        if part not in parts:
            part = sheet
        blob = parts[part] if part != sheet else xml.encode("utf-8")
        cut = g.rng.choice(["truncate", "tag", "entity", "drop"])
        if cut == "truncate":
            blob = blob[:g.rng.randrange(len(blob))]
        elif cut == "tag":
            at = g.rng.randrange(len(blob))
            blob = blob[:at] + b"<" + blob[at:]
        elif cut == "entity":
            blob = blob.replace(b"<v>", b"<v>&bogus;", 1) if b"<v>" in blob else blob + b"&x;"
        parts[part] = blob
        if cut == "drop":
            del parts[part]
        note = f"{part}:{cut}"
        expect = Expect("any")
        if part == sheet:
            xml = blob.decode("utf-8", "replace") if cut != "drop" else ""
            if cut == "drop":
                return g.case("xlsx", "xlsx.malformed_xml", {"data.xlsx": zip_bytes(parts)},
                              "data.xlsx", expect, risky=True, note=note)
    elif how == "non_numeric_v":
        bad = g.rng.choice(["abc", "", "1,5", "1e", "NaN", "0x10", " ", "--1"])
        xml = re.sub(r'(<c r="C2"[^>]*>)<v>[^<]*</v>', lambda m: m.group(1) + f"<v>{bad}</v>", xml, count=1)
        note = bad
        expect = Expect("error") if bad.strip() else Expect("any")
    elif how == "bad_shared_index":
        if "xl/sharedStrings.xml" not in parts:
            parts = shared_strings(parts)
            xml = parts[sheet].decode("utf-8")
        bad = g.rng.choice(["99999", "-1", "x", "1.5", ""])
        xml = re.sub(r'(<c r="A2"[^>]*t="s"[^>]*>)<v>[^<]*</v>', lambda m: m.group(1) + f"<v>{bad}</v>",
                     xml, count=1)
        note = bad
    elif how == "cell_types":
        kind, value = g.rng.choice([("b", "2"), ("b", "1"), ("e", "#DIV/0!"), ("d", "2024-01-01"),
                                    ("str", "30"), ("n", "30"), ("inlineStr", ""), ("zz", "30")])
        xml = re.sub(r'<c r="C2"[^>]*>.*?</c>', f'<c r="C2" t="{kind}"><v>{value}</v></c>', xml, count=1)
        note = f"t={kind} v={value}"
        expect = Expect("any")
    elif how == "number_v":
        value = g.rng.choice(["1e99999", "1e308", "1.7976931348623157e308", "5e-324", "-0",
                              "1E+99999999", "inf", "nan", "0x1p3", "1_000", "١٠"])
        xml = re.sub(r'(<c r="C2"[^>]*>)<v>[^<]*</v>', lambda m: m.group(1) + f"<v>{value}</v>", xml, count=1)
        note = value
        expect = Expect("any")
    elif how == "zip_bytes":
        raw = _damaged(g, bytearray(base), 4, ["flip", "flip", "delete", "truncate"], longest=16)
        return g.case("xlsx", "xlsx.zip_bytes", {"data.xlsx": raw}, "data.xlsx", Expect("any"),
                      risky=True)
    elif how in ("dup_row", "del_column", "permute", "strings_only"):
        header, rows = table
        if how == "dup_row":
            rows.append(rows[g.row_index()][:])
        elif how == "del_column":
            j = g.rng.randrange(len(header))
            header, rows = header[:j] + header[j + 1:], [r[:j] + r[j + 1:] for r in rows]
        elif how == "permute":
            g.rng.shuffle(rows)
            expect = Expect("same", (header, rows), must_accept=True)
        else:
            expect = Expect("same", (header, rows), must_accept=True)
        data = xlsx_bytes((header, rows), typed=how != "strings_only")
        return g.case("xlsx", f"xlsx.{how}", {"data.xlsx": data}, "data.xlsx", expect, risky=True)
    elif how == "inline_strings":  # the other way of writing text than the base's
        if "xl/sharedStrings.xml" in parts:
            parts = zip_parts(g.seeds.xlsx(g.source))
        else:
            parts = shared_strings(parts)
        xml = parts[sheet].decode("utf-8")
        expect = Expect("same", table, must_accept=True)
    else:  # rich_text: a shared string split into runs
        if "xl/sharedStrings.xml" not in parts:
            parts = shared_strings(parts)
            xml = parts[sheet].decode("utf-8")
        strings = parts["xl/sharedStrings.xml"].decode("utf-8")
        strings = re.sub(r"<si><t>([^<]{4,})</t></si>",
                         lambda m: f'<si><r><t>{m.group(1)[:3]}</t></r><r><rPr><b/></rPr>'
                                   f'<t xml:space="preserve">{m.group(1)[3:]}</t></r></si>', strings, count=2)
        parts["xl/sharedStrings.xml"] = strings.encode("utf-8")
        expect = Expect("same", table, must_accept=True)
    parts[sheet] = xml.encode("utf-8")
    return g.case("xlsx", f"xlsx.{how}", {"data.xlsx": zip_bytes(parts)}, "data.xlsx", expect,
                  risky=True, note=note)


def _col(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def shared_strings(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The workbook with its text in a shared-string table (`t="s"`), as Excel writes it;
    openpyxl writes text inline (`t="inlineStr"`)."""
    parts = dict(parts)
    sheet = first_sheet_part(parts)
    strings: list[str] = []

    def share(m: re.Match[str]) -> str:
        strings.append(m.group(2))
        return f'<c r="{m.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'
    xml = re.sub(r'<c r="([A-Z]+[0-9]+)"[^>]*t="inlineStr"[^>]*><is>(.*?)</is></c>', share,
                 parts[sheet].decode("utf-8"), flags=re.S)
    parts[sheet] = xml.encode("utf-8")
    table = "".join(f"<si>{item}</si>" for item in strings)
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>').encode()
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')).encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml" Id="rIdShared"/></Relationships>')).encode("utf-8")
    return parts


# -- mutations: audit records --------------------------------------------------------------


def m_records(g: Gen) -> Case:
    record = json.loads(g.seeds.record(g.source))
    how = g.rng.choice(["as_is", "reformatted", "dup_evaluation", "dup_rank", "drop_evaluation",
                        "drop_rank", "change_points", "change_input", "rename_entity", "versions",
                        "null_hashes", "paths", "bytes", "data_changed", "deep", "big_number",
                        "drop_ranks", "types"])
    expect = Expect("error")
    files: dict[str, bytes] = {}
    extra: list[str] = []
    risky = False
    evaluations, ranks = record["evaluations"], record["ranks"]
    i = g.rng.randrange(len(evaluations))
    text: str | None = None
    if how == "as_is":
        expect = Expect("ok")
    elif how == "reformatted":
        text = json.dumps(record, ensure_ascii=g.rng.random() < 0.5, sort_keys=True,
                          separators=(",", ":") if g.rng.random() < 0.5 else None)
        expect = Expect("ok")
    elif how == "dup_evaluation":
        evaluations.insert(g.rng.randrange(len(evaluations) + 1), json.loads(json.dumps(evaluations[i])))
    elif how == "dup_rank":
        ranks.append(dict(g.rng.choice(ranks)))
    elif how == "drop_evaluation":
        del evaluations[i]
    elif how == "drop_rank":
        del ranks[g.rng.randrange(len(ranks))]
    elif how == "drop_ranks":
        record["ranks"] = []
    elif how == "change_points":
        node = g.rng.choice([n for n in evaluations[i]["nodes"] if n.get("points") is not None])
        # Never the points it has (case 410, seed 2026: "0" for "0" left the record as it
        # was, and verify-record rightly found it matching).
        node["points"] = g.rng.choice([p for p in ["0", "1000", "-1", "1/3", str(node["points"]) + "1"]
                                       if p != node["points"]])
    elif how == "change_input":
        key = g.rng.choice([k for k, v in evaluations[i]["inputs"].items() if isinstance(v, str)])
        evaluations[i]["inputs"][key] = "12345" if evaluations[i]["inputs"][key] != "12345" else "0"
    elif how == "rename_entity":
        old = evaluations[i]["entity"]
        new = g.rng.choice([old + " ", unicodedata.normalize("NFD", old), old + "x"])
        if new == old:
            new = old + "x"
        evaluations[i]["entity"] = new
        for rank in ranks:
            if rank["entity"] == old:
                rank["entity"] = new
        expect = Expect("any") if new.strip() == old else Expect("error")
    elif how == "versions":
        key = g.rng.choice(["schema_version", "library_version"])
        record[key] = g.rng.choice(["0", "99.0", "", None, 1, "egov_rules.evaluation.v0", "x" * 10000])
        if g.rng.random() < 0.5:
            evaluations[i]["schema_version"] = record[key]
        expect = Expect("any")
    elif how == "null_hashes":
        target = g.rng.choice(["inputs_hash", "content_hash", "methodology"])
        if target == "content_hash":
            record["methodology"]["content_hash"] = g.rng.choice([None, "", "sha256:0"])
        else:
            record[target] = None
        expect = Expect("any")
    elif how == "paths":
        key = g.rng.choice(["methodology_path", "inputs_path", "inputs_sheet"])
        record[key] = g.rng.choice([None, "", "missing.csv", "/", ".", "..", "/dev/null", "\x00x",
                                    "record.json", "data.txt", "a" * 5000, "/proc/self/mem",
                                    str(ROOT / SOURCES[g.source][0]), str(ROOT / SOURCES[g.source][2]),
                                    "Data", "~/x.csv"])
        expect = Expect("any")
    elif how == "data_changed":
        header, rows = g.copy()
        r, c = g.rng.choice(g.numeric_cells())
        rows[r][c] = str(int(float(rows[r][c])) + 1)
        files["changed.csv"] = _encode(csv_text((header, rows)))
        extra = ["--data", "{DIR}/changed.csv"]
    elif how == "deep":
        depth = g.rng.choice([1000, 100_000])
        text = json.dumps(record).replace('"ranks": [', '"ranks": [' + "[" * depth + "]" * depth + ",", 1)
        risky = True
    elif how == "big_number":
        huge = g.choice(["1e99999999", "1e5000"])
        text = json.dumps(record).replace('"points": "', '"points": "' + huge, 1)
        risky = True
    elif how == "types":
        target = g.rng.choice(["evaluations", "ranks", "ties", "methodology", "inputs", "nodes"])
        value = g.rng.choice([None, 1, "x", [], {}, [1], True])
        if target in ("inputs", "nodes"):
            evaluations[i][target] = value
        else:
            record[target] = value
        expect = Expect("any")
    else:  # bytes
        files["record.json"] = _damaged(g, bytearray(g.seeds.record(g.source)), 3,
                                        ["flip", "delete", "truncate", "insert"],
                                        [b'"', b"{", b"[", b",", b"null", b"\\u0000", b"9"], longest=8)
        expect = Expect("any")
    if "record.json" not in files:
        files["record.json"] = _encode(text if text is not None else json.dumps(record, ensure_ascii=False))
    if not extra:  # the table the record was made from; verify-record never reads a record's paths
        files["data.csv"] = _encode(csv_text(g.seeds.tables[g.source]))
        extra = ["--data", "{DIR}/data.csv"]
    case = g.case("records", f"records.{how}", files, "record.json", expect, risky=risky)
    case.command = ["verify-record", "{D}", "--methodology", "{M}", *extra]
    return case


# -- the catalogue -------------------------------------------------------------------------

MUTATORS: list[tuple[str, Callable[[Gen], Case], int]] = [
    ("csv", m_csv_format, 4), ("csv", m_csv_structure, 4), ("csv", m_csv_header_variant, 1),
    ("csv", m_csv_bytes, 5), ("values", m_values, 5), ("names", m_names, 4),
    ("names", m_duplicate_names, 2), ("json", m_json, 4), ("yaml", m_yaml, 4), ("xlsx", m_xlsx, 4),
    ("records", m_records, 3),
]


def make_case(seed: int, number: int, seeds: Seeds, components: set[str] | None = None,
              hazards: bool = True) -> Case:
    rng = random.Random(f"{seed}/{number}")
    mutators = [(f, w) for c, f, w in MUTATORS if components is None or c in components]
    mutate = rng.choices([f for f, _ in mutators], [w for _, w in mutators])[0]
    source = rng.choice(sorted(SOURCES))
    return mutate(Gen(rng, source, seeds, hazards))


# -- running a case ------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised by the watchdog; a BaseException so that `main` does not catch it."""


@contextlib.contextmanager
def _watchdog(seconds: float | None) -> Iterator[None]:
    usable = seconds is not None and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def fire(signum: int, frame: Any) -> None:
        raise _Timeout()
    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _innermost(tb: traceback.StackSummary) -> str:
    ours = [f for f in tb if "/egov_rules/" in f.filename.replace("\\", "/")]
    frame = (ours or list(tb) or [None])[-1]
    if frame is None:
        return "?"
    path = frame.filename.replace("\\", "/")
    short = path[path.rindex("egov_rules/"):] if "egov_rules/" in path else Path(path).name
    return f"{short}:{frame.name}"


def run_main(argv: list[str], timeout: float | None) -> Outcome:
    """`egov_rules.cli.main(argv)` with standard streams as a terminal-less process has them
    (stdout strict UTF-8, stderr with backslash escapes)."""
    from egov_rules.cli import main

    stdout_bytes, stderr_bytes = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(stdout_bytes, encoding="utf-8", errors="strict", newline="")
    stderr = io.TextIOWrapper(stderr_bytes, encoding="utf-8", errors="backslashreplace", newline="")
    previous = os.environ.get("EGOV_RULES_DEBUG")
    os.environ["EGOV_RULES_DEBUG"] = "1"
    start = time.perf_counter()
    outcome: Outcome
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr), _watchdog(timeout):
            warnings.simplefilter("ignore")
            code = main(argv, out=stdout)
        outcome = Outcome(code, "exit")
    except KeyboardInterrupt:
        raise
    except _Timeout as hang:
        tb = traceback.extract_tb(hang.__traceback__)
        outcome = Outcome(None, "hang", where=_innermost(tb), trace="".join(tb.format()[-8:]))
    except Exception as error:  # what `main` turns into exit 3 without EGOV_RULES_DEBUG
        tb = traceback.extract_tb(error.__traceback__)
        outcome = Outcome(3, "crash", error=f"{type(error).__name__}: {str(error)[:300]}",
                          where=_innermost(tb), trace="".join(traceback.format_exception(error)[-12:]))
    except BaseException as error:
        tb = traceback.extract_tb(error.__traceback__)
        outcome = Outcome(None, "escaped", error=f"{type(error).__name__}: {str(error)[:300]}",
                          where=_innermost(tb), trace="".join(traceback.format_exception(error)[-12:]))
    finally:
        if previous is None:
            os.environ.pop("EGOV_RULES_DEBUG", None)
        else:
            os.environ["EGOV_RULES_DEBUG"] = previous
    outcome.seconds = time.perf_counter() - start
    with contextlib.suppress(Exception):
        stdout.flush()
        stderr.flush()
    outcome.stdout = stdout_bytes.getvalue().decode("utf-8", "replace")
    outcome.stderr = stderr_bytes.getvalue().decode("utf-8", "replace")[:20_000]
    return outcome


def _memory_limit() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = 1 << 30
    return current + (768 << 20)


def run_forked(argv: list[str], timeout: float, folder: Path, cpu_seconds: int | None = None) -> Outcome:
    """`run_main` in a forked child with a memory limit and a hard timeout; a hang's stack
    is dumped by faulthandler just before the child is stopped. `cpu_seconds` also limits the
    child's CPU time (a bound that a busy machine does not stretch)."""
    stack_file = folder / "hang-stack.txt"
    read_end, write_end = os.pipe()
    limit = _memory_limit()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_end)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            if cpu_seconds is not None:
                resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
            with open(stack_file, "w") as stack:
                faulthandler.dump_traceback_later(timeout, exit=True, file=stack)
                outcome = run_main(argv, None)
                faulthandler.cancel_dump_traceback_later()
            payload = pickle.dumps(outcome)
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            status = 70
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = start + timeout + 5
    killed = False
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            os.kill(pid, signal.SIGKILL)
            killed = True
            break
        ready, _, _ = select.select([read_end], [], [], remaining)
        if ready:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    if chunks and not killed:
        try:
            outcome: Outcome = pickle.loads(b"".join(chunks))
            return outcome
        except Exception:
            pass
    stack = stack_file.read_text(errors="replace") if stack_file.exists() else ""
    if stack.strip() or killed:
        frames = re.findall(r'File "([^"]+)", line (\d+) in (\S+)', stack)
        ours = [f for f in frames if "/egov_rules/" in f[0]]
        top = (ours or frames or [("?", "0", "?")])[0]  # faulthandler lists the innermost first
        path = top[0]
        short = path[path.rindex("egov_rules/"):] if "egov_rules/" in path else Path(path).name
        where = f"{short}:{top[2]}"
        return Outcome(None, "hang", where=where, trace=stack[:3000], seconds=seconds)
    signal_number = -status if status < 0 else (os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0)
    return Outcome(None, "killed", error=f"child ended without a result (status {status}, signal "
                   f"{signal_number}): memory limit or interpreter crash", seconds=seconds)


# -- reference results and checks ----------------------------------------------------------


def _read(path: str | Path) -> str:
    """An output file's text exactly (no newline translation: a name may hold a CR)."""
    return Path(path).read_bytes().decode("utf-8", "surrogateescape")


def _parse_scores(text: str) -> tuple[list[str], dict[str, list[str]]] | None:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if not rows:
        return None
    return rows[0], {row[0]: row[1:] for row in rows[1:] if row}


class Runner:
    def __init__(self, seeds: Seeds, folder: Path, timeout: float, isolate_all: bool = False,
                 secondary: Callable[[int], bool] = lambda number: False) -> None:
        self.seeds, self.folder, self.timeout, self.isolate_all = seeds, folder, timeout, isolate_all
        self.secondary = secondary  # which exit-0 cases are re-run as rank/explain/other formats
        self._reference: dict[str, tuple[int | None, Any]] = {}

    def reference(self, source: str, table: Table) -> tuple[int | None, Any]:
        """Exit code and scores of the table written as plain CSV."""
        text = csv_text(table)
        key = hashlib.sha256(f"{source}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
        if key not in self._reference:
            folder = self.folder / "reference"
            folder.mkdir(exist_ok=True)
            data = folder / "data.csv"
            data.write_bytes(_encode(text))
            out = folder / "scores.csv"
            out.unlink(missing_ok=True)
            risky = bool(_HUGE.search(text))
            argv = ["score", str(ROOT / SOURCES[source][0]), str(data), "--format", "csv",
                    "--output", str(out)]
            outcome = run_forked(argv, self.timeout, folder) if risky else run_main(argv, self.timeout)
            scores = _parse_scores(_read(out)) if outcome.code == 0 and out.exists() else None
            self._reference[key] = (outcome.code if outcome.kind == "exit" else None, scores)
        return self._reference[key]

    def run(self, argv: list[str], risky: bool, folder: Path) -> Outcome:
        if risky or self.isolate_all:
            return run_forked(argv, self.timeout, folder)
        return run_main(argv, self.timeout)


@dataclass
class Stats:
    tried: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    crashes: int = 0  # exit 3: an Exception escaping main under EGOV_RULES_DEBUG
    escaped: int = 0
    hangs: int = 0
    killed: int = 0
    checked: int = 0  # exit 0 compared with the reference
    check_failed: int = 0
    secondary: int = 0
    by_component: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    def distinct(self) -> dict[str, list[Finding]]:
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.signature, []).append(finding)
        return groups


def _fill(argv: list[str], values: dict[str, str]) -> list[str]:
    out = []
    for arg in argv:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return out


def _diff(expected: tuple[list[str], dict[str, list[str]]], got: tuple[list[str], dict[str, list[str]]]
          ) -> str:
    if expected[0] != got[0]:
        return f"columns differ: {got[0][:6]}… vs {expected[0][:6]}…"
    missing = sorted(set(expected[1]) - set(got[1]))
    extra = sorted(set(got[1]) - set(expected[1]))
    if missing or extra:
        return f"entities differ: scored {[repr(e)[:60] for e in extra]} instead of " \
               f"{[repr(e)[:60] for e in missing]}"
    for name in expected[1]:
        for column, a, b in zip(expected[0][1:], expected[1][name], got[1][name], strict=True):
            if a != b:
                return f"{name!r}: {column} = {b}, expected {a}"
    return "?"


def run_case(runner: Runner, case: Case, number: int, stats: Stats, folder: Path) -> Outcome:
    """Run one case, update the counts, record its findings."""
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    methodology = str(ROOT / SOURCES[case.source][0])
    data_path, out_path = str(folder / case.data), str(folder / "out.txt")
    values = {"M": methodology, "D": data_path, "OUT": out_path, "DIR": str(folder)}
    command = case.command or ["score", "{M}", "{D}", "--format", "csv", "--output", "{OUT}"]
    argv = _fill(command, values)
    outcome = runner.run(argv, case.risky, folder)
    stats.tried += 1
    stats.by_component[case.component] += 1

    def find(kind: str, signature: str, detail: str, trace: str = "", used: list[str] | None = None) -> None:
        stats.findings.append(Finding(kind, signature, number, case.source, case.component,
                                      case.mutation, detail, used or argv, trace))

    if not _count(outcome, stats, find, case):
        return outcome
    before = len(stats.findings)
    if _TERMINAL_CONTROL.search(outcome.stderr):
        find("output", "output: diagnostics echo terminal control characters from the data",
             repr(_TERMINAL_CONTROL.search(outcome.stderr).group()))  # type: ignore[union-attr]
    code = outcome.code
    expect = case.expect
    if expect.kind == "error" and code == 0:
        find("silent", f"silent: {case.group} scored without an error",
             "the mutated data was scored (exit 0); it should be refused")
    elif expect.kind == "ok" and code != 0:
        find("refused", f"refused: {case.group}", f"exit {code}: {outcome.stderr[:300]}")
    elif expect.kind == "same" and expect.table is not None:
        reference_code, reference = runner.reference(case.source, expect.table)
        if code == 0 and case.command == []:
            got = _parse_scores(_read(out_path)) if Path(out_path).exists() else None
            if reference is None:
                if reference_code == 1:
                    find("silent", f"silent: {case.group} accepted where the reference refuses",
                         "exit 0, but the same table in plain CSV is an error")
            elif got is None:
                find("mismatch", f"mismatch: {case.group}", "no readable scores written")
            else:
                stats.checked += 1
                if got != reference:
                    stats.check_failed += 1
                    find("mismatch", f"mismatch: {case.group}", _diff(reference, got))
                # Names as the readers keep them: NFC, zero-width characters removed, trimmed.
                names = {normal_text(row[0]) for row in expect.table[1] if row and normal_text(row[0])}
                # A CSV text cell starting with a formula character or `'` has a `'` put before
                # it (report/safe.py, formula injection): drop one to get the name back.
                given = {n[1:] if n.startswith("'") else n for n in reference[1]}
                if given != names or len(given) != len(reference[1]):
                    find("output", "output: score --format csv does not give back the names read",
                         f"names read: {sorted(map(repr, names - given))[:3]}, found in "
                         f"the output: {sorted(map(repr, given - names))[:3]}")
        elif code == 1 and expect.must_accept and reference_code == 0:
            find("refused", f"refused: {case.group}",
                 "valid data refused: " + (outcome.stderr.strip().splitlines() or [""])[0][:300])
    if code == 0 and case.command == [] and len(stats.findings) == before and runner.secondary(number):
        _secondary(runner, case, number, stats, folder, values, find)
    return outcome


def _count(outcome: Outcome, stats: Stats, find: Callable[..., None], case: Case) -> bool:
    """Count the outcome; False when it is a crash, hang or escape (recorded as a finding)."""
    if outcome.kind == "exit" and outcome.code is not None:
        stats.exits[outcome.code] += 1
        return True
    if outcome.kind == "crash":
        stats.crashes += 1
        stats.exits[3] += 1
        find("crash", f"crash: {outcome.error.split(':')[0]} in {outcome.where}", outcome.error,
             outcome.trace)
    elif outcome.kind == "hang":
        stats.hangs += 1
        find("hang", f"hang: in {outcome.where}", f"no result within the timeout ({case.note})",
             outcome.trace)
    elif outcome.kind == "killed":
        stats.killed += 1
        find("hang", f"killed: {case.group}", outcome.error)
    else:
        stats.escaped += 1
        find("escaped", f"escaped: {outcome.error.split(':')[0]} in {outcome.where}", outcome.error,
             outcome.trace)
    return False


def _secondary(runner: Runner, case: Case, number: int, stats: Stats, folder: Path,
               values: dict[str, str], find: Callable[..., None]) -> None:
    """Data that scored must also rank, explain and render in every format."""
    rng = random.Random(f"secondary/{number}")
    if case.expect.kind == "same" and case.expect.table is not None:
        names = sorted({row[0].strip() for row in case.expect.table[1] if row and row[0].strip()})
    else:
        scores = _parse_scores(_read(values["OUT"]))
        names = sorted(scores[1]) if scores else []
    command = rng.choice(["score", "rank", "explain"] if names else ["score", "rank"])
    fmt = rng.choice(["text", "markdown", "json", "csv", "html"])
    argv = [command, "{M}", "{D}", "--format", fmt, "--lang", rng.choice(["vi", "en"])]
    if command == "explain" or (command == "score" and names and rng.random() < 0.3):
        argv += ["--entity", rng.choice(names)]
    if rng.random() < 0.5:
        argv += ["--output", "{DIR}/secondary.out"]
    filled = _fill(argv, values)
    outcome = runner.run(filled, case.risky, folder)
    stats.secondary += 1
    if outcome.kind != "exit":
        _count(outcome, stats, lambda *a, **k: find(*a, **{**k, "used": filled}), case)
    elif outcome.code != 0:
        find("secondary", f"secondary: `{command} --format {fmt}` exit {outcome.code} after score exit 0",
             outcome.stderr[:300], used=filled)
    else:
        written = _read(folder / "secondary.out") if "--output" in argv else outcome.stdout
        problem = output_problem(fmt, written, names)
        if problem:
            find("output", f"output: --format {fmt}: {problem[0]}", problem[1], used=filled)


# ESC, BEL, backspace, CSI: written raw to a terminal they recolour, retitle or rewrite it
_TERMINAL_CONTROL = re.compile("[\x07\x08\x1b\x9b]")


def output_problem(fmt: str, text: str, names: list[str]) -> tuple[str, str] | None:
    """What is wrong with an output, as (class, detail), or None: CSV rows of one width, JSON
    that parses, Markdown table rows with as many cells as their header, HTML with every
    name escaped."""
    if fmt == "csv":
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            return "unreadable CSV", str(error)
        widths = {len(r) for r in rows if r}
        if len(widths) > 1 and not any(not r for r in rows):  # explain CSV is one table
            return "CSV rows of different widths", f"widths {sorted(widths)}"
    elif fmt == "json":
        try:
            json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError as error:
            return "not JSON", str(error)[:200]
    elif fmt == "markdown":
        header_cells = None
        for line in re.split(r"\r\n|\r|\n", text):  # CommonMark's line endings
            if not line.startswith("|"):
                header_cells = None
                continue
            cells = len(re.findall(r"(?<!\\)\|", line))
            if header_cells is None:
                header_cells = cells
            elif cells != header_cells:
                return "Markdown table row with a different number of cells", line[:200]
    elif fmt == "text" and _TERMINAL_CONTROL.search(text):
        return "terminal control characters from the data", repr(_TERMINAL_CONTROL.search(text).group())  # type: ignore[union-attr]
    if fmt == "html":
        for name in names:
            if "<" in name and name in text:
                return "HTML with a name not escaped", name[:100]
    return None


def _secondary_rate(number: int) -> bool:
    return random.Random(f"take/{number}").random() < 0.35


# -- seeds ---------------------------------------------------------------------------------


def make_seeds(folder: Path) -> Seeds:
    tables = {source: read_table(ROOT / csv_path) for source, (_, csv_path, _) in SOURCES.items()}
    yamls = {source: (ROOT / yaml_path).read_text(encoding="utf-8")
             for source, (_, _, yaml_path) in SOURCES.items()}
    return Seeds(tables, yamls, folder)


@contextlib.contextmanager
def cached_methodologies() -> Iterator[None]:
    """Compile each rule file once per run (it is the data that is fuzzed, not the rules)."""
    import egov_rules

    original = egov_rules.load
    cache: dict[tuple[str, bytes, str], Any] = {}

    def load(path: Any, library: Any = None) -> Any:
        try:
            key = (str(Path(path).resolve()), hashlib.sha256(Path(path).read_bytes()).digest(),
                   repr(library))
        except OSError:
            return original(path, library)
        if key not in cache:
            cache[key] = original(path, library)
        return cache[key]
    egov_rules.load = load  # type: ignore[assignment]
    try:
        yield
    finally:
        egov_rules.load = original  # type: ignore[assignment]


def fuzz(budget: int, seed: int, timeout: float = 10.0, components: set[str] | None = None,
         only: int | None = None, keep: Path | None = None, isolate_all: bool = False,
         secondary: bool = True, hazards: bool = True,
         progress: Callable[[int, Case, Outcome], None] | None = None) -> Stats:
    """Run `budget` cases (or only case number `only`) from `seed`."""
    stats = Stats()
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="egov-fuzz-"))
    try:
        with cached_methodologies():
            seeds = make_seeds(folder)
            runner = Runner(seeds, folder, timeout, isolate_all,
                            _secondary_rate if secondary else lambda number: False)
            numbers = [only] if only is not None else range(budget)
            for number in numbers:
                case = make_case(seed, number, seeds, components, hazards)
                place = (keep if keep is not None and only is not None else folder / "case")
                place.mkdir(parents=True, exist_ok=True)
                outcome = run_case(runner, case, number, stats, place)
                if progress is not None:
                    progress(number, case, outcome)
                if keep is None or only is None:
                    shutil.rmtree(place, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    stats.seconds = time.perf_counter() - start
    return stats


# -- the report ----------------------------------------------------------------------------


def report(stats: Stats, seed: int, verbose: bool = False, components: set[str] | None = None) -> str:
    only = "".join(f" --component {c}" for c in sorted(components or ()))
    lines = [
        f"cases tried:        {stats.tried}  ({stats.seconds:.1f} s; "
        + ", ".join(f"{c} {n}" for c, n in sorted(stats.by_component.items())) + ")",
        f"exit 0:             {stats.exits[0]}",
        f"exit 1 (errors):    {stats.exits[1]}",
        f"exit 2 (usage):     {stats.exits[2]}",
        f"exit 3 (crashes):   {stats.crashes}",
        f"escaped main:       {stats.escaped}",
        f"hangs:              {stats.hangs + stats.killed}",
        f"exit 0 checked:     {stats.checked} against the reference, {stats.check_failed} differ; "
        f"{stats.secondary} re-run as rank/explain/other formats",
    ]
    groups = stats.distinct()
    lines.append(f"findings:           {len(stats.findings)} in {len(groups)} distinct classes"
                 + (f" ({sum(1 for s in groups if s in KNOWN)} known)" if groups else ""))
    for signature, findings in sorted(groups.items(), key=lambda kv: (kv[0] in KNOWN, kv[0])):
        first = findings[0]
        known = f"  [known: {KNOWN[signature]}]" if signature in KNOWN else ""
        mutations = sorted({f.mutation for f in findings})
        lines.append(f"\n* {signature}{known}\n  {len(findings)} case(s), mutations: "
                     f"{', '.join(mutations[:8])}\n  e.g. case {first.case} ({first.source}): "
                     f"{first.detail[:400]}\n  repro: python -m tests.fuzz_data --seed {seed}{only} "
                     f"--case {first.case} --keep /tmp/case")
        if verbose:
            lines.append("  cases: " + ", ".join(f"{f.case} ({f.mutation})" for f in findings[:30]))
        if verbose and first.trace:
            lines.append("  " + first.trace.strip().replace("\n", "\n  ")[-2500:])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_data", description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=500, help="cases to run (default 500)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case (default 10)")
    parser.add_argument("--component", action="append", choices=sorted({c for c, _, _ in MUTATORS}),
                        help="only these components (repeatable)")
    parser.add_argument("--case", type=int, help="run only this case number")
    parser.add_argument("--keep", type=Path, help="with --case: keep the case's files in this folder")
    parser.add_argument("--isolate-all", action="store_true", help="run every case in a forked child")
    parser.add_argument("--no-hazards", action="store_true",
                        help="leave out the inputs known to hang (8-digit exponents, a million rows)")
    parser.add_argument("--verbose", "-v", action="store_true", help="tracebacks of findings; each case")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))

    def progress(number: int, case: Case, outcome: Outcome) -> None:
        if args.verbose or args.case is not None:
            code = outcome.code if outcome.kind == "exit" else outcome.kind
            print(f"case {number}: {case.source} {case.mutation} {case.note[:60]!r} → {code} "
                  f"({outcome.seconds:.2f} s)", file=sys.stderr)
            if args.case is not None:
                print(outcome.stderr[:3000], file=sys.stderr)
    stats = fuzz(args.budget, args.seed, args.timeout, set(args.component) if args.component else None,
                 args.case, args.keep, args.isolate_all, hazards=not args.no_hazards, progress=progress)
    print(report(stats, args.seed, args.verbose, set(args.component or ())), end="")
    if args.keep is not None and args.case is not None:
        print(f"files kept in {args.keep}")
    unknown = [s for s in stats.distinct() if s not in KNOWN]
    return 1 if unknown else 0


if __name__ == "__main__":
    raise SystemExit(main())
