"""`rank` lines name nodes as well as indices: a category or criterion is ranked on its points,
higher first; an entity to which the node does not apply is not ranked. Every rank below is
worked out by hand from the points in the comments."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import egov_rules
from egov_rules.explain import node_standing_rows, step_words
from egov_rules.report import render_ranking_html
from egov_rules.results import Ranking

RULES = '''methodology rank_nodes
  title  "Xếp hạng theo hạng mục"
  year   2024
  source "Minh hoạ"

blocks
  province "Tỉnh"

indicators
  online  percent  "Tỷ lệ hồ sơ trực tuyến"
  staff   count    "Số cán bộ chuyên trách"
  units   count    "Số đơn vị có cán bộ chuyên trách"  neutral

category services "Dịch vụ"  max 40
  criterion online_points "Hồ sơ trực tuyến"  max 40
    proportional online
category people "Nhân lực"  max 10
  criterion staffing "Cán bộ chuyên trách"  max 10  when units > 0
    2 per staff up to 10

index overall = share of max services, people  round 2

RANKS

example "Tỉnh A" block province
  online 80  staff 3  units 1
  expect services = 32    # 80% × 40
  expect staffing = 6     # 2 × 3
  expect overall = 0.76   # (32 + 6) / (40 + 10)
'''
RANKS = '''rank services within block ties share a rank then by overall
rank staffing within block ties share a rank
rank people within block ties dense then by services
rank overall within block ties share a rank'''

# points: services (online × 40), staffing (2 × staff; does not apply without units), overall
#   A: 80%, 3 → 32,   6,  38/50 = 0.76
#   B: 80%, 5 → 32,  10,  42/50 = 0.84
#   C: 50%, 5 → 20,  10,  30/50 = 0.60
#   D: 90%, 0 → 36,   —,  36/40 = 0.90 (people does not apply: out of 40)
#   E: 50%, 0 → 20,   —,  20/40 = 0.50
DATA = {"A": (80, 3), "B": (80, 5), "C": (50, 5), "D": (90, 0), "E": (50, 0)}


def _ranking(ranks: str = RANKS) -> Ranking:
    methodology = egov_rules.compile(RULES.replace("RANKS", ranks), "rank_nodes.egr")
    return methodology.evaluate_many({
        name: {"block": "province", "online": online, "staff": staff, "units": min(staff, 1)}
        for name, (online, staff) in DATA.items()})


@pytest.fixture(scope="module")
def ranking() -> Ranking:
    return _ranking()


def _ranks(ranking: Ranking, ranked: str) -> dict[str, int | None]:
    return {name: ranking.rank_of(name, ranked) for name in DATA}


def test_a_category_ranks_on_its_points_with_an_index_breaking_ties(ranking: Ranking) -> None:
    # services: D 36; A and B 32, broken by overall (B 0.84 > A 0.76); C and E 20, broken by
    # overall (C 0.60 > E 0.50).
    assert _ranks(ranking, "services") == {"D": 1, "B": 2, "A": 3, "C": 4, "E": 5}
    assert [(r.entity, r.value) for r in ranking.table("services", "province")] == [
        ("D", F(36)), ("B", F(32)), ("A", F(32)), ("C", F(20)), ("E", F(20))]


def test_a_criterion_that_does_not_apply_is_not_ranked(ranking: Ranking) -> None:
    # staffing: B and C 10 share rank 1 (competition), A 6 is 3rd; D and E have no units:
    # the criterion's `when` is no, so they are not ranked.
    assert _ranks(ranking, "staffing") == {"B": 1, "C": 1, "A": 3, "D": None, "E": None}
    assert [r.entity for r in ranking.table("staffing", "province")][-2:] == ["D", "E"]


def test_a_node_breaks_the_ties_of_another(ranking: Ranking) -> None:
    # people: B and C 10, broken by services (B 32 > C 20); A 6; dense: 1, 2, 3.
    assert _ranks(ranking, "people") == {"B": 1, "C": 2, "A": 3, "D": None, "E": None}
    # overall, an index as before: D 0.90, B 0.84, A 0.76, C 0.60, E 0.50.
    assert _ranks(ranking, "overall") == {"D": 1, "B": 2, "A": 3, "C": 4, "E": 5}


def test_without_the_tie_break_equal_points_share_a_rank() -> None:
    ranking = _ranking("rank services within block ties share a rank")
    # D 36; A and B 32 share 2nd; C and E 20 share 4th.
    assert _ranks(ranking, "services") == {"D": 1, "A": 2, "B": 2, "C": 4, "E": 4}
    assert ranking.ties == {"services": "competition"}


def test_by_exact_and_by_rounded_rank_a_node_alike() -> None:
    # A node's points are never rounded: both read the exact points.
    exact = _ranking("rank services within block ties share a rank by exact")
    rounded = _ranking("rank services within block ties share a rank by rounded")
    assert [(r.entity, r.rank) for r in exact.ranks] == [(r.entity, r.rank) for r in rounded.ranks]


def test_next_rank_of_a_node_is_the_points_it_lacks(ranking: Ranking) -> None:
    steps = {step.index: step for step in ranking.next_rank("A")}
    # services: A has 32; the lowest value above is D's 36 (rank 1): 4 points.
    assert (steps["services"].rank, steps["services"].target_rank) == (3, 1)
    assert steps["services"].target_entities == ["D"]
    assert steps["services"].points_needed == 4 and steps["services"].index_gap == 4
    # staffing: A has 6; B and C hold 10 (rank 1): 4 points.
    assert (steps["staffing"].target_rank, steps["staffing"].points_needed) == (1, 4)
    assert steps["staffing"].target_entities == ["B", "C"]
    # A node that does not apply: not ranked, no step.
    unranked = {step.index: step for step in ranking.next_rank("D")}["staffing"]
    assert unranked.rank is None and unranked.target_rank is None
    # First already: no target.
    assert {s.index: s for s in ranking.next_rank("D")}["services"].target_rank is None


def test_explain_lists_the_ranked_nodes_after_the_indices(ranking: Ranking) -> None:
    rows = node_standing_rows(ranking.evaluation("A"), ranking)
    assert [node.id for node, _ in rows] == ["services", "staffing", "people"]
    assert step_words(rows[0][1], "en", node=True) == "4 more points (to 36) reach rank 1 with D"
    assert step_words(rows[1][1], "vi", node=True) == "thêm 4 điểm (lên 10) để lên hạng 1 cùng B, C"


def test_the_record_and_the_reports_carry_node_ranks(ranking: Ranking) -> None:
    again = Ranking.model_validate_json(ranking.model_dump_json())
    assert again.differences(ranking) == []
    assert again.rank_of("C", "staffing") == 1
    text = ranking.explain("en")
    assert "Ranking: staffing" in text and "Ranking: services" in text
    page = render_ranking_html(ranking, "en")
    assert '<caption><span lang="vi">Cán bộ chuyên trách</span> <code>staffing</code></caption>' \
        in page


@pytest.mark.parametrize(("ranks", "name", "hint"), [
    ("rank servics within block ties share a rank", "servics", "services"),
    ("rank overall within block ties share a rank then by staffng", "staffng", "staffing"),
])
def test_an_unknown_rank_target_is_e101_with_nodes_among_the_guesses(
        ranks: str, name: str, hint: str) -> None:
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.compile(RULES.replace("RANKS", ranks), "rank_nodes.egr")
    found = [d for d in error.value.diagnostics if d.code.code == "E101"]
    assert len(found) == 1
    assert f"`{name}`" in found[0].message("en") and "index, category or criterion" in \
        found[0].message("en")
    assert found[0].hint is not None and f"`{hint}`" in found[0].hint.en


def test_a_node_ranked_twice_is_e313_and_a_graded_node_still_e101() -> None:
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.compile(RULES.replace(
            "RANKS", "rank services within block ties share a rank\n"
                     "rank services within block ties dense"), "rank_nodes.egr")
    assert [d.code.code for d in error.value.diagnostics] == ["E313"]
    with pytest.raises(egov_rules.EgovRulesError) as error:
        egov_rules.compile(RULES.replace(
            "RANKS", "grades services\n  at least 0.5: \"Đạt\"\n  otherwise: \"Chưa đạt\""),
            "rank_nodes.egr")
    assert [d.code.code for d in error.value.diagnostics] == ["E101"]
    assert "index" in error.value.diagnostics[0].message("en")
