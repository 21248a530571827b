"""Names: symbol tables, unknown names (with "did you mean"), duplicate ids and let cycles."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Label, Reporter, Text, did_you_mean
from egov_rules.source import Span

if TYPE_CHECKING:
    from egov_rules.typecheck import Type

_T = TypeVar("_T")

Declaration = s.Indicator | s.Let | s.Node | s.Index

_KIND_WORDS: dict[str, tuple[str, str]] = {
    "name": ("name", "tên"),
    "value": ("indicator or derived value", "chỉ số hoặc giá trị dẫn xuất"),
    "block": ("block", "khối"),
    "indicator": ("indicator", "chỉ số"),
    "index": ("index", "chỉ số tổng hợp"),
    "node or index": ("criterion, category or index", "tiêu chí, hạng mục hoặc chỉ số tổng hợp"),
    "index or node": ("index, category or criterion", "chỉ số tổng hợp, hạng mục hoặc tiêu chí"),
    "result": ("criterion, category, index or derived value",
               "tiêu chí, hạng mục, chỉ số tổng hợp hoặc giá trị dẫn xuất"),
}


@dataclass
class Symbols:
    """Every declaration by id. Indicators, lets, nodes and indices share one namespace."""

    blocks: dict[str, s.Block] = field(default_factory=dict)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    parents: dict[str, s.Node | None] = field(default_factory=dict)
    let_order: list[str] = field(default_factory=list)  # dependencies first
    index_order: list[str] = field(default_factory=list)
    types: dict[str, Type] = field(default_factory=dict)  # filled in by typecheck.py
    blocks_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # node id → its blocks

    def of_type(self, kind: type[_T]) -> dict[str, _T]:
        return {k: v for k, v in self.declarations.items() if isinstance(v, kind)}

    # Built once, when first read (after `_declare` has filled `declarations`): rebuilt on
    # every read, `symbols.indices[k] for k in index_order` took 12 s for 3,000 indices.
    @functools.cached_property
    def indicators(self) -> dict[str, s.Indicator]:
        return self.of_type(s.Indicator)

    @functools.cached_property
    def lets(self) -> dict[str, s.Let]:
        return self.of_type(s.Let)

    @functools.cached_property
    def nodes(self) -> dict[str, s.Node]:
        return self.of_type(s.Node)

    @functools.cached_property
    def indices(self) -> dict[str, s.Index]:
        return self.of_type(s.Index)


def divisions(expr: s.Expr) -> list[s.Binary]:
    """Every `a / b` inside an expression."""
    return [e for e in subexpressions(expr) if isinstance(e, s.Binary) and e.op == "/"]


def subexpressions(expr: s.Expr) -> Iterator[s.Expr]:
    """The expression and every expression inside it, left to right, parents first."""
    stack: list[s.Expr] = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, s.Binary):
            stack.extend((e.right, e.left))
        elif isinstance(e, s.Unary):
            stack.append(e.operand)
        elif isinstance(e, s.Call):
            stack.extend(reversed(e.args))


def names_in(expr: s.Expr) -> Iterator[s.Name]:
    """Every name an expression reads, left to right."""
    return (e for e in subexpressions(expr) if isinstance(e, s.Name))


def rule_expressions(node: s.Node) -> Iterator[s.Expr]:
    """The expressions a node reads: its `when` condition, its rules' inputs and the group
    indicator of `in group g` (which places the entity in its cohort)."""
    if node.when is not None:
        yield node.when
    for rule in node.rules:
        yield rule.expr
        scope = rule.scope if isinstance(rule, s.Proportional | s.MinMax | s.ZScore
                                                 | s.Percentile | s.ZMinMax) else None
        if scope is not None and scope.group is not None:
            yield scope.group


def applicable_blocks(node: s.Node, parent_blocks: Iterable[str]) -> tuple[str, ...]:
    """The blocks a node applies to: its parent's, narrowed by its own `only`."""
    parent = tuple(parent_blocks)
    if node.only is None:
        return parent
    named = {ref.name for ref in node.only}
    return tuple(b for b in parent if b in named)


