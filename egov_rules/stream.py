"""Scores and ranks of a CSV data file read as a stream, for files too large to keep: each
entity is read, scored (the compiled exact path: the Fractions `evaluate` gives) and handed
on, and only what ranking needs is kept (docs/cli.md, "Large data files").

A file whose methodology has a `relative to best in block` node is read twice (unless a
reference gives every such node's best): the first pass finds each block's best, the second
scores against it."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Reporter, Text
from egov_rules.evaluate import (
    alone_diagnostic,
    cohort_figures_of,
    cohort_keys,
    scoped,
    stated_references,
)
from egov_rules.inputs.tables import stream_csv
from egov_rules.inputs.values import EntityData, Reading, validate_entity
from egov_rules.kinds.base import ALONE_WARNS, GIVEN, Held, gives_way, stated_source
from egov_rules.methodology import Methodology
from egov_rules.model import Model
from egov_rules.rank import RankKey, published, rank_key, ranks_of
from egov_rules.results import CohortSource

if TYPE_CHECKING:
    from egov_rules.scoring import Score

NONE = -1  # the value id of an index without a value, or a node that does not apply (unranked)


def scores_of_file(methodology: Methodology, path: str | Path, reporter: Reporter,
                   reading: Reading | None = None, references: Mapping[str, Fraction] | None = None,
                   cohort: Sequence[EntityData] = (),
                   sources: dict[str, dict[str, CohortSource]] | None = None) -> Iterator[Score]:
    """Each entity of a CSV file scored, in the file's order. Every problem of the file and
    of its entities goes to `reporter`: once there is one, the entities left are only
    checked (as `read_entities` checks them), never scored. Check `reporter.has_errors` at
    the end: what was yielded before an error cannot be taken back. `references` and
    `cohort` are `evaluate_many`'s; with a reference for every relative node, the file is
    read once. `sources`, if given, is filled before the first score with where each block's
    cohort figures came from (block → key → `CohortSource`, as `Evaluation.cohort_sources`
    holds them; a figure `in group g` is left out: it differs within a block): the first pass
    keeps each pick's holder as it keeps the pick."""
    scorer = methodology.scorer
    refs = dict(references or {})
    if methodology.model.imputes or scoped(methodology.model):  # a missing value is its
        # block's mean, a figure `in all` or `in group g` is not its block's: the whole file first
        yield from _whole_file(methodology, path, reporter, reading, refs, cohort, sources)
        return
    before = _stamp(path)
    bests: dict[str, tuple[Fraction | None, ...]] = {}
    held: dict[str, list[Held]] = {}
    if any(key not in refs for key in cohort_keys(methodology.model)):
        first = _Bests(methodology, cohort)
        first.read(path, reporter, reading)
        if reporter.has_errors:  # the second pass would only say it all again
            return
        reporter.diagnostics[:] = first.alone(refs)  # the second pass says the rest again
        bests, held = first.best, first.gathered
    if sources is not None:
        sources.update(_sources(methodology, held, refs))
    bests = {block: tuple(refs.get(r.key, found[k]) for k, r in enumerate(code.relatives))
             for block, code in scorer.compiled.blocks.items()
             for found in [bests.get(block, (None,) * len(code.relatives))]}
    errors = _Errors(reporter)
    for entity in stream_csv(path, reporter, methodology.model, None, reading):
        if errors.found():
            validate_entity(methodology.model, entity, reporter)
            continue
        try:
            yield scorer.score_read(entity, bests)
        except EgovRulesError as error:
            reporter.diagnostics += error.diagnostics
    if _stamp(path) != before:  # rows of two versions of the file, or bests of another
        reporter.diagnostics.append(Diagnostic(
            codes.BAD_DATA, None, {"detail": "the file changed while it was being read",
                                   "detail_vi": "tệp đã thay đổi trong lúc đang được đọc"},
            Text("score it again once it is saved", "chấm lại khi tệp đã được lưu xong"),
            path=str(path)))


def _sources(methodology: Methodology, held: Mapping[str, Sequence[Held]],
             refs: Mapping[str, Fraction]) -> dict[str, dict[str, CohortSource]]:
    """block → figure key → where it came from: a reference given, else the entities read
    (the first pass's), else the rule's own reference (a figure none of these gives is E208)."""
    model = methodology.model
    stated = {f.key(n.id): f for node in model.nodes.values() for n, f in cohort_figures_of(node)}
    found: dict[str, dict[str, CohortSource]] = {}
    for block, code in methodology.scorer.compiled.blocks.items():
        row = held.get(block, ())
        for k, relative in enumerate(code.relatives):
            figure = stated[relative.key]
            if relative.key in refs:
                source = GIVEN
            elif k < len(row) and row[k].count and not gives_way(row[k].count, figure.reference):
                source = row[k].source(("block", block))
            elif figure.reference is not None:
                source = stated_source(None if figure.stated is None else figure.stated.line)
            else:
                continue
            found.setdefault(block, {})[relative.key] = source
    return found


