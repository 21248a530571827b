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
import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import partial
from typing import Any, Literal, assert_never

from egov_rules import syntax as s
from egov_rules.evaluate import MissingReference, round_half_up
from egov_rules.model import Model, declared_max
from egov_rules.typecheck import zero_rule_denominator

ZERO, ONE = Fraction(0), Fraction(1)
U = Fraction(1, 2**53)  # unit roundoff of a double
CAP = 2**50  # numeric inputs above this (in magnitude) take the exact path
FLOOR = Fraction(1, 2**50)  # nonzero float inputs below this (in magnitude) take the exact path
HUGE = Fraction(2) ** 900  # a value bound beyond this could overflow: the block stays exact
NORMAL = Fraction(1, 2**1000)  # a float at least this large is far from underflow
ETA = Fraction(1, 2**1021)  # an underflowing product's error (2⁻¹⁰⁷⁴), in units of u
TOLERANCE = Fraction(1, 10**9)  # largest error of a continuous result, relative to its scale

Mode = Literal["fast", "exact"]


class Uncertain(Exception):
    """The fast variant cannot prove a decision: recompute the entity exactly."""


class Unusual(Exception):
    """A value outside the forms the fast validator accepts (a string, a missing key, a value
    out of range): validate it the ordinary way, with located diagnostics."""


class _Untracked(Exception):
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


def _hull(values: list[Num]) -> tuple[Fraction | None, Fraction | None]:
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


def _round_trips(value: Fraction) -> bool:
    """The value is the decimal that `repr` gives for its nearest float (see the module doc)."""
    if abs(value) > CAP or (value and abs(value) < FLOOR):
        return False
    return Fraction(repr(float(value))) == value


def _float_up(value: Fraction) -> float:
    f = float(value)
    return math.nextafter(f, math.inf) if Fraction(f) < value else f


def _float_down(value: Fraction) -> float:
    f = float(value)
    return math.nextafter(f, -math.inf) if Fraction(f) > value else f


def _flit(value: float) -> str:
    text = repr(value)
    return f"({text})" if value < 0 else text


def _ilit(value: int) -> str:
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
_BAND_OPS: dict[str, CompareOp] = {"at least": ">=", "above": ">", "at most": "<=", "below": "<"}
_FLIP: dict[CompareOp, CompareOp] = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=",
                                     "!=": "!="}


@dataclass(frozen=True, slots=True)
class Test:
    """A decision: `holds` is true only when the condition certainly holds; `fails` only when
    it certainly does not (None: `not holds` is certain). Neither: raise Uncertain."""

    holds: str
    fails: str | None = None


TRUE, FALSE = Test("True"), Test("False")


