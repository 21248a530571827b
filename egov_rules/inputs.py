"""Indicator data in: values checked against the methodology's declarations, read exactly.

Every problem is reported with where it is (file:line:column for files, a key path for
Python mappings), all at once; nothing the user gave is dropped without a word.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.model import Model
from egov_rules.source import SourceFile, Span

RuntimeValue = Fraction | bool | str
_YES = {"yes", "y", "true", "có", "co", "1"}
_NO = {"no", "n", "false", "không", "khong", "0"}
MAX_DIGITS = 60
_INT_READER = yaml.SafeLoader("")  # only its YAML 1.1 integer constructor is used


@dataclass
class Located:
    """A raw value with where it came from (a span in a file, or a key path)."""

    value: Any
    span: Span | None = None
    path: str = ""


@dataclass
class EntityData:
    """One entity's raw data: its name, block and indicator values, each located."""

    name: str
    block: Located
    values: dict[str, Located] = field(default_factory=dict)
    span: Span | None = None
    path: str = ""
    # Indicators whose absence was already reported once for the whole file (a missing column).
    missing_reported: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Nested:
    """A list or mapping found where one value was expected (reported by `coerce`)."""

    kind: str  # "list" or "mapping"


_NESTED_VI = {"list": "một danh sách", "mapping": "một ánh xạ"}


def _nested_kind(raw: Any) -> str | None:
    if isinstance(raw, Nested):
        return raw.kind
    if isinstance(raw, list | tuple | set):
        return "list"
    return "mapping" if isinstance(raw, Mapping) else None


class _BadValue(Exception):
    def __init__(self, en: str, vi: str, hint: Text | None = None) -> None:
        super().__init__(en)
        self.en, self.vi, self.hint = en, vi, hint


def _to_fraction(raw: Any) -> Fraction:
    if isinstance(raw, bool):
        raise _BadValue("expected a number, got a yes/no", "cần một số, nhận được có/không")
    if isinstance(raw, Fraction):
        return raw
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise _BadValue(f"{raw} is not a finite number", f"{raw} không phải số hữu hạn")
        return Fraction(repr(raw))  # the decimal the user wrote, not the binary float
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _BadValue(f"{raw} is not a finite number", f"{raw} không phải số hữu hạn")
        return Fraction(raw)
    if isinstance(raw, str):
        text = raw.strip().replace("_", "")
        if len(text) > MAX_DIGITS:
            raise _BadValue(f"a number of more than {MAX_DIGITS} characters",
                            f"số dài quá {MAX_DIGITS} ký tự")
        if "," in text:
            raise _BadValue(f"`{raw}` uses a comma", f"`{raw}` có dấu phẩy",
                            Text("write decimals with a point and no thousands separator: 1234.5",
                                 "viết số thập phân bằng dấu chấm, không dùng dấu phân cách nghìn: "
                                 "1234.5"))
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise _BadValue(f"`{raw}` is not a number", f"`{raw}` không phải một số") from None
    raise _BadValue(f"expected a number, got {type(raw).__name__}",
                    f"cần một số, nhận được {type(raw).__name__}")


def _fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def coerce(indicator: s.Indicator, raw: Any) -> RuntimeValue:
    """A raw value as the exact runtime value of an indicator, or _BadValue."""
    nested = _nested_kind(raw)
    if nested is not None:
        raise _BadValue(f"expected one value, got a {nested}",
                        f"cần một giá trị, nhận được {_NESTED_VI[nested]}")
    kind = indicator.kind
    if kind == "yes/no":
        return _yes_no(raw)
    if kind == "options":
        ids = [o.id for o in indicator.options]
        if isinstance(raw, str) and raw.strip() in ids:
            return raw.strip()
        raise _BadValue(f"`{raw}` is not one of {', '.join(ids)}",
                        f"`{raw}` không thuộc {', '.join(ids)}",
                        did_you_mean(str(raw), ids))
    if kind == "percent" and isinstance(raw, str) and raw.strip().endswith("%"):
        raw = raw.strip()[:-1]
    value = _to_fraction(raw)
    if kind == "count":
        if value < 0:
            raise _BadValue(f"a count cannot be negative (got {_fmt(value)})",
                            f"số đếm không thể âm (nhận được {_fmt(value)})")
        if value.denominator != 1:
            raise _BadValue(f"a count must be a whole number (got {_fmt(value)})",
                            f"số đếm phải là số nguyên (nhận được {_fmt(value)})")
    elif kind == "percent":
        if not 0 <= value <= 100:
            raise _BadValue(f"a percentage must be between 0 and 100 (got {_fmt(value)})",
                            f"tỷ lệ phần trăm phải từ 0 đến 100 (nhận được {_fmt(value)})")
        value = value / 100
    elif kind == "level" and indicator.levels:
        lo, hi = indicator.levels
        if value.denominator != 1 or not lo <= value <= hi:
            raise _BadValue(f"a level must be a whole number from {lo} to {hi} (got {_fmt(value)})",
                            f"mức độ phải là số nguyên từ {lo} đến {hi} (nhận được {_fmt(value)})")
    _check_between(indicator, value)
    return value


