"""The checks a syntax tree passes before it becomes a model, run in a fixed order.

Each check is a function `(tree, symbols, reporter) -> None` that reports every problem it
finds; none stops at the first.
"""

from __future__ import annotations

from collections.abc import Callable

from egov_rules import syntax as s
from egov_rules.checks.bands import check_bands
from egov_rules.checks.denominators import check_denominators
from egov_rules.checks.structure import check_structure
from egov_rules.checks.usage import check_usage
from egov_rules.checks.weights import check_weights
from egov_rules.checks.zero_max import check_zero_max
from egov_rules.diagnostics import Reporter
from egov_rules.resolve import Symbols

Check = Callable[[s.Methodology, Symbols, Reporter], None]

# Monotonicity (checks/monotonicity.py) runs later, on the model these checks let through.
CHECKS: tuple[Check, ...] = (check_structure, check_bands, check_weights, check_usage,
                             check_zero_max, check_denominators)


def run_checks(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    for check in CHECKS:
        check(tree, symbols, reporter)
