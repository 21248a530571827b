"""`<n> per x up to <cap>`: n points per unit of x, never more than the cap (or the maximum)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import expr, just, replace_num
from egov_rules.explain import both, both_fmt, expr_words, points_word
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
from egov_rules.kinds.direction import CONST, UP, Dir

if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model


@dataclass(frozen=True, slots=True)
class PerFacts:
    value: Fraction
    raw: Fraction  # points before the cap


class Per(RuleKind[s.Per, PerFacts]):
    keyword = "per"

    def check_types(self, rule: s.Per, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`per`", "`per`"))

    def check(self, rule: s.Per, ctx: CheckContext) -> tuple[s.Number, ...]:
        return (rule.cap,)

    def cohort(self, rule: s.Per) -> CohortUse | None:
        return None

    def score(self, rule: s.Per, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[PerFacts]:
        assert isinstance(value, Fraction)
        each, cap = rule.each.value, rule.cap.value
        raw = each * value
        return Outcome(min(max(raw, ZERO), cap, maximum), PerFacts(value, raw))

    def next_target(self, rule: s.Per, facts: PerFacts, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        each, cap = rule.each.value, rule.cap.value
        if points >= min(cap, maximum):
            return None
        target = Fraction(math.floor(facts.value) + 1)
        return ctx.hint(rule.expr, facts.value, target, min(each * target, cap, maximum) - points)

    def branch_words(self, rule: s.Per, facts: PerFacts, points: Fraction, maximum: Fraction,
                     model: Model) -> Text:
        e_en, e_vi = both_fmt(rule.each.value)
        v_en, v_vi = both_fmt(facts.value)
        c_en, c_vi = both_fmt(rule.cap.value)
        p_en, p_vi = both_fmt(points)
        capped = facts.raw > points
        return both(
            f"{e_en} per unit × {v_en} = {p_en} points" + (f" (capped at {c_en})" if capped else ""),
            f"{e_vi} điểm/đơn vị × {v_vi} = {p_vi} điểm" + (f" (tối đa {c_vi})" if capped else ""),
        )

    def hint_words(self, rule: s.Per, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        return raise_words(target, model, env)

    def emit(self, rule: s.Per, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """min(max(n·x, 0), cap, max)."""
        raw = g.mul(g.const(rule.each.value), expr(g, rule.expr))
        cap = min(rule.cap.value, maximum)
        between = replace_num(raw, lo=ZERO, hi=cap)  # where neither bound is reached
        return g.branches("p", [
            (g.test(raw, "<=", ZERO), just(g.const(ZERO))),
            (g.test(raw, ">=", cap), just(g.const(cap))),
            (None, just(between)),
        ])

    def describe(self, rule: s.Per, model: Model, maximum: Fraction) -> Text:
        x = expr_words(model, rule.expr)
        e_en, e_vi = both_fmt(rule.each.value)
        c_en, c_vi = both_fmt(min(rule.cap.value, maximum))
        return both(f"{e_en} {points_word(rule.each.value)} per unit of {x.en}, at most {c_en}",
                    f"{e_vi} điểm cho mỗi đơn vị của {x.vi}, tối đa {c_vi} điểm")

    def annex_rows(self, rule: s.Per, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.Per, ctx: ShapeContext) -> Dir:
        return UP if rule.each.value > 0 else CONST

    def literals(self, rule: s.Per) -> set[Fraction]:
        return set()
