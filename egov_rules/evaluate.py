"""Exact evaluation of one entity: every node's points and maximum, the facts of the branch
that fired and the change that earns the next points. Pure: no I/O, no floats.

Evaluation keeps facts, not words: a result's words, the values it read and its hint are made
from those facts when someone reads the result (`_Explanation`), in the language asked for.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from egov_rules import codes
from egov_rules import explain as words
from egov_rules import syntax as s
from egov_rules.diagnostics import Diagnostic, Text
from egov_rules.kinds import RuleKind, rule_kind
from egov_rules.kinds.bands import first_row
from egov_rules.kinds.bands import next_grade as grade_to_reach
from egov_rules.kinds.base import GIVEN, CohortFigure, Target, stated_source
from egov_rules.kinds.combine import CombineKind, combine_kind
from egov_rules.kinds.functions import let_function
from egov_rules.kinds.index_methods import index_method
from egov_rules.model import Model, declared_max, reads_through_lets
from egov_rules.resolve import divisions, names_in, rule_expressions
from egov_rules.results import (
    CohortSource,
    Denominated,
    Evaluation,
    IndexResult,
    IndexResults,
    MethodologyInfo,
    NextPoints,
    NodeResult,
    NodeResults,
    ValueRead,
)
from egov_rules.scale import UNIT, Bounds, bounds, to_scale, to_share
from egov_rules.source import Span
from egov_rules.typecheck import zero_rule_denominator

if TYPE_CHECKING:
    from egov_rules.inputs.impute import Imputed

RuntimeValue = Fraction | bool | str
ZERO = Fraction(0)
ONE = Fraction(1)


class MissingReference(Exception):
    """A node scored against its block (`relative to best in block`, `min-max`) was scored
    alone with no reference figure."""

    def __init__(self, node: s.Node) -> None:
        super().__init__(node.id)
        self.node = node
        self.keys = tuple(f.key(node.id) for _, f in cohort_figures_of(node))


# What each cohort figure is called (its key's suffix: none for the best), for E208.
_FIGURE_WORDS = {"": ("the best", "giá trị cao nhất"), "min": ("the lowest", "giá trị thấp nhất"),
                 "max": ("the highest", "giá trị cao nhất"), "mean": ("the mean", "giá trị trung bình"),
                 "sd": ("the standard deviation", "độ lệch chuẩn"),
                 **dict.fromkeys(words.STANDING_NAMES,
                                 ("the values of the other entities",
                                  "giá trị của các đơn vị khác"))}


def figure_words(keys: tuple[str, ...]) -> tuple[str, str]:
    """The cohort figures of these keys in words (en, vi): "the lowest and the highest"."""
    named = list(dict.fromkeys(_figure_words(key.partition(".")[2]) for key in keys))
    return " and ".join(en for en, _ in named), " và ".join(vi for _, vi in named)


def _figure_words(name: str) -> tuple[str, str]:
    """A figure by its key's suffix; `mean2`, `sd2`: of a rule's second term."""
    term = name.lstrip("abcdefghijklmnopqrstuvwxyz")
    en, vi = _FIGURE_WORDS[name[:len(name) - len(term)]]
    return (f"{en} of term {term}", f"{vi} của thành phần {term}") if term else (en, vi)


def standings_only(keys: tuple[str, ...]) -> bool:
    """Whether a node's figures are an entity's standing (`percentile`): no rule can state
    them, only the other entities' values give them."""
    return bool(keys) and all(k.rpartition(".")[2] in words.STANDING_NAMES and "." in k
                              for k in keys)


def missing_reference_diagnostic(node: str, span: Span | None, path: str,
                                 keys: tuple[str, ...] = ()) -> Diagnostic:
    """E208; `keys` are the figures the node reads (`node.min`, `node.max` for min-max)."""
    figures_en, figures_vi = figure_words(keys or (node,))
    if standings_only(keys):  # a distribution: no reference figure stands for it
        return Diagnostic(
            codes.MISSING_REFERENCE, span, {"node": node, "figures": figures_en,
                                            "figures_vi": figures_vi},
            Text("score the entities together, or give the other entities' values: "
                 "cohort= in the API, --cohort FILE on the command line",
                 "chấm điểm cùng các đơn vị khác, hoặc cho số liệu của các đơn vị khác: "
                 "cohort= trong API, --cohort TỆP trên dòng lệnh"),
            (), path)
    if keys and keys != (node,):
        given = ", ".join(f"'{k}': …" for k in keys)
        en, vi = f"references={{{given}}}", f"references={{{given}}}"
    else:
        en = f"references={{'{node}': <best value>}}"
        vi = f"references={{'{node}': <giá trị cao nhất>}}"
    return Diagnostic(
        codes.MISSING_REFERENCE, span, {"node": node, "figures": figures_en,
                                        "figures_vi": figures_vi},
        Text(f"score the entities together, or pass {en}",
             f"chấm điểm cùng các đơn vị khác, hoặc truyền {vi}"),
        (), path,
    )


