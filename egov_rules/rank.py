"""Across entities: the cohort stage (best, min, max, mean or sd of a block) and ranking within a block."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

from egov_rules import syntax as s
from egov_rules.evaluate import (
    IndexFacts,
    NodeFacts,
    RuntimeValue,
    cohort_figures_of,
    relative_input,
    relative_nodes,
    stated_references,
)
from egov_rules.kinds.base import (
    ALONE_WARNS,
    STANDINGS,
    Held,
    gives_way,
    partition,
    standing,
)
from egov_rules.model import Model
from egov_rules.results import CohortSource, RankEntry

# One entity of the cohort stage: its block, its values (derived values included), its name
# and whether it came from the cohort file (counted, never scored).
CohortEntry = tuple[str, Mapping[str, RuntimeValue], str, bool]


class CohortStage:
    """The cohort stage: each cohort figure (the best, the min, the max, the mean or the sd of
    a node's input) over each partition of the entities scored together (a block, all of
    them, or a group: `kinds.base.partition`), with where it came from (who holds a pick,
    over how many entities). `of` gives one entity its figures."""

    def __init__(self, model: Model, entities: Sequence[CohortEntry]) -> None:
        self.model = model
        self.figures = [(node, f, f.key(node.id)) for node in model.nodes.values()
                        for _, f in cohort_figures_of(node)]
        self.held: dict[tuple[str, tuple[str, str]], Held] = {}
        nodes = [n for n in model.nodes.values() if cohort_figures_of(n)]
        for block, env, name, from_file in entities:
            for node in nodes:
                if block not in model.blocks_of.get(node.id, ()):
                    continue
                value = relative_input(model, node, env)
                if value is None:
                    continue
                for _, figure in cohort_figures_of(node):
                    where = partition(figure.scope, block, env)
                    if where is not None:
                        self.held.setdefault((figure.key(node.id), where), Held(figure.pick)
                                             ).add_held(value, name, from_file)
        stated = stated_references(model)
        self._results = {k: (g.result(), g.source(k[1])) for k, g in self.held.items()
                         if not gives_way(g.count, stated[k[0]])}

    def of(self, block: str, env: Mapping[str, RuntimeValue]
           ) -> tuple[dict[str, Fraction], dict[str, CohortSource]]:
        """The figures of one entity's cohorts, by key, and where each came from; a standing
        (`percentile`) read with the entity's own value."""
        figures: dict[str, Fraction] = {}
        sources: dict[str, CohortSource] = {}
        for node, figure, key in self.figures:
            if block not in self.model.blocks_of.get(node.id, ()):
                continue
            where = partition(figure.scope, block, env)
            found = None if where is None else self._results.get((key, where))
            if found is not None:
                own = relative_input(self.model, node, env) if figure.pick in STANDINGS \
                    else None
                figures[key], sources[key] = standing(figure.pick, found[0], own), found[1]
        return figures, sources


def alone(model: Model, entities: Sequence[tuple[str, Mapping[str, RuntimeValue]]],
          others: Sequence[tuple[str, Mapping[str, RuntimeValue]]], given: Collection[str]
          ) -> list[tuple[int, str, Fraction]]:
    """(position in `entities`, node id, value) for each relative node, not in `given`, whose
    only figure in a block is that entity's own: its own best, full points (W529). `others`
    (a cohort's entities, as (block, values) pairs) count, but are never named."""
    found: list[tuple[int, str, Fraction]] = []
    for node_id in relative_nodes(model):
        node = model.nodes[node_id]
        if all(f.key(node_id) in given or f.reference is not None
               for _, f in cohort_figures_of(node)):
            continue  # alone, the figure given or the rule's reference is used
        if not any(f.pick in ALONE_WARNS for _, f in cohort_figures_of(node)):
            continue  # W529 speaks of a best (a percentile's: none ahead); a z-score alone
            # is at its own mean (sd 0), a composite's min is its max (full points)
        scope = cohort_figures_of(node)[0][1].scope
        figures: dict[tuple[str, str], list[tuple[int, Fraction]]] = {}
        for k, (block, env) in [*enumerate(entities), *((-1, o) for o in others)]:
            value = relative_input(model, node, env)
            where = partition(scope, block, env)  # its block, all, or its group
            if value is not None and where is not None \
                    and block in model.blocks_of.get(node_id, ()):
                figures.setdefault(where, []).append((k, value))
        found += [(k, node_id, value) for one in figures.values() if len(one) == 1
                  for k, value in one if k >= 0]
    return sorted(found)