def _check_between(indicator: s.Indicator, value: Fraction) -> None:
    between = indicator.get("between")
    if between is None or not isinstance(between.value, tuple):
        return
    lo, hi = between.value
    shown = value * 100 if indicator.kind == "percent" else value
    if not lo <= shown <= hi:
        raise _BadValue(f"{_fmt(shown)} is outside the declared bounds {_fmt(lo)} to {_fmt(hi)}",
                        f"{_fmt(shown)} nằm ngoài giới hạn {_fmt(lo)} đến {_fmt(hi)}")


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _BadValue(f"`{raw}` is not a yes/no answer", f"`{raw}` không phải câu trả lời có/không",
                    Text("write yes or no (có / không)", "viết có hoặc không (yes / no)"))


def _as_written(indicator: s.Indicator, located: Located) -> Any:
    """An option id is the text as written: YAML 1.1 reads a bare `on`, `off` or `yes` as a
    boolean, which would lose which word the data file used."""
    if indicator.kind == "options" and isinstance(located.value, bool) and located.span is not None:
        return located.span.text
    return located.value


def validate_entity(model: Model, entity: EntityData, reporter: Reporter
                    ) -> dict[str, RuntimeValue] | None:
    """Check one entity's data; report every problem; return its values when there is none."""
    before = len(reporter.diagnostics)
    block = entity.block.value
    if block is None or (isinstance(block, str) and not block.strip()):
        _report(reporter, codes.BAD_DATA, entity.block if entity.block.span or entity.block.path
                else Located(None, entity.span, entity.path),
                detail=f"{entity.name}: no block given", detail_vi=f"{entity.name}: thiếu khối")
    elif not isinstance(block, str) or block not in model.blocks:
        _report(reporter, codes.UNKNOWN_NAME, entity.block, name=str(block), kind="block",
                kind_vi="khối", hint=did_you_mean(str(block), list(model.blocks)))
    values: dict[str, RuntimeValue] = {}
    for name, located in entity.values.items():
        indicator = model.indicators.get(name)
        if indicator is None:
            _report(reporter, codes.UNKNOWN_NAME, located, name=name, kind="indicator",
                    kind_vi="chỉ số", hint=did_you_mean(name, list(model.indicators)))
            continue
        if located.value is None:
            continue  # treated as missing below
        try:
            values[name] = coerce(indicator, _as_written(indicator, located))
        except _BadValue as bad:
            _report(reporter, codes.BAD_VALUE, located, hint=bad.hint,
                    detail=f"{entity.name}: {name}: {bad.en}",
                    detail_vi=f"{entity.name}: {name}: {bad.vi}")
    absent: list[str] = []  # not mentioned at all: one diagnostic for the entity
    for name, indicator in model.indicators.items():
        if name in values or name in entity.missing_reported or (
                name in entity.values and entity.values[name].value is not None):
            continue
        if model.missing_policy == "zero" and indicator.kind != "options":
            values[name] = False if indicator.kind == "yes/no" else (
                Fraction(indicator.levels[0]) if indicator.levels else Fraction(0))
            continue
        given = entity.values.get(name)  # an empty cell is located at the cell itself
        if given is not None and (given.span or given.path):
            _report_missing(reporter, model, entity, given, [name])
        else:
            absent.append(name)
    if absent:
        _report_missing(reporter, model, entity, Located(None, entity.span, entity.path), absent)
    return values if len(reporter.diagnostics) == before else None


def _report_missing(reporter: Reporter, model: Model, entity: EntityData, where: Located,
                    names: list[str]) -> None:
    listed = ", ".join(f"`{n}`" for n in names)
    plural = len(names) > 1
    _report(reporter, codes.MISSING_VALUE, where, entity=entity.name,
            names=f"indicators {listed}" if plural else f"indicator {listed}",
            names_vi=f"các chỉ số {listed}" if plural else f"chỉ số {listed}",
            hint=Text("give a value (the methodology's policy is `missing error`)",
                      "nhập giá trị (phương pháp quy định `missing error`)")
            if model.missing_policy == "error" else None)