def alone_diagnostic(model: Model, entity: str, block: str, node: str, value: Fraction,
                     span: Span | None, path: str) -> Diagnostic:
    """W529: the entity's own figure was the only one of its block, so it was the best."""
    rule = model.nodes[node].rules[0]
    en, vi = words.both_fmt(value, words.is_share(model, rule.expr))
    keys = tuple(f.key(node) for _, f in cohort_figures_of(model.nodes[node]))
    figures_en, figures_vi = figure_words(keys)  # "the best", "the lowest and the highest"
    given = " ".join(f"--reference {key}=…" for key in keys)
    hint = Text(f"give the block's figures: {given} or --cohort FILE of the other entities "
                "(references= or cohort= in the API)",
                f"hãy cho số liệu của khối: {given} hoặc --cohort TỆP số liệu của các đơn vị "
                "khác (references= hoặc cohort= trong API)")
    taken = (f"was taken as {figures_en}", f"được lấy làm {figures_vi}")
    if standings_only(keys):
        hint = Text("give the other entities' values: --cohort FILE (cohort= in the API)",
                    "hãy cho số liệu của các đơn vị khác: --cohort TỆP (cohort= trong API)")
        taken = ("had none to be compared with", "không có đơn vị nào để so sánh")
    return Diagnostic(
        codes.ALONE_IN_BLOCK, span, {"entity": entity, "node": node, "block": block,
                                     "value": en, "value_vi": vi, "figures": figures_en,
                                     "figures_vi": figures_vi, "taken": taken[0],
                                     "taken_vi": taken[1]}, hint, (), path)


def relative_nodes(model: Model) -> list[str]:
    """The nodes scored against their block (`relative to best in block`, `min-max`), in the
    methodology's order."""
    return [n.id for n in model.nodes.values() if cohort_figures_of(n)]


def cohort_figures_of(node: s.Node) -> tuple[tuple[s.Node, CohortFigure], ...]:
    """The cohort figures a node reads (none for most), each with the node."""
    use = rule_kind(node.rules[0]).cohort(node.rules[0]) if node.rules else None
    return () if use is None else tuple((node, f) for f in use.figures)


def scoped(model: Model) -> bool:
    """Whether a cohort figure is found over other entities than its block's (`in all`,
    `in group g`): the compiled scorer's and the stream's per-block figures do not hold it."""
    return any(f.scope is not None for node in model.nodes.values()
               for _, f in cohort_figures_of(node))


def cohort_keys(model: Model) -> list[str]:
    """Every cohort figure's key (`references=`, `--reference`), in the methodology's order."""
    return [f.key(n.id) for node in model.nodes.values() for n, f in cohort_figures_of(node)]


def stated_references(model: Model) -> dict[str, Fraction | None]:
    """Every cohort figure's key → the figure its rule states (`reference …`), or None."""
    return {f.key(n.id): f.reference for node in model.nodes.values()
            for n, f in cohort_figures_of(node)}


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
    """Indicators plus every derived value, in dependency order; a value that reads an
    indicator the entity need not give (its block reads neither) and did not is left out."""
    env: dict[str, RuntimeValue] = dict(inputs)
    for let_id, let in model.lets.items():
        if model.let_reads[let_id] <= env.keys():
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
    if rule is None or rule_kind(rule).cohort(rule) is None:
        return None
    if _missing_read(_plan(model).steps[_plan(model).position[node.id]], env):
        return None  # a value it reads is missing, by the `not applicable` policy
    if node.when is not None and not eval_expr(node.when, env):
        return None
    terms = rule_kind(rule).cohort_terms(rule)
    if terms is not None:  # a rule of several terms: its figures gather the tuple
        return tuple(_num(eval_expr(t, env)) for t in terms)  # type: ignore[return-value]
    return _num(eval_expr(rule.expr, env))


