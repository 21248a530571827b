"""Results: pydantic models with a versioned JSON Schema. Everything that leaves the library
(an API call, `--json`, a report) is one of these.

Exact numbers are `Fraction`s in Python and strings in JSON: a terminating decimal when the
value has one ("28.5"), otherwise a ratio ("2/3"). `Fraction(s)` reads either back exactly.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema

from egov_rules.diagnostics import Lang

SCHEMA_VERSION = "egov_rules.evaluation.v1"


def exact_str(value: Fraction) -> str:
    """A Fraction as a terminating decimal when it has one, else `p/q`."""
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parse_exact(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number, got a yes/no")
    if isinstance(value, int | str | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    raise ValueError(f"expected an exact number, got {type(value).__name__}")


Exact = Annotated[
    Fraction,
    PlainValidator(_parse_exact),
    PlainSerializer(exact_str, return_type=str, when_used="json"),
    WithJsonSchema({
        "type": "string",
        "pattern": r"^-?\d+(\.\d+)?$|^-?\d+/\d+$",
        "description": "an exact number: a decimal, or p/q when it has no finite decimal",
    }),
]
def _parse_value(value: Any) -> Fraction | bool | str:
    """Numbers (or numeric strings) → Fraction; yes/no → bool; option ids stay strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            return value  # an option id: identifiers never parse as numbers
    return _parse_exact(value)


def _value_json(value: Fraction | bool | str) -> str | bool:
    return exact_str(value) if isinstance(value, Fraction) else value


Value = Annotated[
    Fraction | bool | str,
    PlainValidator(_parse_value),
    PlainSerializer(_value_json, when_used="json"),
    WithJsonSchema({
        "anyOf": [{"type": "string"}, {"type": "boolean"}],
        "description": "a number as an exact string, a yes/no as a boolean, or an option id",
    }),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Words(_Model):
    """A phrase in both languages."""

    en: str
    vi: str

    def __call__(self, lang: Lang) -> str:
        return self.vi if lang == "vi" else self.en


class ValueRead(_Model):
    """An input or derived value a node read, as it was when the node was scored."""

    name: str
    label: str | None = None
    label_en: str | None = None
    value: Value
    shown: Words = Field(description="the value as people read it (e.g. 95%)")
    formula: str | None = Field(None, description="for a derived value: its definition")
    inputs: list[ValueRead] = Field(default_factory=list)


class NextPoints(_Model):
    """The change in one input that earns the next points of a node below its maximum."""

    input: str
    current: Value
    target: Value
    gain: Exact
    words: Words


class NodeResult(_Model):
    """One category or criterion of one entity: what was read, what fired, what it earned."""

    id: str
    kind: Literal["category", "criterion"]
    label: str
    label_en: str | None = None
    parent: str | None = None
    depth: int
    children: list[str] = Field(default_factory=list)
    applicable: bool
    points: Exact | None = Field(None, description="None when the node does not apply")
    max: Exact | None = Field(None, description="the maximum for this entity's block")
    citations: list[str] = Field(default_factory=list)
    reconstructed: str | None = Field(
        None, description="set when the node is a reconstruction, not the source's own figure"
    )
    read: list[ValueRead] = Field(default_factory=list)
    rule: str = Field(description="which kind of rule scored the node")
    branch: Words = Field(description="the rule branch that fired, in words")
    next: NextPoints | None = None


class IndexResult(_Model):
    """A headline figure (share of maximum or weighted mean) with its grade."""

    id: str
    label: str | None = None
    method: str
    value: Exact | None = Field(None, description="exact, before the declared rounding")
    rounded: Exact | None = Field(None, description="after the declared rounding")
    round: int | None = None
    points: Exact | None = None
    max: Exact | None = None
    grade: str | None = None
    grade_en: str | None = None
    words: Words
    next_grade: Words | None = None


class MethodologyInfo(_Model):
    id: str
    title: str | None = None
    title_en: str | None = None
    year: int | None = None
    source: str | None = None
    content_hash: str


class Evaluation(_Model):
    """Everything computed for one entity, with an explanation for every node."""

    schema_version: str = SCHEMA_VERSION
    methodology: MethodologyInfo
    entity: str
    block: str
    block_label: str | None = None
    inputs: dict[str, Value]
    cohort: dict[str, Exact] = Field(
        default_factory=dict,
        description="node id → best value in the block used by `relative to best in block`",
    )
    nodes: list[NodeResult]
    indices: list[IndexResult]

    def node(self, node_id: str) -> NodeResult:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def index(self, index_id: str) -> IndexResult:
        for index in self.indices:
            if index.id == index_id:
                return index
        raise KeyError(index_id)

    def points(self, node_id: str) -> Fraction | None:
        return self.node(node_id).points

    def explain(self, lang: Lang = "vi") -> str:
        """A readable per-criterion explanation in Vietnamese or English."""
        from egov_rules.explain import render_evaluation

        return render_evaluation(self, lang)


class RankEntry(_Model):
    index: str
    block: str
    entity: str
    value: Exact | None
    rank: int | None
    grade: str | None = None
    grade_en: str | None = None


class Ranking(_Model):
    """Evaluations of many entities scored together, ranked within each block."""

    schema_version: str = SCHEMA_VERSION
    methodology: MethodologyInfo
    evaluations: list[Evaluation]
    ranks: list[RankEntry]
    ties: dict[str, str] = Field(default_factory=dict, description="index id → tie rule")

    def evaluation(self, entity: str) -> Evaluation:
        for evaluation in self.evaluations:
            if evaluation.entity == entity:
                return evaluation
        raise KeyError(entity)

    def table(self, index: str, block: str) -> list[RankEntry]:
        """Entries of one index in one block, best first (unranked entries last)."""
        rows = [r for r in self.ranks if r.index == index and r.block == block]
        return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.entity))

    def rank_of(self, entity: str, index: str) -> int | None:
        for row in self.ranks:
            if row.entity == entity and row.index == index:
                return row.rank
        raise KeyError((entity, index))

    def explain(self, lang: Lang = "vi") -> str:
        from egov_rules.explain import render_ranking

        return render_ranking(self, lang)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a ranking (which contains evaluations)."""
    return Ranking.model_json_schema()
