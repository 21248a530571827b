"""`table x`: points per level, option or yes/no answer of x, with an optional `otherwise`."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Label, Reporter, Text
from egov_rules.domains import Interval
from egov_rules.emit import Untracked, constant_choice, expr, fast_constant
from egov_rules.explain import both, both_fmt, expr_words, input_label, points_word, shown
from egov_rules.kinds.base import (
    AnnexRows,
    CheckContext,
    CohortUse,
    Outcome,
    RuleKind,
    RuntimeValue,
    ScoreContext,
    ShapeContext,
    Target,
    TypeChecker,
)
from egov_rules.kinds.direction import ANY, CONST, Dir, steps
from egov_rules.numbers import fmt
from egov_rules.resolve import Symbols

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model


def key_value(key: s.Number | s.YesNo | s.Name) -> RuntimeValue:
    """The data value a row's key matches: a number, yes/no, or an option id."""
    if isinstance(key, s.Number | s.YesNo):
        return key.value
    return key.name


def table_row(rule: s.Table, value: RuntimeValue) -> int:
    """The position of the row for a value: its own, else `otherwise` (checks guarantee one
    of them)."""
    for position, row in enumerate(rule.rows):
        if row.key is not None and key_value(row.key) == value:
            return position
    for position, row in enumerate(rule.rows):
        if row.key is None:
            return position
    raise LookupError("no table row applies")


@dataclass(frozen=True, slots=True)
class TableFacts:
    value: RuntimeValue
    row: int  # the position of the row that matched


def _input_name(rule: s.Table) -> str:
    return rule.expr.name if isinstance(rule.expr, s.Name) else ""