# -- the plan: what every evaluation of a model shares ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    """One node as the evaluator visits it, resolved once per model."""

    node: s.Node
    rule: s.Rule | None
    kind: RuleKind[Any, Any] | None  # for a node scored by a rule
    mode: CombineKind[Any] | None  # for a node that combines its children
    children: tuple[int, ...]  # positions
    blocks: frozenset[str]
    maxima: dict[str, Fraction]  # block → declared maximum (0 where none is written)
    weights: dict[str, Fraction]  # child id → weight, for `weighted mean of`
    reads: frozenset[str]  # the indicators its `when` and its rule read, through lets


def _step(model: Model, node: s.Node, position: Mapping[str, int]) -> _Step:
    rule = node.rules[0] if node.rules else None
    return _Step(
        node=node, rule=rule, kind=rule_kind(rule) if rule is not None else None,
        mode=None if rule is not None else combine_kind(node),
        children=tuple(position[c.id] for c in node.children),
        blocks=frozenset(model.blocks_of.get(node.id, ())),
        maxima={b: declared_max(node, b) or ZERO for b in model.blocks},
        weights={c.id: c.weight.value if c.weight is not None else ZERO for c in node.children},
        reads=frozenset(n for n in reads_through_lets(
            list(rule_expressions(node)), model.let_reads, model.indicators)
            if n in model.indicators),
    )


