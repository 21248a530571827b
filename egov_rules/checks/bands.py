"""Grade bands: every row reachable, rows in order, every index value covered."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter
from egov_rules.domains import Domain, Interval
from egov_rules.kinds.bands import check_band_list
from egov_rules.resolve import Symbols
from egov_rules.scale import bounds


def check_bands(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    """Grade bands (the `bands` rule checks its own rows: kinds/bands.py)."""
    for grades in tree.grades:
        indices = symbols.indices
        scales = [b for b in (bounds(indices[t.name]) for t in grades.targets if t.name in indices)
                  if b[0] < b[1]] or [(Fraction(0), Fraction(1))]  # reversed: E313 already
        values = Interval(min(low for low, _ in scales), max(high for _, high in scales))
        check_band_list(grades.bands, Domain(values, False), reporter, grades.span, grades=True)
