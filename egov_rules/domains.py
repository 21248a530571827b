"""The range of values an expression can take, and sets of real intervals.

Used to decide whether a band can ever apply and whether the bands cover every value, taking
the input's type into account (a count is a whole number ≥ 0, a percent lies in 0..100 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.numbers import fmt
from egov_rules.resolve import Symbols, names_in


@dataclass(frozen=True, slots=True)
class Interval:
    """A real interval; None bounds are infinite."""

    lo: Fraction | None
    hi: Fraction | None
    lo_closed: bool = True
    hi_closed: bool = True

    def intersect(self, other: Interval) -> Interval:
        lo, lo_closed = _tighter(self.lo, self.lo_closed, other.lo, other.lo_closed, higher=True)
        hi, hi_closed = _tighter(self.hi, self.hi_closed, other.hi, other.hi_closed, higher=False)
        return Interval(lo, hi, lo_closed, hi_closed)

    def empty(self, integer: bool) -> bool:
        if integer:
            return self.first_integer() is None
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def first_integer(self) -> int | None:
        """The smallest whole number in the interval (with no lower bound, the largest one
        below its upper bound), or None when it holds none."""
        if self.lo is None:
            if self.hi is None:
                return 0
            # An open bound excludes itself: below 5 the largest whole number is 4, not 5.
            start = math.floor(self.hi) if self.hi_closed else math.ceil(self.hi) - 1
        else:
            start = math.ceil(self.lo) if self.lo_closed else math.floor(self.lo) + 1
        if self.hi is None:
            return start
        ok = start <= self.hi if self.hi_closed else start < self.hi
        return start if ok else None

    def describe(self, integer: bool) -> tuple[str, str]:
        """Text for the values in this interval (used in "no band applies to …")."""
        if integer and self.lo is not None and self.hi is not None:
            first = self.first_integer()
            if first is not None and (first + 1 > self.hi or (first + 1 == self.hi
                                                              and not self.hi_closed)):
                return (f"the value {first}", f"giá trị {first}")
        lo = None if self.lo is None else fmt(self.lo, digits=6)
        hi = None if self.hi is None else fmt(self.hi, digits=6)
        if lo is None and hi is None:
            return ("every value", "mọi giá trị")
        if lo is None:
            return (f"values {'up to' if self.hi_closed else 'below'} {hi}",
                    f"giá trị {'đến' if self.hi_closed else 'dưới'} {hi}")
        if hi is None:
            return (f"values {'from' if self.lo_closed else 'above'} {lo}",
                    f"giá trị {'từ' if self.lo_closed else 'trên'} {lo}")
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        return (f"values in {left}{lo}, {hi}{right}", f"giá trị trong {left}{lo}, {hi}{right}")


def _tighter(
    a: Fraction | None, a_closed: bool, b: Fraction | None, b_closed: bool, higher: bool
) -> tuple[Fraction | None, bool]:
    """The tighter of two bounds: the higher of two lower bounds, the lower of two upper."""
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a == b:
        return a, a_closed and b_closed
    return (a, a_closed) if (a > b) == higher else (b, b_closed)


EVERYTHING = Interval(None, None)


@dataclass(frozen=True, slots=True)
class Domain:
    interval: Interval
    integer: bool


class Domains:
    """Computes (and caches) the domain of indicators, derived values and expressions."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.cache: dict[str, Domain] = {}
        self._lets_done = False
        self._unknown_readers: frozenset[str] | None = None

    def of_name(self, name: str) -> Domain:
        if name not in self.cache:
            decl = self.symbols.declarations.get(name)
            if isinstance(decl, s.Let) and not self._lets_done:
                self._all_lets()
                return self.cache[name]
            self.cache[name] = indicator_domain(decl) if isinstance(decl, s.Indicator) \
                else Domain(EVERYTHING, False)
        return self.cache[name]

    def _all_lets(self) -> None:
        """Every derived value's domain, dependencies first (`let_order`): each reads only
        cached domains, so a chain of 10,000 lets recurses no deeper than one expression. A
        let read before its turn is part of a cycle (reported as E103) and reads as any
        value."""
        self._lets_done = True
        lets = self.symbols.lets
        for let_id in lets:
            self.cache[let_id] = Domain(EVERYTHING, False)
        for let_id in self.symbols.let_order:
            let = lets[let_id]
            result = self.of(let.expr)
            for rule in let.zero_rules:
                result = _hull(result, self.of(rule.fallback))
            self.cache[let_id] = result

    def reads_unknown(self, expr: s.Expr) -> bool:
        """True when the expression, or a derived value it reads, names something undeclared
        (already reported as E101; its range is unknown, so a range check would only echo
        it)."""
        if self._unknown_readers is None:
            self._unknown_readers = _unknown_readers(self.symbols)
        declarations = self.symbols.declarations
        return any(n.name not in declarations or n.name in self._unknown_readers
                   for n in names_in(expr))

    def of(self, expr: s.Expr) -> Domain:
        if isinstance(expr, s.Number):
            return Domain(Interval(expr.value, expr.value), expr.value.denominator == 1)
        if isinstance(expr, s.Name):
            return self.of_name(expr.name)
        if isinstance(expr, s.Unary) and expr.op == "-":
            d = self.of(expr.operand)
            i = d.interval
            return Domain(Interval(_neg(i.hi), _neg(i.lo)), d.integer)
        if isinstance(expr, s.Call):
            return self._call(expr)
        if isinstance(expr, s.Binary) and expr.op in s.ARITHMETIC_OPS:
            return self._arithmetic(expr.op, self.of(expr.left), self.of(expr.right))
        return Domain(EVERYTHING, False)

    def _call(self, call: s.Call) -> Domain:
        # Imported here: the function kinds build their domains from this module's types.
        from egov_rules.kinds.functions import let_function

        if not call.args:
            return Domain(EVERYTHING, False)
        return let_function(call).domain([self.of(a) for a in call.args])

    @staticmethod
    def _arithmetic(op: str, a: Domain, b: Domain) -> Domain:
        x, y = a.interval, b.interval
        integer = a.integer and b.integer and op != "/"
        if op == "+":
            return Domain(Interval(_add(x.lo, y.lo), _add(x.hi, y.hi)), integer)
        if op == "-":
            return Domain(Interval(_add(x.lo, _neg(y.hi)), _add(x.hi, _neg(y.lo))), integer)
        nonneg = _nonneg(x) and _nonneg(y)
        if op == "*" and nonneg:
            hi = None if x.hi is None or y.hi is None else x.hi * y.hi
            return Domain(Interval(x.lo * y.lo if x.lo and y.lo else Fraction(0), hi), integer)
        if op == "/" and nonneg:
            return Domain(Interval(Fraction(0), None), False)
        return Domain(EVERYTHING, False)


