"""Expression types: numbers and yes/no answers kept apart, options compared only to options,
and every division paired with its zero-denominator rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text, did_you_mean
from egov_rules.kinds import rule_kind
from egov_rules.kinds.functions import let_function
from egov_rules.resolve import Symbols, divisions
from egov_rules.source import Span

TypeKind = Literal["number", "yes/no", "options", "level", "unknown"]


@dataclass(frozen=True, slots=True)
class Type:
    """The type of an expression. `share` marks a ratio of two counts (shown as a percent)."""

    kind: TypeKind
    indicator: str | None = None  # for options and levels: whose values these are
    share: bool = False
    integer: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "level")


NUMBER = Type("number")
YES_NO = Type("yes/no")
UNKNOWN = Type("unknown")

_TYPE_WORDS = {
    "number": ("a number", "một số"),
    "yes/no": ("a yes/no answer", "một câu trả lời có/không"),
    "options": ("an option", "một lựa chọn"),
    "level": ("a level", "một mức độ"),
}


def indicator_type(indicator: s.Indicator) -> Type:
    if indicator.kind == "yes/no":
        return YES_NO
    if indicator.kind == "options":
        return Type("options", indicator=indicator.id)
    if indicator.kind == "level":
        return Type("level", indicator=indicator.id, integer=True)
    if indicator.kind == "percent":
        return Type("number", share=True)
    return Type("number", integer=indicator.kind == "count")


def same_expr(a: s.Expr, b: s.Expr) -> bool:
    """Structural equality of two expressions, ignoring where they were written."""
    if type(a) is not type(b):
        return False
    if isinstance(a, s.Number) and isinstance(b, s.Number):
        return a.value == b.value
    if isinstance(a, s.YesNo) and isinstance(b, s.YesNo):
        return a.value == b.value
    if isinstance(a, s.Name) and isinstance(b, s.Name):
        return a.name == b.name
    if isinstance(a, s.Binary) and isinstance(b, s.Binary):
        return a.op == b.op and same_expr(a.left, b.left) and same_expr(a.right, b.right)
    if isinstance(a, s.Unary) and isinstance(b, s.Unary):
        return a.op == b.op and same_expr(a.operand, b.operand)
    if isinstance(a, s.Call) and isinstance(b, s.Call):
        return a.func == b.func and len(a.args) == len(b.args) and all(
            same_expr(x, y) for x, y in zip(a.args, b.args, strict=True)
        )
    return False


def zero_rule_denominator(rule: s.ZeroRule) -> s.Expr | None:
    """The `d` of `if d = 0: …`, or None when the condition has another shape."""
    c = rule.condition
    if isinstance(c, s.Binary) and c.op == "=" and isinstance(c.right, s.Number) and c.right.value == 0:
        return c.left
    return None


class _Checker:
    def __init__(self, symbols: Symbols, reporter: Reporter) -> None:
        self.symbols = symbols
        self.reporter = reporter
        self.let_types: dict[str, Type] = {}

    def mismatch(self, span: Span, en: str, vi: str) -> Type:
        self.reporter.report(codes.TYPE_MISMATCH, span, detail=en, detail_vi=vi)
        return UNKNOWN

    def name_type(self, name: s.Name) -> Type:
        decl = self.symbols.declarations.get(name.name)
        if isinstance(decl, s.Indicator):
            return indicator_type(decl)
        if isinstance(decl, s.Let):
            return self.let_types.get(name.name, UNKNOWN)
        owners = [i.id for i in self.symbols.indicators.values()
                  if any(o.id == name.name for o in i.options)]
        if owners:  # an option where a value is wanted; beside its indicator, see `=`
            return self.mismatch(
                name.span, f"`{name.name}` is an option of `{owners[0]}`, not a value; "
                f"compare it: `{owners[0]} = {name.name}`",
                f"`{name.name}` là một lựa chọn của `{owners[0]}`, không phải giá trị; "
                f"hãy so sánh: `{owners[0]} = {name.name}`")
        return UNKNOWN  # unknown names were reported by resolve

    def expect(self, expr: s.Expr, wanted: TypeKind, context: tuple[str, str]) -> Type:
        got = self.infer(expr)
        ok = got.kind == "unknown" or got.kind == wanted or (wanted == "number" and got.numeric)
        if not ok:
            got_en, got_vi = _TYPE_WORDS[got.kind]
            want_en, want_vi = _TYPE_WORDS[wanted]
            return self.mismatch(
                expr.span, f"{context[0]} needs {want_en}, but this is {got_en}",
                f"{context[1]} cần {want_vi}, nhưng đây là {got_vi}",
            )
        return got

    def infer(self, expr: s.Expr) -> Type:
        if isinstance(expr, s.Number):
            return Type("number", integer=expr.value.denominator == 1 and not expr.percent)
        if isinstance(expr, s.YesNo):
            return YES_NO
        if isinstance(expr, s.Name):
            return self.name_type(expr)
        if isinstance(expr, s.Unary):
            if expr.op == "not":
                self.expect(expr.operand, "yes/no", ("`not`", "`not`"))
                return YES_NO
            self.expect(expr.operand, "number", ("`-`", "`-`"))
            return NUMBER
        if isinstance(expr, s.Call):
            return self.infer_call(expr)
        return self.infer_binary(expr)

    def infer_call(self, call: s.Call) -> Type:
        function = let_function(call)
        if not function.arity_ok(len(call.args)):
            self.mismatch(call.span, *function.usage)
        types = [self.expect(a, function.argument, (f"`{call.func}`", f"`{call.func}`"))
                 for a in call.args]
        return Type("number", integer=function.integer([t.integer for t in types]))

    def infer_binary(self, e: s.Binary) -> Type:
        op = e.op
        if op in s.LOGIC_OPS:
            self.expect(e.left, "yes/no", (f"`{op}`", f"`{op}`"))
            self.expect(e.right, "yes/no", (f"`{op}`", f"`{op}`"))
            return YES_NO
        if op in ("=", "!="):
            return self.infer_equality(e)
        if op in s.COMPARISON_OPS:
            self.expect(e.left, "number", (f"`{op}`", f"`{op}`"))
            self.expect(e.right, "number", (f"`{op}`", f"`{op}`"))
            return YES_NO
        left = self.expect(e.left, "number", (f"`{op}`", f"`{op}`"))
        right = self.expect(e.right, "number", (f"`{op}`", f"`{op}`"))
        if op == "/":
            return Type("number", share=left.integer and right.integer)
        return Type("number", integer=left.integer and right.integer and op != "/")

    def infer_equality(self, e: s.Binary) -> Type:
        left = self.infer_operand(e.left, e.right)
        right = self.infer_operand(e.right, e.left)
        if left.kind == "unknown" or right.kind == "unknown":
            return YES_NO
        if left.kind == "options" or right.kind == "options":
            if left != right:
                self.mismatch(e.span, "an option can only be compared with an option of the "
                              "same indicator", "chỉ so sánh lựa chọn với lựa chọn của cùng chỉ số")
            return YES_NO
        if left.numeric != right.numeric:
            self.mismatch(e.span, "both sides of a comparison must be numbers or both yes/no",
                          "hai vế của phép so sánh phải cùng là số hoặc cùng là có/không")
        return YES_NO

    def infer_operand(self, expr: s.Expr, other: s.Expr) -> Type:
        """An option id is only meaningful beside an indicator of that option type."""
        if isinstance(expr, s.Name) and expr.name not in self.symbols.declarations:
            indicator = self.symbols.indicators.get(other.name) \
                if isinstance(other, s.Name) else None
            if indicator is not None and indicator.options:
                if any(o.id == expr.name for o in indicator.options):
                    return indicator_type(indicator)
                self.reporter.report(
                    codes.UNKNOWN_NAME, expr.span, name=expr.name, kind="option",
                    kind_vi="lựa chọn",
                    hint=did_you_mean(expr.name, [o.id for o in indicator.options]),
                )
                return UNKNOWN
        return self.infer(expr)

    # -- declarations ----------------------------------------------------------------------
    def check_let(self, let: s.Let) -> None:
        result = self.infer(let.expr)
        self.check_divisions(let)
        for rule in let.zero_rules:
            fallback = self.infer(rule.fallback)
            if result.kind != "unknown" and fallback.kind != "unknown" and (
                fallback.numeric != result.numeric
            ):
                self.mismatch(rule.fallback.span,
                              "the zero-denominator value must have the same type as the "
                              "expression", "giá trị khi mẫu số bằng 0 phải cùng kiểu với biểu thức")
            if divisions(rule.fallback):
                self.reporter.report(
                    codes.DIVISION_OUTSIDE_LET, rule.fallback.span,
                    hint=Text("the value for a zero denominator cannot divide again; compute "
                              "it in a `let` of its own and name that `let` here",
                              "giá trị khi mẫu số bằng 0 không được chia tiếp; tính nó trong "
                              "một `let` riêng rồi dùng tên `let` đó ở đây"),
                )
        self.let_types[let.id] = result

    def check_divisions(self, let: s.Let) -> None:
        denominators = [zero_rule_denominator(r) for r in let.zero_rules]
        for rule, denominator in zip(let.zero_rules, denominators, strict=True):
            if denominator is None:
                self.reporter.report(
                    codes.UNUSED_ZERO_RULE, rule.condition.span,
                    hint=Text("write the rule as `if <denominator> = 0: <value>`",
                              "viết quy tắc dạng `if <mẫu số> = 0: <giá trị>`"),
                )
        used = [False] * len(denominators)
        for division in divisions(let.expr):
            right = division.right
            if isinstance(right, s.Number) and right.value != 0:
                continue
            matches = [i for i, d in enumerate(denominators) if d and same_expr(d, right)]
            for i in matches:
                used[i] = True
            if not matches:
                text = right.span.text
                self.reporter.report(
                    codes.MISSING_ZERO_RULE, right.span, denominator=text,
                    hint=Text(f"add `if {text} = 0: 0` (or the value the decree gives)",
                              f"thêm `if {text} = 0: 0` (hoặc giá trị văn bản quy định)"),
                )
        for rule, denominator, was_used in zip(let.zero_rules, denominators, used, strict=True):
            if denominator is not None and not was_used:
                self.reporter.report(codes.UNUSED_ZERO_RULE, rule.condition.span)

    def check_node(self, node: s.Node) -> None:
        if node.when is not None:
            self.expect(node.when, "yes/no", ("`when`", "`when`"))
            self.no_division(node.when)
        for rule in node.rules:
            self.no_division(rule.expr)
            rule_kind(rule).check_types(rule, self)

    def no_division(self, expr: s.Expr) -> None:
        for division in divisions(expr):
            self.reporter.report(
                codes.DIVISION_OUTSIDE_LET, division.span,
                hint=Text("define it as `let share = a / b  if b = 0: 0` and use `share` here",
                          "khai báo `let ty_le = a / b  if b = 0: 0` rồi dùng `ty_le` ở đây"),
            )


def typecheck(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> dict[str, Type]:
    """Check every expression's type; return the type of each derived value."""
    checker = _Checker(symbols, reporter)
    lets = symbols.lets
    for let_id in symbols.let_order:
        if let_id in lets:
            checker.check_let(lets[let_id])
    for node in s.walk_nodes(tree.categories):
        checker.check_node(node)
    types = {i.id: indicator_type(i) for i in tree.indicators}
    types.update(checker.let_types)
    symbols.types = types
    return types
