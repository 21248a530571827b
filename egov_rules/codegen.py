"""Compile a checked model into Python source, as jinja2 compiles templates: for each block,
an exact and a fast function (and the cohort functions), compiled once per methodology
(`Methodology.compiled_source`). How values are known and decisions proven is in `emit.py`;
what each rule kind, combine mode, index method and let function generates is its `emit`
facet in `kinds/`; this module assembles a block: its inputs, derived values, nodes in
order, indices, rounding and grades.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache, partial
from typing import Any, Literal

from egov_rules import syntax as s
from egov_rules.emit import (
    CAP,
    FLOOR,
    ONE,
    TOLERANCE,
    ZERO,
    Emitter,
    Gen,
    Mode,
    Namespace,
    Num,
    Part,
    Test,
    U,
    Uncertain,
    Untracked,
    Unusual,
    error_margin,
    expr,
    flit,
    float_down,
    float_up,
    ilit,
    just,
    replace_num,
    round_trips,
)
from egov_rules.evaluate import (
    IndexFacts,
    MissingReference,
    NodeFacts,
    cohort_figures_of,
    round_half_up,
)
from egov_rules.kinds import rule_kind
from egov_rules.kinds.bands import BAND_COMPARE
from egov_rules.kinds.base import CohortFigure, Pick
from egov_rules.kinds.combine import combine_kind
from egov_rules.kinds.index_methods import index_method
from egov_rules.model import Model, declared_max, reads_through_lets
from egov_rules.scale import UNIT, bounds
from egov_rules.typecheck import zero_rule_denominator


def compute_let(g: Gen, let: s.Let) -> Num:
    """A derived value; a zero rule whose denominator is 0 gives the whole let its fallback."""
    cases: list[tuple[Test | None, Callable[[], Num]]] = []
    for rule in let.zero_rules:
        denominator = zero_rule_denominator(rule)
        if denominator is not None:
            test = g.test(expr(g, denominator), "=", ZERO)
            cases.append((test, partial(expr, g, rule.fallback)))
    cases.append((None, partial(expr, g, let.expr)))
    return g.with_view(g.branches("v", cases)) if len(cases) > 1 else g.with_view(
        _pin(g, cases[0][1]()))


def _pin(g: Gen, x: Num) -> Num:
    """A let's value as a local (so the view slot after it can read it)."""
    if x.kind == "ratio" or x.view is not None:
        return x
    return g.assign(x)


# == blocks ================================================================================


@dataclass(frozen=True, slots=True)
class Relative:
    """One cohort figure of a node (the best of `relative to best in block`, the min or max of
    `min-max`, the mean or sd of `z-score`: `key`, `pick`) as the fast variant carries it:
    `dec` is a raw data figure on `scale` (compared exactly), `approx` a float; the exact
    variant a Fraction."""

    node: str
    key: str  # as in a cohort and in `references=` (CohortFigure.key)
    pick: Pick  # how the block's figure is found from the entities' values
    kind: Literal["dec", "approx"]
    scale: Fraction
    rel: Fraction = ZERO  # approx: the float is within rel·u of the value, relatively


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each result of one block is: a position in the tuple its functions return, or a
    value known when compiling (a constant maximum; None for a node that never applies)."""

    points_at: dict[str, int]
    max_at: dict[str, int]
    fixed_points: dict[str, Fraction | None]
    fixed_max: dict[str, Fraction | None]
    indices_at: dict[str, int]  # value, rounded value and grade row from there
    grades: dict[str, tuple[tuple[str, str | None], ...]]  # index id → (label, label_en) by row


def _layout(model: Model, nodes: dict[str, _NodeOut]) -> Layout:
    """Where a block's results are: constants fixed, the rest in order in the tuple."""
    points_at: dict[str, int] = {}
    max_at: dict[str, int] = {}
    fixed_points: dict[str, Fraction | None] = {}
    fixed_max: dict[str, Fraction | None] = {}
    count = 0
    for node_id in model.nodes:
        out = nodes[node_id]
        for value, at, fixed in ((out.points, points_at, fixed_points),
                                 (out.maximum, max_at, fixed_max)):
            if value is None or value.const is not None:
                fixed[node_id] = None if value is None else value.const
            else:
                at[node_id] = count
                count += 1
    indices_at = {index.id: count + 3 * k for k, index in enumerate(model.tree.indices)}
    grades = {index_id: tuple((str(b.award), b.award_en) for b in grade.bands)
              for index_id, grade in model.grades.items()}
    return Layout(points_at, max_at, fixed_points, fixed_max, indices_at, grades)