def _report(reporter: Reporter, code: codes.Code, where: Located, hint: Text | None = None,
            **args: str) -> None:
    diagnostic = Diagnostic(code, where.span, dict(args), hint, (), where.path or None)
    reporter.diagnostics.append(diagnostic)


# -- from Python mappings ------------------------------------------------------------------


def from_mapping(name: str, data: Mapping[str, Any], block: str | None = None) -> EntityData:
    """An entity from a plain mapping (the Python API); `block` may be given separately."""
    values = dict(data)
    raw_block = block if block is not None else values.pop("block", None)
    if block is not None:
        values.pop("block", None)
    return EntityData(
        name=name, block=Located(raw_block, path=f"{name}.block"),
        values={k: Located(v, path=f"{name}.{k}") for k, v in values.items()}, path=name,
    )


# -- from YAML files -----------------------------------------------------------------------


def load_yaml(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from a YAML file: `{entity: {block: …, indicator: value, …}}`, optionally
    under a top-level `entities:` key. Decimals are read exactly, as written."""
    try:
        source = SourceFile.read(path)
    except UnicodeDecodeError:
        reporter.report(codes.NOT_UTF8, None)
        reporter.diagnostics[-1] = Diagnostic(codes.NOT_UTF8, None, {}, None, (), str(path))
        return []
    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        span = source.span(mark.index, mark.index + 1) if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        reporter.report(codes.BAD_DATA, span, detail=f"not valid YAML: {problem}",
                        detail_vi=f"không phải YAML hợp lệ: {problem}")
        return []
    return _entities_from_yaml(root, source, reporter)


def _span(source: SourceFile, node: yaml.Node) -> Span:
    return source.span(node.start_mark.index, node.end_mark.index)


def _entities_from_yaml(root: yaml.Node | None, source: SourceFile, reporter: Reporter
                        ) -> list[EntityData]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "entities" and len(root.value) == 1:
                root = value
                break
    if not isinstance(root, yaml.MappingNode):
        reporter.report(
            codes.BAD_DATA, _span(source, root) if root is not None else source.span(0, 0),
            detail="expected a mapping of entity names to their data",
            detail_vi="cần một ánh xạ từ tên đơn vị đến dữ liệu của đơn vị",
        )
        return []
    entities: list[EntityData] = []
    seen: dict[str, Span] = {}
    for key, value in root.value:
        name = str(key.value)
        if name in seen:
            reporter.report(codes.DUPLICATE_ID, _span(source, key), name=name)
            continue
        seen[name] = _span(source, key)
        entity = _entity_from_yaml(name, key, value, source, reporter)
        if entity is not None:
            entities.append(entity)
    return entities


def _entity_from_yaml(name: str, key: yaml.Node, node: yaml.Node, source: SourceFile,
                      reporter: Reporter) -> EntityData | None:
    if not isinstance(node, yaml.MappingNode):
        reporter.report(codes.BAD_DATA, _span(source, node),
                        detail=f"{name}: expected `block:` and indicator values",
                        detail_vi=f"{name}: cần `block:` và giá trị các chỉ số")
        return None
    entity = EntityData(name=name, block=Located(None, _span(source, key)),
                        span=_span(source, key), path=name)
    for item_key, item_value in node.value:
        field_name = str(item_key.value)
        located = Located(_scalar(item_value), _span(source, item_value), f"{name}.{field_name}")
        if field_name == "block":
            entity.block = located
        elif field_name in entity.values:
            reporter.report(codes.DUPLICATE_ID, _span(source, item_key), name=field_name)
        else:
            entity.values[field_name] = located
    if entity.block.value is None:
        reporter.report(codes.BAD_DATA, _span(source, key),
                        detail=f"{name}: no `block:` given", detail_vi=f"{name}: thiếu `block:`")
        return None
    return entity


def _scalar(node: yaml.Node) -> Any:
    """A YAML scalar as Python, with decimals kept exact (as the text that was written)."""
    if not isinstance(node, yaml.ScalarNode):
        return Nested("list" if isinstance(node, yaml.SequenceNode) else "mapping")
    tag = node.tag.rsplit(":", 1)[-1]
    text = node.value
    if tag == "float":
        lowered = text.lower()
        if lowered in (".inf", "+.inf", "-.inf", ".nan"):
            return float(lowered.replace(".", ""))
        return text.replace("_", "")
    if tag == "int":
        try:
            return int(_INT_READER.construct_yaml_int(node))
        except ValueError:
            return text  # e.g. thousands of digits: reported by `coerce`
    if tag == "bool":
        return text.lower() in ("yes", "true", "on", "y")
    if tag == "null":
        return None
    return text


# -- any data file -------------------------------------------------------------------------

ENTITY_COLUMNS = ("entity", "đơn vị", "don_vi")
BLOCK_COLUMNS = ("block", "khối", "khoi")
# Columns evaluators keep beside the figures; read, named in a warning, never scored.
# Any column whose name starts with `#` is informational too.
INFO_COLUMNS = frozenset({
    "note", "notes", "comment", "comments", "source", "ghi chú", "ghi_chu", "nguồn", "stt", "no",
    "code", "province_code", "ministry_code", "commune_code", "mã", "ma", "mã tỉnh", "ma_tinh",
})
DATA_SUFFIXES = (".csv", ".xlsx", ".json", ".yaml", ".yml")


class UnsupportedFormat(ValueError):
    """The file's extension names no data format the library reads."""


def load_data(path: str | Path, sheet: str | None = None, *, model: Model | None = None,
              reporter: Reporter | None = None) -> list[EntityData]:
    """Entities from a CSV, XLSX, JSON or YAML file, chosen by the file's extension.

    With `model`, table headers are checked once against its indicators (unknown or missing
    columns are reported at the header instead of on every row). With `reporter`, every
    diagnostic is appended to it and nothing is raised; without one, errors raise
    `EgovRulesError` and warnings are issued as Python warnings.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise UnsupportedFormat(f"{path}: unsupported data format `{suffix or '(none)'}`; "
                                f"use {', '.join(DATA_SUFFIXES)}")
    if sheet is not None and suffix != ".xlsx":
        raise UnsupportedFormat(f"{path}: --sheet applies only to .xlsx workbooks")
    own = reporter if reporter is not None else Reporter()
    if suffix == ".csv":
        entities = load_csv(path, own, model)
    elif suffix == ".xlsx":
        entities = load_xlsx(path, own, model, sheet)
    elif suffix == ".json":
        entities = load_json(path, own)
    else:
        entities = load_yaml(path, own)
    if reporter is None:
        _raise_or_warn(own)
    return entities


def _raise_or_warn(reporter: Reporter) -> None:
    import warnings

    from egov_rules.diagnostics import EgovRulesError

    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    for diagnostic in reporter.diagnostics:
        warnings.warn(str(diagnostic), UserWarning, stacklevel=3)


def file_sha256(path: str | Path) -> str:
    """The audit fingerprint of a data file: sha256 of its exact bytes."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- tables (CSV and XLSX) -----------------------------------------------------------------


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


def _report_duplicate(reporter: Reporter, name: str, cell: Located, first: Located) -> None:
    from egov_rules.diagnostics import Label

    labels = (Label(first.span, Text("first given here", "đã có ở đây")),) if first.span else ()
    hint = None if first.span else Text(f"first given at {first.path}", f"đã có ở {first.path}")
    reporter.diagnostics.append(Diagnostic(codes.DUPLICATE_ID, cell.span, {"name": name}, hint,
                                           labels, cell.path or None))


# -- CSV -----------------------------------------------------------------------------------


def _read_text(path: str | Path, reporter: Reporter) -> SourceFile | None:
    try:
        return SourceFile.read(path)
    except UnicodeDecodeError:
        reporter.diagnostics.append(Diagnostic(
            codes.NOT_UTF8, None, {}, Text("save the file as UTF-8 (Excel: “CSV UTF-8”)",
                                           "lưu tệp dạng UTF-8 (Excel: “CSV UTF-8”)"),
            (), str(path)))
        return None


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


# -- XLSX ----------------------------------------------------------------------------------


def _xlsx_value(value: Any, number_format: str) -> Any:
    """A cell's value, exact: floats via their shortest repr (0.1 → 1/10); a cell formatted
    as a percentage holds a share (0.825 shown as 82.5%) and is read as 82.5."""
    if isinstance(value, float) and not isinstance(value, bool) and math.isfinite(value):
        exact = Fraction(repr(value))
        return exact * 100 if "%" in number_format else exact
    if isinstance(value, int) and not isinstance(value, bool) and "%" in number_format:
        return Fraction(value) * 100
    return value


def load_xlsx(path: str | Path, reporter: Reporter, model: Model | None = None,
              sheet: str | None = None) -> list[EntityData]:
    """Entities from the first sheet of an XLSX workbook (or the sheet named), one row each.
    Formulas are read as the values Excel last calculated."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": f"not a readable XLSX workbook ({type(error).__name__})",
            "detail_vi": f"không đọc được tệp XLSX ({type(error).__name__})"}, path=str(path)))
        return []
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            reporter.diagnostics.append(Diagnostic(
                codes.BAD_DATA, None, {"detail": f"no sheet named `{sheet}`; the workbook has: {names}",
                                       "detail_vi": f"không có trang tính `{sheet}`; tệp có: {names}"},
                did_you_mean(sheet, workbook.sheetnames), path=str(path)))
            return []
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        title = worksheet.title
        rows: list[list[Located]] = []
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            rows.append([
                Located(_xlsx_value(cell.value, getattr(cell, "number_format", "") or ""),
                        path=f"{path}!{title}:{get_column_letter(column)}{number}")
                for column, cell in enumerate(cells, start=1)
            ])
    finally:
        workbook.close()
    if not rows:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": f"sheet `{title}` is empty", "detail_vi": f"trang tính `{title}` trống"},
            path=f"{path}!{title}"))
        return []
    width = max(len(row) for row in rows)
    ends = [Located(None, path=f"{path}!{title}:{get_column_letter(width + 1)}{number}")
            for number in range(2, len(rows) + 1)]
    return _entities_from_table(_Table(rows[0], rows[1:], ends), reporter, model)


# -- JSON ----------------------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given twice."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.repeated = []
    for key, value in pairs:
        if key in result:
            result.repeated.append(key)
        result[key] = value
    return result


def _pointer(path: str | Path, *keys: object) -> str:
    """A JSON Pointer (RFC 6901) to a value, after the file name: `data.json#/Tỉnh D/staff`."""
    escaped = (str(k).replace("~", "~0").replace("/", "~1") for k in keys)
    return f"{path}#/" + "/".join(escaped)


def load_json(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from JSON: `{entity: {"block": …, indicator: value}}` (optionally under
    `"entities"`), or a list of objects each with `"entity"`. Decimals are read exactly."""
    import json

    source = _read_text(path, reporter)
    if source is None:
        return []
    try:
        root = json.loads(source.text, parse_float=Decimal, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        reporter.report(codes.BAD_DATA, source.span(error.pos, error.pos + 1),
                        detail=f"not valid JSON: {error.msg}",
                        detail_vi=f"không phải JSON hợp lệ: {error.msg}")
        return []
    prefix: tuple[Any, ...] = ()
    if isinstance(root, dict) and list(root) == ["entities"]:
        root, prefix = root["entities"], ("entities",)
    if isinstance(root, dict):
        _report_repeated(reporter, path, root, prefix)
        items = [(name, data, (*prefix, name)) for name, data in root.items()]
    elif isinstance(root, list):
        items = [(None, data, (*prefix, number)) for number, data in enumerate(root)]
    else:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": "expected an object of entities or a list of objects with `entity`",
            "detail_vi": "cần một đối tượng gồm các đơn vị, hoặc danh sách đối tượng có `entity`"},
            path=str(path)))
        return []
    return _json_entities(path, items, reporter)


