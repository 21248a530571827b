"""Node structure and points: one rule or one group per node, a `max` for every block it
applies to, no rule awarding more than its node's maximum, and children whose maxima reach
their parent's exactly (or at least, for a `capped sum`)."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.checks.domains import Domains, Interval, reads_unknown_name
from egov_rules.diagnostics import Label, Reporter, Text
from egov_rules.model import declared_max, node_blocks
from egov_rules.resolve import Symbols, names_in
from egov_rules.typecheck import divisions


def _fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


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
    blocks_of = node_blocks(tree.categories, all_blocks)
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
            _check_rule_points(node, rule, blocks, symbols, reporter)
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


def _check_rule_points(node: s.Node, rule: s.Rule, blocks: tuple[str, ...], symbols: Symbols,
                       reporter: Reporter) -> None:
    maximum = _smallest_max(node, blocks)
    awards: list[s.Number] = []
    if isinstance(rule, s.Bands):
        awards = [b.award for b in rule.bands if isinstance(b.award, s.Number)]
    elif isinstance(rule, s.Table):
        awards = [r.points for r in rule.rows]
        _check_table_keys(rule, symbols, reporter)
    elif isinstance(rule, s.Per):
        awards = [rule.cap]
    elif (isinstance(rule, s.Proportional) and rule.low is not None and rule.high is not None
          and rule.low.value >= rule.high.value):
        reporter.report(codes.BAD_NODE_BODY, rule.span,
                        detail="`from` must be below `to`",
                        detail_vi="giá trị `from` phải nhỏ hơn `to`")
    elif isinstance(rule, s.Proportional) and not rule.relative:
        _check_proportional_scale(rule, symbols, reporter)
    if maximum is None:
        return
    for award in awards:
        if award.value > maximum:
            reporter.report(
                codes.POINTS_ABOVE_MAX, award.span, points=_fmt(award.value),
                maximum=_fmt(maximum),
                hint=Text("lower the points or raise the node's `max`",
                          "giảm số điểm hoặc tăng `max` của mục"),
            )


def _check_proportional_scale(rule: s.Proportional, symbols: Symbols, reporter: Reporter) -> None:
    """`proportional x` reads x as a share; `from a to b` must lie where x can be. Both
    mistakes (a count read as a share, `from 10 to 50` on a percent) give silent full or zero
    points, so they are errors."""
    if reads_unknown_name(rule.expr, symbols) or divisions(rule.expr) or any(
        not symbols.types[n.name].numeric for n in names_in(rule.expr) if n.name in symbols.types
    ):
        return  # E101 / E202 / E201 already said what is wrong with the expression
    domain = Domains(symbols).of(rule.expr)
    expr_type = symbols.types.get(rule.expr.name) if isinstance(rule.expr, s.Name) else None
    is_share = expr_type is not None and expr_type.share
    en, vi = domain.interval.describe(domain.integer)
    text = rule.expr.span.text
    if rule.low is None or rule.high is None:
        lo, hi = domain.interval.lo, domain.interval.hi
        if is_share or (lo is not None and lo >= 0 and hi is not None and hi <= 1):
            return
        reporter.report(
            codes.PROPORTIONAL_SCALE, rule.expr.span,
            detail=f"`proportional {text}` reads `{text}` as a share from 0 to 1, but it can take {en}",
            detail_vi=f"`proportional {text}` coi `{text}` là tỷ lệ từ 0 đến 1, nhưng nó có thể nhận {vi}",
            hint=Text(f"state the scale: `proportional {text} from <0 points> to <all points>`, or "
                      "compare with the best: `relative to best in block`",
                      f"ghi rõ thang: `proportional {text} from <0 điểm> to <tối đa>`, hoặc so với "
                      "đơn vị cao nhất: `relative to best in block`"),
        )
        return
    scale = Interval(rule.low.value, rule.high.value)
    if not domain.interval.intersect(scale).empty(False):
        return
    percent_hint = is_share and rule.high.value > 1
    reporter.report(
        codes.PROPORTIONAL_SCALE, rule.low.span,
        detail=f"the scale {rule.low.span.text} to {rule.high.span.text} lies outside the values "
        f"`{text}` can take ({en})",
        detail_vi=f"thang {rule.low.span.text} đến {rule.high.span.text} nằm ngoài các giá trị "
        f"`{text}` có thể nhận ({vi})",
        hint=Text(f"`{text}` is a share: write the scale in percent, e.g. "
                  f"`from {rule.low.span.text}% to {rule.high.span.text}%`",
                  f"`{text}` là tỷ lệ: ghi thang bằng phần trăm, ví dụ "
                  f"`from {rule.low.span.text}% to {rule.high.span.text}%`") if percent_hint else None,
    )


def _check_table_keys(table: s.Table, symbols: Symbols, reporter: Reporter) -> None:
    expected: list[str] | None = None
    if isinstance(table.expr, s.Name):
        indicator = symbols.indicators.get(table.expr.name)
        if indicator is not None and indicator.kind == "options":
            expected = [o.id for o in indicator.options]
        elif indicator is not None and indicator.kind == "level" and indicator.levels:
            expected = [str(n) for n in range(indicator.levels[0], indicator.levels[1] + 1)]
        elif indicator is not None and indicator.kind == "yes/no":
            expected = ["yes", "no"]
    seen: dict[str, s.TableRow] = {}
    has_otherwise = False
    for row in table.rows:
        if row.key is None:
            has_otherwise = True
            continue
        key = _key_text(row.key)
        if key in seen:
            reporter.report(
                codes.DUPLICATE_ID, row.span, name=key,
                labels=[Label(seen[key].span, Text("first given here", "khai báo lần đầu ở đây"))],
                hint=Text("give each value one row", "mỗi giá trị chỉ có một dòng"),
            )
        seen.setdefault(key, row)
        if expected is not None and key not in expected:
            reporter.report(
                codes.BAD_VALUE, row.span,
                detail=f"`{key}` is not a value of `{table.expr.span.text}`",
                detail_vi=f"`{key}` không phải một giá trị của `{table.expr.span.text}`",
                hint=Text("its values are: " + ", ".join(expected),
                          "các giá trị: " + ", ".join(expected)) if expected else None,
            )
    if has_otherwise:
        return
    missing = [k for k in expected if k not in seen] if expected is not None else ["other values"]
    if missing:
        listed = ", ".join(missing)
        reporter.report(
            codes.TABLE_NOT_EXHAUSTIVE, table.span, missing=listed,
            missing_vi="các giá trị khác" if expected is None else listed,
            hint=Text("add a row for each, or `otherwise: 0`",
                      "thêm một dòng cho mỗi giá trị, hoặc `otherwise: 0`"),
        )


def _key_text(key: s.Number | s.YesNo | s.Name) -> str:
    if isinstance(key, s.Number):
        return _fmt(key.value)
    if isinstance(key, s.YesNo):
        return "yes" if key.value else "no"
    return key.name


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
    if node.mode == "weighted mean":
        return  # children are averaged as shares; their maxima need not add up
    problems: dict[tuple[str, Fraction, Fraction], list[str]] = {}  # → the blocks it occurs in
    for block in blocks:
        applying = [c for c in node.children if block in blocks_of.get(c.id, ())]
        if not applying or any(_bad_max(n, block) for n in (node, *applying)):
            continue  # a missing or percent maximum is E309 already; totals would echo it
        maximum = declared_max(node, block)
        child_max = [declared_max(c, block) or Fraction(0) for c in applying]
        if maximum is None:
            continue
        reach = max(child_max) if node.mode == "best" else sum(child_max, Fraction(0))
        kind = "short" if reach < maximum else "over" if reach > maximum else ""
        if not kind or (kind == "over" and node.mode == "capped sum"):
            continue
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
        if kind == "over" and node.mode == "sum":
            hint = Text("if the decree caps the total, write `capped sum of`",
                        "nếu văn bản giới hạn tổng điểm, viết `capped sum of`")
        reporter.report(
            code, node.span, node=node.id, reach=_fmt(reach), maximum=_fmt(maximum),
            where=where, where_vi=where_vi, hint=hint,
        )