@lru_cache(maxsize=64)
def open_layout(model: Model) -> Layout:
    """A layout that fixes nothing: where `laid_out` puts the evaluator's figures."""
    count = 2 * len(model.nodes)
    at = {n: 2 * k for k, n in enumerate(model.nodes)}
    grades = {index_id: tuple((str(b.award), b.award_en) for b in grade.bands)
              for index_id, grade in model.grades.items()}
    return Layout(at, {n: k + 1 for n, k in at.items()}, {}, {},
                  {index.id: count + 3 * k for k, index in enumerate(model.tree.indices)}, grades)


def laid_out(model: Model, nodes: Mapping[str, NodeFacts], indices: Mapping[str, IndexFacts]
             ) -> tuple[Any, ...]:
    """The exact evaluator's figures in `open_layout`'s order. The compiled code decides a
    node's applicability by its block and `when` only, and may fix its maximum: an entity
    lacking a value a node reads (`missing not applicable`) is scored by the evaluator."""
    figures: list[Any] = []
    for node_id in model.nodes:
        figures += [nodes[node_id].points, nodes[node_id].max]
    for index in model.tree.indices:
        found = indices.get(index.id)
        figures += [None] * 3 if found is None else [found.value, found.rounded, found.grade_row]
    return tuple(figures)


@dataclass
class BlockCode:
    """The compiled functions of one block and their source."""

    block: str
    source: str
    layout: Layout
    exact: Callable[..., tuple[Any, ...]]
    fast: Callable[..., tuple[Any, ...]] | None  # None: the block stays exact (see `declined`)
    exact_cohort: Callable[..., tuple[Any, ...]]  # (values) → what relative nodes compare
    fast_cohort: Callable[..., tuple[Any, ...]] | None
    relatives: tuple[Relative, ...]
    declined: str | None = None


@dataclass
class Compiled:
    """Every block of a model, compiled."""

    blocks: dict[str, BlockCode]
    namespace: dict[str, Any] = field(repr=False)


_OR_CHECKED = "or"  # a count checked with the others at once (see `_read_inputs`)


def _indicator_input(g: Gen, indicator: s.Indicator, code: str) -> tuple[Num, str | None]:
    """An indicator's value in the function, and (fast) the condition its raw value must meet
    (`_OR_CHECKED` for a count with no bounds of its own)."""
    between = indicator.get("between")
    b_lo, b_hi = between.value if between is not None and isinstance(between.value, tuple) \
        else (None, None)
    kind = indicator.kind
    if kind == "yes/no":
        return g.boolean(code), None
    if kind == "options":
        if g.mode == "exact":
            return Num(code, "option"), None
        ids = g.out.ns.add("O", frozenset(o.id for o in indicator.options))
        return Num(code, "option"), f"{code} in {ids}"
    if kind == "count":
        lo, hi = ZERO, Fraction(CAP - 1)
    elif kind == "level" and indicator.levels:
        lo, hi = Fraction(indicator.levels[0]), Fraction(indicator.levels[1])
    elif kind == "percent":
        lo, hi = ZERO, Fraction(100)
    else:
        lo, hi = Fraction(-CAP), Fraction(CAP)
    if b_lo is not None and b_hi is not None:  # `between` is in the data's own units
        lo, hi = max(lo, b_lo), min(hi, b_hi)
    scale = Fraction(1, 100) if kind == "percent" else ONE
    if g.mode == "exact":
        return Num(code, "exact", lo * scale, hi * scale), None
    within = f"{_bound(lo)} <= {code} <= {_bound(hi)}"
    if kind in ("count", "level"):
        plain = kind == "count" and lo == 0 and hi == CAP - 1
        return Num(code, "int", lo, hi, tiny=ONE), _OR_CHECKED if plain else within
    # A float below FLOOR (not 0) could be subnormal: its error would not be relative.
    floor = flit(float(FLOOR))
    if lo == 0:
        valid = f"{floor} <= {code} <= {_bound(hi)} or {code} == 0"
    elif lo >= FLOOR:
        valid = within
    elif lo > 0:
        valid = f"{within} and {code} >= {floor}"
    else:
        valid = f"{within} and not 0 < abs({code}) < {floor}"
    value = g.with_view(Num(code, "dec", lo * scale, hi * scale, scale=scale,
                            tiny=FLOOR * scale))
    return value, valid


