"""Property testing for methodology authors: hypothesis strategies that generate valid data for
any compiled methodology, and the properties every methodology must have.

    from hypothesis import given
    from egov_rules.testing import improvements, assert_monotone

    m = egov_rules.load("methodologies/my-rules.egr")

    @given(improvements(m))
    def test_improving_never_lowers_a_score(pair):
        assert_monotone(m, *pair)

Generated data is in the form a data file holds (`{"block": "province", "staff": 120,
"online_share": Fraction(82), "has_backup": True, …}`: percentages as 0..100), so it goes
through the same validation as real data. Values mix the whole range of each indicator's type
and bounds with edge values harvested from the rules: zero (denominators), every threshold and
table key exactly, and one step either side. See docs/testing.md.

Requires hypothesis (the `dev` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import egov_rules
from egov_rules import syntax as s
from egov_rules.checks.counterexamples import example_block
from egov_rules.evaluate import RuntimeValue, round_half_up
from egov_rules.methodology import Methodology
from egov_rules.model import Model, declared_max
from egov_rules.results import Evaluation, NodeResult
from egov_rules.samples import edges, indicator_sets_for_model, relative_references, value_strategy
from egov_rules.scale import bounds, to_scale, to_share

__all__ = (
    "PropertyResult",
    "assert_bounded",
    "assert_deterministic",
    "assert_explained",
    "assert_monotone",
    "default_references",
    "entity_sets",
    "improvements",
    "indicator_sets",
    "verify",
)

Data = dict[str, Any]
ZERO, ONE = Fraction(0), Fraction(1)


# -- strategies ----------------------------------------------------------------------------


def _as_data(model: Model, block: str, values: Mapping[str, RuntimeValue]) -> Data:
    data: Data = {"block": block}
    for name, value in values.items():
        if isinstance(value, Fraction) and model.indicators[name].kind == "percent":
            value = value * 100
        if isinstance(value, Fraction) and value.denominator == 1:
            data[name] = int(value)
        else:
            data[name] = value
    return data


def _blocks(methodology: Methodology, block: str | None) -> st.SearchStrategy[str]:
    if block is not None:
        if block not in methodology.blocks:
            raise ValueError(f"unknown block {block!r}; the methodology has {methodology.blocks}")
        return st.just(block)
    return st.sampled_from(methodology.blocks)


def indicator_sets(methodology: Methodology, block: str | None = None
                   ) -> st.SearchStrategy[Data]:
    """One entity's data: `{"block": …, indicator: value, …}`, every indicator present and
    valid for its type and bounds (percent as 0..100). `block=None` draws the block too."""
    model = methodology.model
    return _blocks(methodology, block).flatmap(
        lambda b: indicator_sets_for_model(model, b, nonneg=False).map(
            lambda values: _as_data(model, b, values)))


def entity_sets(methodology: Methodology, block: str | None = None, min_size: int = 1,
                max_size: int = 5) -> st.SearchStrategy[dict[str, Data]]:
    """Several entities (`{"Entity 1": data, …}`), as `Methodology.evaluate_many` takes them."""
    return st.lists(indicator_sets(methodology, block), min_size=min_size, max_size=max_size
                    ).map(lambda sets: {f"Entity {k + 1}": d for k, d in enumerate(sets)})


@st.composite
def _improvement(draw: st.DrawFn, methodology: Methodology, block: str | None
                 ) -> tuple[Data, Data]:
    model = methodology.model
    chosen_block = draw(_blocks(methodology, block))
    before = draw(indicator_sets_for_model(model, chosen_block, nonneg=False))
    after = dict(before)
    movable = [i for i in checked_indicators_of(model)]
    candidates = edges(model)
    if movable:
        changed = draw(st.lists(st.sampled_from(movable), min_size=1, max_size=3, unique_by=id))
        for indicator in changed:
            values = value_strategy(indicator, candidates[indicator.id], nonneg=False)
            x, y = draw(values), draw(values)
            low, high = (x, y) if x <= y else (y, x)  # type: ignore[operator]
            worse, better = (low, high) if indicator.direction == "higher" else (high, low)
            before[indicator.id], after[indicator.id] = worse, better
    return _as_data(model, chosen_block, before), _as_data(model, chosen_block, after)


def improvements(methodology: Methodology, block: str | None = None
                 ) -> st.SearchStrategy[tuple[Data, Data]]:
    """Pairs `(before, after)` of one entity's data where `after` improves one to three
    indicators in their declared direction and leaves everything else as it was."""
    return _improvement(methodology, block)


def checked_indicators_of(model: Model) -> list[s.Indicator]:
    return [i for i in model.indicators.values()
            if i.direction != "neutral" and i.kind != "options"]


# -- properties ----------------------------------------------------------------------------


def default_references(methodology: Methodology) -> dict[str, Fraction]:
    """The best-in-block figure each `relative to best in block` node is scored against when
    an entity is scored alone: the `reference` the rule states, else 1 (the cohort is fixed)."""
    return relative_references(methodology.model)


def _evaluate(methodology: Methodology, data: Mapping[str, Any],
              references: Mapping[str, Any] | None) -> Evaluation:
    refs = default_references(methodology) if references is None else references
    return methodology.evaluate(data, block=str(data["block"]), references=refs)


def _runtime(evaluation: Evaluation) -> dict[str, RuntimeValue]:
    return dict(evaluation.inputs)


def _exempt_targets(model: Model, indicators: set[str]) -> set[str]:
    """Nodes and indices an exemption for these indicators covers: the exempt node, its
    ancestors, and every index built on any of them."""
    covered: set[str] = set()
    for node in model.nodes.values():
        if any(e.indicator.name in indicators for e in node.exemptions):
            current: s.Node | None = node
            while current is not None:
                covered.add(current.id)
                current = model.parents.get(current.id)
    for index_id, index in model.indices.items():  # dependency order
        if any(t.ref.name in covered for t in index.terms):
            covered.add(index_id)
    return covered


def _index_value(evaluation: Evaluation, index_id: str) -> Fraction | None:
    result = evaluation.index(index_id)
    return result.rounded if result.rounded is not None else result.value


def assert_monotone(methodology: Methodology, before: Mapping[str, Any],
                    after: Mapping[str, Any], references: Mapping[str, Any] | None = None
                    ) -> None:
    """`after` improves some indicators of `before` (same block); no node's points and no
    index may fall, except where a `not monotone in …` exemption covers it."""
    model = methodology.model
    if before.get("block") != after.get("block"):
        raise ValueError("before and after must be in the same block")
    first, second = _evaluate(methodology, before, references), _evaluate(methodology, after,
                                                                          references)
    changed = {k for k in model.indicators if first.inputs.get(k) != second.inputs.get(k)}
    for name in changed:
        indicator = model.indicators[name]
        x, y = first.inputs[name], second.inputs[name]
        if indicator.direction == "neutral" or indicator.kind == "options" or (
                (y < x) if indicator.direction == "higher" else (y > x)):  # type: ignore[operator]
            raise ValueError(f"`{name}` changed from {x!r} to {y!r}: not an improvement")
    covered = _exempt_targets(model, changed)
    falls: list[str] = []
    for a, b in zip(first.nodes, second.nodes, strict=True):
        if a.id not in covered and a.points is not None and b.points is not None and \
                b.points < a.points:
            falls.append(f"`{a.id}` {a.points} → {b.points}")
    for index_id in model.indices:
        old, new = _index_value(first, index_id), _index_value(second, index_id)
        if index_id not in covered and old is not None and new is not None and new < old:
            falls.append(f"index `{index_id}` {old} → {new}")
    if falls:
        refs = {k: Fraction(v) for k, v in (references or default_references(methodology)).items()}
        raise AssertionError(
            f"improving {', '.join(sorted(changed))} lowers " + "; ".join(falls) + "\n"
            + example_block(model, "before", first.block, _runtime(first), refs, {})
            + "\n" + example_block(model, "after", second.block, _runtime(second), refs, {}))


def assert_bounded(methodology: Methodology, data: Mapping[str, Any],
                   references: Mapping[str, Any] | None = None) -> None:
    """Every applicable node scores 0 ≤ points ≤ its maximum; every index lies in [0, 1],
    or in its declared scale."""
    evaluation = _evaluate(methodology, data, references)
    problems = [f"`{n.id}`: {n.points} not in [0, {n.max}]" for n in evaluation.nodes
                if n.points is not None and n.max is not None and not ZERO <= n.points <= n.max]
    for index in evaluation.indices:
        low, high = bounds(methodology.model.indices[index.id])
        for value in (index.value, index.rounded):
            if value is not None and not low <= value <= high:
                problems.append(f"index `{index.id}`: {value} not in [{low}, {high}]")
    if problems:
        raise AssertionError("; ".join(problems))


def _combined(model: Model, node: s.Node, block: str, kids: list[NodeResult]
              ) -> tuple[Fraction, Fraction] | None:
    """A group node's points and maximum recomputed from its children as shown. Written
    apart from kinds/combine.py on purpose: it is the oracle the evaluator is checked
    against, so a mistake there must not be repeated here."""
    live = [k for k in kids if k.applicable and k.points is not None and k.max is not None]
    if not live:
        return None
    points = [k.points for k in live if k.points is not None]
    maxima = [k.max for k in live if k.max is not None]
    declared = declared_max(node, block) or ZERO
    if node.mode == "best":
        return max(points), max(maxima)
    if node.mode == "weighted mean":
        weights = {c.id: c.weight.value if c.weight else ZERO for c in node.children}
        total = sum((weights[k.id] for k in live), ZERO)
        shares = sum((weights[k.id] * (p / m if m else ZERO)
                      for k, p, m in zip(live, points, maxima, strict=True)), ZERO)
        return (shares / total * declared if total else ZERO), declared
    if node.mode == "capped sum":
        cap = min(declared, sum(maxima, ZERO))
        return min(sum(points, ZERO), cap), cap
    return sum(points, ZERO), sum(maxima, ZERO)


def assert_explained(methodology: Methodology, data: Mapping[str, Any],
                     references: Mapping[str, Any] | None = None) -> None:
    """Each group node's points and maximum equal the combination of its children as shown,
    each index equals the combination of its terms as shown, and the explanation renders in
    both languages."""
    model = methodology.model
    evaluation = _evaluate(methodology, data, references)
    shown = {n.id: n for n in evaluation.nodes}
    problems: list[str] = []
    for result in evaluation.nodes:
        node = model.nodes[result.id]
        if node.rules or not result.applicable:
            continue
        combined = _combined(model, node, evaluation.block, [shown[c] for c in result.children])
        if combined != (result.points, result.max):
            problems.append(f"`{node.id}` shows {result.points}/{result.max}, its children "
                            f"combine to {combined}")
    problems += _index_problems(model, evaluation, shown)
    for lang in ("en", "vi"):
        if not evaluation.explain(lang):
            problems.append(f"the {lang} explanation is empty")
    if problems:
        raise AssertionError("; ".join(problems))


def _index_problems(model: Model, evaluation: Evaluation, shown: Mapping[str, NodeResult]
                    ) -> list[str]:
    problems: list[str] = []
    done: dict[str, Fraction | None] = {}
    for index_id, index in model.indices.items():
        if index.method == "share of max":
            live = [shown[t.ref.name] for t in index.terms
                    if t.ref.name in shown and shown[t.ref.name].applicable]
            total = sum((n.max or ZERO for n in live), ZERO)
            value = sum((n.points or ZERO for n in live), ZERO) / total if total else None
        else:
            pairs = [(t.weight.value if t.weight else ONE, _term_share(t.ref.name, shown, done))
                     for t in index.terms]
            live_pairs = [(w, v) for w, v in pairs if v is not None]
            weight = sum((w for w, _ in live_pairs), ZERO)
            value = sum((w * v for w, v in live_pairs), ZERO) / weight if weight else None
        result = evaluation.index(index_id)
        scale = bounds(index)  # the share goes onto the scale; other indices read it back
        value = None if value is None else to_scale(value, scale)
        published = result.rounded if result.rounded is not None else result.value
        done[index_id] = None if published is None else to_share(published, scale)
        if value != result.value:
            problems.append(f"index `{index_id}` shows {result.value}, its terms give {value}")
        elif value is not None and index.round is not None and \
                result.rounded != round_half_up(value, index.round):
            problems.append(f"index `{index_id}` is rounded to {result.rounded}")
    return problems


def _term_share(name: str, shown: Mapping[str, NodeResult], done: Mapping[str, Fraction | None]
                ) -> Fraction | None:
    if name in done:
        return done[name]
    node = shown.get(name)
    if node is None or node.points is None or not node.max:
        return None
    return node.points / node.max


def assert_deterministic(methodology: Methodology, data: Mapping[str, Any],
                         references: Mapping[str, Any] | None = None) -> None:
    """The same data gives the same result: twice, in reverse key order, and after compiling
    the methodology again from its text."""
    first = _evaluate(methodology, data, references).model_dump(mode="json")
    again = _evaluate(methodology, data, references).model_dump(mode="json")
    reordered = _evaluate(methodology, dict(reversed(list(data.items()))), references
                          ).model_dump(mode="json")  # compared as mappings: key order is free
    source = methodology.model.tree.span.source
    recompiled = _evaluate(egov_rules.compile(source.text, source.path), data, references
                           ).model_dump(mode="json")
    if not first == again == reordered == recompiled:
        raise AssertionError("the same data gave different results")


# -- verify --------------------------------------------------------------------------------


@dataclass
class PropertyResult:
    """One property run by `verify`: how many cases were generated and the shrunk failure."""

    name: str
    cases: int = 0
    failure: str | None = None
    counterexample: list[Data] = field(default_factory=list)


def verify(methodology: Methodology, budget: int = 100) -> list[PropertyResult]:
    """Run every property on up to `budget` generated cases each (fixed seed); a failure is
    shrunk by hypothesis to a minimal case."""
    single = indicator_sets(methodology)
    checks: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]] = [
        ("monotone", improvements(methodology), lambda p: assert_monotone(methodology, *p)),
        ("bounded", single, lambda d: assert_bounded(methodology, d)),
        ("explained", single, lambda d: assert_explained(methodology, d)),
        ("deterministic", single, lambda d: assert_deterministic(methodology, d)),
    ]
    return [_run_property(name, strategy, check, budget) for name, strategy, check in checks]


def _run_property(name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None],
                  budget: int) -> PropertyResult:
    result = PropertyResult(name)

    def fails(case: Any) -> bool:
        result.cases += 1
        try:
            check(case)
        except (AssertionError, egov_rules.EgovRulesError):
            return True
        return False

    try:
        case = find(strategy, fails, settings=settings(
            max_examples=budget, derandomize=True, database=None, deadline=None,
            suppress_health_check=list(HealthCheck)))
    except NoSuchExample:
        return result
    try:
        check(case)
    except (AssertionError, egov_rules.EgovRulesError) as error:
        result.failure = str(error)
    result.counterexample = list(case) if isinstance(case, tuple) else [case]
    return result
