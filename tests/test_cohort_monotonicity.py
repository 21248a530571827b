"""What holds when the cohort moves with the entity (docs/language.md, "Direction and
monotonicity"): the single-entity proof holds the block's figures fixed; here a whole block is
scored together and one entity improves its own value, so its value also moves the min, the
max, the best, the mean and the sd.

- the improving entity never loses points, under every cohort kind (under `z-score`, up to the
  30-significant-digit rounding of an irrational sd);
- under `min-max`, `relative to best in block` and `percentile`, no other entity gains (the
  min, the max and the best can only move against them; an entity that improves can only
  leave another's worse or level side);
- under `z-score`, the others can move either way: a value running away from the rest widens
  the sd and pulls the entities below the mean towards it. A test shows one.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

import egov_rules

SOURCE = """\
methodology cohort_moves
  title  "Cả khối cùng thay đổi"
  year   2024
  source "Minh hoạ"

blocks
  country "Quốc gia"

indicators
  x  number  "Chỉ số x"
    between -100 and 100
  y  number  "Chỉ số y"  lower is better
    between -100 and 100

category spread "Dàn trải"  max 60
  up "x, min-max"  max 10
    min-max x
  down "y, min-max, thấp hơn là tốt hơn"  max 10
    min-max y lower is better
  rel "x so với tốt nhất"  max 10
    proportional x relative to best in block
  z "x, z-score"  max 10
    z-score x within 3
  pct "x, percentile"  max 10
    percentile x
  pdown "y, percentile, thấp hơn là tốt hơn"  max 10
    percentile y lower is better
"""
METHODOLOGY = egov_rules.compile(SOURCE)
NEVER_GAINING = ("up", "down", "rel", "pct", "pdown")
# An irrational sd is kept to 30 significant digits, so two z-scores equal in exact arithmetic
# may differ in the 30th digit: 0, 0, 1 → 0, 0, 3 leaves e2's z at √2 exactly, yet its points
# (7.357…) came out 1.7e-30 lower. Points are at most 60, so 1e-27 bounds that rounding.
SD_ROUNDING = Fraction(1, 10**27)

values = st.integers(-100, 100).map(Fraction)
blocks = st.lists(st.tuples(values, values), min_size=2, max_size=6)


def _points(rows: list[tuple[Fraction, Fraction]]) -> dict[str, dict[str, Fraction]]:
    ranking = METHODOLOGY.evaluate_many({
        f"e{i}": {"block": "country", "x": x, "y": y} for i, (x, y) in enumerate(rows)})
    return {e.entity: {n.id: n.points for n in e.nodes if n.points is not None}
            for e in ranking.evaluations}


@given(blocks, st.data())
def test_an_entity_improving_its_own_values_never_loses_and_moves_others_as_documented(
        rows: list[tuple[Fraction, Fraction]], data: st.DataObject) -> None:
    who = data.draw(st.integers(0, len(rows) - 1))
    x, y = rows[who]
    better_x = data.draw(st.integers(int(x), 100).map(Fraction))
    better_y = data.draw(st.integers(-100, int(y)).map(Fraction))
    improved = list(rows)
    improved[who] = (better_x, better_y)
    before, after = _points(rows), _points(improved)
    mine = f"e{who}"
    for node in ("up", "down", "rel", "z", "pct", "pdown", "spread"):
        assert after[mine][node] >= before[mine][node] - SD_ROUNDING, (node, rows, improved)
    for other in before:
        if other != mine:
            for node in NEVER_GAINING:
                assert after[other][node] <= before[other][node], (other, node, rows, improved)


def test_under_z_score_another_entity_can_gain() -> None:
    # x = 0, 1, 2: mean 1, sd √(2/3) = 0.8165; e0's z = −1 / 0.8165 = −1.2247, so
    # (−1.2247 + 3) / 6 × 10 = 2.959 points. e2 runs away to 100: mean 101/3 = 33.667,
    # sd = √((33.667² + 32.667² + 66.333²) / 3) = 46.907; e0's z = −33.667 / 46.907
    # = −0.7177: 3.804 points, more.
    before = _points([(Fraction(0), Fraction(0)), (Fraction(1), Fraction(0)),
                      (Fraction(2), Fraction(0))])
    after = _points([(Fraction(0), Fraction(0)), (Fraction(1), Fraction(0)),
                     (Fraction(100), Fraction(0))])
    assert after["e0"]["z"] > before["e0"]["z"]
    # and under min-max the same move costs e1: 1 of 0..2 is half, 1 of 0..100 is 1 %
    assert before["e1"]["up"] == 5 and after["e1"]["up"] == Fraction(1, 10)
