"""`proportional x [from a to b] [relative to best in block [reference r]]`: points in
proportion to where x lies on a scale (0 to 1, `a` to `b`, or 0 to the block's best)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.domains import Interval
from egov_rules.emit import expr, replace_num
from egov_rules.explain import both, both_fmt, expr_words, is_share
from egov_rules.kinds.base import (
    ONE,
    ZERO,
    AnnexRows,
    CheckContext,
    CohortFigure,
    CohortUse,
    Outcome,
    RuleKind,
    RuntimeValue,
    ScoreContext,
    ShapeContext,
    Target,
    TypeChecker,
    check_scope,
    raise_words,
    scope_words,
)
from egov_rules.kinds.direction import UP, Dir
from egov_rules.resolve import divisions, names_in

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model


@dataclass(frozen=True, slots=True)
class ProportionalFacts:
    value: Fraction
    share: Fraction  # where the value lies on the scale, 0 to 1
    low: Fraction
    high: Fraction
    best: Fraction | None  # the block's best, for `relative to best in block`


class Proportional(RuleKind[s.Proportional, ProportionalFacts]):
    keyword = "proportional"

    def check_types(self, rule: s.Proportional, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`proportional`", "`proportional`"))

    def check(self, rule: s.Proportional, ctx: CheckContext) -> tuple[s.Number, ...]:
        if rule.low is not None and rule.high is not None and rule.low.value >= rule.high.value:
            ctx.reporter.report(codes.BAD_NODE_BODY, rule.span, detail="`from` must be below `to`",
                                detail_vi="giá trị `from` phải nhỏ hơn `to`")
        elif not rule.relative:
            _check_scale(rule, ctx)
        check_scope(rule.scope, ctx)
        return ()

    def cohort(self, rule: s.Proportional) -> CohortUse | None:
        if not rule.relative:
            return None
        return CohortUse((_best(rule),))

    def score(self, rule: s.Proportional, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[ProportionalFacts]:
        assert isinstance(value, Fraction)
        best: Fraction | None = None
        if rule.relative:
            best = ctx.cohort_figure(node, _best(rule))
            share = ZERO if best <= 0 else value / best
            low, high = ZERO, best
        elif rule.low is not None and rule.high is not None:
            low, high = rule.low.value, rule.high.value
            share = (value - low) / (high - low)
        else:
            low, high = ZERO, ONE
            share = value
        share = min(max(share, ZERO), ONE)
        return Outcome(share * maximum, ProportionalFacts(value, share, low, high, best))

    def next_target(self, rule: s.Proportional, facts: ProportionalFacts, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        low, high = facts.low, facts.high
        if points >= maximum or high <= low:
            return None
        next_points = min(Fraction(math.floor(points) + 1), maximum)
        target = low + (high - low) * next_points / maximum
        return ctx.hint(rule.expr, facts.value, target, next_points - points)

    def branch_words(self, rule: s.Proportional, facts: ProportionalFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        return _branch(model, rule, facts, maximum)

    def hint_words(self, rule: s.Proportional, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.Proportional, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """clamp(x, 0, 1) × max; `from a to b`: clamp((x − a)/(b − a), 0, 1) × max; relative:
        clamp(x / best, 0, 1) × max, 0 when best ≤ 0. Taken as three branches on x, so that the
        clamps are decisions and a clamped value is exactly 0 or the maximum."""
        x = expr(g, rule.expr)
        zero, full = g.const(ZERO), g.const(maximum)
        if rule.relative:
            best = g.best[node.id]
            return g.branches("p", [
                (g.test(best, "<=", ZERO), lambda: zero),
                (g.test(x, "<=", ZERO), lambda: zero),
                (g.compare(x, ">=", best), lambda: full),
                (None, lambda: g.mul(g.div(x, best, within=(ZERO, ONE)), full)),
            ])
        low = rule.low.value if rule.low is not None else ZERO
        high = rule.high.value if rule.high is not None else ONE

        def inside() -> Num:
            # A data value in its own units (a percent as 0..100): (x − a/s) × (s·max/(b − a)),
            # so that whole figures stay Python ints (exact) as far as they can.
            scale = x.scale if x.kind == "dec" and x.scale > 0 else ONE
            raw = replace_num(x, lo=low / scale if x.lo is None else max(x.lo, low) / scale,
                           hi=high / scale if x.hi is None else min(x.hi, high) / scale,
                           scale=ONE, view=None)
            if x.kind != "dec":
                raw = replace_num(x, lo=raw.lo, hi=raw.hi)
            shifted = g.add(raw, g.const(low / scale), -1) if low else raw
            return g.mul(shifted, g.const(scale * maximum / (high - low)))

        return g.branches("p", [
            (g.test(x, "<=", low), lambda: zero),
            (g.test(x, ">=", high), lambda: full),
            (None, inside),
        ])

    def describe(self, rule: s.Proportional, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        m_en, m_vi = both_fmt(maximum)
        if rule.relative:
            where = scope_words(rule.scope)
            text = both(f"{x.en} ÷ the best value {where.en} × {m_en} points",
                        f"{x.vi} ÷ giá trị cao nhất {where.vi} × {m_vi} điểm")
            if rule.reference is None:
                return text
            r_en, r_vi = both_fmt(rule.reference.value, rule.reference.percent)
            return both(f"{text.en}; scored alone, the best value is taken as {r_en}",
                        f"{text.vi}; khi chấm riêng, giá trị cao nhất lấy bằng {r_vi}")
        if rule.low is not None and rule.high is not None:
            lo_en, lo_vi = both_fmt(rule.low.value, rule.low.percent)
            hi_en, hi_vi = both_fmt(rule.high.value, rule.high.percent)
            return both(
                f"{x.en} from {lo_en} (0 points) to {hi_en} ({m_en} points), linear in between",
                f"{x.vi} từ {lo_vi} (0 điểm) đến {hi_vi} ({m_vi} điểm), tuyến tính ở giữa")
        return both(f"{x.en} (a share, 0 to 1) × {m_en} points",
                    f"tỷ lệ {x.vi} (từ 0 đến 1) × {m_vi} điểm")

    def annex_rows(self, rule: s.Proportional, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.Proportional, ctx: ShapeContext) -> Dir:
        return UP

    def literals(self, rule: s.Proportional) -> set[Fraction]:
        return {n.value for n in (rule.low, rule.high) if n is not None}


def _best(rule: s.Proportional) -> CohortFigure:
    """The one cohort figure of `relative to best in block`: the max of x in the block."""
    stated = rule.reference
    return CohortFigure("", "max", stated.value if stated is not None else None,
                        stated.span if stated is not None else None, rule.scope)


def _where(scope: s.Scope | None) -> Text:
    """The cohort as the branch names it: "in block" (as it always did), "in all", "in
    group region"."""
    if scope is None:
        return both("in block", "của khối")
    if scope.group is None:
        return both("in all", "của tất cả")
    return both(f"in group {scope.group.name}", f"của nhóm {scope.group.name}")