def node_blocks(categories: tuple[s.Node, ...], blocks: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For every node id, the blocks it applies to (static: `only`, not `when`)."""
    found: dict[str, tuple[str, ...]] = {}
    stack = [(c, blocks) for c in reversed(categories)]
    while stack:
        node, parent = stack.pop()
        mine = applicable_blocks(node, parent)
        found.setdefault(node.id, mine)
        stack.extend((child, mine) for child in reversed(node.children))
    return found


def resolve(tree: s.Methodology, reporter: Reporter) -> Symbols:
    symbols = Symbols()
    _declare(tree, symbols, reporter)
    _check_references(tree, symbols, reporter)
    symbols.let_order = _order_lets(symbols, reporter)
    symbols.index_order = _order_indices(symbols, reporter)
    symbols.blocks_of = node_blocks(tree.categories, tuple(symbols.blocks))
    return symbols


# Inside an expression these are always the literal or the operator, so a declaration named
# like them could never be read.
RESERVED_IN_EXPRESSIONS = frozenset({"yes", "no", "not", "and", "or"})


def _declare(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    for block in tree.blocks:
        if block.id in symbols.blocks:
            _duplicate(reporter, block.id, block.span, symbols.blocks[block.id].span)
        else:
            symbols.blocks[block.id] = block
    declared: list[tuple[str, Declaration, Span]] = []
    declared += [(i.id, i, i.span) for i in tree.indicators]
    declared += [(x.id, x, x.span) for x in tree.lets]
    declared += [(n.id, n, n.span) for n in s.walk_nodes(tree.categories)]
    declared += [(x.id, x, x.span) for x in tree.indices]
    options = [(o.id, o.span) for i in tree.indicators for o in i.options]
    for name, span in [(b.id, b.span) for b in tree.blocks] + [(n, sp) for n, _, sp in declared] + options:
        if name in RESERVED_IN_EXPRESSIONS:
            reporter.report(codes.RESERVED_NAME, span, name=name,
                            hint=Text("in an expression it is always the literal or the operator; "
                                      "choose another id",
                                      "trong biểu thức, từ này luôn là giá trị hoặc phép toán; "
                                      "hãy chọn mã khác"))
    for name, decl, span in declared:
        previous = symbols.declarations.get(name)
        if previous is not None:
            _duplicate(reporter, name, span, previous.span)
        else:
            symbols.declarations[name] = decl
    for category in tree.categories:
        symbols.parents[category.id] = None
        for node in s.walk_nodes((category,)):
            for child in node.children:
                symbols.parents.setdefault(child.id, node)
    for indicator in tree.indicators:
        seen: dict[str, s.Option] = {}
        for option in indicator.options:
            if option.id in seen:
                _duplicate(reporter, option.id, option.span, seen[option.id].span)
            seen[option.id] = option


def _duplicate(reporter: Reporter, name: str, span: Span, first: Span) -> None:
    reporter.report(
        codes.DUPLICATE_ID, span, name=name,
        labels=[Label(first, Text("first declared here", "khai báo lần đầu ở đây"))],
        hint=Text("give each declaration its own id", "đặt cho mỗi khai báo một mã riêng"),
    )


def unknown(reporter: Reporter, name: str, span: Span, kind: str, candidates: list[str]) -> None:
    en, vi = _KIND_WORDS[kind]
    reporter.report(
        codes.UNKNOWN_NAME, span, name=name, kind=en, kind_vi=vi,
        hint=did_you_mean(name, candidates),
    )


def _check_references(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    values = [k for k, v in symbols.declarations.items() if isinstance(v, s.Indicator | s.Let)]
    value_set = frozenset(values)  # membership in the list was quadratic in the number of lets
    blocks = list(symbols.blocks)

    indicators = symbols.indicators

    def check_expr(expr: s.Expr) -> None:
        options = _option_operands(expr, indicators)
        for name in names_in(expr):
            if name.name not in value_set and not _is_option_literal(name, symbols) \
                    and name not in options:
                unknown(reporter, name.name, name.span, "value", values)

    def check_block(ref: s.Ref) -> None:
        if ref.name not in symbols.blocks:
            unknown(reporter, ref.name, ref.span, "block", blocks)

    for let in tree.lets:
        check_expr(let.expr)
        for rule in let.zero_rules:
            check_expr(rule.condition)
            check_expr(rule.fallback)
    for node in s.walk_nodes(tree.categories):
        for expr in rule_expressions(node):
            check_expr(expr)
        for ref in node.only or ():
            check_block(ref)
        if node.maximum is not None:
            for ref, _ in node.maximum.per_block:
                check_block(ref)
    nodes_and_indices = [
        k for k, v in symbols.declarations.items() if isinstance(v, s.Node | s.Index)
    ]
    for index in tree.indices:
        for term in index.terms:
            if not isinstance(symbols.declarations.get(term.ref.name), s.Node | s.Index):
                unknown(reporter, term.ref.name, term.ref.span, "node or index",
                        nodes_and_indices)
    indices = symbols.indices
    index_ids = list(indices)
    for target in [t for g in tree.grades for t in g.targets]:
        if target.name not in indices:
            unknown(reporter, target.name, target.span, "index", index_ids)
    # A rank, and its tie-break, may read an index or a node (its points).
    for target in [t for r in tree.ranks for t in r.targets] + [
        r.then for r in tree.ranks if r.then is not None
    ]:
        if not isinstance(symbols.declarations.get(target.name), s.Node | s.Index):
            unknown(reporter, target.name, target.span, "index or node",
                    [*index_ids, *(n for n in nodes_and_indices if n not in indices)])
    _check_example_names(tree, symbols, reporter)


def _check_example_names(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    # Lists for "did you mean", sets to look in: symbols' properties build a dict per call.
    indicators = list(symbols.indicators)
    results = [k for k, v in symbols.declarations.items() if not isinstance(v, s.Indicator)]
    indices, nodes = list(symbols.indices), list(symbols.nodes)
    known = {"indicator": frozenset(indicators), "result": frozenset(results),
             "index": frozenset(indices), "node": frozenset(nodes)}
    for example in tree.examples:
        if example.block.name not in symbols.blocks:
            unknown(reporter, example.block.name, example.block.span, "block",
                    list(symbols.blocks))
        for given in example.givens:
            if given.ref.name not in known["indicator"]:
                unknown(reporter, given.ref.name, given.ref.span, "indicator", indicators)
        for expect in example.expects:
            kind = "index" if expect.grade else "result"
            if expect.ref.name not in known[kind]:
                unknown(reporter, expect.ref.name, expect.ref.span, kind,
                        indices if expect.grade else results)
        for reference in example.references:  # `x.mean`: a `missing mean` indicator's
            if reference.ref.name not in known["node"] and not (
                    reference.figure == "mean" and reference.ref.name in known["indicator"]):
                unknown(reporter, reference.ref.name, reference.ref.span, "node or index", nodes)


def _is_option_literal(name: s.Name, symbols: Symbols) -> bool:
    """True for an option id (e.g. `cloud` in `hosting = cloud`); typecheck.py checks context."""
    return any(
        option.id == name.name
        for indicator in symbols.indicators.values()
        for option in indicator.options
    )


def _option_operands(expr: s.Expr, indicators: dict[str, s.Indicator]) -> list[s.Name]:
    """Names compared with an indicator of options (`hosting = clod`): typecheck.py reports an
    unknown one as an unknown option, with the indicator's options as suggestions."""
    found: list[s.Name] = []
    for e in subexpressions(expr):
        if isinstance(e, s.Binary) and e.op in ("=", "!="):
            for this, other in ((e.left, e.right), (e.right, e.left)):
                indicator = indicators.get(other.name) if isinstance(other, s.Name) else None
                if isinstance(this, s.Name) and indicator is not None and indicator.options:
                    found.append(this)
    return found


def _order_lets(symbols: Symbols, reporter: Reporter) -> list[str]:
    lets = symbols.lets
    deps = {
        let_id: [n.name for n in _let_names(let) if n.name in lets]
        for let_id, let in lets.items()
    }
    order, cycles = _topological(deps)
    for cycle in cycles:
        reporter.report(
            codes.LET_CYCLE, lets[cycle[0]].span, cycle=" → ".join([*cycle, cycle[0]]),
            hint=Text("a derived value cannot depend on itself, directly or through others",
                      "một giá trị dẫn xuất không thể phụ thuộc vào chính nó"),
        )
    return order


def _let_names(let: s.Let) -> Iterator[s.Name]:
    yield from names_in(let.expr)
    for rule in let.zero_rules:
        yield from names_in(rule.condition)
        yield from names_in(rule.fallback)


def _order_indices(symbols: Symbols, reporter: Reporter) -> list[str]:
    indices = symbols.indices
    deps = {
        index_id: [t.ref.name for t in index.terms if t.ref.name in indices]
        for index_id, index in indices.items()
    }
    order, cycles = _topological(deps)
    for cycle in cycles:
        reporter.report(
            codes.BAD_INDEX, indices[cycle[0]].span,
            detail="indices depend on each other in a cycle: "
            + " → ".join([*cycle, cycle[0]]),
            detail_vi="các chỉ số tổng hợp phụ thuộc vòng tròn: "
            + " → ".join([*cycle, cycle[0]]),
        )
    return order


def _topological(deps: dict[str, list[str]]) -> tuple[list[str], list[list[str]]]:
    """Dependencies-first order (of every name, cycles broken where found), and the cycles:
    one per group of names that depend on each other."""
    order: list[str] = []
    cycles: list[list[str]] = []
    in_cycle: set[str] = set()
    state: dict[str, int] = {}  # 1 = in progress, 2 = done
    for root in deps:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            name, i = stack.pop()
            if i == 0:
                if state.get(name) == 2:
                    continue
                state[name] = 1
                path.append(name)
            children = deps.get(name, [])
            if i < len(children):
                stack.append((name, i + 1))
                child = children[i]
                if state.get(child) == 1:
                    if child not in in_cycle:
                        cycles.append(path[path.index(child):])
                        in_cycle.update(cycles[-1])
                elif not state.get(child):
                    stack.append((child, 0))
            else:
                state[name] = 2
                path.pop()
                order.append(name)
    return order, cycles
