"""`per <d>` (a value given per a denominator) and `missing mean within <g>` (a mean by group):
what each may name. Unknown names are E101; the rest E209 and E210 (docs/diagnostics.md)."""

from __future__ import annotations

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.resolve import Symbols, unknown

# A count or percent divided is no longer whole or a share; a level or an answer is no quantity.
_NUMERIC = ("count", "number")


def check_denominators(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    indicators = symbols.indicators
    for indicator in tree.indicators:
        per = indicator.get("per")
        if per is not None:
            _check_per(indicator, str(per.value), per, indicators, reporter)
        within = indicator.get("within")
        if within is not None:
            _check_group(within, indicators, reporter)
    header_within = tree.header.get("within")
    if header_within is not None:
        _check_group(header_within, indicators, reporter)


def _check_per(indicator: s.Indicator, name: str, at: s.Attribute,
               indicators: dict[str, s.Indicator], reporter: Reporter) -> None:
    denominator = indicators.get(name)
    if denominator is None:
        unknown(reporter, name, at.span, "indicator", list(indicators))
        return
    problem = _per_problem(indicator, denominator)
    if problem is not None:
        detail, hint = problem
        reporter.report(codes.BAD_DENOMINATOR, at.span, name=indicator.id, denominator=name,
                        detail=detail.en, detail_vi=detail.vi, hint=hint)


def _per_problem(indicator: s.Indicator, denominator: s.Indicator
                 ) -> tuple[Text, Text | None] | None:
    """What is wrong with dividing `indicator` by `denominator` (None: nothing)."""
    if denominator.id == indicator.id:
        return Text("an indicator cannot be divided by itself",
                    "chỉ số không thể chia cho chính nó"), None
    if indicator.kind != "number":
        return (Text(f"only a `number` indicator is given per another (this one is "
                     f"`{indicator.kind}`: divided, it would no longer be one)",
                     f"chỉ chỉ số `number` mới được chia cho chỉ số khác (chỉ số này là "
                     f"`{indicator.kind}`: khi chia sẽ không còn đúng loại)"),
                Text("declare it `number`", "khai báo nó là `number`"))
    if denominator.kind not in _NUMERIC:
        return Text(f"the denominator must be a `count` or `number` indicator, not "
                    f"`{denominator.kind}`",
                    f"mẫu số phải là chỉ số `count` hoặc `number`, không phải "
                    f"`{denominator.kind}`"), None
    if denominator.get("per") is not None:
        return Text("the denominator is itself given per another indicator",
                    "mẫu số lại được chia cho một chỉ số khác"), \
            Text("divide by a value as it is given", "chia cho một giá trị như được nhập")
    if denominator.direction != "neutral":
        return (Text(f"the denominator is `{denominator.direction} is better`, but the value "
                     "divided by it falls as it rises: no direction fits it",
                     f"mẫu số được khai báo `{denominator.direction} is better`, nhưng giá trị "
                     "chia cho nó giảm khi nó tăng: không hướng nào đúng"),
                Text(f"declare `{denominator.id}` `neutral`",
                     f"khai báo `{denominator.id}` là `neutral`"))
    if indicator.get("between") is not None:
        return (Text("`between` cannot bound an indicator given per another (the given value "
                     "or the divided one?)",
                     "`between` không giới hạn được chỉ số chia cho chỉ số khác (giá trị nhập "
                     "hay giá trị đã chia?)"),
                Text("remove `between`", "bỏ `between`"))
    return None


def _check_group(at: s.Attribute, indicators: dict[str, s.Indicator],
                 reporter: Reporter) -> None:
    name = str(at.value)
    group = indicators.get(name)
    if group is None:
        unknown(reporter, name, at.span, "indicator", list(indicators))
    elif group.kind != "options":
        reporter.report(
            codes.BAD_GROUP, at.span, group=name,
            detail=f"`{name}` is `{group.kind}`; a group is a `one of (…)` indicator",
            detail_vi=f"`{name}` là `{group.kind}`; nhóm phải là chỉ số `one of (…)`",
            hint=Text(f"declare `{name}` `one of (…)` with the groups as its options",
                      f"khai báo `{name}` là `one of (…)` với các nhóm là lựa chọn"))
