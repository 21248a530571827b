"""Located values and their checks: what one entity's data says, read exactly and checked
against the methodology's declarations (types, bounds, blocks, the missing-data policy).

Every reader hands its text here: `normal_text` is the one rule for names and text cells, and
`coerce` the one place a number is read, within the bounds below (docs/testing.md, "Data
limits")."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Diagnostic, Reporter, Text, did_you_mean
from egov_rules.model import Model
from egov_rules.numbers import fmt
from egov_rules.source import SourceFile, Span

RuntimeValue = Fraction | bool | str
# How text cells write numbers: vi `1.234,5` (`.` groups thousands, `,` is the decimal mark),
# en `1,234.5`; None: only what reads one way (docs/cli.md, "Numbers written as text").
Locale = Literal["vi", "en"]
LOCALES: tuple[Locale, ...] = ("vi", "en")
_YES = {"yes", "y", "true", "on", "có", "co", "1"}
_NO = {"no", "n", "false", "off", "không", "khong", "0"}

# -- data limits (docs/testing.md, "Data limits") -------------------------------------------
MAX_DIGITS = 60  # characters of a number as written
MAX_SIGNIFICANT = 30  # significant digits of a number
MAX_EXPONENT = 30  # a number is 0, or at least 10**-30 and below 10**30 in size
MAX_TEXT_CHARS = 10_000  # characters of a name or a cell
MAX_FILE_BYTES = 20_000_000  # a CSV, JSON or YAML file
MAX_ENTITIES = 100_000  # rows or entities in one file
MAX_VALUES = 1_000_000  # cells (CSV), values (JSON), nodes (YAML) in one file: memory
MAX_DEPTH = 64  # lists and mappings inside each other (JSON, YAML)
# A CSV file read as a stream (`score`/`rank --format csv`) keeps no row, so the two bounds
# above that only bound memory do not apply to it; these bound its time and what one record
# can hold (an unclosed quote reads on to the end of the file).
MAX_STREAM_BYTES = 2_000_000_000
MAX_STREAM_ROWS = 10_000_000


@dataclass(slots=True)
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
    locale: Locale | None = None  # how its text cells write numbers


IGNORED = "~"  # a `--columns` heading mapped to YAML null: a column read as information


@dataclass(frozen=True)
class Reading:
    """How to read a data file beyond what its format says (docs/cli.md, "Input formats"):
    how its text writes numbers, headings mapped to indicators (`--columns`), and the row of
    a table's header (`--header-row`; found when not given)."""

    locale: Locale | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # heading (folded) → id
    header_row: int | None = None  # as the file numbers it: a sheet's row, a CSV's line


class PercentCell(Fraction):
    """A figure a spreadsheet showed with `%` (a percent-formatted cell), already on the 0..100
    scale: never taken for a share written as 0.72 (W528)."""

    __slots__ = ()


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


@dataclass(frozen=True)
class Refused:
    """A value a reader would not read, and why (e.g. a YAML 1.1 octal); reported by `coerce`
    at the value's place, like any bad value."""

    en: str
    vi: str
    hint: Text | None = None


