"""Explanations in words (Vietnamese and English): the phrases stored in results, and the
readable text of an evaluation or a ranking.

Numbers are shown the way each language writes them: `28,5` and `95%` in Vietnamese,
`28.5` and `95%` in English. Exact values stay in the results; these are for people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from egov_rules import syntax as s
from egov_rules.diagnostics import Lang, Text
from egov_rules.numbers import fmt, fmt_published
from egov_rules.results import (
    CohortSource,
    Evaluation,
    IndexResult,
    NextPoints,
    NodeResult,
    Ranking,
    RankStep,
    ValueRead,
)

if TYPE_CHECKING:
    from egov_rules.model import Model


# -- numbers -------------------------------------------------------------------------------


def points_word(value: Fraction) -> str:
    return "point" if value == 1 else "points"


def both(en: str, vi: str) -> Text:
    return Text(en=en, vi=vi)


def both_fmt(value: Fraction, share: bool = False) -> tuple[str, str]:
    return fmt(value, "en", share), fmt(value, "vi", share)


def _is_share(model: Model, name: str | None) -> bool:
    t = model.types.get(name or "")
    return bool(t and t.share)


def is_share(model: Model, expr: s.Expr) -> bool:
    """Whether an expression is a bare share indicator or derived value (shown as 95%)."""
    return isinstance(expr, s.Name) and _is_share(model, expr.name)


def shown(model: Model, name: str, value: Any) -> Text:
    """How a value of indicator/let `name` is shown in each language."""
    if isinstance(value, bool):
        return both("yes" if value else "no", "có" if value else "không")
    if isinstance(value, str):
        indicator = model.indicators.get(name)
        option = next((o for o in indicator.options if o.id == value), None) if indicator else None
        label = option.label if option and option.label else value
        return both(f"{value} ({label})" if label != value else value, label)
    t = model.types.get(name)
    if t is not None and t.kind == "level":
        return both(f"level {fmt(value)}", f"mức {fmt(value, 'vi')}")
    en, vi = both_fmt(value, _is_share(model, name))
    return both(en, vi)


# How an operator of the language reads in words (en, vi); a comparison keeps its sign.
_OPERATORS: dict[str, tuple[str, str]] = {
    "and": ("and", "và"), "or": ("or", "hoặc"), "=": ("=", "="), "!=": ("≠", "≠"),
    ">": (">", ">"), ">=": ("≥", "≥"), "<": ("<", "<"), "<=": ("≤", "≤"),
    "+": ("+", "+"), "-": ("−", "−"), "*": ("×", "×"), "/": ("÷", "÷"),
}
_GROUPING = {"and", "or", "+", "*"}  # a chain of one of these needs no parentheses
_INLINED = 3


def name_label(model: Model, name: str) -> tuple[str, str]:
    """What an indicator, derived value, node or index is called (en, vi), without its id."""
    indicator = model.indicators.get(name)
    let = model.lets.get(name)
    node = model.nodes.get(name)
    index = model.indices.get(name)
    if indicator is not None:
        en_attr = indicator.get("en")
        return (str(en_attr.value) if en_attr else indicator.label), indicator.label
    if let is not None and let.label:
        return let.label_en or let.label, let.label
    if node is not None:
        return model.label_en(node) or node.label, node.label
    if index is not None and index.label:
        return index.label_en or index.label, index.label
    return name, name


def expr_words(model: Model, expr: s.Expr) -> Text:
    """An expression as people read it: names by their labels in quotes, `and`/`or`/`not`
    and functions in words. Annexes and explanations show this, never the rule's text."""
    en, vi = _words(model, expr)
    return both(en, vi)


