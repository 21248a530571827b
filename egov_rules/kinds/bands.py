"""`bands x` with rows tried in order (`at least t: p`, `above`, `at most`, `below`,
`otherwise`): the first row that holds awards its points.

A band row's meaning — what values it admits, which row fires, the value nearest its threshold
that enters it, its words — lives here alone; grades (label bands on an index) use it too.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.domains import Domain, Interval
from egov_rules.emit import CompareOp, expr, just
from egov_rules.explain import both, both_fmt, expr_words, is_share
from egov_rules.kinds.base import (
    ZERO,
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
    raise_words,
)
from egov_rules.kinds.direction import Dir, steps
from egov_rules.scale import UNIT, Bounds, to_share
from egov_rules.source import Span

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model

# How a row compares its input with its threshold, in generated code.
BAND_COMPARE: dict[str, CompareOp] = {"at least": ">=", "above": ">", "at most": "<=", "below": "<"}

_VI_OPS = {"at least": "từ", "above": "trên", "at most": "tối đa", "below": "dưới"}


# -- one band row --------------------------------------------------------------------------


def band_holds(band: s.Band, value: Fraction) -> bool:
    """Whether a row's condition admits the value (`otherwise` admits every value)."""
    if band.threshold is None:
        return True
    t = band.threshold.value
    match band.op:
        case "at least":
            return value >= t
        case "above":
            return value > t
        case "at most":
            return value <= t
        case "below":
            return value < t
        case "otherwise":
            return True


def band_award(band: s.Band) -> Fraction:
    """A row's points (a grade row's label counts as 0 points)."""
    return band.award.value if isinstance(band.award, s.Number) else ZERO


def first_row(bands: tuple[s.Band, ...], value: Fraction) -> int:
    """The position of the first row whose condition holds (checks guarantee one does)."""
    for position, band in enumerate(bands):
        if band_holds(band, value):
            return position
    raise LookupError("no band applies")


def band_interval(band: s.Band, integer: bool) -> Interval:
    """The values a row's condition admits (before earlier rows take theirs)."""
    if band.threshold is None:
        return Interval(None, None)
    t = band.threshold.value
    # Only the row's own interval is built: this runs for every row of every band list.
    match band.op, integer:  # whole-number inputs: `above 2` is `at least 3`
        case "at least", True:
            return Interval(Fraction(math.ceil(t)), None)
        case "above", True:
            return Interval(Fraction(math.floor(t) + 1), None)
        case "at most", True:
            return Interval(None, Fraction(math.floor(t)))
        case "below", True:
            return Interval(None, Fraction(math.ceil(t) - 1))
        case "at least", False:
            return Interval(t, None, True, True)
        case "above", False:
            return Interval(t, None, False, True)
        case "at most", False:
            return Interval(None, t, True, True)
        case _:
            return Interval(None, t, True, False)


def band_entry(band: s.Band, integer: bool) -> Fraction | None:
    """The value nearest the threshold that satisfies a row (None for `otherwise`, and for
    `above`/`below` on values that need not be whole: no nearest value exists)."""
    if band.threshold is None:
        return None
    t = band.threshold.value
    if band.op in ("at least", "at most"):
        if not integer:
            return t
        return Fraction(math.ceil(t)) if band.op == "at least" else Fraction(math.floor(t))
    if not integer:
        return None
    return Fraction(math.floor(t) + 1) if band.op == "above" else Fraction(math.ceil(t) - 1)


def band_condition(band: s.Band, as_share: bool) -> Text:
    """A row's condition in words (`at least 29%`, `otherwise`)."""
    if band.threshold is None:
        return both("otherwise", "các trường hợp còn lại")
    t_en, t_vi = both_fmt(band.threshold.value, as_share or band.threshold.percent)
    return both(f"{band.op} {t_en}", f"{_VI_OPS[band.op]} {t_vi}")


