"""How an index is computed from its terms: `share of max`, `weighted mean of`, `mean of`.

`index_method` is the only dispatch on an index method; it ends in `assert_never`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from fractions import Fraction
from typing import ClassVar, Protocol, assert_never

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.explain import both, both_fmt
from egov_rules.kinds.base import ONE, ZERO
from egov_rules.numbers import fmt

# (value, points, maximum): points and maximum only for an index that adds up points
IndexValue = tuple[Fraction | None, Fraction | None, Fraction | None]


class NodeScore(Protocol):
    """A node's score, as far as an index reads it."""

    @property
    def points(self) -> Fraction | None: ...

    @property
    def max(self) -> Fraction | None: ...

    @property
    def applicable(self) -> bool: ...


class IndexScore(Protocol):
    """An index computed before, as far as a later index reads it."""

    @property
    def value(self) -> Fraction | None: ...

    @property
    def rounded(self) -> Fraction | None: ...


class IndexMethodKind(ABC):
    keyword: ClassVar[s.IndexMethod]
    weighted: ClassVar[bool]  # its terms carry weights, which must add up to 100 %
    adds_points: ClassVar[bool]  # it adds up the points and maxima of nodes, not shares

    @abstractmethod
    def compute(self, index: s.Index, nodes: Mapping[str, NodeScore],
                done: Mapping[str, IndexScore]) -> IndexValue:
        """The exact value (None when no term applies), from the node results and the
        indices computed before it."""

    @abstractmethod
    def words(self, index: s.Index, shown: tuple[str, str], points: Fraction | None,
              maximum: Fraction | None) -> Text:
        """How the value was computed; `shown` is the value as published (en, vi)."""

    @abstractmethod
    def annex_key(self) -> str:
        """The annex's phrase for the method (annex.py's word table)."""


class ShareOfMax(IndexMethodKind):
    keyword = "share of max"
    weighted = False
    adds_points = True

    def compute(self, index: s.Index, nodes: Mapping[str, NodeScore],
                done: Mapping[str, IndexScore]) -> IndexValue:
        live = [nodes[t.ref.name] for t in index.terms
                if t.ref.name in nodes and nodes[t.ref.name].applicable]
        points = sum((n.points for n in live if n.points is not None), ZERO)
        maximum = sum((n.max for n in live if n.max is not None), ZERO)
        return (points / maximum if maximum else None), points, maximum

    def words(self, index: s.Index, shown: tuple[str, str], points: Fraction | None,
              maximum: Fraction | None) -> Text:
        p_en, p_vi = both_fmt(points or ZERO)
        m_en, m_vi = both_fmt(maximum or ZERO)
        return both(f"{p_en} of {m_en} points = {shown[0]}", f"{p_vi} trên {m_vi} điểm = {shown[1]}")

    def annex_key(self) -> str:
        return "share_of_max"


def _term_share(term: str, nodes: Mapping[str, NodeScore], done: Mapping[str, IndexScore]
                ) -> Fraction | None:
    """A term's share: an index as published (rounded when it declares rounding), or a
    node's points over its maximum; None when it does not apply."""
    if term in done:
        result = done[term]
        return result.rounded if result.rounded is not None else result.value
    node = nodes.get(term)
    if node is None or node.points is None or not node.max:
        return None
    return node.points / node.max


class _Mean(IndexMethodKind):
    adds_points = False
    phrase: ClassVar[tuple[str, str]]

    def compute(self, index: s.Index, nodes: Mapping[str, NodeScore],
                done: Mapping[str, IndexScore]) -> IndexValue:
        pairs = [(t.weight.value if t.weight is not None else ONE, _term_share(t.ref.name, nodes, done))
                 for t in index.terms]
        live = [(w, v) for w, v in pairs if v is not None]
        total = sum((w for w, _ in live), ZERO)
        return (sum((w * v for w, v in live), ZERO) / total if total else None), None, None

    def words(self, index: s.Index, shown: tuple[str, str], points: Fraction | None,
              maximum: Fraction | None) -> Text:
        terms_en = ", ".join(
            t.ref.name + (f" {fmt(t.weight.value, share=True)}" if t.weight else "")
            for t in index.terms
        )
        terms_vi = terms_en.replace(".", ",")
        return both(f"{self.phrase[0]} of {terms_en} = {shown[0]}",
                    f"{self.phrase[1]} của {terms_vi} = {shown[1]}")


class WeightedMean(_Mean):
    keyword = "weighted mean"
    weighted = True
    phrase = ("weighted mean", "trung bình có trọng số")

    def annex_key(self) -> str:
        return "weighted_mean"


class Mean(_Mean):
    keyword = "mean"
    weighted = False
    phrase = ("mean", "trung bình cộng")

    def annex_key(self) -> str:
        return "mean"


SHARE_OF_MAX, WEIGHTED_MEAN, MEAN = ShareOfMax(), WeightedMean(), Mean()


def index_method(index: s.Index) -> IndexMethodKind:
    """How an index is computed."""
    method = index.method
    match method:
        case "share of max":
            return SHARE_OF_MAX
        case "weighted mean":
            return WEIGHTED_MEAN
        case "mean":
            return MEAN
        case _:
            assert_never(method)
