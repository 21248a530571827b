"""How a node's children make its points: `sum of` (also children written directly),
`capped sum of`, `best of` and `weighted mean of`, each one class here.

`combine_kind` is the only dispatch on a combine mode; it ends in `assert_never`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, assert_never

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import accumulate, just, largest, maximum_of, share_of
from egov_rules.explain import both, both_fmt
from egov_rules.kinds.base import ONE, ZERO


class Child(Protocol):
    """A child node's result, as far as its parent's combination reads it."""

    @property
    def id(self) -> str: ...

    @property
    def points(self) -> Fraction | None: ...

    @property
    def max(self) -> Fraction | None: ...


if TYPE_CHECKING:
    from egov_rules.emit import Gen, Num, Part


def share(result: Child) -> Fraction:
    """A child's points as a share of its maximum (0 when it has none)."""
    if result.points is None or not result.max:
        return ZERO
    return result.points / result.max


F = TypeVar("F")  # what a mode records of one combination: the facts its words are made from


@dataclass(frozen=True, slots=True)
class Combined(Generic[F]):
    points: Fraction
    maximum: Fraction
    facts: F


class CombineKind(ABC, Generic[F]):
    keyword: ClassVar[str]  # as `NodeResult.rule` names it
    weighted: ClassVar[bool]  # children carry weights and are averaged as shares of their maxima

    @abstractmethod
    def combine(self, live: Sequence[Child], declared: Fraction,
                weights: Mapping[str, Fraction], some_dropped: bool) -> Combined[F]:
        """Points and maximum from the children that apply (never empty), with the facts
        its words are made from."""

    @abstractmethod
    def words(self, facts: F, points: Fraction, maximum: Fraction) -> Text:
        """How the children made the points, from the facts `combine` recorded."""

    @abstractmethod
    def reach(self, maxima: Sequence[Fraction]) -> Fraction | None:
        """What the children's maxima add up to (None when they are averaged as shares)."""

    @abstractmethod
    def fits(self, reach: Fraction, maximum: Fraction) -> bool:
        """Whether children reaching `reach` fit a node worth `maximum`."""

    @abstractmethod
    def describe(self) -> Text:
        """The mode in words, for annexes."""

    @abstractmethod
    def emit(self, g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
        """The points and maximum of a parent as generated code, from the children that may
        apply (one at least); see `RuleKind.emit`."""


def _sum_words(total: Fraction, points: Fraction, maximum: Fraction) -> Text:
    t_en, t_vi = both_fmt(total)
    if total > points:
        m_en, m_vi = both_fmt(maximum)
        return both(f"sum of its criteria, {t_en}, capped at {m_en}",
                    f"tổng điểm các tiêu chí, {t_vi}, giới hạn ở {m_vi}")
    return both(f"sum of its criteria: {t_en}", f"tổng điểm các tiêu chí: {t_vi}")


def _total(values: Sequence[Fraction | None]) -> Fraction:
    return sum((v for v in values if v is not None), ZERO)


class Sum(CombineKind[None]):
    keyword = "sum"
    weighted = False

    def combine(self, live: Sequence[Child], declared: Fraction,
                weights: Mapping[str, Fraction], some_dropped: bool) -> Combined[None]:
        return Combined(_total([c.points for c in live]), _total([c.max for c in live]), None)

    def words(self, facts: None, points: Fraction, maximum: Fraction) -> Text:
        return _sum_words(points, points, maximum)

    def reach(self, maxima: Sequence[Fraction]) -> Fraction | None:
        return sum(maxima, ZERO)

    def fits(self, reach: Fraction, maximum: Fraction) -> bool:
        return reach == maximum

    def describe(self) -> Text:
        return both("sum of the points of its parts", "tổng điểm các mục con")

    def emit(self, g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
        """The sum of the points and the sum of the maxima of the children that apply."""
        points = accumulate(g, [(just(c.value), c.present) for c in children])
        maximum = accumulate(g, [(just(maximum_of(c)), c.present) for c in children])
        return points, maximum



class CappedSum(CombineKind[Fraction]):  # the facts: the sum before the cap
    keyword = "capped sum"
    weighted = False

    def combine(self, live: Sequence[Child], declared: Fraction,
                weights: Mapping[str, Fraction], some_dropped: bool) -> Combined[Fraction]:
        total = _total([c.points for c in live])
        maximum = min(declared, _total([c.max for c in live]))
        return Combined(min(total, maximum), maximum, total)

    def words(self, facts: Fraction, points: Fraction, maximum: Fraction) -> Text:
        return _sum_words(facts, points, maximum)

    def reach(self, maxima: Sequence[Fraction]) -> Fraction | None:
        return sum(maxima, ZERO)

    def fits(self, reach: Fraction, maximum: Fraction) -> bool:
        return reach >= maximum  # the cap takes what is above

    def describe(self) -> Text:
        return both("sum of the points of its parts, never above its maximum",
                    "tổng điểm các mục con, không vượt quá điểm tối đa")

    def emit(self, g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
        """max = min(declared, Σ maxima); points = min(Σ points, max)."""
        points, summed = SUM.emit(g, children, declared)
        cap = g.const(declared)
        maximum = g.plain(g.branches("m", [(g.compare(summed, "<=", cap), lambda: summed),
                                           (None, lambda: cap)]))
        capped = g.plain(g.branches("p", [(g.compare(points, "<=", maximum), lambda: points),
                                          (None, lambda: maximum)]))
        return capped, maximum



class Best(CombineKind[str]):  # the facts: the best child's id
    keyword = "best of"
    weighted = False

    def combine(self, live: Sequence[Child], declared: Fraction,
                weights: Mapping[str, Fraction], some_dropped: bool) -> Combined[str]:
        best = max(live, key=lambda c: c.points or ZERO)
        maximum = max(c.max for c in live if c.max is not None)
        return Combined(best.points or ZERO, maximum, best.id)

    def words(self, facts: str, points: Fraction, maximum: Fraction) -> Text:
        p_en, p_vi = both_fmt(points)
        return both(f"the best of the alternatives: {facts} with {p_en} points",
                    f"lấy phương án cao điểm nhất: {facts} với {p_vi} điểm")

    def reach(self, maxima: Sequence[Fraction]) -> Fraction | None:
        return max(maxima, default=ZERO)

    def fits(self, reach: Fraction, maximum: Fraction) -> bool:
        return reach == maximum

    def describe(self) -> Text:
        return both("the points of its best-scoring alternative", "điểm của phương án cao điểm nhất")

    def emit(self, g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
        """The points of the best child (the first of equals) and the largest child maximum."""
        points = largest(g, [(c.value, c.present) for c in children])
        maximum = largest(g, [(maximum_of(c), c.present) for c in children])
        return points, maximum



@dataclass(frozen=True, slots=True)
class MeanFacts:
    mean: Fraction  # the weighted mean of the children's shares
    some_dropped: bool  # weights were re-normalised over the children that apply


class WeightedMean(CombineKind[MeanFacts]):
    keyword = "weighted mean"
    weighted = True

    def combine(self, live: Sequence[Child], declared: Fraction,
                weights: Mapping[str, Fraction], some_dropped: bool) -> Combined[MeanFacts]:
        total_weight = sum((weights[c.id] for c in live), ZERO)
        mean = sum((weights[c.id] * share(c) for c in live), ZERO) / total_weight \
            if total_weight else ZERO
        return Combined(mean * declared, declared, MeanFacts(mean, some_dropped))

    def words(self, facts: MeanFacts, points: Fraction, maximum: Fraction) -> Text:
        s_en, s_vi = both_fmt(facts.mean, share=True)
        m_en, m_vi = both_fmt(maximum)
        dropped = facts.some_dropped
        note_en = " (weights re-normalised over the criteria that apply)" if dropped else ""
        note_vi = " (trọng số chuẩn hoá lại trên các tiêu chí được áp dụng)" if dropped else ""
        return both(f"weighted mean of the criteria's shares {s_en} × {m_en} points{note_en}",
                    f"trung bình có trọng số của tỷ lệ điểm {s_vi} × {m_vi} điểm{note_vi}")

    def reach(self, maxima: Sequence[Fraction]) -> Fraction | None:
        return None

    def fits(self, reach: Fraction, maximum: Fraction) -> bool:
        return True

    def describe(self) -> Text:
        return both(
            "weighted mean of its parts' shares (points ÷ maximum) × its maximum; weights are "
            "re-normalised over the parts that apply",
            "trung bình có trọng số của tỷ lệ điểm đạt (điểm ÷ tối đa) các mục con × điểm tối "
            "đa; trọng số được chuẩn hoá lại trên các mục được áp dụng")

    def emit(self, g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
        """Σ wᵢ·(pointsᵢ / maxᵢ) / Σ wᵢ over the children that apply, × the declared maximum."""
        weighted = accumulate(g, [(partial(_weighted_share, g, c), c.present) for c in children])
        total = accumulate(g, [(just(g.const(c.weight)), c.present) for c in children])
        share = g.branches("h", [
            (g.test(total, "=", ZERO), lambda: g.const(ZERO)),
            (None, lambda: g.div(weighted, total, within=(ZERO, ONE))),
        ])
        return g.plain(g.mul(share, g.const(declared))), g.const(declared)


def _weighted_share(g: Gen, part: Part) -> Num:
    """wᵢ · pointsᵢ / maxᵢ of a child (its share is 0 when its max is 0)."""
    return g.mul(g.const(part.weight), share_of(g, part))


SUM, CAPPED_SUM, BEST, WEIGHTED_MEAN = Sum(), CappedSum(), Best(), WeightedMean()


def combine_kind(node: s.Node) -> CombineKind[Any]:
    """How a node's children make its points."""
    mode = node.mode
    match mode:
        case "sum":
            return SUM
        case "capped sum":
            return CAPPED_SUM
        case "best":
            return BEST
        case "weighted mean":
            return WEIGHTED_MEAN
        case _:
            assert_never(mode)
