"""Compile a checked model into Python source, as jinja2 compiles templates: one function per
block, in two variants, compiled once per methodology (`Methodology.compiled_source`).

**exact** mirrors `evaluate.py` with `Fraction`s and no explanations: the reference semantics,
only faster.

**fast** computes with Python ints and floats, and takes every discrete decision (band row,
table row, cap, clamp, min/max, zero denominator, `when`, rounding digit, grade) only when it
is proven on the right side; otherwise it raises `Uncertain` and the caller recomputes the
entity with the exact variant. Decisions are proven in four ways, by what a value is:

- `int`: a Python int (counts, levels, whole-number arithmetic): compared exactly.
- `dec`: a data value as the user gave it, int or float. Validation reads a float `x` as the
  decimal `repr(x)` (`inputs.values`), so its exact value is D(x) = Fraction(repr(x)), and
  `x = fl(D(x))`. Rounding to nearest is monotone and, on such decimals, injective (two of them
  with the same float have the same repr), so `D(x) ≥ t ⟺ x ≥ fl(t)` for every threshold `t`
  whose repr is itself (checked here; true of any decimal with at most 15 digits), and
  `D(x) ≥ D(y) ⟺ x ≥ y`. A percent is kept as the 0..100 figure (`scale` 1/100).
- `ratio`: num/den of two ints, den > 0 (`staff_with_pc / staff`): compared by
  cross-multiplication.
- `approx`: a float with a static error bound |x̃ − x| ≤ (rel·|x| + abs)·u, u = 2⁻⁵³, derived
  operation by operation from bounds on every value (inputs outside them take the exact
  path). A comparison with a constant holds when x̃ lies beyond the threshold moved by the
  bound (`_above`, `_below`, computed here with Fractions); between two values, when their
  difference exceeds the sum of both bounds.

Identifiers in the generated code are generated (`x3`, `v12`); user text enters only as
`repr()` of a literal (an option id) or as a value in the namespace (table keys, names read by
`operator.itemgetter`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, assert_never

from egov_rules import syntax as s

if TYPE_CHECKING:
    from egov_rules.model import Model

ZERO, ONE = Fraction(0), Fraction(1)
U = Fraction(1, 2**53)  # unit roundoff of a double
CAP = 2**50  # numeric inputs above this (in magnitude) take the exact path
FLOOR = Fraction(1, 2**50)  # nonzero float inputs below this (in magnitude) take the exact path
HUGE = Fraction(2) ** 900  # a value bound beyond this could overflow: the block stays exact
NORMAL = Fraction(1, 2**1000)  # a float at least this large is far from underflow
ETA = Fraction(1, 2**1021)  # an underflowing product's error (2⁻¹⁰⁷⁴), in units of u
TOLERANCE = Fraction(1, 10**9)  # largest error of a continuous result, relative to its scale
FLAT_BRANCHES = 100  # more cases than this are not written as one if/elif chain (`branches`)

Mode = Literal["fast", "exact"]


class Uncertain(Exception):
    """The fast variant cannot prove a decision: recompute the entity exactly."""


class Unusual(Exception):
    """A value outside the forms the fast validator accepts (a string, a missing key, a value
    out of range): validate it the ordinary way, with located diagnostics."""


class Untracked(Exception):
    """Compile time: a value whose float error cannot be bounded; the block stays exact."""


# -- values at compile time ----------------------------------------------------------------

Kind = Literal["int", "dec", "ratio", "approx", "exact", "bool", "option"]


class _View:
    """A float view of a value, emitted on first use where the value was defined."""

    def __init__(self, slot: _Slot) -> None:
        self.slot = slot
        self.name: str | None = None


@dataclass(frozen=True, slots=True)
class Num:
    """What the generated code holds for a value, and what is known about it.

    `code` is a Python expression (a local name or a literal). For `dec`, the exact value is
    `scale × D(code)`; for `ratio`, `num / den`; for `approx`, `code` is within
    `(rel·|exact| + abs)·u` of it. `lo`/`hi` bound the exact value (None: unbounded); `tiny`
    bounds its magnitude from below when it is not zero (0: unknown)."""

    code: str
    kind: Kind
    lo: Fraction | None = None
    hi: Fraction | None = None
    scale: Fraction = ONE
    rel: Fraction = ZERO
    abs: Fraction = ZERO
    num: str = ""
    den: str = ""
    tiny: Fraction = ZERO
    view: _View | None = None
    const: Fraction | None = None  # the value, when it is known when compiling
    # approx = num / den with den an exact int: when num is an int when run, so is the
    # value exact (Python ints never round), and a rounding can be decided with ints.
    quotient: tuple[str, str] | None = None

    @property
    def magnitude(self) -> Fraction | None:
        if self.lo is None or self.hi is None:
            return None
        return max(abs(self.lo), abs(self.hi))

    @property
    def nonneg(self) -> bool:
        return self.lo is not None and self.lo >= 0


def hull(values: list[Num]) -> tuple[Fraction | None, Fraction | None]:
    los, his = [v.lo for v in values], [v.hi for v in values]
    lo = None if any(x is None for x in los) else min(x for x in los if x is not None)
    hi = None if any(x is None for x in his) else max(x for x in his if x is not None)
    return lo, hi


def _mul_bounds(a: Num, b: Num) -> tuple[Fraction | None, Fraction | None]:
    if a.lo is None or a.hi is None or b.lo is None or b.hi is None:
        if a.nonneg and b.nonneg:
            return (a.lo or ZERO) * (b.lo or ZERO), None
        return None, None
    corners = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
    return min(corners), max(corners)


def _add_bounds(a: Num, b: Num, sign: int) -> tuple[Fraction | None, Fraction | None]:
    blo, bhi = (b.lo, b.hi) if sign > 0 else (None if b.hi is None else -b.hi,
                                              None if b.lo is None else -b.lo)
    lo = None if a.lo is None or blo is None else a.lo + blo
    hi = None if a.hi is None or bhi is None else a.hi + bhi
    return lo, hi


def round_trips(value: Fraction) -> bool:
    """The value is the decimal that `repr` gives for its nearest float (see the module doc)."""
    if abs(value) > CAP or (value and abs(value) < FLOOR):
        return False
    return Fraction(repr(float(value))) == value


def float_up(value: Fraction) -> float:
    f = float(value)
    return math.nextafter(f, math.inf) if Fraction(f) < value else f


def float_down(value: Fraction) -> float:
    f = float(value)
    return math.nextafter(f, -math.inf) if Fraction(f) > value else f


def flit(value: float) -> str:
    text = repr(value)
    return f"({text})" if value < 0 else text


def ilit(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


# -- emitter -------------------------------------------------------------------------------


class _Slot:
    """A place in the emitted lines filled later (a float view, a branch's assignment)."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.lines: list[str] = []


class Namespace:
    """The constants and helpers generated code reads, under generated names."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._by_key: dict[tuple[str, Any], str] = {}

    def add(self, prefix: str, value: Any, key: Any = None) -> str:
        lookup = (prefix, key) if key is not None else None
        if lookup is not None and lookup in self._by_key:
            return self._by_key[lookup]
        name = f"{prefix}{len(self.values)}"
        self.values[name] = value
        if lookup is not None:
            self._by_key[lookup] = name
        return name


class Emitter:
    def __init__(self, namespace: Namespace) -> None:
        self.ns = namespace
        self.lines: list[str | _Slot] = []
        self.depth = 1
        self._count = 0
        self.names: list[str] = []  # every local made, in order

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def fresh(self, prefix: str = "v") -> str:
        self._count += 1
        name = f"{prefix}{self._count}"
        self.names.append(name)
        return name

    def slot(self) -> _Slot:
        slot = _Slot(self.depth)
        self.lines.append(slot)
        return slot

    @contextmanager
    def indent(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def render(self) -> str:
        out: list[str] = []
        for item in self.lines:
            if isinstance(item, _Slot):
                out.extend("    " * item.depth + text for text in item.lines)
            else:
                out.append(item)
        return "\n".join(out)


# -- decisions -----------------------------------------------------------------------------

CompareOp = Literal[">=", ">", "<=", "<", "=", "!="]
_FLIP: dict[CompareOp, CompareOp] = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=",
                                     "!=": "!="}


@dataclass(frozen=True, slots=True)
class Test:
    """A decision: `holds` is true only when the condition certainly holds; `fails` only when
    it certainly does not (None: `not holds` is certain). Neither: raise Uncertain."""

    holds: str
    fails: str | None = None


TRUE, FALSE = Test("True"), Test("False")


def error_margin(num: Num) -> tuple[Fraction, Fraction]:
    """Generous (rel, abs) for a decision: twice the bound plus slack for the comparison's own
    roundings and second-order terms."""
    return 2 * num.rel + 4, 2 * num.abs + (1 if num.abs else 0)


def _above(t: Fraction, rel: Fraction, abs_: Fraction) -> Fraction:
    """x̃ > this ⇒ x > t, when |x̃ − x| ≤ (rel·|x| + abs)·u."""
    return t * (1 + rel * U if t >= 0 else 1 - rel * U) + abs_ * U


def _below(t: Fraction, rel: Fraction, abs_: Fraction) -> Fraction:
    """x̃ < this ⇒ x < t."""
    return t * (1 - rel * U if t > 0 else 1 + rel * U) - abs_ * U


def _int_test(code: str, op: CompareOp, t: Fraction) -> Test:
    if op == ">=":
        return Test(f"{code} >= {ilit(math.ceil(t))}")
    if op == ">":
        return Test(f"{code} > {ilit(math.floor(t))}")
    if op == "<=":
        return Test(f"{code} <= {ilit(math.floor(t))}")
    if op == "<":
        return Test(f"{code} < {ilit(math.ceil(t))}")
    if t.denominator != 1:
        return FALSE if op == "=" else TRUE
    return Test(f"{code} {'==' if op == '=' else '!='} {ilit(int(t))}")


def _static(num: Num, op: CompareOp, t: Fraction) -> Test | None:
    """The answer when the value's bounds decide it."""
    lo, hi = num.lo, num.hi
    holds = {">=": lo is not None and lo >= t, ">": lo is not None and lo > t,
             "<=": hi is not None and hi <= t, "<": hi is not None and hi < t,
             "=": lo is not None and lo == hi == t,
             "!=": (lo is not None and lo > t) or (hi is not None and hi < t)}[op]
    fails = {">=": hi is not None and hi < t, ">": hi is not None and hi <= t,
             "<=": lo is not None and lo > t, "<": lo is not None and lo >= t,
             "=": (lo is not None and lo > t) or (hi is not None and hi < t),
             "!=": lo is not None and lo == hi == t}[op]
    return TRUE if holds else FALSE if fails else None


_PY_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "==", "!=": "!="}


