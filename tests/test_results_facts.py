"""Evaluations keep facts and make their results when read: the results read are the same
each time, survive JSON, and are found by id in constant time."""

from __future__ import annotations

from pathlib import Path

import pytest

import egov_rules
from egov_rules.inputs import load_data
from egov_rules.results import Evaluation, NodeResults

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ranking() -> egov_rules.Ranking:
    m = egov_rules.load(ROOT / "methodologies" / "vn-ict-2016.egr")
    return m.evaluate_many(load_data(ROOT / "examples" / "vn-ict-2016-data.yaml", model=m.model))


def test_results_read_twice_are_equal_and_survive_json(ranking: egov_rules.Ranking) -> None:
    for evaluation in ranking.evaluations:
        assert list(evaluation.nodes) == list(evaluation.nodes)
        again = Evaluation.model_validate_json(evaluation.model_dump_json())
        assert again == evaluation
        assert again.explain("en") == evaluation.explain("en")


def test_every_node_and_index_is_found_by_its_id(ranking: egov_rules.Ranking) -> None:
    evaluation = ranking.evaluations[0]
    for position, node in enumerate(evaluation.nodes):
        assert evaluation.node(node.id) == node == evaluation.nodes[position]
        assert evaluation.points(node.id) == node.points
    for index in evaluation.indices:
        assert evaluation.index(index.id) == index
    assert evaluation.nodes[-1] == list(evaluation.nodes)[-1]
    assert evaluation.nodes[1:3] == list(evaluation.nodes)[1:3]
    with pytest.raises(KeyError):
        evaluation.node("no_such_node")
    with pytest.raises(IndexError):
        evaluation.nodes[len(evaluation.nodes)]


def test_a_repeated_id_in_a_record_finds_the_first(ranking: egov_rules.Ranking) -> None:
    evaluation = ranking.evaluations[0]
    first, second = evaluation.nodes[0], evaluation.nodes[1]
    forged = second.model_copy(update={"id": first.id})
    results = NodeResults.of([first, forged])
    assert results.by_id(first.id) is first
    assert len(results) == 2


def test_words_are_made_from_the_facts_in_both_languages(ranking: egov_rules.Ranking) -> None:
    evaluation = ranking.evaluation("Tỉnh E (minh hoạ)")
    node = evaluation.node("computers")
    # 1,900 of 2,000 staff have a computer: 95 % of 20 points (checked by hand).
    assert node.points == 19 and node.max == 20
    assert node.branch("en") == "share 95% × 20 = 19 points"
    assert node.branch("vi") == "tỷ lệ 95% × 20 = 19 điểm"
    assert [r.name for r in node.read] == ["pc_share"]


def test_scoring_many_makes_no_result_until_one_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The record's check for a repeated id once made every node's words for every entity
    # (63 provinces: 220 ms instead of 55): it must read the ids from the facts.
    import egov_rules
    from egov_rules import evaluate

    methodology = egov_rules.load(ROOT / "examples" / "quickstart.egr")  # its examples are read
    entities = load_data(ROOT / "examples" / "quickstart-data.csv", model=methodology.model)
    made: list[int] = []
    original = evaluate._Explanation.node
    monkeypatch.setattr(evaluate._Explanation, "node",
                        lambda self, k: made.append(k) or original(self, k))
    ranking = methodology.evaluate_many(entities)
    assert made == []
    assert ranking.evaluations[0].nodes[0].id and made == [0]