def _whole_file(methodology: Methodology, path: str | Path, reporter: Reporter,
                reading: Reading | None, refs: Mapping[str, Fraction],
                cohort: Sequence[EntityData],
                sources: dict[str, dict[str, CohortSource]] | None) -> Iterator[Score]:
    """`scores_of_file` for a methodology with `missing mean`: every entity read first, then
    scored with the cohort as `score_many` scores them (exactly, as the stream does)."""
    entities = list(stream_csv(path, reporter, methodology.model, None, reading))
    if reporter.has_errors:
        return
    if sources is not None:
        sources.update(_whole_sources(methodology, entities, cohort, refs))
    try:
        scores = list(methodology.score_many([*cohort, *entities], refs or None, exact=True))
    except EgovRulesError as error:
        reporter.diagnostics += error.diagnostics
        return
    yield from scores[len(cohort):]  # the cohort counts for the figures, never scored


def _whole_sources(methodology: Methodology, entities: list[EntityData],
                   cohort: Sequence[EntityData], refs: Mapping[str, Fraction]
                   ) -> dict[str, dict[str, CohortSource]]:
    """`_sources` for the whole-file path: what `evaluate_many` records, block by block (its
    errors are left to the scoring that follows, which reports them)."""
    found: dict[str, dict[str, CohortSource]] = {}
    try:
        ranking = methodology.evaluate_many(entities, references=refs, cohort=list(cohort))
    except EgovRulesError:
        return found
    for evaluation in ranking.evaluations:  # a group's figures differ within a block
        found.setdefault(evaluation.block, {}).update(
            {k: v for k, v in evaluation.cohort_sources.items() if v.scope != "group"})
    return found


def _stamp(path: str | Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


class _Bests:
    """The first pass: each block's best of each relative node, every entity checked, and
    the entity whose figure was, so far, the only one of its block (W529)."""

    def __init__(self, methodology: Methodology, cohort: Sequence[EntityData]) -> None:
        self.methodology = methodology
        self.stated = stated_references(methodology.model)
        # a z-score's mean and sd, a percentile's standings keep that node's values
        # (O(entities)); picks keep one, and its holder's name
        self.gathered: dict[str, list[Held]] = {}
        self.count: dict[tuple[str, int], int] = {}
        self.first: dict[tuple[str, int], tuple[EntityData, Fraction]] = {}
        for entity in cohort:  # checked already; counted, never warned of
            self._add(entity, named=False)

    def read(self, path: str | Path, reporter: Reporter, reading: Reading | None) -> None:
        errors = _Errors(reporter)
        for entity in stream_csv(path, reporter, self.methodology.model, None, reading):
            if errors.found():
                validate_entity(self.methodology.model, entity, reporter)
                continue
            try:
                self._add(entity, named=True)
            except EgovRulesError as error:
                reporter.diagnostics += error.diagnostics

    def _add(self, entity: EntityData, named: bool) -> None:
        block, values = self.methodology.scorer.cohort_read(entity)
        relatives = self.methodology.scorer.compiled.blocks[block].relatives
        row = self.gathered.setdefault(block, [Held(r.pick) for r in relatives])
        for k, value in enumerate(values):
            if value is None:
                continue
            row[k].add_held(value, entity.name, not named)
            self.count[block, k] = self.count.get((block, k), 0) + 1
            if named and self.count[block, k] == 1:
                self.first[block, k] = (entity, value)

    @property
    def best(self) -> dict[str, tuple[Fraction | None, ...]]:
        """Each block's figures, once every entity is read (a mean or an sd needs them all);
        None for one found over a single value whose rule states a reference."""
        blocks, stated = self.methodology.scorer.compiled.blocks, self.stated
        return {block: tuple(None if gives_way(g.count, stated[r.key]) else g.result()
                             for g, r in zip(row, blocks[block].relatives, strict=True))
                for block, row in self.gathered.items()}

    def alone(self, given: Mapping[str, Fraction]) -> list[Diagnostic]:
        """W529 for each relative node, not in `given`, of which one entity gave its block's
        only figure."""
        model, blocks = self.methodology.model, self.methodology.scorer.compiled.blocks
        found = []
        for (block, k), (entity, value) in self.first.items():
            relative = blocks[block].relatives[k]
            node = relative.node
            # one warning a node: of its max (a min-max node's min says the same again), or
            # of a percentile's count
            if self.count[block, k] == 1 and relative.pick in ALONE_WARNS \
                    and relative.key not in given \
                    and self.stated[relative.key] is None:
                found.append(alone_diagnostic(model, entity.name, block, node, value,
                                              entity.span, entity.path))
        return found


class _Errors:
    """Whether a reporter holds an error yet, looking only at what was added since the last
    look (`Reporter.has_errors` reads them all: a file of many errors would be quadratic)."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter, self.seen, self.any = reporter, 0, False

    def found(self) -> bool:
        diagnostics = self.reporter.diagnostics
        if not self.any and len(diagnostics) > self.seen:
            self.any = any(d.is_error for d in diagnostics[self.seen:])
        self.seen = len(diagnostics)
        return self.any


def _figures(score: Score, ranked: str) -> tuple[Fraction | None, Fraction | None, int | None]:
    """(value, rounded value, grade row) of a ranked index, or a node's points (never rounded
    nor graded), as `rank.figures_of` reads them from the evaluator's facts."""
    at = score.layout.indices_at.get(ranked)
    if at is None:
        points = score.points(ranked)
        assert not isinstance(points, float), "streamed scores are exact"
        return points, None, None
    value, rounded, row = score.figures[at:at + 3]
    return value, rounded, row


