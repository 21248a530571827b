"""Exact evaluation of one entity: every node's points, the branch that fired, the values read
and the change that earns the next points. Pure: no I/O, no floats."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from egov_rules import explain as words
from egov_rules import syntax as s
from egov_rules.kinds import rule_kind
from egov_rules.kinds.bands import first_band
from egov_rules.kinds.combine import combine_kind
from egov_rules.kinds.functions import let_function
from egov_rules.kinds.index_methods import index_method
from egov_rules.model import Model, declared_max
from egov_rules.resolve import divisions
from egov_rules.results import (
    Evaluation,
    IndexResult,
    MethodologyInfo,
    NextPoints,
    NodeResult,
    ValueRead,
    Words,
)
from egov_rules.typecheck import zero_rule_denominator

RuntimeValue = Fraction | bool | str
ZERO = Fraction(0)
ONE = Fraction(1)


class MissingReference(Exception):
    """A `relative to best in block` node was scored alone with no reference figure."""

    def __init__(self, node: s.Node) -> None:
        super().__init__(node.id)
        self.node = node


def round_half_up(value: Fraction, digits: int) -> Fraction:
    """Round to `digits` decimals, halves away from zero (as published tables do)."""
    scale = 10**digits
    whole = math.floor(abs(value) * scale + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole, scale)


# -- expressions ---------------------------------------------------------------------------


def eval_expr(expr: s.Expr, env: Mapping[str, RuntimeValue]) -> RuntimeValue:
    if isinstance(expr, s.Number):
        return expr.value
    if isinstance(expr, s.YesNo):
        return expr.value
    if isinstance(expr, s.Name):
        return env.get(expr.name, expr.name)  # a name not in env is an option literal
    if isinstance(expr, s.Unary):
        operand = eval_expr(expr.operand, env)
        return (not operand) if expr.op == "not" else -_num(operand)
    if isinstance(expr, s.Call):
        return let_function(expr).apply([eval_expr(a, env) for a in expr.args])
    return _eval_binary(expr, env)


def _eval_binary(expr: s.Binary, env: Mapping[str, RuntimeValue]) -> RuntimeValue:
    op = expr.op
    if op == "and":
        return bool(eval_expr(expr.left, env)) and bool(eval_expr(expr.right, env))
    if op == "or":
        return bool(eval_expr(expr.left, env)) or bool(eval_expr(expr.right, env))
    left, right = eval_expr(expr.left, env), eval_expr(expr.right, env)
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    a, b = _num(left), _num(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:  # checks guarantee a zero rule guards every variable denominator
        raise ZeroDivisionError(expr.span.text)
    return a / b


def _num(value: RuntimeValue) -> Fraction:
    if isinstance(value, (bool, str)):
        raise TypeError(f"expected a number, got {value!r}")
    return value


def compute_lets(model: Model, inputs: Mapping[str, RuntimeValue]) -> dict[str, RuntimeValue]:
    """Indicators plus every derived value, in dependency order."""
    env: dict[str, RuntimeValue] = dict(inputs)
    for let_id, let in model.lets.items():
        env[let_id] = _eval_let(let, env)
    return env


def _eval_let(let: s.Let, env: Mapping[str, RuntimeValue]) -> RuntimeValue:
    for rule in let.zero_rules:
        denominator = zero_rule_denominator(rule)
        if denominator is not None and eval_expr(denominator, env) == 0:
            return eval_expr(rule.fallback, env)
    return eval_expr(let.expr, env)


def zero_rule_fired(let: s.Let, env: Mapping[str, RuntimeValue]) -> bool:
    return any(
        (d := zero_rule_denominator(rule)) is not None and eval_expr(d, env) == 0
        for rule in let.zero_rules
    )


def relative_input(model: Model, node: s.Node, env: Mapping[str, RuntimeValue]
                   ) -> Fraction | None:
    """The value a node scored relative to the best of its block compares (cohort stage)."""
    rule = node.rules[0] if node.rules else None
    if rule is None or not rule_kind(rule).needs_cohort(rule):
        return None
    if node.when is not None and not eval_expr(node.when, env):
        return None
    return _num(eval_expr(rule.expr, env))


# -- nodes ---------------------------------------------------------------------------------


@dataclass
class _Run:
    model: Model
    block: str
    env: dict[str, RuntimeValue]
    cohort: Mapping[str, Fraction]
    results: list[NodeResult] = field(default_factory=list)
    cohort_used: dict[str, Fraction] = field(default_factory=dict)

    # -- what a rule kind may ask while it scores (kinds.base.ScoreContext) --

    def best_in_block(self, node: s.Node, reference: s.Number | None) -> Fraction:
        best = self.cohort.get(node.id)
        if best is None and reference is not None:
            best = reference.value
        if best is None:
            raise MissingReference(node)
        self.cohort_used[node.id] = best
        return best

    def integer(self, expr: s.Expr) -> bool:
        found = self.model.types.get(_name(expr) or "")
        return bool(found and found.integer)

    def hint(self, expr: s.Expr, current: Fraction, target: Fraction, gain: Fraction
             ) -> NextPoints | None:
        return _hint(self, expr, current, target, gain)


def evaluate_entity(
    model: Model, entity: str, block: str, inputs: Mapping[str, RuntimeValue],
    cohort: Mapping[str, Fraction] | None = None,
) -> Evaluation:
    """Score one entity. `cohort` maps relative nodes to the best value in the block."""
    run = _Run(model, block, compute_lets(model, inputs), cohort or {})
    for category in model.tree.categories:
        _score_node(run, category, None, 0, True)
    by_id = {r.id: r for r in run.results}
    indices = _evaluate_indices(model, by_id)
    block_decl = model.blocks[block]
    return Evaluation(
        methodology=methodology_info(model), entity=entity, block=block,
        block_label=block_decl.label, block_label_en=block_decl.label_en, inputs=dict(inputs),
        cohort=run.cohort_used,
        nodes=run.results, indices=indices,
    )


def methodology_info(model: Model) -> MethodologyInfo:
    return MethodologyInfo(
        id=model.id, title=model.header_text("title"), title_en=model.header_text("title_en"),
        year=model.year, source=model.header_text("source"), content_hash=model.content_hash,
    )


@dataclass(frozen=True)
class _Score:
    points: Fraction | None
    maximum: Fraction | None
    rule: str
    branch: Words
    next: NextPoints | None = None
    read: tuple[ValueRead, ...] = ()


def _score_node(run: _Run, node: s.Node, parent: s.Node | None, depth: int,
                parent_applies: bool) -> NodeResult:
    position = len(run.results)
    run.results.append(None)  # type: ignore[arg-type]  # placeholder keeps parents first
    reason = _not_applicable_reason(run, node, parent_applies)
    applies = reason is None
    children = [_score_node(run, c, node, depth + 1, applies) for c in node.children]
    if reason is not None:
        score = _Score(None, None, "not applicable", reason)
    elif node.rules:
        score = _score_rule(run, node, node.rules[0])
    else:
        score = _combine(run, node, children)
    result = NodeResult(
        id=node.id, kind=node.kind, label=node.label, label_en=run.model.label_en(node),
        parent=parent.id if parent else None, depth=depth, children=[c.id for c in children],
        applicable=score.points is not None, points=score.points, max=score.maximum,
        citations=[c.text for c in node.citations],
        reconstructed=_text_attr(node, "reconstructed"), read=list(score.read), rule=score.rule,
        branch=score.branch, next=score.next,
    )
    run.results[position] = result
    return result


def _text_attr(node: s.Node, key: str) -> str | None:
    attr = node.get(key)
    return None if attr is None else str(attr.value)


def _not_applicable_reason(run: _Run, node: s.Node, parent_applies: bool) -> Words | None:
    if not parent_applies:
        return words.not_applicable("parent")
    if run.block not in run.model.blocks_of.get(node.id, ()):
        return words.not_applicable("block", run.model.blocks[run.block].label)
    if node.when is not None and not eval_expr(node.when, run.env):
        return words.not_applicable("when", node.when.span.text)
    return None


def _combine(run: _Run, node: s.Node, children: list[NodeResult]) -> _Score:
    live = [c for c in children if c.applicable and c.points is not None and c.max is not None]
    if not live:
        return _Score(None, None, "not applicable", words.not_applicable("children"))
    kind = combine_kind(node)
    weights = {c.id: c.weight.value if c.weight is not None else ZERO for c in node.children}
    points, maximum, branch = kind.combine(live, declared_max(node, run.block) or ZERO, weights,
                                           len(live) < len(children))
    return _Score(points, maximum, kind.keyword, branch)


# -- leaf rules ----------------------------------------------------------------------------


def _score_rule(run: _Run, node: s.Node, rule: s.Rule) -> _Score:
    kind = rule_kind(rule)
    maximum = declared_max(node, run.block) or ZERO
    reads = tuple(_reads(run, rule.expr))
    outcome = kind.score(rule, node, eval_expr(rule.expr, run.env), maximum, run)
    return _Score(outcome.points, maximum, kind.keyword, outcome.branch, outcome.next, reads)


def _name(expr: s.Expr) -> str | None:
    return expr.name if isinstance(expr, s.Name) else None


def _hint(run: _Run, expr: s.Expr, current: Fraction, target: Fraction, gain: Fraction
          ) -> NextPoints | None:
    name = _name(expr)
    if name is None or gain <= 0:
        return None
    inner = _bounded_input(run.model, name, target)
    if inner is not None and isinstance(run.env.get(inner), Fraction):
        name, current = inner, _num(run.env[inner])
    return NextPoints(input=name, current=current, target=target, gain=gain,
                      words=words.hint_raise(run.model, name, current, target, gain, run.env))


def _bounded_input(model: Model, name: str, target: Fraction) -> str | None:
    """For `let v = min(x, 10)` (or `max`, `clamp`) the input `x`, when `v = target` is reached
    by `x = target`: people act on the indicator, not on the bound around it."""
    let = model.lets.get(name)
    if let is None or let.zero_rules or not isinstance(let.expr, s.Call):
        return None
    first, *rest = let.expr.args
    if not isinstance(first, s.Name) or not all(isinstance(a, s.Number) for a in rest):
        return None
    bounds = [a.value for a in rest if isinstance(a, s.Number)]
    return first.name if let_function(let.expr).reached_by_first(bounds, target) else None


def _reads(run: _Run, expr: s.Expr) -> list[ValueRead]:
    reads: list[ValueRead] = []
    seen: set[str] = set()
    for name in _names(expr):
        if name in seen or name not in run.env:
            continue
        seen.add(name)
        reads.append(value_read(run.model, name, run.env))
    return reads


def _names(expr: s.Expr) -> list[str]:
    from egov_rules.resolve import names_in

    return [n.name for n in names_in(expr)]


def value_read(model: Model, name: str, env: Mapping[str, RuntimeValue]) -> ValueRead:
    value = env[name]
    indicator = model.indicators.get(name)
    let = model.lets.get(name)
    label = indicator.label if indicator else (let.label if let else None)
    label_en = model.label_en(indicator) if indicator else (let.label_en if let else None)
    formula = None
    inputs: list[ValueRead] = []
    if let is not None:
        formula = let.expr.span.text
        if zero_rule_fired(let, env):
            formula += " → " + next(r.span.text for r in let.zero_rules)
        inputs = [value_read(model, n, env) for n in dict.fromkeys(_let_names(let))
                  if n in env]
    return ValueRead(name=name, label=label, label_en=label_en, value=value,
                     shown=words.shown(model, name, value), formula=formula, inputs=inputs)


def _let_names(let: s.Let) -> list[str]:
    names = _names(let.expr)
    for division in divisions(let.expr):
        names.extend(_names(division.right))
    return names


# -- indices -------------------------------------------------------------------------------


def _evaluate_indices(model: Model, nodes: Mapping[str, NodeResult]) -> list[IndexResult]:
    done: dict[str, IndexResult] = {}
    for index_id, index in model.indices.items():
        done[index_id] = _evaluate_index(model, index, nodes, done)
    return [done[i.id] for i in model.tree.indices if i.id in done]


def _evaluate_index(model: Model, index: s.Index, nodes: Mapping[str, NodeResult],
                    done: Mapping[str, IndexResult]) -> IndexResult:
    method = index_method(index)
    value, points, maximum = method.compute(index, nodes, done)
    rounded = None if value is None or index.round is None else round_half_up(value, index.round)
    shown = rounded if rounded is not None else value
    grade = grade_en = None
    next_grade = None
    grades = model.grades.get(index.id)
    if grades is not None and shown is not None:
        band = first_band(grades.bands, shown)
        grade, grade_en = str(band.award), band.award_en
        next_grade = words.next_grade(grades.bands, band, points, maximum, index.round)
    return IndexResult(
        id=index.id, label=index.label, label_en=index.label_en, method=index.method,
        value=value, rounded=rounded,
        round=index.round, points=points, max=maximum, grade=grade, grade_en=grade_en,
        words=words.not_computed() if shown is None else method.words(
            index, words.published_pair(shown, index.round), points, maximum),
        next_grade=next_grade,
    )