# -- text: one rule for every name and cell -------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normal_text(text: str) -> str:
    """A name or cell as compared and shown: NFC, without zero-width characters, trimmed, so
    that two names that look the same are the same."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return text.strip()


def text_problem(text: Any) -> _BadValue | None:
    """Why a text cannot be a name or cell: a lone surrogate (not Unicode text, and no output
    can write it) or more than MAX_TEXT_CHARS characters."""
    if not isinstance(text, str):
        return None
    if len(text) > MAX_TEXT_CHARS:
        return _BadValue(f"a text of {len(text):,} characters exceeds the limit of "
                         f"{MAX_TEXT_CHARS:,}",
                         f"văn bản dài {len(text):,} ký tự, vượt giới hạn {MAX_TEXT_CHARS:,}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = f"U+{ord(text[error.start]):04X}"
        return _BadValue(f"`{shown(text)}` is not valid Unicode text: a lone surrogate ({code})",
                         f"`{shown(text)}` không phải văn bản Unicode hợp lệ: có nửa ký tự đơn "
                         f"lẻ (surrogate {code})")
    return None


def shown(raw: Any, limit: int = 40) -> str:
    """A value as a message quotes it: lone surrogates escaped, long text cut."""
    text = str(raw).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


# -- numbers: a decimal as written, within bounds --------------------------------------------

# ASCII digits only (`\d` alone would read ١٢ or １２ too).
_DECIMAL = re.compile(r"[+-]?(?P<whole>\d*)(?:\.(?P<part>\d*))?(?:[eE](?P<exp>[+-]?\d+))?", re.A)
_TWO_WAYS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}", re.A)  # 1.200: 1200, or 1.2
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}(?:\1\d{3})+", re.A)  # 1.234.567
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+", re.A)  # 1,5
_OTHER_BASE = re.compile(r"[+-]?0([xX]|[oO]|[bB])")
_BASES = {"x": "16", "o": "8", "b": "2"}
_NOT_FINITE = frozenset({"inf", ".inf", "infinity", "nan", ".nan"})
_ONE_WAY = Text("write decimals with a point and no thousands separator: 1234.5",
                "viết số thập phân bằng dấu chấm, không dùng dấu phân cách nghìn: 1234.5")


def _written_number(raw: str, locale: Locale | None = None) -> Fraction:
    """A number as a person or program wrote it in text: a plain decimal, or one written the
    way `locale` writes numbers; never a guess."""
    text = raw.replace("_", "")
    if len(text) > MAX_DIGITS:
        raise _BadValue(f"a number of more than {MAX_DIGITS} characters",
                        f"số dài quá {MAX_DIGITS} ký tự")
    if locale is not None:
        text = _localized(text, locale)
    elif _TWO_WAYS.fullmatch(text):
        raise _two_ways(text)
    match = _DECIMAL.fullmatch(text)
    if match is None or not (match["whole"] or match["part"]):
        raise _not_a_number(text)
    return _decimal(match, text)


def _decimal(match: re.Match[str], text: str) -> Fraction:
    """The exact value of a decimal that `_DECIMAL` matched, once its size is within bounds
    (so that `1e99999999` never becomes a 100-million-digit integer)."""
    whole, part = match["whole"], match["part"] or ""
    digits = (whole + part).lstrip("0")
    if not digits:
        return Fraction(0)
    significant = len(digits.rstrip("0"))
    if significant > MAX_SIGNIFICANT:
        raise _BadValue(f"`{text}` has {significant} significant digits; a number in data has "
                        f"at most {MAX_SIGNIFICANT}",
                        f"`{text}` có {significant} chữ số có nghĩa; số liệu có tối đa "
                        f"{MAX_SIGNIFICANT}")
    # The power of ten of the first nonzero digit: 1 for 12.5, -2 for 0.05.
    size = len(whole) - 1 - (len(whole + part) - len(digits)) + int(match["exp"] or 0)
    _check_size(size, text)
    return Fraction(text)


def _check_size(size: int, text: str | None = None) -> None:
    """Refuse a number whose first digit stands for 10^size, beyond MAX_EXPONENT."""
    if -MAX_EXPONENT <= size < MAX_EXPONENT:
        return
    said = f"`{shown(text)}` is" if text is not None else "this number is"
    said_vi = f"`{shown(text)}`" if text is not None else "số này"
    raise _BadValue(
        f"{said} out of range (about 10^{size}): a number in data is 0, or at least "
        f"10^-{MAX_EXPONENT} and below 10^{MAX_EXPONENT} in size",
        f"{said_vi} nằm ngoài phạm vi (khoảng 10^{size}): số liệu bằng 0, hoặc có độ lớn "
        f"từ 10^-{MAX_EXPONENT} đến dưới 10^{MAX_EXPONENT}")


_VI_NUMBER = re.compile(r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d*)(?:,\d+)?", re.A)
_EN_NUMBER = re.compile(r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?", re.A)


def _localized(text: str, locale: Locale) -> str:
    """A number written the `locale` way as a plain decimal (`1.234,5` → `1234.5` in vi).
    Anything else is left as it is, to be read or refused as a plain decimal: a point that
    cannot group thousands (`0.75` in vi) is the decimal point it can only be."""
    pattern = _VI_NUMBER if locale == "vi" else _EN_NUMBER
    if not pattern.fullmatch(text) or not any(c.isdigit() for c in text):
        return text
    grouping = "." if locale == "vi" else ","
    return text.replace(grouping, "").replace(",", ".")


def _two_ways(text: str) -> _BadValue:
    mark = "." if "." in text else ","
    grouped = Fraction(text.replace(mark, ""))
    decimal = Fraction(text.replace(mark, "."))
    a, b = fmt(grouped, digits=12), fmt(decimal, digits=12)
    return _BadValue(
        f"`{text}` reads two ways: {a} with `{mark}` separating thousands, or {b} with `{mark}` "
        "as the decimal mark",
        f"`{text}` có thể hiểu hai cách: {a} nếu `{mark}` phân cách hàng nghìn, hoặc {b} nếu "
        f"`{mark}` là dấu thập phân",
        Text(f"write it so that it reads one way: {a} or {b}; or say how the file writes "
             "numbers: --locale vi (1.200 is 1200, 1,5 is 1.5) or --locale en (locale= in "
             "the API)",
             f"viết sao cho chỉ hiểu một cách: {a} hoặc {b}; hoặc cho biết tệp viết số theo "
             "cách nào: --locale vi (1.200 là 1200, 1,5 là 1.5) hoặc --locale en (locale= "
             "trong API)"))


def _not_a_number(text: str) -> _BadValue:
    """Why a text is not a number, said as precisely as its form allows."""
    if text.lower().lstrip("+-") in _NOT_FINITE:
        return _BadValue(f"`{text}` is not a finite number", f"`{text}` không phải số hữu hạn")
    if "/" in text:
        return _BadValue(f"`{shown(text)}` is a fraction or a date, not a number",
                         f"`{shown(text)}` là phân số hoặc ngày tháng, không phải một số",
                         Text("write the figure as a decimal number: 0.5, not 1/2",
                              "viết số liệu dạng số thập phân: 0.5, không viết 1/2"))
    if ":" in text:
        return _BadValue(f"`{shown(text)}` is a time or a base-60 number, not a decimal number",
                         f"`{shown(text)}` là giờ hoặc số cơ số 60, không phải số thập phân",
                         Text("write the figure as a decimal number: 1.5 or 90, not 1:30",
                              "viết số liệu dạng số thập phân: 1.5 hoặc 90, không viết 1:30"))
    base = _OTHER_BASE.match(text)
    if base is not None:
        name = _BASES[base[1].lower()]
        return _BadValue(f"`{shown(text)}` is written in base {name}",
                         f"`{shown(text)}` được viết ở cơ số {name}",
                         Text("write the number in decimal", "viết số ở hệ thập phân"))
    return _separators(text) or _BadValue(f"`{shown(text)}` is not a number",
                                          f"`{shown(text)}` không phải một số")


def _separators(text: str) -> _BadValue | None:
    """Thousands separators or a decimal comma: refused with what to write instead."""
    if _GROUPED.fullmatch(text):
        plain = text.replace(text[-4], "")
        return _BadValue(f"`{text}` groups thousands with `{text[-4]}`",
                         f"`{text}` dùng `{text[-4]}` để phân cách hàng nghìn",
                         Text(f"write it without thousands separators: {plain}",
                              f"viết không có dấu phân cách nghìn: {plain}"))
    if _DECIMAL_COMMA.fullmatch(text):
        point = text.replace(",", ".")
        return _BadValue(f"`{text}` uses a comma as the decimal mark",
                         f"`{text}` dùng dấu phẩy làm dấu thập phân",
                         Text(f"write the decimal mark as a point: {point}",
                              f"viết dấu thập phân bằng dấu chấm: {point}"))
    if "," in text:
        return _BadValue(f"`{shown(text)}` uses a comma", f"`{shown(text)}` có dấu phẩy",
                         _ONE_WAY)
    return None


def _to_fraction(raw: Any, locale: Locale | None = None) -> Fraction:
    if isinstance(raw, bool):
        raise _BadValue("expected a number, got a yes/no", "cần một số, nhận được có/không")
    if isinstance(raw, str):
        return _written_number(raw, locale)
    if isinstance(raw, int):
        return _whole(raw)
    if isinstance(raw, float | Decimal):
        if not (math.isfinite(raw) if isinstance(raw, float) else raw.is_finite()):
            raise _BadValue(f"{raw} is not a finite number", f"{raw} không phải số hữu hạn")
        # the decimal the user wrote, not the binary float: 0.1 is 1/10
        text = repr(raw) if isinstance(raw, float) else str(raw)
        return _decimal(_number_match(text), text)
    if isinstance(raw, Fraction):
        return _exact(raw)
    raise _BadValue(f"expected a number, got {type(raw).__name__}",
                    f"cần một số, nhận được {type(raw).__name__}")


def typed_number(text: str, locale: Locale | None = None) -> Fraction | Text:
    """A number typed outside a data file (`--reference`), read by the data's rules; or
    why it is not one."""
    try:
        return _to_fraction(text, locale)
    except _BadValue as bad:
        hint = bad.hint or Text("", "")
        return Text("; ".join(filter(None, (bad.en, hint.en))),
                    "; ".join(filter(None, (bad.vi, hint.vi))))


def _number_match(text: str) -> re.Match[str]:
    match = _DECIMAL.fullmatch(text)
    if match is None or len(text) > MAX_DIGITS:
        raise _BadValue(f"a number of more than {MAX_DIGITS} characters",
                        f"số dài quá {MAX_DIGITS} ký tự")
    return match


def _whole(value: int) -> Fraction:
    """An int given in Python, sized before it is ever turned into text."""
    if value and abs(value) >= 10**MAX_EXPONENT:
        _check_size(math.floor(math.log10(abs(value))))
    return _decimal(_number_match(str(value)), str(value))


def _exact(value: Fraction) -> Fraction:
    """A Fraction given in Python (1/3 has no decimal), or read from a spreadsheet's float: its
    size bounded, and its denominator as a decimal's within the bounds can be (10^60)."""
    if value:
        _check_size(math.floor(math.log10(abs(value.numerator)) - math.log10(value.denominator)))
    limit = MAX_EXPONENT + MAX_SIGNIFICANT
    if value.denominator > 10**limit:
        raise _BadValue(f"a fraction whose denominator exceeds 10^{limit}",
                        f"phân số có mẫu số vượt quá 10^{limit}")
    return value


