"""Explanations in words (Vietnamese and English): the phrases stored in results, and the
readable text of an evaluation or a ranking.

Numbers are shown the way each language writes them: `28,5` and `95%` in Vietnamese,
`28.5` and `95%` in English. Exact values stay in the results; these are for people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from egov_rules import syntax as s
from egov_rules.diagnostics import Lang
from egov_rules.results import Evaluation, IndexResult, NodeResult, Ranking, ValueRead, Words

if TYPE_CHECKING:
    from egov_rules.model import Model


# -- numbers -------------------------------------------------------------------------------


def fmt(value: Fraction, lang: Lang = "en", share: bool = False, digits: int = 4) -> str:
    """A number for people: at most `digits` decimals, halves rounded up, zeros trimmed."""
    if share:
        return fmt(value * 100, lang, digits=2) + "%"
    scale = 10**digits
    # Integer arithmetic: floor(|n/d| · scale + 1/2) without building Fractions (hot path).
    numerator, denominator = abs(value.numerator), value.denominator
    whole = (2 * numerator * scale + denominator) // (2 * denominator)
    sign = "-" if value < 0 and whole else ""
    integer, fraction = divmod(whole, scale)
    text = f"{integer}"
    if fraction:
        text += "." + f"{fraction:0{digits}d}".rstrip("0")
    text = sign + text
    return text.replace(".", ",") if lang == "vi" else text


def fmt_published(value: Fraction, lang: Lang = "en", digits: int | None = None) -> str:
    """An index as published: exactly `digits` decimals when the index declares `round N`
    (0.720, 1.000), otherwise up to 12 decimals."""
    if digits is None:
        return fmt(value, lang, digits=12)
    whole, _, decimals = fmt(value, "en", digits=digits).partition(".")
    text = f"{whole}.{decimals.ljust(digits, '0')}" if digits else whole
    return text.replace(".", ",") if lang == "vi" else text


def _points_en(value: Fraction) -> str:
    return "point" if value == 1 else "points"


def both(en: str, vi: str) -> Words:
    return Words(en=en, vi=vi)


def _both_fmt(value: Fraction, share: bool = False) -> tuple[str, str]:
    return fmt(value, "en", share), fmt(value, "vi", share)


def _is_share(model: Model, name: str | None) -> bool:
    t = model.types.get(name or "")
    return bool(t and t.share)


def shown(model: Model, name: str, value: Any) -> Words:
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
    en, vi = _both_fmt(value, _is_share(model, name))
    return both(en, vi)


def _label(model: Model, name: str) -> tuple[str, str]:
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


def not_applicable(reason: str, detail: str | None = None) -> Words:
    if reason == "block":
        return both(f"does not apply to this block ({detail})",
                    f"không áp dụng cho khối này ({detail})")
    if reason == "when":
        return both(f"does not apply: its condition `{detail}` is not met",
                    f"không áp dụng: điều kiện `{detail}` không thoả")
    if reason == "children":
        return both("does not apply: none of its criteria applies",
                    "không áp dụng: không tiêu chí con nào được áp dụng")
    return both("does not apply: its parent does not apply",
                "không áp dụng: mục cha không được áp dụng")


def best_of(best: NodeResult) -> Words:
    en, vi = _both_fmt(best.points or Fraction(0))
    return both(f"the best of the alternatives: {best.id} with {en} points",
                f"lấy phương án cao điểm nhất: {best.id} với {vi} điểm")


def weighted_mean(share: Fraction, maximum: Fraction, some_dropped: bool) -> Words:
    s_en, s_vi = _both_fmt(share, share=True)
    m_en, m_vi = _both_fmt(maximum)
    note_en = " (weights re-normalised over the criteria that apply)" if some_dropped else ""
    note_vi = " (trọng số chuẩn hoá lại trên các tiêu chí được áp dụng)" if some_dropped else ""
    return both(f"weighted mean of the criteria's shares {s_en} × {m_en} points{note_en}",
                f"trung bình có trọng số của tỷ lệ điểm {s_vi} × {m_vi} điểm{note_vi}")


def summed(total: Fraction, points: Fraction, maximum: Fraction) -> Words:
    t_en, t_vi = _both_fmt(total)
    if total > points:
        m_en, m_vi = _both_fmt(maximum)
        return both(f"sum of its criteria, {t_en}, capped at {m_en}",
                    f"tổng điểm các tiêu chí, {t_vi}, giới hạn ở {m_vi}")
    return both(f"sum of its criteria: {t_en}", f"tổng điểm các tiêu chí: {t_vi}")


def proportional(model: Model, rule: s.Proportional, value: Fraction, share: Fraction,
                 maximum: Fraction, best: Fraction | None, low: Fraction, high: Fraction
                 ) -> Words:
    name = rule.expr.name if isinstance(rule.expr, s.Name) else None
    as_share = _is_share(model, name)
    v_en, v_vi = _both_fmt(value, as_share)
    sh_en, sh_vi = _both_fmt(share, share=True)
    m_en, m_vi = _both_fmt(maximum)
    p_en, p_vi = _both_fmt(share * maximum)
    if best is not None:
        b_en, b_vi = _both_fmt(best, as_share)
        return both(
            f"{v_en} ÷ best in block {b_en} = {sh_en}; {sh_en} × {m_en} = {p_en} points",
            f"{v_vi} ÷ giá trị cao nhất của khối {b_vi} = {sh_vi}; {sh_vi} × {m_vi} = {p_vi} điểm",
        )
    if rule.low is not None:
        lo_en, lo_vi = _both_fmt(low, rule.low.percent)
        hi_en, hi_vi = _both_fmt(high, rule.low.percent)
        return both(
            f"{v_en} on the scale from {lo_en} (0 points) to {hi_en} (all points) = {sh_en}; "
            f"{sh_en} × {m_en} = {p_en} points",
            f"{v_vi} trên thang từ {lo_vi} (0 điểm) đến {hi_vi} (tối đa) = {sh_vi}; "
            f"{sh_vi} × {m_vi} = {p_vi} điểm",
        )
    return both(f"share {sh_en} × {m_en} = {p_en} points",
                f"tỷ lệ {sh_vi} × {m_vi} = {p_vi} điểm")


def _band_text(band: s.Band, as_share: bool) -> tuple[str, str]:
    if band.threshold is None:
        return "otherwise", "các trường hợp còn lại"
    t_en, t_vi = _both_fmt(band.threshold.value, as_share or band.threshold.percent)
    vi_op = {"at least": "từ", "above": "trên", "at most": "tối đa", "below": "dưới"}[band.op]
    return f"{band.op} {t_en}", f"{vi_op} {t_vi}"


def band_fired(model: Model, rule: s.Bands, band: s.Band, value: Fraction) -> Words:
    name = rule.expr.name if isinstance(rule.expr, s.Name) else None
    as_share = _is_share(model, name)
    v_en, v_vi = _both_fmt(value, as_share)
    c_en, c_vi = _band_text(band, as_share)
    award = band.award.value if isinstance(band.award, s.Number) else Fraction(0)
    a_en, a_vi = _both_fmt(award)
    return both(f"{v_en} falls in the band `{c_en}`: {a_en} points",
                f"{v_vi} thuộc mức `{c_vi}`: {a_vi} điểm")


def yes_no(value: bool, maximum: Fraction) -> Words:
    m_en, m_vi = _both_fmt(maximum)
    if value:
        return both(f"yes: {m_en} points", f"có: {m_vi} điểm")
    return both("no: 0 points", "không: 0 điểm")


def per(model: Model, rule: s.Per, value: Fraction, raw: Fraction, points: Fraction) -> Words:
    e_en, e_vi = _both_fmt(rule.each.value)
    v_en, v_vi = _both_fmt(value)
    c_en, c_vi = _both_fmt(rule.cap.value)
    p_en, p_vi = _both_fmt(points)
    capped = raw > points
    return both(
        f"{e_en} per unit × {v_en} = {p_en} points" + (f" (capped at {c_en})" if capped else ""),
        f"{e_vi} điểm/đơn vị × {v_vi} = {p_vi} điểm" + (f" (tối đa {c_vi})" if capped else ""),
    )


def table_row(model: Model, rule: s.Table, row: s.TableRow, value: Any) -> Words:
    name = rule.expr.name if isinstance(rule.expr, s.Name) else ""
    v = shown(model, name, value)
    p_en, p_vi = _both_fmt(row.points.value)
    if row.key is None:
        return both(f"{v.en}: the `otherwise` row, {p_en} points",
                    f"{v.vi}: dòng `các trường hợp còn lại`, {p_vi} điểm")
    return both(f"{v.en}: {p_en} points", f"{v.vi}: {p_vi} điểm")


# -- hints ---------------------------------------------------------------------------------


def hint_raise(model: Model, name: str, current: Fraction, target: Fraction, gain: Fraction,
               env: Mapping[str, Any]) -> Words:
    l_en, l_vi = _label(model, name)
    as_share = _is_share(model, name)
    c_en, c_vi = _both_fmt(current, as_share)
    t_en, t_vi = _both_fmt(target, as_share)
    g_en, g_vi = _both_fmt(gain)
    up = target > current
    verb_en, verb_vi = ("raise", "nâng") if up else ("lower", "giảm")
    extra_en, extra_vi = _ratio_inputs(model, name, target, env)
    return both(
        f"{verb_en} {l_en} from {c_en} to {t_en}{extra_en} to gain {g_en} {_points_en(gain)}",
        f"{verb_vi} {l_vi} từ {c_vi} lên {t_vi}{extra_vi} để được thêm {g_vi} điểm"
        if up else f"{verb_vi} {l_vi} từ {c_vi} xuống {t_vi}{extra_vi} để được thêm {g_vi} điểm",
    )


def _ratio_inputs(model: Model, name: str, target: Fraction, env: Mapping[str, Any]
                  ) -> tuple[str, str]:
    """For `let x = a / b` with `b` neutral: the value of `a` that reaches the target."""
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
    n_en, n_vi = _both_fmt(needed)
    return f" ({numerator} {n_en})", f" ({numerator} {n_vi})"


def hint_yes(model: Model, name: str, gain: Fraction) -> Words:
    l_en, l_vi = _label(model, name)
    g_en, g_vi = _both_fmt(gain)
    return both(f"{l_en}: a yes would gain {g_en} {_points_en(gain)}",
                f"{l_vi}: nếu có sẽ được thêm {g_vi} điểm")


def hint_table(model: Model, name: str, current: Any, target: Any, gain: Fraction) -> Words:
    l_en, l_vi = _label(model, name)
    c, t = shown(model, name, current), shown(model, name, target)
    g_en, g_vi = _both_fmt(gain)
    return both(f"move {l_en} from {c.en} to {t.en} to gain {g_en} {_points_en(gain)}",
                f"chuyển {l_vi} từ {c.vi} sang {t.vi} để được thêm {g_vi} điểm")


# -- indices -------------------------------------------------------------------------------


_METHOD_WORDS = {
    "share of max": ("share of max", "tỷ lệ trên điểm tối đa"),
    "weighted mean": ("weighted mean", "trung bình có trọng số"),
    "mean": ("mean", "trung bình cộng"),
}


def index_words(index: s.Index, value: Fraction | None, rounded: Fraction | None,
                points: Fraction | None, maximum: Fraction | None) -> Words:
    if value is None:
        return both("not computed: none of its parts applies",
                    "không tính: không thành phần nào được áp dụng")
    shown_value = rounded if rounded is not None else value
    r_en, r_vi = fmt_published(shown_value, "en", index.round), fmt_published(shown_value, "vi", index.round)
    if index.method == "share of max" and points is not None and maximum is not None:
        p_en, p_vi = _both_fmt(points)
        m_en, m_vi = _both_fmt(maximum)
        return both(f"{p_en} of {m_en} points = {r_en}", f"{p_vi} trên {m_vi} điểm = {r_vi}")
    terms_en = ", ".join(
        t.ref.name + (f" {fmt(t.weight.value, share=True)}" if t.weight else "")
        for t in index.terms
    )
    terms_vi = terms_en.replace(".", ",")
    method_en, method_vi = _METHOD_WORDS[index.method]
    return both(f"{method_en} of {terms_en} = {r_en}", f"{method_vi} của {terms_vi} = {r_vi}")


def lowest_value_reaching(band: s.Band, digits: int | None) -> Fraction | None:
    """The smallest exact index whose published (rounded) value meets an `at least`/`above`
    band; None when no smallest value exists (`above t` without rounding)."""
    assert band.threshold is not None
    t = band.threshold.value
    if digits is None:
        return t if band.op == "at least" else None
    scale = 10**digits
    steps = math.ceil(t * scale) if band.op == "at least" else math.floor(t * scale) + 1
    # Half-up rounding publishes `steps / scale` from half a step below it.
    return max(Fraction(2 * steps - 1, 2 * scale), Fraction(0))


def next_grade(bands: tuple[s.Band, ...], current: s.Band, points: Fraction | None,
               maximum: Fraction | None, digits: int | None) -> Words | None:
    """What reaches the next better grade: points for a share-of-max index, else its value."""
    position = bands.index(current)
    for band in reversed(bands[:position]):
        if band.threshold is None or band.op not in ("at least", "above"):
            continue
        label_en = band.award_en or str(band.award)
        t_en, t_vi = _both_fmt(band.threshold.value)
        if band.op == "above":
            t_en, t_vi = f"above {t_en}", f"trên {t_vi}"
        lowest = lowest_value_reaching(band, digits)
        if points is not None and maximum and lowest is not None:
            need = max(lowest * maximum - points, Fraction(0))
            n_en, n_vi = _both_fmt(need)
            return both(f"{n_en} more points (index {t_en}) reach “{label_en}”",
                        f"thêm {n_vi} điểm (chỉ số {t_vi}) để đạt “{band.award}”")
        if band.op == "at least":
            t_en, t_vi = f"of {t_en}", f"từ {t_vi}"
        return both(f"an index {t_en} reaches “{label_en}”",
                    f"chỉ số {t_vi} để đạt “{band.award}”")
    return None


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
    """The `round N` an index declares (read from any evaluation of the ranking)."""
    return next((e.index(index_id).round for e in ranking.evaluations), None)


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


# -- rules in words (for annexes: what a rule does, before any entity is scored) -----------


def band_condition(model: Model, expr: s.Expr | None, band: s.Band) -> Words:
    """A band's condition (`at least 29%`, `otherwise`), in the units of what it tests
    (`expr` is None for grades, which test an index)."""
    name = expr.name if isinstance(expr, s.Name) else None
    en, vi = _band_text(band, _is_share(model, name))
    return both(en, vi)


def table_key(model: Model, rule: s.Table, row: s.TableRow) -> Words:
    """The value a table row matches, shown as the data would show it."""
    if row.key is None:
        return both("otherwise", "các trường hợp còn lại")
    name = rule.expr.name if isinstance(rule.expr, s.Name) else ""
    key = row.key
    if isinstance(key, s.Name):
        label = shown(model, name, key.name).vi
        return both(f"`{key.name}` ({label})", f"{label} (`{key.name}`)") if label != key.name \
            else both(f"`{key.name}`", f"`{key.name}`")
    return shown(model, name, key.value)


def rule_words(model: Model, rule: s.Rule, maximum: Fraction) -> Words:
    """How a scoring rule turns its input into points, for a node worth `maximum`."""
    x = f"`{rule.expr.span.text}`"
    m_en, m_vi = _both_fmt(maximum)
    if isinstance(rule, s.Proportional):
        return _proportional_rule(rule, x, m_en, m_vi)
    if isinstance(rule, s.Bands):
        return both(f"by bands of {x}: the first row that holds gives the points",
                    f"theo mức của {x}: dòng đầu tiên thoả điều kiện cho số điểm")
    if isinstance(rule, s.YesNoRule):
        return both(f"{x}: yes gives {m_en} points, no gives 0",
                    f"{x}: có được {m_vi} điểm, không được 0 điểm")
    if isinstance(rule, s.Per):
        e_en, e_vi = _both_fmt(rule.each.value)
        c_en, c_vi = _both_fmt(min(rule.cap.value, maximum))
        return both(f"{e_en} {_points_en(rule.each.value)} per unit of {x}, at most {c_en}",
                    f"{e_vi} điểm cho mỗi đơn vị của {x}, tối đa {c_vi} điểm")
    return both(f"points by the value of {x}", f"điểm theo giá trị của {x}")


def _proportional_rule(rule: s.Proportional, x: str, m_en: str, m_vi: str) -> Words:
    if rule.relative:
        text = both(f"{x} ÷ the best value in the block × {m_en} points",
                    f"{x} ÷ giá trị cao nhất trong khối × {m_vi} điểm")
        if rule.reference is None:
            return text
        r_en, r_vi = _both_fmt(rule.reference.value, rule.reference.percent)
        return both(f"{text.en}; scored alone, the best value is taken as {r_en}",
                    f"{text.vi}; khi chấm riêng, giá trị cao nhất lấy bằng {r_vi}")
    if rule.low is not None and rule.high is not None:
        lo_en, lo_vi = _both_fmt(rule.low.value, rule.low.percent)
        hi_en, hi_vi = _both_fmt(rule.high.value, rule.high.percent)
        return both(f"{x} from {lo_en} (0 points) to {hi_en} ({m_en} points), linear in between",
                    f"{x} từ {lo_vi} (0 điểm) đến {hi_vi} ({m_vi} điểm), tuyến tính ở giữa")
    return both(f"{x} (a share, 0 to 1) × {m_en} points", f"tỷ lệ {x} (từ 0 đến 1) × {m_vi} điểm")


def combine_words(mode: s.CombineMode) -> Words:
    """How a node's children make its points."""
    return {
        "sum": both("sum of the points of its parts", "tổng điểm các mục con"),
        "capped sum": both("sum of the points of its parts, never above its maximum",
                           "tổng điểm các mục con, không vượt quá điểm tối đa"),
        "best": both("the points of its best-scoring alternative",
                     "điểm của phương án cao điểm nhất"),
        "weighted mean": both(
            "weighted mean of its parts' shares (points ÷ maximum) × its maximum; weights are "
            "re-normalised over the parts that apply",
            "trung bình có trọng số của tỷ lệ điểm đạt (điểm ÷ tối đa) các mục con × điểm tối "
            "đa; trọng số được chuẩn hoá lại trên các mục được áp dụng"),
    }[mode]