def _bound(value: Fraction) -> str:
    """A bound a raw input is compared with, exactly as `validate_entity` compares its decimal."""
    if value.denominator == 1:
        return ilit(int(value))
    if round_trips(value):
        return flit(float(value))
    raise Untracked("a bound that has no exact float comparison")


def _read_inputs(g: Gen, model: Model, source: str) -> None:
    """Unpack (and, fast, check) every indicator into locals x1, x2, …"""
    names = list(model.indicators)
    if g.mode == "exact":  # validated values, where one the block does not read may be absent
        names = [name for name in names if name in model.reads[g.block]]
    codes = [f"x{k + 1}" for k in range(len(names))]
    getter = g.out.ns.add("GET", _getter(names), ("getter", tuple(names)))
    if g.mode == "exact":
        if codes:
            g.out.line(f"{', '.join(codes)}{',' if len(codes) == 1 else ''} = {getter}({source})")
        for name, code in zip(names, codes, strict=True):
            g.names[name] = _indicator_input(g, model.indicators[name], code)[0]
        return
    if "block" in model.indicators:  # `from_mapping` takes that key for the block
        g.out.line("raise Unusual")
    # Types first, in two groups: those with one type each (a bool is an int, but not a
    # count) compared with a constant tuple; numbers and percents, int or float, by a set.
    one_type = {"count": int, "level": int, "yes/no": bool, "options": str}
    kinds = {name: model.indicators[name].kind for name in names}
    groups = ([n for n in names if kinds[n] in one_type], [n for n in names if kinds[n] not in one_type])
    code_of = dict(zip(names, codes, strict=True))
    g.out.line("try:")
    with g.out.indent():
        for k, group in enumerate(groups):
            if group:
                get = g.out.ns.add("GET", _getter(group), ("getter", tuple(group)))
                g.out.line(f"raw{k} = {get}({source})")
    g.out.line("except KeyError:")
    with g.out.indent():
        g.out.line("raise Unusual from None")
    count = len(names)
    g.out.line(f"size = len({source})")
    g.out.line(f"if size != {count} and (size != {count + 1} or 'block' not in {source}):")
    with g.out.indent():
        g.out.line("raise Unusual")
    checks: list[str] = []
    if groups[0]:
        types = g.out.ns.add("TYPES", tuple(one_type[kinds[n]] for n in groups[0]),
                             ("types", tuple(groups[0])))
        checks.append(f"tuple(map(type, raw0)) != {types}")
    if groups[1]:
        numeric = g.out.ns.add("NUMERIC", frozenset({int, float}), ("numeric", 0))
        checks.append(f"not {numeric}.issuperset(map(type, raw1))")
    if checks:
        g.out.line(f"if {' or '.join(checks)}:")
        with g.out.indent():
            g.out.line("raise Unusual")
    for k, group in enumerate(groups):
        if group:
            g.out.line(f"{', '.join(code_of[n] for n in group)}{',' if len(group) == 1 else ''}"
                       f" = raw{k}")
    counts: list[str] = []
    for name, code in zip(names, codes, strict=True):
        value, valid = _indicator_input(g, model.indicators[name], code)
        g.names[name] = value
        if valid == _OR_CHECKED:
            counts.append(code)
        elif valid is not None:
            g.out.line(f"if not ({valid}):")
            with g.out.indent():
                g.out.line("raise Unusual")
    if counts:  # ints all: their OR is negative, or ≥ CAP, exactly when one of them is
        g.out.line(f"if not 0 <= ({' | '.join(counts)}) < {CAP}:")
        with g.out.indent():
            g.out.line("raise Unusual")


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Reads the values of `names` from a mapping as a tuple (KeyError when one is missing)."""
    if len(names) == 1:
        name = names[0]
        return lambda mapping: (mapping[name],)
    return operator.itemgetter(*names)


def _used_names(model: Model, exprs: list[s.Expr]) -> frozenset[str]:
    """Every indicator and let the expressions read, through lets."""
    return reads_through_lets(exprs, model.let_reads, model.indicators)


def _compute_lets(g: Gen, model: Model, wanted: frozenset[str]) -> None:
    for let_id, let in model.lets.items():
        if let_id in wanted:
            g.out.line(f"# let {let_id!r}")
            g.names[let_id] = compute_let(g, let)


def _relative_nodes(model: Model, block: str) -> list[tuple[s.Node, CohortFigure]]:
    """The cohort figures the nodes of a block read, each with its node."""
    return [figure for n in model.nodes.values() if block in model.blocks_of.get(n.id, ())
            for figure in cohort_figures_of(n)]


def _relative_spec(g: Gen, node: s.Node, figure: CohortFigure) -> Relative:
    """How a cohort figure is carried: as the node's input is (probed by compiling the input
    expression into a scratch function)."""
    rule = node.rules[0]
    key = figure.key(node.id)
    probe = Gen(g.mode, g.model, g.block, Emitter(g.out.ns))
    probe.names = dict(g.names)
    x = expr(probe, rule.expr)
    if x.kind in ("int", "dec") and x.scale > 0:
        return Relative(node.id, key, figure.pick, "dec", x.scale)
    f = probe.as_float(x)
    if f.abs:
        raise Untracked("a relative node's input whose error is not relative")
    return Relative(node.id, key, figure.pick, "approx", ONE, max(f.rel, ONE))


def _setup_bests(g: Gen, figures: list[tuple[s.Node, CohortFigure]], relatives: list[Relative]
                 ) -> None:
    """Each cohort figure (g.best by key): the cohort's (R), else the rule's reference, else
    MissingReference (E208)."""
    for k, ((node, figure), relative) in enumerate(zip(figures, relatives, strict=True)):
        name = f"r{k + 1}"
        g.out.line(f"{name} = R[{k}]")
        g.out.line(f"if {name} is None:")
        with g.out.indent():
            if figure.reference is None:
                g.out.line(f"raise MissingReference({g.out.ns.add('N', node, ('node', node.id))})")
            elif g.mode == "exact":
                g.out.line(f"{name} = {g.const(figure.reference).code}")
            else:
                raw = figure.reference / relative.scale
                if relative.kind == "dec" and not round_trips(raw):
                    raise Untracked("a reference with no exact float")
                g.out.line(f"{name} = {flit(float(raw))}")
        x = _relative_spec_input(g, node)
        if g.mode == "exact":
            g.best[relative.key] = Num(name, "exact")
        elif relative.kind == "dec":
            g.best[relative.key] = g.with_view(Num(name, "dec", None, None, scale=relative.scale))
        else:
            g.best[relative.key] = Num(name, "approx", x.lo, x.hi, rel=max(x.rel, ONE) + 2,
                                  tiny=x.tiny)


def _relative_spec_input(g: Gen, node: s.Node) -> Num:
    probe = Gen(g.mode, g.model, g.block, Emitter(g.out.ns))
    probe.names = dict(g.names)
    return probe.as_float(expr(probe, node.rules[0].expr)) if g.mode == "fast" else Num("", "exact")


@dataclass
class _NodeOut:
    """A node's points and maximum as the function holds them (None: never applies)."""

    points: Num | None
    maximum: Num | None
    status: Literal["never", "always", "maybe"]

    def part(self, weight: Fraction) -> Part:
        assert self.points is not None and self.maximum is not None
        present = None if self.status == "always" else f"{self.points.code} is not None"
        return Part(self.points, self.maximum, present, weight)