def coerce(indicator: s.Indicator, raw: Any, locale: Locale | None = None) -> RuntimeValue:
    """A raw value as the exact runtime value of an indicator, or _BadValue; a text number
    read the `locale` way when one is given."""
    nested = _nested_kind(raw)
    if nested is not None:
        raise _BadValue(f"expected one value, got a {nested}",
                        f"cần một giá trị, nhận được {_NESTED_VI[nested]}")
    if isinstance(raw, Refused):
        raise _BadValue(raw.en, raw.vi, raw.hint)
    if isinstance(raw, str):
        problem = text_problem(raw)
        if problem is not None:
            raise problem
        raw = normal_text(raw)
    kind = indicator.kind
    if kind == "yes/no":
        return _yes_no(raw)
    if kind == "options":
        ids = [o.id for o in indicator.options]
        found = _option(indicator, raw) if isinstance(raw, str) else None
        if found is not None:
            return found
        raise _BadValue(f"`{shown(raw)}` is not one of {', '.join(ids)}",
                        f"`{shown(raw)}` không thuộc {', '.join(ids)}",
                        did_you_mean(str(raw), ids))
    return _number(indicator, raw, locale)


def _number(indicator: s.Indicator, raw: Any, locale: Locale | None = None) -> Fraction:
    """A number, percent, count or level, checked against its kind and `between` bounds."""
    kind = indicator.kind
    if kind == "percent" and isinstance(raw, str) and raw.endswith("%"):
        raw = raw[:-1].rstrip()
    value = _to_fraction(raw, locale)
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
    given = value * 100 if indicator.kind == "percent" else value
    if not lo <= given <= hi:
        said, low, high = (fmt(v, digits=12) for v in (given, lo, hi))
        raise _BadValue(f"{said} is outside the declared bounds {low} to {high}",
                        f"{said} nằm ngoài giới hạn {low} đến {high}")