# -- the generator: primitives both variants share -----------------------------------------


class Gen:
    """Emits one function. Per-kind code (below) calls these primitives, which give the exact
    variant plain Fraction code and the fast variant proven float code."""

    def __init__(self, mode: Mode, model: Model, block: str, emitter: Emitter) -> None:
        self.mode = mode
        self.model = model
        self.block = block
        self.out = emitter
        self.names: dict[str, Num] = {}  # indicator and let id → its value
        self.best: dict[str, Num] = {}  # cohort figure key (CohortFigure.key) → its figure

    # -- constants

    def const(self, value: Fraction) -> Num:
        if self.mode == "exact":
            return Num(self.out.ns.add("C", value, ("F", value)), "exact", value, value,
                       const=value)
        if value.denominator == 1:
            return Num(ilit(int(value)), "int", value, value, tiny=abs(value), const=value)
        if round_trips(value):
            return Num(flit(float(value)), "dec", value, value, tiny=abs(value), const=value)
        if abs(value) > HUGE or (value and abs(value) < 1 / HUGE):
            raise Untracked(f"the constant {value} is out of float range")
        return Num(flit(float(value)), "approx", value, value, rel=ONE, tiny=abs(value),
                   const=value)

    def boolean(self, code: str) -> Num:
        return Num(code, "bool")

    # -- float views and arithmetic

    def as_float(self, x: Num) -> Num:
        """The value as an `approx` float (an int stays an int: Python mixes them exactly)."""
        if self.mode == "exact" or x.kind == "approx":
            return x
        if x.kind == "int":
            rel = ZERO if (x.magnitude is not None and x.magnitude <= 2**53) else ONE
            return Num(x.code, "approx", x.lo, x.hi, rel=rel, tiny=x.tiny)
        small = ETA if x.kind == "ratio" and x.tiny < NORMAL else ZERO  # n / d may underflow
        # A dec holding an int beyond 2⁵³ is rounded once more when it meets a float.
        wide = ONE if x.kind == "dec" and (x.magnitude is None or x.magnitude / x.scale > 2**53) \
            else ZERO
        if x.kind == "dec" and x.scale == 1:
            return Num(x.code, "approx", x.lo, x.hi, rel=1 + wide, tiny=x.tiny)
        if x.kind not in ("dec", "ratio"):
            raise Untracked(f"a {x.kind} is not a number")
        name = self._view_of(x)
        rel = Fraction(1) if x.kind == "ratio" else (
            Fraction(2) if (1 / x.scale).denominator == 1 else Fraction(3))
        return Num(name, "approx", x.lo, x.hi, rel=rel + wide, abs=small, tiny=x.tiny)

    def _view_of(self, x: Num) -> str:
        assert x.view is not None
        if x.view.name is None:
            x.view.name = self.out.fresh("f")
            if x.kind == "ratio":
                text = f"{x.view.name} = {x.num} / {x.den}"
            elif (1 / x.scale).denominator == 1:
                text = f"{x.view.name} = {x.code} / {ilit(int(1 / x.scale))}"
            else:
                text = f"{x.view.name} = {x.code} * {flit(float(x.scale))}"
            x.view.slot.lines.append(text)
        return x.view.name

    def assign(self, x: Num, prefix: str = "v") -> Num:
        """Bind a computed value to a fresh local (so it is computed once)."""
        if x.kind == "ratio" or x.code.isidentifier() or is_literal(x.code):
            return x
        name = self.out.fresh(prefix)
        self.out.line(f"{name} = {x.code}")
        return replace_num(x, code=name)

    def with_view(self, x: Num) -> Num:
        """A value that may need a float view later gets a slot for it here."""
        if self.mode == "fast" and (x.kind == "ratio" or (x.kind == "dec" and x.scale != 1)):
            return replace_num(x, view=_View(self.out.slot()))
        return x

    def neg(self, x: Num) -> Num:
        if x.const is not None:
            return self.const(-x.const)
        lo = None if x.hi is None else -x.hi
        hi = None if x.lo is None else -x.lo
        if x.kind == "ratio":
            return self.with_view(Num("", "ratio", lo, hi, num=f"(-{x.num})", den=x.den,
                                      tiny=x.tiny))
        if x.kind == "dec" and x.scale != 1:
            return self.with_view(replace_num(x, code=f"(-{x.code})", lo=lo, hi=hi, view=None))
        return replace_num(x, code=f"(-{x.code})", lo=lo, hi=hi)

    def add(self, a: Num, b: Num, sign: int = 1) -> Num:
        lo, hi = _add_bounds(a, b, sign)
        op = "+" if sign > 0 else "-"
        if a.const is not None and b.const is not None:
            return self.const(a.const + sign * b.const)
        if b.const == 0:
            return a
        if a.const == 0 and sign > 0:
            return b
        if self.mode == "exact":
            return self.assign(Num(f"({a.code} {op} {b.code})", "exact", lo, hi))
        if a.kind == b.kind == "int":
            return self.assign(Num(f"({a.code} {op} {b.code})", "int", lo, hi, tiny=ONE))
        fa, fb = self.as_float(a), self.as_float(b)
        same_sign = (a.nonneg and (b.hi is not None and b.hi <= 0 if sign < 0 else b.nonneg)) or (
            a.hi is not None and a.hi <= 0 and (b.nonneg if sign < 0 else
                                                 b.hi is not None and b.hi <= 0))
        if same_sign:
            rel = max(fa.rel, fb.rel) + 2
            abs_ = fa.abs + fb.abs
            tiny = min(fa.tiny, fb.tiny)
        else:
            ma, mb = fa.magnitude, fb.magnitude
            if ma is None or mb is None:
                raise Untracked("a difference of unbounded values")
            rel, abs_, tiny = Fraction(2), fa.abs + fb.abs + fa.rel * ma + fb.rel * mb, ZERO
        return self._approx(f"({fa.code} {op} {fb.code})", lo, hi, rel, abs_, tiny)

    def mul(self, a: Num, b: Num) -> Num:
        lo, hi = _mul_bounds(a, b)
        if a.const is not None and b.const is not None:
            return self.const(a.const * b.const)
        if b.const is not None:
            a, b = b, a  # constant first
        if a.const == 0:
            return self.const(ZERO)
        if a.const == 1:
            return b
        if self.mode == "exact":
            return self.assign(Num(f"({a.code} * {b.code})", "exact", lo, hi))
        if a.const is not None and b.kind in ("int", "dec") and (
                b.kind == "dec" or a.const.denominator != 1):
            # A decimal times a constant is a decimal on a new scale: nothing to compute.
            return self.with_view(Num(b.code, "dec", lo, hi, scale=b.scale * a.const,
                                      tiny=b.tiny * abs(a.const)))
        if a.kind == b.kind == "int":
            return self.assign(Num(f"({a.code} * {b.code})", "int", lo, hi, tiny=ONE))
        fa, fb = self.as_float(a), self.as_float(b)
        ma, mb = fa.magnitude, fb.magnitude
        if (fa.abs and mb is None) or (fb.abs and ma is None):
            raise Untracked("a product of unbounded values")
        abs_ = fa.abs * (mb or ZERO) + fb.abs * (ma or ZERO) + (1 if fa.abs and fb.abs else 0)
        return self._approx(f"({fa.code} * {fb.code})", lo, hi, fa.rel + fb.rel + 2, abs_,
                            fa.tiny * fb.tiny, rounds_small=True)

    def div(self, a: Num, b: Num, within: tuple[Fraction, Fraction] | None = None) -> Num:
        """a / b where b ≠ 0 (a zero rule or a nonzero constant guarantees it); `within`
        bounds the quotient when the caller knows better (a branch where 0 < a < b)."""
        if b.const == 1:
            return a
        if b.const is not None:
            if self.mode == "fast" and b.const.denominator == 1 and b.const > 0 and (
                    a.kind in ("approx", "int")):  # correctly rounded, unlike × 1/b
                if a.kind == "int":
                    return self.with_view(Num("", "ratio", *_div_bounds(a, b), num=a.code,
                                              den=str(b.const), tiny=a.tiny / b.const))
                fa = self.as_float(a)
                lo, hi = _div_bounds(a, b) if within is None else within
                return self._approx(f"({fa.code} / {b.const})", lo, hi, fa.rel + 2,
                                    fa.abs / b.const, fa.tiny / b.const, rounds_small=True)
            return self.mul(a, self.const(1 / b.const))
        if self.mode == "exact":
            return self.assign(Num(f"({a.code} / {b.code})", "exact"))
        lo, hi = within if within is not None else _div_bounds(a, b)
        if a.kind == b.kind == "int" and b.nonneg:
            return self.with_view(Num("", "ratio", lo, hi, num=a.code, den=b.code,
                                      tiny=ONE / b.hi if b.hi else ZERO))
        fa, fb = self.as_float(a), self.as_float(b)
        if fb.abs or (fa.abs and not fb.tiny):
            raise Untracked("a division by a value whose error is not relative")
        mb = fb.magnitude
        quotient = self._approx(f"({fa.code} / {fb.code})", lo, hi, fa.rel + fb.rel + 3,
                                fa.abs / fb.tiny if fa.abs else ZERO,
                                fa.tiny / mb if mb else ZERO, rounds_small=True)
        if b.kind == "int" and a.kind in ("approx", "int") and b.nonneg:
            return replace_num(quotient, quotient=(a.code, b.code))
        return quotient

    def _approx(self, code: str, lo: Fraction | None, hi: Fraction | None, rel: Fraction,
                abs_: Fraction, tiny: Fraction, rounds_small: bool = False) -> Num:
        """A float result with its error bound. A product or quotient that may be tiny may
        underflow, where rounding is absolute (2⁻¹⁰⁷⁴), not relative: that is added."""
        magnitude = None if lo is None or hi is None else max(abs(lo), abs(hi))
        if magnitude is None or magnitude > HUGE or rel > 2**20 or abs_ * U > 2**-20 * (
                magnitude or 1):
            raise Untracked("a float value without a usable error bound")
        if rounds_small and tiny < NORMAL:
            abs_ += ETA
        return self.assign(Num(code, "approx", lo, hi, rel=rel, abs=abs_, tiny=tiny))

    # -- decisions

    def test(self, x: Num, op: CompareOp, t: Fraction) -> Test:
        """Whether x op t, for a constant t."""
        if self.mode == "exact":
            return Test(f"{x.code} {_PY_OPS[op]} {self.const(t).code}")
        if x.kind in ("bool", "option"):
            raise Untracked(f"a {x.kind} compared with a number")
        static = _static(x, op, t)
        if static is not None:
            return static
        if x.kind == "int":
            return _int_test(x.code, op, t)
        if x.kind == "ratio" and x.den.isdigit():  # a constant denominator: compare numerators
            return _int_test(x.num, op, t * int(x.den))
        if x.kind == "ratio":
            left = x.num if t.denominator == 1 else f"{x.num} * {t.denominator}"
            right = f"{ilit(t.numerator)} * {x.den}" if t.numerator not in (0, 1) else (
                "0" if t.numerator == 0 else x.den)
            return Test(f"{left} {_PY_OPS[op]} {right}")
        if x.kind == "dec" and round_trips(t / x.scale) and x.scale > 0:
            return Test(f"{x.code} {_PY_OPS[op]} {flit(float(t / x.scale))}")
        f = self.as_float(x)
        if t == 0 and not f.abs:  # a relative error keeps the sign and zero itself
            return Test(f"{f.code} {_PY_OPS[op]} 0")
        rel, abs_ = error_margin(f)
        above = flit(float_up(_above(t, rel, abs_)))
        below = flit(float_down(_below(t, rel, abs_)))
        certainly_above, certainly_below = f"{f.code} > {above}", f"{f.code} < {below}"
        if op in (">=", ">"):
            return Test(certainly_above, certainly_below)
        if op in ("<=", "<"):
            return Test(certainly_below, certainly_above)
        apart = f"({certainly_above} or {certainly_below})"
        return Test("False", apart) if op == "=" else Test(apart, "False")

    def compare(self, a: Num, op: CompareOp, b: Num) -> Test:
        """Whether a op b, both computed."""
        if b.const is not None:
            return self.test(a, op, b.const)
        if a.const is not None:
            return self.test(b, _FLIP[op], a.const)
        if self.mode == "exact" or a.kind in ("bool", "option") or b.kind in ("bool", "option"):
            return Test(f"{a.code} {_PY_OPS[op]} {b.code}")
        exact_pair = (a.kind == b.kind == "int") or (  # a negative scale would flip the order
            {a.kind, b.kind} <= {"int", "dec"} and a.scale == b.scale and a.scale > 0)
        if exact_pair:
            return Test(f"{a.code} {_PY_OPS[op]} {b.code}")
        if a.kind in ("int", "ratio") and b.kind in ("int", "ratio"):
            an, ad = (a.num, a.den) if a.kind == "ratio" else (a.code, "1")
            bn, bd = (b.num, b.den) if b.kind == "ratio" else (b.code, "1")
            return Test(f"{an} * {bd} {_PY_OPS[op]} {bn} * {ad}")
        fa, fb = self.as_float(a), self.as_float(b)
        ra, aa = error_margin(fa)
        rb, ab = error_margin(fb)
        if aa + ab > 0 and (fa.magnitude is None or fb.magnitude is None):
            raise Untracked("a comparison of unbounded values")
        diff, margin = self.out.fresh("d"), self.out.fresh("m")
        size_a = fa.code if fa.nonneg else f"abs({fa.code})"
        size_b = fb.code if fb.nonneg else f"abs({fb.code})"
        fixed = aa + ab
        terms = [f"{flit(float_up(ra * U * 2))} * {size_a}",
                 f"{flit(float_up(rb * U * 2))} * {size_b}"]
        if fixed:
            terms.append(flit(float_up(fixed * U * 2)))
        self.out.line(f"{diff} = {fa.code} - {fb.code}")
        self.out.line(f"{margin} = {' + '.join(terms)}")
        up, down = f"{diff} > {margin}", f"{diff} < -{margin}"
        tie = "" if fixed else f"not {margin}"  # both exactly zero
        return {
            ">=": Test(f"{up} or {tie}" if tie else up, down),
            ">": Test(up, f"{down} or {tie}" if tie else down),
            "<=": Test(f"{down} or {tie}" if tie else down, up),
            "<": Test(down, f"{up} or {tie}" if tie else up),
            "=": Test(tie or "False", f"{up} or {down}"),
            "!=": Test(f"{up} or {down}", tie or "False"),
        }[op]

    def truth(self, test: Test) -> Num:
        """A decision as a yes/no value."""
        if test.fails is None:
            return self.assign(self.boolean(f"({test.holds})"), "b")
        name = self.out.fresh("b")
        self.out.line(f"if {test.holds}:")
        with self.out.indent():
            self.out.line(f"{name} = True")
        self.out.line(f"elif {test.fails}:")
        with self.out.indent():
            self.out.line(f"{name} = False")
        self.out.line("else:")
        with self.out.indent():
            self.out.line("raise Uncertain")
        return self.boolean(name)

    def branches(self, prefix: str, cases: list[tuple[Test | None, Callable[[], Num]]]) -> Num:
        """`if test: value elif …`: the first case whose test holds gives the value (a None
        test always holds). An unproven test raises Uncertain before later cases are tried."""
        live: list[tuple[Test | None, Callable[[], Num]]] = []
        for test, value in cases:
            if test is not None and test.holds == "False" and test.fails in (None, "True"):
                continue  # never taken
            if test is not None and test.holds == "True":
                test = None
            live.append((test, value))
            if test is None:
                break
        if len(live) == 1 and live[0][0] is None:
            return live[0][1]()
        if len(live) > FLAT_BRANCHES:
            return self._flat_branches(prefix, live)
        results: list[tuple[Num, _Slot]] = []
        keyword = "if"
        for test, value in live:
            if test is None:
                self.out.line("else:")
            else:
                self.out.line(f"{keyword} {test.holds}:")
            with self.out.indent():
                results.append((value(), self.out.slot()))
            if test is not None and test.fails is not None:
                self.out.line(f"elif not ({test.fails}):")
                with self.out.indent():
                    self.out.line("raise Uncertain")
            keyword = "elif"
        if live[-1][0] is not None:
            self.out.line("else:")
            with self.out.indent():
                self.out.line("raise LookupError('no row applies')")  # checks guarantee one does
        return self._merge(prefix, results)

    def _flat_branches(self, prefix: str, live: list[tuple[Test | None, Callable[[], Num]]]
                       ) -> Num:
        """`branches` as a run of `if test: …; break` in a loop that runs once: CPython nests
        each `elif` in the one before and compiles them recursively (an `if`/`elif` chain of
        3,000 overflowed its stack; 10,000 band rows ran out of memory)."""
        results: list[tuple[Num, _Slot]] = []
        self.out.line("while True:")
        with self.out.indent():
            for test, value in live:
                if test is None:
                    results.append((value(), self.out.slot()))
                    self.out.line("break")
                    break
                self.out.line(f"if {test.holds}:")
                with self.out.indent():
                    results.append((value(), self.out.slot()))
                    self.out.line("break")
                if test.fails is not None:
                    self.out.line(f"if not ({test.fails}):")
                    with self.out.indent():
                        self.out.line("raise Uncertain")
            else:
                self.out.line("raise LookupError('no row applies')")  # checks guarantee one does
        return self._merge(prefix, results)

    def _merge(self, prefix: str, results: list[tuple[Num, _Slot]]) -> Num:
        values = [v for v, _ in results]
        lo, hi = hull(values)
        tiny = min((v.tiny for v in values if v.const != 0), default=ZERO)
        if self.mode == "exact" or all(v.kind in ("bool", "option") for v in values):
            name = self.out.fresh(prefix)
            for value, slot in results:
                slot.lines.append(f"{name} = {value.code}")
            kind: Kind = values[0].kind if self.mode == "fast" else "exact"
            return Num(name, kind, lo, hi)
        if all(v.kind == "int" for v in values):
            name = self.out.fresh(prefix)
            for value, slot in results:
                slot.lines.append(f"{name} = {value.code}")
            return Num(name, "int", lo, hi, tiny=tiny)
        scales = {v.scale for v in values if v.kind == "dec"}
        if all(v.kind in ("int", "dec") for v in values) and len(scales) == 1 and (
                scales == {ONE} or all(v.kind == "dec" for v in values)):
            name = self.out.fresh(prefix)
            for value, slot in results:
                slot.lines.append(f"{name} = {value.code}")
            return self.with_view(Num(name, "dec", lo, hi, scale=scales.pop(), tiny=tiny))
        if all(v.kind in ("int", "ratio") for v in values):
            num, den = self.out.fresh(prefix + "n"), self.out.fresh(prefix + "d")
            for value, slot in results:
                n, d = (value.num, value.den) if value.kind == "ratio" else (value.code, "1")
                slot.lines.append(f"{num}, {den} = {n}, {d}")
            return self.with_view(Num("", "ratio", lo, hi, num=num, den=den, tiny=tiny))
        name = self.out.fresh(prefix)
        floats = [self.as_float(value) for value, _ in results]  # views go to each value's slot
        for f, (_, slot) in zip(floats, results, strict=True):
            slot.lines.append(f"{name} = {f.code}")
        return Num(name, "approx", lo, hi, rel=max(f.rel for f in floats),
                   abs=max(f.abs for f in floats), tiny=tiny)

    def plain(self, x: Num) -> Num:
        """The value itself in a local or literal (not a raw decimal on another scale, not a
        pair): what a result holds."""
        if self.mode == "exact" or x.kind in ("int", "approx", "bool", "option") or (
                x.kind == "dec" and x.scale == 1):
            return x
        return self.as_float(x)