class _BlockCompiler:
    def __init__(self, g: Gen, model: Model, block: str) -> None:
        self.g, self.model, self.block = g, model, block
        self.nodes: dict[str, _NodeOut] = {}
        self._branch_start: int | None = None  # fresh names from here belong to a `when` branch

    def node(self, node: s.Node) -> None:
        """Emit a node (where its parent applies)."""
        g = self.g
        if self.block not in self.model.blocks_of.get(node.id, ()):
            for n in s.walk_nodes((node,)):
                self.nodes[n.id] = _NodeOut(None, None, "never")
            return
        g.out.line(f"# node {node.id!r}")
        if node.when is None:
            self._applies(node)
            return
        condition = expr(g, node.when)
        outermost = self._branch_start is None
        if outermost:
            self._branch_start = len(g.out.names)
        g.out.line(f"if {condition.code}:")
        with g.out.indent():
            self._applies(node)
        g.out.line("else:")
        with g.out.indent():
            self._none(node)
        if outermost:
            self._branch_start = None
        out = self.nodes[node.id]
        if out.status != "never":
            out.status = "maybe"

    def _none(self, node: s.Node) -> None:
        """Where a node does not apply, neither do its descendants."""
        names: list[str] = []
        for n in s.walk_nodes((node,)):
            out = self.nodes[n.id]
            if out.points is not None and out.maximum is not None:
                names += [out.points.code, out.maximum.code]
        self.g.out.line(f"{' = '.join(dict.fromkeys(names))} = None" if names else "pass")

    def _applies(self, node: s.Node) -> None:
        g = self.g
        declared = declared_max(node, self.block) or ZERO
        if node.rules:
            points = g.plain(rule_kind(node.rules[0]).emit(node.rules[0], node, declared, g))
            self._store(node, points, g.const(declared), "always")
            return
        for child in node.children:
            self.node(child)
        live = [(c, self.nodes[c.id]) for c in node.children if self.nodes[c.id].status != "never"]
        if not live:
            self.nodes[node.id] = _NodeOut(None, None, "never")
            return
        parts = [out.part(c.weight.value if c.weight is not None else ZERO) for c, out in live]
        if any(out.status == "always" for _, out in live):
            points, maximum = combine_kind(node).emit(g, parts, declared)
            self._store(node, g.plain(points), g.plain(maximum), "always")
            return
        # Every child may not apply: the node applies when one does.
        points_name, max_name = g.out.fresh("P"), g.out.fresh("M")
        g.out.line(f"if {' or '.join(p.present or 'True' for p in parts)}:")
        with g.out.indent():
            points, maximum = combine_kind(node).emit(g, parts, declared)
            points, maximum = g.plain(points), g.plain(maximum)
            g.out.line(f"{points_name} = {points.code}")
            g.out.line(f"{max_name} = {maximum.code}")
        g.out.line("else:")
        with g.out.indent():
            g.out.line(f"{points_name} = {max_name} = None")
        self.nodes[node.id] = _NodeOut(replace_num(points, code=points_name, const=None),
                                       replace_num(maximum, code=max_name, const=None), "maybe")

    def _store(self, node: s.Node, points: Num, maximum: Num,
               status: Literal["always", "maybe"]) -> None:
        _within_tolerance(self.g, points, max(ONE, maximum.hi or ONE))
        _within_tolerance(self.g, maximum, max(ONE, maximum.hi or ONE))
        if self._branch_start is not None:  # in a `when` branch: a local its else can clear
            points, maximum = self._owned(points, "P"), self._owned(maximum, "M")
        self.nodes[node.id] = _NodeOut(points, maximum, status)

    def _owned(self, value: Num, prefix: str) -> Num:
        assert self._branch_start is not None
        if value.code in self.g.out.names[self._branch_start:]:
            return value
        name = self.g.out.fresh(prefix)
        self.g.out.line(f"{name} = {value.code}")
        return replace_num(value, code=name, const=None)

    def indices(self) -> list[str]:
        """Emit every index (dependency order); the locals of each, by tree order."""
        g, model = self.g, self.model
        outputs: dict[str, str] = {}
        read_as: dict[str, Part] = {}  # index id → how another index reads it
        for index_id, index in model.indices.items():
            g.out.line(f"# index {index_id!r}")
            terms: list[Part] = []
            for term in index.terms:
                name, weight = term.ref.name, term.weight.value if term.weight else ONE
                if name in read_as:
                    terms.append(Part(read_as[name].value, None, read_as[name].present, weight))
                elif name in self.nodes and self.nodes[name].status != "never":
                    terms.append(self.nodes[name].part(weight))
            value_name, rounded_name, grade_name = (g.out.fresh("I"), g.out.fresh("J"),
                                                    g.out.fresh("K"))
            make, present = index_method(index).emit(g, terms)
            if present is not None:
                g.out.line(f"{value_name} = {rounded_name} = {grade_name} = None")
                g.out.line(f"if {present}:")
                g.out.depth += 1
            value = make()  # a ratio of ints stays one: its rounding and grade are exact
            scale = bounds(index)
            if scale != UNIT:  # low + share × (high − low), as scale.to_scale
                value = g.add(g.const(scale[0]), g.mul(g.const(scale[1] - scale[0]), value))
            plain = g.plain(value)
            _within_tolerance(g, plain, max(ONE, value.hi or ONE))
            g.out.line(f"{value_name} = {plain.code}")
            shown = value
            if index.round is not None:
                shown = round_half_up_code(g, value, index.round)
                g.out.line(f"{rounded_name} = {g.plain(shown).code}")
            else:
                g.out.line(f"{rounded_name} = None")
            grades = model.grades.get(index_id)
            if grades is not None:
                row = g.branches("g", [
                    (None if band.threshold is None else
                     g.test(shown, BAND_COMPARE[band.op], band.threshold.value),
                     just(Num(str(k), "int", Fraction(k), Fraction(k), const=Fraction(k))))
                    for k, band in enumerate(grades.bands)])
                g.out.line(f"{grade_name} = {row.code}")
            else:
                g.out.line(f"{grade_name} = None")
            if present is not None:
                g.out.depth -= 1
            # Another index reads the published value back on 0..1 (scale.to_share).
            share = shown if scale == UNIT else g.mul(
                g.const(1 / (scale[1] - scale[0])), g.add(shown, g.const(scale[0]), sign=-1))
            read_as[index_id] = Part(share, None, present)
            outputs[index_id] = f"{value_name}, {rounded_name}, {grade_name}"
        return [outputs.get(i.id, "None, None, None") for i in model.tree.indices]


