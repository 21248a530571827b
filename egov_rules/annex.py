"""Annexes generated from the rules: the tables a ministry publishes, one annex per block.

`build_annex` turns a compiled methodology into a small document structure (headings,
paragraphs, bullet lists, tables); `to_markdown` and `to_html` render that same structure, so
both formats always say the same thing. Inline `code` spans are the only markup in the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

from egov_rules import explain
from egov_rules import syntax as s
from egov_rules.diagnostics import Lang, Text
from egov_rules.kinds import rule_kind
from egov_rules.kinds.bands import band_condition
from egov_rules.kinds.combine import BEST, combine_kind
from egov_rules.kinds.index_methods import index_method
from egov_rules.kinds.weights import is_free, share_words
from egov_rules.methodology import Methodology
from egov_rules.model import Model, declared_max
from egov_rules.numbers import fmt

Format = Literal["markdown", "html"]

# -- the document structure ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    mark: bool = False  # a warning the reader must not miss (a reconstructed figure)


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Element = Heading | Paragraph | Bullets | Table


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    lang: Lang
    elements: tuple[Element, ...]


# -- words ---------------------------------------------------------------------------------

_W: dict[str, tuple[str, str]] = {  # key → (en, vi)
    "generated": ("Generated from `{file}` by `egov-rules doc`; do not edit by hand ({hash}).",
                  "Sinh tự động từ `{file}` bằng `egov-rules doc`; không sửa tay ({hash})."),
    "dropping": ("A criterion that does not apply (`only`, `when`) drops out of both the points "
                 "and the maximum.",
                 "Tiêu chí không áp dụng cho khối, hoặc không thoả điều kiện áp dụng, bị loại khỏi "
                 "cả điểm và điểm tối đa."),
    "annex": ("Annex {n}: {block}", "Phụ lục {n}: {block}"),
    "methodology": ("Methodology", "Phương pháp"), "year": ("Year", "Năm"),
    "source": ("Legal source", "Căn cứ pháp lý"), "missing": ("Missing data", "Số liệu thiếu"),
    "missing_error": ("a missing indicator is an error: the entity is not scored",
                      "thiếu chỉ tiêu là lỗi: đơn vị không được chấm điểm"),
    "missing_zero": ("a missing indicator counts as 0 (or no)",
                     "chỉ tiêu thiếu được tính là 0 (hoặc “không”)"),
    "missing_not applicable": ("the criteria that read a missing indicator do not apply",
                               "tiêu chí đọc chỉ tiêu thiếu không được áp dụng"),
    "missing_mean": ("a missing indicator is the mean of its block's given values",
                     "chỉ tiêu thiếu được tính bằng trung bình các giá trị đã có của khối"),
    "missing_mean_within": ("a missing indicator is the mean of the given values of the "
                            "block's entities with the same `{group}`",
                            "chỉ tiêu thiếu được tính bằng trung bình các giá trị đã có của "
                            "các đơn vị trong khối có cùng `{group}`"),
    "per": ("given per `{d}`: scored as the value ÷ `{d}`",
            "nhập theo `{d}`: chấm điểm theo giá trị ÷ `{d}`"),
    "indicators": ("Indicators", "Chỉ tiêu đầu vào"),
    "lets": ("Derived values", "Giá trị dẫn xuất"), "points": ("Points table", "Bảng điểm"),
    "totals": ("Totals check", "Kiểm tra tổng điểm"), "rules": ("Scoring", "Cách tính điểm"),
    "indices": ("Indices", "Chỉ số"), "grades": ("Grades", "Xếp loại"),
    "ranks": ("Ranking", "Xếp hạng"), "examples": ("Examples", "Ví dụ"),
    "id": ("Id", "Mã"), "label": ("Label", "Tên"), "type": ("Type", "Kiểu"),
    "unit": ("Unit", "Đơn vị tính"), "direction": ("Direction", "Chiều tốt"),
    "evidence": ("Evidence", "Minh chứng"), "data_source": ("Data source", "Nguồn số liệu"),
    "verified_by": ("Verified by", "Đơn vị xác minh"), "formula": ("Formula", "Công thức"),
    "zero": ("If a denominator is 0", "Khi mẫu số bằng 0"), "no": ("No.", "STT"),
    "item": ("Item", "Nội dung"), "max": ("Maximum", "Điểm tối đa"),
    "cite": ("Clause", "Căn cứ"), "notes": ("Notes", "Ghi chú"), "mode": ("Combined by", "Cách cộng"),
    "reach": ("Parts give", "Mục con đạt"), "result": ("Check", "Kết quả"),
    "total": ("Total", "Tổng cộng"), "method": ("Method", "Cách tính"),
    "rounding": ("Rounding", "Làm tròn"), "condition": ("Condition", "Điều kiện"),
    "value": ("Value", "Giá trị"), "grade": ("Grade", "Xếp loại"),
    "expected": ("Expected", "Kết quả mong đợi"), "inputs": ("Inputs", "Số liệu đầu vào"),
    "unused": ("Not used in this block: {names}.", "Không dùng cho khối này: {names}."),
    "scoring": ("Scoring", "Cách tính"), "applies_only": ("Applies only to", "Chỉ áp dụng cho khối"),
    "applies_when": ("Applies when", "Áp dụng khi"), "weight": ("Weight", "Trọng số"),
    "note": ("Note", "Ghi chú"), "vi_label": ("Vietnamese", "Tiếng Việt"),
    "reconstructed": ("⚠ tái dựng / reconstruction: {text}", "⚠ tái dựng / reconstruction: {text}"),
    "best_sign": ("best", "cao nhất"),
    "weights_sum": ("weights {total}", "trọng số {total}"),
    "renormalised": ("re-normalised", "chuẩn hoá lại"), "points_unit": ("points", "điểm"),
    "points_col": ("Points", "Điểm"), "sum": ("sum", "cộng"),
    "capped sum": ("sum, capped at the maximum", "cộng, không vượt quá tối đa"),
    "best": ("best alternative", "phương án cao nhất"),
    "weighted mean": ("weighted mean of shares", "trung bình có trọng số của tỷ lệ điểm"),
    "yes_better": ("yes is better", "“có” là tốt"),
    "index_round": ("{n} decimal places, halves rounded up", "{n} chữ số thập phân, làm tròn nửa lên"),
    "no_round": ("none (exact)", "không làm tròn (giá trị chính xác)"),
    "index_uses": ("An index built from another index uses its rounded value.",
                   "Chỉ số tính từ chỉ số khác dùng giá trị đã làm tròn của chỉ số đó."),
    "share_of_max": ("points of {terms} ÷ their maximum ({max} in this block)",
                     "điểm của {terms} ÷ điểm tối đa ({max} ở khối này)"),
    "weighted_mean": ("weighted mean: {terms}", "trung bình có trọng số: {terms}"),
    "mean": ("mean of {terms}", "trung bình cộng của {terms}"),
    "geometric_mean": ("geometric mean of {terms} (exact when rational, else to 30 significant "
                       "digits)", "trung bình nhân của {terms} (chính xác khi là số hữu tỷ, nếu "
                       "không thì đến 30 chữ số có nghĩa)"),
    "harmonic_mean": ("harmonic mean of {terms}", "trung bình điều hoà của {terms}"),
    "grades_for": ("For {targets}:", "Áp dụng cho {targets}:"),
    "competition": ("{targets}: ranked within the block; ties share a rank (1, 1, 3)",
                    "{targets}: xếp hạng trong khối; bằng điểm thì cùng hạng (1, 1, 3)"),
    "dense": ("{targets}: ranked within the block; ties share a rank, no gaps (1, 1, 2)",
              "{targets}: xếp hạng trong khối; bằng điểm thì cùng hạng, không bỏ hạng (1, 1, 2)"),
    "reference": ("best value in the block for {node}", "giá trị cao nhất của khối cho {node}"),
    "figure": ("figure of the block {name}", "số liệu của khối {name}"),
    "grade_of": ("grade of {index}", "xếp loại {index}"),
    "not_applicable": ("not applicable", "không áp dụng"),
    "count": ("count", "số đếm"), "number": ("number", "số"), "percent": ("percent", "tỷ lệ (%)"),
    "yes/no": ("yes/no", "có/không"), "level": ("level {a}–{b}", "mức {a}–{b}"),
    "options": ("one of: {options}", "một trong: {options}"),
    "between": ("from {a} to {b}", "từ {a} đến {b}"),
    "higher": ("higher is better", "càng cao càng tốt"),
    "lower": ("lower is better", "càng thấp càng tốt"), "neutral": ("neutral", "trung tính"),
}


class _Writer:
    """Text in one language, and the facts of one methodology the sections share."""

    def __init__(self, model: Model, lang: Lang) -> None:
        self.model, self.lang = model, lang

    def w(self, key: str, **values: str) -> str:
        en, vi = _W[key]
        return (vi if self.lang == "vi" else en).format(**values)

    def say(self, words: Text) -> str:
        return words(self.lang)

    def pick(self, words: tuple[str, str]) -> str:
        """The (en, vi) pair's text in this annex's language."""
        return words[1] if self.lang == "vi" else words[0]

    def num(self, value: Fraction, share: bool = False) -> str:
        return fmt(value, self.lang, share, digits=12)

    def node_label(self, node: s.Node) -> str:
        en = self.model.label_en(node)
        return f"{(en or node.label) if self.lang == 'en' else node.label} (`{node.id}`)"

    def block_label(self, block: s.Block) -> str:
        return (block.label_en or block.label) if self.lang == "en" else block.label

    def indicator_label(self, indicator: s.Indicator) -> str:
        en = self.model.label_en(indicator)
        return (en or indicator.label) if self.lang == "en" else indicator.label


# -- sections ------------------------------------------------------------------------------


def _header(wr: _Writer, block: s.Block, number: str) -> list[Element]:
    m = wr.model
    title = (m.header_text("title_en") or m.header_text("title")) if wr.lang == "en" else \
        m.header_text("title")
    block_label = wr.block_label(block)
    within = m.header_text("within")  # the file's default; an indicator may differ
    policy = wr.w(f"missing_{m.missing_policy}") if within is None else \
        wr.w("missing_mean_within", group=within)
    return [
        Heading(2, wr.w("annex", n=number, block=f"{block_label} (`{block.id}`)")),
        Bullets((f"{wr.w('methodology')}: {title or m.id} (`{m.id}`)",
                 f"{wr.w('year')}: {m.year if m.year is not None else '—'}",
                 f"{wr.w('source')}: {m.header_text('source') or '—'}",
                 f"{wr.w('missing')}: {policy}")),
    ]


def _indicator_type(wr: _Writer, indicator: s.Indicator) -> str:
    if indicator.kind == "level" and indicator.levels:
        text = wr.w("level", a=str(indicator.levels[0]), b=str(indicator.levels[1]))
    elif indicator.kind == "options":
        options = ", ".join(f"`{o.id}`" + (f" ({o.label})" if o.label else "")
                            for o in indicator.options)
        text = wr.w("options", options=options)
    else:
        text = wr.w(indicator.kind)
    between = indicator.get("between")
    if between is not None and isinstance(between.value, tuple):
        low, high = between.value
        text += ", " + wr.w("between", a=wr.num(low), b=wr.num(high))
    per = indicator.get("per")
    if per is not None:
        text += ", " + wr.w("per", d=str(per.value))
    return text


def _direction(wr: _Writer, indicator: s.Indicator) -> str:
    if indicator.kind == "yes/no" and indicator.direction == "higher":
        return wr.w("yes_better")
    return wr.w(indicator.direction)


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What a reader of an annex or a data-entry form is told of one indicator."""

    id: str
    label: str
    kind: str  # the type with its bounds: "số đếm, từ 0 đến 10"
    unit: str
    direction: str
    data_source: str
    used: bool  # read by a criterion of the block


