"""Values worth trying for each indicator of a model: its bounds, every number written in the
rules (thresholds, keys, ends of scales) and one step either side, zero, a few magnitudes.

The monotonicity check's counterexample search and the public test kit (`testing.py`) both
draw from here; the hypothesis strategies need hypothesis (the `dev` extra), the rest does not.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules import syntax as s
from egov_rules.domains import indicator_domain
from egov_rules.kinds import rule_kind
from egov_rules.kinds.base import RuntimeValue
from egov_rules.model import Model
from egov_rules.numbers import terminating_decimal

if TYPE_CHECKING:
    from hypothesis import strategies as st

ZERO = Fraction(0)


def decimal_text(value: Fraction) -> str | None:
    """A non-negative terminating decimal as the language writes it, or None."""
    return None if value < 0 else terminating_decimal(value)


def literals(tree: s.Methodology) -> set[Fraction]:
    """Every number written in the rules: thresholds, table keys, ranges, comparisons."""
    found: set[Fraction] = set()
    exprs: list[s.Expr] = []
    for let in tree.lets:
        exprs.append(let.expr)
        exprs += [e for r in let.zero_rules for e in (r.condition, r.fallback)]
    for node in s.walk_nodes(tree.categories):
        if node.when is not None:
            exprs.append(node.when)
        for rule in node.rules:
            exprs.append(rule.expr)
            found |= rule_kind(rule).literals(rule)
    stack = exprs
    while stack:
        expr = stack.pop()
        if isinstance(expr, s.Number):
            found.add(expr.value)
        elif isinstance(expr, s.Binary):
            stack += [expr.left, expr.right]
        elif isinstance(expr, s.Unary):
            stack.append(expr.operand)
        elif isinstance(expr, s.Call):
            stack += list(expr.args)
    return found


def candidate_values(indicator: s.Indicator, numbers: set[Fraction], limit: int = 40
                     ) -> list[RuntimeValue]:
    """Values worth trying for an indicator, low to high: its bounds, every number of the rules
    and their neighbours (exact thresholds and one step either side), zero, a few magnitudes."""
    if indicator.kind == "yes/no":
        return [False, True]
    if indicator.kind == "options":
        return [o.id for o in indicator.options]
    domain = indicator_domain(indicator)
    percent = indicator.kind == "percent"
    step = Fraction(1, 100) if percent else Fraction(1)
    seeds = {Fraction(0), Fraction(1), Fraction(2), Fraction(3), Fraction(5), Fraction(10),
             Fraction(100), Fraction(1000)}
    if percent:
        seeds = {Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)}
    for t in numbers:
        for near in (t, t - step, t + step, Fraction(math.floor(t)), Fraction(math.ceil(t))):
            seeds.add(near)
    lo = domain.interval.lo if domain.interval.lo is not None else Fraction(0)
    hi = domain.interval.hi
    seeds |= {lo} | ({hi} if hi is not None else set())
    wanted = sorted(v for v in seeds if v >= max(lo, Fraction(0)) and (hi is None or v <= hi)
                    and (not domain.integer or v.denominator == 1)
                    and decimal_text(v * 100 if percent else v) is not None)
    if len(wanted) > limit:  # keep the ends and an even spread
        picks = {round(k * (len(wanted) - 1) / (limit - 1)) for k in range(limit)}
        wanted = [wanted[k] for k in sorted(picks)]
    return list(wanted)


def relative_references(model: Model) -> dict[str, Fraction]:
    """A fixed figure for every cohort figure (by key): the rule's reference, else 1 for a
    best, a max, an sd or a count and 0 for a min, a mean or a standing (a min below its
    max; a count of one: no other entity to stand among)."""
    refs: dict[str, Fraction] = {}
    for node in model.nodes.values():
        rule = node.rules[0] if node.rules else None
        use = rule_kind(rule).cohort(rule) if rule is not None else None
        for figure in use.figures if use is not None else ():
            default = Fraction(1) if figure.name.rstrip("0123456789") in ("max", "sd") \
                or figure.pick == "count" else Fraction(0)
            refs[figure.key(node.id)] = figure.reference if figure.reference is not None \
                else default
    return refs


def value_strategy(indicator: s.Indicator, edges: list[RuntimeValue], nonneg: bool = True
                    ) -> st.SearchStrategy[RuntimeValue]:
    """Any valid runtime value of an indicator, edge values (thresholds, zero) often."""
    from hypothesis import strategies as st

    if indicator.kind in ("yes/no", "options"):
        return st.sampled_from(edges)
    interval = indicator_domain(indicator).interval
    lo = interval.lo if interval.lo is not None else (ZERO if nonneg else Fraction(-1000))
    hi = interval.hi if interval.hi is not None else Fraction(10**6)
    if indicator.kind in ("count", "level"):
        general: st.SearchStrategy[RuntimeValue] = st.integers(int(lo), int(hi)).map(Fraction)
    else:  # numbers and percents in hundredths (a percent's runtime value is 0..1)
        scale = 10_000 if indicator.kind == "percent" else 100
        general = st.integers(int(lo * scale) + 1 if lo * scale % 1 else int(lo * scale),
                              int(hi * scale)).map(lambda k: Fraction(k, scale))
    return st.one_of(st.sampled_from(edges), general) if edges else general


@functools.lru_cache(maxsize=64)
def edges(model: Model) -> dict[str, list[RuntimeValue]]:
    """Every indicator's values worth trying, from the numbers written in the model's rules."""
    numbers = literals(model.tree)
    return {name: candidate_values(i, numbers) for name, i in model.indicators.items()}


@functools.lru_cache(maxsize=256)
def indicator_sets_for_model(model: Model, block: str, nonneg: bool = True
                             ) -> st.SearchStrategy[dict[str, RuntimeValue]]:
    """Runtime values (percent as 0..1) for every indicator of a checked model."""
    from hypothesis import strategies as st

    found = edges(model)
    denominators = {model.denominator(n) for n in model.indicators} - {None}
    return st.fixed_dictionaries({
        name: value_strategy(indicator, found[name], nonneg).filter(_positive)
        if name in denominators else value_strategy(indicator, found[name], nonneg)
        for name, indicator in model.indicators.items()
    })


def _positive(value: RuntimeValue) -> bool:
    """A denominator is positive (`x per d`: data with d ≤ 0 is refused)."""
    return isinstance(value, Fraction) and value > 0