def _within_tolerance(g: Gen, value: Num, scale: Fraction) -> None:
    """The promise of the fast variant (docs/api.md): a continuous result is within
    TOLERANCE × scale of the exact one. A value whose bound is larger keeps its block exact."""
    if g.mode == "exact" or value.kind in ("int", "bool", "option"):
        return
    f = g.as_float(value)
    if f.magnitude is None or (f.rel * f.magnitude + f.abs) * U > TOLERANCE * scale:
        raise Untracked("a result whose float error could exceed the tolerance")


def round_half_up_code(g: Gen, value: Num, digits: int) -> Num:
    """`round_half_up(value, digits)`: floor(|v|·10ⁿ + ½) / 10ⁿ with v's sign. Indices are never
    negative (points are not), which the fast variant checks from the bounds."""
    scale = 10**digits
    if g.mode == "exact":
        fn = g.out.ns.add("round_half_up", round_half_up, ("fn", "round_half_up"))
        return g.assign(Num(f"{fn}({value.code}, {digits})", "exact"))
    if not value.nonneg:
        raise Untracked("an index that may be negative")
    whole = g.out.fresh("k")
    if value.kind == "ratio":  # exact: floor((2·num·10ⁿ + den) / (2·den))
        g.out.line(f"{whole} = ({value.num} * {2 * scale} + {value.den}) // (2 * {value.den})")
    elif value.kind == "int":
        g.out.line(f"{whole} = {value.code} * {scale}")
    else:
        if value.quotient is not None:  # whole figures when run: exact, ties included
            num, den = value.quotient
            g.out.line(f"if {num}.__class__ is int:")
            with g.out.indent():
                g.out.line(f"{whole} = ({num} * {2 * scale} + {den}) // (2 * {den})")
            g.out.line("else:")
            g.out.depth += 1
        f = g.as_float(value)
        hi = f.hi
        if hi is None or hi * scale > 2**50:
            raise Untracked("an index too large to round in floats")
        # s̃ = ṽ·10ⁿ + ½ is within e of s: the digit is proven unless s̃ is within e of a whole
        # number (then the exact variant decides, as at an exact half).
        rel, abs_ = error_margin(f)
        error = 2 * ((rel * hi + abs_) * U * scale + 3 * U * (hi * scale + 1))
        if error >= Fraction(1, 4):
            raise Untracked("an index whose rounding the float error would hide")
        shifted, fraction = g.out.fresh("t"), g.out.fresh("u")
        g.out.line(f"{shifted} = {f.code} * {scale!r}.0 + 0.5")
        g.out.line(f"{whole} = int({shifted})")
        g.out.line(f"{fraction} = {shifted} - {whole}")
        g.out.line(f"if {fraction} < {flit(float_up(error))} or "
                   f"{fraction} >= {flit(float_down(1 - error))}:")
        with g.out.indent():
            g.out.line("raise Uncertain")
        if value.quotient is not None:
            g.out.depth -= 1
    lo = None if value.lo is None else Fraction(math.floor(value.lo * scale + Fraction(1, 2)),
                                                   scale)
    hi_r = None if value.hi is None else Fraction(math.floor(value.hi * scale + Fraction(1, 2)),
                                                     scale)
    return g.with_view(Num("", "ratio", lo, hi_r, num=whole, den=str(scale),
                           tiny=Fraction(1, scale)))