def folded(text: str) -> str:
    """A text as compared with names, ids and words: `normal_text`, without case (`KHÔNG`,
    `Không` in NFC or NFD and `không` are one word)."""
    return normal_text(text).casefold()


def _option(indicator: s.Indicator, raw: str) -> str | None:
    """The option a text names, by its id or its label, compared without case."""
    given = folded(raw)
    return next((o.id for o in indicator.options
                 if given == folded(o.id) or (o.label is not None and given == folded(o.label))),
                None)


def block_id(model: Model, raw: Any) -> str | None:
    """The block a value names, by its id or its label (vi or en), compared without case."""
    if not isinstance(raw, str):
        return None
    if raw in model.blocks:
        return raw
    given = folded(raw)
    return next((b.id for b in model.blocks.values()
                 if given in (folded(b.id), folded(b.label), folded(b.label_en or b.id))), None)


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    text = folded(str(raw))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _BadValue(f"`{shown(raw)}` is not a yes/no answer",
                    f"`{shown(raw)}` không phải câu trả lời có/không",
                    Text("write yes or no (có / không)", "viết có hoặc không (yes / no)"))


def share_as_fraction(model: Model, entity: EntityData, reporter: Reporter) -> None:
    """A percent figure in a table cell between 0 and 1, written without `%`, is most likely a
    share (0.72 for 72%): it is read as written, and named (W528) so that it is never misread
    in silence. A cell Excel shows with `%` is a percent as it shows it."""
    for name, located in entity.values.items():
        indicator = model.indicators.get(name)
        raw = located.value
        if (indicator is None or indicator.kind != "percent" or raw is None
                or isinstance(raw, PercentCell) or (isinstance(raw, str) and raw.endswith("%"))):
            continue
        try:
            value = coerce(indicator, raw, entity.locale)
        except _BadValue:
            continue  # reported when the entity is checked
        if isinstance(value, Fraction) and 0 < value < Fraction(1, 100):
            _report(reporter, codes.SHARE_AS_FRACTION, located, entity=entity.name, name=name,
                    given=fmt(value * 100, digits=12), meant=fmt(value * 10000, digits=12))


