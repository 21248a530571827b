"""Node structure and points: one rule or one group per node, a `max` for every block it
applies to, no rule awarding more than its node's maximum, and children whose maxima reach
their parent's exactly (or at least, for a `capped sum`)."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.domains import Domains
from egov_rules.kinds import CheckContext, rule_kind
from egov_rules.kinds.combine import SUM, combine_kind
from egov_rules.model import declared_max
from egov_rules.numbers import fmt
from egov_rules.resolve import Symbols


def check_structure(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    for key in ("title", "year", "source"):
        if tree.header.get(key) is None:
            reporter.report(
                codes.MISSING_HEADER_FIELD, tree.header.span, field=key,
                hint=Text(f"add an indented `{key} …` line under `methodology {tree.header.id}`",
                          f"thêm dòng `{key} …` thụt lề dưới `methodology {tree.header.id}`"),
            )
    if not tree.blocks:
        reporter.report(
            codes.BAD_NODE_BODY, tree.header.span,
            detail="the methodology declares no `blocks`",
            detail_vi="phương pháp chưa khai báo `blocks`",
            hint=Text("declare at least one block, e.g. `blocks` then `province \"Tỉnh\"`",
                      "khai báo ít nhất một khối, ví dụ `blocks` rồi `province \"Tỉnh\"`"),
        )
    all_blocks = tuple(symbols.blocks)
    context = CheckContext(symbols, reporter, Domains(symbols))
    blocks_of = symbols.blocks_of
    # Nodes under an `only` that names an undeclared block (E101): the blocks they apply to
    # are unknown, so checks that depend on them would only echo that mistake.
    unsure: set[str] = set()
    for node in s.walk_nodes(tree.categories):
        parent = symbols.parents.get(node.id)
        if (parent is not None and parent.id in unsure) or any(
                ref.name not in symbols.blocks for ref in node.only or ()):
            unsure.add(node.id)
    for node in s.walk_nodes(tree.categories):
        blocks = blocks_of.get(node.id, ())
        if not blocks and all_blocks and node.id not in unsure:
            reporter.report(
                codes.NO_APPLICABLE_BLOCK, node.span, node=node.id,
                hint=Text("its `only` names no block its parent applies to",
                          "`only` không nêu khối nào mà mục cha áp dụng"),
            )
        _check_body(node, reporter)
        _check_max(node, None if node.id in unsure else blocks, symbols.blocks, reporter)
        for rule in node.rules:
            _check_rule_points(node, rule, blocks, context)
        if node.children and not node.rules and not unsure & {c.id for c in node.children}:
            _check_children(node, blocks, blocks_of, reporter)


def _body_problem(node: s.Node) -> tuple[str, str] | None:
    rules, groups, direct = node.rules, node.groups, node.direct_children
    if len(rules) > 1:
        return ("a node has one scoring rule; split the others into child criteria",
                "mỗi mục chỉ có một quy tắc tính điểm; tách các quy tắc khác thành tiêu chí con")
    if rules and (groups or direct):
        return ("a node is scored either by a rule or by its children, not both",
                "một mục được tính điểm bằng quy tắc hoặc bằng các mục con, không phải cả hai")
    if len(groups) > 1 or (groups and direct):
        return ("put all children in one `sum of` / `best of` / `weighted mean of` group",
                "đặt tất cả mục con trong một nhóm `sum of` / `best of` / `weighted mean of`")
    if not rules and not groups and not direct:
        return ("this node has neither a scoring rule nor children",
                "mục này không có quy tắc tính điểm cũng không có mục con")
    return None


def _check_body(node: s.Node, reporter: Reporter) -> None:
    problem = _body_problem(node)
    if problem is not None:
        reporter.report(codes.BAD_NODE_BODY, node.span, detail=problem[0], detail_vi=problem[1])


def _check_max(node: s.Node, blocks: tuple[str, ...] | None, known: dict[str, s.Block],
               reporter: Reporter) -> None:
    """`blocks` is None when they are unknown (an `only` names an undeclared block); block
    names that are undeclared were reported by resolve.py."""
    spec = node.maximum
    if spec is None:
        reporter.report(
            codes.BAD_MAX, node.span, detail=f"`{node.id}` has no `max`",
            detail_vi=f"`{node.id}` chưa có `max`",
            hint=Text("write its maximum points, e.g. `max 20`, or per block: "
                      "`max ministry 20, province 30`",
                      "ghi điểm tối đa, ví dụ `max 20`, hoặc theo khối: "
                      "`max ministry 20, province 30`"),
        )
        return
    numbers = [spec.default] if spec.default is not None else [n for _, n in spec.per_block]
    for number in numbers:
        if number is not None and number.percent:
            reporter.report(codes.BAD_MAX, number.span, detail="a maximum is points, not a percent",
                            detail_vi="điểm tối đa là số điểm, không phải phần trăm")
    seen: set[str] = set()
    for ref, _ in spec.per_block:
        if ref.name in seen:
            reporter.report(codes.DUPLICATE_ATTRIBUTE, ref.span, attribute=f"max {ref.name}")
        seen.add(ref.name)
        if blocks is not None and ref.name not in blocks and ref.name in known:
            reporter.report(codes.BAD_MAX, ref.span,
                            detail=f"`{node.id}` does not apply to block `{ref.name}`",
                            detail_vi=f"`{node.id}` không áp dụng cho khối `{ref.name}`")
    if spec.per_block and blocks is not None:
        missing = [b for b in blocks if b not in seen]
        if missing:
            reporter.report(
                codes.BAD_MAX, spec.span,
                detail=f"no maximum for block {', '.join(f'`{b}`' for b in missing)}",
                detail_vi=f"chưa có điểm tối đa cho khối {', '.join(f'`{b}`' for b in missing)}",
            )


def _smallest_max(node: s.Node, blocks: tuple[str, ...]) -> Fraction | None:
    maxima = [m for b in blocks if (m := declared_max(node, b)) is not None]
    return min(maxima) if maxima else None


def _check_rule_points(node: s.Node, rule: s.Rule, blocks: tuple[str, ...], ctx: CheckContext
                       ) -> None:
    awards = rule_kind(rule).check(rule, ctx)
    maximum = _smallest_max(node, blocks)
    if maximum is None:
        return
    for award in awards:
        if award.value > maximum:
            ctx.reporter.report(
                codes.POINTS_ABOVE_MAX, award.span, points=fmt(award.value, digits=6),
                maximum=fmt(maximum, digits=6),
                hint=Text("lower the points or raise the node's `max`",
                          "giảm số điểm hoặc tăng `max` của mục"),
            )


def _bad_max(node: s.Node, block: str) -> bool:
    """True when the node's maximum in the block is missing or a percent (both E309)."""
    spec = node.maximum
    if spec is None:
        return True
    numbers = [spec.default] if spec.default is not None else [
        n for ref, n in spec.per_block if ref.name == block]
    return not numbers or any(n.percent for n in numbers)


