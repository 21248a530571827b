"""Directions: how a value may move when one input rises. The monotonicity facet of every rule
kind, combine mode and index method is written in these terms."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Dir:
    """How a value may move when an input rises: `inc` it may rise, `dec` it may fall."""

    inc: bool
    dec: bool

    def __or__(self, other: Dir) -> Dir:
        return Dir(self.inc or other.inc, self.dec or other.dec)

    def flip(self) -> Dir:
        return Dir(self.dec, self.inc)

    @property
    def word(self) -> str:
        return {(False, False): "constant", (True, False): "non-decreasing",
                (False, True): "non-increasing", (True, True): "unknown"}[(self.inc, self.dec)]


CONST, UP, DOWN, ANY = Dir(False, False), Dir(True, False), Dir(False, True), Dir(True, True)


def join(dirs: Iterable[Dir]) -> Dir:
    out = CONST
    for d in dirs:
        out = out | d
    return out


def compose(shape: Dir, inner: Dir) -> Dir:
    """The direction of f(g(x)) given f's shape and g's direction."""
    if inner == CONST or shape == CONST:
        return CONST
    if shape == UP:
        return inner
    if shape == DOWN:
        return inner.flip()
    return ANY


def steps(points: list[Fraction]) -> Dir:
    """The direction of a step function given its values from low input to high."""
    pairs = list(itertools.pairwise(points))
    return Dir(any(b > a for a, b in pairs), any(b < a for a, b in pairs))
