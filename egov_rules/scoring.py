"""Scores without explanations, from the code `codegen` generates: `Methodology.score` and
`score_many`.

Each entity is scored by its block's fast function; when that function cannot prove a decision
(`Uncertain`) the entity is scored again by the exact function, and when a value is outside
the forms the fast validator accepts (`Unusual`) it is validated the ordinary way
(`inputs.validate_entity`: the same values, the same located diagnostics) first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any, NamedTuple

from egov_rules.codegen import BlockCode, Compiled, Layout, compile_model, laid_out, open_layout
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Reporter
from egov_rules.emit import U, Uncertain, Unusual
from egov_rules.evaluate import (
    MissingReference,
    RuntimeValue,
    cohort_figures_of,
    compute_lets,
    figures,
    missing_reference_diagnostic,
    relative_input,
    scoped,
    stated_references,
)
from egov_rules.inputs import EntityData, from_mapping, validate_entity
from egov_rules.inputs.impute import impute
from egov_rules.inputs.values import block_id, by_normal_name, normal_value
from egov_rules.kinds.base import (
    STANDINGS,
    Gather,
    Partition,
    beats,
    gives_way,
    is_aggregate,
    partition,
    standing,
)
from egov_rules.model import Model
from egov_rules.results import _parse_exact

#: A number in a score: a float (an int when the fast path computed a whole number) or, with
#: `exact=True`, a Fraction.
Number = float | Fraction


@dataclass(frozen=True, slots=True)
class IndexScore:
    """An index of one entity: its value, its value after the declared rounding (None without
    `round`), and its grade (None without `grades`); None throughout when it has no value."""

    value: Number | None
    rounded: Number | None
    grade: str | None
    grade_en: str | None


class Score(NamedTuple):
    """The points, maxima and indices of one entity, without explanations (use `evaluate` for
    those). A named tuple: frozen, slotted and cheap to make. Numbers are floats (ints when
    whole), or Fractions when scored with `exact=True`; see docs/api.md for what is exact in
    a float score."""

    entity: str
    block: str
    exact: bool
    figures: tuple[Any, ...]  # the results the layout does not fix, in its order
    layout: Layout  # where each node and index is

    def points(self, node_id: str) -> Number | None:
        """The node's points; None when it does not apply to this entity."""
        at = self.layout.points_at.get(node_id)
        if at is None:
            return self._fixed(self.layout.fixed_points[node_id])
        return self.figures[at]  # type: ignore[no-any-return]

    def max(self, node_id: str) -> Number | None:
        """The node's maximum for this entity; None when it does not apply."""
        at = self.layout.max_at.get(node_id)
        if at is None:
            return self._fixed(self.layout.fixed_max[node_id])
        return self.figures[at]  # type: ignore[no-any-return]

    def applicable(self, node_id: str) -> bool:
        return self.points(node_id) is not None

    def index(self, index_id: str) -> IndexScore:  # type: ignore[override]  # not tuple.index
        """The index's value, rounded value and grade."""
        at = self.layout.indices_at[index_id]
        value, rounded, row = self.figures[at:at + 3]
        grade = grade_en = None
        if row is not None:
            grade, grade_en = self.layout.grades[index_id][row]
        return IndexScore(value, rounded, grade, grade_en)

    def _fixed(self, value: Fraction | None) -> Number | None:
        return value if self.exact or value is None else _as_float(value)


_make_score = tuple.__new__  # Score(...) without the keyword handling of its __new__


