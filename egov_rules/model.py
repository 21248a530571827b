"""The checked model: a syntax tree that passed every check, with its names resolved.

Later stages (graph, evaluate, explain, rank) read only this. It is immutable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.resolve import Symbols
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
        return self.header_text("missing") or "error"

    def max_for(self, node_id: str, block: str) -> Fraction | None:
        return declared_max(self.nodes[node_id], block)

    def label_en(self, decl: s.Node | s.Indicator) -> str | None:
        attr = decl.get("en")
        return None if attr is None else str(attr.value)


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_model(tree: s.Methodology, symbols: Symbols, types: dict[str, Type],
                source: SourceFile) -> Model:
    """The checked model of a syntax tree that passed every check."""
    lets = symbols.lets
    indices = symbols.indices
    return Model(
        tree=tree,
        blocks=dict(symbols.blocks),
        indicators=symbols.indicators,
        lets={k: lets[k] for k in symbols.let_order if k in lets},
        nodes={n.id: n for n in s.walk_nodes(tree.categories)},
        parents=dict(symbols.parents),
        blocks_of=dict(symbols.blocks_of),
        indices={k: indices[k] for k in symbols.index_order if k in indices},
        grades={t.name: g for g in tree.grades for t in g.targets},
        ranks={t.name: r for r in tree.ranks for t in r.targets},
        types=types,
        content_hash=content_hash(source.text),
    )
