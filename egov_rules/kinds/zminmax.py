"""`z-score mean of a [w], b [w], … then min-max [in block|all|group g]`: the UN EGDI's
Telecommunication Infrastructure and Human Capital indices. Each term is standardised over
the entity's cohort, z = (x − mean) ÷ sd with the population sd (an sd of 0 gives z = 0, as
`z-score` puts everyone at the mean); the z-scores are averaged, Σ wᵢ·zᵢ ÷ Σ wᵢ (equal
weights when none is written); that composite c is placed between its min and max over the
same cohort: (c − min c) ÷ (max c − min c) of the points, all of them when min c = max c.

Cohort figures (keys `node.mean1`, `node.sd1`, … per term, `node.min`, `node.max` of the
composite; one dot, as every figure key, so an example can state them): the means and sds
are aggregates of each term; the composite's min and max need them first, so each is a
`Reduction` of every entity's tuple of term values (kept, O(entities) for the node), which
also names who holds it. Means exact; an sd exact when rational, else to 30 significant
digits (`base.aggregate`), and the words say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import Num, Untracked, expr
from egov_rules.explain import both, both_fmt, expr_words
from egov_rules.kinds.base import (
    ONE,
    ZERO,
    AnnexRows,
    CheckContext,
    CohortFigure,
    CohortUse,
    Outcome,
    Reduction,
    RuleKind,
    RuntimeValue,
    ScoreContext,
    ShapeContext,
    Target,
    TypeChecker,
    aggregate,
    check_scope,
    raise_words,
    scope_words,
)
from egov_rules.kinds.direction import UP, Dir
from egov_rules.numbers import fmt, terminating_decimal

if TYPE_CHECKING:
    from egov_rules.emit import Gen
    from egov_rules.model import Model


def weights_of(rule: s.ZMinMax) -> tuple[Fraction, ...]:
    """Each term's weight (1 each when none is written; the check requires all or none)."""
    return tuple(ONE if t.weight is None else t.weight.value for t in rule.terms)


def z_of(x: Fraction, mean: Fraction, sd: Fraction) -> Fraction:
    return (x - mean) / sd if sd > 0 else ZERO


def composite(xs: Sequence[Fraction], means: Sequence[Fraction], sds: Sequence[Fraction],
              weights: Sequence[Fraction]) -> Fraction:
    """Σ wᵢ·zᵢ ÷ Σ wᵢ."""
    total = sum(weights, ZERO)
    return sum((w * z_of(x, m, d) for x, m, d, w in zip(xs, means, sds, weights, strict=True)),
               ZERO) / total


def share_of(c: Fraction, low: Fraction, high: Fraction) -> Fraction:
    """(c − low) ÷ (high − low), clamped to 0..1 (figures given apart can leave c outside);
    1 when high ≤ low (nobody behind)."""
    if high <= low:
        return ONE
    return min(max((c - low) / (high - low), ZERO), ONE)


@dataclass(frozen=True, slots=True)
class TermFigure(Reduction):
    """The mean or the population sd of one term over the cohort."""

    what: Literal["mean", "sd"]
    term: int

    def of(self, values: Sequence[Any]) -> Fraction:
        found: Fraction = aggregate(self.what, [v[self.term] for v in values])  # a mean or sd
        return found


@dataclass(frozen=True, slots=True)
class CompositeFigure(Reduction):
    """The min or the max of the composite over the cohort, from its terms' means and sds."""

    what: Literal["min", "max"]
    weights: tuple[Fraction, ...]

    def composites(self, values: Sequence[Any]) -> list[Fraction]:
        columns = range(len(self.weights))
        means = [aggregate("mean", [v[k] for v in values]) for k in columns]
        sds = [aggregate("sd", [v[k] for v in values]) for k in columns]
        return [composite(v, means, sds, self.weights) for v in values]

    def of(self, values: Sequence[Any]) -> Fraction:
        found = self.composites(values)
        return min(found) if self.what == "min" else max(found)

    def held_by(self, values: Sequence[Any]) -> list[int]:
        found = self.composites(values)
        target = min(found) if self.what == "min" else max(found)
        return [k for k, c in enumerate(found) if c == target]


@dataclass(frozen=True, slots=True)
class ZMinMaxFacts:
    values: tuple[Fraction, ...]  # each term's value
    means: tuple[Fraction, ...]
    sds: tuple[Fraction, ...]
    zs: tuple[Fraction, ...]
    c: Fraction  # the weighted mean of the z-scores
    low: Fraction  # the cohort's min of c (or the one given)
    high: Fraction
    share: Fraction


