"""The syntax tree of a rule file: one frozen dataclass per construct, each with its span.

Nothing here is checked: a tree may name unknown indicators or hold two rules in one node.
`resolve.py`, `typecheck.py` and `checks/` find those mistakes; `build.py` only builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from egov_rules.source import Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Ref:
    """A name used somewhere (a reference), with where it was written."""

    name: str
    span: Span


# -- expressions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Number:
    """A numeric literal; `29%` is stored as 29/100 with `percent=True`."""

    value: Fraction
    percent: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class YesNo:
    """The literal `yes` or `no`."""

    value: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Name:
    """A reference to an indicator, a derived value (`let`) or, in a comparison, an option."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Binary:
    """Arithmetic (`+ - * /`), comparison (`= != < <= > >=`) or logic (`and`, `or`)."""

    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Unary:
    """`-x` or `not x`."""

    op: Literal["-", "not"]
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Call:
    """`min(…)`, `max(…)`, `clamp(x, low, high)` or `count_yes(a, b, …)`."""

    func: Literal["min", "max", "clamp", "count_yes"]
    args: tuple[Expr, ...]
    span: Span


Expr = Number | YesNo | Name | Binary | Unary | Call

ARITHMETIC_OPS = frozenset({"+", "-", "*", "/"})
COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
LOGIC_OPS = frozenset({"and", "or"})