def _check_children(node: s.Node, blocks: tuple[str, ...],
                    blocks_of: dict[str, tuple[str, ...]], reporter: Reporter) -> None:
    mode = combine_kind(node)
    problems: dict[tuple[str, Fraction, Fraction], list[str]] = {}  # → the blocks it occurs in
    for block in blocks:
        applying = [c for c in node.children if block in blocks_of.get(c.id, ())]
        if not applying or any(_bad_max(n, block) for n in (node, *applying)):
            continue  # a missing or percent maximum is E309 already; totals would echo it
        maximum = declared_max(node, block)
        child_max = [declared_max(c, block) or Fraction(0) for c in applying]
        if maximum is None:
            continue
        reach = mode.reach(child_max)
        if reach is None:
            return  # children are averaged as shares; their maxima need not add up
        if mode.fits(reach, maximum):
            continue
        kind = "short" if reach < maximum else "over"
        problems.setdefault((kind, reach, maximum), []).append(block)
    for (kind, reach, maximum), where_blocks in problems.items():
        # Name the blocks unless the same problem occurs in every block the node applies to.
        listed = ", ".join(f"`{b}`" for b in where_blocks)
        plural = "s" if len(where_blocks) > 1 else ""
        everywhere = len(where_blocks) == len(blocks)
        where = "" if everywhere else f" (block{plural} {listed})"
        where_vi = "" if everywhere else f" (khối {listed})"
        code = codes.CHILDREN_CANNOT_REACH if kind == "short" else codes.CHILDREN_OVERSHOOT
        hint = None
        if kind == "over" and mode is SUM:
            hint = Text("if the decree caps the total, write `capped sum of`",
                        "nếu văn bản giới hạn tổng điểm, viết `capped sum of`")
        reporter.report(
            code, node.span, node=node.id, reach=fmt(reach, digits=6), maximum=fmt(maximum, digits=6),
            where=where, where_vi=where_vi, hint=hint,
        )