def _words(model: Model, expr: s.Expr, parent: str | None = None, inlined: int = 0
           ) -> tuple[str, str]:
    """(en, vi); `parent`: the operator around it; `inlined`: unlabelled lets already replaced
    by their formulas around it (a few at most: a chain of thousands stays readable, and finite)."""
    def words(inner: s.Expr, around: str | None = None) -> tuple[str, str]:
        return _words(model, inner, around, inlined)

    match expr:
        case s.Name(name=name) if name in model.lets and not model.lets[name].label \
                and inlined < _INLINED:
            return _words(model, model.lets[name].expr, "name", inlined + 1)  # what it is
        case s.Name(name=name):
            en, vi = name_label(model, name)
            return f"“{en}”", f"“{vi}”"
        case s.Number(value=value, percent=percent):
            return both_fmt(value, percent)
        case s.YesNo(value=value):
            return ("yes", "có") if value else ("no", "không")
        case s.Unary(op="not", operand=operand):
            en, vi = words(operand)
            return f"not {en}", f"không {vi}"
        case s.Unary(operand=operand):
            en, vi = words(operand, "-")
            return f"−{en}", f"−{vi}"
        case s.Binary(op=op, left=left, right=right):
            l_en, l_vi = words(left, op)
            r_en, r_vi = words(right, op)
            o_en, o_vi = _OPERATORS[op]
            en, vi = f"{l_en} {o_en} {r_en}", f"{l_vi} {o_vi} {r_vi}"
            if parent is not None and not (parent == op and op in _GROUPING):
                return f"({en})", f"({vi})"
            return en, vi
        case s.Call(args=args):
            from egov_rules.kinds.functions import let_function  # kinds import this module

            w_en, w_vi = let_function(expr).words
            said = [words(arg) for arg in args]
            return (f"{w_en} ({', '.join(w[0] for w in said)})",
                    f"{w_vi} ({', '.join(w[1] for w in said)})")
    return expr.span.text, expr.span.text  # pragma: no cover - every expression is matched


def input_label(model: Model, name: str) -> tuple[str, str]:
    indicator = model.indicators.get(name)
    if indicator is not None:
        en_attr = indicator.get("en")
        en = str(en_attr.value) if en_attr else indicator.label
        return f"{en} ({name})", f"{indicator.label} ({name})"
    let = model.lets.get(name)
    if let is not None and let.label:
        return f"{let.label_en or let.label} ({name})", f"{let.label} ({name})"
    return name, name


# -- branches ------------------------------------------------------------------------------


def not_applicable(reason: str, detail: str | None = None) -> Text:
    if reason == "block":
        return both(f"does not apply to this block ({detail})",
                    f"không áp dụng cho khối này ({detail})")
    if reason == "when":
        return both(f"does not apply: its condition `{detail}` is not met",
                    f"không áp dụng: điều kiện `{detail}` không thoả")
    if reason == "missing":
        return both(f"does not apply: {detail} is missing (policy: not applicable)",
                    f"không áp dụng: thiếu số liệu {detail} (quy định: not applicable)")
    if reason == "children":
        return both("does not apply: none of its criteria applies",
                    "không áp dụng: không tiêu chí con nào được áp dụng")
    return both("does not apply: its parent does not apply",
                "không áp dụng: mục cha không được áp dụng")


def filled(shown: Text, policy: str) -> Text:
    """A value the entity did not give, as the `missing` policy filled it."""
    return Text(f"{shown.en} (missing; policy: {policy})",
                f"{shown.vi} (thiếu số liệu; quy định: {policy})")


# -- hints ---------------------------------------------------------------------------------


def hint_raise(model: Model, name: str, current: Fraction, target: Fraction, gain: Fraction,
               env: Mapping[str, Any]) -> Text:
    l_en, l_vi = input_label(model, name)
    as_share = _is_share(model, name)
    c_en, c_vi = both_fmt(current, as_share)
    t_en, t_vi = both_fmt(target, as_share)
    g_en, g_vi = both_fmt(gain)
    up = target > current
    verb_en, verb_vi = ("raise", "nâng") if up else ("lower", "giảm")
    extra_en, extra_vi = _ratio_inputs(model, name, target, env)
    return both(
        f"{verb_en} {l_en} from {c_en} to {t_en}{extra_en} to gain {g_en} {points_word(gain)}",
        f"{verb_vi} {l_vi} từ {c_vi} lên {t_vi}{extra_vi} để được thêm {g_vi} điểm"
        if up else f"{verb_vi} {l_vi} từ {c_vi} xuống {t_vi}{extra_vi} để được thêm {g_vi} điểm",
    )


def _ratio_inputs(model: Model, name: str, target: Fraction, env: Mapping[str, Any]
                  ) -> tuple[str, str]:
    """For `let x = a / b` with `b` neutral: the value of `a` that reaches the target; for an
    indicator given `per d`: the figure to give, as given (the target times d)."""
    per = model.denominator(name)
    if per is not None and isinstance(env.get(per), Fraction):
        # the figure to give, not the one given: an imputed value was never given
        by: Fraction = env[per]
        need_en, need_vi = both_fmt(target * by)
        d_en, d_vi = both_fmt(by)
        return (f" (as given: {need_en}, per {per} {d_en})",
                f" (theo số liệu: {need_vi}, chia cho {per} {d_vi})")
    let = model.lets.get(name)
    if let is None or not isinstance(let.expr, s.Binary) or let.expr.op != "/":
        return "", ""
    numerator, denominator = let.expr.left, let.expr.right
    if not (isinstance(numerator, s.Name) and isinstance(denominator, s.Name)):
        return "", ""
    return _numerator_phrase(model, numerator.name, denominator.name, target, env)