# -- header, blocks, indicators, lets ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Attribute:
    """A `key value` line under a declaration (e.g. `en "…"`, `unit "Mbps"`)."""

    key: str
    value: str | Fraction | tuple[Fraction, Fraction]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Header:
    """`methodology <id>` with its title, year, legal source and missing-data policy."""

    id: str
    attributes: tuple[Attribute, ...]
    span: Span

    def get(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Block:
    """An entity group ranked on its own (ministries, government agencies, provinces)."""

    id: str
    label: str
    label_en: str | None
    span: Span


IndicatorKind = Literal["count", "number", "percent", "yes/no", "level", "options"]
Direction = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Option:
    """One value of an indicator of type `one of …`."""

    id: str
    label: str | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Indicator:
    """An input: its type, label, direction of improvement and documentation attributes."""

    id: str
    kind: IndicatorKind
    label: str
    direction: Direction
    levels: tuple[int, int] | None  # for `level a..b`
    options: tuple[Option, ...]  # for `one of …`
    attributes: tuple[Attribute, ...]
    span: Span

    def get(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ZeroRule:
    """`if <denominator> = 0: <value>`: what a `let` is worth when a denominator is zero."""

    condition: Expr
    fallback: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Let:
    """A derived value: `let name ["label"] [en "label"] = expr [if d = 0: v]…`."""

    id: str
    label: str | None
    expr: Expr
    zero_rules: tuple[ZeroRule, ...]
    span: Span
    label_en: str | None = None


# -- scoring rules -------------------------------------------------------------------------

BandOp = Literal["at least", "above", "at most", "below", "otherwise"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Band:
    """One row of a `bands` or `grades` table: a condition and what it awards."""

    op: BandOp
    threshold: Number | None  # None for `otherwise`
    award: Number | str  # points, or a grade label
    award_en: str | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Proportional:
    """`proportional x [from a to b] [relative to best in block [reference r]]`."""

    expr: Expr
    low: Number | None
    high: Number | None
    relative: bool
    reference: Number | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Bands:
    """`bands x` with rows tried in order; the first that holds awards its points."""

    expr: Expr
    bands: tuple[Band, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class YesNoRule:
    """`yes/no x`: the full maximum when x is yes, nothing when it is no."""

    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Per:
    """`<n> per x up to <cap>`: n points per unit of x, never more than cap."""

    each: Number
    expr: Expr
    cap: Number
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TableRow:
    """`<level, option, yes/no or otherwise>: points`."""

    key: Number | YesNo | Name | None  # None for `otherwise`
    points: Number
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Table:
    """`table x`: points per level or option of x."""

    expr: Expr
    rows: tuple[TableRow, ...]
    span: Span


Rule = Proportional | Bands | YesNoRule | Per | Table

CombineMode = Literal["sum", "capped sum", "best", "weighted mean"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Group:
    """`sum of`, `capped sum of`, `best of` or `weighted mean of` over child nodes."""

    mode: CombineMode
    children: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MaxSpec:
    """`max 20` or `max ministry 200, province 150`."""

    default: Number | None
    per_block: tuple[tuple[Ref, Number], ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Citation:
    """`[Phụ lục 1B, I.1]`: the clause a node implements."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Exemption:
    """`not monotone in <indicator> "<reason>"`: a deliberate, explained non-monotonicity."""

    indicator: Ref
    reason: str
    span: Span


NodeKind = Literal["category", "criterion"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Node:
    """A category or criterion: header attributes and a body of rules or children.

    `body` keeps everything written under the node, in order, so the checker can say what is
    wrong with it (two rules, a rule beside children, nothing at all).
    """

    kind: NodeKind
    id: str
    label: str
    maximum: MaxSpec | None
    weight: Number | None
    citations: tuple[Citation, ...]
    only: tuple[Ref, ...] | None
    when: Expr | None
    attributes: tuple[Attribute, ...]  # en, note, reconstructed
    body: tuple[Rule | Group | Node, ...]
    span: Span
    exemptions: tuple[Exemption, ...] = ()  # `not monotone in …` lines

    def get(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(b for b in self.body if not isinstance(b, Group | Node))

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(b for b in self.body if isinstance(b, Group))

    @property
    def direct_children(self) -> tuple[Node, ...]:
        return tuple(b for b in self.body if isinstance(b, Node))

    @property
    def children(self) -> tuple[Node, ...]:
        """Child nodes, whether written directly (an implicit sum) or inside a group."""
        found = list(self.direct_children)
        for group in self.groups:
            found.extend(group.children)
        return tuple(found)

    @property
    def mode(self) -> CombineMode:
        groups = self.groups
        return groups[0].mode if groups else "sum"


# -- indices, grades, ranks, examples -----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class IndexTerm:
    """One operand of an index: a node or index, with its weight in a weighted mean."""

    ref: Ref
    weight: Number | None
    span: Span


IndexMethod = Literal["share of max", "weighted mean", "mean"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Index:
    """`index name ["label"] [en "label"] = share of max a, b | weighted mean of a 40%, b 60% |
    mean of a, b`."""

    id: str
    label: str | None
    label_en: str | None = None
    method: IndexMethod
    terms: tuple[IndexTerm, ...]
    round: int | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Grades:
    """`grades idx, …` with label bands (`at least 0.8: "Tốt"`)."""

    targets: tuple[Ref, ...]
    bands: tuple[Band, ...]
    span: Span


TieRule = Literal["competition", "dense"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Rank:
    """`rank idx, … within block ties share a rank` (competition: 1, 1, 3)."""

    targets: tuple[Ref, ...]
    ties: TieRule
    span: Span


ExampleValue = Number | YesNo | Name


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Given:
    """An input value of an example."""

    ref: Ref
    value: ExampleValue
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Expect:
    """`expect name = value` or `expect grade idx = "Tốt"`."""

    ref: Ref
    value: Number | str
    grade: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Reference:
    """`reference node = v`: the best-in-block figure a lone example is scored against."""

    ref: Ref
    value: Number
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Example:
    """Inputs for one entity and the results the author computed by hand."""

    label: str
    block: Ref
    givens: tuple[Given, ...]
    references: tuple[Reference, ...]
    expects: tuple[Expect, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Methodology:
    """A whole rule file."""

    header: Header
    blocks: tuple[Block, ...]
    indicators: tuple[Indicator, ...]
    lets: tuple[Let, ...]
    categories: tuple[Node, ...]
    indices: tuple[Index, ...]
    grades: tuple[Grades, ...]
    ranks: tuple[Rank, ...]
    examples: tuple[Example, ...]
    span: Span


def walk_nodes(nodes: tuple[Node, ...]) -> list[Node]:
    """Every node of a tree, parents before children."""
    out: list[Node] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out