def _missing_read(step: _Step, env: Mapping[str, RuntimeValue]) -> list[str]:
    """The indicators a node reads that the entity's values lack: validation lets only the
    `not applicable` policy leave one out, and the node then does not apply."""
    return sorted(n for n in step.reads if n not in env)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Per model: its nodes in order (parents first), where each id sits, each node's parent
    and depth; per index, where it sits. Built once, shared by every evaluation."""

    nodes: tuple[s.Node, ...]
    steps: tuple[_Step, ...]
    position: dict[str, int]
    parent: tuple[str | None, ...]
    depth: tuple[int, ...]
    indices: tuple[s.Index, ...]
    index_position: dict[str, int]
    info: MethodologyInfo


@functools.lru_cache(maxsize=64)
def _plan(model: Model) -> _Plan:
    nodes = tuple(model.nodes.values())
    parent = tuple(p.id if (p := model.parents.get(n.id)) is not None else None for n in nodes)
    depth: list[int] = []
    position = {n.id: k for k, n in enumerate(nodes)}
    for k in range(len(nodes)):
        up = parent[k]
        depth.append(0 if up is None else depth[position[up]] + 1)
    indices = tuple(i for i in model.tree.indices if i.id in model.indices)
    steps = tuple(_step(model, n, position) for n in nodes)
    return _Plan(nodes, steps, position, parent, tuple(depth), indices,
                 {i.id: k for k, i in enumerate(indices)}, methodology_info(model))


def methodology_info(model: Model) -> MethodologyInfo:
    return MethodologyInfo(
        id=model.id, title=model.header_text("title"), title_en=model.header_text("title_en"),
        year=model.year, source=model.header_text("source"), content_hash=model.content_hash,
        extends=list(model.extends) or None,
    )


# -- facts ---------------------------------------------------------------------------------


# why a node does not apply: "parent", "block", "missing", "when" or "children"
NotApplicable = str


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """One node of one entity: points and maximum (None when it does not apply) and the facts
    its rule kind or combine mode recorded (the reason when it does not apply)."""

    id: str
    points: Fraction | None
    max: Fraction | None
    facts: Any

    @property
    def applicable(self) -> bool:
        return self.points is not None


@dataclass(frozen=True, slots=True)
class IndexFacts:
    value: Fraction | None
    rounded: Fraction | None
    points: Fraction | None
    max: Fraction | None
    grade_row: int | None  # the position of the grade band it falls in
    scale: Bounds = UNIT  # value and rounded are on it

    @property
    def share(self) -> Fraction | None:
        """What an index term of another index reads: the value as published, on 0..1."""
        shown = self.rounded if self.rounded is not None else self.value
        return None if shown is None else to_share(shown, self.scale)


# -- nodes ---------------------------------------------------------------------------------


@dataclass
class _Run:
    model: Model
    block: str
    env: dict[str, RuntimeValue]
    cohort: Mapping[str, Fraction]
    sources: Mapping[str, CohortSource] = field(default_factory=dict)  # a key not in it: given
    cohort_used: dict[str, Fraction] = field(default_factory=dict)
    cohort_sources: dict[str, CohortSource] = field(default_factory=dict)

    # -- what a rule kind may ask while it scores (kinds.base.ScoreContext) --

    def cohort_figure(self, node: s.Node, figure: CohortFigure) -> Fraction:
        key = figure.key(node.id)
        found = self.cohort.get(key)
        if found is not None:
            self.cohort_sources[key] = self.sources.get(key, GIVEN)
        elif figure.reference is not None:
            found = figure.reference
            self.cohort_sources[key] = stated_source(
                None if figure.stated is None else figure.stated.line)
        else:
            raise MissingReference(node)
        self.cohort_used[key] = found
        return found

    def value(self, expr: s.Expr) -> RuntimeValue:
        return eval_expr(expr, self.env)

    def integer(self, expr: s.Expr) -> bool:
        found = self.model.types.get(_name(expr) or "")
        return bool(found and found.integer)

    def hint(self, expr: s.Expr, current: Fraction, target: Fraction, gain: Fraction
             ) -> Target | None:
        name = _name(expr)
        if name is None or gain <= 0:
            return None
        inner = _bounded_input(self.model, name, target)
        if inner is not None and isinstance(self.env.get(inner), Fraction):
            name, current = inner, _num(self.env[inner])
        return Target(name, current, target, gain)


def evaluate_entity(
    model: Model, entity: str, block: str, inputs: Mapping[str, RuntimeValue],
    cohort: Mapping[str, Fraction] | None = None, env: dict[str, RuntimeValue] | None = None,
    missing: Mapping[str, str] | None = None,
) -> Evaluation:
    """Score one entity. `cohort` maps relative nodes to the best value in the block; `env`
    is `compute_lets(model, inputs)` when the caller has it already; `missing` names the
    indicators the entity did not give with the policy applied (`inputs.missing_applied`)."""
    return evaluate_with_indices(model, entity, block, inputs, cohort, env, missing)[0]


def evaluate_with_indices(
    model: Model, entity: str, block: str, inputs: Mapping[str, RuntimeValue],
    cohort: Mapping[str, Fraction] | None = None, env: dict[str, RuntimeValue] | None = None,
    missing: Mapping[str, str] | None = None, imputed: Mapping[str, Imputed] | None = None,
    sources: Mapping[str, CohortSource] | None = None,
) -> tuple[Evaluation, dict[str, IndexFacts | NodeFacts]]:
    """`evaluate_entity`, with its indices' facts by id, and those of its ranked nodes: what
    ranking reads (an index's result makes its words, 0.4 ms each: 4 ranked indices of
    100,000 entities took minutes).
    `imputed`: the means `missing mean` filled (`inputs.impute`), for the explanation;
    `sources`: where each figure of `cohort` came from (`rank.CohortStage`; one it lacks was
    given by the caller)."""
    plan = _plan(model)
    run = _Run(model, block, env if env is not None else compute_lets(model, inputs),
               cohort or {}, sources or {})
    facts = _score_nodes(run, plan)
    done = _evaluate_indices(model, {f.id: f for f in facts})
    indices = tuple(done[i.id] for i in model.tree.indices if i.id in done)
    given = dict(inputs)
    derived = {k: run.env[k] for k in model.lets if k in run.env}  # inputs: once, in `given`
    explanation = _Explanation(model, plan, block, given, derived, run.cohort_used,
                               run.cohort_sources, facts, indices, dict(missing or {}),
                               dict(imputed or {}))
    block_decl = model.blocks[block]
    return Evaluation.model_construct(
        schema_version=Evaluation.model_fields["schema_version"].default,
        methodology=plan.info, entity=entity, block=block, block_label=block_decl.label,
        block_label_en=block_decl.label_en, inputs=given, cohort=run.cohort_used,
        cohort_sources=run.cohort_sources,
        missing=explanation.missing, denominated=denominated(model, given, explanation.missing),
        nodes=NodeResults(plan.position, explanation.node),
        indices=IndexResults(plan.index_position, explanation.index),
    ), {**done, **_rank_reads(model, facts)}


def _rank_reads(model: Model, facts: Sequence[NodeFacts]) -> dict[str, NodeFacts]:
    """The facts of the nodes a rank reads: ranked, or breaking a rank's ties."""
    if not model.ranks:
        return {}
    read = {*model.ranks, *(r.then.name for r in model.ranks.values() if r.then is not None)}
    return {f.id: f for f in facts if f.id in read}


