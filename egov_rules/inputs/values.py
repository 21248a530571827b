"""Located values and their checks: what one entity's data says, read exactly and checked
against the methodology's declarations (types, bounds, blocks, the missing-data policy)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.model import Model
from egov_rules.numbers import fmt
from egov_rules.source import SourceFile, Span

RuntimeValue = Fraction | bool | str
_YES = {"yes", "y", "true", "có", "co", "1"}
_NO = {"no", "n", "false", "không", "khong", "0"}
MAX_DIGITS = 60


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
            raise _BadValue(f"a count cannot be negative (got {fmt(value, digits=12)})",
                            f"số đếm không thể âm (nhận được {fmt(value, digits=12)})")
        if value.denominator != 1:
            raise _BadValue(f"a count must be a whole number (got {fmt(value, digits=12)})",
                            f"số đếm phải là số nguyên (nhận được {fmt(value, digits=12)})")
    elif kind == "percent":
        if not 0 <= value <= 100:
            raise _BadValue(f"a percentage must be between 0 and 100 (got {fmt(value, digits=12)})",
                            f"tỷ lệ phần trăm phải từ 0 đến 100 (nhận được {fmt(value, digits=12)})")
        value = value / 100
    elif kind == "level" and indicator.levels:
        lo, hi = indicator.levels
        if value.denominator != 1 or not lo <= value <= hi:
            raise _BadValue(f"a level must be a whole number from {lo} to {hi} (got {fmt(value, digits=12)})",
                            f"mức độ phải là số nguyên từ {lo} đến {hi} (nhận được {fmt(value, digits=12)})")
    _check_between(indicator, value)
    return value


def _check_between(indicator: s.Indicator, value: Fraction) -> None:
    between = indicator.get("between")
    if between is None or not isinstance(between.value, tuple):
        return
    lo, hi = between.value
    shown = value * 100 if indicator.kind == "percent" else value
    if not lo <= shown <= hi:
        said, low, high = (fmt(v, digits=12) for v in (shown, lo, hi))
        raise _BadValue(f"{said} is outside the declared bounds {low} to {high}",
                        f"{said} nằm ngoài giới hạn {low} đến {high}")


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


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _report_duplicate(reporter: Reporter, name: str, cell: Located, first: Located) -> None:
    from egov_rules.diagnostics import Label

    labels = (Label(first.span, Text("first given here", "đã có ở đây")),) if first.span else ()
    hint = None if first.span else Text(f"first given at {first.path}", f"đã có ở {first.path}")
    reporter.diagnostics.append(Diagnostic(codes.DUPLICATE_ID, cell.span, {"name": name}, hint,
                                           labels, cell.path or None))


def _read_text(path: str | Path, reporter: Reporter) -> SourceFile | None:
    try:
        return SourceFile.read(path)
    except UnicodeDecodeError:
        reporter.diagnostics.append(Diagnostic(
            codes.NOT_UTF8, None, {}, Text("save the file as UTF-8 (Excel: “CSV UTF-8”)",
                                           "lưu tệp dạng UTF-8 (Excel: “CSV UTF-8”)"),
            (), str(path)))
        return None
