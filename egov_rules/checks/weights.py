"""Weights and indices: weights only where a weighted mean uses them, either all percents
summing to exactly 100 % or all free numbers (normalised by their sum, not all 0); each index
built from the right kind of operand."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Label, Reporter, Text
from egov_rules.kinds.combine import combine_kind
from egov_rules.kinds.index_methods import index_method
from egov_rules.kinds.weights import first_mixed, is_free
from egov_rules.numbers import fmt
from egov_rules.resolve import Symbols
from egov_rules.source import Span


def _check_weight_set(weights: list[s.Number | None], spans: list[Span], owner: Span,
                      reporter: Reporter) -> None:
    if any(w is None for w in weights):
        for weight, span in zip(weights, spans, strict=True):
            if weight is None:
                reporter.report(codes.BAD_WEIGHT, span,
                                detail="every part of a weighted mean needs a weight",
                                detail_vi="mỗi thành phần của trung bình có trọng số cần trọng số")
        return
    given = [w for w in weights if w is not None]
    mixed = first_mixed(given)
    if mixed is not None:
        reporter.report(
            codes.BAD_WEIGHT, mixed.span,
            detail="write all the weights of a mean as percents, or none of them",
            detail_vi="ghi mọi trọng số của một trung bình cùng dạng phần trăm, hoặc không dạng nào",
            labels=[Label(given[0].span, Text("the first weight is written differently",
                                              "trọng số đầu tiên được ghi khác dạng"))],
            hint=Text("percents must add up to 100%; plain numbers (2, 1, 1) are divided by "
                      "their sum", "phần trăm phải có tổng 100%; số thường (2, 1, 1) được chia "
                      "cho tổng của chúng"),
        )
        return
    total = sum((w.value for w in given), Fraction(0))
    if is_free(given):
        if not total:
            reporter.report(codes.BAD_WEIGHT, owner,
                            detail="the weights are all 0: at least one must be above 0",
                            detail_vi="mọi trọng số đều bằng 0: cần ít nhất một trọng số lớn hơn 0")
        return
    if total != 1:
        reporter.report(
            codes.WEIGHTS_NOT_100, owner, total=fmt(total, share=True),
            hint=Text("adjust the weights so they add up to exactly 100%",
                      "điều chỉnh trọng số để tổng đúng bằng 100%"),
        )


def check_weights(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    for node in s.walk_nodes(tree.categories):
        weighted = combine_kind(node).weighted and not node.rules
        for child in node.children:
            if child.weight is not None and not weighted:
                reporter.report(
                    codes.BAD_WEIGHT, child.weight.span,
                    detail="a weight only counts inside `weighted mean of`",
                    detail_vi="trọng số chỉ có nghĩa trong `weighted mean of`",
                )
        if weighted:
            children = node.children
            _check_weight_set([c.weight for c in children], [c.span for c in children],
                              node.groups[0].span if node.groups else node.span, reporter)
    for category in tree.categories:
        if category.weight is not None:
            reporter.report(codes.BAD_WEIGHT, category.weight.span,
                            detail="a category's weight belongs in an `index … weighted mean of`",
                            detail_vi="trọng số của hạng mục được ghi trong `index … weighted mean of`")
    for index in tree.indices:
        _check_index(index, symbols, reporter)
    _check_targets(tree, reporter)


def _check_index(index: s.Index, symbols: Symbols, reporter: Reporter) -> None:
    first: dict[str, s.IndexTerm] = {}
    for term in index.terms:
        name = term.ref.name
        if name in first:
            reporter.report(
                codes.BAD_INDEX, term.ref.span,
                detail=f"`{name}` is listed twice in `{index.id}`",
                detail_vi=f"`{name}` được liệt kê hai lần trong `{index.id}`",
                labels=[Label(first[name].ref.span,
                              Text("first listed here", "liệt kê lần đầu ở đây"))],
                hint=Text("list each part once; to count it more, give it a larger weight",
                          "mỗi thành phần chỉ liệt kê một lần; muốn tính nhiều hơn, tăng "
                          "trọng số của nó") if index_method(index).weighted else
                Text("list each part once", "mỗi thành phần chỉ liệt kê một lần"),
            )
        first.setdefault(name, term)
    method = index_method(index)
    if method.weighted or (method.weights_optional and any(t.weight for t in index.terms)):
        _check_weight_set([t.weight for t in index.terms], [t.span for t in index.terms],
                          index.span, reporter)
    else:
        for term in index.terms:
            if term.weight is not None:
                reporter.report(codes.BAD_WEIGHT, term.weight.span,
                                detail=f"`{index.method}` takes no weights",
                                detail_vi=f"`{index.method}` không dùng trọng số")
    if index_method(index).adds_points:
        for term in index.terms:
            if isinstance(symbols.declarations.get(term.ref.name), s.Index):
                reporter.report(
                    codes.BAD_INDEX, term.ref.span,
                    detail="`share of max` adds up the points of criteria or categories, "
                    "not indices", detail_vi="`share of max` cộng điểm của tiêu chí hoặc hạng mục, "
                    "không phải chỉ số tổng hợp",
                    hint=Text("use `mean of` or `weighted mean of` to combine indices",
                              "dùng `mean of` hoặc `weighted mean of` để kết hợp các chỉ số"),
                )
    if index.scale is not None and index.scale.low.value >= index.scale.high.value:
        reporter.report(codes.BAD_INDEX, index.scale.span,
                        detail="a scale goes from a lower to a higher value (`scale 0..100`)",
                        detail_vi="thang điểm đi từ giá trị nhỏ đến giá trị lớn hơn "
                        "(`scale 0..100`)")
    if index.round is not None and not 0 <= index.round <= 12:
        reporter.report(codes.BAD_INDEX, index.span, detail="rounding must be 0 to 12 decimals",
                        detail_vi="số chữ số thập phân phải từ 0 đến 12")


def _check_targets(tree: s.Methodology, reporter: Reporter) -> None:
    for what, groups in (("graded", tree.grades), ("ranked", tree.ranks)):
        seen: set[str] = set()
        for group in groups:
            for ref in group.targets:
                if ref.name in seen:
                    reporter.report(codes.BAD_INDEX, ref.span,
                                    detail=f"`{ref.name}` is {what} twice",
                                    detail_vi=f"`{ref.name}` được khai báo hai lần")
                seen.add(ref.name)