def validate_entity(model: Model, entity: EntityData, reporter: Reporter
                    ) -> dict[str, RuntimeValue] | None:
    """Check one entity's data; report every problem; return its values when there is none."""
    before = len(reporter.diagnostics)
    problem = text_problem(entity.name)
    if problem is not None:  # every message below starts with the name
        _report(reporter, codes.BAD_DATA, Located(None, entity.span, entity.path or shown(entity.name)),
                detail=f"the entity's name: {problem.en}", detail_vi=f"tên đơn vị: {problem.vi}")
        return None
    _check_block(model, entity, reporter)
    values: dict[str, RuntimeValue] = {}
    for name, located in entity.values.items():
        indicator = model.indicators.get(name)
        if indicator is None:
            _report(reporter, codes.UNKNOWN_NAME, located, name=shown(name), kind="indicator",
                    kind_vi="chỉ số", hint=did_you_mean(name, list(model.indicators)))
            continue
        if located.value is None:
            continue  # treated as missing below
        try:
            values[name] = coerce(indicator, located.value, entity.locale)
        except _BadValue as bad:
            _report(reporter, codes.BAD_VALUE, located, hint=bad.hint,
                    detail=f"{entity.name}: {name}: {bad.en}",
                    detail_vi=f"{entity.name}: {name}: {bad.vi}")
    if model.denominates:
        _denominate(model, entity, values, reporter)
    absent: list[str] = []  # not mentioned at all: one diagnostic for the entity
    for name, policy in _missing(model, entity).items():
        indicator = model.indicators[name]
        if policy == "zero":
            values[name] = False if indicator.kind == "yes/no" else (
                Fraction(indicator.levels[0]) if indicator.levels else Fraction(0))
        elif policy == "error":
            given = entity.values.get(name)  # an empty cell is located at the cell itself
            if given is not None and (given.span or given.path):
                _report_missing(reporter, model, entity, given, [name])
            else:
                absent.append(name)
    if absent:
        _report_missing(reporter, model, entity, Located(None, entity.span, entity.path), absent)
    return values if len(reporter.diagnostics) == before else None


