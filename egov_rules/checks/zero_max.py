"""Nodes worth 0 points (`max 0`, e.g. the DTI 2022 smart-city index, "không tính điểm").

Such a node is legal in a `sum of` and in a `share of max` index (it adds 0 to the points and
0 to the maximum), but its *share* of its maximum is 0/0. Wherever a share is taken, the value
would otherwise be silently dropped or counted as 0, so the file is rejected instead:
an index that is a share of 0 points only, an index that averages a 0-point node, and a
0-point child of `weighted mean of`.
"""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.kinds.combine import combine_kind
from egov_rules.kinds.index_methods import index_method
from egov_rules.model import declared_max
from egov_rules.resolve import Symbols


def check_zero_max(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    blocks_of = symbols.blocks_of
    nodes = {n.id: n for n in s.walk_nodes(tree.categories)}
    for index in tree.indices:
        if index_method(index).adds_points:
            _check_share_of_max(index, nodes, blocks_of, tuple(symbols.blocks), reporter)
        else:
            _check_averaged_terms(index, nodes, blocks_of, reporter)
    for node in nodes.values():
        if combine_kind(node).weighted and not node.rules:
            for child in node.children:
                block = _zero_block(child, blocks_of.get(child.id, ()))
                if block is not None:
                    reporter.report(
                        codes.BAD_WEIGHT, child.span,
                        detail=f"`{child.id}` is worth 0 points in block `{block}`: a weighted "
                        "mean averages shares of the maximum, and a share of 0 points is undefined",
                        detail_vi=f"`{child.id}` có 0 điểm ở khối `{block}`: trung bình có trọng "
                        "số lấy tỷ lệ trên điểm tối đa, mà tỷ lệ trên 0 điểm không xác định",
                        hint=Text("move it out of `weighted mean of`, or give it a maximum above 0",
                                  "đưa mục này ra khỏi `weighted mean of`, hoặc cho điểm tối đa lớn hơn 0"),
                    )


def _zero_block(node: s.Node, blocks: tuple[str, ...]) -> str | None:
    """The first block where the node applies and is worth 0 points, if any."""
    return next((b for b in blocks if declared_max(node, b) == 0), None)


def _check_share_of_max(index: s.Index, nodes: dict[str, s.Node],
                        blocks_of: dict[str, tuple[str, ...]], blocks: tuple[str, ...],
                        reporter: Reporter) -> None:
    terms = [nodes[t.ref.name] for t in index.terms if t.ref.name in nodes]
    if len(terms) != len(index.terms):
        return  # a term is an index or unknown: reported elsewhere
    for block in blocks:
        applying = [n for n in terms if block in blocks_of.get(n.id, ())]
        total = sum((declared_max(n, block) or Fraction(0) for n in applying), Fraction(0))
        if applying and total == 0:
            reporter.report(
                codes.BAD_INDEX, index.span,
                detail=f"`{index.id}` is a share of 0 points in block `{block}`: it can never "
                "have a value there",
                detail_vi=f"`{index.id}` là tỷ lệ trên 0 điểm ở khối `{block}`: chỉ số này không "
                "bao giờ có giá trị ở khối đó",
                hint=Text("a node worth 0 points can join a larger `share of max`, not stand alone",
                          "mục 0 điểm có thể góp vào một `share of max` lớn hơn, không đứng riêng"),
            )
            return


def _check_averaged_terms(index: s.Index, nodes: dict[str, s.Node],
                          blocks_of: dict[str, tuple[str, ...]], reporter: Reporter) -> None:
    for term in index.terms:
        node = nodes.get(term.ref.name)
        if node is None:
            continue
        block = _zero_block(node, blocks_of.get(node.id, ()))
        if block is not None:
            reporter.report(
                codes.BAD_INDEX, term.ref.span,
                detail=f"`{node.id}` is worth 0 points in block `{block}`: its share of the "
                f"maximum is undefined, so `{index.method}` cannot use it",
                detail_vi=f"`{node.id}` có 0 điểm ở khối `{block}`: tỷ lệ trên điểm tối đa không "
                f"xác định, nên `{index.method}` không dùng được",
            )
