"""`<n> per x up to <cap>`: n points per unit of x, never more than the cap (or the maximum)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import syntax as s
from egov_rules.explain import both, both_fmt, points_word
from egov_rules.kinds.base import (
    ZERO,
    AnnexRows,
    CheckContext,
    Outcome,
    RuleKind,
    RuntimeValue,
    ScoreContext,
    ShapeContext,
    TypeChecker,
)
from egov_rules.kinds.direction import CONST, UP, Dir
from egov_rules.results import Words

if TYPE_CHECKING:
    from egov_rules.model import Model


class Per(RuleKind[s.Per]):
    keyword = "per"

    def check_types(self, rule: s.Per, checker: TypeChecker) -> None:
        checker.expect(rule.expr, "number", ("`per`", "`per`"))

    def check(self, rule: s.Per, ctx: CheckContext) -> tuple[s.Number, ...]:
        return (rule.cap,)

    def needs_cohort(self, rule: s.Per) -> bool:
        return False

    def score(self, rule: s.Per, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome:
        assert isinstance(value, Fraction)
        each, cap = rule.each.value, rule.cap.value
        raw = each * value
        points = min(max(raw, ZERO), cap, maximum)
        hint = None
        if points < min(cap, maximum):
            target = Fraction(math.floor(value) + 1)
            hint = ctx.hint(rule.expr, value, target, min(each * target, cap, maximum) - points)
        e_en, e_vi = both_fmt(each)
        v_en, v_vi = both_fmt(value)
        c_en, c_vi = both_fmt(cap)
        p_en, p_vi = both_fmt(points)
        capped = raw > points
        words = both(
            f"{e_en} per unit × {v_en} = {p_en} points" + (f" (capped at {c_en})" if capped else ""),
            f"{e_vi} điểm/đơn vị × {v_vi} = {p_vi} điểm" + (f" (tối đa {c_vi})" if capped else ""),
        )
        return Outcome(points, words, hint)

    def describe(self, rule: s.Per, model: Model, maximum: Fraction) -> Words:
        x = f"`{rule.expr.span.text}`"
        e_en, e_vi = both_fmt(rule.each.value)
        c_en, c_vi = both_fmt(min(rule.cap.value, maximum))
        return both(f"{e_en} {points_word(rule.each.value)} per unit of {x}, at most {c_en}",
                    f"{e_vi} điểm cho mỗi đơn vị của {x}, tối đa {c_vi} điểm")

    def annex_rows(self, rule: s.Per, model: Model) -> AnnexRows | None:
        return None

    def shape(self, rule: s.Per, ctx: ShapeContext) -> Dir:
        return UP if rule.each.value > 0 else CONST

    def literals(self, rule: s.Per) -> set[Fraction]:
        return set()