def replace_num(x: Num, **changes: Any) -> Num:
    return replace(x, **changes)


def just(x: Num) -> Callable[[], Num]:
    """A branch value computed before the branch (a constant, a local)."""
    return lambda: x


def is_literal(code: str) -> bool:
    try:
        float(code.strip("()"))
    except ValueError:
        return code in ("True", "False", "None")
    return True


def _div_bounds(a: Num, b: Num) -> tuple[Fraction | None, Fraction | None]:
    """Bounds of a / b for a positive b (at least its `tiny`); unknown otherwise."""
    if not b.nonneg or not b.tiny or a.lo is None or a.hi is None:
        return None, None
    corners = [a.lo / b.tiny, a.hi / b.tiny] + (
        [a.lo / b.hi, a.hi / b.hi] if b.hi is not None else [ZERO])
    return min(corners), max(corners)


# -- expressions ---------------------------------------------------------------------------


def expr(g: Gen, e: s.Expr) -> Num:
    """Compile an expression; lines computing it are emitted, its value returned."""
    match e:
        case s.Number():
            return g.const(e.value)
        case s.YesNo():
            return g.boolean("True" if e.value else "False")
        case s.Name():
            if e.name in g.names:
                return g.names[e.name]
            return Num(repr(e.name), "option")  # an option id
        case s.Unary():
            operand = expr(g, e.operand)
            if e.op == "not":
                return g.assign(g.boolean(f"(not {operand.code})"), "b")
            return g.neg(operand)
        case s.Call():
            # Imported here: the function kinds generate their code with this module.
            from egov_rules.kinds.functions import let_function

            return let_function(e).emit(g, [expr(g, arg) for arg in e.args])
        case s.Binary():
            return _binary(g, e)
        case _:
            assert_never(e)


