"""Differential test: the engine against an independent hand-written implementation of the
quickstart rules (`tests/quickstart_by_hand.py`), on many generated entities."""

from __future__ import annotations

from fractions import Fraction

import egov_rules
from tests.quickstart_by_hand import baseline_totals, make_entities


def test_engine_matches_hand_written_rules(quickstart: egov_rules.Methodology) -> None:
    entities = make_entities(150, seed=11)
    expected = baseline_totals(entities)
    ranking = quickstart.evaluate_many(entities)
    assert len(ranking.evaluations) == 150
    for evaluation in ranking.evaluations:
        total = sum((n.points or Fraction(0) for n in evaluation.nodes if n.depth == 0),
                    Fraction(0))
        assert total == expected[evaluation.entity], evaluation.entity