class _Covered:
    """The values earlier rows take, kept as a running union in O(1) per row: every row
    admits a half-line (`at least`/`above` upwards, `at most`/`below` downwards) or every
    value (`otherwise`), and half-lines that point the same way are nested. So the values a
    row takes first, and the values no row takes, are each one interval: no row is compared
    with every row before it (1,000 rows took 8 s to check, 5,000 took 464 s)."""

    def __init__(self) -> None:
        self.up: Interval | None = None  # the widest upward half-line so far
        self.down: Interval | None = None  # the widest downward one
        self.everything = False

    def add(self, band: s.Band, integer: bool) -> None:
        ray = band_interval(band, integer)
        if ray.lo is None and ray.hi is None:
            self.everything = True
        elif ray.hi is None:
            self.up = ray if self.up is None else _wider(self.up, ray, upwards=True)
        else:
            self.down = ray if self.down is None else _wider(self.down, ray, upwards=False)

    def left_of(self, values: Interval) -> Interval | None:
        """The values of an interval no earlier row takes (None: none at all)."""
        if self.everything:
            return None
        for ray in (self.up, self.down):
            if ray is not None:
                values = values.intersect(_beyond(ray))
        return None if values.empty(False) else values


def _wider(a: Interval, b: Interval, upwards: bool) -> Interval:
    """The union of two half-lines pointing the same way: the one that reaches further."""
    x, y = (a.lo, b.lo) if upwards else (a.hi, b.hi)
    assert x is not None and y is not None
    if x == y:
        return a if (a.lo_closed if upwards else a.hi_closed) else b
    return a if (x < y) == upwards else b


def _beyond(ray: Interval) -> Interval:
    """The values a half-line leaves out: the opposite half-line."""
    if ray.hi is None:
        return Interval(None, ray.lo, True, not ray.lo_closed)
    return Interval(ray.hi, None, not ray.hi_closed, True)


def bands_steps(bands: tuple[s.Band, ...], domain: Domain) -> list[tuple[Interval, Fraction]]:
    """The step function of first-match rows: pieces of the domain, low to high, and points."""
    covered = _Covered()
    pieces: list[tuple[Interval, Fraction]] = []
    for band in bands:
        region = band_interval(band, domain.integer).intersect(domain.interval)
        fresh = covered.left_of(region)
        if fresh is not None and not fresh.empty(domain.integer):
            pieces.append((fresh, band_award(band)))
        covered.add(band, domain.integer)
    return sorted(pieces, key=lambda piece: _lower_key(piece[0]))


def _lower_key(interval: Interval) -> tuple[int, Fraction, int]:
    if interval.lo is None:
        return (0, Fraction(0), 0)
    return (1, interval.lo, 0 if interval.lo_closed else 1)


def _points_at(pieces: list[tuple[Interval, Fraction]], keys: list[tuple[int, Fraction, int]],
               value: Fraction) -> Fraction | None:
    """The points of the step (`bands_steps`, with their `_lower_key`s) holding a value."""
    at = bisect.bisect_right(keys, (1, value, 0)) - 1
    if at < 0:
        return None
    piece, points = pieces[at]
    inside = piece.hi is None or value < piece.hi or (value == piece.hi and piece.hi_closed)
    return points if inside else None


def _family(op: str) -> str:
    return "up" if op in ("at least", "above") else "down"


def _band_words(band: s.Band) -> str:
    if band.threshold is None:
        return "otherwise"
    return f"{band.op} {band.threshold.span.text}"


def check_band_list(bands: tuple[s.Band, ...], domain: Domain, reporter: Reporter,
                    span: Span, grades: bool = False) -> None:
    covered = _Covered()
    previous: s.Band | None = None
    for band in bands:
        region = band_interval(band, domain.integer).intersect(domain.interval)
        fresh = covered.left_of(region)
        if fresh is None or fresh.empty(domain.integer):
            _report_unreachable(band, previous, covered.everything, region, domain, reporter)
        covered.add(band, domain.integer)
        if band.threshold is not None:
            previous = band
    gap = covered.left_of(domain.interval)
    if gap is not None and not gap.empty(domain.integer):
        en, vi = gap.describe(domain.integer)
        hint = Text('add a last row `otherwise: "<grade>"`',
                    'thêm dòng cuối `otherwise: "<xếp loại>"`') if grades else \
            Text("add a last row `otherwise: 0` (or the points the decree gives)",
                 "thêm dòng cuối `otherwise: 0` (hoặc số điểm văn bản quy định)")
        reporter.report(codes.BANDS_NOT_COVERING, span, gap=en, gap_vi=vi, hint=hint)