class ZMinMaxKind(RuleKind[s.ZMinMax, ZMinMaxFacts]):
    keyword = "z-score then min-max"

    def check_types(self, rule: s.ZMinMax, checker: TypeChecker) -> None:
        for term in rule.terms:
            checker.expect(term.expr, "number", ("`z-score mean of`", "`z-score mean of`"))

    def check(self, rule: s.ZMinMax, ctx: CheckContext) -> tuple[s.Number, ...]:
        from egov_rules.checks.weights import _check_weight_set  # checks import the kinds

        if any(t.weight is not None for t in rule.terms):  # all or none, as a weighted mean
            _check_weight_set([t.weight for t in rule.terms], [t.span for t in rule.terms],
                              rule.span, ctx.reporter)
        check_scope(rule.scope, ctx)
        return ()

    def cohort(self, rule: s.ZMinMax) -> CohortUse | None:
        return CohortUse(_figures(rule))

    def cohort_terms(self, rule: s.ZMinMax) -> tuple[s.Expr, ...] | None:
        return tuple(t.expr for t in rule.terms)

    def score(self, rule: s.ZMinMax, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[ZMinMaxFacts]:
        xs = tuple(_number(ctx.value(t.expr)) for t in rule.terms)
        figures = [ctx.cohort_figure(node, f) for f in _figures(rule)]
        n = len(xs)
        means, sds, (low, high) = tuple(figures[0:2 * n:2]), tuple(figures[1:2 * n:2]), \
            figures[2 * n:]
        zs = tuple(z_of(x, m, d) for x, m, d in zip(xs, means, sds, strict=True))
        c = composite(xs, means, sds, weights_of(rule))
        share = share_of(c, low, high)
        return Outcome(share * maximum, ZMinMaxFacts(xs, means, sds, zs, c, low, high, share))

    def next_target(self, rule: s.ZMinMax, facts: ZMinMaxFacts, points: Fraction,
                    maximum: Fraction, ctx: ScoreContext) -> Target | None:
        # The entity's own values make the means, the sds and the composite's min and max:
        # moving one moves them, so no single target can be promised.
        return None

    def branch_words(self, rule: s.ZMinMax, facts: ZMinMaxFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        en, vi = [], []
        for term, x, mean, sd, z in zip(rule.terms, facts.values, facts.means, facts.sds,
                                        facts.zs, strict=True):
            name = expr_words(model, term.expr)
            x_en, x_vi = both_fmt(x)
            if sd <= 0:
                en.append(f"{name.en} {x_en}: sd 0, z = 0")
                vi.append(f"{name.vi} {x_vi}: độ lệch chuẩn 0, z = 0")
                continue
            (m_en, m_vi), (d_en, d_vi), (z_en, z_vi) = _signed(mean), both_fmt(sd), _signed(z)
            en.append(f"{name.en} {x_en} → z = ({x_en} − {m_en}) ÷ {d_en} = {z_en}")
            vi.append(f"{name.vi} {x_vi} → z = ({x_vi} − {m_vi}) ÷ {d_vi} = {z_vi}")
        c_en, c_vi = _signed(facts.c)
        mean_en, mean_vi = _mean_words(rule)
        en.append(f"{mean_en} = {c_en}")
        vi.append(f"{mean_vi} = {c_vi}")
        sh_en, sh_vi = both_fmt(facts.share, share=True)
        (lo_en, lo_vi), (hi_en, hi_vi) = _signed(facts.low), _signed(facts.high)
        if facts.high <= facts.low:
            en.append(f"min {lo_en} = max {hi_en}, no entity is behind: {sh_en}")
            vi.append(f"nhỏ nhất {lo_vi} = lớn nhất {hi_vi}, không đơn vị nào kém hơn: {sh_vi}")
        else:
            en.append(f"({c_en} − {lo_en}) ÷ ({hi_en} − {lo_en}) = {sh_en}")
            vi.append(f"({c_vi} − {lo_vi}) ÷ ({hi_vi} − {lo_vi}) = {sh_vi}")
        m_en, m_vi = both_fmt(maximum)
        p_en, p_vi = both_fmt(points)
        note_en, note_vi = ("", "") if all(_short(d) for d in facts.sds) else (
            " (each sd exact, or to 30 significant digits when irrational)",
            " (mỗi độ lệch chuẩn chính xác, hoặc 30 chữ số có nghĩa khi vô tỉ)")
        # the composite's min and max, and where they came from, follow (`evaluate`)
        return both("; ".join(en) + f"; × {m_en} = {p_en} points" + note_en,
                    "; ".join(vi) + f"; × {m_vi} = {p_vi} điểm" + note_vi)

    def hint_words(self, rule: s.ZMinMax, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.ZMinMax, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """Exact only: every figure is carried, and sds are rarely floats, so a block with
        this node declines the fast variant (Untracked). The exact variant calls the one
        function `score` uses (`points`), so both agree by construction."""
        if g.mode == "fast":
            raise Untracked("z-score … then min-max is scored by the exact variant")
        args = [expr(g, t.expr).code for t in rule.terms]
        args += [g.best[f.key(node.id)].code for f in _figures(rule)]
        helper = g.out.ns.add("ZMM", points, ("zmm", id(rule)))
        weights = g.out.ns.add("W", weights_of(rule), ("zmm-w", id(rule)))
        return g.assign(Num(f"{helper}({weights}, {g.const(maximum).code}, {', '.join(args)})",
                            "exact"))

    def describe(self, rule: s.ZMinMax, model: Model, maximum: Fraction) -> Text:
        names = [expr_words(model, t.expr) for t in rule.terms]
        weights = weights_of(rule)
        total = sum(weights, ZERO)
        parts_en, parts_vi = [], []
        for term, name, weight in zip(rule.terms, names, weights, strict=True):
            # each weight as its share of the total: 1/3 reads 33.33%, 3 of 9 too
            share = (" " + fmt(weight / total, share=True)) if term.weight is not None else ""
            share_vi = (" " + fmt(weight / total, "vi", share=True)) if share else ""
            parts_en.append(f"{name.en}{share}")
            parts_vi.append(f"{name.vi}{share_vi}")
        m_en, m_vi = both_fmt(maximum)
        where = scope_words(rule.scope)
        return both(f"z-scores (x − mean) ÷ sd {where.en} (population sd; z = 0 when sd = 0) of "
                    f"{', '.join(parts_en)}, averaged; that mean c placed between its min and "
                    f"max {where.en}: (c − min) ÷ (max − min) × {m_en} points "
                    "(all points when min = max)",
                    f"điểm chuẩn hoá z = (x − trung bình) ÷ độ lệch chuẩn tổng thể {where.vi} "
                    f"(z = 0 khi độ lệch chuẩn = 0) của {', '.join(parts_vi)}, lấy trung bình; "
                    f"giá trị c đó đặt giữa nhỏ nhất và lớn nhất {where.vi}: "
                    f"(c − nhỏ nhất) ÷ (lớn nhất − nhỏ nhất) × {m_vi} điểm "
                    "(tối đa khi nhỏ nhất = lớn nhất)")

    def annex_rows(self, rule: s.ZMinMax, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.ZMinMax, ctx: ShapeContext) -> Dir:
        """In the terms' sum (`s.ZMinMax.expr`), the cohort's figures held: the points are
        non-decreasing in each term (weights are never negative), so they rise with an
        indicator wherever the sum's analysis finds every term rising with it. Other entities'
        values still move this entity's points, through the means, sds, min and max, and so
        do its own (docs/language.md, "When the cohort moves too")."""
        return UP

    def literals(self, rule: s.ZMinMax) -> set[Fraction]:
        return set()


def points(weights: Sequence[Fraction], maximum: Fraction, *figures: Fraction) -> Fraction:
    """The compiled variant's points: the term values, then the figures in `_figures` order
    (mean, sd of each term, then the composite's min and max)."""
    n = len(weights)
    xs, means, sds = figures[:n], figures[n:3 * n:2], figures[n + 1:3 * n:2]
    low, high = figures[3 * n], figures[3 * n + 1]
    return share_of(composite(xs, means, sds, weights), low, high) * maximum


def _figures(rule: s.ZMinMax) -> tuple[CohortFigure, ...]:
    """Each term's mean and sd (`node.mean1`, `node.sd1`, …; shown in the branch words, so
    not listed after them), then the composite's min and max (`node.min`, `node.max`)."""
    weights = weights_of(rule)
    found: list[CohortFigure] = []
    for k in range(len(rule.terms)):
        found += [CohortFigure(f"mean{k + 1}", TermFigure("mean", k), None, None, rule.scope,
                               listed=False),
                  CohortFigure(f"sd{k + 1}", TermFigure("sd", k), None, None, rule.scope,
                               listed=False)]
    return (*found, CohortFigure("min", CompositeFigure("min", weights), None, None, rule.scope),
            CohortFigure("max", CompositeFigure("max", weights), None, None, rule.scope))


def _mean_words(rule: s.ZMinMax) -> tuple[str, str]:
    if all(t.weight is None for t in rule.terms):
        return "mean of z", "trung bình z"
    written = ", ".join(fmt(t.weight.value, share=t.weight.percent) for t in rule.terms
                        if t.weight is not None)
    written_vi = ", ".join(fmt(t.weight.value, "vi", share=t.weight.percent)
                           for t in rule.terms if t.weight is not None)
    return f"weighted mean of z ({written})", f"trung bình z có trọng số ({written_vi})"


def _signed(value: Fraction) -> tuple[str, str]:
    """A figure that may be negative, bracketed then: "(−1.2)", not "-1.2" read as a minus."""
    en, vi = both_fmt(value)
    if value < 0 and en.startswith("-"):
        return f"(−{en[1:]})", f"(−{vi[1:]})"
    return en, vi


def _short(sd: Fraction) -> bool:
    """An sd with a short exact decimal: no rounding can be in it (as `z-score` says)."""
    decimal = terminating_decimal(sd)
    return decimal is not None and len(decimal.replace(".", "").lstrip("0")) <= 12


def _number(value: RuntimeValue) -> Fraction:
    assert isinstance(value, Fraction), "a term is numeric (check_types)"
    return value