def denominated(model: Model, inputs: Mapping[str, RuntimeValue],
                missing: Mapping[str, str]) -> dict[str, Denominated]:
    """`x per d` given: x as given is exactly the quotient read times d (a value the `missing`
    policy filled was never divided)."""
    found: dict[str, Denominated] = {}
    for name in model.indicators:
        per = model.denominator(name)
        value, by = inputs.get(name), inputs.get(per) if per is not None else None
        if per is not None and name not in missing and isinstance(value, Fraction) \
                and isinstance(by, Fraction):
            found[name] = Denominated.model_construct(given=value * by, per=per, denominator=by)
    return found


def figures(model: Model, block: str, inputs: Mapping[str, RuntimeValue],
            cohort: Mapping[str, Fraction] | None = None
            ) -> tuple[dict[str, NodeFacts], dict[str, IndexFacts]]:
    """Every node's and index's facts by id, without the words: what the counterexample
    search compares (reading a node's result finds its next points, which reads every row
    of its rule, for each of hundreds of candidates)."""
    run = _Run(model, block, compute_lets(model, inputs), cohort or {})
    nodes = {f.id: f for f in _score_nodes(run, _plan(model))}
    return nodes, _evaluate_indices(model, nodes)


def _score_nodes(run: _Run, plan: _Plan) -> tuple[NodeFacts, ...]:
    """Every node's facts, in plan order: why each does not apply, top down (a node under
    one that does not apply does not either), then points, children before parents."""
    steps = plan.steps
    reasons: list[NotApplicable | None] = [None] * len(steps)
    for position, step in enumerate(steps):
        if reasons[position] is None:
            reasons[position] = _not_applicable(run, step)
        if reasons[position] is not None:
            for child in step.children:
                reasons[child] = "parent"
    facts: list[NodeFacts] = [None] * len(steps)  # type: ignore[list-item]  # filled below
    for position in range(len(steps) - 1, -1, -1):
        step, reason = steps[position], reasons[position]
        if reason is not None:
            facts[position] = NodeFacts(step.node.id, None, None, reason)
        elif step.kind is not None and step.rule is not None:
            maximum = step.maxima[run.block]
            outcome = step.kind.score(step.rule, step.node, eval_expr(step.rule.expr, run.env),
                                      maximum, run)
            facts[position] = NodeFacts(step.node.id, outcome.points, maximum, outcome.facts)
        else:
            facts[position] = _combine(run, step, [facts[c] for c in step.children])
    return tuple(facts)


def _not_applicable(run: _Run, step: _Step) -> NotApplicable | None:
    if run.block not in step.blocks:
        return "block"
    if _missing_read(step, run.env):
        return "missing"
    if step.node.when is not None and not eval_expr(step.node.when, run.env):
        return "when"
    return None


def _combine(run: _Run, step: _Step, children: list[NodeFacts]) -> NodeFacts:
    live = [c for c in children if c.points is not None and c.max is not None]
    if not live or step.mode is None:
        return NodeFacts(step.node.id, None, None, "children")
    combined = step.mode.combine(live, step.maxima[run.block], step.weights,
                                 len(live) < len(children))
    return NodeFacts(step.node.id, combined.points, combined.maximum, combined.facts)


def _name(expr: s.Expr) -> str | None:
    return expr.name if isinstance(expr, s.Name) else None


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




# -- indices -------------------------------------------------------------------------------