def _report_unreachable(band: s.Band, previous: s.Band | None, after_otherwise: bool,
                        region: Interval, domain: Domain, reporter: Reporter) -> None:
    if previous is not None and band.threshold is not None and _out_of_order(previous, band):
        up = _family(band.op) == "up"
        reporter.report(
            codes.BANDS_OUT_OF_ORDER, band.span, this=_band_words(band),
            previous=_band_words(previous),
            hint=Text(
                "list `at least`/`above` rows from the highest threshold down"
                if up else "list `at most`/`below` rows from the lowest threshold up",
                "liệt kê các dòng `at least`/`above` từ ngưỡng cao nhất xuống"
                if up else "liệt kê các dòng `at most`/`below` từ ngưỡng thấp nhất lên",
            ),
        )
        return
    if region.empty(domain.integer):
        en, vi = "no possible value meets its condition", "không giá trị nào thoả điều kiện"
    elif after_otherwise:
        en, vi = ("an `otherwise` row above it takes every value; `otherwise` goes last",
                  "dòng `otherwise` phía trên đã nhận mọi giá trị; `otherwise` phải đặt cuối")
    elif domain.integer:  # e.g. `above 2` then `at least 3`: the same whole numbers
        en, vi = ("earlier rows already take every whole number it admits",
                  "các dòng trước đã nhận mọi số nguyên mà dòng này nhận")
    else:
        en, vi = ("earlier rows already take every value it admits",
                  "các dòng trước đã nhận mọi giá trị mà dòng này nhận")
    reporter.report(codes.BAND_UNREACHABLE, band.span, reason=en, reason_vi=vi)


def _out_of_order(previous: s.Band, band: s.Band) -> bool:
    """True when a row's threshold is on the wrong side of the row before it (an unreachable
    row whose threshold is in order, e.g. a repeated threshold, is not out of order)."""
    assert previous.threshold is not None and band.threshold is not None
    if _family(previous.op) != _family(band.op):
        return False
    before, this = previous.threshold.value, band.threshold.value
    return this > before if _family(band.op) == "up" else this < before


# -- grade rows: what reaches the next grade ---------------------------------------------


def lowest_value_reaching(band: s.Band, digits: int | None) -> Fraction | None:
    """The smallest exact index whose published (rounded) value meets an `at least`/`above`
    band; None when no smallest value exists (`above t` without rounding)."""
    assert band.threshold is not None
    t = band.threshold.value
    if digits is None:
        return t if band.op == "at least" else None
    scale = 10**digits
    steps = math.ceil(t * scale) if band.op == "at least" else math.floor(t * scale) + 1
    # Half-up rounding publishes `steps / scale` from half a step below it.
    return max(Fraction(2 * steps - 1, 2 * scale), Fraction(0))


def next_grade(bands: tuple[s.Band, ...], position: int, points: Fraction | None,
               maximum: Fraction | None, digits: int | None, scale: Bounds = UNIT
               ) -> Text | None:
    """What reaches the grade above the row at `position`: points for a share-of-max index,
    else its value. Thresholds are on the index's scale; points on 0..1 of its maximum."""
    for band in reversed(bands[:position]):
        if band.threshold is None or band.op not in ("at least", "above"):
            continue
        label_en = band.award_en or str(band.award)
        t_en, t_vi = both_fmt(band.threshold.value)
        if band.op == "above":
            t_en, t_vi = f"above {t_en}", f"trên {t_vi}"
        lowest = lowest_value_reaching(band, digits)
        if points is not None and maximum and lowest is not None:
            need = max(to_share(lowest, scale) * maximum - points, Fraction(0))
            n_en, n_vi = both_fmt(need)
            return both(f"{n_en} more points (index {t_en}) reach “{label_en}”",
                        f"thêm {n_vi} điểm (chỉ số {t_vi}) để đạt “{band.award}”")
        if band.op == "at least":
            t_en, t_vi = f"of {t_en}", f"từ {t_vi}"
        return both(f"an index {t_en} reaches “{label_en}”",
                    f"chỉ số {t_vi} để đạt “{band.award}”")
    return None