def _numerator_phrase(model: Model, numerator: str, denominator: str, target: Fraction,
                      env: Mapping[str, Any]) -> tuple[str, str]:
    if denominator not in env or not isinstance(env[denominator], Fraction):
        return "", ""
    needed = target * env[denominator]
    t = model.types.get(numerator)
    if t is not None and t.integer:
        needed = Fraction(math.ceil(needed))
    n_en, n_vi = both_fmt(needed)
    return f" ({numerator} {n_en})", f" ({numerator} {n_vi})"


# -- indices -------------------------------------------------------------------------------


def not_computed() -> Text:
    return both("not computed: none of its parts applies",
                "không tính: không thành phần nào được áp dụng")


def published_pair(value: Fraction, digits: int | None) -> tuple[str, str]:
    """An index as published, in English and Vietnamese."""
    return fmt_published(value, "en", digits), fmt_published(value, "vi", digits)


# -- whole explanations --------------------------------------------------------------------

_HEAD = {
    "entity": ("Entity", "Đơn vị"), "block": ("block", "khối"), "points": ("points", "điểm"),
    "read": ("Read", "Giá trị"), "rule": ("Rule", "Cách tính"),
    "next": ("Next points", "Để thêm điểm"), "indices": ("Indices", "Chỉ số"),
    "reconstructed": ("reconstruction", "tái dựng"), "grade": ("grade", "xếp loại"),
    "next_grade": ("Next grade", "Lên hạng"), "na": ("not applicable", "không áp dụng"),
    "rank": ("rank", "hạng"), "ranking": ("Ranking", "Xếp hạng"),
}


def _h(key: str, lang: Lang) -> str:
    en, vi = _HEAD[key]
    return vi if lang == "vi" else en


def block_label(evaluation: Evaluation, lang: Lang) -> str:
    """The entity's block in the reader's language (falls back to the Vietnamese label)."""
    if lang == "en" and evaluation.block_label_en:
        return evaluation.block_label_en
    return evaluation.block_label or evaluation.block


def index_label(index: IndexResult, lang: Lang) -> str | None:
    return (index.label_en or index.label) if lang == "en" else (index.label or index.label_en)


def _node_label(node: NodeResult, lang: Lang) -> str:
    return (node.label_en or node.label) if lang == "en" else node.label


def _read_line(read: ValueRead, lang: Lang) -> str:
    label = (read.label_en or read.label) if lang == "en" else read.label
    text = f"{read.name} = {read.shown(lang)}"
    if label:
        text = f"{label} ({text})"
    if read.formula:
        inner = ", ".join(f"{i.name} = {i.shown(lang)}" for i in read.inputs)
        text += f" = {read.formula}" + (f" [{inner}]" if inner else "")
    return text


def render_evaluation(evaluation: Evaluation, lang: Lang = "vi") -> str:
    m = evaluation.methodology
    title = (m.title_en or m.title) if lang == "en" else (m.title or m.title_en)
    lines = [f"{title or m.id} ({m.year})" if m.year else f"{title or m.id}"]
    lines.append(f"{_h('entity', lang)}: {evaluation.entity} — {_h('block', lang)}: "
                 f"{block_label(evaluation, lang)}")
    for node in evaluation.nodes:
        lines.extend(_node_lines(node, lang))
    lines.append("")
    lines.append(f"{_h('indices', lang)}:")
    for index in evaluation.indices:
        value = index.rounded if index.rounded is not None else index.value
        shown_value = "—" if value is None else fmt_published(value, lang, index.round)
        grade = index.grade_en if lang == "en" and index.grade_en else index.grade
        grade_text = f" → {grade}" if grade else ""
        text = index_label(index, lang)
        label = f"{text} ({index.id})" if text else index.id
        lines.append(f"  {label} = {shown_value}{grade_text}   [{index.words(lang)}]")
        if index.next_grade is not None:
            lines.append(f"      {_h('next_grade', lang)}: {index.next_grade(lang)}")
    return "\n".join(lines) + "\n"


