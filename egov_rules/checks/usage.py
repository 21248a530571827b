"""Unused declarations (warnings): an indicator nobody reads is usually a typo elsewhere."""

from __future__ import annotations

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.resolve import Symbols, names_in, rule_expressions


def check_usage(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    used: set[str] = set()
    for let in tree.lets:
        used.update(n.name for n in names_in(let.expr))
        for rule in let.zero_rules:
            used.update(n.name for n in names_in(rule.condition))
            used.update(n.name for n in names_in(rule.fallback))
    for node in s.walk_nodes(tree.categories):
        for expr in rule_expressions(node):
            used.update(n.name for n in names_in(expr))
    for indicator in tree.indicators:
        if indicator.id not in used:
            reporter.report(
                codes.UNUSED_INDICATOR, indicator.span, name=indicator.id,
                hint=Text("remove it, or use it in a `let` or a rule",
                          "xoá chỉ số này, hoặc dùng nó trong `let` hay quy tắc"),
            )
    for let in tree.lets:
        if let.id not in used:
            reporter.report(codes.UNUSED_LET, let.span, name=let.id)
    if not tree.examples:
        reporter.report(
            codes.NO_EXAMPLES, tree.header.span,
            hint=Text("add an `example` with hand-computed `expect` lines",
                      "thêm một khối `example` với các dòng `expect` tính tay"),
        )