def indicator_facts(model: Model, block: str, lang: Lang) -> list[IndicatorFacts]:
    """Every indicator as the annex of `block` describes it, in declaration order."""
    wr, used = _Writer(model, lang), data_read(model, block)
    return [IndicatorFacts(i.id, wr.indicator_label(i), _indicator_type(wr, i).replace("`", ""),
                           str(unit.value) if (unit := i.get("unit")) else "", _direction(wr, i),
                           str(source.value) if (source := i.get("data_source")) else "",
                           i.id in used)
            for i in model.indicators.values()]


def data_read(model: Model, block: str) -> frozenset[str]:
    """What a block's data must offer: what its criteria read, with the denominators (`per`)
    and the `within` groups of those indicators (a data-entry form needs their columns too)."""
    read = model.reads[block]
    extra = {model.denominator(n) for n in read if n in model.indicators} | \
        {model.group_for(n) for n in read if n in model.indicators
         and model.missing_for(n) == "mean"}
    return read | frozenset(n for n in extra if n is not None)


def _indicators(wr: _Writer, used: frozenset[str]) -> list[Element]:
    shown = [i for i in wr.model.indicators.values() if i.id in used]
    extra = [k for k in ("evidence", "data_source", "verified_by")
             if any(i.get(k) is not None for i in shown)]
    rows = []
    for i in shown:
        label = wr.indicator_label(i) + (f" — {note.value}" if (note := i.get("note")) else "")
        unit = i.get("unit")
        rows.append((f"`{i.id}`", label, _indicator_type(wr, i), str(unit.value) if unit else "",
                     _direction(wr, i), *(str(a.value) if (a := i.get(k)) else "" for k in extra)))
    head = (wr.w("id"), wr.w("label"), wr.w("type"), wr.w("unit"), wr.w("direction"),
            *(wr.w(k) for k in extra))
    out: list[Element] = [Heading(3, wr.w("indicators")), Table(head, tuple(rows))]
    unused = [f"`{i}`" for i in wr.model.indicators if i not in used]
    if unused:
        out.append(Paragraph(wr.w("unused", names=", ".join(unused))))
    return out


