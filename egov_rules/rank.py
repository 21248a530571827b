"""Across entities: the cohort stage (best value in a block) and ranking within a block."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction

from egov_rules.evaluate import (
    IndexFacts,
    RuntimeValue,
    cohort_figures_of,
    relative_input,
    relative_nodes,
)
from egov_rules.kinds.base import beats
from egov_rules.model import Model
from egov_rules.results import RankEntry


def cohort_best(model: Model, entities: Sequence[tuple[str, Mapping[str, RuntimeValue]]]
                ) -> dict[str, dict[str, Fraction]]:
    """block → cohort figure key → that figure (the best, the min or the max of a node's
    input) among the entities of that block scored together.

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
            for _, figure in cohort_figures_of(node):
                key = figure.key(node_id)
                current = best.setdefault(block, {}).get(key)
                if current is None or beats(figure.pick, value, current):
                    best[block][key] = value
    return best


def alone(model: Model, entities: Sequence[tuple[str, Mapping[str, RuntimeValue]]],
          others: Sequence[tuple[str, Mapping[str, RuntimeValue]]], given: Collection[str]
          ) -> list[tuple[int, str, Fraction]]:
    """(position in `entities`, node id, value) for each relative node, not in `given`, whose
    only figure in a block is that entity's own: its own best, full points (W529). `others`
    (a cohort's entities, as (block, values) pairs) count, but are never named."""
    found: list[tuple[int, str, Fraction]] = []
    for node_id in relative_nodes(model):
        node = model.nodes[node_id]
        if all(f.key(node_id) in given for _, f in cohort_figures_of(node)):
            continue
        figures: dict[str, list[tuple[int, Fraction]]] = {}
        for k, (block, env) in [*enumerate(entities), *((-1, o) for o in others)]:
            value = relative_input(model, node, env)
            if value is not None and block in model.blocks_of.get(node_id, ()):
                figures.setdefault(block, []).append((k, value))
        found += [(k, node_id, value) for one in figures.values() if len(one) == 1
                  for k, value in one if k >= 0]
    return sorted(found)


def rank_values(values: Mapping[str, Fraction | None], ties: str) -> dict[str, int | None]:
    """Rank entities by value, highest first. `competition`: 1, 1, 3; `dense`: 1, 1, 2."""
    ranks = ranks_of(Counter(v for v in values.values() if v is not None), ties)
    return {entity: None if value is None else ranks[value] for entity, value in values.items()}


def ranks_of(counts: Mapping[Fraction, int], ties: str) -> dict[Fraction, int]:
    """The rank of each value held by `counts[value]` entities, highest first, by the tie
    rule: all a ranking needs (a streamed ranking keeps only these counts per block)."""
    ranks: dict[Fraction, int] = {}
    above = 0
    for distinct, value in enumerate(sorted(counts, reverse=True)):
        ranks[value] = distinct + 1 if ties == "dense" else above + 1
        above += counts[value]
    return ranks


# Entries are built from checked figures, without validation, and share the set of the
# fields they were given: a validated entry held its own 512-byte set, 1 KB in all, and
# four ranked indices of 100,000 entities took 400 MB (pydantic copies the set to change it).
_ENTRY_FIELDS = set(RankEntry.model_fields)


def rank_evaluations(model: Model,
                     standings: Sequence[tuple[str, str, Mapping[str, IndexFacts]]]
                     ) -> list[RankEntry]:
    """Every ranked index within every block. `standings` holds each entity's name, block
    and index facts (the value shown and the grade row; reading them from the evaluations
    made each index's words)."""
    by_block: dict[str, list[tuple[str, Mapping[str, IndexFacts]]]] = {}
    for entity, block, indices in standings:
        by_block.setdefault(block, []).append((entity, indices))
    entries: list[RankEntry] = []
    for index_id, rule in model.ranks.items():
        grades = model.grades.get(index_id)
        for block in model.blocks:
            values: dict[str, Fraction | None] = {}
            labels: dict[str, tuple[str | None, str | None]] = {}
            for entity, indices in by_block.get(block, ()):
                facts = indices[index_id]
                values[entity] = facts.rounded if facts.rounded is not None else facts.value
                band = None if grades is None or facts.grade_row is None \
                    else grades.bands[facts.grade_row]
                labels[entity] = (None, None) if band is None else (str(band.award), band.award_en)
            ranks = rank_values(values, rule.ties)
            entries.extend(
                RankEntry.model_construct(
                    _ENTRY_FIELDS, index=index_id, block=block, entity=name, value=values[name],
                    rank=ranks[name], grade=labels[name][0], grade_en=labels[name][1])
                for name in values
            )
    return entries
