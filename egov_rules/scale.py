"""An index's declared scale (`scale 0..100`): the one place its 0..1 value is mapped onto
the scale and back. Rounding, grades and ranks read the scaled value; an index term of
another index reads the 0..1 share (so a mean of indices stays a mean of shares)."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import syntax as s

Bounds = tuple[Fraction, Fraction]
UNIT: Bounds = (Fraction(0), Fraction(1))


def bounds(index: s.Index) -> Bounds:
    """(low, high) of an index's scale; 0..1 when it declares none."""
    return UNIT if index.scale is None else (index.scale.low.value, index.scale.high.value)


def to_scale(share: Fraction, scale: Bounds) -> Fraction:
    """A 0..1 share on the scale: low + share × (high − low), exact."""
    low, high = scale
    return low + share * (high - low)


def to_share(value: Fraction, scale: Bounds) -> Fraction:
    """A value on the scale back to 0..1 (how much of the method's share it means)."""
    low, high = scale
    return (value - low) / (high - low)
