"""`z-score x [lower is better] within k [reference mean a sd b]`: the standardised value
z = (x − mean) ÷ sd of x over the entities of its block scored together, with the
population sd (÷ n, as COINr and the UN EGDI standardise), mapped linearly from −k…k onto
0…1 of the points and clamped: share = (z + k) ÷ 2k ((k − z) ÷ 2k when lower is better).
`within 3` thus gives half the points at the block's mean and all of them three sds above.

`reference mean a sd b` states the figures for an entity scored alone; a cohort's figures,
when there is one, come first (as `min-max`'s do). The mean is exact; the sd is exact when
the variance is the square of a rational, else kept to 30 significant digits
(`index_methods.square_root`, as the geometric mean), and the explanation says so.

When the block's sd is 0 (one entity, or all alike), every entity is at the mean: z = 0,
half the points (the point the scale puts the mean at; nobody is ahead or behind).
"""

from __future__ import annotations

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
from egov_rules.numbers import terminating_decimal

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model

HALF = Fraction(1, 2)


@dataclass(frozen=True, slots=True)
class ZScoreFacts:
    value: Fraction
    mean: Fraction  # the block's mean (or the stated reference mean)
    sd: Fraction  # the block's population sd (or the stated one)
    z: Fraction  # (value − mean) ÷ sd; 0 when sd is 0
    share: Fraction  # 0 to 1, clamped