def _function(model: Model, block: str, mode: Mode, ns: Namespace, name: str,
              exact: Layout | None = None) -> tuple[str, list[Relative], Layout]:
    """The source of a block's scoring function: (d, R) → the results tuple. The exact variant
    decides the layout; the fast one follows it (`exact`)."""
    out = Emitter(ns)
    g = Gen(mode, model, block, out)
    _read_inputs(g, model, "d")
    relative_nodes = _relative_nodes(model, block)
    _compute_lets(g, model, model.reads[block])
    relatives = [_relative_spec(g, n, f) for n, f in relative_nodes]
    _setup_bests(g, relative_nodes, relatives)
    compiler = _BlockCompiler(g, model, block)
    for category in model.tree.categories:
        compiler.node(category)
    indices = compiler.indices()
    layout = _layout(model, compiler.nodes) if exact is None else exact
    entries = sorted([(at, n, "p") for n, at in layout.points_at.items()]
                     + [(at, n, "m") for n, at in layout.max_at.items()])
    results: list[str] = []
    for _, node_id, kind in entries:
        value = compiler.nodes[node_id].points if kind == "p" else compiler.nodes[node_id].maximum
        results.append("None" if value is None else value.code)
    for node_id, out_ in compiler.nodes.items():  # what the layout fixed, this variant agrees to
        for fixed, value in ((layout.fixed_points, out_.points), (layout.fixed_max, out_.maximum)):
            if node_id in fixed:
                assert (None if value is None else value.const) == fixed[node_id], node_id
    out.line(f"return ({', '.join(results + indices)},)")
    return f"def {name}(d, R):\n" + out.render() + "\n", relatives, layout