class Table(RuleKind[s.Table, TableFacts]):
    keyword = "table"

    def check_types(self, rule: s.Table, checker: TypeChecker) -> None:
        t = checker.infer(rule.expr)
        if t.kind == "number" and not t.integer:
            checker.mismatch(rule.expr.span, "`table` needs a level, an option, a yes/no answer "
                             "or a whole number", "`table` cần mức độ, lựa chọn, có/không hoặc số nguyên")

    def check(self, rule: s.Table, ctx: CheckContext) -> tuple[s.Number, ...]:
        _check_keys(rule, ctx.symbols, ctx.reporter)
        return tuple(r.points for r in rule.rows)

    def cohort(self, rule: s.Table) -> CohortUse | None:
        return None

    def score(self, rule: s.Table, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[TableFacts]:
        row = table_row(rule, value)
        return Outcome(rule.rows[row].points.value, TableFacts(value, row))

    def next_target(self, rule: s.Table, facts: TableFacts, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        name = _input_name(rule)
        better = [r for r in rule.rows if r.key is not None and r.points.value > points]
        if not better or not name:
            return None
        nearest = min(better, key=lambda r: r.points.value)
        assert nearest.key is not None
        return Target(name, facts.value, key_value(nearest.key), nearest.points.value - points)

    def branch_words(self, rule: s.Table, facts: TableFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        v = shown(model, _input_name(rule), facts.value)
        p_en, p_vi = both_fmt(points)
        if rule.rows[facts.row].key is None:
            return both(f"{v.en}: the `otherwise` row, {p_en} points",
                        f"{v.vi}: dòng `các trường hợp còn lại`, {p_vi} điểm")
        return both(f"{v.en}: {p_en} points", f"{v.vi}: {p_vi} điểm")

    def hint_words(self, rule: s.Table, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        l_en, l_vi = input_label(model, target.input)
        c, t = shown(model, target.input, target.current), shown(model, target.input, target.target)
        g_en, g_vi = both_fmt(target.gain)
        return both(f"move {l_en} from {c.en} to {t.en} to gain {g_en} {points_word(target.gain)}",
                    f"chuyển {l_vi} từ {c.vi} sang {t.vi} để được thêm {g_vi} điểm")

    def emit(self, rule: s.Table, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """The points of the row whose key equals the value, else of the `otherwise` row."""
        x = expr(g, rule.expr)
        if g.mode == "fast" and x.kind not in ("int", "bool", "option"):
            raise Untracked("a table of a value that is not exact")
        rows: dict[Any, Fraction] = {}
        otherwise: Fraction | None = None
        for row in rule.rows:
            if row.key is None:
                otherwise = row.points.value if otherwise is None else otherwise
                continue
            key: Any = row.key.value if not isinstance(row.key, s.Name) else row.key.name
            if isinstance(key, Fraction) and key.denominator == 1 and g.mode == "fast":
                key = int(key)
            rows.setdefault(key, row.points.value)
        convert = (lambda v: v) if g.mode == "exact" else fast_constant
        table = g.out.ns.add("T", {k: convert(v) for k, v in rows.items()})
        points = g.out.fresh("p")
        if otherwise is None:
            g.out.line(f"{points} = {table}[{x.code}]")
        else:
            g.out.line(f"{points} = {table}.get({x.code}, {g.const(otherwise).code})")
        values = [*rows.values(), *([otherwise] if otherwise is not None else [])]
        return constant_choice(g, points, values)

    def describe(self, rule: s.Table, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        return both(f"points by the value of {x.en}", f"điểm theo giá trị của {x.vi}")

    def annex_rows(self, rule: s.Table, model: Model) -> AnnexRows | None:
        return "value", tuple((_key_words(model, rule, r), r.points.value) for r in rule.rows)

    def shape(self, rule: s.Table, ctx: ShapeContext) -> Dir:
        rows = {key_value(r.key): r.points.value for r in rule.rows if r.key is not None}
        otherwise = next((r.points.value for r in rule.rows if r.key is None), None)
        if ctx.is_boolean(rule.expr):
            no, yes = rows.get(False, otherwise), rows.get(True, otherwise)
            return CONST if no is None or yes is None else steps([no, yes])
        domain = ctx.domains.of(rule.expr)
        keys = sorted(k for k in rows if isinstance(k, Fraction))
        if not keys or (len(keys) < len(rows)):
            return ANY  # options (no order) or keys of mixed kinds
        points: list[Fraction] = []
        bounds: list[Fraction | None] = [None, *keys, None]
        for low, high in itertools.pairwise(bounds):
            gap = Interval(low, high, False, False).intersect(domain.interval)
            if otherwise is not None and not gap.empty(True):
                points.append(otherwise)  # some whole number between two keys gets `otherwise`
            if high is not None and not Interval(high, high).intersect(domain.interval).empty(True):
                points.append(rows[high])
        return steps(points)

    def literals(self, rule: s.Table) -> set[Fraction]:
        return {r.key.value for r in rule.rows if isinstance(r.key, s.Number)}


def _key_words(model: Model, rule: s.Table, row: s.TableRow) -> Text:
    """The value a row matches, shown as the data would show it."""
    if row.key is None:
        return both("otherwise", "các trường hợp còn lại")
    name = _input_name(rule)
    key = row.key
    if isinstance(key, s.Name):
        label = shown(model, name, key.name).vi
        return both(f"`{key.name}` ({label})", f"{label} (`{key.name}`)") if label != key.name \
            else both(f"`{key.name}`", f"`{key.name}`")
    return shown(model, name, key.value)


def _key_text(key: s.Number | s.YesNo | s.Name) -> str:
    if isinstance(key, s.Number):
        return fmt(key.value)
    if isinstance(key, s.YesNo):
        return "yes" if key.value else "no"
    return key.name


def _check_keys(table: s.Table, symbols: Symbols, reporter: Reporter) -> None:
    """Each key once, each a value the input can take, and every value covered. A level range
    stays a range (it may hold 1,000 levels): a key is checked against its ends, and the
    levels without a row are found from the sorted keys."""
    expected: list[str] | None = None  # options and yes/no
    levels: tuple[int, int] | None = None
    if isinstance(table.expr, s.Name):
        indicator = symbols.indicators.get(table.expr.name)
        if indicator is not None and indicator.kind == "options":
            expected = [o.id for o in indicator.options]
        elif indicator is not None and indicator.kind == "level" and indicator.levels:
            levels = indicator.levels
        elif indicator is not None and indicator.kind == "yes/no":
            expected = ["yes", "no"]
    values = _runs([levels]) if levels is not None else ", ".join(expected or [])
    seen: dict[str, s.TableRow] = {}
    has_otherwise = False
    for row in table.rows:
        if row.key is None:
            has_otherwise = True
            continue
        key = _key_text(row.key)
        if key in seen:
            reporter.report(
                codes.DUPLICATE_ID, row.span, name=key,
                labels=[Label(seen[key].span, Text("first given here", "khai báo lần đầu ở đây"))],
                hint=Text("give each value one row", "mỗi giá trị chỉ có một dòng"),
            )
        seen.setdefault(key, row)
        known = key in expected if expected is not None else \
            levels is None or _level_of(row.key, levels) is not None
        if not known:
            reporter.report(
                codes.BAD_VALUE, row.span,
                detail=f"`{key}` is not a value of `{table.expr.span.text}`",
                detail_vi=f"`{key}` không phải một giá trị của `{table.expr.span.text}`",
                hint=Text("its values are: " + values, "các giá trị: " + values) if values else None,
            )
    if has_otherwise:
        return
    if levels is not None:
        listed = _runs(_gaps(levels, {_level_of(r.key, levels) for r in table.rows}))
    elif expected is not None:
        listed = ", ".join(k for k in expected if k not in seen)
    else:
        listed = "other values"
    if listed:
        reporter.report(
            codes.TABLE_NOT_EXHAUSTIVE, table.span, missing=listed,
            missing_vi="các giá trị khác" if expected is None and levels is None else listed,
            hint=Text("add a row for each, or `otherwise: 0`",
                      "thêm một dòng cho mỗi giá trị, hoặc `otherwise: 0`"),
        )


def _level_of(key: s.Number | s.YesNo | s.Name | None, levels: tuple[int, int]) -> int | None:
    """The level a row's key names, or None when it names none of the range."""
    if not isinstance(key, s.Number) or key.value.denominator != 1:
        return None
    return int(key.value) if levels[0] <= key.value <= levels[1] else None


def _gaps(levels: tuple[int, int], present: set[int | None]) -> list[tuple[int, int]]:
    """The runs of levels in the range that no row names, low to high."""
    gaps: list[tuple[int, int]] = []
    start = levels[0]
    for level in sorted(k for k in present if k is not None):
        if level > start:
            gaps.append((start, level - 1))
        start = level + 1
    if start <= levels[1]:
        gaps.append((start, levels[1]))
    return gaps


def _runs(runs: list[tuple[int, int]]) -> str:
    """Runs of whole numbers as text: `1, 4`, `1, 2`, `3..1000`."""
    return ", ".join(str(lo) if lo == hi else f"{lo}, {hi}" if hi == lo + 1 else f"{lo}..{hi}"
                     for lo, hi in runs)
