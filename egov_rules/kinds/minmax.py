"""`min-max x [lower is better] [reference min a max b]`: x placed between the min and the max
of x over the entities of its block scored together, (x − min) ÷ (max − min) of the points
((max − x) ÷ (max − min) when lower is better). `reference min a max b` states the figures
for an entity scored alone; a cohort's figures, when there is one, come first (as
`relative to best in block`'s best does).

When the block's min equals its max (one entity, or all alike), no entity is behind another:
every one gets the full points (as `relative to best in block` gives its best).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import Untracked, expr
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
from egov_rules.kinds.direction import DOWN, UP, Dir

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model


@dataclass(frozen=True, slots=True)
class MinMaxFacts:
    value: Fraction
    low: Fraction  # the block's min (or the stated reference min)
    high: Fraction  # the block's max (or the stated reference max)
    share: Fraction  # 0 to 1, clamped (only a stated range can leave x outside)


class MinMax(RuleKind[s.MinMax, MinMaxFacts]):
    keyword = "min-max"

    def check_types(self, rule: s.MinMax, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`min-max`", "`min-max`"))

    def check(self, rule: s.MinMax, ctx: CheckContext) -> tuple[s.Number, ...]:
        if rule.ref_min is not None and rule.ref_max is not None \
                and rule.ref_min.value >= rule.ref_max.value:
            ctx.reporter.report(codes.BAD_NODE_BODY, rule.ref_min.span,
                                detail="`reference min` must be below `max`",
                                detail_vi="giá trị `reference min` phải nhỏ hơn `max`")
        check_scope(rule.scope, ctx)
        return ()

    def cohort(self, rule: s.MinMax) -> CohortUse | None:
        return CohortUse(_figures(rule))

    def score(self, rule: s.MinMax, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[MinMaxFacts]:
        assert isinstance(value, Fraction)
        low_figure, high_figure = _figures(rule)
        low, high = ctx.cohort_figure(node, low_figure), ctx.cohort_figure(node, high_figure)
        if high <= low:  # no spread: nobody is behind (references= can even cross them)
            share = ONE
        else:
            share = ((high - value) if rule.lower else (value - low)) / (high - low)
            share = min(max(share, ZERO), ONE)
        return Outcome(share * maximum, MinMaxFacts(value, low, high, share))

    def next_target(self, rule: s.MinMax, facts: MinMaxFacts, points: Fraction,
                    maximum: Fraction, ctx: ScoreContext) -> Target | None:
        low, high = facts.low, facts.high
        if points >= maximum or high <= low:
            return None
        # At share 0 the entity may itself hold the block's worst figure: moving it moves
        # that figure too, so no single target can be promised.
        if facts.value == (high if rule.lower else low):
            return None
        next_points = min(Fraction(math.floor(points) + 1), maximum)
        step = (high - low) * next_points / maximum
        target = high - step if rule.lower else low + step
        return ctx.hint(rule.expr, facts.value, target, next_points - points)

    def branch_words(self, rule: s.MinMax, facts: MinMaxFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        as_share = is_share(model, rule.expr)
        v_en, v_vi = both_fmt(facts.value, as_share)
        lo_en, lo_vi = both_fmt(facts.low, as_share)
        hi_en, hi_vi = both_fmt(facts.high, as_share)
        sh_en, sh_vi = both_fmt(facts.share, share=True)
        m_en, m_vi = both_fmt(maximum)
        p_en, p_vi = both_fmt(points)
        if facts.high <= facts.low:
            return both(f"{v_en}: min {lo_en} = max {hi_en}, no entity is behind: "
                        f"{sh_en} × {m_en} = {p_en} points",
                        f"{v_vi}: nhỏ nhất {lo_vi} = lớn nhất {hi_vi}, không đơn vị nào kém hơn: "
                        f"{sh_vi} × {m_vi} = {p_vi} điểm")
        top_en, top_vi = (f"{hi_en} − {v_en}", f"{hi_vi} − {v_vi}") if rule.lower \
            else (f"{v_en} − {lo_en}", f"{v_vi} − {lo_vi}")
        # the figures and where they came from follow (`evaluate`, `explain.cohort_sources`)
        return both(f"{v_en} → ({top_en}) ÷ ({hi_en} − {lo_en}) = {sh_en}; "
                    f"{sh_en} × {m_en} = {p_en} points",
                    f"{v_vi} → ({top_vi}) ÷ ({hi_vi} − {lo_vi}) = {sh_vi}; "
                    f"{sh_vi} × {m_vi} = {p_vi} điểm")

    def hint_words(self, rule: s.MinMax, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.MinMax, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """Exact only: the fast variant would need an error bound for (x − min) ÷ (max − min)
        over two carried figures, so a block with a min-max node declines it (Untracked) and
        is scored by its exact variant. Branches on x, so a clamp is exactly 0 or the max."""
        if g.mode == "fast":
            raise Untracked("min-max is scored by the exact variant")
        low_figure, high_figure = _figures(rule)
        low, high = g.best[low_figure.key(node.id)], g.best[high_figure.key(node.id)]
        x = expr(g, rule.expr)
        zero, full = g.const(ZERO), g.const(maximum)

        def inside() -> Num:
            top = g.add(high, x, -1) if rule.lower else g.add(x, low, -1)
            return g.mul(g.div(top, g.add(high, low, -1), within=(ZERO, ONE)), full)

        # the worst end scores 0, the best end all points
        worst = g.compare(x, ">=", high) if rule.lower else g.compare(x, "<=", low)
        best = g.compare(x, "<=", low) if rule.lower else g.compare(x, ">=", high)
        return g.branches("mm", [
            (g.compare(high, "<=", low), lambda: full),
            (worst, lambda: zero),
            (best, lambda: full),
            (None, inside),
        ])

    def describe(self, rule: s.MinMax, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        m_en, m_vi = both_fmt(maximum)
        top_en, top_vi = ("(max − x)", "(lớn nhất − x)") if rule.lower \
            else ("(x − min)", "(x − nhỏ nhất)")
        where = scope_words(rule.scope)
        text = both(f"{x.en}: {top_en} ÷ (max − min) {where.en} × {m_en} points "
                    "(all points when min = max)",
                    f"{x.vi}: {top_vi} ÷ (lớn nhất − nhỏ nhất) {where.vi} × {m_vi} điểm "
                    "(tối đa khi nhỏ nhất = lớn nhất)")
        if rule.ref_min is None or rule.ref_max is None:
            return text
        lo_en, lo_vi = both_fmt(rule.ref_min.value, rule.ref_min.percent)
        hi_en, hi_vi = both_fmt(rule.ref_max.value, rule.ref_max.percent)
        return both(f"{text.en}; scored alone, min {lo_en} and max {hi_en}",
                    f"{text.vi}; khi chấm riêng, nhỏ nhất {lo_vi} và lớn nhất {hi_vi}")

    def annex_rows(self, rule: s.MinMax, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.MinMax, ctx: ShapeContext) -> Dir:
        """In the entity's own value, the cohort's figures held (as the monotonicity analysis
        holds every cohort figure, `relative to best in block`'s best too). A better other
        entity can still lower this entity's points: it moves the min or the max."""
        return DOWN if rule.lower else UP

    def literals(self, rule: s.MinMax) -> set[Fraction]:
        return {n.value for n in (rule.ref_min, rule.ref_max) if n is not None}


def _figures(rule: s.MinMax) -> tuple[CohortFigure, CohortFigure]:
    """The block's min and max of x (keys `node.min`, `node.max`), with the stated ones."""
    low, high = rule.ref_min, rule.ref_max
    return (CohortFigure("min", "min", low.value if low else None, low.span if low else None,
                         rule.scope),
            CohortFigure("max", "max", high.value if high else None, high.span if high else None,
                         rule.scope))