def _node_lines(node: NodeResult, lang: Lang) -> list[str]:
    pad = "  " * node.depth
    cites = "".join(f"  [{c}]" for c in node.citations)
    if node.reconstructed:
        cites += f"  ({_h('reconstructed', lang)}: {node.reconstructed})"
    if node.points is None or node.max is None:
        return ["", f"{pad}{_node_label(node, lang)} — {_h('na', lang)}{cites}",
                f"{pad}    {node.branch(lang)}"] if node.depth == 0 else [
            f"{pad}- {_node_label(node, lang)} — {_h('na', lang)}: {node.branch(lang)}"]
    score = f"{fmt(node.points, lang)}/{fmt(node.max, lang)} {_h('points', lang)}"
    head = f"{pad}{'' if node.depth == 0 else '- '}{_node_label(node, lang)} — {score}{cites}"
    lines = ["", head] if node.depth == 0 else [head]
    inner = pad + "    "
    for read in node.read:
        lines.append(f"{inner}{_h('read', lang)}: {_read_line(read, lang)}")
    lines.append(f"{inner}{_h('rule', lang)}: {node.branch(lang)}")
    if node.next is not None:
        lines.append(f"{inner}{_h('next', lang)}: {node.next.words(lang)}")
    return lines


def declared_round(ranking: Ranking, index_id: str) -> int | None:
    """The `round N` an index declares (read from any evaluation of the ranking); None for a
    ranked node, whose points are shown as they are."""
    return next((e.index(index_id).round for e in ranking.evaluations
                 if e.indices.has(index_id)), None)


def render_ranking(ranking: Ranking, lang: Lang = "vi") -> str:
    lines: list[str] = []
    blocks = list(dict.fromkeys(e.block for e in ranking.evaluations))
    indices = list(dict.fromkeys(r.index for r in ranking.ranks))
    labels = {e.block: block_label(e, lang) for e in ranking.evaluations}
    for index in indices:
        for block in blocks:
            rows = ranking.table(index, block)
            if not rows:
                continue
            lines.append(f"{_h('ranking', lang)}: {index} — {labels[block]}")
            digits = declared_round(ranking, index)
            for row in rows:
                value = "—" if row.value is None else fmt_published(row.value, lang, digits)
                rank = "—" if row.rank is None else str(row.rank)
                shown_grade = row.grade_en if lang == "en" and row.grade_en else row.grade
                grade = f"  {shown_grade}" if shown_grade else ""
                lines.append(f"  {rank:>3}  {row.entity:<30} {value}{grade}")
            lines.append("")
    return "\n".join(lines)


# -- what lifts an entity: the largest gains and the next rank (explain, the HTML report) --

GAINS_PER_CATEGORY = 3  # explain's and the report's "largest gains": the top 3 of each category


@dataclass(frozen=True)
class GainRow:
    """One row of the largest-gains table: a criterion below its maximum and how to raise it."""

    category: str  # the top-level category's id
    node: NodeResult
    next: NextPoints


def gain_rows(evaluation: Evaluation) -> list[GainRow]:
    """The largest gains, category by category in the methodology's order, largest first."""
    return [GainRow(category, node, node.next)
            for category, nodes in evaluation.largest_gains(GAINS_PER_CATEGORY).items()
            for node in nodes if node.next is not None]


def standing_rows(evaluation: Evaluation, ranking: Ranking) -> list[tuple[IndexResult, RankStep | None]]:
    """Each index of the entity with its step to the next rank (None: the index is not ranked)."""
    steps = {step.index: step for step in ranking.next_rank(evaluation.entity)}
    return [(index, steps.get(index.id)) for index in evaluation.indices]


def node_standing_rows(evaluation: Evaluation, ranking: Ranking
                       ) -> list[tuple[NodeResult, RankStep]]:
    """Each ranked node of the entity with its step to the next rank, after the indices."""
    return [(evaluation.node(step.index), step) for step in ranking.next_rank(evaluation.entity)
            if not evaluation.indices.has(step.index)]


def step_words(step: RankStep, lang: Lang, node: bool = False) -> str:
    """What the next rank takes, in words: the points (or index rise) and whom it reaches;
    `node`: the step of a ranked node, whose value is its points."""
    if step.rank is None:
        return "—"
    if step.target_rank is None or step.index_gap is None:
        return "đã đứng đầu khối" if lang == "vi" else "already first in the block"
    names = ", ".join(step.target_entities)
    target = fmt(step.target_value or Fraction(0), lang, digits=12)
    if node:  # ranked on its own points
        points = fmt(step.points_needed or Fraction(0), lang)
        if lang == "vi":
            return f"thêm {points} điểm (lên {target}) để lên hạng {step.target_rank} cùng {names}"
        return f"{points} more points (to {target}) reach rank {step.target_rank} with {names}"
    if step.points_needed is not None:
        points = fmt(step.points_needed, lang)
        if lang == "vi":
            return f"thêm {points} điểm (chỉ số {target}) để lên hạng {step.target_rank} cùng {names}"
        return f"{points} more points (index {target}) reach rank {step.target_rank} with {names}"
    gap = fmt(step.index_gap, lang, digits=6)
    if lang == "vi":
        return f"tăng chỉ số thêm {gap} (lên {target}) để lên hạng {step.target_rank} cùng {names}"
    return f"raise the index by {gap} (to {target}) to reach rank {step.target_rank} with {names}"


