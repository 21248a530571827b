"""`yes/no x`: the node's full maximum when x is yes, nothing when it is no."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import Test, expr
from egov_rules.explain import both, both_fmt, expr_words, input_label, points_word
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
)
from egov_rules.kinds.direction import UP, Dir

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model


class YesNo(RuleKind[s.YesNoRule, bool]):  # the facts: the answer
    keyword = "yes/no"

    def check_types(self, rule: s.YesNoRule, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "yes/no", ("`yes/no`", "`yes/no`"))

    def check(self, rule: s.YesNoRule, ctx: CheckContext) -> tuple[s.Number, ...]:
        return ()

    def cohort(self, rule: s.YesNoRule) -> CohortUse | None:
        return None

    def score(self, rule: s.YesNoRule, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[bool]:
        return Outcome(maximum, True) if value is True else Outcome(ZERO, False)

    def next_target(self, rule: s.YesNoRule, facts: bool, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        if facts or not isinstance(rule.expr, s.Name):
            return None
        return Target(rule.expr.name, False, True, maximum)

    def branch_words(self, rule: s.YesNoRule, facts: bool, points: Fraction, maximum: Fraction,
                     model: Model) -> Text:
        if not facts:
            return both("no: 0 points", "không: 0 điểm")
        m_en, m_vi = both_fmt(maximum)
        return both(f"yes: {m_en} points", f"có: {m_vi} điểm")

    def hint_words(self, rule: s.YesNoRule, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        l_en, l_vi = input_label(model, target.input)
        g_en, g_vi = both_fmt(target.gain)
        return both(f"{l_en}: a yes would gain {g_en} {points_word(target.gain)}",
                    f"{l_vi}: nếu có sẽ được thêm {g_vi} điểm")

    def emit(self, rule: s.YesNoRule, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """The full maximum when the condition is yes, nothing when it is no."""
        x = expr(g, rule.expr)
        return g.branches("p", [(Test(x.code), lambda: g.const(maximum)),
                                (None, lambda: g.const(ZERO))])

    def describe(self, rule: s.YesNoRule, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        m_en, m_vi = both_fmt(maximum)
        return both(f"{x.en}: yes gives {m_en} points, no gives 0",
                    f"{x.vi}: có được {m_vi} điểm, không được 0 điểm")

    def annex_rows(self, rule: s.YesNoRule, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.YesNoRule, ctx: ShapeContext) -> Dir:
        return UP  # `no` < `yes`

    def literals(self, rule: s.YesNoRule) -> set[Fraction]:
        return set()
