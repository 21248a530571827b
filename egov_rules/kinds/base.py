"""What every rule kind gives the rest of the system, and what it is given.

A rule kind (`proportional`, `bands`, `yes/no`, `per … up to`, `table`) is one subclass of
`RuleKind`, in one module of this package. Each abstract method is a facet some stage needs:
the type checker, the structure checks, the evaluator (facts as data; words only when an
explanation asks), the annex, the monotonicity analysis and the counterexample search. A kind that leaves one
out cannot be instantiated, and `mypy --strict` reports the instantiation.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.kinds.direction import Dir
from egov_rules.results import CohortSource

if TYPE_CHECKING:
    from egov_rules.diagnostics import Reporter
    from egov_rules.domains import Domains
    from egov_rules.emit import Gen, Num
    from egov_rules.model import Model
    from egov_rules.resolve import Symbols
    from egov_rules.source import Span
    from egov_rules.typecheck import Type

RuntimeValue = Fraction | bool | str
ZERO = Fraction(0)
ONE = Fraction(1)

R = TypeVar("R", bound=s.Rule)
F = TypeVar("F")  # what a kind records of one scoring: the facts its words are made from


class TypeChecker(Protocol):
    """The part of the type checker a rule kind uses to check its input expression."""

    def expect(self, expr: s.Expr, wanted: Literal["number", "yes/no"],
               context: tuple[str, str]) -> Type: ...

    def infer(self, expr: s.Expr) -> Type: ...

    def mismatch(self, span: Span, en: str, vi: str) -> Type: ...


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the structure checks share while they visit every rule of a file."""

    symbols: Symbols
    reporter: Reporter
    domains: Domains


class ShapeContext(Protocol):
    """What the monotonicity analysis knows of expressions (their domains, which are yes/no)."""

    domains: Domains

    def is_boolean(self, expr: s.Expr) -> bool: ...


class ScoreContext(Protocol):
    """What the evaluator offers a rule while it scores one node of one entity."""

    model: Model

    def cohort_figure(self, node: s.Node, figure: CohortFigure) -> Fraction:
        """One cohort figure of a node (the best, min, max, mean or sd of its block, or the
        entity's standing in it): the cohort's, else the reference the rule states, else
        MissingReference (E208)."""
        ...

    def integer(self, expr: s.Expr) -> bool:
        """True when the expression can only take whole numbers."""
        ...

    def value(self, expr: s.Expr) -> RuntimeValue:
        """An expression's value for the entity (a kind of several terms reads each)."""
        ...

    def hint(self, expr: s.Expr, current: Fraction, target: Fraction, gain: Fraction
             ) -> Target | None:
        """Moving a numeric input from `current` to `target` gains `gain` points (None when
        the expression is no single input people can act on)."""
        ...


class Reduction(ABC):
    """A cohort figure found from every entity's values of a rule of several terms (each
    value a tuple, one figure per term; `z-score mean of … then min-max`): an aggregate, so
    its values are kept (O(entities)). Frozen dataclasses: hashable, compared by value."""

    @abstractmethod
    def of(self, values: Sequence[Any]) -> Fraction:
        """The figure, exactly (an sd to DIGITS significant digits, as `aggregate`)."""

    def held_by(self, values: Sequence[Any]) -> list[int]:
        """The positions of the values that hold the figure (none: held by no one entity)."""
        return []


# How a block's figure is found from its entities' values: a pick (`min`, `max`: one value
# wins, kept as it runs), an aggregate of them all (`mean`, the population `sd`, the `count`,
# or a `Reduction` of a rule of several terms), or an entity's standing among them
# (`percentile`: how many of the others are `below` it, `above` it, `level` with it), one
# figure per entity, read with its own value (`Standings`).
Pick = Literal["min", "max", "mean", "sd", "count", "below", "above", "level"] | Reduction
AGGREGATES: tuple[Pick, ...] = ("mean", "sd", "count")
STANDINGS: tuple[Pick, ...] = ("below", "above", "level")
KEPT: tuple[Pick, ...] = (*AGGREGATES, *STANDINGS)  # every value kept: O(entities), one node
# The figure a cohort of one is warned of (W529), once a node: a best or a max, a count.
ALONE_WARNS: tuple[Pick, ...] = ("max", "count")


def is_aggregate(pick: Pick) -> bool:
    """Whether a figure needs every value of its cohort kept (a mean, an sd, a count, a
    standing, a `Reduction`), not one value kept as it runs (a min, a max)."""
    return isinstance(pick, Reduction) or pick in KEPT


