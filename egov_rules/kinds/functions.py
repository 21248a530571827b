"""The functions a derived value may call: `min`, `max`, `clamp(x, low, high)` and
`count_yes(a, b, …)`, each one class here: its argument type and count, its value, its domain,
and when its first argument alone reaches a target (for next-point hints).

Every function is non-decreasing in each argument, which the monotonicity analysis relies on.
`let_function` is the only dispatch on a function name; it ends in `assert_never`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, Literal, assert_never

from egov_rules import syntax as s
from egov_rules.domains import EVERYTHING, Domain, Interval, pick_bound
from egov_rules.emit import Num, extreme
from egov_rules.kinds.base import ONE, ZERO, RuntimeValue

if TYPE_CHECKING:
    from egov_rules.emit import Gen

FunctionName = Literal["min", "max", "clamp", "count_yes"]


class LetFunction(ABC):
    name: ClassVar[FunctionName]
    argument: ClassVar[Literal["number", "yes/no"]]  # the type every argument must have
    usage: ClassVar[tuple[str, str]]  # how to call it (en, vi), said when the count is wrong
    words: ClassVar[tuple[str, str]]  # what it computes, before its arguments (en, vi)

    @abstractmethod
    def arity_ok(self, count: int) -> bool:
        """Whether the function takes `count` arguments."""

    @abstractmethod
    def apply(self, args: Sequence[RuntimeValue]) -> Fraction:
        """The value, for arguments already checked to have the right type."""

    @abstractmethod
    def integer(self, integer_args: Sequence[bool]) -> bool:
        """Whether the value is whole, given which arguments are."""

    @abstractmethod
    def domain(self, args: Sequence[Domain]) -> Domain:
        """The values the function can take, given its arguments' (never empty)."""

    @abstractmethod
    def emit(self, g: Gen, args: list[Num]) -> Num:
        """The value as generated code, from its arguments' (see `RuleKind.emit`)."""

    @abstractmethod
    def reached_by_first(self, bounds: Sequence[Fraction], target: Fraction) -> bool:
        """With constant other arguments `bounds`: whether f(x, bounds…) = target when
        x = target (so a hint can name x instead of the value around it)."""


def _numbers(args: Sequence[RuntimeValue]) -> list[Fraction]:
    out = [a for a in args if isinstance(a, Fraction)]
    if len(out) != len(args):
        raise TypeError("expected numbers")
    return out


class _Extreme(LetFunction):
    argument = "number"
    want_max: ClassVar[bool]

    def arity_ok(self, count: int) -> bool:
        return count >= 1

    def apply(self, args: Sequence[RuntimeValue]) -> Fraction:
        return max(_numbers(args)) if self.want_max else min(_numbers(args))

    def integer(self, integer_args: Sequence[bool]) -> bool:
        return all(integer_args)

    def domain(self, args: Sequence[Domain]) -> Domain:
        lo = pick_bound([a.interval.lo for a in args], self.want_max, none_is_low=True)
        hi = pick_bound([a.interval.hi for a in args], self.want_max, none_is_low=False)
        return Domain(Interval(lo, hi), all(a.integer for a in args))

    def emit(self, g: Gen, args: list[Num]) -> Num:
        """The first argument no later one beats."""
        return extreme(g, args, ">" if self.want_max else "<")

    def reached_by_first(self, bounds: Sequence[Fraction], target: Fraction) -> bool:
        if self.want_max:
            return all(target >= b for b in bounds)
        return all(target <= b for b in bounds)


class Min(_Extreme):
    name = "min"
    words = ("the smallest of", "giá trị nhỏ nhất trong")
    want_max = False
    usage = ("min takes one or more numbers: min(a, b, …)", "min cần một hoặc nhiều số: min(a, b, …)")


class Max(_Extreme):
    name = "max"
    words = ("the largest of", "giá trị lớn nhất trong")
    want_max = True
    usage = ("max takes one or more numbers: max(a, b, …)", "max cần một hoặc nhiều số: max(a, b, …)")


class Clamp(LetFunction):
    name = "clamp"
    words = ("the first kept between the other two of", "giá trị đầu, giữ trong khoảng hai giá trị sau, của")
    argument = "number"
    usage = ("clamp takes three arguments: clamp(x, low, high)", "clamp cần ba đối số: clamp(x, thấp, cao)")

    def arity_ok(self, count: int) -> bool:
        return count == 3

    def apply(self, args: Sequence[RuntimeValue]) -> Fraction:
        x, low, high = _numbers(args)
        return min(max(x, low), high)

    def integer(self, integer_args: Sequence[bool]) -> bool:
        return all(integer_args)

    def domain(self, args: Sequence[Domain]) -> Domain:
        if len(args) != 3:
            return Domain(EVERYTHING, False)  # E201 says the call is wrong
        return Domain(Interval(args[1].interval.lo, args[2].interval.hi),
                      all(a.integer for a in args))

    def emit(self, g: Gen, args: list[Num]) -> Num:
        """min(max(x, low), high)."""
        x, low, high = args
        return MIN.emit(g, [MAX.emit(g, [x, low]), high])

    def reached_by_first(self, bounds: Sequence[Fraction], target: Fraction) -> bool:
        return len(bounds) == 2 and bounds[0] <= target <= bounds[1]


class CountYes(LetFunction):
    name = "count_yes"
    words = ("the number of yes among", "số câu trả lời “có” trong")
    argument = "yes/no"
    usage = ("count_yes takes one or more yes/no answers: count_yes(a, b, …)",
             "count_yes cần một hoặc nhiều giá trị có/không: count_yes(a, b, …)")

    def arity_ok(self, count: int) -> bool:
        return count >= 1

    def apply(self, args: Sequence[RuntimeValue]) -> Fraction:
        return Fraction(sum(1 for a in args if a is True))

    def integer(self, integer_args: Sequence[bool]) -> bool:
        return True

    def domain(self, args: Sequence[Domain]) -> Domain:
        return Domain(Interval(Fraction(0), Fraction(len(args))), True)

    def emit(self, g: Gen, args: list[Num]) -> Num:
        """How many of the yes/no arguments are yes."""
        parts = " + ".join(f"({a.code} is True)" for a in args)
        if g.mode == "exact":
            return g.assign(Num(f"Fraction({parts})", "exact", ZERO, Fraction(len(args))))
        return g.assign(Num(f"({parts})", "int", ZERO, Fraction(len(args)), tiny=ONE))

    def reached_by_first(self, bounds: Sequence[Fraction], target: Fraction) -> bool:
        return False  # its arguments are yes/no answers, not the count


MIN, MAX, CLAMP, COUNT_YES = Min(), Max(), Clamp(), CountYes()


def let_function(call: s.Call) -> LetFunction:
    """The function a call names."""
    name = call.func
    match name:
        case "min":
            return MIN
        case "max":
            return MAX
        case "clamp":
            return CLAMP
        case "count_yes":
            return COUNT_YES
        case _:
            assert_never(name)
