"""Results: pydantic models with a versioned JSON Schema. Everything that leaves the library
(an API call, `--json`, a report) is one of these.

Exact numbers are `Fraction`s in Python and strings in JSON: a terminating decimal when the
value has one ("28.5"), otherwise a ratio ("2/3"); `numbers.exact_str` writes them and
`Fraction(s)` reads either back exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import core_schema

from egov_rules.diagnostics import Lang, Text
from egov_rules.numbers import exact_str

SCHEMA_VERSION = "egov_rules.evaluation.v1"


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


_Item = TypeVar("_Item")
_Key = TypeVar("_Key", bound=Hashable)


class _Model(BaseModel):
    # Validators and serialisers are built on first use: `egov-rules check` builds results
    # with model_construct and never needs them (its process starts about 50 ms sooner).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def _first_by(self, name: str, items: list[_Item], key: Callable[[_Item], _Key]
                  ) -> dict[_Key, _Item]:
        """`key(item)` → the first item of `items` with that key, built on first use so that
        looking up every entity of a ranking is linear, not quadratic.

        The table is kept in the instance `__dict__` beside the fields: a frozen model forbids
        setting attributes, not this, and pydantic dumps, validates and compares fields only.
        It remembers the list it was built from, since `model_copy(update=…)` copies
        `__dict__` (the table too) while it may replace that list."""
        cached = self.__dict__.get(name)
        if cached is None or cached[0] is not items:
            table: dict[_Key, _Item] = {}
            for item in items:
                table.setdefault(key(item), item)  # the first of duplicates, as a search finds
            cached = self.__dict__[name] = (items, table)
        return cast(dict[_Key, _Item], cached[1])


class ValueRead(_Model):
    """An input or derived value a node read, as it was when the node was scored."""

    name: str
    label: str | None = None
    label_en: str | None = None
    value: Value
    shown: Text = Field(description="the value as people read it (e.g. 95%)")
    formula: str | None = Field(None, description="for a derived value: its definition")
    inputs: list[ValueRead] = Field(
        default_factory=list,
        description="for a derived value: the values its formula reads, without their own inputs",
    )


class NextPoints(_Model):
    """The change in one input that earns the next points of a node below its maximum."""

    input: str
    current: Value
    target: Value
    gain: Exact
    words: Text


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
    branch: Text = Field(description="the rule branch that fired, in words")
    next: NextPoints | None = None


class IndexResult(_Model):
    """A headline figure (share of maximum or weighted mean) with its grade."""

    id: str
    label: str | None = None
    label_en: str | None = None
    method: str
    value: Exact | None = Field(None, description="exact, before the declared rounding")
    rounded: Exact | None = Field(None, description="after the declared rounding")
    round: int | None = None
    points: Exact | None = None
    max: Exact | None = None
    grade: str | None = None
    grade_en: str | None = None
    words: Text
    next_grade: Text | None = None


T = TypeVar("T", NodeResult, IndexResult)


class _Results(Sequence[T]):
    """An evaluation's node (or index) results, in order, looked up by id in constant time.

    Results the evaluator produced are made from its facts each time they are read — words,
    values read and hints included — so an evaluation holds only facts (a few KB) however
    much of it is explained. Results read from JSON are kept as they were read.
    """

    item_type: ClassVar[type[BaseModel]]
    __slots__ = ("_made", "_make", "_position")

    def __init__(self, position: Mapping[str, int] | None = None,
                 make: Callable[[int], T] | None = None, made: list[T] | None = None) -> None:
        """Either `made` results, or `make(k)` for the k-th result of ids at `position` (a
        mapping the evaluator shares between the evaluations of one methodology)."""
        self._make: Callable[[int], T] | None = make
        self._made: list[T] | None = made
        if position is None:
            found: dict[str, int] = {}
            for k, result in enumerate(made or ()):
                found.setdefault(result.id, k)  # a repeated id (a forged record): the first
            position = found
        self._position = position

    @classmethod
    def of(cls, made: list[T]) -> _Results[T]:
        return cls(made=list(made))

    def __len__(self) -> int:
        return len(self._made) if self._made is not None else len(self._position)

    @overload
    def __getitem__(self, position: int) -> T: ...

    @overload
    def __getitem__(self, position: slice) -> list[T]: ...

    def __getitem__(self, position: int | slice) -> T | list[T]:
        if isinstance(position, slice):
            return [self[k] for k in range(len(self))[position]]
        if self._made is not None:
            return self._made[position]
        assert self._make is not None
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._make(position)

    def by_id(self, result_id: str) -> T:
        return self[self._position[result_id]]

    def __contains__(self, item: object) -> bool:
        return item in self._position if isinstance(item, str) else item in list(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Results | list):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        items = handler.generate_schema(list[cls.item_type])  # type: ignore[name-defined]
        from_list = core_schema.no_info_after_validator_function(cls.of, items)
        return core_schema.json_or_python_schema(
            json_schema=from_list,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_list]),
            serialization=core_schema.plain_serializer_function_ser_schema(list, return_schema=items),
        )


class NodeResults(_Results[NodeResult]):
    item_type = NodeResult


class IndexResults(_Results[IndexResult]):
    item_type = IndexResult


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
    block_label_en: str | None = None
    inputs: dict[str, Value]
    cohort: dict[str, Exact] = Field(
        default_factory=dict,
        description="node id → best value in the block used by `relative to best in block`",
    )
    nodes: NodeResults
    indices: IndexResults

    def node(self, node_id: str) -> NodeResult:
        return self.nodes.by_id(node_id)

    def index(self, index_id: str) -> IndexResult:
        return self.indices.by_id(index_id)

    def points(self, node_id: str) -> Fraction | None:
        return self.node(node_id).points

    def explain(self, lang: Lang = "vi") -> str:
        """A readable per-criterion explanation in Vietnamese or English."""
        from egov_rules.explain import render_evaluation

        return render_evaluation(self, lang)

    def largest_gains(self, per_category: int = 3) -> dict[str, list[NodeResult]]:
        """Top-level category id → its nodes with a next-point hint, largest gain first.

        A gain is counted on the node that earns it (a sub-criterion of a weighted mean adds
        less to its category than to itself)."""
        by_id = {node.id: node for node in self.nodes}

        def category_of(node: NodeResult) -> str:
            while node.parent is not None and node.parent in by_id:
                node = by_id[node.parent]
            return node.id

        gains: dict[str, list[NodeResult]] = {n.id: [] for n in self.nodes if n.depth == 0}
        for node in self.nodes:
            if node.next is not None:
                gains.setdefault(category_of(node), []).append(node)
        # A stable sort: equal gains keep the methodology's order.
        return {
            category: sorted(nodes, key=lambda n: -(n.next.gain if n.next else 0))[:per_category]
            for category, nodes in gains.items()
        }


class RankEntry(_Model):
    index: str
    block: str
    entity: str
    value: Exact | None
    rank: int | None
    grade: str | None = None
    grade_en: str | None = None


class RankStep(_Model):
    """What lifts one entity to the next rank of one index in its block."""

    index: str
    block: str
    rank: int | None
    of: int = Field(description="how many entities of the block are ranked")
    value: Exact | None
    target_rank: int | None = Field(default=None, description="None when already first")
    target_entities: list[str] = Field(default_factory=list)
    target_value: Exact | None = None
    index_gap: Exact | None = Field(
        default=None, description="how much the index must rise to share the target's rank")
    points_needed: Exact | None = Field(
        default=None, description="for a share-of-max index: the points that would do it")


class Difference(_Model):
    """One value that differs between a recorded ranking and its recomputation."""

    entity: str
    node: str
    field: str
    recorded: str
    recomputed: str


def _flat(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _compare(entity: str, node: str, recorded: dict[str, Any], recomputed: dict[str, Any]
             ) -> list[Difference]:
    return [
        Difference(entity=entity, node=node, field=key, recorded=_flat(recorded.get(key)),
                   recomputed=_flat(recomputed.get(key)))
        for key in sorted(set(recorded) | set(recomputed))
        if recorded.get(key) != recomputed.get(key)
    ]


def _keyed(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items}


def _evaluation_differences(name: str, old: dict[str, Any], new: dict[str, Any]
                            ) -> list[Difference]:
    found: list[Difference] = []
    plain = {k: v for k, v in old.items() if k not in ("nodes", "indices", "inputs", "cohort")}
    plain_new = {k: v for k, v in new.items() if k not in ("nodes", "indices", "inputs", "cohort")}
    found += _compare(name, "—", plain, plain_new)
    found += _compare(name, "inputs", old.get("inputs", {}), new.get("inputs", {}))
    found += _compare(name, "cohort", old.get("cohort", {}), new.get("cohort", {}))
    for part in ("nodes", "indices"):
        before, after = _keyed(old.get(part, []), "id"), _keyed(new.get(part, []), "id")
        for node in sorted(set(before) | set(after)):
            found += _compare(name, node, before.get(node, {}), after.get(node, {}))
    return found


class _RankTable:
    """One index in one block, best first, and what `next_rank` looks up in it: each entity's
    row, and the values held, highest first, each with the rank and entities of its first
    row (read from the rows, not recomputed: a record read back is taken as it is)."""

    def __init__(self, rows: list[RankEntry]) -> None:
        self.rows = rows
        self.own: dict[str, RankEntry] = {}
        self.ranked = 0
        held: dict[Fraction, tuple[int | None, list[str]]] = {}
        for row in rows:
            self.own.setdefault(row.entity, row)
            self.ranked += row.rank is not None
            if row.value is not None:
                held.setdefault(row.value, (row.rank, []))[1].append(row.entity)
        self.values = sorted(held)  # lowest first, for bisection
        self.held = held

    def lowest_above(self, value: Fraction) -> tuple[Fraction, int | None, list[str]] | None:
        """The lowest value held above `value`, with its rank and entities (None: first)."""
        at = bisect.bisect_right(self.values, value)
        if at == len(self.values):
            return None
        target = self.values[at]
        return target, *self.held[target]


class Ranking(_Model):
    """Evaluations of many entities scored together, ranked within each block."""

    schema_version: str = SCHEMA_VERSION
    methodology: MethodologyInfo
    evaluations: list[Evaluation]
    ranks: list[RankEntry]
    ties: dict[str, str] = Field(default_factory=dict, description="index id → tie rule")
    # The audit record: enough to find and re-run exactly what produced this ranking.
    library_version: str | None = Field(default=None, description="egov_rules version that computed it")
    methodology_path: str | None = Field(default=None, description="the rule file, as it was given")
    inputs_path: str | None = Field(default=None, description="the data file, as it was given")
    inputs_sheet: str | None = Field(default=None, description="the XLSX sheet read, when one was named")
    inputs_hash: str | None = Field(default=None, description="sha256 of the data file's bytes")

    def evaluation(self, entity: str) -> Evaluation:
        """The evaluation of `entity` (the first, should a forged record repeat it)."""
        return self._first_by("_evaluation_by_entity", self.evaluations, lambda e: e.entity)[entity]

    def table(self, index: str, block: str) -> list[RankEntry]:
        """Entries of one index in one block, best first (unranked entries last)."""
        found = self._tables().get((index, block))
        return [] if found is None else list(found.rows)

    def _tables(self) -> dict[tuple[str, str], _RankTable]:
        """Every (index, block)'s table, built in one pass over the ranks on first use (kept
        like `_first_by`'s): filtering all ranks per table, and per entity in `next_rank`,
        made explaining every entity of a ranking quadratic."""
        cached = self.__dict__.get("_rank_tables")
        if cached is None or cached[0] is not self.ranks:
            grouped: dict[tuple[str, str], list[RankEntry]] = {}
            for row in self.ranks:
                grouped.setdefault((row.index, row.block), []).append(row)
            cached = self.__dict__["_rank_tables"] = (self.ranks, {
                key: _RankTable(sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.entity)))
                for key, rows in grouped.items()})
        return cast(dict[tuple[str, str], _RankTable], cached[1])

    def rank_of(self, entity: str, index: str) -> int | None:
        rows = self._first_by("_rank_by_entity", self.ranks, lambda row: (row.entity, row.index))
        return rows[entity, index].rank

    def next_rank(self, entity: str) -> list[RankStep]:
        """For each ranked index: how far `entity` is from the nearest entity above it."""
        evaluation = self.evaluation(entity)
        return [self._step(evaluation, index) for index in self.ties]

    def _step(self, evaluation: Evaluation, index_id: str) -> RankStep:
        table = self._tables()[index_id, evaluation.block]
        own = table.own[evaluation.entity]
        step = RankStep(index=index_id, block=evaluation.block, rank=own.rank, value=own.value,
                        of=table.ranked)
        above = None if own.value is None else table.lowest_above(own.value)
        if above is None or own.value is None:
            return step
        target, target_rank, target_entities = above
        result = evaluation.index(index_id)
        # Half-up rounding: the exact index only has to reach target − half a unit.
        threshold = target - (Fraction(1, 2 * 10**result.round) if result.round is not None else 0)
        exact = result.value if result.value is not None else own.value
        points = None
        if result.points is not None and result.max:  # an index that adds up points
            points = threshold * result.max - result.points
        return step.model_copy(update={
            "target_rank": target_rank, "target_entities": target_entities,
            "target_value": target, "index_gap": threshold - exact, "points_needed": points,
        })

    def differences(self, recomputed: Ranking) -> list[Difference]:
        """Every value in which this (recorded) ranking differs from `recomputed`."""
        old = self.model_dump(mode="json")
        new = recomputed.model_dump(mode="json")
        found: list[Difference] = []
        before, after = _keyed(old["evaluations"], "entity"), _keyed(new["evaluations"], "entity")
        for name in sorted(set(before) | set(after)):
            if name not in before or name not in after:
                found.append(Difference(entity=name, node="—", field="entity",
                                        recorded="present" if name in before else "absent",
                                        recomputed="present" if name in after else "absent"))
                continue
            found += _evaluation_differences(name, before[name], after[name])
        ranks_old = {(r["index"], r["entity"]): r for r in old["ranks"]}
        ranks_new = {(r["index"], r["entity"]): r for r in new["ranks"]}
        for key in sorted(set(ranks_old) | set(ranks_new)):
            found += _compare(key[1], f"rank:{key[0]}", ranks_old.get(key, {}), ranks_new.get(key, {}))
        found += _compare("—", "ties", old["ties"], new["ties"])
        found += _compare("—", "methodology", old["methodology"], new["methodology"])
        return found

    def explain(self, lang: Lang = "vi") -> str:
        from egov_rules.explain import render_ranking

        return render_ranking(self, lang)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a ranking (which contains evaluations)."""
    return Ranking.model_json_schema()
