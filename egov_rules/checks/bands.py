"""Grade bands: every row reachable, rows in order, every index value covered."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter
from egov_rules.domains import Domain, Interval
from egov_rules.kinds.bands import check_band_list
from egov_rules.resolve import Symbols

UNIT_INTERVAL = Domain(Interval(Fraction(0), Fraction(1)), False)


def check_bands(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    """Grade bands (the `bands` rule checks its own rows: kinds/bands.py)."""
    for grades in tree.grades:
        check_band_list(grades.bands, UNIT_INTERVAL, reporter, grades.span, grades=True)