def _denominate(model: Model, entity: EntityData, values: dict[str, RuntimeValue],
                reporter: Reporter) -> None:
    """`x per d`: the value the rules read is x ÷ d, exactly. Without d, x is missing (its
    policy applies, `_missing`); a d that is not positive is an error at d's cell (dividing by
    a negative number would reverse x's direction)."""
    for name in model.indicators:
        denominator = model.denominator(name)
        given = values.get(name)
        if denominator is None or not isinstance(given, Fraction):
            continue
        by = values.get(denominator)
        if not isinstance(by, Fraction):
            del values[name]  # missing, as COINr has it
        elif by <= 0:
            del values[name]
            _report(reporter, codes.BAD_VALUE, entity.values[denominator],
                    hint=Text(f"give `{denominator}` as a positive number, or leave `{name}` "
                              "empty", f"nhập `{denominator}` là số dương, hoặc để trống "
                              f"`{name}`"),
                    detail=f"{entity.name}: {name} per {denominator}: `{denominator}` is "
                           f"{fmt(by)}; a denominator must be positive",
                    detail_vi=f"{entity.name}: {name} per {denominator}: `{denominator}` là "
                              f"{fmt(by)}; mẫu số phải dương")
        else:
            values[name] = given / by


def missing_applied(model: Model, entity: EntityData) -> dict[str, str]:
    """The indicators a valid entity did not give, each with the policy that filled it
    (`zero`; `mean`, filled by `inputs.impute`) or dropped the nodes that read it (`not
    applicable`): the audit record's."""
    return {k: p for k, p in _missing(model, entity).items() if p != "error"}


def _missing(model: Model, entity: EntityData) -> dict[str, str]:
    """Every indicator the entity did not give (absent or empty) and is required to, by the
    policy that applies to it. An indicator no node of its block reads is not required
    (`zero` still fills it: it costs nothing and keeps lets that read it computed)."""
    read = model.reads.get(str(entity.block.value))  # None: a bad block, reported elsewhere
    found: dict[str, str] = {}
    for name, indicator in model.indicators.items():
        if name in entity.missing_reported or _given(model, entity, name):
            continue
        policy = model.missing_for(name)
        if read is not None and name not in read and policy != "zero":
            continue
        if policy == "zero" and indicator.kind == "options":
            policy = "error"  # there is no "zero" option
        if policy == "mean" and (indicator.kind in ("yes/no", "options") or indicator.levels):
            policy = "error"  # a mean of answers or levels is neither
        found[name] = policy
    return found


def _given(model: Model, entity: EntityData, name: str) -> bool:
    """True when the entity gave the value (and, for `x per d`, d: x ÷ d is then known)."""
    given = entity.values.get(name)
    if given is None or given.value is None:
        return False
    denominator = model.denominator(name)
    if denominator is None:
        return True
    by = entity.values.get(denominator)
    return by is not None and by.value is not None