def _margin(num: Num) -> tuple[Fraction, Fraction]:
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
        return Test(f"{code} >= {_ilit(math.ceil(t))}")
    if op == ">":
        return Test(f"{code} > {_ilit(math.floor(t))}")
    if op == "<=":
        return Test(f"{code} <= {_ilit(math.floor(t))}")
    if op == "<":
        return Test(f"{code} < {_ilit(math.ceil(t))}")
    if t.denominator != 1:
        return FALSE if op == "=" else TRUE
    return Test(f"{code} {'==' if op == '=' else '!='} {_ilit(int(t))}")


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
        self.best: dict[str, Num] = {}  # relative node id → the best in block it reads

    # -- constants

    def const(self, value: Fraction) -> Num:
        if self.mode == "exact":
            return Num(self.out.ns.add("C", value, ("F", value)), "exact", value, value,
                       const=value)
        if value.denominator == 1:
            return Num(_ilit(int(value)), "int", value, value, tiny=abs(value), const=value)
        if _round_trips(value):
            return Num(_flit(float(value)), "dec", value, value, tiny=abs(value), const=value)
        if abs(value) > HUGE or (value and abs(value) < 1 / HUGE):
            raise _Untracked(f"the constant {value} is out of float range")
        return Num(_flit(float(value)), "approx", value, value, rel=ONE, tiny=abs(value),
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
            raise _Untracked(f"a {x.kind} is not a number")
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
                text = f"{x.view.name} = {x.code} / {_ilit(int(1 / x.scale))}"
            else:
                text = f"{x.view.name} = {x.code} * {_flit(float(x.scale))}"
            x.view.slot.lines.append(text)
        return x.view.name

    def assign(self, x: Num, prefix: str = "v") -> Num:
        """Bind a computed value to a fresh local (so it is computed once)."""
        if x.kind == "ratio" or x.code.isidentifier() or _is_literal(x.code):
            return x
        name = self.out.fresh(prefix)
        self.out.line(f"{name} = {x.code}")
        return _replace(x, code=name)

    def with_view(self, x: Num) -> Num:
        """A value that may need a float view later gets a slot for it here."""
        if self.mode == "fast" and (x.kind == "ratio" or (x.kind == "dec" and x.scale != 1)):
            return _replace(x, view=_View(self.out.slot()))
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
            return self.with_view(_replace(x, code=f"(-{x.code})", lo=lo, hi=hi, view=None))
        return _replace(x, code=f"(-{x.code})", lo=lo, hi=hi)

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
                raise _Untracked("a difference of unbounded values")
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
            raise _Untracked("a product of unbounded values")
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
            raise _Untracked("a division by a value whose error is not relative")
        mb = fb.magnitude
        quotient = self._approx(f"({fa.code} / {fb.code})", lo, hi, fa.rel + fb.rel + 3,
                                fa.abs / fb.tiny if fa.abs else ZERO,
                                fa.tiny / mb if mb else ZERO, rounds_small=True)
        if b.kind == "int" and a.kind in ("approx", "int") and b.nonneg:
            return _replace(quotient, quotient=(a.code, b.code))
        return quotient

    def _approx(self, code: str, lo: Fraction | None, hi: Fraction | None, rel: Fraction,
                abs_: Fraction, tiny: Fraction, rounds_small: bool = False) -> Num:
        """A float result with its error bound. A product or quotient that may be tiny may
        underflow, where rounding is absolute (2⁻¹⁰⁷⁴), not relative: that is added."""
        magnitude = None if lo is None or hi is None else max(abs(lo), abs(hi))
        if magnitude is None or magnitude > HUGE or rel > 2**20 or abs_ * U > 2**-20 * (
                magnitude or 1):
            raise _Untracked("a float value without a usable error bound")
        if rounds_small and tiny < NORMAL:
            abs_ += ETA
        return self.assign(Num(code, "approx", lo, hi, rel=rel, abs=abs_, tiny=tiny))

    # -- decisions

    def test(self, x: Num, op: CompareOp, t: Fraction) -> Test:
        """Whether x op t, for a constant t."""
        if self.mode == "exact":
            return Test(f"{x.code} {_PY_OPS[op]} {self.const(t).code}")
        if x.kind in ("bool", "option"):
            raise _Untracked(f"a {x.kind} compared with a number")
        static = _static(x, op, t)
        if static is not None:
            return static
        if x.kind == "int":
            return _int_test(x.code, op, t)
        if x.kind == "ratio" and x.den.isdigit():  # a constant denominator: compare numerators
            return _int_test(x.num, op, t * int(x.den))
        if x.kind == "ratio":
            left = x.num if t.denominator == 1 else f"{x.num} * {t.denominator}"
            right = f"{_ilit(t.numerator)} * {x.den}" if t.numerator not in (0, 1) else (
                "0" if t.numerator == 0 else x.den)
            return Test(f"{left} {_PY_OPS[op]} {right}")
        if x.kind == "dec" and _round_trips(t / x.scale) and x.scale > 0:
            return Test(f"{x.code} {_PY_OPS[op]} {_flit(float(t / x.scale))}")
        f = self.as_float(x)
        if t == 0 and not f.abs:  # a relative error keeps the sign and zero itself
            return Test(f"{f.code} {_PY_OPS[op]} 0")
        rel, abs_ = _margin(f)
        above = _flit(_float_up(_above(t, rel, abs_)))
        below = _flit(_float_down(_below(t, rel, abs_)))
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
        ra, aa = _margin(fa)
        rb, ab = _margin(fb)
        if aa + ab > 0 and (fa.magnitude is None or fb.magnitude is None):
            raise _Untracked("a comparison of unbounded values")
        diff, margin = self.out.fresh("d"), self.out.fresh("m")
        size_a = fa.code if fa.nonneg else f"abs({fa.code})"
        size_b = fb.code if fb.nonneg else f"abs({fb.code})"
        fixed = aa + ab
        terms = [f"{_flit(_float_up(ra * U * 2))} * {size_a}",
                 f"{_flit(_float_up(rb * U * 2))} * {size_b}"]
        if fixed:
            terms.append(_flit(_float_up(fixed * U * 2)))
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

    def _merge(self, prefix: str, results: list[tuple[Num, _Slot]]) -> Num:
        values = [v for v, _ in results]
        lo, hi = _hull(values)
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


def _replace(x: Num, **changes: Any) -> Num:
    return replace(x, **changes)


def _just(x: Num) -> Callable[[], Num]:
    """A branch value computed before the branch (a constant, a local)."""
    return lambda: x


def _is_literal(code: str) -> bool:
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
            return let_function(g, e)
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


def compute_let(g: Gen, let: s.Let) -> Num:
    """A derived value; a zero rule whose denominator is 0 gives the whole let its fallback."""
    cases: list[tuple[Test | None, Callable[[], Num]]] = []
    for rule in let.zero_rules:
        denominator = zero_rule_denominator(rule)
        if denominator is not None:
            test = g.test(expr(g, denominator), "=", ZERO)
            cases.append((test, partial(expr, g, rule.fallback)))
    cases.append((None, partial(expr, g, let.expr)))
    return g.with_view(g.branches("v", cases)) if len(cases) > 1 else g.with_view(
        _pin(g, cases[0][1]()))


def _pin(g: Gen, x: Num) -> Num:
    """A let's value as a local (so the view slot after it can read it)."""
    if x.kind == "ratio" or x.view is not None:
        return x
    return g.assign(x)


# == per-kind code generation =============================================================
#
# One pure function per rule kind, combine mode, index method and let function, each turning
# the kind's meaning (evaluate.py) into code through the primitives of `Gen`, for both variants.
# They are dispatched by `match` ending in `assert_never`, so a kind added to `syntax` without
# code here fails `mypy --strict`. (To move into `egov_rules/kinds/<kind>.py`.)


# -- rule kinds: the points of a leaf ------------------------------------------------------


def rule_points(g: Gen, node: s.Node, rule: s.Rule, maximum: Fraction) -> Num:
    match rule:
        case s.Proportional():
            return rule_proportional(g, node, rule, maximum)
        case s.Bands():
            return rule_bands(g, rule, maximum)
        case s.YesNoRule():
            return rule_yes_no(g, rule, maximum)
        case s.Per():
            return rule_per(g, rule, maximum)
        case s.Table():
            return rule_table(g, rule)
        case _:
            assert_never(rule)


def rule_proportional(g: Gen, node: s.Node, rule: s.Proportional, maximum: Fraction) -> Num:
    """clamp(x, 0, 1) × max; `from a to b`: clamp((x − a)/(b − a), 0, 1) × max; relative:
    clamp(x / best, 0, 1) × max, 0 when best ≤ 0. Taken as three branches on x, so that the
    clamps are decisions and a clamped value is exactly 0 or the maximum."""
    x = expr(g, rule.expr)
    zero, full = g.const(ZERO), g.const(maximum)
    if rule.relative:
        best = g.best[node.id]
        return g.branches("p", [
            (g.test(best, "<=", ZERO), lambda: zero),
            (g.test(x, "<=", ZERO), lambda: zero),
            (g.compare(x, ">=", best), lambda: full),
            (None, lambda: g.mul(g.div(x, best, within=(ZERO, ONE)), full)),
        ])
    low = rule.low.value if rule.low is not None else ZERO
    high = rule.high.value if rule.high is not None else ONE

    def inside() -> Num:
        # A data value in its own units (a percent as 0..100): (x − a/s) × (s·max/(b − a)),
        # so that whole figures stay Python ints (exact) as far as they can.
        scale = x.scale if x.kind == "dec" and x.scale > 0 else ONE
        raw = _replace(x, lo=low / scale if x.lo is None else max(x.lo, low) / scale,
                       hi=high / scale if x.hi is None else min(x.hi, high) / scale,
                       scale=ONE, view=None)
        if x.kind != "dec":
            raw = _replace(x, lo=raw.lo, hi=raw.hi)
        shifted = g.add(raw, g.const(low / scale), -1) if low else raw
        return g.mul(shifted, g.const(scale * maximum / (high - low)))

    return g.branches("p", [
        (g.test(x, "<=", low), lambda: zero),
        (g.test(x, ">=", high), lambda: full),
        (None, inside),
    ])


def rule_bands(g: Gen, rule: s.Bands, maximum: Fraction) -> Num:
    """The first row whose condition holds awards its points."""
    x = expr(g, rule.expr)
    return g.branches("p", [
        (None if band.threshold is None else g.test(x, _BAND_OPS[band.op], band.threshold.value),
         _just(g.const(_award(band))))
        for band in rule.bands
    ])


def _award(band: s.Band) -> Fraction:
    return band.award.value if isinstance(band.award, s.Number) else ZERO


def rule_yes_no(g: Gen, rule: s.YesNoRule, maximum: Fraction) -> Num:
    """The full maximum when the condition is yes, nothing when it is no."""
    x = expr(g, rule.expr)
    return g.branches("p", [(Test(x.code), lambda: g.const(maximum)),
                            (None, lambda: g.const(ZERO))])


def rule_per(g: Gen, rule: s.Per, maximum: Fraction) -> Num:
    """min(max(n·x, 0), cap, max)."""
    raw = g.mul(g.const(rule.each.value), expr(g, rule.expr))
    cap = min(rule.cap.value, maximum)
    between = _replace(raw, lo=ZERO, hi=cap)  # where neither bound is reached
    return g.branches("p", [
        (g.test(raw, "<=", ZERO), _just(g.const(ZERO))),
        (g.test(raw, ">=", cap), _just(g.const(cap))),
        (None, _just(between)),
    ])


def rule_table(g: Gen, rule: s.Table) -> Num:
    """The points of the row whose key equals the value, else of the `otherwise` row."""
    x = expr(g, rule.expr)
    if g.mode == "fast" and x.kind not in ("int", "bool", "option"):
        raise _Untracked("a table of a value that is not exact")
    rows: dict[Any, Fraction] = {}
    otherwise: Fraction | None = None
    for row in rule.rows:
        if row.key is None:
            otherwise = row.points.value if otherwise is None else otherwise
            continue
        key: Any = row.key.value if not isinstance(row.key, s.Name) else row.key.name
        if isinstance(key, Fraction) and key.denominator == 1 and g.mode == "fast":
            key = int(key)
        rows.setdefault(key, row.points.value)
    convert = (lambda v: v) if g.mode == "exact" else _fast_constant
    table = g.out.ns.add("T", {k: convert(v) for k, v in rows.items()})
    points = g.out.fresh("p")
    if otherwise is None:
        g.out.line(f"{points} = {table}[{x.code}]")
    else:
        g.out.line(f"{points} = {table}.get({x.code}, {g.const(otherwise).code})")
    values = [*rows.values(), *([otherwise] if otherwise is not None else [])]
    return _constant_choice(g, points, values)


def _fast_constant(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _constant_choice(g: Gen, name: str, values: list[Fraction]) -> Num:
    """A local holding one of several constants."""
    lo, hi = min(values), max(values)
    if g.mode == "exact":
        return Num(name, "exact", lo, hi)
    if all(v.denominator == 1 for v in values):
        return Num(name, "int", lo, hi)
    if all(_round_trips(v) for v in values):
        return Num(name, "dec", lo, hi)
    return Num(name, "approx", lo, hi, rel=ONE)


# -- combine modes: the points and maximum of a parent -------------------------------------


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
        total = _sum_of(g, " + ".join(terms), [*computed, total])
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
    return _sum_of(g, name, added, total.lo)


def _sum_of(g: Gen, code: str, parts: list[Num], least: Fraction | None = None) -> Num:
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
        raise _Untracked("a sum of values of either sign")
    floats = [g.as_float(v) for v in parts]
    return Num(code, "approx", lo, hi, rel=max(f.rel for f in floats) + 2 * len(parts),
               abs=sum((f.abs for f in floats), ZERO), tiny=min(f.tiny for f in floats))


def combine(g: Gen, node: s.Node, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
    """The points and maximum of a parent from the children that may apply (one at least)."""
    mode = node.mode
    match mode:
        case "sum":
            return combine_sum(g, children)
        case "capped sum":
            return combine_capped_sum(g, children, declared)
        case "best":
            return combine_best(g, children)
        case "weighted mean":
            return combine_weighted_mean(g, children, declared)
        case _:
            assert_never(mode)


def _maximum(part: Part) -> Num:
    assert part.maximum is not None
    return part.maximum


def combine_sum(g: Gen, children: list[Part]) -> tuple[Num, Num]:
    """The sum of the points and the sum of the maxima of the children that apply."""
    points = accumulate(g, [(_just(c.value), c.present) for c in children])
    maximum = accumulate(g, [(_just(_maximum(c)), c.present) for c in children])
    return points, maximum


def combine_capped_sum(g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
    """max = min(declared, Σ maxima); points = min(Σ points, max)."""
    points, summed = combine_sum(g, children)
    cap = g.const(declared)
    maximum = g.plain(g.branches("m", [(g.compare(summed, "<=", cap), lambda: summed),
                                       (None, lambda: cap)]))
    capped = g.plain(g.branches("p", [(g.compare(points, "<=", maximum), lambda: points),
                                      (None, lambda: maximum)]))
    return capped, maximum


def combine_best(g: Gen, children: list[Part]) -> tuple[Num, Num]:
    """The points of the best child (the first of equals) and the largest child maximum."""
    points = _largest(g, [(c.value, c.present) for c in children])
    maximum = _largest(g, [(_maximum(c), c.present) for c in children])
    return points, maximum


def _largest(g: Gen, values: list[tuple[Num, str | None]]) -> Num:
    """The largest value among those present, the first of equals (`max` keeps the first);
    None when none is present."""
    name = g.out.fresh("b")
    (first, first_present), *rest = values
    g.out.line(f"{name} = {first.code}" if first_present is None
               else f"{name} = {first.code} if {first_present} else None")
    current = _replace(first, code=name, view=None)
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
        merged = g.branches("c", [(g.compare(value, ">", current), _just(value)),
                                  (None, _just(current))])
        g.out.line(f"{name} = {g.plain(merged).code}")
        g.out.depth = depth
        may_be_none = may_be_none and present is not None
        lo, hi = _hull([current, value])
        if g.mode == "exact" or current.kind == value.kind == "int":
            current = Num(name, current.kind, lo, hi)
        else:
            fc, fv = g.as_float(current), g.as_float(value)
            current = Num(name, "approx", lo, hi, rel=max(fc.rel, fv.rel),
                          abs=max(fc.abs, fv.abs), tiny=min(fc.tiny, fv.tiny))
    return current


def combine_weighted_mean(g: Gen, children: list[Part], declared: Fraction) -> tuple[Num, Num]:
    """Σ wᵢ·(pointsᵢ / maxᵢ) / Σ wᵢ over the children that apply, × the declared maximum."""
    weighted = accumulate(g, [(partial(_weighted_share, g, c), c.present) for c in children])
    total = accumulate(g, [(_just(g.const(c.weight)), c.present) for c in children])
    share = g.branches("h", [
        (g.test(total, "=", ZERO), lambda: g.const(ZERO)),
        (None, lambda: g.div(weighted, total, within=(ZERO, ONE))),
    ])
    return g.plain(g.mul(share, g.const(declared))), g.const(declared)


def _weighted_share(g: Gen, part: Part) -> Num:
    """wᵢ · pointsᵢ / maxᵢ of a child (its share is 0 when its max is 0)."""
    return g.mul(g.const(part.weight), _share(g, part))


def _share(g: Gen, part: Part) -> Num:
    """points / max of a child, 0 when its max is 0."""
    maximum = _maximum(part)
    return g.branches("h", [(g.test(maximum, "=", ZERO), lambda: g.const(ZERO)),
                            (None, lambda: g.div(part.value, maximum, within=(ZERO, ONE)))])


# -- index methods --------------------------------------------------------------------------


def index_value(g: Gen, index: s.Index, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
    """How to compute an index's (unrounded) value, and the condition under which it has one
    (None: always). The value is computed under that condition."""
    method = index.method
    match method:
        case "share of max":
            return index_share_of_max(g, terms)
        case "weighted mean":
            return index_weighted_mean(g, terms)
        case "mean":
            return index_mean(g, terms)
        case _:
            assert_never(method)


def _nonzero(g: Gen, total: Num) -> str | None:
    test = g.test(total, "!=", ZERO)
    if test.holds == "True":
        return None
    return g.assign(g.truth(test), "q").code


def index_share_of_max(g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
    """(Σ points) / (Σ maxima) over the terms that apply; none when the maxima add up to 0."""
    nodes = [t for t in terms if t.maximum is not None]
    points = accumulate(g, [(_just(t.value), t.present) for t in nodes])
    maximum = accumulate(g, [(_just(_maximum(t)), t.present) for t in nodes])
    return (lambda: g.div(points, maximum, within=(ZERO, ONE))), _nonzero(g, maximum)


def index_weighted_mean(g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
    """Σ wᵢ·vᵢ / Σ wᵢ over the terms that have a value."""
    return _mean(g, terms)


def index_mean(g: Gen, terms: list[Part]) -> tuple[Callable[[], Num], str | None]:
    """The plain mean of the terms that have a value."""
    return _mean(g, [Part(t.value, t.maximum, t.present, ONE) for t in terms])


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
                raise _Untracked("a maximum that is not exact")
            if nonzero.holds == "False":
                continue
            if nonzero.holds != "True":
                present = f"{present} and {nonzero.holds}" if present else nonzero.holds
            value: Callable[[], Num] = partial(_weighted_node_share, g, term)
        else:
            if g.mode == "fast" and term.value.hi is None:
                raise _Untracked("an index term without a bound")
            highest = max(highest, term.value.hi or ONE)
            value = partial(g.mul, g.const(term.weight), term.value)
        parts.append((value, present))
        weights.append((_just(g.const(term.weight)), present))
    weighted = accumulate(g, parts)
    total = accumulate(g, weights)
    return (lambda: g.div(weighted, total, within=(ZERO, highest))), _nonzero(g, total)


def _fixed_mean(g: Gen, terms: list[Part]) -> Callable[[], Num]:
    """Σ wᵢ·vᵢ / Σ wᵢ when every term has a value and every node term a constant nonzero max:
    Σ cᵢ·xᵢ with cᵢ = wᵢ / (Σ w · maxᵢ) folded."""
    total = sum((t.weight for t in terms), ZERO)
    if g.mode == "fast" and all(t.maximum is None and t.value.kind == "ratio"
                                and t.value.den.isdigit() for t in terms):
        return partial(_ratio_mean, g, terms, total)
    parts: list[tuple[Callable[[], Num], str | None]] = []
    for term in terms:
        scale = ONE if term.maximum is None else _maximum(term).const or ONE  # not 0: above
        parts.append((partial(g.mul, g.const(term.weight / (total * scale)), term.value), None))
    return partial(accumulate, g, parts)


def _ratio_mean(g: Gen, terms: list[Part], total: Fraction) -> Num:
    """Σ (wᵢ / Σw)·(nᵢ / dᵢ) for rounded index values nᵢ/dᵢ: Σ aᵢ·nᵢ / L with whole aᵢ, exact."""
    coefficients = [t.weight / (total * int(t.value.den)) for t in terms]
    common = math.lcm(*(c.denominator for c in coefficients))
    numerator = " + ".join(f"{c * common} * {t.value.num}" if c * common != 1 else t.value.num
                           for c, t in zip(coefficients, terms, strict=True))
    lo, hi = _hull([t.value for t in terms])
    return g.with_view(Num("", "ratio", lo, hi, num=g.assign(Num(f"({numerator})", "int"),
                                                              "n").code,
                           den=str(common), tiny=Fraction(1, common)))


def _weighted_node_share(g: Gen, term: Part) -> Num:
    """wᵢ · pointsᵢ / maxᵢ of a node term (present only when its max is not 0)."""
    return g.mul(g.const(term.weight), _node_share(g, term))


def _node_share(g: Gen, term: Part) -> Num:
    return g.div(term.value, _maximum(term), within=(ZERO, ONE))


# -- let functions ---------------------------------------------------------------------------


def let_function(g: Gen, call: s.Call) -> Num:
    func = call.func
    match func:
        case "min":
            return let_min(g, [expr(g, a) for a in call.args])
        case "max":
            return let_max(g, [expr(g, a) for a in call.args])
        case "clamp":
            x, low, high = (expr(g, a) for a in call.args)
            return let_clamp(g, x, low, high)
        case "count_yes":
            return let_count_yes(g, [expr(g, a) for a in call.args])
        case _:
            assert_never(func)


def _extreme(g: Gen, args: list[Num], op: CompareOp) -> Num:
    """The first argument no later one beats (`op`: `<` for min, `>` for max)."""
    best = args[0]
    for arg in args[1:]:
        current = best
        best = g.branches("v", [(g.compare(arg, op, current), _just(arg)),
                                (None, _just(current))])
    return best


def let_min(g: Gen, args: list[Num]) -> Num:
    return _extreme(g, args, "<")


def let_max(g: Gen, args: list[Num]) -> Num:
    return _extreme(g, args, ">")


def let_clamp(g: Gen, x: Num, low: Num, high: Num) -> Num:
    """min(max(x, low), high)."""
    return let_min(g, [let_max(g, [x, low]), high])


def let_count_yes(g: Gen, args: list[Num]) -> Num:
    """How many of the yes/no arguments are yes."""
    parts = " + ".join(f"({a.code} is True)" for a in args)
    if g.mode == "exact":
        return g.assign(Num(f"Fraction({parts})", "exact", ZERO, Fraction(len(args))))
    return g.assign(Num(f"({parts})", "int", ZERO, Fraction(len(args)), tiny=ONE))


# == blocks ================================================================================


@dataclass(frozen=True, slots=True)
class Relative:
    """A `relative to best in block` node as the fast variant carries its best: `dec` is a raw
    data figure on `scale` (compared exactly), `approx` a float; the exact variant a Fraction."""

    node: str
    kind: Literal["dec", "approx"]
    scale: Fraction
    rel: Fraction = ZERO  # approx: the float is within rel·u of the value, relatively


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each result of one block is: a position in the tuple its functions return, or a
    value known when compiling (a constant maximum; None for a node that never applies)."""

    points_at: dict[str, int]
    max_at: dict[str, int]
    fixed_points: dict[str, Fraction | None]
    fixed_max: dict[str, Fraction | None]
    indices_at: dict[str, int]  # value, rounded value and grade row from there
    grades: dict[str, tuple[tuple[str, str | None], ...]]  # index id → (label, label_en) by row


def _layout(model: Model, nodes: dict[str, _NodeOut]) -> Layout:
    """Where a block's results are: constants fixed, the rest in order in the tuple."""
    points_at: dict[str, int] = {}
    max_at: dict[str, int] = {}
    fixed_points: dict[str, Fraction | None] = {}
    fixed_max: dict[str, Fraction | None] = {}
    count = 0
    for node_id in model.nodes:
        out = nodes[node_id]
        for value, at, fixed in ((out.points, points_at, fixed_points),
                                 (out.maximum, max_at, fixed_max)):
            if value is None or value.const is not None:
                fixed[node_id] = None if value is None else value.const
            else:
                at[node_id] = count
                count += 1
    indices_at = {index.id: count + 3 * k for k, index in enumerate(model.tree.indices)}
    grades = {index_id: tuple((str(b.award), b.award_en) for b in grade.bands)
              for index_id, grade in model.grades.items()}
    return Layout(points_at, max_at, fixed_points, fixed_max, indices_at, grades)


@dataclass
class BlockCode:
    """The compiled functions of one block and their source."""

    block: str
    source: str
    layout: Layout
    exact: Callable[..., tuple[Any, ...]]
    fast: Callable[..., tuple[Any, ...]] | None  # None: the block stays exact (see `declined`)
    exact_cohort: Callable[..., tuple[Any, ...]]  # (values) → what relative nodes compare
    fast_cohort: Callable[..., tuple[Any, ...]] | None
    relatives: tuple[Relative, ...]
    declined: str | None = None


@dataclass
class Compiled:
    """Every block of a model, compiled."""

    blocks: dict[str, BlockCode]
    namespace: dict[str, Any] = field(repr=False)


_OR_CHECKED = "or"  # a count checked with the others at once (see `_read_inputs`)


def _indicator_input(g: Gen, indicator: s.Indicator, code: str) -> tuple[Num, str | None]:
    """An indicator's value in the function, and (fast) the condition its raw value must meet
    (`_OR_CHECKED` for a count with no bounds of its own)."""
    between = indicator.get("between")
    b_lo, b_hi = between.value if between is not None and isinstance(between.value, tuple) \
        else (None, None)
    kind = indicator.kind
    if kind == "yes/no":
        return g.boolean(code), None
    if kind == "options":
        if g.mode == "exact":
            return Num(code, "option"), None
        ids = g.out.ns.add("O", frozenset(o.id for o in indicator.options))
        return Num(code, "option"), f"{code} in {ids}"
    if kind == "count":
        lo, hi = ZERO, Fraction(CAP - 1)
    elif kind == "level" and indicator.levels:
        lo, hi = Fraction(indicator.levels[0]), Fraction(indicator.levels[1])
    elif kind == "percent":
        lo, hi = ZERO, Fraction(100)
    else:
        lo, hi = Fraction(-CAP), Fraction(CAP)
    if b_lo is not None and b_hi is not None:  # `between` is in the data's own units
        lo, hi = max(lo, b_lo), min(hi, b_hi)
    scale = Fraction(1, 100) if kind == "percent" else ONE
    if g.mode == "exact":
        return Num(code, "exact", lo * scale, hi * scale), None
    within = f"{_bound(lo)} <= {code} <= {_bound(hi)}"
    if kind in ("count", "level"):
        plain = kind == "count" and lo == 0 and hi == CAP - 1
        return Num(code, "int", lo, hi, tiny=ONE), _OR_CHECKED if plain else within
    # A float below FLOOR (not 0) could be subnormal: its error would not be relative.
    floor = _flit(float(FLOOR))
    if lo == 0:
        valid = f"{floor} <= {code} <= {_bound(hi)} or {code} == 0"
    elif lo >= FLOOR:
        valid = within
    elif lo > 0:
        valid = f"{within} and {code} >= {floor}"
    else:
        valid = f"{within} and not 0 < abs({code}) < {floor}"
    value = g.with_view(Num(code, "dec", lo * scale, hi * scale, scale=scale,
                            tiny=FLOOR * scale))
    return value, valid


def _bound(value: Fraction) -> str:
    """A bound a raw input is compared with, exactly as `validate_entity` compares its decimal."""
    if value.denominator == 1:
        return _ilit(int(value))
    if _round_trips(value):
        return _flit(float(value))
    raise _Untracked("a bound that has no exact float comparison")


def _read_inputs(g: Gen, model: Model, source: str) -> None:
    """Unpack (and, fast, check) every indicator into locals x1, x2, …"""
    names = list(model.indicators)
    codes = [f"x{k + 1}" for k in range(len(names))]
    getter = g.out.ns.add("GET", _getter(names), ("getter", tuple(names)))
    if g.mode == "exact":
        if codes:
            g.out.line(f"{', '.join(codes)}{',' if len(codes) == 1 else ''} = {getter}({source})")
        for name, code in zip(names, codes, strict=True):
            g.names[name] = _indicator_input(g, model.indicators[name], code)[0]
        return
    if "block" in model.indicators:  # `from_mapping` takes that key for the block
        g.out.line("raise Unusual")
    # Types first, in two groups: those with one type each (a bool is an int, but not a
    # count) compared with a constant tuple; numbers and percents, int or float, by a set.
    one_type = {"count": int, "level": int, "yes/no": bool, "options": str}
    kinds = {name: model.indicators[name].kind for name in names}
    groups = ([n for n in names if kinds[n] in one_type], [n for n in names if kinds[n] not in one_type])
    code_of = dict(zip(names, codes, strict=True))
    g.out.line("try:")
    with g.out.indent():
        for k, group in enumerate(groups):
            if group:
                get = g.out.ns.add("GET", _getter(group), ("getter", tuple(group)))
                g.out.line(f"raw{k} = {get}({source})")
    g.out.line("except KeyError:")
    with g.out.indent():
        g.out.line("raise Unusual from None")
    count = len(names)
    g.out.line(f"size = len({source})")
    g.out.line(f"if size != {count} and (size != {count + 1} or 'block' not in {source}):")
    with g.out.indent():
        g.out.line("raise Unusual")
    checks: list[str] = []
    if groups[0]:
        types = g.out.ns.add("TYPES", tuple(one_type[kinds[n]] for n in groups[0]),
                             ("types", tuple(groups[0])))
        checks.append(f"tuple(map(type, raw0)) != {types}")
    if groups[1]:
        numeric = g.out.ns.add("NUMERIC", frozenset({int, float}), ("numeric", 0))
        checks.append(f"not {numeric}.issuperset(map(type, raw1))")
    if checks:
        g.out.line(f"if {' or '.join(checks)}:")
        with g.out.indent():
            g.out.line("raise Unusual")
    for k, group in enumerate(groups):
        if group:
            g.out.line(f"{', '.join(code_of[n] for n in group)}{',' if len(group) == 1 else ''}"
                       f" = raw{k}")
    counts: list[str] = []
    for name, code in zip(names, codes, strict=True):
        value, valid = _indicator_input(g, model.indicators[name], code)
        g.names[name] = value
        if valid == _OR_CHECKED:
            counts.append(code)
        elif valid is not None:
            g.out.line(f"if not ({valid}):")
            with g.out.indent():
                g.out.line("raise Unusual")
    if counts:  # ints all: their OR is negative, or ≥ CAP, exactly when one of them is
        g.out.line(f"if not 0 <= ({' | '.join(counts)}) < {CAP}:")
        with g.out.indent():
            g.out.line("raise Unusual")


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Reads the values of `names` from a mapping as a tuple (KeyError when one is missing)."""
    if len(names) == 1:
        name = names[0]
        return lambda mapping: (mapping[name],)
    return operator.itemgetter(*names)


def _used_names(model: Model, exprs: list[s.Expr]) -> set[str]:
    """Every indicator and let an expression reads, through lets."""
    from egov_rules.resolve import names_in

    found: set[str] = set()
    stack = list(exprs)
    while stack:
        for name in names_in(stack.pop()):
            if name.name in found:
                continue
            found.add(name.name)
            let = model.lets.get(name.name)
            if let is not None:
                stack.append(let.expr)
                stack += [e for r in let.zero_rules for e in (r.condition, r.fallback)]
    return found


def _node_exprs(model: Model, block: str) -> list[s.Expr]:
    found: list[s.Expr] = []
    for node_id, node in model.nodes.items():
        if block not in model.blocks_of.get(node_id, ()):
            continue
        if node.when is not None:
            found.append(node.when)
        found += [rule.expr for rule in node.rules]
    return found


def _compute_lets(g: Gen, model: Model, wanted: set[str]) -> None:
    for let_id, let in model.lets.items():
        if let_id in wanted:
            g.out.line(f"# let {let_id!r}")
            g.names[let_id] = compute_let(g, let)


def _relative_nodes(model: Model, block: str) -> list[s.Node]:
    return [n for n in model.nodes.values() if block in model.blocks_of.get(n.id, ())
            and n.rules and isinstance(n.rules[0], s.Proportional) and n.rules[0].relative]


def _relative_spec(g: Gen, node: s.Node) -> Relative:
    """How the best of a relative node is carried: as the node's input is (probed by compiling
    the input expression into a scratch function)."""
    rule = node.rules[0]
    probe = Gen(g.mode, g.model, g.block, Emitter(g.out.ns))
    probe.names = dict(g.names)
    x = expr(probe, rule.expr)
    if x.kind in ("int", "dec") and x.scale > 0:
        return Relative(node.id, "dec", x.scale)
    f = probe.as_float(x)
    if f.abs:
        raise _Untracked("a relative node's input whose error is not relative")
    return Relative(node.id, "approx", ONE, max(f.rel, ONE))


def _setup_bests(g: Gen, nodes: list[s.Node], relatives: list[Relative]) -> None:
    """The best in block of each relative node: the cohort's (R), else the rule's reference,
    else MissingReference (E208)."""
    for k, (node, relative) in enumerate(zip(nodes, relatives, strict=True)):
        rule = node.rules[0]
        assert isinstance(rule, s.Proportional)
        name = f"r{k + 1}"
        g.out.line(f"{name} = R[{k}]")
        g.out.line(f"if {name} is None:")
        with g.out.indent():
            if rule.reference is None:
                g.out.line(f"raise MissingReference({g.out.ns.add('N', node, ('node', node.id))})")
            elif g.mode == "exact":
                g.out.line(f"{name} = {g.const(rule.reference.value).code}")
            else:
                raw = rule.reference.value / relative.scale
                if relative.kind == "dec" and not _round_trips(raw):
                    raise _Untracked("a reference with no exact float")
                g.out.line(f"{name} = {_flit(float(raw))}")
        x = _relative_spec_input(g, node)
        if g.mode == "exact":
            g.best[node.id] = Num(name, "exact")
        elif relative.kind == "dec":
            g.best[node.id] = g.with_view(Num(name, "dec", None, None, scale=relative.scale))
        else:
            g.best[node.id] = Num(name, "approx", x.lo, x.hi, rel=max(x.rel, ONE) + 2,
                                  tiny=x.tiny)


def _relative_spec_input(g: Gen, node: s.Node) -> Num:
    probe = Gen(g.mode, g.model, g.block, Emitter(g.out.ns))
    probe.names = dict(g.names)
    return probe.as_float(expr(probe, node.rules[0].expr)) if g.mode == "fast" else Num("", "exact")


@dataclass
class _NodeOut:
    """A node's points and maximum as the function holds them (None: never applies)."""

    points: Num | None
    maximum: Num | None
    status: Literal["never", "always", "maybe"]

    def part(self, weight: Fraction) -> Part:
        assert self.points is not None and self.maximum is not None
        present = None if self.status == "always" else f"{self.points.code} is not None"
        return Part(self.points, self.maximum, present, weight)


class _BlockCompiler:
    def __init__(self, g: Gen, model: Model, block: str) -> None:
        self.g, self.model, self.block = g, model, block
        self.nodes: dict[str, _NodeOut] = {}
        self._branch_start: int | None = None  # fresh names from here belong to a `when` branch

    def node(self, node: s.Node) -> None:
        """Emit a node (where its parent applies)."""
        g = self.g
        if self.block not in self.model.blocks_of.get(node.id, ()):
            for n in s.walk_nodes((node,)):
                self.nodes[n.id] = _NodeOut(None, None, "never")
            return
        g.out.line(f"# node {node.id!r}")
        if node.when is None:
            self._applies(node)
            return
        condition = expr(g, node.when)
        outermost = self._branch_start is None
        if outermost:
            self._branch_start = len(g.out.names)
        g.out.line(f"if {condition.code}:")
        with g.out.indent():
            self._applies(node)
        g.out.line("else:")
        with g.out.indent():
            self._none(node)
        if outermost:
            self._branch_start = None
        out = self.nodes[node.id]
        if out.status != "never":
            out.status = "maybe"

    def _none(self, node: s.Node) -> None:
        """Where a node does not apply, neither do its descendants."""
        names: list[str] = []
        for n in s.walk_nodes((node,)):
            out = self.nodes[n.id]
            if out.points is not None and out.maximum is not None:
                names += [out.points.code, out.maximum.code]
        self.g.out.line(f"{' = '.join(dict.fromkeys(names))} = None" if names else "pass")

    def _applies(self, node: s.Node) -> None:
        g = self.g
        declared = declared_max(node, self.block) or ZERO
        if node.rules:
            points = g.plain(rule_points(g, node, node.rules[0], declared))
            self._store(node, points, g.const(declared), "always")
            return
        for child in node.children:
            self.node(child)
        live = [(c, self.nodes[c.id]) for c in node.children if self.nodes[c.id].status != "never"]
        if not live:
            self.nodes[node.id] = _NodeOut(None, None, "never")
            return
        parts = [out.part(c.weight.value if c.weight is not None else ZERO) for c, out in live]
        if any(out.status == "always" for _, out in live):
            points, maximum = combine(g, node, parts, declared)
            self._store(node, g.plain(points), g.plain(maximum), "always")
            return
        # Every child may not apply: the node applies when one does.
        points_name, max_name = g.out.fresh("P"), g.out.fresh("M")
        g.out.line(f"if {' or '.join(p.present or 'True' for p in parts)}:")
        with g.out.indent():
            points, maximum = combine(g, node, parts, declared)
            points, maximum = g.plain(points), g.plain(maximum)
            g.out.line(f"{points_name} = {points.code}")
            g.out.line(f"{max_name} = {maximum.code}")
        g.out.line("else:")
        with g.out.indent():
            g.out.line(f"{points_name} = {max_name} = None")
        self.nodes[node.id] = _NodeOut(_replace(points, code=points_name, const=None),
                                       _replace(maximum, code=max_name, const=None), "maybe")

    def _store(self, node: s.Node, points: Num, maximum: Num,
               status: Literal["always", "maybe"]) -> None:
        _within_tolerance(self.g, points, max(ONE, maximum.hi or ONE))
        _within_tolerance(self.g, maximum, max(ONE, maximum.hi or ONE))
        if self._branch_start is not None:  # in a `when` branch: a local its else can clear
            points, maximum = self._owned(points, "P"), self._owned(maximum, "M")
        self.nodes[node.id] = _NodeOut(points, maximum, status)

    def _owned(self, value: Num, prefix: str) -> Num:
        assert self._branch_start is not None
        if value.code in self.g.out.names[self._branch_start:]:
            return value
        name = self.g.out.fresh(prefix)
        self.g.out.line(f"{name} = {value.code}")
        return _replace(value, code=name, const=None)

    def indices(self) -> list[str]:
        """Emit every index (dependency order); the locals of each, by tree order."""
        g, model = self.g, self.model
        outputs: dict[str, str] = {}
        read_as: dict[str, Part] = {}  # index id → how another index reads it
        for index_id, index in model.indices.items():
            g.out.line(f"# index {index_id!r}")
            terms: list[Part] = []
            for term in index.terms:
                name, weight = term.ref.name, term.weight.value if term.weight else ONE
                if name in read_as:
                    terms.append(Part(read_as[name].value, None, read_as[name].present, weight))
                elif name in self.nodes and self.nodes[name].status != "never":
                    terms.append(self.nodes[name].part(weight))
            value_name, rounded_name, grade_name = (g.out.fresh("I"), g.out.fresh("J"),
                                                    g.out.fresh("K"))
            make, present = index_value(g, index, terms)
            if present is not None:
                g.out.line(f"{value_name} = {rounded_name} = {grade_name} = None")
                g.out.line(f"if {present}:")
                g.out.depth += 1
            value = make()  # a ratio of ints stays one: its rounding and grade are exact
            plain = g.plain(value)
            _within_tolerance(g, plain, max(ONE, value.hi or ONE))
            g.out.line(f"{value_name} = {plain.code}")
            shown = value
            if index.round is not None:
                shown = round_half_up_code(g, value, index.round)
                g.out.line(f"{rounded_name} = {g.plain(shown).code}")
            else:
                g.out.line(f"{rounded_name} = None")
            grades = model.grades.get(index_id)
            if grades is not None:
                row = g.branches("g", [
                    (None if band.threshold is None else
                     g.test(shown, _BAND_OPS[band.op], band.threshold.value),
                     _just(Num(str(k), "int", Fraction(k), Fraction(k), const=Fraction(k))))
                    for k, band in enumerate(grades.bands)])
                g.out.line(f"{grade_name} = {row.code}")
            else:
                g.out.line(f"{grade_name} = None")
            if present is not None:
                g.out.depth -= 1
            read_as[index_id] = Part(shown, None, present)
            outputs[index_id] = f"{value_name}, {rounded_name}, {grade_name}"
        return [outputs.get(i.id, "None, None, None") for i in model.tree.indices]


def _within_tolerance(g: Gen, value: Num, scale: Fraction) -> None:
    """The promise of the fast variant (docs/api.md): a continuous result is within
    TOLERANCE × scale of the exact one. A value whose bound is larger keeps its block exact."""
    if g.mode == "exact" or value.kind in ("int", "bool", "option"):
        return
    f = g.as_float(value)
    if f.magnitude is None or (f.rel * f.magnitude + f.abs) * U > TOLERANCE * scale:
        raise _Untracked("a result whose float error could exceed the tolerance")


def round_half_up_code(g: Gen, value: Num, digits: int) -> Num:
    """`round_half_up(value, digits)`: floor(|v|·10ⁿ + ½) / 10ⁿ with v's sign. Indices are never
    negative (points are not), which the fast variant checks from the bounds."""
    scale = 10**digits
    if g.mode == "exact":
        fn = g.out.ns.add("round_half_up", round_half_up, ("fn", "round_half_up"))
        return g.assign(Num(f"{fn}({value.code}, {digits})", "exact"))
    if not value.nonneg:
        raise _Untracked("an index that may be negative")
    whole = g.out.fresh("k")
    if value.kind == "ratio":  # exact: floor((2·num·10ⁿ + den) / (2·den))
        g.out.line(f"{whole} = ({value.num} * {2 * scale} + {value.den}) // (2 * {value.den})")
    elif value.kind == "int":
        g.out.line(f"{whole} = {value.code} * {scale}")
    else:
        if value.quotient is not None:  # whole figures when run: exact, ties included
            num, den = value.quotient
            g.out.line(f"if {num}.__class__ is int:")
            with g.out.indent():
                g.out.line(f"{whole} = ({num} * {2 * scale} + {den}) // (2 * {den})")
            g.out.line("else:")
            g.out.depth += 1
        f = g.as_float(value)
        hi = f.hi
        if hi is None or hi * scale > 2**50:
            raise _Untracked("an index too large to round in floats")
        # s̃ = ṽ·10ⁿ + ½ is within e of s: the digit is proven unless s̃ is within e of a whole
        # number (then the exact variant decides, as at an exact half).
        rel, abs_ = _margin(f)
        error = 2 * ((rel * hi + abs_) * U * scale + 3 * U * (hi * scale + 1))
        if error >= Fraction(1, 4):
            raise _Untracked("an index whose rounding the float error would hide")
        shifted, fraction = g.out.fresh("t"), g.out.fresh("u")
        g.out.line(f"{shifted} = {f.code} * {scale!r}.0 + 0.5")
        g.out.line(f"{whole} = int({shifted})")
        g.out.line(f"{fraction} = {shifted} - {whole}")
        g.out.line(f"if {fraction} < {_flit(_float_up(error))} or "
                   f"{fraction} >= {_flit(_float_down(1 - error))}:")
        with g.out.indent():
            g.out.line("raise Uncertain")
        if value.quotient is not None:
            g.out.depth -= 1
    lo = None if value.lo is None else Fraction(math.floor(value.lo * scale + Fraction(1, 2)),
                                                   scale)
    hi_r = None if value.hi is None else Fraction(math.floor(value.hi * scale + Fraction(1, 2)),
                                                     scale)
    return g.with_view(Num("", "ratio", lo, hi_r, num=whole, den=str(scale),
                           tiny=Fraction(1, scale)))


def _function(model: Model, block: str, mode: Mode, ns: Namespace, name: str,
              exact: Layout | None = None) -> tuple[str, list[Relative], Layout]:
    """The source of a block's scoring function: (d, R) → the results tuple. The exact variant
    decides the layout; the fast one follows it (`exact`)."""
    out = Emitter(ns)
    g = Gen(mode, model, block, out)
    _read_inputs(g, model, "d")
    relative_nodes = _relative_nodes(model, block)
    _compute_lets(g, model, _used_names(model, _node_exprs(model, block)))
    relatives = [_relative_spec(g, n) for n in relative_nodes]
    _setup_bests(g, relative_nodes, relatives)
    compiler = _BlockCompiler(g, model, block)
    for category in model.tree.categories:
        compiler.node(category)
    indices = compiler.indices()
    layout = _layout(model, compiler.nodes) if exact is None else exact
    entries = sorted([(at, n, "p") for n, at in layout.points_at.items()]
                     + [(at, n, "m") for n, at in layout.max_at.items()])
    results: list[str] = []
    for _, node_id, kind in entries:
        value = compiler.nodes[node_id].points if kind == "p" else compiler.nodes[node_id].maximum
        results.append("None" if value is None else value.code)
    for node_id, out_ in compiler.nodes.items():  # what the layout fixed, this variant agrees to
        for fixed, value in ((layout.fixed_points, out_.points), (layout.fixed_max, out_.maximum)):
            if node_id in fixed:
                assert (None if value is None else value.const) == fixed[node_id], node_id
    out.line(f"return ({', '.join(results + indices)},)")
    return f"def {name}(d, R):\n" + out.render() + "\n", relatives, layout


def _cohort_function(model: Model, block: str, mode: Mode, ns: Namespace, name: str) -> str:
    """The source of (d) → for each relative node of the block, the value it compares with the
    best (None where the node's own `when` is no): the cohort stage's input, as
    `evaluate.relative_input` gives it. Fast, it checks the data too (all of it)."""
    nodes = _relative_nodes(model, block)
    out = Emitter(ns)
    g = Gen(mode, model, block, out)
    _read_inputs(g, model, "d")
    exprs: list[s.Expr] = [e for n in nodes for e in (n.when, n.rules[0].expr) if e is not None]
    _compute_lets(g, model, _used_names(model, exprs))
    results: list[str] = []
    for node in nodes:
        value = g.out.fresh("w")
        g.out.line(f"# relative node {node.id!r}")
        g.out.line(f"{value} = None")
        depth = g.out.depth
        if node.when is not None:
            condition = expr(g, node.when)
            g.out.line(f"if {condition.code}:")
            g.out.depth += 1
        x = expr(g, node.rules[0].expr)
        carried = x if mode == "exact" or x.kind in ("int", "dec") else g.as_float(x)
        g.out.line(f"{value} = {carried.code}")
        g.out.depth = depth
        results.append(value)
    out.line(f"return ({', '.join(results)}{',' if results else ''})")
    return f"def {name}(d):\n" + out.render() + "\n"


def compile_model(model: Model) -> Compiled:
    """Compile every block of a model, both variants. A block whose fast variant cannot be
    proven (a value without a usable error bound) keeps only the exact one."""
    ns = Namespace()
    base: dict[str, Any] = {
        "Fraction": Fraction, "Uncertain": Uncertain, "Unusual": Unusual,
        "MissingReference": MissingReference,
    }
    sources: dict[str, list[str]] = {}
    plans: dict[str, tuple[list[Relative], str | None]] = {}
    layouts: dict[str, Layout] = {}
    for k, block in enumerate(model.blocks):
        exact_src, relatives, layout = _function(model, block, "exact", ns, f"exact_{k}")
        layouts[block] = layout
        parts = [exact_src, _cohort_function(model, block, "exact", ns, f"exact_cohort_{k}")]
        declined: str | None = None
        try:
            fast_src, fast_relatives, _ = _function(model, block, "fast", ns, f"fast_{k}",
                                                    layout)
            fast_cohort = _cohort_function(model, block, "fast", ns, f"fast_cohort_{k}")
        except _Untracked as why:
            declined = str(why)
            fast_relatives = relatives
        else:
            parts += [fast_src, fast_cohort]
        sources[block] = parts
        plans[block] = (fast_relatives, declined)
    namespace = {**base, **ns.values}
    blocks: dict[str, BlockCode] = {}
    for k, block in enumerate(model.blocks):
        text = "\n\n".join(sources[block])
        code = compile(text, f"<egov_rules codegen {model.id} {block}>", "exec")
        exec(code, namespace)  # the namespace holds only what this module put there
        relatives, declined = plans[block]
        blocks[block] = BlockCode(
            block=block, source=text, layout=layouts[block], exact=namespace[f"exact_{k}"],
            fast=namespace.get(f"fast_{k}"), exact_cohort=namespace[f"exact_cohort_{k}"],
            fast_cohort=namespace.get(f"fast_cohort_{k}"), relatives=tuple(relatives),
            declined=declined,
        )
    return Compiled(blocks, namespace)
