"""Monotonicity: improving an indicator in its declared direction never lowers a score.

For every indicator with a direction (`higher is better`, the default, or `lower is better`;
`neutral` ones such as denominators, and unordered `one of` options, are not checked) this
derives from the rule structure alone how each node's points and each index's value move when
the indicator rises: constant, non-decreasing, non-increasing, or either (unknown). A score
that can move the wrong way is reported where the problem starts, not again at every ancestor:
M601 with a concrete counterexample (two ready-to-paste `example` blocks) when one is found,
M602 otherwise. A node may declare `not monotone in <indicator> "<reason>"`; that covers the
node and everything its effect reaches (ancestors, indices). An exemption that changes nothing
is M603. Nothing is analysed while the file has other errors: they come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.checks.counterexamples import Counterexample, Counterexamples
from egov_rules.diagnostics import Reporter, Text
from egov_rules.domains import Domain, Domains
from egov_rules.kinds import rule_kind
from egov_rules.kinds.combine import combine_kind
from egov_rules.kinds.direction import ANY, CONST, UP, Dir, compose, join
from egov_rules.kinds.index_methods import index_method
from egov_rules.model import Model
from egov_rules.resolve import Symbols, names_in, unknown
from egov_rules.typecheck import Type, zero_rule_denominator

MAX_SEARCHED_FINDINGS = 25  # counterexample searches per file; the rest are M602


# -- directions ----------------------------------------------------------------------------


def wrong_way(d: Dir, direction: s.Direction) -> bool:
    """True when a value moving as `d` can fall as the indicator improves."""
    return d.dec if direction == "higher" else d.inc if direction == "lower" else False


def checked_indicators(symbols: Symbols) -> list[s.Indicator]:
    """Indicators with an order and a declared direction (options have no order)."""
    return [i for i in symbols.indicators.values()
            if i.direction != "neutral" and i.kind != "options"]


# -- expressions ---------------------------------------------------------------------------


def _nonneg(domain: Domain) -> bool:
    return domain.interval.lo is not None and domain.interval.lo >= 0


def _nonpos(domain: Domain) -> bool:
    return domain.interval.hi is not None and domain.interval.hi <= 0


def _scaled(d: Dir, factor: Domain) -> Dir:
    """The direction of c·x (or x/c) for a constant c in `factor`."""
    if d == CONST:
        return CONST
    return d if _nonneg(factor) else d.flip() if _nonpos(factor) else ANY


_BOOLEAN_OPS = s.COMPARISON_OPS | s.LOGIC_OPS


class Expressions:
    """Directions of expressions in one indicator; derived values are memoised."""

    def __init__(self, symbols: Symbols, types: Mapping[str, Type], domains: Domains) -> None:
        self.symbols, self.types, self.domains = symbols, types, domains
        self.lets = symbols.lets
        self.indicator_ids = frozenset(symbols.indicators)
        self.let_dirs: dict[tuple[str, str], Dir] = {}
        self.let_reads: dict[str, frozenset[str]] = {}
        for let_id in symbols.let_order:  # dependencies first: no deep recursion
            if let_id in self.lets:
                let = self.lets[let_id]
                exprs = [let.expr, *(e for r in let.zero_rules for e in (r.condition, r.fallback))]
                self.let_reads[let_id] = frozenset().union(*(self.reads(e) for e in exprs))
                domains.of_name(let_id)

    def reads(self, expr: s.Expr) -> frozenset[str]:
        """The indicators an expression depends on, through derived values."""
        found: set[str] = set()
        for name in names_in(expr):
            if name.name in self.let_reads:
                found |= self.let_reads[name.name]
            elif name.name in self.indicator_ids:
                found.add(name.name)
        return frozenset(found)

    def prepare(self, indicator: str) -> None:
        for let_id in self.symbols.let_order:
            if indicator in self.let_reads.get(let_id, ()):
                self.let_dir(let_id, indicator)

    def let_dir(self, let_id: str, indicator: str) -> Dir:
        if indicator not in self.let_reads.get(let_id, ()):
            return CONST
        key = (let_id, indicator)
        if key not in self.let_dirs:
            self.let_dirs[key] = ANY  # a cycle (reported elsewhere) proves nothing
            let = self.lets[let_id]
            result = self.of(let.expr, indicator)
            for rule in let.zero_rules:
                denominator = zero_rule_denominator(rule)
                if denominator is None or self.of(denominator, indicator) != CONST:
                    result = ANY  # the value jumps to the fallback when the denominator hits 0
                result = result | self.of(rule.fallback, indicator)
            self.let_dirs[key] = result
        return self.let_dirs[key]

    def of(self, expr: s.Expr, indicator: str) -> Dir:
        if isinstance(expr, s.Number | s.YesNo):
            return CONST
        if isinstance(expr, s.Name):
            if expr.name == indicator:
                return UP  # for yes/no, `no` < `yes`
            return self.let_dir(expr.name, indicator) if expr.name in self.lets else CONST
        if isinstance(expr, s.Unary):
            return self.of(expr.operand, indicator).flip()
        if isinstance(expr, s.Call):  # min, max, clamp, count_yes: non-decreasing in each
            return join([self.of(a, indicator) for a in expr.args])
        return self._binary(expr, indicator)

    def _binary(self, expr: s.Binary, indicator: str) -> Dir:
        left, right = self.of(expr.left, indicator), self.of(expr.right, indicator)
        op = expr.op
        if op in ("and", "or", "+"):
            return left | right
        if op in ("<", "<="):
            return right | left.flip()
        if op in (">", ">=", "-"):
            return left | right.flip()
        if op in ("=", "!="):
            return CONST if left == right == CONST else ANY
        if op == "*":
            return self._product(expr, left, right)
        if right == CONST:  # division by a constant keeps (or flips) the direction
            return _scaled(left, self.domains.of(expr.right))
        both_nonneg = _nonneg(self.domains.of(expr.left)) and _nonneg(self.domains.of(expr.right))
        return left | right.flip() if both_nonneg else ANY

    def _product(self, expr: s.Binary, left: Dir, right: Dir) -> Dir:
        if left == CONST:
            return _scaled(right, self.domains.of(expr.left))
        if right == CONST:
            return _scaled(left, self.domains.of(expr.right))
        both_nonneg = _nonneg(self.domains.of(expr.left)) and _nonneg(self.domains.of(expr.right))
        return left | right if both_nonneg else ANY

    def is_boolean(self, expr: s.Expr) -> bool:
        if isinstance(expr, s.YesNo):
            return True
        if isinstance(expr, s.Name):
            return self.types.get(expr.name, Type("unknown")).kind == "yes/no"
        if isinstance(expr, s.Unary):
            return expr.op == "not"
        return isinstance(expr, s.Binary) and expr.op in _BOOLEAN_OPS


# -- nodes and indices ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Effect:
    """How a node moves with one indicator: its points, maximum and share, and whether it
    applies at all (its `when`, or every child dropping out)."""

    points: Dir = CONST
    maximum: Dir = CONST
    share: Dir = CONST
    gate: Dir = CONST


NEUTRAL = Effect()


@dataclass(frozen=True, slots=True)
class Finding:
    """A node or index whose score can fall as `indicator` improves (in `block`)."""

    target: str
    is_index: bool
    indicator: s.Indicator
    block: str
    direction: Dir
    movers: tuple[str, ...] = ()  # children or terms that start or stop applying


class Analysis:
    """The static analysis of one methodology; `findings(indicator)` per indicator."""

    def __init__(self, model: Model, symbols: Symbols) -> None:
        self.model, self.tree, self.symbols = model, model.tree, symbols
        tree = model.tree
        self.types = model.types
        self.domains = Domains(symbols)
        self.exprs = Expressions(symbols, self.types, self.domains)
        self.nodes = {n.id: n for n in s.walk_nodes(tree.categories)}
        self.blocks = tuple(symbols.blocks)
        self.blocks_of = model.blocks_of
        self.parent: dict[str, str | None] = {c.id: None for c in tree.categories}
        for node in self.nodes.values():
            for child in node.children:
                self.parent.setdefault(child.id, node.id)
        self.depth = {node_id: self._depth(node_id) for node_id in self.nodes}
        self.readers: dict[str, list[str]] = {}
        for node in self.nodes.values():
            exprs = [e for e in (node.when, *(r.expr for r in node.rules)) if e is not None]
            for indicator in frozenset().union(*(self.exprs.reads(e) for e in exprs)):
                self.readers.setdefault(indicator, []).append(node.id)
        self.shapes = {n.id: rule_kind(n.rules[0]).shape(n.rules[0], self.exprs) for n in self.nodes.values()
                       if n.rules}
        self.indices = [symbols.indices[k] for k in symbols.index_order if k in symbols.indices]

    def _depth(self, node_id: str) -> int:
        depth, parent = 0, self.parent.get(node_id)
        while parent is not None:
            depth, parent = depth + 1, self.parent.get(parent)
        return depth

    def path(self, node_id: str) -> str:
        chain = [node_id]
        while (parent := self.parent.get(chain[-1])) is not None:
            chain.append(parent)
        return " → ".join(reversed(chain))

    def findings(self, indicator: s.Indicator, exempt: frozenset[tuple[str, str]]
                 ) -> list[Finding]:
        """Where scores can fall as `indicator` improves, exemptions masking their nodes."""
        if indicator.id not in self.readers:
            return []
        self.exprs.prepare(indicator.id)
        seen: dict[str, Finding] = {}
        for block in self.blocks:
            for finding in self._block_findings(indicator, block, exempt):
                seen.setdefault(finding.target, finding)
        return list(seen.values())

    def _cone(self, indicator: str) -> dict[str, dict[str, None]]:
        """Nodes whose score may depend on the indicator, each with its children that do."""
        cone: dict[str, dict[str, None]] = {}  # an ordered set of children: no quadratic scan
        for node_id in self.readers.get(indicator, []):
            child: str | None = None
            current: str | None = node_id
            while current is not None:
                fresh = current not in cone
                kids = cone.setdefault(current, {})
                if child is not None:
                    kids[child] = None
                if not fresh:
                    break
                child, current = current, self.parent.get(current)
        return cone

    def _block_findings(self, indicator: s.Indicator, block: str,
                        exempt: frozenset[tuple[str, str]]) -> list[Finding]:
        cone = self._cone(indicator.id)
        effects: dict[str, Effect] = {}
        found: list[Finding] = []
        for node_id in sorted(cone, key=lambda n: -self.depth[n]):  # children first
            if block not in self.blocks_of.get(node_id, ()):
                continue
            node = self.nodes[node_id]
            kids = [effects[c] for c in cone[node_id] if c in effects]
            effect = self._node_effect(node, indicator.id, kids, block)
            bad = wrong_way(effect.points, indicator.direction)
            if bad and (node_id, indicator.id) not in exempt:
                movers = tuple(c for c in cone[node_id] if effects.get(c, NEUTRAL).gate != CONST)
                found.append(Finding(node_id, False, indicator, block, effect.points, movers))
            masked = bad or (node_id, indicator.id) in exempt
            effects[node_id] = NEUTRAL if masked else effect
        index_effects: dict[str, Effect] = {}
        for index in self.indices:
            effect = self._index_effect(index, effects, index_effects, block)
            if wrong_way(effect.points, indicator.direction):
                movers = tuple(t.ref.name for t in index.terms if t.ref.name in self.nodes
                               and self._chain_gate(t.ref.name, effects) != CONST)
                found.append(Finding(index.id, True, indicator, block, effect.points, movers))
                effect = NEUTRAL
            index_effects[index.id] = effect
        return found

    def _node_effect(self, node: s.Node, indicator: str, kids: list[Effect], block: str
                     ) -> Effect:
        gate = self.exprs.of(node.when, indicator) if node.when is not None else CONST
        if node.rules:
            rule = node.rules[0]
            points = compose(self.shapes[node.id], self.exprs.of(rule.expr, indicator))
            return Effect(points, CONST, points, gate)
        live = [c for c in node.children if block in self.blocks_of.get(c.id, ())]
        if live and all(c.when is not None for c in live):
            gate = gate | join([k.gate for k in kids])  # every child may drop out
        if combine_kind(node).weighted:
            if any(k.gate != CONST for k in kids):
                return Effect(ANY, CONST, ANY, gate)  # a child dropping out reweights the rest
            share = join([k.share for k in kids])
            return Effect(share, CONST, share, gate)
        points = join([k.gate | k.points for k in kids])  # joining adds ≥ 0, leaving removes
        maximum = join([k.gate | k.maximum for k in kids])
        return Effect(points, maximum, points if maximum == CONST else ANY, gate)

    def _chain_gate(self, node_id: str, effects: Mapping[str, Effect]) -> Dir:
        gate: Dir = CONST
        current: str | None = node_id
        while current is not None:
            gate = gate | effects.get(current, NEUTRAL).gate
            current = self.parent.get(current)
        return gate

    def _index_effect(self, index: s.Index, effects: Mapping[str, Effect],
                      index_effects: Mapping[str, Effect], block: str) -> Effect:
        terms: list[tuple[Effect, Dir]] = []  # (effect, whether the term applies)
        for term in index.terms:
            name = term.ref.name
            if name in index_effects:
                effect = index_effects[name]
                terms.append((effect, effect.gate))
            elif name in self.nodes and block in self.blocks_of.get(name, ()):
                terms.append((effects.get(name, NEUTRAL), self._chain_gate(name, effects)))
        gate = join([g for _, g in terms])
        if gate != CONST:
            return Effect(ANY, CONST, ANY, gate)  # a term dropping out changes the average
        if not index_method(index).nondecreasing:
            return Effect(ANY, CONST, ANY, CONST)
        if index_method(index).adds_points:
            if any(e.maximum != CONST for e, _ in terms):
                return Effect(ANY, CONST, ANY, CONST)
            value = join([e.points for e, _ in terms])
        else:
            value = join([e.share for e, _ in terms])
        return Effect(value, CONST, value, CONST)  # rounding half-up keeps the order


# -- the check -----------------------------------------------------------------------------


def _direction_words(indicator: s.Indicator) -> tuple[str, str]:
    if indicator.direction == "lower":
        return "lower is better", "thấp hơn là tốt hơn"
    return "higher is better", "cao hơn là tốt hơn"


def _exemptions(tree: s.Methodology, symbols: Symbols, reporter: Reporter
                ) -> dict[tuple[str, str], s.Exemption]:
    found: dict[tuple[str, str], s.Exemption] = {}
    indicators = list(symbols.indicators)
    for node in s.walk_nodes(tree.categories):
        for exemption in node.exemptions:
            name = exemption.indicator.name
            if name not in symbols.indicators:
                unknown(reporter, name, exemption.indicator.span, "indicator", indicators)
            elif (node.id, name) in found:
                reporter.report(codes.DUPLICATE_ATTRIBUTE, exemption.span,
                                attribute=f"not monotone in {name}")
            elif not exemption.reason.strip():
                reporter.report(codes.BAD_VALUE, exemption.span,
                                detail="an exemption needs its reason in quotes",
                                detail_vi="miễn trừ cần ghi lý do trong ngoặc kép")
            else:
                found[(node.id, name)] = exemption
    return found


def check_monotonicity(model: Model, symbols: Symbols, reporter: Reporter) -> None:
    """Run on the checked model: the analysis needs a tree that passed every other check."""
    exemptions = _exemptions(model.tree, symbols, reporter)
    if reporter.has_errors:
        return
    analysis = Analysis(model, symbols)
    exempt = frozenset(exemptions)
    findings: list[Finding] = []
    for indicator in checked_indicators(symbols):
        findings += analysis.findings(indicator, exempt)
    _check_exemptions(analysis, exemptions, reporter)
    if not findings:
        return
    search = Counterexamples(analysis)
    for number, finding in enumerate(findings):
        example = search.find(finding) if number < MAX_SEARCHED_FINDINGS else None
        _report(analysis, finding, example, reporter)


def _check_exemptions(analysis: Analysis, exemptions: Mapping[tuple[str, str], s.Exemption],
                      reporter: Reporter) -> None:
    everything = frozenset(exemptions)
    for (node_id, name), exemption in exemptions.items():
        indicator = analysis.symbols.indicators[name]
        if indicator.direction == "neutral" or indicator.kind == "options":
            why = ("the indicator is neutral or unordered, so it is never checked",
                   "chỉ số là trung tính hoặc không có thứ tự nên không được kiểm tra")
        else:
            with_it = {f.target for f in analysis.findings(indicator, everything)}
            without = {f.target for f in analysis.findings(indicator, everything - {(node_id, name)})}
            if without - with_it:
                continue
            why = ("no score is found to fall without this exemption",
                   "không có điểm nào bị giảm khi bỏ miễn trừ này")
        reporter.report(codes.UNNEEDED_EXEMPTION, exemption.span, node=node_id, indicator=name,
                        reason=why[0], reason_vi=why[1],
                        hint=Text("remove this line", "xoá dòng này"))


def _report(analysis: Analysis, finding: Finding, example: Counterexample | None,
            reporter: Reporter) -> None:
    indicator = finding.indicator
    direction, direction_vi = _direction_words(indicator)
    target = finding.target
    if finding.is_index:
        index = analysis.symbols.indices[target]
        span, path, path_vi = index.span, "index", "chỉ số tổng hợp"
        where_en = where_vi = "a node this index is built on"
    else:
        span = analysis.nodes[target].span
        path = path_vi = analysis.path(target)
        where_en, where_vi = f"`{target}`", f"`{target}`"
    exempt_en = (f"if this is deliberate, add `not monotone in {indicator.id} \"<reason>\"` "
                 f"under {where_en}")
    exempt_vi = (f"nếu đây là chủ ý, thêm `not monotone in {indicator.id} \"<lý do>\"` "
                 f"dưới {where_vi}")
    args: dict[str, str] = dict(node=target, path=path, path_vi=path_vi,
                                indicator=indicator.id, direction=direction,
                                direction_vi=direction_vi)
    if finding.movers:
        listed = ", ".join(f"`{m}`" for m in finding.movers)
        exempt_en = (f"{listed} start(s) or stop(s) applying (`when`) as `{indicator.id}` "
                     f"changes, which moves the maximum too; " + exempt_en)
        exempt_vi = (f"{listed} bắt đầu hoặc thôi được áp dụng (`when`) khi `{indicator.id}` "
                     f"thay đổi, làm điểm tối đa thay đổi theo; " + exempt_vi)
    if example is None:
        hint = Text(f"the rules make it {finding.direction.word} in `{indicator.id}` in block "
                    f"`{finding.block}`, and no example of a fall was found; {exempt_en}",
                    f"theo quy tắc, điểm biến thiên không xác định theo `{indicator.id}` ở khối "
                    f"`{finding.block}` và không tìm được ví dụ giảm điểm; {exempt_vi}")
        reporter.report(codes.MONOTONE_UNPROVEN, span, hint, (), **args)
        return
    text = example.text()
    hint = Text(f"these two entities differ only in `{indicator.id}`, improved, yet the score "
                f"falls from {example.shown(True)} to {example.shown(False)}; paste them as "
                f"examples to see it:\n{text}\n{exempt_en}",
                f"hai đơn vị này chỉ khác nhau ở `{indicator.id}` (đã cải thiện) nhưng điểm giảm "
                f"từ {example.shown(True)} xuống {example.shown(False)}; dán làm ví dụ để kiểm "
                f"tra:\n{text}\n{exempt_vi}")
    reporter.report(codes.NOT_MONOTONE, span, hint, (), **args)