def _check_block(model: Model, entity: EntityData, reporter: Reporter) -> None:
    block = entity.block.value
    if block is None or (isinstance(block, str) and not block.strip()):
        _report(reporter, codes.BAD_DATA, entity.block if entity.block.span or entity.block.path
                else Located(None, entity.span, entity.path),
                detail=f"{entity.name}: no block given", detail_vi=f"{entity.name}: thiếu khối")
    elif _nested_kind(block) is not None:
        _report(reporter, codes.BAD_VALUE, entity.block,
                detail=f"{entity.name}: block: expected one block id, got a {_nested_kind(block)}",
                detail_vi=f"{entity.name}: block: cần một mã khối, nhận được "
                          f"{_NESTED_VI[_nested_kind(block) or 'list']}")
    elif block_id(model, block) is not None:
        entity.block.value = block_id(model, block)  # a label or another case: its id
    else:
        _report(reporter, codes.UNKNOWN_NAME, entity.block, name=shown(block), kind="block",
                kind_vi="khối", hint=did_you_mean(str(block), list(model.blocks)))


def _report_missing(reporter: Reporter, model: Model, entity: EntityData, where: Located,
                    names: list[str]) -> None:
    listed = ", ".join(f"`{n}`" for n in names)
    plural = len(names) > 1
    _report(reporter, codes.MISSING_VALUE, where, entity=entity.name,
            names=f"indicators {listed}" if plural else f"indicator {listed}",
            names_vi=f"các chỉ số {listed}" if plural else f"chỉ số {listed}",
            hint=Text("give a value (the methodology's policy is `missing error`)",
                      "nhập giá trị (phương pháp quy định `missing error`)")
            if all(model.missing_for(n) == "error" for n in names) else None)


def _report(reporter: Reporter, code: codes.Code, where: Located, hint: Text | None = None,
            **args: str) -> None:
    diagnostic = Diagnostic(code, where.span, dict(args), hint, (), where.path or None)
    reporter.diagnostics.append(diagnostic)


def from_mapping(name: str, data: Mapping[str, Any], block: str | None = None) -> EntityData:
    """An entity from a plain mapping (the Python API); `block` may be given separately. The
    name and block are normalised as a file's are (`normal_text`)."""
    values = dict(data)
    raw_block = block if block is not None else values.pop("block", None)
    if block is not None:
        values.pop("block", None)
    name = normal_text(name) if isinstance(name, str) else name
    path = shown(name, 80)
    return EntityData(
        name=name, block=Located(normal_value(raw_block), path=f"{path}.block"),
        values={k: Located(v, path=f"{path}.{shown(k, 80)}") for k, v in values.items()},
        path=path,
    )


def from_mappings(entities: Mapping[str, Mapping[str, Any]], reporter: Reporter
                  ) -> list[EntityData]:
    """Entities from `{name: data}`, by their names normalised (see `by_normal_name`)."""
    return [from_mapping(name, data) for name, (_, data) in by_normal_name(entities, reporter).items()]


def by_normal_name(entities: Mapping[Any, Mapping[str, Any]], reporter: Reporter
                   ) -> dict[Any, tuple[Any, Mapping[str, Any]]]:
    """`{name: data}` keyed by the names normalised as a file's are (`normal_text`), each with
    its key as given; two keys that are one name once normalised (`Bộ A` in NFC and in NFD)
    are reported as one entity given twice (E102), never kept as two."""
    found: dict[Any, tuple[Any, Mapping[str, Any]]] = {}
    for key, data in entities.items():
        name = normal_value(key)
        first = found.get(name)
        if first is None:
            found[name] = (key, data)
            continue
        reporter.diagnostics.append(Diagnostic(
            codes.DUPLICATE_ID, None, {"name": shown(name)}, same_name(first[0], key),
            (), shown(name, 80)))
    return found


def same_name(first: Any, again: Any) -> Text | None:
    """The hint for a name given twice when the two were written differently."""
    if first == again:
        return None
    return Text(f"{first!a} and {again!a} are the same name once normalised (NFC, without "
                "zero-width characters or surrounding spaces)",
                f"{first!a} và {again!a} là cùng một tên sau khi chuẩn hoá (NFC, bỏ ký tự độ "
                "rộng 0 và khoảng trắng ở hai đầu)")


