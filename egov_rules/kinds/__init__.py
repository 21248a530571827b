"""One home per rule kind: what `proportional`, `bands`, `yes/no`, `per … up to`, `table`,
`min-max`, `z-score` and `percentile` mean, each in its own module (see `base.RuleKind` for the facets
every kind gives).

`rule_kind` is the only dispatch on the kind of a rule. Its `match` ends in `assert_never`, so
a rule class added to `syntax.Rule` without a kind here fails `mypy --strict`.
"""

from __future__ import annotations

from typing import Any, assert_never

from egov_rules import syntax as s
from egov_rules.kinds.bands import Bands
from egov_rules.kinds.base import (
    CheckContext,
    Outcome,
    RuleKind,
    ScoreContext,
    ShapeContext,
    TypeChecker,
)
from egov_rules.kinds.minmax import MinMax
from egov_rules.kinds.per import Per
from egov_rules.kinds.percentile import PercentileKind
from egov_rules.kinds.proportional import Proportional
from egov_rules.kinds.table import Table
from egov_rules.kinds.yes_no import YesNo
from egov_rules.kinds.zminmax import ZMinMaxKind
from egov_rules.kinds.zscore import ZScoreKind

PROPORTIONAL = Proportional()
BANDS = Bands()
YES_NO = YesNo()
PER = Per()
TABLE = Table()
MIN_MAX = MinMax()
Z_SCORE = ZScoreKind()
PERCENTILE = PercentileKind()
Z_MIN_MAX = ZMinMaxKind()

RULE_KINDS: tuple[RuleKind[Any, Any], ...] = (PROPORTIONAL, BANDS, YES_NO, PER, TABLE, MIN_MAX,
                                               Z_SCORE, PERCENTILE, Z_MIN_MAX)


def rule_kind(rule: s.Rule) -> RuleKind[Any, Any]:
    """The kind that gives a rule its meaning."""
    match rule:
        case s.Proportional():
            return PROPORTIONAL
        case s.Bands():
            return BANDS
        case s.YesNoRule():
            return YES_NO
        case s.Per():
            return PER
        case s.Table():
            return TABLE
        case s.MinMax():
            return MIN_MAX
        case s.ZScore():
            return Z_SCORE
        case s.Percentile():
            return PERCENTILE
        case s.ZMinMax():
            return Z_MIN_MAX
        case _:
            assert_never(rule)


__all__ = ("RULE_KINDS", "CheckContext", "Outcome", "RuleKind", "ScoreContext", "ShapeContext", "TypeChecker",
           "rule_kind")