def _evaluate_indices(model: Model, nodes: Mapping[str, NodeFacts]) -> dict[str, IndexFacts]:
    done: dict[str, IndexFacts] = {}
    for index_id, index in model.indices.items():
        share, points, maximum = index_method(index).compute(index, nodes, done)
        scale = bounds(index)
        value = None if share is None else to_scale(share, scale)
        rounded = None if value is None or index.round is None else round_half_up(value, index.round)
        shown = rounded if rounded is not None else value
        grades = model.grades.get(index_id)
        row = first_row(grades.bands, shown) if grades is not None and shown is not None else None
        done[index_id] = IndexFacts(value, rounded, points, maximum, row, scale)
    return done


# -- results, made from the facts when read ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Explanation:
    """One entity's facts and what its words are made from."""

    model: Model
    plan: _Plan
    block: str
    given: dict[str, RuntimeValue]  # the evaluation's own `inputs`
    derived: dict[str, RuntimeValue]
    cohort: dict[str, Fraction]  # the evaluation's own `cohort`
    sources: dict[str, CohortSource]  # and its `cohort_sources`
    facts: tuple[NodeFacts, ...]
    indices: tuple[IndexFacts, ...]
    missing: dict[str, str]  # the evaluation's own `missing`
    imputed: dict[str, Imputed]  # how each `mean` was found, for the words

    @property
    def env(self) -> dict[str, RuntimeValue]:
        return {**self.given, **self.derived}

    def node(self, position: int) -> NodeResult:
        node, facts, model = self.plan.nodes[position], self.facts[position], self.model
        rule, branch, read, hint = "not applicable", self._not_applicable(node, facts.facts), \
            [], None
        if facts.points is not None and facts.max is not None:
            if node.rules:
                kind = rule_kind(node.rules[0])
                rule = kind.keyword
                branch = kind.branch_words(node.rules[0], facts.facts, facts.points, facts.max, model)
                if cohort_figures_of(node):
                    branch = self._with_sources(node, branch)
                rule_, env = node.rules[0], self.env
                read = _reads(model, env, rule_.expr, self.missing, self.imputed)
                target = kind.next_target(rule_, facts.facts, facts.points, facts.max,
                                          _Run(model, self.block, env, self.cohort))
                if target is not None:
                    hint = _next_points(target, kind.hint_words(rule_, target, model, env))
            else:
                mode = combine_kind(node)
                rule, branch = mode.keyword, mode.words(facts.facts, facts.points, facts.max)
        return NodeResult.model_construct(
            id=node.id, kind=node.kind, label=node.label, label_en=model.label_en(node),
            parent=self.plan.parent[position], depth=self.plan.depth[position],
            children=[c.id for c in node.children], applicable=facts.points is not None,
            points=facts.points, max=facts.max, citations=[c.text for c in node.citations],
            reconstructed=_text_attr(node, "reconstructed"), read=read, rule=rule,
            branch=branch, next=hint,
        )

    def _with_sources(self, node: s.Node, branch: Text) -> Text:
        """The branch, then the cohort figures it read and where each came from."""
        used = [(f.name, self.cohort[key], self.sources[key]) for _, f in cohort_figures_of(node)
                if (key := f.key(node.id)) in self.cohort and key in self.sources and f.listed]
        if not used:
            return branch
        said = words.cohort_sources(used, words.is_share(self.model, node.rules[0].expr))
        sep = " " if said.en.startswith("(") else "; "  # only over how many: "(of the …)"
        return Text(f"{branch.en}{sep}{said.en}", f"{branch.vi}{sep}{said.vi}")

    def _not_applicable(self, node: s.Node, reason: NotApplicable) -> Text:
        if reason == "block":
            return words.not_applicable("block", self.model.blocks[self.block].label)
        if reason == "when":
            assert node.when is not None
            return words.not_applicable("when", node.when.span.text)
        if reason == "missing":
            step = self.plan.steps[self.plan.position[node.id]]
            return words.not_applicable("missing", ", ".join(
                f"`{n}`" for n in _missing_read(step, self.env)))
        return words.not_applicable(reason)

    def index(self, position: int) -> IndexResult:
        index, facts = self.plan.indices[position], self.indices[position]
        shown = facts.rounded if facts.rounded is not None else facts.value
        grade = grade_en = next_grade = None
        grades = self.model.grades.get(index.id)
        if grades is not None and facts.grade_row is not None:
            band = grades.bands[facts.grade_row]
            grade, grade_en = str(band.award), band.award_en
            next_grade = grade_to_reach(grades.bands, facts.grade_row, facts.points, facts.max,
                                        index.round, facts.scale)
        return IndexResult.model_construct(
            id=index.id, label=index.label, label_en=index.label_en, method=index.method,
            value=facts.value, rounded=facts.rounded, round=index.round,
            scale=None if index.scale is None else list(facts.scale), points=facts.points,
            max=facts.max, grade=grade, grade_en=grade_en,
            words=words.not_computed() if shown is None or facts.value is None else
            index_method(index).words(index, _scaled_words(facts.value, facts.scale, shown,
                                                           index.round),
                                      facts.points, facts.max),
            next_grade=next_grade,
        )