# What an entity is ranked on: (the ranked value, 1 when the `then by` index has a value
# else 0, that value or 0); higher first, so a tie-break without a value comes last.
RankKey = tuple[Fraction, int, Fraction]
_Key = TypeVar("_Key", Fraction, RankKey)
_ZERO = Fraction(0)


def ranked_value(rule: s.Rank, value: Fraction | None, rounded: Fraction | None
                 ) -> Fraction | None:
    """The value an index is ranked on: the rounded one when it declares rounding, unless
    the rank says `by exact`. A node's points are never rounded (`rounded` is None), so
    `by exact` and `by rounded` rank it alike."""
    return value if rule.by == "exact" or rounded is None else rounded


def rank_key(rule: s.Rank, value: Fraction | None, rounded: Fraction | None,
             tie_break: Fraction | None) -> RankKey | None:
    """An entity's rank key (None: not ranked); `tie_break` is the published value of the
    `then by` index (None without one, or when it has no value)."""
    ranked = ranked_value(rule, value, rounded)
    if ranked is None:
        return None
    return (ranked, 0, _ZERO) if tie_break is None else (ranked, 1, tie_break)


def rank_values(values: Mapping[str, _Key | None], ties: str) -> dict[str, int | None]:
    """Rank entities by value, highest first. `competition`: 1, 1, 3; `dense`: 1, 1, 2."""
    ranks = ranks_of(Counter(v for v in values.values() if v is not None), ties)
    return {entity: None if value is None else ranks[value] for entity, value in values.items()}


def ranks_of(counts: Mapping[_Key, int], ties: str) -> dict[_Key, int]:
    """The rank of each value held by `counts[value]` entities, highest first, by the tie
    rule: all a ranking needs (a streamed ranking keeps only these counts per block)."""
    ranks: dict[_Key, int] = {}
    above = 0
    for distinct, value in enumerate(sorted(counts, reverse=True)):
        ranks[value] = distinct + 1 if ties == "dense" else above + 1
        above += counts[value]
    return ranks


# Entries are built from checked figures, without validation, and share the set of the
# fields they were given: a validated entry held its own 512-byte set, 1 KB in all, and
# four ranked indices of 100,000 entities took 400 MB (pydantic copies the set to change it).
_ENTRY_FIELDS = set(RankEntry.model_fields)


# What a rank reads of one entity: its indices' facts and, for a ranked node, the node's.
Standing = Mapping[str, IndexFacts | NodeFacts]


def figures_of(facts: IndexFacts | NodeFacts | None
               ) -> tuple[Fraction | None, Fraction | None, int | None]:
    """(value, rounded value, grade row) of a ranked index or node: a node's points are its
    value, never rounded nor graded (None: it does not apply, so it is not ranked)."""
    if facts is None:
        return None, None, None
    if isinstance(facts, NodeFacts):
        return facts.points, None, None
    return facts.value, facts.rounded, facts.grade_row


def published(value: Fraction | None, rounded: Fraction | None) -> Fraction | None:
    """The value a `then by` tie-break reads: the rounded one when there is one."""
    return rounded if rounded is not None else value


def rank_evaluations(model: Model, standings: Sequence[tuple[str, str, Standing]]
                     ) -> list[RankEntry]:
    """Every ranked index or node within every block. `standings` holds each entity's name,
    block and facts (the index's value shown and grade row, a node's points; reading them
    from the evaluations made each index's words)."""
    by_block: dict[str, list[tuple[str, Standing]]] = {}
    for entity, block, facts in standings:
        by_block.setdefault(block, []).append((entity, facts))
    entries: list[RankEntry] = []
    for ranked_id, rule in model.ranks.items():
        grades = model.grades.get(ranked_id)
        for block in model.blocks:
            keys: dict[str, RankKey | None] = {}
            labels: dict[str, tuple[str | None, str | None]] = {}
            for entity, facts in by_block.get(block, ()):
                value, rounded, row = figures_of(facts.get(ranked_id))
                tie_break = None if rule.then is None else published(
                    *figures_of(facts.get(rule.then.name))[:2])
                keys[entity] = rank_key(rule, value, rounded, tie_break)
                band = None if grades is None or row is None else grades.bands[row]
                labels[entity] = (None, None) if band is None else (str(band.award), band.award_en)
            ranks = rank_values(keys, rule.ties)
            entries.extend(
                RankEntry.model_construct(
                    _ENTRY_FIELDS, index=ranked_id, block=block, entity=name,
                    value=None if key is None else key[0], rank=ranks[name],
                    grade=labels[name][0], grade_en=labels[name][1])
                for name, key in keys.items()
            )
    return entries
