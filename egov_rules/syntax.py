"""The syntax tree of a rule file: one frozen dataclass per construct, each with its span.

Nothing here is checked: a tree may name unknown indicators or hold two rules in one node.
`resolve.py`, `typecheck.py` and `checks/` find those mistakes; `build.py` only builds.

Equality is structural: two constructs are equal when they say the same thing, wherever
they were written (spans, comments and layout do not count), and `structure_hash` gives a
stable fingerprint of that meaning — what a revision is applied to and a diff compares.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction
from typing import Literal

from egov_rules.source import Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A name used somewhere (a reference), with where it was written."""

    name: str
    span: Span = field(compare=False)  # where it was written is not what it means


# -- expressions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Number:
    """A numeric literal; `29%` is stored as 29/100 with `percent=True`."""

    value: Fraction
    percent: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNo:
    """The literal `yes` or `no`."""

    value: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """A reference to an indicator, a derived value (`let`) or, in a comparison, an option."""

    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary:
    """Arithmetic (`+ - * /`), comparison (`= != < <= > >=`) or logic (`and`, `or`)."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary:
    """`-x` or `not x`."""

    op: Literal["-", "not"]
    operand: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """`min(…)`, `max(…)`, `clamp(x, low, high)` or `count_yes(a, b, …)`."""

    func: Literal["min", "max", "clamp", "count_yes"]
    args: tuple[Expr, ...]
    span: Span = field(compare=False)


Expr = Number | YesNo | Name | Binary | Unary | Call

ARITHMETIC_OPS = frozenset({"+", "-", "*", "/"})
COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
LOGIC_OPS = frozenset({"and", "or"})


# -- header, blocks, indicators, lets ------------------------------------------------------

# A field added after methodologies were hashed: left out of `canonical` while it holds its
# default (None), so that a file that does not use it keeps its content hash.
LATER = {"omit_when_none": True}



@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """A `key value` line under a declaration (e.g. `en "…"`, `unit "Mbps"`)."""

    key: str
    value: str | Fraction | tuple[Fraction, Fraction]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """`methodology <id>` with its title, year, legal source and missing-data policy."""

    id: str
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False)
    # `extends <base>`: the methodology this file revises (docs/revisions.md); None once the
    # revision is resolved into a complete methodology
    extends: Ref | None = field(default=None, metadata=LATER)

    def get(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """An entity group ranked on its own (ministries, government agencies, provinces)."""

    id: str
    label: str
    label_en: str | None
    span: Span = field(compare=False)
    annex: str | None = None  # the number of its annex in the decree (`annex "4"`), if not its rank


IndicatorKind = Literal["count", "number", "percent", "yes/no", "level", "options"]
Direction = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One value of an indicator of type `one of …`."""

    id: str
    label: str | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Indicator:
    """An input: its type, label, direction of improvement and documentation attributes."""

    id: str
    kind: IndicatorKind
    label: str
    direction: Direction
    levels: tuple[int, int] | None  # for `level a..b`
    options: tuple[Option, ...]  # for `one of …`
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False)

    def get(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ZeroRule:
    """`if <denominator> = 0: <value>`: what a `let` is worth when a denominator is zero."""

    condition: Expr
    fallback: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Let:
    """A derived value: `let name ["label"] [en "label"] = expr [if d = 0: v]…`."""

    id: str
    label: str | None
    expr: Expr
    zero_rules: tuple[ZeroRule, ...]
    span: Span = field(compare=False)
    label_en: str | None = None


# -- scoring rules -------------------------------------------------------------------------

BandOp = Literal["at least", "above", "at most", "below", "otherwise"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    """One row of a `bands` or `grades` table: a condition and what it awards."""

    op: BandOp
    threshold: Number | None  # None for `otherwise`
    award: Number | str  # points, or a grade label
    award_en: str | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """The entities a cohort figure is found over: `in block` (the entity's block, the
    default), `in all` (every entity scored together) or `in group g` (those with the entity's
    value of the `one of` indicator g)."""

    kind: Literal["block", "all", "group"]
    group: Name | None  # for `in group g`
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Proportional:
    """`proportional x [from a to b] [relative to best in block [reference r]]`."""

    expr: Expr
    low: Number | None
    high: Number | None
    relative: bool
    reference: Number | None
    span: Span = field(compare=False)
    scope: Scope | None = field(default=None, metadata=LATER)  # `relative to best in …`


@dataclass(frozen=True, slots=True, kw_only=True)
class Bands:
    """`bands x` with rows tried in order; the first that holds awards its points."""

    expr: Expr
    bands: tuple[Band, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNoRule:
    """`yes/no x`: the full maximum when x is yes, nothing when it is no."""

    expr: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Per:
    """`<n> per x up to <cap>`: n points per unit of x, never more than cap."""

    each: Number
    expr: Expr
    cap: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRow:
    """`<level, option, yes/no or otherwise>: points`."""

    key: Number | YesNo | Name | None  # None for `otherwise`
    points: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """`table x`: points per level or option of x."""

    expr: Expr
    rows: tuple[TableRow, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinMax:
    """`min-max x [lower is better] [reference min a max b]`: x placed between the min and the
    max of its block (or the stated a and b)."""

    expr: Expr
    lower: bool
    ref_min: Number | None
    ref_max: Number | None
    span: Span = field(compare=False)
    scope: Scope | None = field(default=None, metadata=LATER)  # None: `in block`


@dataclass(frozen=True, slots=True, kw_only=True)
class ZScore:
    """`z-score x [lower is better] within k [reference mean a sd b]`: z = (x − mean) ÷ sd of
    its block (or the stated a and b), −k…k mapped onto 0…1 of the points."""

    expr: Expr
    lower: bool
    within: Number
    ref_mean: Number | None
    ref_sd: Number | None
    span: Span = field(compare=False)
    scope: Scope | None = field(default=None, metadata=LATER)  # None: `in block`


@dataclass(frozen=True, slots=True, kw_only=True)
class Percentile:
    """`percentile x [lower is better] [in …]`: the share of the others of its cohort with a
    worse x, those level counting half."""

    expr: Expr
    lower: bool
    span: Span = field(compare=False)
    scope: Scope | None = None  # None: `in block`


@dataclass(frozen=True, slots=True, kw_only=True)
class ZTerm:
    """One term of `z-score mean of …`: an indicator or a `let` (a Name) and its weight (None:
    unweighted)."""

    expr: Expr
    weight: Number | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ZMinMax:
    """`z-score mean of a [w], b [w], … then min-max [in …]`: each term standardised over the
    cohort, the z-scores' (weighted) mean, placed between that mean's min and max over the
    cohort (the UN EGDI's TII and HCI). `expr` is the terms' sum, built by the parser: what
    the stages that read one input per rule read (the names it reads, its direction in an
    indicator); the kind scores the terms themselves."""

    terms: tuple[ZTerm, ...]
    expr: Expr
    span: Span = field(compare=False)
    scope: Scope | None = field(default=None, metadata=LATER)  # None: `in block`


Rule = Proportional | Bands | YesNoRule | Per | Table | MinMax | ZScore | Percentile | ZMinMax

CombineMode = Literal["sum", "capped sum", "best", "weighted mean"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """`sum of`, `capped sum of`, `best of` or `weighted mean of` over child nodes."""

    mode: CombineMode
    children: tuple[Node, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MaxSpec:
    """`max 20` or `max ministry 200, province 150`."""

    default: Number | None
    per_block: tuple[tuple[Ref, Number], ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """`[Phụ lục 1B, I.1]`: the clause a node implements."""

    text: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exemption:
    """`not monotone in <indicator> "<reason>"`: a deliberate, explained non-monotonicity."""

    indicator: Ref
    reason: str
    span: Span = field(compare=False)


NodeKind = Literal["category", "criterion"]


@dataclass(frozen=True, slots=True, kw_only=True)
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
    span: Span = field(compare=False)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexTerm:
    """One operand of an index: a node or index, with its weight in a weighted mean."""

    ref: Ref
    weight: Number | None
    span: Span = field(compare=False)


IndexMethod = Literal["share of max", "weighted mean", "mean", "geometric mean", "harmonic mean"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    """`index name ["label"] [en "label"] = share of max a, b | weighted mean of a 40%, b 60% |
    mean of a, b | geometric mean of a, b | harmonic mean of a 2, b 1`."""

    id: str
    label: str | None
    label_en: str | None = None
    method: IndexMethod
    terms: tuple[IndexTerm, ...]
    round: int | None
    scale: Scale | None = None  # None: 0..1
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """`scale 0..100`: an index's 0..1 value mapped linearly onto low..high."""

    low: Number
    high: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grades:
    """`grades idx, …` with label bands (`at least 0.8: "Tốt"`)."""

    targets: tuple[Ref, ...]
    bands: tuple[Band, ...]
    span: Span = field(compare=False)


TieRule = Literal["competition", "dense"]
RankBy = Literal["exact", "rounded"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rank:
    """`rank idx, … within block ties share a rank [by exact|by rounded] [then by idx]`
    (competition: 1, 1, 3)."""

    targets: tuple[Ref, ...]
    ties: TieRule
    by: RankBy | None = None  # None: the rounded value when the index declares rounding
    then: Ref | None = None  # ties on the ranked value broken by this index, higher first
    span: Span = field(compare=False)


ExampleValue = Number | YesNo | Name


@dataclass(frozen=True, slots=True, kw_only=True)
class Given:
    """An input value of an example."""

    ref: Ref
    value: ExampleValue
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Expect:
    """`expect name = value`, `expect grade idx = "Tốt"`, `expect name = not applicable`
    (value None) or `expect name ≈ value ± tolerance`."""

    ref: Ref
    value: Number | str | None
    grade: bool
    tolerance: Number | None = None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """`reference node = v`: the best-in-block figure a lone example is scored against;
    `reference node.min = v`: another cohort figure (`figure` the part after the dot)."""

    ref: Ref
    value: Number
    span: Span = field(compare=False)
    figure: str | None = None

    @property
    def key(self) -> str:
        """The cohort key it states (`node`, or `node.min`), as `references=` names it."""
        return self.ref.name if self.figure is None else f"{self.ref.name}.{self.figure}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """Inputs for one entity and the results the author computed by hand."""

    label: str
    block: Ref
    givens: tuple[Given, ...]
    references: tuple[Reference, ...]
    expects: tuple[Expect, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
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
    span: Span = field(compare=False)
    # a revision's statements, in the order written (None in a complete methodology)
    amendments: tuple[Amendment, ...] | None = field(default=None, metadata=LATER)


# -- revisions (docs/revisions.md) ---------------------------------------------------------

Declaration = Block | Indicator | Let | Node | Index | Grades | Rank


@dataclass(frozen=True, slots=True, kw_only=True)
class Add:
    """`add <declaration>`, or `add to <parent>` with child nodes (`parent` set)."""

    items: tuple[Declaration, ...]
    parent: Ref | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Replace:
    """`replace <declaration>`: the base's declaration of the same id, whole, by this one."""

    items: tuple[Declaration, ...]
    span: Span = field(compare=False)


RemoveWhat = Literal["id", "grades", "rank"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveTarget:
    """`x` (the declaration with that id), `grades x` or `rank x` (x's grades or rank)."""

    what: RemoveWhat
    ref: Ref


@dataclass(frozen=True, slots=True, kw_only=True)
class Remove:
    """`remove a, grades b, rank c`."""

    targets: tuple[RemoveTarget, ...]
    span: Span = field(compare=False)


SettingKey = Literal["max", "weight", "citation", "only", "when", "en", "note", "unit",
                     "evidence", "data_source", "verified_by", "reconstructed", "between",
                     "round", "scale", "terms", "row", "label", "everywhere"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One attribute a `change` sets. `value` is what the attribute holds in the declaration
    (a MaxSpec, a Number, a Citation, refs, an expression, text, a Scale…); `terms` holds
    (method, terms) and `row` (row number, band)."""

    key: SettingKey
    value: object
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """`change <id>` (a node, index, indicator or let) or `change grades <index>`, with the
    attributes it sets."""

    target: Ref
    grades: bool
    settings: tuple[Setting, ...]
    span: Span = field(compare=False)


Amendment = Add | Replace | Remove | Change


def walk_nodes(nodes: tuple[Node, ...]) -> list[Node]:
    """Every node of a tree, parents before children."""
    out: list[Node] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def canonical(value: object) -> str:
    """A construct written out without its spans: equal constructs give equal text."""
    if is_dataclass(value) and not isinstance(value, type):
        parts = (f"{f.name}={canonical(getattr(value, f.name))}" for f in fields(value)
                 if f.compare and not (f.metadata.get("omit_when_none")
                                       and getattr(value, f.name) is None))
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return repr(value)


def structure_hash(tree: Methodology) -> str:
    """A fingerprint of what a methodology says (not of how its file is laid out)."""
    return "sha256:" + hashlib.sha256(canonical(tree).encode("utf-8")).hexdigest()