def _report_repeated(reporter: Reporter, path: str | Path, obj: Any, keys: tuple[Any, ...]) -> None:
    for name in getattr(obj, "repeated", []):
        _report(reporter, codes.DUPLICATE_ID, Located(None, path=_pointer(path, *keys, name)), name=name)


def _json_entities(path: str | Path, items: list[tuple[str | None, Any, tuple[Any, ...]]],
                   reporter: Reporter) -> list[EntityData]:
    entities: list[EntityData] = []
    seen: dict[str, str] = {}
    for given_name, data, keys in items:
        where = _pointer(path, *keys)
        if not isinstance(data, dict):
            _report(reporter, codes.BAD_DATA, Located(None, path=where),
                    detail="expected an object with `block` and indicator values",
                    detail_vi="cần một đối tượng có `block` và giá trị các chỉ số")
            continue
        _report_repeated(reporter, path, data, keys)
        fields = dict(data)
        raw_name = given_name if given_name is not None else fields.pop("entity", None)
        if not isinstance(raw_name, str) or not raw_name.strip():
            _report(reporter, codes.BAD_DATA, Located(None, path=where),
                    detail="an entity without a name", detail_vi="một đơn vị không có tên")
            continue
        name = raw_name.strip()
        if name in seen:
            _report_duplicate(reporter, name, Located(None, path=where), Located(None, path=seen[name]))
            continue
        seen[name] = where
        block = Located(fields.pop("block", None), path=_pointer(path, *keys, "block"))
        entities.append(EntityData(
            name=name, block=block, path=where,
            values={k: Located(v, path=_pointer(path, *keys, k)) for k, v in fields.items()}))
    return entities