def _as_float(value: Any) -> Any:
    """An exact result as the fast path gives it: a whole number as an int, else a float."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def _decimal_of(raw: int | float) -> Fraction:
    """The exact value validation reads from a raw number (a float is read through `repr`)."""
    return Fraction(raw) if isinstance(raw, int) else Fraction(repr(raw))


def _carried(value: Fraction) -> int | float | None:
    """An exact number as a raw value the fast path reads exactly (None: it cannot)."""
    if value.denominator == 1:
        return int(value)
    f = float(value)
    return f if Fraction(repr(f)) == value else None


class _Entity:
    """One entity on its way through the scorer."""

    __slots__ = ("block", "cohort", "data", "exact", "given_block", "mapping", "name", "source")

    def __init__(self, name: str, block: Any, mapping: Mapping[str, Any] | None,
                 source: EntityData | None, given_block: str | None = None) -> None:
        self.name = name
        self.block = block
        self.mapping = mapping  # the caller's values, as given
        self.data = mapping  # raw values the fast functions read (None: only the exact path)
        self.source = source  # an entity read from a file, with where each value was
        self.given_block = given_block  # `score(…, block)`: the block given apart
        self.exact: dict[str, RuntimeValue] | None = None  # validated values, once known
        self.cohort: tuple[Any, ...] = ()

    def entity_data(self) -> EntityData:
        """The entity as `validate_entity` reads it (built only when needed: it is slow)."""
        if self.source is None:
            self.source = from_mapping(self.name, self.mapping or {}, self.given_block)
        return self.source


class Scorer:
    """A model's compiled functions and the rules for falling back from one to the other."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.compiled: Compiled = compile_model(model)
        self.has_cohort = any(code.relatives for code in self.compiled.blocks.values())
        self.scoped = scoped(model)
        # Entities that left the fast path, by reason (for tests and measurements).
        self.fallbacks: Counter[str] = Counter()

    # -- one entity

    def score(self, indicators: Mapping[str, Any], block: str, entity: str,
              references: Mapping[str, Any] | None, exact: bool) -> Score:
        block = _block(self.model, block)  # the names as `evaluate` reads them
        item = _Entity(normal_value(entity), block, indicators, None, block)
        if self.model.denominates:  # the rules read x ÷ d, not the figure given
            item.data = None
        code = self.compiled.blocks.get(block) if isinstance(block, str) else None
        try:
            refs = {k: _parse_exact(v) for k, v in (references or {}).items()}
        except ValueError:
            self._validated(item)  # invalid data is reported first, as `evaluate` does
            raise
        if code is None:
            self._validated(item)  # reports the unknown block
            raise AssertionError("unreachable: an unknown block is a diagnostic")
        bests = tuple(refs.get(r.key) for r in code.relatives)
        if self.model.imputes:  # alone, a missing `mean` value needs its reference
            self._imputed([item], refs)
        return self._score(item, exact, bests, partial(_same, bests))

    def _score(self, item: _Entity, exact: bool, fast_bests: tuple[Any, ...],
               exact_bests: Callable[[], tuple[Fraction | None, ...]]) -> Score:
        """Score one entity: fast when it can, exactly when it must. `fast_bests` holds the
        bests as Fractions or already carried (see `_carry_bests`)."""
        try:
            if not exact:
                carried = self._carry_bests(item, fast_bests)
                if carried is not None:
                    values = self._fast(item, carried)
                    if values is not None:
                        layout = self.compiled.blocks[str(item.block)].layout
                        return _make_score(Score, (item.name, str(item.block), False, values,
                                                   layout))
            return self._exact_score(item, exact, exact_bests())
        except MissingReference as missing:
            raise EgovRulesError([_missing_reference(missing.node.id, item, missing.keys)]) from None

    def _carry_bests(self, item: _Entity, bests: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return self._carry(self.compiled.blocks[str(item.block)], bests)

    @staticmethod
    def _carry(code: BlockCode, bests: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """Bests as the fast function reads them: a `dec` best as the raw figure whose decimal
        it is (None when it has none), an `approx` best as a float."""
        carried: list[Any] = []
        for relative, best in zip(code.relatives, bests, strict=True):
            if not isinstance(best, Fraction):
                carried.append(best)  # None, or already a raw figure
                continue
            raw = _carried(best / relative.scale) if relative.kind == "dec" else float(best)
            if raw is None:
                return None
            carried.append(raw)
        return tuple(carried)

    def _fast(self, item: _Entity, bests: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The fast function's results, or None when the entity needs the exact path."""
        code = self.compiled.blocks[str(item.block)]
        if code.fast is None:
            return None
        if item.data is not None:
            try:
                return code.fast(item.data, bests)
            except Uncertain:
                self.fallbacks["uncertain"] += 1
                return None
            except Unusual:
                self.fallbacks["unusual"] += 1
                item.data = None
        normalized = self._normalized(item)
        if normalized is None:
            self.fallbacks["not a float"] += 1
            return None
        try:
            return code.fast(normalized, bests)
        except Uncertain:
            self.fallbacks["uncertain"] += 1
        except Unusual:  # valid, but beyond the magnitudes the fast path bounds its errors for
            self.fallbacks["out of range"] += 1
        return None

    def _normalized(self, item: _Entity) -> dict[str, Any] | None:
        """The validated values as raw figures the fast path reads exactly (None when one has
        none: a decimal with more digits than a float keeps)."""
        values = self._validated(item)
        raw: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, Fraction):
                if self.model.indicators[name].kind == "percent":
                    value = value * 100
                carried = _carried(value)
                if carried is None:
                    return None
                raw[name] = carried
            else:
                raw[name] = value
        return raw

    def _validated(self, item: _Entity) -> dict[str, RuntimeValue]:
        if item.exact is None:
            reporter = Reporter()
            values = validate_entity(self.model, item.entity_data(), reporter)
            if values is None:
                raise EgovRulesError(reporter.diagnostics)
            item.exact = values
        return item.exact

    def _exact_score(self, item: _Entity, exact: bool, bests: tuple[Fraction | None, ...]
                     ) -> Score:
        code = self.compiled.blocks[str(item.block)]
        given, layout = self._validated(item), code.layout
        bests = self._standing(code, item, bests)
        if self._lacks(code, given):
            cohort = {r.key: b for r, b in zip(code.relatives, bests, strict=True) if b is not None}
            values, layout = laid_out(self.model, *figures(self.model, code.block, given, cohort)), \
                open_layout(self.model)
        else:
            values = code.exact(given, bests)
        if not exact:
            values = tuple(map(_as_float, values))
        return _make_score(Score, (item.name, str(item.block), exact, values, layout))

    def _standing(self, code: BlockCode, item: _Entity, bests: tuple[Any, ...]
                  ) -> tuple[Fraction | None, ...]:
        """The figures as this entity reads them: a standing (`percentile`) among the cohort's
        values kept (`base.Standings`) by its own value, the others as found."""
        if not any(r.pick in STANDINGS for r in code.relatives):
            return bests
        own = self._exact_cohort(code, item)
        return tuple(standing(r.pick, b, v)
                     for r, b, v in zip(code.relatives, bests, own, strict=True))

    def _lacks(self, code: BlockCode, values: Mapping[str, RuntimeValue]) -> bool:
        """True when the values lack one the block reads (left out by `missing not
        applicable`): the compiled code does not drop the nodes that read it."""
        return any(n not in values for n in self.model.reads[code.block]
                   if n in self.model.indicators)

    def _exact_cohort(self, code: BlockCode, item: _Entity) -> tuple[Fraction | None, ...]:
        """`code.exact_cohort`, or the evaluator's when the values lack one (`_lacks`)."""
        values = self._validated(item)
        if not self._lacks(code, values):
            return code.exact_cohort(values)
        env = compute_lets(self.model, values)
        return tuple(relative_input(self.model, self.model.nodes[r.node], env)
                     for r in code.relatives)

    # -- many entities

    def score_many(self, entities: Mapping[str, Mapping[str, Any]] | Iterable[EntityData],
                   references: Mapping[str, Any] | None, exact: bool,
                   progress: Callable[[int], None] | None) -> Iterator[Score]:
        if isinstance(entities, Mapping):
            entities = _normal_names(entities)
        items: Iterable[_Entity] = _items(self.model, entities)
        if self.model.imputes:  # every entity checked first: a missing value is a block's mean
            items = self._imputed(list(items), {k: _parse_exact(v) for k, v in
                                                (references or {}).items()})
        if references is not None or not self.has_cohort:
            refs = {k: _parse_exact(v) for k, v in (references or {}).items()}
            bests = {block: tuple(refs.get(r.key) for r in code.relatives)
                     for block, code in self.compiled.blocks.items()}
            if isinstance(entities, Mapping) and not exact and not self.model.imputes \
                    and not self.model.denominates:
                yield from self._stream(entities, bests, progress)
                return
            for done, item in enumerate(items, 1):
                code = self._code(item)
                yield self._score(item, exact, bests[code.block], partial(_same, bests[code.block]))
                if progress is not None:
                    progress(done)
            return
        yield from self._score_cohort(list(items), exact, progress)

    def _imputed(self, items: list[_Entity], references: Mapping[str, Fraction]
                 ) -> list[_Entity]:
        """The items with their values checked (every error at once) and each missing `mean`
        value imputed; the fast path then reads those values (`_normalized`), not the raw."""
        diagnostics: list[Diagnostic] = []
        entries: list[tuple[EntityData, dict[str, RuntimeValue]]] = []
        for item in items:
            try:
                entries.append((item.entity_data(), self._validated(item)))
            except EgovRulesError as error:
                diagnostics += error.diagnostics
        if diagnostics:
            raise EgovRulesError(diagnostics)
        impute(self.model, entries, references)  # in place: `item.exact` holds them
        for item in items:
            item.data = None
        return items

    def _stream(self, entities: Mapping[str, Mapping[str, Any]],
                bests: dict[str, tuple[Fraction | None, ...]],
                progress: Callable[[int], None] | None) -> Iterator[Score]:
        """The hot loop: one call of the block's fast function per entity, anything else (an
        unusual value, an unproven decision, a bad block) through `_score`."""
        fast: dict[str, Callable[..., tuple[Any, ...]]] = {}
        carried: dict[str, tuple[Any, ...]] = {}
        for known, code in self.compiled.blocks.items():
            raw = self._carry(code, bests[known])
            if code.fast is not None and raw is not None:
                fast[known], carried[known] = code.fast, raw
        layouts = {known: code.layout for known, code in self.compiled.blocks.items()}
        for done, (name, data) in enumerate(entities.items(), 1):
            block: Any = data.get("block")
            function = fast.get(block) if type(block) is str else None
            if function is None:
                block = _block(self.model, block)  # ` Tỉnh`, `TỈNH` or a label, as a file's block is
                function = fast.get(block) if type(block) is str else None
            figures = None
            if function is not None:
                try:
                    figures = function(data, carried[block])
                except Uncertain:
                    self.fallbacks["uncertain"] += 1
                except Unusual:
                    self.fallbacks["unusual"] += 1
                except MissingReference:
                    pass  # `_score` reports it (E208), located as evaluate locates it
            if figures is None:
                item = _Entity(name, block, data, None)
                if isinstance(block, str) and block in bests:
                    yield self._score(item, False, bests[block], partial(_same, bests[block]))
                else:
                    yield self._score(item, False, (), partial(_same, ()))  # reports the block
            else:
                yield _make_score(Score, (name, block, False, figures, layouts[block]))
            if progress is not None:
                progress(done)

    # -- entities read from a file as a stream (egov_rules.stream)

    def cohort_read(self, entity: EntityData) -> tuple[str, tuple[Fraction | None, ...]]:
        """The entity's block and, exactly, what each relative node of it compares with the
        block's best; its data checked (EgovRulesError)."""
        item = _Entity(entity.name, entity.block.value, None, entity)
        code = self._code(item)
        return code.block, self._exact_cohort(code, item)

    def score_read(self, entity: EntityData,
                   bests: Mapping[str, tuple[Fraction | None, ...]]) -> Score:
        """The entity scored exactly (Fractions, as `evaluate` gives them), its relative nodes
        against `bests` (block → what `cohort_read` found best); EgovRulesError when its data
        is wrong."""
        item = _Entity(entity.name, entity.block.value, None, entity)
        code = self._code(item)
        found = bests.get(code.block, (None,) * len(code.relatives))
        return self._score(item, True, found, partial(_same, found))

    def _code(self, item: _Entity) -> BlockCode:
        code = self.compiled.blocks.get(item.block) if isinstance(item.block, str) else None
        if code is None:
            self._validated(item)  # reports the missing or unknown block
            raise AssertionError("unreachable: a bad block is a diagnostic")
        return code

    def _score_cohort(self, items: list[_Entity], exact: bool,
                      progress: Callable[[int], None] | None) -> Iterator[Score]:
        """Buffered: every entity's data is checked and its relative figures read first (all
        errors at once, as `evaluate_many`), then each block's best is known."""
        diagnostics: list[Diagnostic] = []
        for item in items:
            try:
                self._code(item)
                item.cohort = self._cohort_values(item, exact)
            except EgovRulesError as error:
                diagnostics += error.diagnostics
        if diagnostics:
            raise EgovRulesError(diagnostics)
        if self.scoped:  # figures `in all`, `in group g`: each entity's own, exactly
            for done, (item, bests) in enumerate(zip(items, self._scoped_bests(items),
                                                     strict=True), 1):
                yield self._score(item, exact, bests, partial(_same, bests))
                if progress is not None:
                    progress(done)
            return
        fast_bests, exact_bests = self._bests(items, exact)
        for done, item in enumerate(items, 1):
            block = str(item.block)
            yield self._score(item, exact, fast_bests[block], partial(exact_bests, block))
            if progress is not None:
                progress(done)

    def _cohort_values(self, item: _Entity, exact: bool) -> tuple[Any, ...]:
        """Check the entity's data and read what each relative node of its block compares
        with the best (None where the node's own `when` is no): raw figures, or Fractions on
        the exact path."""
        code = self.compiled.blocks[str(item.block)]
        if not exact and code.fast_cohort is not None:
            for data in (item.data, "normalized"):
                if data == "normalized":
                    data = self._normalized(item)
                if data is None:
                    continue
                try:
                    return code.fast_cohort(data)
                except Uncertain:
                    break
                except Unusual:
                    item.data = None
        values: tuple[Any, ...] = self._exact_cohort(code, item)
        if exact:
            return values
        carried = self._carry_bests(item, values)
        assert carried is not None, "a `dec` figure is the decimal of a raw value"
        return carried

    def _bests(self, items: list[_Entity], exact: bool
               ) -> tuple[dict[str, tuple[Any, ...]], Callable[[str], tuple[Fraction | None, ...]]]:
        """Each block's best of each relative node: as the fast path carries it, and exact
        (computed on first need: a `dec` best is read back from its raw figure, an `approx`
        best is recomputed exactly over the block)."""
        gathered = {b: [Gather(r.pick, exact) for r in c.relatives]
                    for b, c in self.compiled.blocks.items()}
        for item in items:
            row = gathered[str(item.block)]
            for k, value in enumerate(item.cohort):
                if value is not None:
                    row[k].add(value)
        stated = stated_references(self.model)
        best = {b: [None if gives_way(g.count, stated[r.key]) else g.result()
                    for g, r in zip(row, self.compiled.blocks[b].relatives, strict=True)]
                for b, row in gathered.items()}
        cache: dict[str, tuple[Fraction | None, ...]] = {}

        def exact_bests(block: str) -> tuple[Fraction | None, ...]:
            if block not in cache:
                cache[block] = self._exact_bests(block, best[block], items, exact)
            return cache[block]

        return {b: tuple(v) for b, v in best.items()}, exact_bests

    def _exact_bests(self, block: str, carried: list[Any], items: list[_Entity], exact: bool
                     ) -> tuple[Fraction | None, ...]:
        code = self.compiled.blocks[block]
        if exact:
            return tuple(carried)
        found: list[Fraction | None] = []
        for k, (relative, value) in enumerate(zip(code.relatives, carried, strict=True)):
            if is_aggregate(relative.pick):  # a mean, sd, count or standing of the exact values
                found.append(self._exact_aggregate(code, k, [i for i in items if i.block == block
                                                             and i.cohort[k] is not None]))
            elif value is None:
                found.append(None)
            elif relative.kind == "dec":  # the max of raw figures is the raw figure of the max
                found.append(relative.scale * _decimal_of(value))
            else:  # the exact best is among the floats within their error of the float best
                margin = abs(value) * float(4 * (relative.rel + 2) * U)
                sign = 1 if relative.pick == "max" else -1  # the min: the mirror image
                found.append(self._exact_best(code, k, [
                    i for i in items if i.block == block and i.cohort[k] is not None
                    and sign * (i.cohort[k] - value) >= -margin]))
        return tuple(found)

    def _scoped_bests(self, items: list[_Entity]) -> list[tuple[Fraction | None, ...]]:
        """Each entity's figures when some are found over all the entities or a group
        (`kinds.base.partition`), not its block: gathered exactly by partition, as
        `rank.CohortStage` gathers them for `evaluate_many` (the fast variant declines)."""
        scopes = {f.key(n.id): f.scope for node in self.model.nodes.values()
                  for n, f in cohort_figures_of(node)}
        gathered: dict[tuple[str, Partition], Gather] = {}
        placed: list[list[Partition]] = []
        for item in items:
            code = self.compiled.blocks[str(item.block)]
            values, env = self._exact_cohort(code, item), self._validated(item)
            row = [partition(scopes[r.key], code.block, env) for r in code.relatives]
            placed.append(row)
            for relative, where, value in zip(code.relatives, row, values, strict=True):
                if value is not None and where is not None:
                    gathered.setdefault((relative.key, where), Gather(relative.pick)).add(value)
        stated = stated_references(self.model)
        results = {k: g.result() for k, g in gathered.items()
                   if not gives_way(g.count, stated[k[0]])}
        return [tuple(results.get((r.key, where)) if where is not None else None
                      for r, where in zip(self.compiled.blocks[str(item.block)].relatives, row,
                                          strict=True))
                for item, row in zip(items, placed, strict=True)]

    def _exact_aggregate(self, code: BlockCode, k: int, items: list[_Entity]
                         ) -> Fraction | None:
        gather = Gather(code.relatives[k].pick)
        for item in items:
            gather.add(self._exact_cohort(code, item)[k])
        if gives_way(gather.count, stated_references(self.model)[code.relatives[k].key]):
            return None
        return gather.result()  # type: ignore[no-any-return]

    def _exact_best(self, code: BlockCode, k: int, items: list[_Entity]) -> Fraction | None:
        best: Fraction | None = None
        for item in items:
            value = self._exact_cohort(code, item)[k]
            if value is not None and (best is None or beats(code.relatives[k].pick, value, best)):
                best = value
        return best


def _same(bests: tuple[Any, ...]) -> tuple[Fraction | None, ...]:
    return bests


def _block(model: Model, raw: Any) -> Any:
    """A block as `evaluate` reads it: trimmed and normalised, by its id or its label, without
    case; anything else is left for validation to report."""
    value = normal_value(raw)
    return block_id(model, value) or value


def _items(model: Model, entities: Mapping[str, Mapping[str, Any]] | Iterable[EntityData]
           ) -> Iterator[_Entity]:
    if isinstance(entities, Mapping):
        for name, data in entities.items():
            item = _Entity(name, _block(model, data.get("block")), data, None)
            if model.denominates:  # the rules read x ÷ d, not the figure given
                item.data = None
            yield item
        return
    for entity in entities:
        yield _Entity(entity.name, entity.block.value, None, entity)


def _normal_names(entities: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The entities by their names normalised, as `evaluate_many` reads them: two keys that
    are one name (NFC and NFD, a zero-width space) are one entity given twice (E102)."""
    reporter = Reporter()
    found = by_normal_name(entities, reporter)
    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    return {name: data for name, (_, data) in found.items()}


def _missing_reference(node: str, item: _Entity, keys: tuple[str, ...]) -> Diagnostic:
    """E208, as `Methodology.evaluate` reports it."""
    where = item.entity_data()
    return missing_reference_diagnostic(node, where.span, where.path or item.name, keys)


__all__ = ("IndexScore", "Number", "Score", "Scorer")
