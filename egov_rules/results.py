"""Results: pydantic models with a versioned JSON Schema. Everything that leaves the library
(an API call, `--json`, a report) is one of these.

Exact numbers are `Fraction`s in Python and strings in JSON: a terminating decimal when the
value has one ("28.5"), otherwise a ratio ("2/3"); `numbers.exact_str` writes them and
`Fraction(s)` reads either back exactly.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast, overload

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Lang, Text
from egov_rules.numbers import exact_str
from egov_rules.scale import UNIT, to_share
from egov_rules.source import shown_path

SCHEMA_VERSION = "egov_rules.evaluation.v1"


def visible(text: str) -> str:
    """`text` with control and format characters written as escapes (`\\n`, `\\u202e`): a
    record's strings are shown to people, and must not start a line, move the cursor or
    reverse what follows."""
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(c).startswith("C") else c for c in text)


def _known_schema(version: str) -> str:
    if version != SCHEMA_VERSION:  # other fields may mean other things: never guess
        raise ValueError(f"schema `{visible(version)}` is not `{SCHEMA_VERSION}`, "
                         "the one this version of egov_rules reads")
    return version


SchemaVersion = Annotated[str, AfterValidator(_known_schema)]


# A record's numbers are ours (decimals or p/q, never an exponent) or a caller's reference
# figures: bounded before Fraction sees them, which would build 10^99999999 digit by digit.
# Ours grow long: an index averaging 49 min-max shares of 17-digit data (COINr's ASEM) is a
# p/q of 2,400 characters; Python reads at most 4,300 digits a part, so 8,000 in all.
_MAX_NUMBER_CHARS = 8_000
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")


def _bounded_fraction(text: str) -> Fraction:
    exponent = _EXPONENT.search(text)
    if len(text) > _MAX_NUMBER_CHARS or (exponent is not None and len(exponent[1]) > 4):
        raise ValueError(f"a number of more than {_MAX_NUMBER_CHARS:,} characters or with an "
                         "exponent beyond 9999")
    return Fraction(text)


def _parse_exact(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number, got a yes/no")
    if isinstance(value, str):
        return _bounded_fraction(value)
    if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > 9_999:
        raise ValueError("a number with an exponent beyond 9999")
    if isinstance(value, int | Decimal):
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
            return _bounded_fraction(value)
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
    missing: str | None = Field(
        None, description="the `missing` policy that filled it when the entity did not give it")


class Denominated(_Model):
    """`x per d`: the value given and the denominator it was divided by (the quotient, which
    the rules read, is the indicator's value in `inputs`)."""

    given: Exact = Field(description="the value as given, before the division")
    per: str = Field(description="the denominator's indicator id")
    denominator: Exact = Field(description="the denominator's value (positive)")


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
    scale: list[Exact] | None = Field(None, description="[low, high] of a declared scale "
                                      "(value and rounded are on it); None: 0..1")
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

    def has(self, result_id: str) -> bool:
        """Whether a result of this id is held (`in` says it too, untyped: a Sequence's
        `in` is typed for its items)."""
        return result_id in self._position

    def ids(self) -> list[str]:
        """The results' ids in order, repeats included, without making a result: those the
        evaluator makes have one id each (its position table); those read are looked at."""
        if self._made is not None:
            return [result.id for result in self._made]
        return sorted(self._position, key=self._position.__getitem__)

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


class ReadingOptions(_Model):
    """How the data was read and scored beyond its bytes: what `verify-record` must repeat.
    Figures and words are kept (safe to take back); files only by their hash (never read)."""

    locale: Literal["vi", "en"] | None = Field(default=None, description="--locale")
    header_row: int | None = Field(default=None, description="--header-row")
    references: dict[str, Exact] = Field(default_factory=dict,
                                         description="--reference: node id → the stated best")
    columns_hash: str | None = Field(default=None, description="sha256 of the --columns map")
    cohort_hash: str | None = Field(default=None, description="sha256 of the --cohort file")


class CohortSource(_Model):
    """Where one cohort figure an evaluation used came from: `cohort` (the entities scored
    together), `cohort file` (a picked figure held by an entity of `--cohort` / `cohort=`),
    `given` (`references=` / `--reference`) or `rule` (the rule's own `reference …`)."""

    kind: Literal["cohort", "cohort file", "given", "rule"]
    entity: str | None = Field(
        default=None, description="who holds a picked figure (best, min, max): on a tie the "
                                  "first in input order, a scored entity before a cohort file's")
    ties: int | None = Field(default=None, description="how many entities hold that figure")
    count: int | None = Field(
        default=None, description="how many entities the figure was found over (cohort kinds)")
    from_file: int | None = Field(
        default=None, description="of those, how many came from the cohort file")
    scope: Literal["block", "all", "group"] | None = Field(
        default=None, description="cohort kinds: the entities it was found over — the "
                                  "entity's block, all scored together, or its group")
    group: str | None = Field(default=None, description="scope `group`: the group's value")
    line: int | None = Field(default=None, description="kind `rule`: the line of `reference`")


class MethodologyInfo(_Model):
    id: str
    title: str | None = None
    title_en: str | None = None
    year: int | None = None
    source: str | None = None
    content_hash: str
    extends: list[str] | None = Field(
        default=None, description="a revision: the ids of the bases it was resolved against, "
                                  "nearest first; `content_hash` covers their texts too")


# -- one entry per key ------------------------------------------------------------------------
# Lookups answer with the first entry of a key and a comparison may pair the last: a record
# repeating a key could show one figure and verify another. Validation refuses it.

JsonPath = tuple[str | int, ...]
REPEATED = "repeated_entry"  # the pydantic error type; its context holds the `Repeat`s


@dataclass(frozen=True, slots=True)
class Repeat:
    """An entry whose key an earlier entry of the same list already has."""

    at: JsonPath  # from the model validated: ("evaluations", 3, "entity")
    first: JsonPath
    what: Text  # "evaluation of `Bộ A`"


def _repeats(keys: Iterable[Hashable]) -> list[tuple[int, int]]:
    """(position, position of the first) of each key equal to an earlier one."""
    first: dict[Hashable, int] = {}
    return [(k, first[key]) for k, key in enumerate(keys) if first.setdefault(key, k) != k]


def _refuse(repeats: list[Repeat]) -> None:
    if repeats:
        listed = "; ".join(f"{pointer(r.at)} repeats {pointer(r.first)} ({r.what.en})"
                           for r in repeats)
        raise PydanticCustomError(REPEATED, "a record holds one entry per key: {listed}",
                                  {"listed": listed, "repeats": repeats})


def pointer(keys: JsonPath, path: str | Path | None = None) -> str:
    """A JSON Pointer (RFC 6901), after the file name when there is one: `r.json#/ranks/3`."""
    # Keys come from the record: shown with control characters escaped, like its values.
    text = "".join("/" + visible(str(k)).replace("~", "~0").replace("/", "~1") for k in keys)
    return text if path is None else f"{path}#{text}"


class Evaluation(_Model):
    """Everything computed for one entity, with an explanation for every node."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    methodology: MethodologyInfo
    entity: str
    block: str
    block_label: str | None = None
    block_label_en: str | None = None
    inputs: dict[str, Value]
    cohort: dict[str, Exact] = Field(
        default_factory=dict,
        description="cohort figure key (`node`: the best; `node.min`, `node.max`, `node.mean`, "
                    "`node.sd`) → the figure used",
    )
    cohort_sources: dict[str, CohortSource] = Field(
        default_factory=dict,
        description="cohort figure key → where that figure came from (who holds it, over how "
                    "many entities, or a reference given or stated by the rule)",
    )
    missing: dict[str, str] = Field(
        default_factory=dict,
        description="indicator id → the `missing` policy applied to the value the entity did "
                    "not give (`zero`: filled; `not applicable`: the nodes reading it dropped; "
                    "`mean`: the block's mean, the imputed value in `inputs`)",
    )
    denominated: dict[str, Denominated] = Field(
        default_factory=dict,
        description="indicator id → for `x per d`: the value given and d's value; `inputs` "
                    "holds the quotient the rules read",
    )
    nodes: NodeResults
    indices: IndexResults

    @model_validator(mode="after")
    def _one_result_per_id(self) -> Evaluation:
        # Only results read from data are checked: the evaluator builds with model_construct.
        entity = visible(self.entity)
        _refuse([
            Repeat((part, k, "id"), (part, first, "id"),
                   Text(f"result of {en} `{visible(results[k].id)}` of `{entity}`",
                        f"kết quả của {vi} `{visible(results[k].id)}` của `{entity}`"))
            for part, results, en, vi in (("nodes", self.nodes, "node", "mục"),
                                          ("indices", self.indices, "index", "chỉ số"))
            for k, first in _repeats(results.ids())])
        return self

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
    index: str = Field(description="the ranked index, or node (ranked on its points)")
    block: str
    entity: str
    value: Exact | None
    rank: int | None
    grade: str | None = None
    grade_en: str | None = None


class RankStep(_Model):
    """What lifts one entity to the next rank of one index (or node) in its block."""

    index: str = Field(description="the ranked index, or node")
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
    parts = ("nodes", "indices", "inputs", "cohort", "cohort_sources", "methodology")
    plain = {k: v for k, v in old.items() if k not in parts}
    plain_new = {k: v for k, v in new.items() if k not in parts}
    found += _compare(name, "—", plain, plain_new)
    for part in ("methodology", "inputs", "cohort", "cohort_sources"):  # field by field
        found += _compare(name, part, old.get(part, {}), new.get(part, {}))
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


def _shown(path: str | None) -> str | None:
    return None if path is None else shown_path(path)


#: A file's path in a record, written in its display form (`source.shown_path`: bytes of the
#: name that are not UTF-8 as `\xff`, which no JSON can hold): for people to find the file,
#: never read again (verify-record reads only the files on its command line).
_FilePath = Annotated[str | None, PlainSerializer(_shown)]

_LISTED = ("evaluations", "ranks", "ties", "methodology")  # compared item by item
_PATHS = ("methodology_path", "inputs_path")


class Ranking(_Model):
    """Evaluations of many entities scored together, ranked within each block."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    methodology: MethodologyInfo
    evaluations: list[Evaluation]
    ranks: list[RankEntry]
    ties: dict[str, str] = Field(default_factory=dict,
                                 description="ranked index (or node) id → tie rule")
    ranked_by: dict[str, str] = Field(
        default_factory=dict, description="index id → `exact` when ranked on its unrounded value")
    # The audit record: enough to find and re-run exactly what produced this ranking.
    library_version: str | None = Field(default=None, description="egov_rules version that computed it")
    methodology_path: _FilePath = Field(default=None, description="the rule file, as it was given")
    inputs_path: _FilePath = Field(default=None, description="the data file, as it was given")
    inputs_sheet: str | None = Field(default=None, description="the XLSX sheet read (named or chosen)")
    inputs_hash: str | None = Field(default=None, description="sha256 of the data file's bytes")
    inputs_reading: ReadingOptions | None = Field(
        default=None, description="the reading and scoring options given with the data")

    @model_validator(mode="after")
    def _one_entry_per_key(self) -> Ranking:
        entities, ranks = self.evaluations, self.ranks
        _refuse([
            *(Repeat(("evaluations", k, "entity"), ("evaluations", first, "entity"),
                     Text(f"evaluation of `{visible(entities[k].entity)}`",
                          f"đánh giá của `{visible(entities[k].entity)}`"))
              for k, first in _repeats(e.entity for e in entities)),
            *(Repeat(("ranks", k), ("ranks", first),
                     Text(f"rank row of `{visible(ranks[k].entity)}` for `{visible(ranks[k].index)}`",
                          f"dòng xếp hạng của `{visible(ranks[k].entity)}` theo "
                          f"`{visible(ranks[k].index)}`"))
              for k, first in _repeats((r.entity, r.index) for r in ranks))])
        return self

    @classmethod
    def read_record(cls, path: str | Path) -> Ranking:
        """An audit record (`egov-rules score --format json`) read back; anything else raises
        `EgovRulesError` with every problem located by its JSON Pointer (see `_read_record`)."""
        return _read_record(path)

    def evaluation(self, entity: str) -> Evaluation:
        """The evaluation of `entity` (the first, should a record made with model_construct
        repeat it: validation refuses repeats)."""
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
        """The rank of `entity` by a ranked index or node (None: it has no value of it)."""
        rows = self._first_by("_rank_by_entity", self.ranks, lambda row: (row.entity, row.index))
        return rows[entity, index].rank

    def next_rank(self, entity: str) -> list[RankStep]:
        """For each ranked index or node: how far `entity` is from the nearest entity above
        it (for a node, `index_gap` and `points_needed` are both the points it lacks)."""
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
        if not evaluation.indices.has(index_id):  # a ranked node: its exact points are the value
            return step.model_copy(update={
                "target_rank": target_rank, "target_entities": target_entities,
                "target_value": target, "index_gap": target - own.value,
                "points_needed": target - own.value})
        result = evaluation.index(index_id)
        # Half-up rounding: the exact index only has to reach target − half a unit, when the
        # rank reads the rounded value (not `by exact`).
        digits = None if self.ranked_by.get(index_id) == "exact" else result.round
        threshold = target - (Fraction(1, 2 * 10**digits) if digits is not None else 0)
        exact = result.value if result.value is not None else own.value
        points = None
        if result.points is not None and result.max:  # an index that adds up points
            scale = UNIT if result.scale is None else (result.scale[0], result.scale[1])
            points = to_share(threshold, scale) * result.max - result.points
        return step.model_copy(update={
            "target_rank": target_rank, "target_entities": target_entities,
            "target_value": target, "index_gap": threshold - exact, "points_needed": points,
        })

    def differences(self, recomputed: Ranking) -> list[Difference]:
        """Every value in which this (recorded) ranking differs from `recomputed`, record
        fields (schema and library versions, data hash and sheet) included; not the paths,
        which say where the files were, not what they held (the hashes say that)."""
        old = self.model_dump(mode="json")
        new = recomputed.model_dump(mode="json")
        found: list[Difference] = []
        own = [key for key in old if key not in _LISTED and key not in _PATHS]
        found += _compare("—", "record", {k: old[k] for k in own}, {k: new[k] for k in own})
        before, after = _keyed(old["evaluations"], "entity"), _keyed(new["evaluations"], "entity")
        for name in sorted(set(before) | set(after)):
            if name not in before or name not in after:
                found.append(_presence(name, "—", "entity", name in before, name in after))
                continue
            found += _evaluation_differences(name, before[name], after[name])
        ranks_old = {(r["index"], r["entity"]): r for r in old["ranks"]}
        ranks_new = {(r["index"], r["entity"]): r for r in new["ranks"]}
        for key in sorted(set(ranks_old) | set(ranks_new)):
            if key not in ranks_old or key not in ranks_new:  # one line, not one per field
                found.append(_presence(key[1], f"rank:{key[0]}", "row", key in ranks_old,
                                       key in ranks_new))
                continue
            found += _compare(key[1], f"rank:{key[0]}", ranks_old[key], ranks_new[key])
        found += _compare("—", "ties", old["ties"], new["ties"])
        found += _compare("—", "methodology", old["methodology"], new["methodology"])
        return found

    def explain(self, lang: Lang = "vi") -> str:
        from egov_rules.explain import render_ranking

        return render_ranking(self, lang)


def _presence(entity: str, node: str, field: str, recorded: bool, recomputed: bool) -> Difference:
    return Difference(entity=entity, node=node, field=field,
                      recorded="present" if recorded else "absent",
                      recomputed="present" if recomputed else "absent")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a ranking (which contains evaluations)."""
    return Ranking.model_json_schema()


# -- reading an audit record back ----------------------------------------------------------------

RECORD_MAX_BYTES = 200_000_000  # a hostile file must not exhaust memory; ~3,000 entities × 40 criteria
RECORD_MAX_DEPTH = 200  # pydantic's JSON reader stops at 201; a record is 10 deep + 2 per derived value
_SHOWN = 20  # problems listed one by one; a broken or hostile file may have millions


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys given twice (readers disagree on which counts)."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    plain = dict(pairs)
    if len(plain) == len(pairs):
        return plain  # the usual case: no attribute to carry for each of millions of objects
    result, seen = _Object(pairs), set()
    result.repeated = []
    for key, _ in pairs:
        if key in seen:
            result.repeated.append(key)
        seen.add(key)
    return result


def _bad(where: str, en: str, vi: str, hint: Text | None = None) -> Diagnostic:
    return Diagnostic(codes.BAD_RECORD, None, {"detail": en, "detail_vi": vi}, hint, path=where)


def _limited(found: list[Diagnostic], path: str) -> list[Diagnostic]:
    if len(found) <= _SHOWN:
        return found
    more = len(found) - _SHOWN
    return [*found[:_SHOWN], _bad(path, f"{more} more problems in the record, not listed",
                                  f"còn {more} vấn đề khác trong bản ghi, không liệt kê")]


def _shape_problems(root: Any, path: str) -> list[Diagnostic]:
    """Keys given twice and nesting beyond RECORD_MAX_DEPTH, walked without recursion."""
    found: list[Diagnostic] = []
    stack: list[tuple[Any, JsonPath]] = [(root, ())]
    while stack:
        value, keys = stack.pop()
        if len(keys) >= RECORD_MAX_DEPTH:
            return [_bad(pointer(keys, path), f"the record nests deeper than {RECORD_MAX_DEPTH} levels",
                         f"bản ghi lồng sâu quá {RECORD_MAX_DEPTH} cấp")]
        if isinstance(value, dict):
            found += [_bad(pointer((*keys, key), path), f"the key `{visible(key)}` is given twice",
                           f"khoá `{visible(key)}` xuất hiện hai lần")
                      for key in getattr(value, "repeated", ())]
            items: Iterable[tuple[str | int, Any]] = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        stack.extend((item, (*keys, key)) for key, item in items if isinstance(item, dict | list))
    return found


def _validation_problems(error: ValidationError, path: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for problem in error.errors(include_url=False):
        keys = tuple(problem["loc"])
        if problem["type"] != REPEATED:
            message = visible(problem["msg"])  # some quote the value read
            found.append(_bad(pointer(keys, path), f"not what a record holds: {message}",
                              f"không đúng nội dung của bản ghi: {message}"))
            continue
        for repeat in problem["ctx"]["repeats"]:
            first = pointer((*keys, *repeat.first), path)
            found.append(Diagnostic(
                codes.DUPLICATE_RECORD_ENTRY, None, {"what": repeat.what.en, "what_vi": repeat.what.vi},
                Text(f"the first is at {first}", f"lần đầu ở {first}"),
                path=pointer((*keys, *repeat.at), path)))
    return found


def _read_record(path: str | Path) -> Ranking:
    """An audit record read back, or `EgovRulesError`: a file larger than RECORD_MAX_BYTES,
    not UTF-8, not JSON, not an object, nested deeper than RECORD_MAX_DEPTH, a key given
    twice, another schema_version, a field a ranking does not hold or of the wrong type, a
    second evaluation of an entity, rank row of an (entity, index) or result of a node or
    index. Each problem is located: `record.json#/evaluations/3/entity`."""
    where = str(path)
    with open(path, "rb") as handle:
        raw = handle.read(RECORD_MAX_BYTES + 1)  # never more, whatever the file's size
    if len(raw) > RECORD_MAX_BYTES:
        raise EgovRulesError([_bad(where, f"the record is larger than {RECORD_MAX_BYTES:,} bytes",
                                   f"bản ghi lớn hơn {RECORD_MAX_BYTES:,} byte".replace(",", "."))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EgovRulesError([Diagnostic(codes.NOT_UTF8, None, path=where)]) from None
    del raw  # a large record is held once as text, once as a tree, then once as a model
    try:
        root = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise EgovRulesError([_bad(f"{where}:{error.lineno}:{error.colno}",
                                   f"not valid JSON: {error.msg}",
                                   f"không phải JSON hợp lệ: {error.msg}")]) from None
    except RecursionError:  # deeper than Python's stack before the walk below could say so
        raise EgovRulesError([_bad(where, f"the record nests deeper than {RECORD_MAX_DEPTH} levels",
                                   f"bản ghi lồng sâu quá {RECORD_MAX_DEPTH} cấp")]) from None
    written = Text("a ranking written by `egov-rules score --format json`",
                   "một bảng xếp hạng do `egov-rules score --format json` ghi ra")
    if not isinstance(root, dict):
        raise EgovRulesError([_bad(where, f"expected a JSON object, found {type(root).__name__}",
                                   f"cần một đối tượng JSON, gặp {type(root).__name__}", written)])
    found = _shape_problems(root, where)
    if found:
        raise EgovRulesError(_limited(found, where))
    version = root.get("schema_version")
    if version != SCHEMA_VERSION:  # the other fields of another schema may mean other things
        shown = visible(json.dumps(version, ensure_ascii=False))
        shown = shown if len(shown) <= 80 else shown[:79] + "…"  # it may be any JSON value
        raise EgovRulesError([_bad(
            pointer(("schema_version",), where) if "schema_version" in root else where,
            f"schema_version {shown} is not {SCHEMA_VERSION}, the one this egov_rules reads",
            f"schema_version {shown} không phải {SCHEMA_VERSION}, phiên bản egov_rules này đọc",
            written)])
    del root
    try:
        return Ranking.model_validate_json(text)
    except ValidationError as error:
        raise EgovRulesError(_limited(_validation_problems(error, where), where)) from None