def _binary(g: Gen, e: s.Binary) -> Num:
    if e.op in s.LOGIC_OPS:
        left = expr(g, e.left)
        name = g.out.fresh("b")
        g.out.line(f"{name} = {left.code}")
        g.out.line(f"if {'' if e.op == 'and' else 'not '}{name}:")
        with g.out.indent():
            right = expr(g, e.right)
            g.out.line(f"{name} = {right.code}")
        return g.boolean(name)
    left, right = expr(g, e.left), expr(g, e.right)
    if e.op in s.COMPARISON_OPS:
        op: CompareOp = e.op  # type: ignore[assignment]
        return g.truth(g.compare(left, op, right))
    if e.op == "+":
        return g.add(left, right)
    if e.op == "-":
        return g.add(left, right, -1)
    if e.op == "*":
        return g.mul(left, right)
    return g.div(left, right)


# -- what several kinds' code is made of -----------------------------------------------------


def fast_constant(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def constant_choice(g: Gen, name: str, values: list[Fraction]) -> Num:
    """A local holding one of several constants."""
    lo, hi = min(values), max(values)
    if g.mode == "exact":
        return Num(name, "exact", lo, hi)
    if all(v.denominator == 1 for v in values):
        return Num(name, "int", lo, hi)
    if all(round_trips(v) for v in values):
        return Num(name, "dec", lo, hi)
    return Num(name, "approx", lo, hi, rel=ONE)


@dataclass(frozen=True, slots=True)
class Part:
    """A child node or index term as its parent reads it: its points (or value) and maximum,
    with `present` a condition when it may not apply to an entity (None: it always does)."""

    value: Num
    maximum: Num | None
    present: str | None
    weight: Fraction = ONE


def accumulate(g: Gen, parts: list[tuple[Callable[[], Num], str | None]]) -> Num:
    """Σ of nonnegative parts, constants added up now; a part with a condition is computed
    and counted only when the condition holds."""
    always = [g.plain(make()) for make, condition in parts if condition is None]
    constant = sum((v.const for v in always if v.const is not None), ZERO)
    computed = [v for v in always if v.const is None]
    total = g.const(constant)
    if computed:
        terms = [v.code for v in computed] + ([total.code] if constant else [])
        total = sum_of(g, " + ".join(terms), [*computed, total])
        total = g.assign(total, "s") if len(terms) > 1 else total
    maybe = [(make, condition) for make, condition in parts if condition is not None]
    if not maybe:
        return total
    name = g.out.fresh("s")
    g.out.line(f"{name} = {total.code}")
    added: list[Num] = [total]
    for make, condition in maybe:
        g.out.line(f"if {condition}:")
        with g.out.indent():
            value = g.plain(make())
            g.out.line(f"{name} += {value.code}")
        added.append(value)
    return sum_of(g, name, added, total.lo)


def sum_of(g: Gen, code: str, parts: list[Num], least: Fraction | None = None) -> Num:
    """What is known of a sum of nonnegative parts (of any subset of them, all of them but
    `least`: what the parts always counted add up to at least)."""
    his = [v.hi for v in parts]
    hi = None if any(h is None for h in his) else sum((h for h in his if h is not None), ZERO)
    lo = None if not all(v.nonneg for v in parts) else (
        sum((v.lo or ZERO for v in parts), ZERO) if least is None else max(least, ZERO))
    if g.mode == "exact":
        return Num(code, "exact", lo, hi)
    if all(v.kind == "int" for v in parts):
        return Num(code, "int", lo, hi, tiny=ONE)
    if lo is None:
        raise Untracked("a sum of values of either sign")
    floats = [g.as_float(v) for v in parts]
    return Num(code, "approx", lo, hi, rel=max(f.rel for f in floats) + 2 * len(parts),
               abs=sum((f.abs for f in floats), ZERO), tiny=min(f.tiny for f in floats))


def maximum_of(part: Part) -> Num:
    assert part.maximum is not None
    return part.maximum


def largest(g: Gen, values: list[tuple[Num, str | None]]) -> Num:
    """The largest value among those present, the first of equals (`max` keeps the first);
    None when none is present."""
    name = g.out.fresh("b")
    (first, first_present), *rest = values
    g.out.line(f"{name} = {first.code}" if first_present is None
               else f"{name} = {first.code} if {first_present} else None")
    current = replace_num(first, code=name, view=None)
    may_be_none = first_present is not None
    for value, present in rest:
        depth = g.out.depth
        if present is not None:
            g.out.line(f"if {present}:")
            g.out.depth += 1
        if may_be_none:
            g.out.line(f"if {name} is None:")
            with g.out.indent():
                g.out.line(f"{name} = {value.code}")
            g.out.line("else:")
            g.out.depth += 1
        merged = g.branches("c", [(g.compare(value, ">", current), just(value)),
                                  (None, just(current))])
        g.out.line(f"{name} = {g.plain(merged).code}")
        g.out.depth = depth
        may_be_none = may_be_none and present is not None
        lo, hi = hull([current, value])
        if g.mode == "exact" or current.kind == value.kind == "int":
            current = Num(name, current.kind, lo, hi)
        else:
            fc, fv = g.as_float(current), g.as_float(value)
            current = Num(name, "approx", lo, hi, rel=max(fc.rel, fv.rel),
                          abs=max(fc.abs, fv.abs), tiny=min(fc.tiny, fv.tiny))
    return current


def share_of(g: Gen, part: Part) -> Num:
    """points / max of a child, 0 when its max is 0."""
    maximum = maximum_of(part)
    return g.branches("h", [(g.test(maximum, "=", ZERO), lambda: g.const(ZERO)),
                            (None, lambda: g.div(part.value, maximum, within=(ZERO, ONE)))])


def nonzero_condition(g: Gen, total: Num) -> str | None:
    test = g.test(total, "!=", ZERO)
    if test.holds == "True":
        return None
    return g.assign(g.truth(test), "q").code


def extreme(g: Gen, args: list[Num], op: CompareOp) -> Num:
    """The first argument no later one beats (`op`: `<` for min, `>` for max)."""
    best = args[0]
    for arg in args[1:]:
        current = best
        best = g.branches("v", [(g.compare(arg, op, current), just(arg)),
                                (None, just(current))])
    return best