def _cohort_function(model: Model, block: str, mode: Mode, ns: Namespace, name: str) -> str:
    """The source of (d) → for each relative node of the block, the value it compares with the
    best (None where the node's own `when` is no): the cohort stage's input, as
    `evaluate.relative_input` gives it. Fast, it checks the data too (all of it)."""
    nodes = [n for n, _ in _relative_nodes(model, block)]  # a node once per figure it reads
    out = Emitter(ns)
    g = Gen(mode, model, block, out)
    _read_inputs(g, model, "d")
    exprs: list[s.Expr] = [e for n in nodes for e in (n.when, *_terms(n)) if e is not None]
    _compute_lets(g, model, _used_names(model, exprs))
    results: list[str] = []
    for node in nodes:
        value = g.out.fresh("w")
        g.out.line(f"# relative node {node.id!r}")
        g.out.line(f"{value} = None")
        depth = g.out.depth
        if node.when is not None:
            condition = expr(g, node.when)
            g.out.line(f"if {condition.code}:")
            g.out.depth += 1
        terms = rule_kind(node.rules[0]).cohort_terms(node.rules[0])
        if terms is not None:  # its figures gather the tuple (exact only: `emit` declines fast)
            g.out.line(f"{value} = ({''.join(expr(g, t).code + ', ' for t in terms)})")
        else:
            x = expr(g, node.rules[0].expr)
            carried = x if mode == "exact" or x.kind in ("int", "dec") else g.as_float(x)
            g.out.line(f"{value} = {carried.code}")
        g.out.depth = depth
        results.append(value)
    out.line(f"return ({', '.join(results)}{',' if results else ''})")
    return f"def {name}(d):\n" + out.render() + "\n"