def _branch(model: Model, rule: s.Proportional, facts: ProportionalFacts, maximum: Fraction
            ) -> Text:
    value, share, best, low, high = facts.value, facts.share, facts.best, facts.low, facts.high
    as_share = is_share(model, rule.expr)
    v_en, v_vi = both_fmt(value, as_share)
    sh_en, sh_vi = both_fmt(share, share=True)
    m_en, m_vi = both_fmt(maximum)
    p_en, p_vi = both_fmt(share * maximum)
    if best is not None:
        b_en, b_vi = both_fmt(best, as_share)
        where = _where(rule.scope)
        return both(
            f"{v_en} ÷ best {where.en} {b_en} = {sh_en}; {sh_en} × {m_en} = {p_en} points",
            f"{v_vi} ÷ giá trị cao nhất {where.vi} {b_vi} = {sh_vi}; {sh_vi} × {m_vi} = {p_vi} điểm",
        )
    if rule.low is not None:
        lo_en, lo_vi = both_fmt(low, rule.low.percent)
        hi_en, hi_vi = both_fmt(high, rule.low.percent)
        return both(
            f"{v_en} on the scale from {lo_en} (0 points) to {hi_en} (all points) = {sh_en}; "
            f"{sh_en} × {m_en} = {p_en} points",
            f"{v_vi} trên thang từ {lo_vi} (0 điểm) đến {hi_vi} (tối đa) = {sh_vi}; "
            f"{sh_vi} × {m_vi} = {p_vi} điểm",
        )
    return both(f"share {sh_en} × {m_en} = {p_en} points",
                f"tỷ lệ {sh_vi} × {m_vi} = {p_vi} điểm")


def _check_scale(rule: s.Proportional, ctx: CheckContext) -> None:
    """`proportional x` reads x as a share; `from a to b` must lie where x can be. Both
    mistakes (a count read as a share, `from 10 to 50` on a percent) give silent full or zero
    points, so they are errors."""
    if ctx.domains.reads_unknown(rule.expr) or divisions(rule.expr) or any(
        not ctx.symbols.types[n.name].numeric for n in names_in(rule.expr)
        if n.name in ctx.symbols.types
    ):
        return  # E101 / E202 / E201 already said what is wrong with the expression
    symbols, reporter = ctx.symbols, ctx.reporter
    domain = ctx.domains.of(rule.expr)
    expr_type = symbols.types.get(rule.expr.name) if isinstance(rule.expr, s.Name) else None
    shares = expr_type is not None and expr_type.share
    en, vi = domain.interval.describe(domain.integer)
    text = rule.expr.span.text
    if rule.low is None or rule.high is None:
        lo, hi = domain.interval.lo, domain.interval.hi
        if shares or (lo is not None and lo >= 0 and hi is not None and hi <= 1):
            return
        reporter.report(
            codes.PROPORTIONAL_SCALE, rule.expr.span,
            detail=f"`proportional {text}` reads `{text}` as a share from 0 to 1, but it can take {en}",
            detail_vi=f"`proportional {text}` coi `{text}` là tỷ lệ từ 0 đến 1, nhưng nó có thể nhận {vi}",
            hint=Text(f"state the scale: `proportional {text} from <0 points> to <all points>`, or "
                      "compare with the best: `relative to best in block`",
                      f"ghi rõ thang: `proportional {text} from <0 điểm> to <tối đa>`, hoặc so với "
                      "đơn vị cao nhất: `relative to best in block`"),
        )
        return
    scale = Interval(rule.low.value, rule.high.value)
    if not domain.interval.intersect(scale).empty(False):
        return
    percent_hint = shares and rule.high.value > 1
    reporter.report(
        codes.PROPORTIONAL_SCALE, rule.low.span,
        detail=f"the scale {rule.low.span.text} to {rule.high.span.text} lies outside the values "
        f"`{text}` can take ({en})",
        detail_vi=f"thang {rule.low.span.text} đến {rule.high.span.text} nằm ngoài các giá trị "
        f"`{text}` có thể nhận ({vi})",
        hint=Text(f"`{text}` is a share: write the scale in percent, e.g. "
                  f"`from {rule.low.span.text}% to {rule.high.span.text}%`",
                  f"`{text}` là tỷ lệ: ghi thang bằng phần trăm, ví dụ "
                  f"`from {rule.low.span.text}% to {rule.high.span.text}%`") if percent_hint else None,
    )