def normal_value(raw: Any) -> Any:
    """A raw value with its text normalised (`normal_text`); other values as they are."""
    return normal_text(raw) if isinstance(raw, str) else raw


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not normal_text(value))


def _report_duplicate(reporter: Reporter, name: str, cell: Located, first: Located) -> None:
    from egov_rules.diagnostics import Label

    labels = (Label(first.span, Text("first given here", "đã có ở đây")),) if first.span else ()
    hint = same_name(first.value, cell.value) if first.span else Text(
        f"first given at {first.path}", f"đã có ở {first.path}")
    reporter.diagnostics.append(Diagnostic(codes.DUPLICATE_ID, cell.span, {"name": shown(name, 80)}, hint,
                                           labels, cell.path or None))


def _read_text(path: str | Path, reporter: Reporter) -> SourceFile | None:
    """A data file's text, once it is known to be within MAX_FILE_BYTES and UTF-8."""
    if not _within_bytes(path, MAX_FILE_BYTES, reporter):
        return None
    try:
        return SourceFile.read(path)
    except UnicodeDecodeError:
        _not_utf8(path, reporter)
        return None


def _within_bytes(path: str | Path, limit: int, reporter: Reporter) -> bool:
    size = Path(path).stat().st_size
    if size > limit:
        reporter.diagnostics.append(Diagnostic(
            codes.TOO_LARGE, None, {"what": f"the data file ({size:,} bytes)",
                                    "what_vi": f"tệp dữ liệu ({size:,} byte)",
                                    "limit": f"{limit:,} bytes", "limit_vi": f"{limit:,} byte"},
            Text("split the file, e.g. one file per block", "tách tệp, ví dụ mỗi khối một tệp"),
            (), str(path)))
    return size <= limit


def _not_utf8(path: str | Path, reporter: Reporter) -> None:
    reporter.diagnostics.append(Diagnostic(
        codes.NOT_UTF8, None, {}, Text("save the file as UTF-8 (Excel: “CSV UTF-8”)",
                                       "lưu tệp dạng UTF-8 (Excel: “CSV UTF-8”)"),
        (), str(path)))


def checked_stream(path: str | Path, reporter: Reporter, limit: int) -> bool:
    """Whether a data file to be read as a stream is within `limit` bytes and UTF-8 (decoded
    once in pieces, keeping nothing), reported as `_read_text` reports it."""
    if not _within_bytes(path, limit, reporter):
        return False
    try:
        with open(path, encoding="utf-8") as file:
            while file.read(1 << 22):
                pass
    except UnicodeDecodeError:
        _not_utf8(path, reporter)
        return False
    return True


def too_deep(reporter: Reporter, where: Located) -> None:
    """The list or mapping that opens the (MAX_DEPTH + 1)-th level: refused there, before a
    parser that recurses would exhaust the stack."""
    _report(reporter, codes.TOO_LARGE, where, what="nesting depth", what_vi="độ lồng nhau",
            limit=f"{MAX_DEPTH} levels", limit_vi=f"{MAX_DEPTH} mức")


def too_many_values(reporter: Reporter, where: Located) -> None:
    """The value after the MAX_VALUES-th (a cell, a JSON value, a YAML node): refused there."""
    _report(reporter, codes.TOO_LARGE, where, what="the number of values in one file",
            what_vi="số giá trị trong một tệp", limit=f"{MAX_VALUES:,}",
            hint=Text("split the file, e.g. one file per block", "tách tệp, ví dụ mỗi khối một tệp"))


def too_many_entities(reporter: Reporter, where: Located, limit: int = MAX_ENTITIES) -> None:
    """The entity after the MAX_ENTITIES-th (MAX_STREAM_ROWS-th in a stream): refused there."""
    _report(reporter, codes.TOO_LARGE, where, what="the number of entities in one file",
            what_vi="số đơn vị trong một tệp", limit=f"{limit:,}",
            hint=Text("split the file, e.g. one file per block", "tách tệp, ví dụ mỗi khối một tệp"))