def _lets(wr: _Writer, used: frozenset[str]) -> list[Element]:
    def words(expr: s.Expr) -> str:
        return wr.say(explain.expr_words(wr.model, expr))

    rows = tuple(
        (f"`{let.id}`", let.label or "", words(let.expr),
         "; ".join(f"{words(z.condition)} → {words(z.fallback)}" for z in let.zero_rules) or "—")
        for let in wr.model.lets.values() if let.id in used
    )
    if not rows:
        return []
    head = (wr.w("id"), wr.w("label"), wr.w("formula"), wr.w("zero"))
    return [Heading(3, wr.w("lets")), Table(head, rows)]


_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50),
          ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def _roman(n: int) -> str:
    out = ""
    for letters, value in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def _numbered(model: Model, block: str) -> list[tuple[str, s.Node, int]]:
    """Every node of a block with its annex number (I, 1, 1.1, …) and depth."""
    found: list[tuple[str, s.Node, int]] = []

    def visit(nodes: tuple[s.Node, ...], prefix: str, depth: int) -> None:
        live = [n for n in nodes if block in model.blocks_of.get(n.id, ())]
        for position, node in enumerate(live, start=1):
            number = _roman(position) if depth == 0 else f"{prefix}{position}"
            found.append((number, node, depth))
            visit(node.children, "" if depth == 0 else f"{number}.", depth + 1)

    visit(model.tree.categories, "", 0)
    return found