def _scaled_words(value: Fraction, scale: Bounds, shown: Fraction, digits: int | None
                  ) -> tuple[str, str]:
    """The value as published; on a declared scale, how the 0..1 share became it
    (`0.633 × 100 = 63.3`, `10 + 0.5 × 90 = 55`)."""
    published = words.published_pair(shown, digits)
    if scale == UNIT:
        return published
    low, high = scale
    share_en, share_vi = words.both_fmt(to_share(value, scale))
    width_en, width_vi = words.both_fmt(high - low)
    low_en, low_vi = words.both_fmt(low)
    start = (f"{low_en} + ", f"{low_vi} + ") if low else ("", "")
    return (f"{start[0]}{share_en} × {width_en} = {published[0]}",
            f"{start[1]}{share_vi} × {width_vi} = {published[1]}")


def _next_points(target: Target, said: Text) -> NextPoints:
    return NextPoints.model_construct(input=target.input, current=target.current,
                                      target=target.target, gain=target.gain, words=said)


def _text_attr(node: s.Node, key: str) -> str | None:
    attr = node.get(key)
    return None if attr is None else str(attr.value)


def _per_words(model: Model, name: str, per: str, env: Mapping[str, RuntimeValue],
               shown: Text) -> Text:
    """"Goods 278.43 ÷ Den_GDP 390.8 = 0.71245…": the value given, its denominator, the
    quotient the rule read."""
    value, by = env.get(name), env.get(per)
    if not isinstance(value, Fraction) or not isinstance(by, Fraction):
        return shown
    given, of = words.shown(model, name, value * by), words.shown(model, per, by)
    return Text(f"{name} {given.en} ÷ {per} {of.en} = {shown.en}",
                f"{name} {given.vi} ÷ {per} {of.vi} = {shown.vi}")


def _reads(model: Model, env: Mapping[str, RuntimeValue], expr: s.Expr,
           missing: Mapping[str, str], imputed: Mapping[str, Imputed]) -> list[ValueRead]:
    reads: list[ValueRead] = []
    seen: set[str] = set()
    for name in _names(expr):
        if name in seen or name not in env:
            continue
        seen.add(name)
        reads.append(value_read(model, name, env, missing=missing, imputed=imputed))
    return reads


def _names(expr: s.Expr) -> list[str]:
    return [n.name for n in names_in(expr)]


def value_read(model: Model, name: str, env: Mapping[str, RuntimeValue],
               with_inputs: bool = True, missing: Mapping[str, str] | None = None,
               imputed: Mapping[str, Imputed] | None = None) -> ValueRead:
    """What a node read. A derived value lists the values its formula reads, one level deep:
    nesting them all made a chain of 10,000 lets 10,000 levels deep (past Python's stack and
    pydantic's serialisation depth), and lets that each read the two before them 2ⁿ reads."""
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
        if with_inputs:
            inputs = [value_read(model, n, env, False, missing, imputed) for n in
                      dict.fromkeys(_let_names(let)) if n in env]
    policy = (missing or {}).get(name)  # a value the entity did not give, filled by `zero`
    shown = words.shown(model, name, value)
    mean = (imputed or {}).get(name)  # or by `mean`
    if policy is not None:
        shown = words.filled(shown, policy) if mean is None else mean.words(name, shown)
    elif name in model.indicators and model.denominator(name) is not None:
        shown = _per_words(model, name, str(model.denominator(name)), env, shown)
    return ValueRead(name=name, label=label, label_en=label_en, value=value, shown=shown,
                     formula=formula, inputs=inputs, missing=policy)


def _let_names(let: s.Let) -> list[str]:
    names = _names(let.expr)
    for division in divisions(let.expr):
        names.extend(_names(division.right))
    return names
