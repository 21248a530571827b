"""Weights of a weighted mean: either percents that add up to exactly 100 % (`60%, 40%`) or
free non-negative numbers normalised by their sum (`2, 1, 1` → 50 %, 25 %, 25 %).

Every mean computes Σ wᵢ·vᵢ / Σ wᵢ, so both forms need no conversion to be computed; this
module says which form a list uses and how a weight reads as its normalised share.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.numbers import fmt


def is_free(weights: Sequence[s.Number]) -> bool:
    """True when a list of weights is free numbers (none of them a percent)."""
    return not any(w.percent for w in weights)


def first_mixed(weights: Sequence[s.Number]) -> s.Number | None:
    """The first weight not written like the first one (a plain number among percents, or a
    percent among plain numbers), or None when they agree."""
    return next((w for w in weights if w.percent != weights[0].percent), None) if weights else None


def share_words(weight: s.Number, total: Fraction) -> tuple[str, str]:
    """A weight as written and, for a free weight, its normalised share (`2/4 = 50%`)."""
    if weight.percent:
        return fmt(weight.value, "en", share=True), fmt(weight.value, "vi", share=True)
    if not total:
        return fmt(weight.value, "en"), fmt(weight.value, "vi")
    share = weight.value / total
    en = f"{fmt(weight.value)}/{fmt(total)} = {fmt(share, share=True)}"
    vi = f"{fmt(weight.value, 'vi')}/{fmt(total, 'vi')} = {fmt(share, 'vi', share=True)}"
    return en, vi