def _notes(wr: _Writer, node: s.Node) -> list[str]:
    notes = []
    if node.only is not None:
        notes.append(f"{wr.w('applies_only')}: " + ", ".join(
            f"“{wr.block_label(wr.model.blocks[r.name])}”" if r.name in wr.model.blocks else r.name
            for r in node.only))
    if node.when is not None:
        notes.append(f"{wr.w('applies_when')}: {wr.say(explain.expr_words(wr.model, node.when))}")
    if node.weight is not None:
        notes.append(f"{wr.w('weight')}: {wr.num(node.weight.value, node.weight.percent)}")
    if (note := node.get("note")) is not None:
        notes.append(f"{wr.w('note')}: {note.value}")
    return notes


def _points_table(wr: _Writer, block: str, numbered: list[tuple[str, s.Node, int]]) -> list[Element]:
    rows = []
    for number, node, _ in numbered:
        maximum = declared_max(node, block)
        marks = _notes(wr, node) + (["⚠"] if node.get("reconstructed") else [])
        rows.append((number, wr.node_label(node), wr.num(maximum) if maximum is not None else "—",
                     "; ".join(f"[{c.text}]" for c in node.citations), "; ".join(marks)))
    total = sum((declared_max(n, block) or Fraction(0) for _, n, d in numbered if d == 0), Fraction(0))
    rows.append(("", wr.w("total"), wr.num(total), "", ""))
    head = (wr.w("no"), wr.w("item"), wr.w("max"), wr.w("cite"), wr.w("notes"))
    return [Heading(3, wr.w("points")), Table(head, tuple(rows))]