# -- the rule kind -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandsFacts:
    value: Fraction
    row: int  # the position of the row that fired


class Bands(RuleKind[s.Bands, BandsFacts]):
    keyword = "bands"

    def check_types(self, rule: s.Bands, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`bands`", "`bands`"))

    def check(self, rule: s.Bands, ctx: CheckContext) -> tuple[s.Number, ...]:
        if not ctx.domains.reads_unknown(rule.expr):  # else E101 said what is wrong
            check_band_list(rule.bands, ctx.domains.of(rule.expr), ctx.reporter, rule.span)
        return tuple(b.award for b in rule.bands if isinstance(b.award, s.Number))

    def cohort(self, rule: s.Bands) -> CohortUse | None:
        return None

    def score(self, rule: s.Bands, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[BandsFacts]:
        assert isinstance(value, Fraction)
        row = first_row(rule.bands, value)
        return Outcome(band_award(rule.bands[row]), BandsFacts(value, row))

    def next_target(self, rule: s.Bands, facts: BandsFacts, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        integer, value = ctx.integer(rule.expr), facts.value
        # The points at each row's entry value, from the step function over every value: a
        # search per row, not a scan of the rows (quadratic for 10,000 rows).
        pieces = bands_steps(rule.bands, Domain(Interval(None, None), integer))
        keys = [_lower_key(piece) for piece, _ in pieces]
        nearest: tuple[Fraction, Fraction] | None = None  # (input value, points there)
        for band in rule.bands:
            target = band_entry(band, integer)
            if target is None:
                continue
            gained = _points_at(pieces, keys, target)
            if gained is None:
                continue
            if gained > points and (nearest is None or abs(target - value) < abs(nearest[0] - value)):
                nearest = (target, gained)
        return None if nearest is None else ctx.hint(rule.expr, value, nearest[0],
                                                     nearest[1] - points)

    def branch_words(self, rule: s.Bands, facts: BandsFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        as_share = is_share(model, rule.expr)
        v_en, v_vi = both_fmt(facts.value, as_share)
        condition = band_condition(rule.bands[facts.row], as_share)
        a_en, a_vi = both_fmt(points)
        return both(f"{v_en} falls in the band `{condition.en}`: {a_en} points",
                    f"{v_vi} thuộc mức `{condition.vi}`: {a_vi} điểm")

    def hint_words(self, rule: s.Bands, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.Bands, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """The first row whose condition holds awards its points."""
        x = expr(g, rule.expr)
        return g.branches("p", [
            (None if band.threshold is None else g.test(x, BAND_COMPARE[band.op], band.threshold.value),
             just(g.const(band_award(band))))
            for band in rule.bands
        ])

    def describe(self, rule: s.Bands, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        return both(f"by bands of {x.en}: the first row that holds gives the points",
                    f"theo mức của {x.vi}: dòng đầu tiên thoả điều kiện cho số điểm")

    def annex_rows(self, rule: s.Bands, model: Model) -> AnnexRows | None:
        as_share = is_share(model, rule.expr)
        return "condition", tuple((band_condition(b, as_share), band_award(b)) for b in rule.bands)

    def shape(self, rule: s.Bands, ctx: ShapeContext) -> Dir:
        return steps([p for _, p in bands_steps(rule.bands, ctx.domains.of(rule.expr))])

    def literals(self, rule: s.Bands) -> set[Fraction]:
        return {b.threshold.value for b in rule.bands if b.threshold is not None}