@dataclass
class _Ranked:
    """One ranked index: an id per distinct value, and how many entities of each block hold
    each value; with `names`, each entity's value id and grade row."""

    ties: str
    ids: dict[RankKey, int] = field(default_factory=dict)
    values: list[RankKey] = field(default_factory=list)
    counts: dict[str, Counter[int]] = field(default_factory=dict)
    value_of: array[int] = field(default_factory=lambda: array("q"))
    grade_of: array[int] = field(default_factory=lambda: array("h"))


class Standings:
    """What ranking needs of each entity, kept compactly as the scores stream past: per
    ranked index and block, the count of each value (ranks follow from those, by the tie
    rule); with `names=True`, also each entity's name, block, value and grade, for the
    rank tables. Nothing grows with the square of the entities: ranking is one sort."""

    def __init__(self, model: Model, names: bool) -> None:
        self.model = model
        self.ranked = {index: _Ranked(rule.ties) for index, rule in model.ranks.items()}
        self.blocks: dict[str, int] = {}  # in the order they first appear
        self.names: list[str] | None = [] if names else None
        self.block_of = array("H")
        self.count = 0
        self._ranks: dict[tuple[str, str], dict[int, int]] | None = None

    def add(self, score: Score) -> tuple[int, ...]:
        """Count the entity in; its value id for each ranked index (NONE: no value)."""
        block = self.blocks.setdefault(score.block, len(self.blocks))
        ids = []
        for index, ranked in self.ranked.items():
            rule = self.model.ranks[index]
            value, rounded, row = _figures(score, index)
            tie_break = None if rule.then is None else published(
                *_figures(score, rule.then.name)[:2])
            key = rank_key(rule, value, rounded, tie_break)
            found = NONE if key is None else ranked.ids.setdefault(key, len(ranked.ids))
            if found == len(ranked.values) and key is not None:
                ranked.values.append(key)
            ranked.counts.setdefault(score.block, Counter())[found] += 1
            ids.append(found)
            if self.names is not None:
                ranked.value_of.append(found)
                ranked.grade_of.append(-1 if row is None else row)
        if self.names is not None:
            self.names.append(score.entity)
            self.block_of.append(block)
        self.count += 1
        return tuple(ids)

    def rank(self, index: str, block: str, value_id: int) -> int | None:
        """The rank in `block` of the entities whose `index` has this value id."""
        if self._ranks is None:
            self._ranks = {}
        key = (index, block)
        if key not in self._ranks:
            ranked = self.ranked[index]
            held = {ranked.values[k]: n for k, n in ranked.counts[block].items() if k != NONE}
            by_value = ranks_of(held, ranked.ties)
            self._ranks[key] = {ranked.ids[v]: r for v, r in by_value.items()}
        return None if value_id == NONE else self._ranks[key][value_id]

    def table(self, index: str, block: str
              ) -> Iterator[tuple[int | None, str, Fraction | None, tuple[str, str | None] | None]]:
        """(rank, entity, value, grade labels) of one index in one block, best first, ties
        by name, unranked last: as `Ranking.table` orders them. Needs `names=True`."""
        assert self.names is not None, "Standings(names=True) keeps the entities"
        names, ranked = self.names, self.ranked[index]
        number = self.blocks[block]
        members = [k for k, b in enumerate(self.block_of) if b == number]
        members.sort(key=names.__getitem__)

        def rank(k: int) -> int | None:
            return self.rank(index, block, ranked.value_of[k])

        members.sort(key=lambda k: (rank(k) is None, rank(k) or 0))  # stable: names stay
        grades = self.model.grades.get(index)
        for k in members:
            value_id, row = ranked.value_of[k], ranked.grade_of[k]
            label = None if grades is None or row < 0 else (
                str(grades.bands[row].award), grades.bands[row].award_en)
            yield rank(k), names[k], None if value_id == NONE else ranked.values[value_id][0], \
                label