def _reach(wr: _Writer, node: s.Node, block: str) -> tuple[str, bool]:
    """What a group's children add up to in a block, and whether that matches its maximum."""
    live = [c for c in node.children if block in wr.model.blocks_of.get(c.id, ())]
    maximum = declared_max(node, block) or Fraction(0)
    mode = combine_kind(node)
    if mode.weighted:
        weights = sum((c.weight.value for c in live if c.weight is not None), Fraction(0))
        every = sum((c.weight.value for c in node.children if c.weight is not None), Fraction(0))
        free = is_free([c.weight for c in node.children if c.weight is not None])
        text = wr.w("weights_sum", total=wr.num(weights, share=not free))
        return (text, True) if weights == every else (f"{text}, {wr.w('renormalised')}", True)
    maxima = [m for c in live if (m := declared_max(c, block)) is not None]
    reach = mode.reach(maxima) or Fraction(0)
    shown = f"{wr.w('best_sign')} {wr.num(reach)}" if mode is BEST else \
        " + ".join(wr.num(m) for m in maxima) + f" = {wr.num(reach)}"
    return shown, mode.fits(reach, maximum)


def _totals(wr: _Writer, block: str, numbered: list[tuple[str, s.Node, int]]) -> list[Element]:
    rows = []
    for number, node, _ in numbered:
        if not node.children or node.rules:
            continue
        reach, ok = _reach(wr, node, block)
        maximum = declared_max(node, block)
        rows.append((number, wr.node_label(node), wr.w(node.mode), reach,
                     wr.num(maximum) if maximum is not None else "—", "✓" if ok else "✗"))
    head = (wr.w("no"), wr.w("item"), wr.w("mode"), wr.w("reach"), wr.w("max"), wr.w("result"))
    return [Heading(3, wr.w("totals")), Table(head, tuple(rows))] if rows else []


def _rule_table(wr: _Writer, rule: s.Rule) -> Table | None:
    table = rule_kind(rule).annex_rows(rule, wr.model)
    if table is None:
        return None
    column, rows = table
    what = wr.say(explain.expr_words(wr.model, rule.expr))
    return Table((f"{wr.w(column)} ({what})", wr.w("points_col")),
                 tuple((wr.say(words), wr.num(points)) for words, points in rows))


def _node_details(wr: _Writer, block: str, number: str, node: s.Node, depth: int) -> list[Element]:
    maximum = declared_max(node, block) or Fraction(0)
    title = f"{number}. {wr.node_label(node)} — {wr.num(maximum)} {wr.w('points_unit')}"
    out: list[Element] = [Heading(min(4 + depth, 6), title)]
    if (reconstructed := node.get("reconstructed")) is not None:
        out.append(Paragraph(wr.w("reconstructed", text=str(reconstructed.value)), mark=True))
    items = []
    if wr.lang == "en" and wr.model.label_en(node):
        items.append(f"{wr.w('vi_label')}: {node.label}")
    if node.citations:
        items.append(f"{wr.w('cite')}: " + "; ".join(f"[{c.text}]" for c in node.citations))
    how = rule_kind(node.rules[0]).describe(node.rules[0], wr.model, maximum) if node.rules else \
        combine_kind(node).describe()
    items.append(f"{wr.w('scoring')}: {wr.say(how)}")
    out.append(Bullets((*items, *_notes(wr, node))))
    table = _rule_table(wr, node.rules[0]) if node.rules else None
    return [*out, table] if table is not None else out


