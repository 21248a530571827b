"""The checked model: a syntax tree that passed every check, with its names resolved.

Later stages (graph, evaluate, explain, rank) read only this. It is immutable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.resolve import Symbols, names_in, rule_expressions
from egov_rules.source import SourceFile
from egov_rules.typecheck import Type


def declared_max(node: s.Node, block: str) -> Fraction | None:
    """The `max` written for a node in a block (None when the node has none for it)."""
    if node.maximum is None:
        return None
    if node.maximum.default is not None:
        return node.maximum.default.value
    for ref, number in node.maximum.per_block:
        if ref.name == block:
            return number.value
    return None


@dataclass(frozen=True, slots=True, eq=False)
class Model:
    """Everything the evaluator needs, by id, in dependency order."""

    tree: s.Methodology
    blocks: dict[str, s.Block]
    indicators: dict[str, s.Indicator]
    lets: dict[str, s.Let]  # in dependency order
    nodes: dict[str, s.Node]  # parents before children
    parents: dict[str, s.Node | None]
    blocks_of: dict[str, tuple[str, ...]]  # node id → blocks it applies to
    indices: dict[str, s.Index]  # in dependency order
    grades: dict[str, s.Grades]  # index id → its grade bands
    ranks: dict[str, s.Rank]  # index id → its rank rule
    types: dict[str, Type]  # indicator and let id → type
    content_hash: str
    # block id → the indicators and lets the nodes that apply to it read (through lets): an
    # indicator outside it is not required of the block's entities, nor shown in its annex.
    reads: dict[str, frozenset[str]]
    let_reads: dict[str, frozenset[str]]  # let id → the indicators and lets it reads directly
    # indicator id → its denominator (`per d`): looked up for every entity validated
    denominators: dict[str, str] = field(default_factory=dict)
    # a revision: the ids of the chain of bases it was resolved against, nearest first
    extends: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.tree.header.id

    def header_text(self, key: str) -> str | None:
        attr = self.tree.header.get(key)
        return None if attr is None else str(attr.value)

    @property
    def year(self) -> int | None:
        attr = self.tree.header.get("year")
        return None if attr is None else int(attr.value)  # type: ignore[arg-type]

    @property
    def missing_policy(self) -> str:
        """The file's default for a missing value: `error`, `zero`, `not applicable` or
        `mean` (the block's mean of the entities that have it)."""
        return self.header_text("missing") or "error"

    def missing_for(self, indicator: str) -> str:
        """The policy for a missing value of `indicator`: its own `missing` line, else the
        file's default."""
        attr = self.indicators[indicator].get("missing")
        return self.missing_policy if attr is None else str(attr.value)

    def group_for(self, indicator: str) -> str | None:
        """`missing mean within <g>`: the one-of indicator whose value groups the entities
        of a block for the mean (its own `missing` line's, else the file's); None: the block."""
        own = self.indicators[indicator].get("missing")
        attr = (self.indicators[indicator] if own is not None else self.tree.header).get("within")
        return None if attr is None else str(attr.value)

    def denominator(self, indicator: str) -> str | None:
        """`per <d>`: the indicator the given value is divided by before any rule reads it."""
        return self.denominators.get(indicator)

    @property
    def denominates(self) -> bool:
        """True when some indicator is `per` another: a value the rules read is then the given
        value divided, known only once the entity is validated (never the raw figure)."""
        return bool(self.denominators)

    @property
    def imputes(self) -> bool:
        """True when a missing value may be the block's mean: the entities of a block are
        then scored together (every path falls back to one that sees them all)."""
        return any(self.missing_for(n) == "mean" for n in self.indicators)

    def max_for(self, node_id: str, block: str) -> Fraction | None:
        return declared_max(self.nodes[node_id], block)

    def label_en(self, decl: s.Node | s.Indicator) -> str | None:
        attr = decl.get("en")
        return None if attr is None else str(attr.value)


def let_inputs(let: s.Let) -> frozenset[str]:
    """The names a let reads directly: its formula and its zero rules."""
    exprs = [let.expr, *(e for rule in let.zero_rules for e in (rule.condition, rule.fallback))]
    return frozenset(name.name for expr in exprs for name in names_in(expr))


def reads_through_lets(exprs: Iterable[s.Expr], let_reads: Mapping[str, frozenset[str]],
                       indicators: Mapping[str, object]) -> frozenset[str]:
    """The indicators and lets `exprs` read, each let followed to what it reads (option ids
    that a comparison names are neither, and are left out)."""
    pending = [name.name for expr in exprs for name in names_in(expr)]
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found or (name not in indicators and name not in let_reads):
            continue
        found.add(name)
        pending.extend(let_reads.get(name, ()))
    return frozenset(found)


def _block_reads(nodes: Mapping[str, s.Node], blocks_of: Mapping[str, tuple[str, ...]],
                 block: str, let_reads: Mapping[str, frozenset[str]],
                 indicators: Mapping[str, object]) -> frozenset[str]:
    exprs = [e for node_id, node in nodes.items() if block in blocks_of.get(node_id, ())
             for e in rule_expressions(node)]
    return reads_through_lets(exprs, let_reads, indicators)


def content_hash(text: str, bases: Iterable[str] = ()) -> str:
    """The sha256 of a rule file's text; of a revision, over its text and each base's text
    in the chain (nearest first), so that the hash changes when any of them does."""
    texts = [text, *bases]
    if len(texts) == 1:
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    digest = hashlib.sha256(b"egov-rules revision chain\n")
    for part in texts:
        digest.update(hashlib.sha256(part.encode("utf-8")).digest())
    return "sha256:" + digest.hexdigest()


def build_model(tree: s.Methodology, symbols: Symbols, types: dict[str, Type],
                source: SourceFile, bases: tuple[tuple[str, str], ...] = ()) -> Model:
    """`bases`: (id, text) of each methodology a revision was resolved against."""
    """The checked model of a syntax tree that passed every check."""
    lets = symbols.lets
    indices = symbols.indices
    nodes = {n.id: n for n in s.walk_nodes(tree.categories)}
    # Only indicators and lets: an option id a comparison names (`hosting = cloud`) is neither.
    let_reads = {k: frozenset(n for n in let_inputs(let) if n in symbols.indicators or n in lets)
                 for k, let in lets.items()}
    return Model(
        tree=tree,
        blocks=dict(symbols.blocks),
        indicators=symbols.indicators,
        lets={k: lets[k] for k in symbols.let_order if k in lets},
        nodes=nodes,
        parents=dict(symbols.parents),
        blocks_of=dict(symbols.blocks_of),
        indices={k: indices[k] for k in symbols.index_order if k in indices},
        grades={t.name: g for g in tree.grades for t in g.targets},
        ranks={t.name: r for r in tree.ranks for t in r.targets},
        types=types,
        content_hash=content_hash(source.text, (text for _id, text in bases)),
        reads={b: _block_reads(nodes, symbols.blocks_of, b, let_reads, symbols.indicators)
               for b in symbols.blocks},
        let_reads=let_reads,
        denominators={i.id: str(per.value) for i in tree.indicators
                      if (per := i.get("per")) is not None},
        extends=tuple(base_id for base_id, _text in bases),
    )