class ZScoreKind(RuleKind[s.ZScore, ZScoreFacts]):
    keyword = "z-score"

    def check_types(self, rule: s.ZScore, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`z-score`", "`z-score`"))

    def check(self, rule: s.ZScore, ctx: CheckContext) -> tuple[s.Number, ...]:
        for number, en, vi in ((rule.within, "`within`", "`within`"),
                               (rule.ref_sd, "`reference … sd`", "`reference … sd`")):
            if number is not None and number.value <= 0:
                ctx.reporter.report(codes.BAD_NODE_BODY, number.span,
                                    detail=f"{en} must be above 0",
                                    detail_vi=f"giá trị {vi} phải lớn hơn 0")
        check_scope(rule.scope, ctx)
        return ()

    def cohort(self, rule: s.ZScore) -> CohortUse | None:
        return CohortUse(_figures(rule))

    def score(self, rule: s.ZScore, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[ZScoreFacts]:
        assert isinstance(value, Fraction)
        mean_figure, sd_figure = _figures(rule)
        mean, sd = ctx.cohort_figure(node, mean_figure), ctx.cohort_figure(node, sd_figure)
        z = (value - mean) / sd if sd > 0 else ZERO
        k = rule.within.value
        share = min(max(((k - z) if rule.lower else (z + k)) / (2 * k), ZERO), ONE)
        return Outcome(share * maximum, ZScoreFacts(value, mean, sd, z, share))

    def next_target(self, rule: s.ZScore, facts: ZScoreFacts, points: Fraction,
                    maximum: Fraction, ctx: ScoreContext) -> Target | None:
        # The entity's own value is one of those its block's mean and sd are made of: moving
        # it moves both, so no single target can be promised.
        return None

    def branch_words(self, rule: s.ZScore, facts: ZScoreFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        as_share = is_share(model, rule.expr)
        v_en, v_vi = both_fmt(facts.value, as_share)
        mu_en, mu_vi = both_fmt(facts.mean, as_share)
        sd_en, sd_vi = both_fmt(facts.sd, as_share)
        z_en, z_vi = both_fmt(facts.z)
        if facts.z < 0:  # "(−0.77 + 2)", not "(-0.77 + 2)" read as a subtraction
            z_en, z_vi = f"({z_en})", f"({z_vi})"
        k_en, k_vi = both_fmt(rule.within.value)
        k2_en, k2_vi = both_fmt(2 * rule.within.value)
        sh_en, sh_vi = both_fmt(facts.share, share=True)
        m_en, m_vi = both_fmt(maximum)
        p_en, p_vi = both_fmt(points)
        # the figures and where they came from follow (`evaluate`, `explain.cohort_sources`)
        if facts.sd <= 0:
            return both(f"{v_en}: sd 0, every entity at the mean {mu_en}: z = 0, "
                        f"{sh_en} × {m_en} = {p_en} points",
                        f"{v_vi}: độ lệch chuẩn 0, mọi đơn vị bằng trung bình {mu_vi}: z = 0, "
                        f"{sh_vi} × {m_vi} = {p_vi} điểm")
        top_en, top_vi = (f"{k_en} − {z_en}", f"{k_vi} − {z_vi}") if rule.lower \
            else (f"{z_en} + {k_en}", f"{z_vi} + {k_vi}")
        note_en, note_vi = ("", "") if _short(facts.sd) else (
            " (the sd exact, or to 30 significant digits when irrational)",
            " (độ lệch chuẩn chính xác, hoặc 30 chữ số có nghĩa khi vô tỉ)")
        return both(f"{v_en} → z = ({v_en} − {mu_en}) ÷ {sd_en} = {z_en}; within {k_en}: "
                    f"({top_en}) ÷ {k2_en} = {sh_en}; {sh_en} × {m_en} = {p_en} points"
                    + note_en,
                    f"{v_vi} → z = ({v_vi} − {mu_vi}) ÷ {sd_vi} = {z_vi}; trong khoảng {k_vi}: "
                    f"({top_vi}) ÷ {k2_vi} = {sh_vi}; {sh_vi} × {m_vi} = {p_vi} điểm" + note_vi)

    def hint_words(self, rule: s.ZScore, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.ZScore, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """Exact only: the sd is a carried figure that is rarely a float, and z divides by
        it, so a block with a z-score node declines the fast variant (Untracked) and is
        scored by its exact variant. Branches on x against mean ∓ k·sd, so a clamp is
        exactly 0 or the max."""
        if g.mode == "fast":
            raise Untracked("z-score is scored by the exact variant")
        mean_figure, sd_figure = _figures(rule)
        mean, sd = g.best[mean_figure.key(node.id)], g.best[sd_figure.key(node.id)]
        x = expr(g, rule.expr)
        k = rule.within.value
        zero, half, full = g.const(ZERO), g.const(maximum * HALF), g.const(maximum)

        def inside() -> Num:
            z = g.div(g.add(x, mean, -1), sd)
            top = g.add(g.const(k), z, -1) if rule.lower else g.add(z, g.const(k))
            return g.mul(g.div(top, g.const(2 * k), within=(ZERO, ONE)), full)

        spread = g.mul(g.const(k), sd)
        below, above = g.compare(x, "<=", g.add(mean, spread, -1)), \
            g.compare(x, ">=", g.add(mean, spread))
        return g.branches("zs", [
            (g.compare(sd, "<=", zero), lambda: half),
            (above if rule.lower else below, lambda: zero),
            (below if rule.lower else above, lambda: full),
            (None, inside),
        ])

    def describe(self, rule: s.ZScore, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        m_en, m_vi = both_fmt(maximum)
        k_en, k_vi = both_fmt(rule.within.value)
        top_en, top_vi = ("(k − z)", "(k − z)") if rule.lower else ("(z + k)", "(z + k)")
        where = scope_words(rule.scope)
        text = both(f"{x.en}: z = (x − mean) ÷ sd {where.en} (population sd); "
                    f"{top_en} ÷ 2k with k = {k_en}, clamped to 0…1, × {m_en} points "
                    "(half the points when sd = 0)",
                    f"{x.vi}: z = (x − trung bình) ÷ độ lệch chuẩn tổng thể {where.vi}; "
                    f"{top_vi} ÷ 2k với k = {k_vi}, giới hạn trong 0…1, × {m_vi} điểm "
                    "(nửa số điểm khi độ lệch chuẩn = 0)")
        if rule.ref_mean is None or rule.ref_sd is None:
            return text
        mu_en, mu_vi = both_fmt(rule.ref_mean.value, rule.ref_mean.percent)
        sd_en, sd_vi = both_fmt(rule.ref_sd.value, rule.ref_sd.percent)
        return both(f"{text.en}; scored alone, mean {mu_en} and sd {sd_en}",
                    f"{text.vi}; khi chấm riêng, trung bình {mu_vi} và độ lệch chuẩn {sd_vi}")

    def annex_rows(self, rule: s.ZScore, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.ZScore, ctx: ShapeContext) -> Dir:
        """In the entity's own value, the cohort's figures held (as the monotonicity analysis
        holds every cohort figure). Another entity's value can still move this entity's
        points: it moves the mean and the sd."""
        return DOWN if rule.lower else UP

    def literals(self, rule: s.ZScore) -> set[Fraction]:
        found = {rule.within.value}
        if rule.ref_mean is not None and rule.ref_sd is not None:  # the ends of the scale
            spread = rule.within.value * rule.ref_sd.value
            found |= {rule.ref_mean.value, rule.ref_mean.value - spread,
                      rule.ref_mean.value + spread}
        return found


def _short(sd: Fraction) -> bool:
    """An sd with a short exact decimal (3, 0.25): no rounding can be in it, so the
    explanation need not say how an irrational one is kept."""
    decimal = terminating_decimal(sd)
    return decimal is not None and len(decimal.replace(".", "").lstrip("0")) <= 12


def _figures(rule: s.ZScore) -> tuple[CohortFigure, CohortFigure]:
    """The block's mean and population sd of x (keys `node.mean`, `node.sd`), with the
    stated ones."""
    mean, sd = rule.ref_mean, rule.ref_sd
    return (CohortFigure("mean", "mean", mean.value if mean else None,
                         mean.span if mean else None, rule.scope),
            CohortFigure("sd", "sd", sd.value if sd else None, sd.span if sd else None,
                         rule.scope))