def _indices(wr: _Writer, block: str) -> list[Element]:
    rows = []
    for index in wr.model.indices.values():
        total = sum((t.weight.value for t in index.terms if t.weight), Fraction(0))
        terms = ", ".join(f"`{t.ref.name}`" + (f" {wr.pick(share_words(t.weight, total))}"
                                                if t.weight else "") for t in index.terms)
        kind = index_method(index)
        if kind.adds_points:
            maximum = sum((declared_max(wr.model.nodes[t.ref.name], block) or Fraction(0)
                           for t in index.terms if t.ref.name in wr.model.nodes
                           and block in wr.model.blocks_of.get(t.ref.name, ())), Fraction(0))
            method = wr.w(kind.annex_key(), terms=terms, max=wr.num(maximum))
        else:
            method = wr.w(kind.annex_key(), terms=terms)
        rounding = wr.w("index_round", n=str(index.round)) if index.round is not None else \
            wr.w("no_round")
        rows.append((f"`{index.id}`", index.label or "", method, rounding))
    if not rows:
        return []
    head = (wr.w("id"), wr.w("label"), wr.w("method"), wr.w("rounding"))
    chained = any(t.ref.name in wr.model.indices for i in wr.model.indices.values() for t in i.terms)
    return [Heading(3, wr.w("indices")), Table(head, tuple(rows)),
            *([Paragraph(wr.w("index_uses"))] if chained else [])]


def _grade_label(wr: _Writer, band: s.Band) -> str:
    if wr.lang == "en" and band.award_en:
        return f"{band.award_en} ({band.award})"
    return str(band.award)


def _grades_and_ranks(wr: _Writer) -> list[Element]:
    out: list[Element] = []
    for grades in wr.model.tree.grades:
        if not out:
            out.append(Heading(3, wr.w("grades")))
        targets = ", ".join(f"`{t.name}`" for t in grades.targets)
        rows = tuple((wr.say(band_condition(b, as_share=False)),
                      _grade_label(wr, b)) for b in grades.bands)
        out += [Paragraph(wr.w("grades_for", targets=targets)),
                Table((wr.w("condition"), wr.w("grade")), rows)]
    ranks = [wr.w(r.ties, targets=", ".join(f"`{t.name}`" for t in r.targets))
             for r in wr.model.tree.ranks]
    return out + ([Heading(3, wr.w("ranks")), Bullets(tuple(ranks))] if ranks else [])


def _given(wr: _Writer, given: s.Given) -> str:
    name, value = given.ref.name, given.value
    indicator = wr.model.indicators.get(name)
    if isinstance(value, s.Number) and indicator is not None and indicator.kind == "percent":
        return wr.num(value.value * 100 if value.percent else value.value) + "%"
    if isinstance(value, s.Number):
        return wr.say(explain.shown(wr.model, name, value.value)) if not value.percent else \
            wr.num(value.value, share=True)
    return wr.say(explain.shown(wr.model, name, value.value if isinstance(value, s.YesNo)
                                else value.name))


def _examples(wr: _Writer, block: str) -> list[Element]:
    out: list[Element] = []
    for example in (e for e in wr.model.tree.examples if e.block.name == block):
        if not out:
            out.append(Heading(3, wr.w("examples")))
        inputs = [(f"`{g.ref.name}`", _given(wr, g)) for g in example.givens]
        inputs += [(wr.w("reference", node=f"`{r.ref.name}`") if r.figure is None else
                    wr.w("figure", name=f"`{r.key}`"), wr.num(r.value.value, r.value.percent))
                   for r in example.references]
        expects = tuple(
            (wr.w("grade_of", index=f"`{e.ref.name}`") if e.grade else f"`{e.ref.name}`",
             _expected(wr, e)) for e in example.expects)
        out += [Heading(4, f"“{example.label}”"),
                Table((wr.w("inputs"), wr.w("value")), tuple(inputs)),
                Table((wr.w("item"), wr.w("expected")), expects)]
    return out


def _expected(wr: _Writer, expect: s.Expect) -> str:
    if isinstance(expect.value, str):
        return f"“{expect.value}”"
    if expect.value is None:
        return wr.w("not_applicable")
    shown = wr.num(expect.value.value, expect.value.percent)
    if expect.tolerance is None:
        return shown
    return f"≈ {shown} ± {wr.num(expect.tolerance.value, expect.tolerance.percent)}"


