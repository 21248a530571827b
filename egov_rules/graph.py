"""The evaluation graph: every indicator, derived value, node and index of a checked model as
a DAG, in topological order (indicator → let → criterion → category → index).

The evaluator walks the model in this order; tools use the graph to ask what a result
depends on (`inputs_of`) or what an input feeds (`dependents_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Literal

from egov_rules import syntax as s
from egov_rules.model import Model
from egov_rules.resolve import names_in, rule_expressions

StepKind = Literal["indicator", "let", "node", "index"]


@dataclass(frozen=True, slots=True)
class Step:
    """One vertex of the graph: what it is and what it reads."""

    id: str
    kind: StepKind
    depends_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalGraph:
    """Steps by id, and their topological order (dependencies first)."""

    steps: dict[str, Step]
    order: tuple[str, ...]

    def inputs_of(self, step_id: str) -> frozenset[str]:
        """The indicators a step depends on, directly or through other steps."""
        seen: set[str] = set()
        stack = [step_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.steps[current].depends_on)
        return frozenset(x for x in seen if self.steps[x].kind == "indicator")

    def dependents_of(self, step_id: str) -> frozenset[str]:
        """Every step whose value can change when `step_id` changes."""
        readers: dict[str, list[str]] = {}
        for step in self.steps.values():
            for dep in step.depends_on:
                readers.setdefault(dep, []).append(step.id)
        seen: set[str] = set()
        stack = list(readers.get(step_id, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(readers.get(current, ()))
        return frozenset(seen)


def _reads(exprs: Iterable[s.Expr], known: dict[str, object]) -> tuple[str, ...]:
    names = (n.name for e in exprs for n in names_in(e))
    return tuple(dict.fromkeys(n for n in names if n in known))


def build_graph(model: Model) -> EvalGraph:
    values: dict[str, object] = {**model.indicators, **model.lets}
    steps: dict[str, Step] = {i: Step(i, "indicator", ()) for i in model.indicators}
    for let_id, let in model.lets.items():
        exprs = [let.expr] + [e for r in let.zero_rules for e in (r.condition, r.fallback)]
        steps[let_id] = Step(let_id, "let", _reads(exprs, values))
    for node_id, node in model.nodes.items():
        reads = _reads(rule_expressions(node), values)
        steps[node_id] = Step(node_id, "node", reads + tuple(c.id for c in node.children))
    for index_id, index in model.indices.items():
        steps[index_id] = Step(index_id, "index", tuple(t.ref.name for t in index.terms))
    sorter = TopologicalSorter({k: v.depends_on for k, v in steps.items()})
    return EvalGraph(steps=steps, order=tuple(sorter.static_order()))
