"""`percentile x [lower is better] [in block|all|group g]`: the entity's position among the
others of its cohort rather than its distance from them (COINr's percentile-rank
normalisation): the share of the others with a worse x, those level with it counting half,
(worse + ½·level) ÷ (n − 1) of the points, n the entities of the cohort the node applies to
(itself included). Worse is lower; higher with `lower is better`.

The figures are the entity's own, not its block's: how many of the others are worse
(`node.worse`), level (`node.level`), and how many entities the cohort holds (`node.count`),
read from every value of the cohort kept (`base.Standings`, O(entities) for this node only)
and the entity's own. No rule can state them (`reference …`): a distribution is no figure, so
an entity scored alone needs the others' values (`cohort=`, `--cohort FILE`), or E208.

A cohort of one: no entity is ahead, full points (W529, as for a best).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import Untracked
from egov_rules.explain import STANDING_NAMES, both, both_fmt, expr_words, is_share
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
)
from egov_rules.kinds.direction import DOWN, UP, Dir

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model

HALF = Fraction(1, 2)


@dataclass(frozen=True, slots=True)
class PercentileFacts:
    value: Fraction
    worse: Fraction  # how many of the others have a worse value
    level: Fraction  # how many of the others have the same value
    count: Fraction  # the entities of the cohort, itself included
    share: Fraction  # 0 to 1 (clamped: figures given by hand could leave it)


class PercentileKind(RuleKind[s.Percentile, PercentileFacts]):
    keyword = "percentile"

    def check_types(self, rule: s.Percentile, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`percentile`", "`percentile`"))

    def check(self, rule: s.Percentile, ctx: CheckContext) -> tuple[s.Number, ...]:
        check_scope(rule.scope, ctx)
        return ()

    def cohort(self, rule: s.Percentile) -> CohortUse | None:
        return CohortUse(_figures(rule))

    def score(self, rule: s.Percentile, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[PercentileFacts]:
        assert isinstance(value, Fraction)
        worse, level, count = (ctx.cohort_figure(node, f) for f in _figures(rule))
        share = ONE if count <= 1 else min(max((worse + HALF * level) / (count - 1), ZERO), ONE)
        return Outcome(share * maximum, PercentileFacts(value, worse, level, count, share))

    def next_target(self, rule: s.Percentile, facts: PercentileFacts, points: Fraction,
                    maximum: Fraction, ctx: ScoreContext) -> Target | None:
        """None: the next better value is another entity's, which the facts (counts) do not
        hold; a target made up from them could promise points a real cohort does not give."""
        return None

    def branch_words(self, rule: s.Percentile, facts: PercentileFacts, points: Fraction,
                     maximum: Fraction, model: Model) -> Text:
        v_en, v_vi = both_fmt(facts.value, is_share(model, rule.expr))
        sh_en, sh_vi = both_fmt(facts.share, share=True)
        m_en, m_vi = both_fmt(maximum)
        p_en, p_vi = both_fmt(points)
        if facts.count <= 1:
            return both(f"{v_en}: no other entity, none is ahead: {sh_en} × {m_en} = {p_en} "
                        "points",
                        f"{v_vi}: không có đơn vị nào khác, không ai đứng trên: {sh_vi} × {m_vi} "
                        f"= {p_vi} điểm")
        others = facts.count - 1
        o_en, o_vi = both_fmt(others)
        w_en, w_vi = both_fmt(facts.worse)
        l_en, l_vi = both_fmt(facts.level)
        whose, where_en, where_vi = _others_words(rule.scope)
        # where the figures came from follows (`evaluate`, `explain.cohort_sources`)
        return both(f"{v_en} is better than {w_en} and level with {l_en} of {whose} "
                    f"{o_en} other{'' if others == 1 else 's'}{where_en}: "
                    f"({w_en} + ½ × {l_en}) ÷ {o_en} = {sh_en}; {sh_en} × {m_en} = {p_en} points",
                    f"{v_vi} tốt hơn {w_vi} và ngang bằng {l_vi} trong {o_vi} đơn vị khác "
                    f"{where_vi}: ({w_vi} + ½ × {l_vi}) ÷ {o_vi} = {sh_vi}; "
                    f"{sh_vi} × {m_vi} = {p_vi} điểm")

    def hint_words(self, rule: s.Percentile, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)  # never asked: next_target gives none

    def emit(self, rule: s.Percentile, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """Exact only: the figures are the entity's own standing, found exactly from the
        cohort's values (`base.Standings`), never carried as floats, so a block with a
        percentile node declines the fast variant (Untracked). Branches as `score` clamps."""
        if g.mode == "fast":
            raise Untracked("percentile is scored by the exact variant")
        worse, level, count = (g.best[f.key(node.id)] for f in _figures(rule))
        zero, one, full = g.const(ZERO), g.const(ONE), g.const(maximum)
        top = g.add(worse, g.mul(level, g.const(HALF)))
        others = g.add(count, one, -1)
        return g.branches("pc", [
            (g.compare(count, "<=", one), lambda: full),
            (g.compare(top, ">=", others), lambda: full),
            (g.compare(top, "<=", zero), lambda: zero),
            (None, lambda: g.mul(g.div(top, others, within=(ZERO, ONE)), full)),
        ])

    def describe(self, rule: s.Percentile, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        m_en, m_vi = both_fmt(maximum)
        worse_en, worse_vi = ("a higher", "cao hơn") if rule.lower else ("a lower", "thấp hơn")
        whose, where_en, where_vi = _others_words(rule.scope)
        return both(f"{x.en}: the share of {whose} others{where_en} with {worse_en} value, "
                    f"those level counting half, × {m_en} points (all points when there is no "
                    "other)",
                    f"{x.vi}: tỉ lệ các đơn vị khác {where_vi} có giá trị {worse_vi}, đơn vị "
                    f"ngang bằng tính một nửa, × {m_vi} điểm (tối đa khi không có đơn vị khác)")

    def annex_rows(self, rule: s.Percentile, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.Percentile, ctx: ShapeContext) -> Dir:
        """In the entity's own value, the cohort's values held: a better value leaves no
        other entity less worse than it. When the cohort moves with it, it still never loses,
        and the others never gain (tests/test_cohort_monotonicity.py)."""
        return DOWN if rule.lower else UP

    def literals(self, rule: s.Percentile) -> set[Fraction]:
        return set()


def _others_words(scope: s.Scope | None) -> tuple[str, str, str]:
    """Whose others, before and after them (en), and after them (vi): "the block's … others",
    "all the … others", "the … others in its group of `g`"."""
    if scope is None or scope.kind == "block":
        return "the block's", "", "trong khối"
    if scope.group is None:
        return "all the", "", "được chấm cùng"
    g = scope.group.name
    return "the", f" in its group of `{g}`", f"cùng nhóm `{g}`"


def _figures(rule: s.Percentile) -> tuple[CohortFigure, CohortFigure, CohortFigure]:
    """The entity's standing in its cohort (keys `node.worse`, `node.level`, `node.count`):
    worse is below it, above it when lower is better. No rule states them."""
    worse, level, count = STANDING_NAMES
    return (CohortFigure(worse, "above" if rule.lower else "below", None, None, rule.scope),
            CohortFigure(level, "level", None, None, rule.scope),
            CohortFigure(count, "count", None, None, rule.scope))