@dataclass(frozen=True, slots=True)
class CohortFigure:
    """One figure a rule reads from the entities of the block scored together: the `min`,
    the `max`, the `mean` or the `sd` of the rule's input over them, and the figure the rule
    states for an entity scored alone (`reference …`), if it states one. `name` is "" for the
    one figure of `relative to best in block` (the best is the max), `min`/`max` for
    `min-max`, `mean`/`sd` for `z-score` and `worse`/`level`/`count` for `percentile` (an
    entity's own standing, not its block's: `Standings`)."""

    name: str
    pick: Pick
    reference: Fraction | None
    stated: Span | None = None  # where the rule states `reference`, for the explanation
    scope: s.Scope | None = None  # the entities it is found over; None: the block
    listed: bool = True  # said after the branch (False: the kind's words show it already)

    def key(self, node_id: str) -> str:
        """The figure's key in a cohort, `references=` and `--reference`: the node id for the
        best (as it always was), `node.min` and `node.max` for min-max (no name has a dot)."""
        return f"{node_id}.{self.name}" if self.name else node_id


# Which entities a cohort figure of one entity is found over: its block's, everyone's, or
# those sharing its value of a group indicator (None: it names no group value).
Partition = tuple[str, str] | None


def partition(scope: s.Scope | None, block: str, env: Mapping[str, Any]) -> Partition:
    """The entity's cohort for a figure of this scope (`in block`, `in all`, `in group g`)."""
    if scope is None:
        return ("block", block)
    if scope.kind == "all":
        return ("all", "")
    assert scope.group is not None, "`in group` names its indicator"
    value = env.get(scope.group.name)
    return None if value is None else ("group", str(value))


def scope_words(scope: s.Scope | None) -> Text:
    """Where a figure is found, in words: "in the block", "among all the entities scored
    together", "in the entity's group of `region`"."""
    if scope is None:
        return Text("in the block", "trong khối")
    if scope.group is None:
        return Text("among all the entities scored together",
                    "trong tất cả các đơn vị được chấm cùng")
    g = scope.group.name
    return Text(f"in the entity's group of `{g}`", f"trong nhóm cùng giá trị `{g}`")


def check_scope(scope: s.Scope | None, ctx: CheckContext) -> None:
    """`in group g`: g must be a `one of` indicator (its values name the groups)."""
    if scope is None or scope.group is None:
        return
    name = scope.group.name
    indicator = ctx.symbols.indicators.get(name)
    if indicator is not None and indicator.kind == "options":
        return
    if indicator is None and name not in ctx.symbols.lets:
        return  # unknown: E101, from name resolution (`rule_expressions` yields g)
    kind_en, kind_vi = (f"a {indicator.kind} indicator", f"chỉ tiêu kiểu {indicator.kind}") \
        if indicator is not None else ("a derived value", "giá trị dẫn xuất")
    ctx.reporter.report(
        codes.COHORT_GROUP, scope.group.span, name=name,
        detail=f"`{name}` is {kind_en}; a group is named by the values of a `one of (…)` "
               "indicator",
        detail_vi=f"`{name}` là {kind_vi}; nhóm được xác định bởi giá trị của một chỉ tiêu "
                  "`one of (…)`")


def beats(pick: Pick, value: Any, current: Any) -> bool:
    """Whether `value` replaces `current` as a block's cohort figure (its min or its max);
    Fractions, or the raw figures and floats the fast path carries."""
    assert not is_aggregate(pick), "an aggregate or a standing is no pick"
    return bool(value > current if pick == "max" else value < current)


@dataclass(frozen=True, slots=True)
class Standings:
    """A cohort's values, sorted (each entity's own among them): what an entity's standing
    is read from, by its own value (`standing`), in O(log n)."""

    values: tuple[Fraction, ...]

    def standing(self, pick: Pick, own: Fraction) -> Fraction:
        """How many of the others are below `own`, above it, or level with it."""
        below = bisect_left(self.values, own)
        if pick == "below":
            return Fraction(below)
        above = len(self.values) - bisect_right(self.values, own)
        if pick == "above":
            return Fraction(above)
        assert pick == "level", pick
        return Fraction(max(len(self.values) - below - above - 1, 0))  # itself not counted


