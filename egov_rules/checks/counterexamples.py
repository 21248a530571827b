"""Counterexamples for the monotonicity check: a concrete pair of indicator sets where a score
falls as an indicator improves, printed as ready-to-paste `example` blocks.

Candidates are built first from the numbers written in the rules (each threshold, one step
either side, zero); when none shows the fall, hypothesis searches with a fixed seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from egov_rules.evaluate import RuntimeValue
from egov_rules.model import Model
from egov_rules.numbers import fmt
from egov_rules.samples import decimal_text, edges, relative_references

if TYPE_CHECKING:
    from egov_rules.checks.monotonicity import Analysis, Finding


def score_of(model: Model, target: str, is_index: bool, block: str,
             inputs: Mapping[str, RuntimeValue], cohort: Mapping[str, Fraction]
             ) -> Fraction | None:
    """A node's points or an index's (rounded) value; None when it does not apply."""
    from egov_rules.evaluate import figures

    try:
        nodes, indices = figures(model, block, inputs, cohort)
    except (ArithmeticError, LookupError, TypeError, ValueError):
        return None
    if is_index:
        index = indices[target]
        return index.rounded if index.rounded is not None else index.value
    return nodes[target].points


@dataclass(frozen=True, slots=True)
class Counterexample:
    """Two entities of one block that differ only in an improved indicator, and the fall."""

    model: Model
    finding: Finding
    before: Mapping[str, RuntimeValue]
    after: Mapping[str, RuntimeValue]
    cohort: Mapping[str, Fraction]
    score_before: Fraction
    score_after: Fraction

    def shown(self, before: bool) -> str:
        value = self.score_before if before else self.score_after
        return decimal_text(value) or fmt(value, digits=6)

    def text(self) -> str:
        return "\n".join([
            example_block(self.model, f"{self.finding.target}: before", self.finding.block,
                          self.before, self.cohort, {self.finding.target: self.score_before}),
            example_block(self.model, f"{self.finding.target}: after", self.finding.block,
                          self.after, self.cohort, {self.finding.target: self.score_after}),
        ])


def given_text(model: Model, name: str, value: RuntimeValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if model.indicators[name].kind == "percent":
        return f"{decimal_text(value * 100)}%"
    return decimal_text(value) or str(value)


def example_block(model: Model, label: str, block: str, inputs: Mapping[str, RuntimeValue],
                  cohort: Mapping[str, Fraction], expects: Mapping[str, Fraction]) -> str:
    """An `example` block in the language, ready to paste into the methodology."""
    lines = [f'example "{label}" block {block}']
    givens = [f"{name} {given_text(model, name, v)}" for name, v in inputs.items()]
    lines += ["  " + "  ".join(givens[k:k + 5]) for k in range(0, len(givens), 5)]
    lines += [f"  reference {node} = {decimal_text(v) or v}" for node, v in cohort.items()
              if block in model.blocks_of.get(node, ())]
    for name, value in expects.items():
        shown = decimal_text(value)
        lines.append(f"  expect {name} = {shown}" if shown is not None
                     else f"  # {name} ≈ {fmt(value, digits=6)} (no finite decimal to expect)")
    return "\n".join(lines)


class Counterexamples:
    """Concrete falls: first built from the thresholds in the rules, then searched for."""

    def __init__(self, analysis: Analysis) -> None:
        self.model = analysis.model
        self.candidates = edges(self.model)
        self.cohort = relative_references(self.model)

    def bases(self, count: int = 6) -> Iterator[dict[str, RuntimeValue]]:
        """Whole indicator sets spread over every indicator's candidates, low to high."""
        for k in range(count):
            base: dict[str, RuntimeValue] = {}
            for name, values in self.candidates.items():
                if self.model.indicators[name].kind == "options":
                    base[name] = values[k % len(values)]
                else:
                    base[name] = values[round(k * (len(values) - 1) / (count - 1))]
            yield base

    def find(self, finding: Finding) -> Counterexample | None:
        found = self._from_thresholds(finding)
        return found if found is not None else self._search(finding)

    def _pair(self, finding: Finding, base: Mapping[str, RuntimeValue], low: RuntimeValue,
              high: RuntimeValue) -> Counterexample | None:
        """The counterexample `base` gives when the indicator moves between low and high."""
        name = finding.indicator.id
        worse, better = (low, high) if finding.indicator.direction == "higher" else (high, low)
        before, after = {**base, name: worse}, {**base, name: better}
        a, b = (score_of(self.model, finding.target, finding.is_index, finding.block, inputs,
                         self.cohort) for inputs in (before, after))
        if a is None or b is None or b >= a:
            return None
        return Counterexample(self.model, finding, before, after, self.cohort, a, b)

    def _from_thresholds(self, finding: Finding) -> Counterexample | None:
        values = self.candidates[finding.indicator.id]
        fallback: Counterexample | None = None
        for base in self.bases():
            for low, high in itertools.pairwise(values):
                found = self._pair(finding, base, low, high)
                if found is None:
                    continue
                if decimal_text(found.score_before) and decimal_text(found.score_after):
                    return found
                fallback = fallback or found
        return fallback

    def _search(self, finding: Finding) -> Counterexample | None:
        """Hypothesis with a fixed seed, when it is installed and not already running."""
        try:
            from hypothesis import HealthCheck, find, settings
            from hypothesis import strategies as st
            from hypothesis.control import currently_in_test_context
            from hypothesis.errors import NoSuchExample

            from egov_rules.samples import indicator_sets_for_model, value_strategy
        except ImportError:
            return None
        if currently_in_test_context():
            return None
        name = finding.indicator.id
        indicator = self.model.indicators[name]
        values = value_strategy(indicator, self.candidates[name])
        cases = st.tuples(indicator_sets_for_model(self.model, finding.block), values, values)
        found: list[Counterexample] = []

        def falls(case: tuple[dict[str, RuntimeValue], RuntimeValue, RuntimeValue]) -> bool:
            base, x, y = case
            if x == y:
                return False
            low, high = (x, y) if x < y else (y, x)  # type: ignore[operator]
            pair = self._pair(finding, base, low, high)
            if pair is not None:
                found.append(pair)
            return pair is not None

        try:
            find(cases, falls, settings=settings(
                max_examples=300, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck)))
        except NoSuchExample:
            return None
        return found[-1] if found else None

