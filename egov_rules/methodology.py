"""The public face of a compiled methodology: check it, score one entity or many."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Label, Reporter, Text
from egov_rules.evaluate import (
    IndexFacts,
    MissingReference,
    NodeFacts,
    RuntimeValue,
    alone_diagnostic,
    compute_lets,
    evaluate_with_indices,
    missing_reference_diagnostic,
)
from egov_rules.graph import EvalGraph, build_graph
from egov_rules.inputs import (
    EntityData,
    Located,
    from_mapping,
    from_mappings,
    missing_applied,
    validate_entity,
)
from egov_rules.inputs.impute import Imputed, impute
from egov_rules.model import Model
from egov_rules.rank import CohortStage, Standing, alone, rank_evaluations
from egov_rules.results import CohortSource, Evaluation, Ranking, _parse_exact
from egov_rules.syntax import structure_hash

if TYPE_CHECKING:
    from egov_rules.scoring import Score, Scorer


class Methodology:
    """A methodology that compiled without errors. Create it with `load` or `compile`."""

    def __init__(self, model: Model, diagnostics: list[Diagnostic]) -> None:
        self._model = model
        self._diagnostics = diagnostics
        self._graph: EvalGraph | None = None
        self._structure_hash: str | None = None
        self._scorer: Scorer | None = None

    def __repr__(self) -> str:
        return f"<Methodology {self.id} ({self.year})>"

    @property
    def id(self) -> str:
        return self._model.id

    @property
    def year(self) -> int | None:
        return self._model.year

    @property
    def title(self) -> str | None:
        return self._model.header_text("title")

    @property
    def blocks(self) -> list[str]:
        return list(self._model.blocks)

    @property
    def indicators(self) -> list[str]:
        return list(self._model.indicators)

    @property
    def structure_hash(self) -> str:
        """A fingerprint of what the methodology says: the same for two files that differ
        only in comments, layout or spacing (`content_hash` fingerprints the text itself)."""
        if self._structure_hash is None:
            self._structure_hash = structure_hash(self._model.tree)
        return self._structure_hash

    @property
    def model(self) -> Model:
        """The checked model (for tools built on the library, e.g. `egov_rules.testing`)."""
        return self._model

    @property
    def graph(self) -> EvalGraph:
        """The evaluation graph (a DAG in topological order), built on first use."""
        if self._graph is None:
            self._graph = build_graph(self._model)
        return self._graph

    def check(self) -> list[Diagnostic]:
        """Warnings found when the methodology was compiled (errors would have raised)."""
        return list(self._diagnostics)

    def evaluate(
        self, indicators: Mapping[str, Any], block: str, entity: str = "entity",
        references: Mapping[str, Any] | None = None,
    ) -> Evaluation:
        """Score one entity of `block`. Nodes scored `relative to best in block` need the
        block's best value in `references` (node id → value) unless the rule states one."""
        reporter = Reporter()
        data = from_mapping(entity, indicators, block)  # the names normalised as a file's are
        values = validate_entity(self._model, data, reporter)
        if values is None:
            raise EgovRulesError(reporter.diagnostics)
        cohort = {k: _parse_exact(v) for k, v in (references or {}).items()}
        imputed = impute(self._model, [(data, values)], cohort)[0]  # alone: a reference
        return self._evaluate(data.name, str(data.block.value), values, cohort,
                              Located(None, path=data.path), None,
                              missing_applied(self._model, data), imputed)[0]

    def evaluate_many(self, entities: Mapping[str, Mapping[str, Any]] | list[EntityData],
                      progress: Callable[[int], None] | None = None, *,
                      references: Mapping[str, Any] | None = None,
                      cohort: Mapping[str, Mapping[str, Any]] | list[EntityData] | None = None,
                      reporter: Reporter | None = None) -> Ranking:
        """Score entities together: `relative to best in block` uses the best of the block
        among them, and each index is ranked within each block. `progress`, if given, is
        called with the number of entities scored so far, after each one.

        `references` (node id → value) states the best of each node it lists, for every
        block, instead of the data's (a published best of the year). `cohort` holds other
        entities, checked and read only for each block's best (never scored nor ranked).
        Warnings found while scoring (W529: an entity that was its block's only figure of a
        relative node) go to `reporter`, if given."""
        own = Reporter()
        validated = self._validated(entities, own, repeats=True)
        others = self._validated(cohort or [], own, repeats=False)
        if own.has_errors:
            raise EgovRulesError(own.diagnostics)
        refs = {k: _parse_exact(v) for k, v in (references or {}).items()}
        imputed = impute(self._model, validated + others, refs)  # the cohort's values count
        envs = [(str(e.block.value), compute_lets(self._model, v)) for e, v in validated]
        cohort_envs = [(str(e.block.value), compute_lets(self._model, v)) for e, v in others]
        stage = CohortStage(self._model, [
            *((block, env, e.name, False) for (block, env), (e, _) in zip(envs, validated, strict=True)),
            *((block, env, e.name, True) for (block, env), (e, _) in zip(cohort_envs, others,
                                                                          strict=True))])
        if reporter is not None:
            for k, node, value in alone(self._model, envs, cohort_envs, refs):
                entity = validated[k][0]
                reporter.diagnostics.append(alone_diagnostic(
                    self._model, entity.name, envs[k][0], node, value, entity.span,
                    entity.path or entity.name))
        evaluations: list[Evaluation] = []
        standings: list[tuple[str, str, Standing]] = []
        for (entity, values), (block, env), means in zip(validated, envs, imputed, strict=False):
            best, sources = stage.of(block, env)
            evaluation, indices = self._evaluate(
                entity.name, block, values, {**best, **refs},
                Located(None, entity.span, entity.path), env,
                missing_applied(self._model, entity), means,
                {k: v for k, v in sources.items() if k not in refs})
            evaluations.append(evaluation)
            standings.append((entity.name, block, indices))
            if progress is not None:
                progress(len(evaluations))
        return Ranking(
            methodology=evaluations[0].methodology if evaluations else _info(self._model),
            evaluations=evaluations, ranks=rank_evaluations(self._model, standings),
            ties={k: r.ties for k, r in self._model.ranks.items()},
            ranked_by={k: r.by for k, r in self._model.ranks.items() if r.by == "exact"},
        )

    def _validated(self, entities: Mapping[str, Mapping[str, Any]] | list[EntityData],
                   reporter: Reporter, repeats: bool
                   ) -> list[tuple[EntityData, dict[str, RuntimeValue]]]:
        """Each entity with its checked values; every problem to `reporter`. `repeats`: a
        name given twice is an error (a ranking holds one evaluation per entity)."""
        data = entities if isinstance(entities, list) else from_mappings(entities, reporter)
        validated: list[tuple[EntityData, dict[str, RuntimeValue]]] = []
        first: dict[str, EntityData] = {}
        for entity in data:
            if repeats and entity.name in first:
                reporter.diagnostics.append(_repeated(entity, first[entity.name]))
            first.setdefault(entity.name, entity)
            values = validate_entity(self._model, entity, reporter)
            if values is not None:
                validated.append((entity, values))
        return validated

    def _evaluate(self, entity: str, block: str, values: dict[str, RuntimeValue],
                  cohort: Mapping[str, Fraction], where: Located,
                  env: dict[str, RuntimeValue] | None = None,
                  missing: dict[str, str] | None = None,
                  imputed: dict[str, Imputed] | None = None,
                  sources: Mapping[str, CohortSource] | None = None
                  ) -> tuple[Evaluation, dict[str, IndexFacts | NodeFacts]]:
        try:
            return evaluate_with_indices(self._model, entity, block, values, cohort, env,
                                         missing, imputed, sources)
        except MissingReference as missing:
            raise EgovRulesError([missing_reference_diagnostic(
                missing.node.id, where.span, where.path or entity, missing.keys)]) from None

    # -- scores without explanations (compiled; see docs/api.md)

    def score(self, indicators: Mapping[str, Any], block: str, entity: str = "entity",
              references: Mapping[str, Any] | None = None, *, exact: bool = False) -> Score:
        """Score one entity as `evaluate` does, without explanations, through code compiled
        from the rules: floats whose every decision is exact, or Fractions with `exact=True`."""
        return self.scorer.score(indicators, block, entity, references, exact)

    def score_many(self, entities: Mapping[str, Mapping[str, Any]] | Iterable[EntityData],
                   references: Mapping[str, Any] | None = None, *, exact: bool = False,
                   progress: Callable[[int], None] | None = None) -> Iterator[Score]:
        """Score entities as `evaluate_many` does (a `relative to best in block` node against
        the best of its block among them), yielding one `Score` per entity in input order.
        Without a relative node, or with `references` (node id → best, for every block),
        entities stream one at a time; otherwise every entity's data is read and checked
        before the first score, to know each block's best."""
        return self.scorer.score_many(entities, references, exact, progress)

    @property
    def scorer(self) -> Scorer:
        """The compiled scorer, built on first use (once per methodology)."""
        if self._scorer is None:
            from egov_rules.scoring import Scorer  # the code generator loads on first use

            self._scorer = Scorer(self._model)
        return self._scorer

    def compiled_source(self, block: str) -> str:
        """The Python source generated for a block: its exact and fast functions."""
        return self.scorer.compiled.blocks[block].source


def _repeated(entity: EntityData, first: EntityData) -> Diagnostic:
    labels: tuple[Label, ...] = ()
    hint: Text | None = None
    if first.span is not None:
        labels = (Label(first.span, Text("first given here", "đã có ở đây")),)
    else:
        where = first.path or first.name
        hint = Text(f"first given at {where}", f"đã có ở {where}")
    return Diagnostic(codes.DUPLICATE_ID, entity.span, {"name": entity.name}, hint, labels,
                      entity.path or entity.name)


def _info(model: Model) -> Any:
    from egov_rules.evaluate import methodology_info

    return methodology_info(model)
