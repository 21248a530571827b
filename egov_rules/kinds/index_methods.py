"""How an index is computed from its terms: `share of max`, `weighted mean of`, `mean of`,
`geometric mean of` and `harmonic mean of`.

`index_method` is the only dispatch on an index method; it ends in `assert_never`.
"""

from __future__ import annotations

import decimal
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Protocol, assert_never

from egov_rules import syntax as s
from egov_rules.diagnostics import Text
from egov_rules.emit import Num, Part, Untracked, accumulate, hull, just, maximum_of, nonzero_condition
from egov_rules.explain import both, both_fmt
from egov_rules.kinds.base import ONE, ZERO
from egov_rules.kinds.weights import share_words

if TYPE_CHECKING:
    from egov_rules.emit import Gen

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
    def share(self) -> Fraction | None:
        """Its value as published, on 0..1 whatever its declared scale."""


class IndexMethodKind(ABC):
    keyword: ClassVar[s.IndexMethod]
    weighted: ClassVar[bool]  # its terms carry weights (percents adding up to 100 %, or free)
    weights_optional: ClassVar[bool] = False  # weights on all its terms or on none
    # Monotonicity: every method is non-decreasing in each term (terms and weights are never
    # negative), so a better term never lowers the index; checks/monotonicity.py relies on it.
    nondecreasing: ClassVar[bool] = True
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

    @abstractmethod
    def emit(self, g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
        """How generated code computes the (unrounded) value, and the condition under which
        there is one (None: always); see `RuleKind.emit`."""


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

    def emit(self, g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
        """(Σ points) / (Σ maxima) over the terms that apply; none when the maxima add up to 0."""
        nodes = [t for t in terms if t.maximum is not None]
        points = accumulate(g, [(just(t.value), t.present) for t in nodes])
        maximum = accumulate(g, [(just(maximum_of(t)), t.present) for t in nodes])
        return (lambda: g.div(points, maximum, within=(ZERO, ONE))), nonzero_condition(g, maximum)



def _term_share(term: str, nodes: Mapping[str, NodeScore], done: Mapping[str, IndexScore]
                ) -> Fraction | None:
    """A term's share: an index as published (rounded when it declares rounding), back on
    0..1 from its scale, or a node's points over its maximum; None when it does not apply."""
    if term in done:
        return done[term].share
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
        return _mean_words(index, self.phrase, shown)


def _mean_words(index: s.Index, phrase: tuple[str, str], shown: tuple[str, str],
                note: tuple[str, str] = ("", "")) -> Text:
    """`<mean> of a 2/4 = 50%, b … = <value><note>`, in both languages."""
    total = sum((t.weight.value for t in index.terms if t.weight), ZERO)
    shares = [share_words(t.weight, total) if t.weight else ("", "") for t in index.terms]
    terms_en = ", ".join(t.ref.name + (f" {w[0]}" if w[0] else "")
                         for t, w in zip(index.terms, shares, strict=True))
    terms_vi = ", ".join(t.ref.name + (f" {w[1]}" if w[1] else "")
                         for t, w in zip(index.terms, shares, strict=True))
    return both(f"{phrase[0]} of {terms_en} = {shown[0]}{note[0]}",
                f"{phrase[1]} của {terms_vi} = {shown[1]}{note[1]}")


class WeightedMean(_Mean):
    keyword = "weighted mean"
    weighted = True
    phrase = ("weighted mean", "trung bình có trọng số")

    def annex_key(self) -> str:
        return "weighted_mean"

    def emit(self, g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
        """Σ wᵢ·vᵢ / Σ wᵢ over the terms that have a value."""
        return _mean(g, terms)



class Mean(_Mean):
    keyword = "mean"
    weighted = False
    phrase = ("mean", "trung bình cộng")

    def annex_key(self) -> str:
        return "mean"

    def emit(self, g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
        """The plain mean of the terms that have a value."""
        return _mean(g, [Part(t.value, t.maximum, t.present, ONE) for t in terms])



# -- generated code shared by the means ------------------------------------------------


def _mean(g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
    terms = [t for t in terms if t.maximum is None or t.maximum.const != 0]  # 0: no share
    if terms and all(t.present is None and (t.maximum is None or t.maximum.const)
                     for t in terms):
        return _fixed_mean(g, terms), None
    parts: list[tuple[Callable[[], Num], str | None]] = []
    weights: list[tuple[Callable[[], Num], str | None]] = []
    highest = ONE  # a node's share is at most 1; an index term brings its own bound
    for term in terms:
        present = term.present
        if term.maximum is not None:  # a node: its share, when it applies and its max is not 0
            nonzero = g.test(term.maximum, "!=", ZERO)
            if nonzero.fails is not None:
                raise Untracked("a maximum that is not exact")
            if nonzero.holds == "False":
                continue
            if nonzero.holds != "True":
                present = f"{present} and {nonzero.holds}" if present else nonzero.holds
            value: Callable[[], Num] = partial(_weighted_node_share, g, term)
        else:
            if g.mode == "fast" and term.value.hi is None:
                raise Untracked("an index term without a bound")
            highest = max(highest, term.value.hi or ONE)
            value = partial(g.mul, g.const(term.weight), term.value)
        parts.append((value, present))
        weights.append((just(g.const(term.weight)), present))
    weighted = accumulate(g, parts)
    total = accumulate(g, weights)
    return (lambda: g.div(weighted, total, within=(ZERO, highest))), nonzero_condition(g, total)

def _fixed_mean(g: Gen, terms: list[Part]) -> Callable[[], Num]:
    """Σ wᵢ·vᵢ / Σ wᵢ when every term has a value and every node term a constant nonzero max:
    Σ cᵢ·xᵢ with cᵢ = wᵢ / (Σ w · maxᵢ) folded."""
    total = sum((t.weight for t in terms), ZERO)
    if g.mode == "fast" and all(t.maximum is None and t.value.kind == "ratio"
                                and t.value.den.isdigit() for t in terms):
        return partial(_ratio_mean, g, terms, total)
    parts: list[tuple[Callable[[], Num], str | None]] = []
    for term in terms:
        scale = ONE if term.maximum is None else maximum_of(term).const or ONE  # not 0: above
        parts.append((partial(g.mul, g.const(term.weight / (total * scale)), term.value), None))
    return partial(accumulate, g, parts)

def _ratio_mean(g: Gen, terms: list[Part], total: Fraction) -> Num:
    """Σ (wᵢ / Σw)·(nᵢ / dᵢ) for rounded index values nᵢ/dᵢ: Σ aᵢ·nᵢ / L with whole aᵢ, exact."""
    coefficients = [t.weight / (total * int(t.value.den)) for t in terms]
    common = math.lcm(*(c.denominator for c in coefficients))
    numerator = " + ".join(f"{c * common} * {t.value.num}" if c * common != 1 else t.value.num
                           for c, t in zip(coefficients, terms, strict=True))
    lo, hi = hull([t.value for t in terms])
    return g.with_view(Num("", "ratio", lo, hi, num=g.assign(Num(f"({numerator})", "int"),
                                                              "n").code,
                           den=str(common), tiny=Fraction(1, common)))

def _weighted_node_share(g: Gen, term: Part) -> Num:
    """wᵢ · pointsᵢ / maxᵢ of a node term (present only when its max is not 0)."""
    return g.mul(g.const(term.weight), _node_share(g, term))

def _node_share(g: Gen, term: Part) -> Num:
    return g.div(term.value, maximum_of(term), within=(ZERO, ONE))


# -- geometric and harmonic means ---------------------------------------------------------

DIGITS = 30  # significant digits of a geometric mean that is not rational
_CONTEXT = decimal.Context(prec=DIGITS + 20)  # working precision, well above the digits kept


def _pairs(index: s.Index, nodes: Mapping[str, NodeScore], done: Mapping[str, IndexScore]
           ) -> list[tuple[Fraction, Fraction]]:
    """(weight, share) of each term that has a value (weight 1 when none is written)."""
    pairs = [(t.weight.value if t.weight is not None else ONE, _term_share(t.ref.name, nodes, done))
             for t in index.terms]
    return [(w, v) for w, v in pairs if v is not None]


def harmonic(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Σ wᵢ / Σ (wᵢ / vᵢ), exact; 0 when a weighted term is 0 (its limit); None without weight."""
    live = [(w, v) for w, v in pairs if w]
    if not live:
        return None
    if any(v == 0 for _, v in live):
        return ZERO
    return sum((w for w, _ in live), ZERO) / sum((w / v for w, v in live), ZERO)


def geometric(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Π vᵢ^(wᵢ/Σw): exact when it is rational, else rounded to DIGITS significant digits;
    0 when a weighted term is 0; None without weight."""
    live = [(w, v) for w, v in pairs if w]
    if not live:
        return None
    if any(v == 0 for _, v in live):
        return ZERO
    total = sum((w for w, _ in live), ZERO)
    log = decimal.Decimal(0)
    for w, v in live:  # in _CONTEXT throughout: `sum` would round to the default 28 digits
        log = _CONTEXT.add(log, _CONTEXT.multiply(_decimal(w / total), _CONTEXT.ln(_decimal(v))))
    rounded = _kept(_CONTEXT.exp(log))
    return _exact_root(live, total, rounded) or rounded


def square_root(x: Fraction) -> Fraction:
    """√x (x ≥ 0): exact when it is rational, else rounded to DIGITS significant digits (a
    z-score's sd, the one other irrational figure, kept as the geometric mean is)."""
    top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if top * top == x.numerator and bottom * bottom == x.denominator:
        return Fraction(top, bottom)
    return _kept(_CONTEXT.sqrt(_decimal(x)))


def _kept(approx: decimal.Decimal) -> Fraction:
    """A working-precision figure rounded to DIGITS significant digits, half to even."""
    return Fraction(approx.quantize(decimal.Decimal(1).scaleb(approx.adjusted() - DIGITS + 1),
                                    rounding=decimal.ROUND_HALF_EVEN, context=_CONTEXT))


def _decimal(x: Fraction) -> decimal.Decimal:
    return _CONTEXT.divide(decimal.Decimal(x.numerator), decimal.Decimal(x.denominator))


def _exact_root(live: Sequence[tuple[Fraction, Fraction]], total: Fraction, near: Fraction
                ) -> Fraction | None:
    """The exact Π vᵢ^(wᵢ/Σw) when it is a rational close to `near`: with whole kᵢ ∝ wᵢ and
    K = Σ kᵢ, a candidate c is it exactly when c^K = Π vᵢ^kᵢ (checked only for K ≤ 1000)."""
    scale = math.lcm(*((w / total).denominator for w, _ in live))
    if scale > 1000:
        return None
    candidate = near.limit_denominator(10**12)
    power = ONE
    for w, v in live:
        power *= v ** int(w / total * scale)
    return candidate if candidate ** scale == power else None


class _Nonlinear(IndexMethodKind):
    """A mean of shares that is not linear in its terms: computed from (weight, share) pairs,
    exactly in generated code too (its float error is not tracked: the fast path declines)."""

    weighted = False
    weights_optional = True
    adds_points = False
    phrase: ClassVar[tuple[str, str]]
    note: ClassVar[tuple[str, str]] = ("", "")

    @abstractmethod
    def of(self, pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
        """The mean of (weight, share) pairs."""

    def compute(self, index: s.Index, nodes: Mapping[str, NodeScore],
                done: Mapping[str, IndexScore]) -> IndexValue:
        return self.of(_pairs(index, nodes, done)), None, None

    def words(self, index: s.Index, shown: tuple[str, str], points: Fraction | None,
              maximum: Fraction | None) -> Text:
        return _mean_words(index, self.phrase, shown, self.note)

    def emit(self, g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
        """A list of (weight, share) pairs of the terms that have a value, passed to `of`."""
        if g.mode == "fast":
            raise Untracked(f"a {self.keyword} (its float error is not tracked)")
        pairs = g.out.fresh("w")
        g.out.line(f"{pairs} = []")
        highest = ONE
        for term in terms:
            condition = term.present
            if term.maximum is not None:  # a node: its share, when its max is not 0
                nonzero = f"{maximum_of(term).code} != 0"
                condition = f"{condition} and {nonzero}" if condition else nonzero
            else:
                highest = max(highest, term.value.hi or ONE)
            if condition:
                g.out.line(f"if {condition}:")
            with g.out.indent() if condition else nullcontext():
                share = _node_share(g, term) if term.maximum is not None else term.value
                g.out.line(f"{pairs}.append(({g.const(term.weight).code}, {share.code}))")
        fn = g.out.ns.add("mean", self.of, ("fn", self.keyword))
        value = g.out.fresh("g")
        g.out.line(f"{value} = {fn}({pairs})")
        return (lambda: Num(value, "exact", ZERO, highest)), f"{value} is not None"


class GeometricMean(_Nonlinear):
    keyword = "geometric mean"
    phrase = ("geometric mean", "trung bình nhân")
    note = (f" (exact when rational, else to {DIGITS} significant digits)",
            f" (chính xác khi là số hữu tỷ, nếu không thì đến {DIGITS} chữ số có nghĩa)")

    def of(self, pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
        return geometric(pairs)

    def annex_key(self) -> str:
        return "geometric_mean"


class HarmonicMean(_Nonlinear):
    keyword = "harmonic mean"
    phrase = ("harmonic mean", "trung bình điều hoà")

    def of(self, pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
        return harmonic(pairs)

    def annex_key(self) -> str:
        return "harmonic_mean"


SHARE_OF_MAX, WEIGHTED_MEAN, MEAN = ShareOfMax(), WeightedMean(), Mean()
GEOMETRIC_MEAN, HARMONIC_MEAN = GeometricMean(), HarmonicMean()


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
        case "geometric mean":
            return GEOMETRIC_MEAN
        case "harmonic mean":
            return HARMONIC_MEAN
        case _:
            assert_never(method)