def standing(pick: Pick, figure: Any, own: Fraction | None) -> Any:
    """A cohort figure as one entity reads it: its standing among the `Standings` found, by
    its own value (0 when it has none: the node does not apply to it, the figure is never
    read); any other figure as found."""
    if pick not in STANDINGS or not isinstance(figure, Standings):
        return figure
    return ZERO if own is None else figure.standing(pick, own)


def aggregate(pick: Pick, values: Sequence[Fraction]) -> Any:
    """The mean or the population sd (÷ n, as COINr and the UN EGDI standardise) of a block's
    values, exactly (an irrational sd to DIGITS significant digits: `square_root`); their
    count; or, for a standing, the values sorted (`Standings`)."""
    from egov_rules.kinds.index_methods import square_root

    if isinstance(pick, Reduction):
        return pick.of(values)
    if pick in STANDINGS:
        return Standings(tuple(sorted(values)))
    if pick == "count":
        return Fraction(len(values))
    mean = sum(values, ZERO) / len(values)
    if pick == "mean":
        return mean
    return square_root(sum(((v - mean) ** 2 for v in values), ZERO) / len(values))


class Gather:
    """One cohort figure of one block, from its entities' values added one at a time: a pick
    kept as it runs, an aggregate or the standings from every value kept (O(entities), for
    that figure only).
    `exact` is False when the values are the fast path's raw figures or floats: an aggregate
    of them is then left to the exact values (`result` None)."""

    __slots__ = ("count", "current", "exact", "pick", "values")

    def __init__(self, pick: Pick, exact: bool = True) -> None:
        self.pick, self.exact = pick, exact
        self.current: Any = None
        self.values: list[Fraction] = []
        self.count = 0

    def add(self, value: Any) -> None:
        self.count += 1
        if is_aggregate(self.pick):
            if self.exact:
                self.values.append(value)
        elif self.current is None or beats(self.pick, value, self.current):
            self.current = value

    def result(self) -> Any:
        if not is_aggregate(self.pick):
            return self.current
        return aggregate(self.pick, self.values) if self.values else None


def gives_way(count: int, reference: Fraction | None) -> bool:
    """Whether a figure found over `count` values gives way to the reference its rule states:
    over one value only — the entity's own — it is no cohort (a min equal to its max, a best
    that is itself), and `reference …` is written for an entity scored alone
    (docs/language.md, "A cohort of one")."""
    return count == 1 and reference is not None


class Held(Gather):
    """A `Gather` of exact values that also knows whose figure it is (the explanation's
    provenance): the holder of a pick — on a tie the first in input order, an entity scored
    before one of the cohort file, so that the file's order and the cohort's do not matter —,
    how many hold it, and how many values (of them, the cohort file's) it was found over."""

    __slots__ = ("file_count", "holder", "holder_file", "holders", "ties")

    def __init__(self, pick: Pick) -> None:
        super().__init__(pick)
        self.holder: str | None = None
        self.holder_file = False
        self.ties = self.file_count = 0
        self.holders: list[tuple[str, bool]] = []  # a Reduction's: who gave each value

    def add_held(self, value: Any, holder: str, from_file: bool) -> None:
        self.count += 1
        self.file_count += from_file
        if isinstance(self.pick, Reduction):
            self.values.append(value)
            self.holders.append((holder, from_file))
        elif self.pick in KEPT:
            self.values.append(value)
        elif self.current is None or beats(self.pick, value, self.current):
            self.current, self.holder, self.holder_file, self.ties = value, holder, from_file, 1
        elif value == self.current:
            self.ties += 1
            if self.holder_file and not from_file:
                self.holder, self.holder_file = holder, False

    def source(self, where: tuple[str, str]) -> CohortSource:
        """Where the figure came from, once every value is added; `where`: its partition."""
        scope, group = where[0], (where[1] if where[0] == "group" else None)
        held = self.pick.held_by(self.values) if isinstance(self.pick, Reduction) else []
        if held:  # a Reduction's min or max: the first in input order, one scored before
            # one of the cohort file
            self.holder, self.holder_file = min((self.holders[k] for k in held),
                                                key=lambda h: h[1])
            self.ties = len(held)
        elif is_aggregate(self.pick):
            return CohortSource.model_construct(kind="cohort", count=self.count,
                                                from_file=self.file_count, scope=scope,
                                                group=group)
        return CohortSource.model_construct(
            kind="cohort file" if self.holder_file else "cohort", entity=self.holder,
            ties=self.ties, count=self.count, from_file=self.file_count, scope=scope,
            group=group)