def indicator_domain(indicator: s.Indicator) -> Domain:
    between = indicator.get("between")
    if indicator.kind == "count":
        lo, hi = Fraction(0), None
    elif indicator.kind == "percent":
        lo, hi = Fraction(0), Fraction(1)
    elif indicator.kind == "level" and indicator.levels:
        lo, hi = Fraction(indicator.levels[0]), Fraction(indicator.levels[1])
    else:
        lo, hi = None, None
    if between is not None and isinstance(between.value, tuple):
        b_lo, b_hi = between.value
        if indicator.kind == "percent":
            b_lo, b_hi = b_lo / 100, b_hi / 100
        lo = b_lo if lo is None else max(lo, b_lo)
        hi = b_hi if hi is None else min(hi, b_hi)
    return Domain(Interval(lo, hi), indicator.kind in ("count", "level"))


def _hull(a: Domain, b: Domain) -> Domain:
    x, y = a.interval, b.interval
    lo = None if x.lo is None or y.lo is None else min(x.lo, y.lo)
    hi = None if x.hi is None or y.hi is None else max(x.hi, y.hi)
    return Domain(Interval(lo, hi), a.integer and b.integer)


def pick_bound(bounds: list[Fraction | None], want_max: bool, none_is_low: bool
                ) -> Fraction | None:
    """min or max of bounds where None is -inf (lower bounds) or +inf (upper bounds)."""
    known = [b for b in bounds if b is not None]
    if len(known) < len(bounds):
        # An infinite bound wins for max of highs / min of lows, loses otherwise.
        infinite_wins = want_max != none_is_low
        if infinite_wins or not known:
            return None
    return max(known) if want_max else min(known)


def _neg(v: Fraction | None) -> Fraction | None:
    return None if v is None else -v


def _add(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    return None if a is None or b is None else a + b


def _nonneg(i: Interval) -> bool:
    return i.lo is not None and i.lo >= 0


def _unknown_readers(symbols: Symbols) -> frozenset[str]:
    """The derived values that read an undeclared name, directly or through other lets: those
    that read one directly, then their readers (linear, and a cycle ends)."""
    lets = symbols.lets
    readers: dict[str, list[str]] = {}
    found: list[str] = []
    for let_id, let in lets.items():
        names = {n.name for e in (let.expr, *(r.fallback for r in let.zero_rules))
                 for n in names_in(e)}
        if any(name not in symbols.declarations for name in names):
            found.append(let_id)
        for name in names & lets.keys():
            readers.setdefault(name, []).append(let_id)
    tainted = set(found)
    while found:
        for reader in readers.get(found.pop(), ()):
            if reader not in tainted:
                tainted.add(reader)
                found.append(reader)
    return frozenset(tainted)