# -- where a cohort figure came from ---------------------------------------------------------

_FIGURE_NAMES = {"": ("best", "cao nhất"), "min": ("min", "nhỏ nhất"), "max": ("max", "lớn nhất"),
                 "mean": ("mean", "trung bình"), "sd": ("population sd", "độ lệch chuẩn tổng thể"),
                 "worse": ("worse", "kém hơn"), "level": ("level", "ngang bằng"),
                 "count": ("n", "n")}
# The names of a percentile's figures (keys `node.worse`, …): an entity's own standing, which
# explanations, E208 and W529 tell apart from a block's figures by these names. Its branch
# says the counts already, so a cohort's are not said again, only over how many entities;
# counts are never shares.
STANDING_NAMES = ("worse", "level", "count")


def cohort_sources(figures: list[tuple[str, Fraction, CohortSource]], as_share: bool) -> Text:
    """The figures a node was compared with and where each came from: "min 1.3 = Tỉnh A,
    max 9.8 = Tỉnh B (of the block's 51 entities)", "max 9.8 (reference given)". `figures`:
    (the key's suffix, the figure, its source)."""
    parts_en, parts_vi = [], []
    counted: CohortSource | None = None
    # Figures that all come from one stated source say it once, after the last of them:
    # "min 0, max 200 (the rule's reference, line 18)".
    stated = [_source_words(s) for _, _, s in figures if s.kind not in ("cohort", "cohort file")]
    once = len(stated) > 1 and len(stated) == len(figures) and len(set(stated)) == 1
    for k, (name, value, source) in enumerate(figures):
        counted_here = source.kind in ("cohort", "cohort file")
        if counted_here and counted is None:
            counted = source
        if counted_here and name in STANDING_NAMES:
            continue
        en, vi = _FIGURE_NAMES[name]
        v_en, v_vi = both_fmt(value, as_share and name not in STANDING_NAMES)
        said = _source_words(source) if not once or k == len(figures) - 1 else both("", "")
        parts_en.append(f"{en} {v_en}{said.en}")
        parts_vi.append(f"{vi} {v_vi}{said.vi}")
    text = both(", ".join(parts_en), ", ".join(parts_vi))
    if counted is None or counted.count is None:
        return text
    of_en, of_vi = _cohort_words(counted, counted.count)
    if counted.from_file:
        of_en += f", {counted.from_file} from the cohort file"
        of_vi += f", {counted.from_file} từ tệp cohort"
    if not parts_en:
        return both(f"({of_en})", f"({of_vi})")
    return both(f"{text.en} ({of_en})", f"{text.vi} ({of_vi})")


def _cohort_words(source: CohortSource, n: int) -> tuple[str, str]:
    """Which entities a figure was found over: "of the block's 3 entities", "of all 30
    entities scored together", "of the group north's 12 entities"."""
    entities = "entity" if n == 1 else "entities"
    if source.scope == "all":
        return f"of all {n} {entities} scored together", f"trong tất cả {n} đơn vị được chấm cùng"
    if source.scope == "group":
        return f"of the group {source.group}'s {n} {entities}", \
            f"trong {n} đơn vị của nhóm {source.group}"
    return f"of the block's {n} {entities}", f"trong {n} đơn vị của khối"


def _source_words(source: CohortSource) -> Text:
    """What follows a figure: its holder, or the reference it is."""
    if source.kind == "given":
        return both(" (reference given)", " (giá trị tham chiếu được cho)")
    if source.kind == "rule":
        line_en = "" if source.line is None else f", line {source.line}"
        line_vi = "" if source.line is None else f", dòng {source.line}"
        return both(f" (the rule's reference{line_en})",
                    f" (giá trị tham chiếu của quy tắc{line_vi})")
    if source.entity is None:  # an aggregate: over every entity, held by none
        return both("", "")
    en, vi = f" = {source.entity}", f" = {source.entity}"
    if source.kind == "cohort file":
        en, vi = f"{en} (cohort file)", f"{vi} (tệp cohort)"
    others = (source.ties or 1) - 1
    if others:
        en += f", tied with {others} other{'' if others == 1 else 's'}"
        vi += f", ngang với {others} đơn vị khác"
    return both(en, vi)