GIVEN = CohortSource.model_construct(kind="given")


@functools.lru_cache(maxsize=256)
def stated_source(line: int | None) -> CohortSource:
    """A figure the rule states (`reference …`), at its line."""
    return CohortSource.model_construct(kind="rule", line=line)


@dataclass(frozen=True, slots=True)
class CohortUse:
    """A rule scored against figures of the entity's block (one per `CohortFigure`)."""

    figures: tuple[CohortFigure, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """The change in one input that earns the next points of a node, as data."""

    input: str
    current: RuntimeValue
    target: RuntimeValue
    gain: Fraction


@dataclass(frozen=True, slots=True)
class Outcome(Generic[F]):
    """What a rule awarded one entity and the facts of the branch that fired."""

    points: Fraction
    facts: F


def raise_words(target: Target, model: Model, env: Mapping[str, RuntimeValue]) -> Text:
    """The hint to raise (or lower) a numeric input to a target: the numeric kinds' words."""
    from egov_rules.explain import hint_raise

    assert isinstance(target.current, Fraction) and isinstance(target.target, Fraction)
    return hint_raise(model, target.input, target.current, target.target, target.gain, env)


# An annex table: what its first column holds ("condition" for bands, "value" for tables), then
# rows of (that condition or value in words, points).
AnnexRows = tuple[Literal["condition", "value"], tuple[tuple[Text, Fraction], ...]]


class RuleKind(ABC, Generic[R, F]):
    """One kind of scoring rule; see the module docstring for the facets."""

    keyword: ClassVar[str]  # as written and as `NodeResult.rule` names it

    @abstractmethod
    def check_types(self, rule: R, checker: TypeChecker) -> None:
        """Report an input expression of the wrong type."""

    @abstractmethod
    def check(self, rule: R, ctx: CheckContext) -> tuple[s.Number, ...]:
        """Report what is wrong with the rule on its own; return the point values it can
        award, which the caller compares with the node's maximum."""

    @abstractmethod
    def cohort(self, rule: R) -> CohortUse | None:
        """How the rule compares an entity with the others of its block (None: it does not)."""

    @abstractmethod
    def score(self, rule: R, node: s.Node, value: RuntimeValue, maximum: Fraction,
              ctx: ScoreContext) -> Outcome[F]:
        """Points for the value of the rule's expression, out of `maximum`, with the facts
        the words and the next points are made from; no words (they cost more than the
        scoring and most results are never read as text)."""

    @abstractmethod
    def next_target(self, rule: R, facts: F, points: Fraction, maximum: Fraction,
                    ctx: ScoreContext) -> Target | None:
        """The nearest change in one input that earns more points, from the facts `score`
        recorded (None at the maximum, or when no single input would do). Asked only when a
        result is read: most scored entities are never explained."""

    @abstractmethod
    def branch_words(self, rule: R, facts: F, points: Fraction, maximum: Fraction,
                     model: Model) -> Text:
        """The branch that fired, in words, from the facts `score` recorded."""

    @abstractmethod
    def hint_words(self, rule: R, target: Target, model: Model,
                   env: Mapping[str, RuntimeValue]) -> Text:
        """The next-point hint `score` found, in words."""

    @abstractmethod
    def emit(self, rule: R, node: s.Node, maximum: Fraction, g: Gen) -> Num:
        """The rule's points as generated Python, for the exact and the fast variant alike
        (the compiled path of `Methodology.score`): `emit.py` holds the primitives and how a
        decision is proven, `codegen.py` assembles the block around it."""

    @abstractmethod
    def describe(self, rule: R, model: Model, maximum: Fraction) -> Text:
        """How the rule turns its input into points, before any entity is scored (annexes)."""

    @abstractmethod
    def annex_rows(self, rule: R, model: Model) -> AnnexRows | None:
        """The rule as a table of conditions and points, when it is one."""

    def cohort_terms(self, rule: R) -> tuple[s.Expr, ...] | None:
        """The expressions a rule of several terms finds its cohort figures from: each
        entity's values of them, as one tuple, are what its figures gather (None: the rule's
        input alone, one value, as most kinds)."""
        return None

    @abstractmethod
    def shape(self, rule: R, ctx: ShapeContext) -> Dir:
        """How the rule's points move as its input value rises."""

    @abstractmethod
    def literals(self, rule: R) -> set[Fraction]:
        """The numbers written in the rule (thresholds, keys, ends of a scale): the values
        the counterexample search tries first."""