def _terms(node: s.Node) -> tuple[s.Expr, ...]:
    """What a relative node's cohort input reads: its rule's terms, or its input."""
    rule = node.rules[0]
    return rule_kind(rule).cohort_terms(rule) or (rule.expr,)


def compile_model(model: Model) -> Compiled:
    """Compile every block of a model, both variants. A block whose fast variant cannot be
    proven (a value without a usable error bound) keeps only the exact one."""
    ns = Namespace()
    base: dict[str, Any] = {
        "Fraction": Fraction, "Uncertain": Uncertain, "Unusual": Unusual,
        "MissingReference": MissingReference,
    }
    sources: dict[str, list[str]] = {}
    plans: dict[str, tuple[list[Relative], str | None]] = {}
    layouts: dict[str, Layout] = {}
    for k, block in enumerate(model.blocks):
        exact_src, relatives, layout = _function(model, block, "exact", ns, f"exact_{k}")
        layouts[block] = layout
        parts = [exact_src, _cohort_function(model, block, "exact", ns, f"exact_cohort_{k}")]
        declined: str | None = None
        try:
            fast_src, fast_relatives, _ = _function(model, block, "fast", ns, f"fast_{k}",
                                                    layout)
            fast_cohort = _cohort_function(model, block, "fast", ns, f"fast_cohort_{k}")
        except Untracked as why:
            declined = str(why)
            fast_relatives = relatives
        else:
            parts += [fast_src, fast_cohort]
        sources[block] = parts
        plans[block] = (fast_relatives, declined)
    namespace = {**base, **ns.values}
    blocks: dict[str, BlockCode] = {}
    for k, block in enumerate(model.blocks):
        text = "\n\n".join(sources[block])
        code = compile(text, f"<egov_rules codegen {model.id} {block}>", "exec")
        exec(code, namespace)  # the namespace holds only what this module put there
        relatives, declined = plans[block]
        blocks[block] = BlockCode(
            block=block, source=text, layout=layouts[block], exact=namespace[f"exact_{k}"],
            fast=namespace.get(f"fast_{k}"), exact_cohort=namespace[f"exact_cohort_{k}"],
            fast_cohort=namespace.get(f"fast_cohort_{k}"), relatives=tuple(relatives),
            declined=declined,
        )
    return Compiled(blocks, namespace)