def _block_annex(wr: _Writer, block: s.Block, number: str) -> list[Element]:
    used = data_read(wr.model, block.id)
    numbered = _numbered(wr.model, block.id)
    details: list[Element] = [Heading(3, wr.w("rules"))]
    for node_number, node, depth in numbered:
        details += _node_details(wr, block.id, node_number, node, depth)
    return [*_header(wr, block, number), *_indicators(wr, used), *_lets(wr, used),
            *_points_table(wr, block.id, numbered), *_totals(wr, block.id, numbered), *details,
            *_indices(wr, block.id), *_grades_and_ranks(wr), *_examples(wr, block.id)]


def build_annex(methodology: Methodology, lang: Lang = "vi") -> Document:
    """The annexes of a methodology, one per block, as a document structure."""
    model = methodology.model
    wr = _Writer(model, lang)
    title = (model.header_text("title_en") if lang == "en" else None) or \
        model.header_text("title") or model.id
    # The year once: a title that says it ("… năm 2016") is not followed by "(2016)".
    year = f" ({model.year})" if model.year is not None and str(model.year) not in title else ""
    file = Path(model.tree.span.path).name
    elements: list[Element] = [
        Heading(1, title + year),
        Paragraph(wr.w("generated", file=file, hash=model.content_hash[:19])),
        Paragraph(wr.w("dropping")),
    ]
    for number, block in enumerate(model.blocks.values(), start=1):
        # The decree's own number when the file gives it: the one its citations use.
        elements += _block_annex(wr, block, block.annex or str(number))
    return Document(title + year, lang, tuple(elements))


# -- renderers -----------------------------------------------------------------------------

_CODE = re.compile(r"`([^`]*)`")
_MD_SPECIAL = re.compile(r"([\\*_<>|`])")  # a backtick left in prose is an unpaired one


def _md_inline(text: str, in_table: bool = False) -> str:
    parts = _CODE.split(text)  # even: prose, odd: code
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"`{part.replace('|', chr(92) + '|') if in_table else part}`")
        else:
            out.append(_MD_SPECIAL.sub(r"\\\1", part))
    return "".join(out)


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_md_inline(c, in_table=True) or " " for c in cells) + " |"


def to_markdown(document: Document) -> str:
    blocks: list[str] = []
    for element in document.elements:
        if isinstance(element, Heading):
            blocks.append("#" * element.level + " " + _md_inline(element.text))
        elif isinstance(element, Paragraph):
            text = _md_inline(element.text)
            blocks.append(f"> **{text}**" if element.mark else text)
        elif isinstance(element, Bullets):
            blocks.append("\n".join(f"- {_md_inline(item)}" for item in element.items))
        else:
            lines = [_md_row(element.head), "|" + "---|" * len(element.head)]
            lines += [_md_row(row) for row in element.rows]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _html_inline(text: str) -> str:
    parts = _CODE.split(text)
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))


_CSS = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#222}table{border-collapse:collapse;margin:.6rem 0 1.2rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}
.mark{background:#fff4d6;border-left:4px solid #e0a000;padding:.4rem .7rem;font-weight:bold}
h2{border-bottom:2px solid #345;margin-top:2.5rem}"""


def _html_element(element: Element) -> str:
    if isinstance(element, Heading):
        return f"<h{element.level}>{_html_inline(element.text)}</h{element.level}>"
    if isinstance(element, Paragraph):
        css = ' class="mark"' if element.mark else ""
        return f"<p{css}>{_html_inline(element.text)}</p>"
    if isinstance(element, Bullets):
        return "<ul>" + "".join(f"<li>{_html_inline(i)}</li>" for i in element.items) + "</ul>"
    head = "".join(f"<th>{_html_inline(c)}</th>" for c in element.head)
    body = "".join("<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in row) + "</tr>"
                   for row in element.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(document: Document) -> str:
    body = "\n".join(_html_element(e) for e in document.elements)
    return (f'<!DOCTYPE html>\n<html lang="{document.lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(document.title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def render_annex(methodology: Methodology, fmt: Format = "markdown", lang: Lang = "vi") -> str:
    """The annexes of a methodology as Markdown or as one self-contained HTML file."""
    document = build_annex(methodology, lang)
    return to_html(document) if fmt == "html" else to_markdown(document)
