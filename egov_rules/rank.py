"""Across entities: the cohort stage (best value in a block) and ranking within a block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from egov_rules.evaluate import RuntimeValue, relative_input
from egov_rules.model import Model
from egov_rules.results import Evaluation, RankEntry


def cohort_best(model: Model, entities: Sequence[tuple[str, Mapping[str, RuntimeValue]]]
                ) -> dict[str, dict[str, Fraction]]:
    """block → node id → best value among the entities of that block scored together.

    `entities` holds (block, values including derived values) pairs.
    """
    best: dict[str, dict[str, Fraction]] = {}
    for node_id, node in model.nodes.items():
        for block, env in entities:
            if block not in model.blocks_of.get(node_id, ()):
                continue
            value = relative_input(model, node, env)
            if value is None:
                continue
            current = best.setdefault(block, {}).get(node_id)
            if current is None or value > current:
                best[block][node_id] = value
    return best


def rank_values(values: Mapping[str, Fraction | None], ties: str) -> dict[str, int | None]:
    """Rank entities by value, highest first. `competition`: 1, 1, 3; `dense`: 1, 1, 2."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first_position: dict[Fraction, int] = {}
    for position, value in enumerate(ordered):
        first_position.setdefault(value, position)
    dense = {value: i + 1 for i, value in enumerate(first_position)}
    return {
        entity: None if value is None
        else dense[value] if ties == "dense" else first_position[value] + 1
        for entity, value in values.items()
    }


def rank_evaluations(model: Model, evaluations: Sequence[Evaluation]) -> list[RankEntry]:
    entries: list[RankEntry] = []
    for index_id, rule in model.ranks.items():
        for block in model.blocks:
            members = [e for e in evaluations if e.block == block]
            if not members:
                continue
            values: dict[str, Fraction | None] = {}
            grades: dict[str, tuple[str | None, str | None]] = {}
            for evaluation in members:
                result = evaluation.index(index_id)
                values[evaluation.entity] = (
                    result.rounded if result.rounded is not None else result.value
                )
                grades[evaluation.entity] = (result.grade, result.grade_en)
            ranks = rank_values(values, rule.ties)
            entries.extend(
                RankEntry(index=index_id, block=block, entity=name, value=values[name],
                          rank=ranks[name], grade=grades[name][0], grade_en=grades[name][1])
                for name in values
            )
    return entries
