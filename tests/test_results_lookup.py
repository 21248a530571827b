"""Lookups in results (`Ranking.evaluation`, `rank_of`, `Evaluation.node`, `index`) find the
right item among many (a record repeating one is refused when validated; built
without validation, the first of duplicates), and build their table once
instead of searching the list on every call (the CLI and the HTML report look up every row)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest
from pydantic import ValidationError

import egov_rules
from egov_rules.results import Evaluation, IndexResults, NodeResults, RankEntry, Ranking

SOURCE = """methodology lookups
  title "t"
  year 2024
  source "s"
blocks
  a "A"
  b "B"
indicators
  x count "X"
category c "C"  max 100
  criterion k "K"  max 100
    1 per x up to 100
index share "S" = share of max c  round 2
rank share within block ties share a rank
"""
COUNT = 200


@pytest.fixture(scope="module")
def ranking() -> Ranking:
    # E0, E2, … in block a and E1, E3, … in b, with x = i // 2: 0..99 in each block, all distinct.
    entities = {f"E{i}": {"block": "a" if i % 2 == 0 else "b", "x": i // 2} for i in range(COUNT)}
    return egov_rules.compile(SOURCE, "lookups.egr").evaluate_many(entities)


def test_every_entity_finds_its_own_results(ranking: Ranking) -> None:
    for i in range(COUNT):
        name, x = f"E{i}", i // 2
        evaluation = ranking.evaluation(name)
        assert (evaluation.entity, evaluation.block) == (name, "a" if i % 2 == 0 else "b")
        assert evaluation.inputs["x"] == x
        assert evaluation.node("k").points == x                      # 1 per x, x ≤ 99 < 100
        assert evaluation.node("c").id == "c"
        assert evaluation.index("share").value == Fraction(x, 100)
        # 100 distinct values per block, higher is better: x = 99 is 1st, x = 0 is 100th.
        assert ranking.rank_of(name, "share") == 100 - x, name


def test_unknown_names_raise_key_error(ranking: Ranking) -> None:
    with pytest.raises(KeyError, match="E200"):
        ranking.evaluation("E200")
    with pytest.raises(KeyError) as caught:
        ranking.rank_of("E1", "overall")
    assert caught.value.args == (("E1", "overall"),)
    with pytest.raises(KeyError, match="nothing"):
        ranking.evaluation("E1").node("nothing")
    with pytest.raises(KeyError, match="nothing"):
        ranking.evaluation("E1").index("nothing")


def test_a_record_with_duplicates_is_refused_or_gives_the_first(ranking: Ranking) -> None:
    record = ranking.model_dump(mode="json")
    own = next(e for e in record["evaluations"] if e["entity"] == "E5")
    impostor = {**own, "block": "a", "nodes": [{**own["nodes"][0], "points": "77"}, *own["nodes"]]}
    rank = next(r for r in record["ranks"] if r["entity"] == "E5")
    with pytest.raises(ValidationError, match="a record holds one entry per key"):
        Ranking.model_validate({**record, "evaluations": [*record["evaluations"], impostor],
                                "ranks": [*record["ranks"], {**rank, "rank": 1}]})
    # Built without validation (model_construct), lookups answer with the first of a key.
    e5 = ranking.evaluation("E5")
    nodes = [e5.nodes[0].model_copy(update={"points": Fraction(77)}), *e5.nodes]
    second = Evaluation.model_construct(**{**dict(e5), "block": "a", "nodes": NodeResults.of(nodes)})
    built = Ranking.model_construct(**{**dict(ranking), "evaluations": [*ranking.evaluations, second],
                                       "ranks": [*ranking.ranks, RankEntry(**{**rank, "rank": 1})]})
    assert built.evaluation("E5").block == "b"                       # the first E5, not the second
    assert built.rank_of("E5", "share") == 98                        # x = 2, not the forged 1st
    assert built.evaluations[-1].node(own["nodes"][0]["id"]).points == 77


class _CountingList(list[Any]):
    """A list that counts how often it is walked."""

    walks = 0

    def __iter__(self) -> Iterator[Any]:
        self.walks += 1
        return super().__iter__()


def test_each_list_is_walked_once_for_all_lookups(ranking: Ranking) -> None:
    evaluations, ranks = _CountingList(ranking.evaluations), _CountingList(ranking.ranks)
    built = Ranking.model_construct(**{**dict(ranking), "evaluations": evaluations, "ranks": ranks})
    for i in range(COUNT):
        assert built.evaluation(f"E{i}").entity == f"E{i}"
        assert built.rank_of(f"E{i}", "share") == 100 - i // 2
    assert (evaluations.walks, ranks.walks) == (1, 1)
    first = ranking.evaluations[0]
    nodes, indices = _CountingList(first.nodes), _CountingList(first.indices)
    one = Evaluation.model_construct(**{**dict(first), "nodes": NodeResults.of(nodes),
                                        "indices": IndexResults.of(indices)})
    for _ in range(3):
        assert [one.node(n.id) for n in first.nodes] == first.nodes
        assert [one.index(i.id) for i in first.indices] == first.indices
    assert (nodes.walks, indices.walks) == (1, 1)


def test_lookups_leave_the_record_unchanged(ranking: Ranking) -> None:
    fresh = Ranking.model_validate_json(ranking.model_dump_json())
    fresh.evaluation("E3").node("k")
    fresh.rank_of("E3", "share")
    assert fresh.model_dump_json() == ranking.model_dump_json()
    assert fresh == ranking and ranking == fresh
    # A copy with other evaluations answers from them, not from the table built for the first.
    fewer = fresh.model_copy(update={"evaluations": fresh.evaluations[:2]})
    assert fewer.evaluation("E1").entity == "E1"
    with pytest.raises(KeyError):
        fewer.evaluation("E3")
