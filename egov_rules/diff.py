"""What changed between two methodologies, as an amending decree says it (docs/revisions.md,
"What changed: `egov-rules diff`").

Both are compared as compiled models, by id: the header, blocks, indicators, derived values,
nodes (added, removed, moved to another parent, or amended: label, maximum, weight,
applicability, citations, notes, the scoring rule or how children combine), indices, grades
and ranks. Words come from where each construct is described already (a rule kind's
`describe`, `explain.expr_words`), so a diff says a rule the way the annex does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby, pairwise
from typing import Literal, TypeVar

from egov_rules import syntax as s
from egov_rules.diagnostics import Lang, Text
from egov_rules.explain import both, both_fmt, expr_words
from egov_rules.inputs.values import EntityData
from egov_rules.kinds import rule_kind
from egov_rules.kinds.combine import combine_kind
from egov_rules.methodology import Methodology
from egov_rules.model import Model
from egov_rules.numbers import exact_str, fmt, fmt_published
from egov_rules.report.tables import Cell, Table
from egov_rules.results import Evaluation, Ranking
from egov_rules.scale import bounds, to_share
from egov_rules.source import SourceFile

Action = Literal["add", "remove", "amend", "move"]
Part = Literal["header", "block", "indicator", "let", "category", "criterion", "index",
               "grades", "rank"]


@dataclass(frozen=True, slots=True)
class Field:
    """One amended field: its name and its old and new value, in words."""

    name: str
    old: Text | None
    new: Text | None


@dataclass(frozen=True, slots=True)
class Change:
    """One change from the old methodology to the new: `action` on the `part` with `id`
    (its label as the new one has it, or the old when removed), with the fields amended, and
    for a node its parent in each (None at the top level)."""

    action: Action
    part: Part
    id: str
    label: Text
    fields: tuple[Field, ...] = ()
    old_parent: str | None = None
    new_parent: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What the change is to, as impact attribution applies it: (part family, id)."""
        family = "node" if self.part in ("category", "criterion") else self.part
        return family, self.id


# -- comparing ------------------------------------------------------------------------------


def diff(old: Model, new: Model) -> list[Change]:
    """Every change from `old` to `new`, in the new file's order (removals where they stood)."""
    return [*_header(old, new), *_blocks(old, new), *_indicators(old, new), *_lets(old, new),
            *_nodes(old, new), *_indices(old, new), *_grades(old, new), *_ranks(old, new)]


def _same_or_changed(name: str, old: object, new: object, words: Callable[[object], Text | None]
                     ) -> Iterator[Field]:
    if old != new:
        yield Field(name, words(old), words(new))


def _plain(value: object) -> Text | None:
    if value is None:
        return None
    text = fmt(value) if isinstance(value, Fraction) else str(value)
    return both(text, text.replace(".", ",") if isinstance(value, Fraction) else text)


def _keyed(items: Mapping[str, object], other: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """(ids only in `other`, in its order; ids only in `items`, in theirs)."""
    return [k for k in other if k not in items], [k for k in items if k not in other]


def _header(old: Model, new: Model) -> Iterator[Change]:
    fields: list[Field] = []
    for key in ("title", "title_en", "year", "source", "missing"):
        fields += _same_or_changed(key, old.header_text(key), new.header_text(key), _plain)
    if old.id != new.id:
        fields.insert(0, Field("id", _plain(old.id), _plain(new.id)))
    if fields:
        yield Change("amend", "header", new.id, both(new.id, new.id), tuple(fields))


def _blocks(old: Model, new: Model) -> Iterator[Change]:
    added, removed = _keyed(old.blocks, new.blocks)
    for block_id in added:
        yield Change("add", "block", block_id, _label(new.blocks[block_id]))
    for block_id in removed:
        yield Change("remove", "block", block_id, _label(old.blocks[block_id]))
    for block_id in (b for b in new.blocks if b in old.blocks):
        a, b = old.blocks[block_id], new.blocks[block_id]
        fields = (*_same_or_changed("label", a.label, b.label, _plain),
                  *_same_or_changed("label_en", a.label_en, b.label_en, _plain))
        if fields:
            yield Change("amend", "block", block_id, _label(b), tuple(fields))


def _label(item: s.Block | s.Indicator | s.Let | s.Node | s.Index) -> Text:
    vi = getattr(item, "label", None) or item.id
    en = getattr(item, "label_en", None) or _attribute(item, "en") or vi
    return both(str(en), str(vi))


def _attribute(item: object, key: str) -> str | None:
    for attribute in getattr(item, "attributes", ()):
        if attribute.key == key:
            return str(attribute.value)
    return None


def _indicators(old: Model, new: Model) -> Iterator[Change]:
    added, removed = _keyed(old.indicators, new.indicators)
    for name in added:
        yield Change("add", "indicator", name, _label(new.indicators[name]),
                     (Field("type", None, _plain(new.indicators[name].kind)),))
    for name in removed:
        yield Change("remove", "indicator", name, _label(old.indicators[name]))
    for name in (n for n in new.indicators if n in old.indicators):
        a, b = old.indicators[name], new.indicators[name]
        if a == b:
            continue
        fields = [*_same_or_changed("label", a.label, b.label, _plain),
                  *_same_or_changed("type", a.kind, b.kind, _plain),
                  *_same_or_changed("direction", a.direction, b.direction, _plain),
                  *_same_or_changed("levels", a.levels, b.levels, _plain),
                  *_same_or_changed("options", tuple(o.id for o in a.options),
                                    tuple(o.id for o in b.options), _plain)]
        for key in sorted({x.key for x in (*a.attributes, *b.attributes)}):
            fields += _same_or_changed(key, _attribute(a, key), _attribute(b, key), _plain)
        yield Change("amend", "indicator", name, _label(b), tuple(fields))


def _lets(old: Model, new: Model) -> Iterator[Change]:
    added, removed = _keyed(old.lets, new.lets)
    for name in added:
        yield Change("add", "let", name, _label(new.lets[name]),
                     (Field("formula", None, expr_words(new, new.lets[name].expr)),))
    for name in removed:
        yield Change("remove", "let", name, _label(old.lets[name]))
    for name in (n for n in new.lets if n in old.lets):
        a, b = old.lets[name], new.lets[name]
        if a != b:
            fields = [*_same_or_changed("label", a.label, b.label, _plain)]
            if (a.expr, a.zero_rules) != (b.expr, b.zero_rules):
                fields.append(Field("formula", expr_words(old, a.expr), expr_words(new, b.expr)))
            yield Change("amend", "let", name, _label(b), tuple(fields))


# -- nodes ---------------------------------------------------------------------------------


def _part(node: s.Node) -> Part:
    return "category" if node.kind == "category" else "criterion"


def _parent(model: Model, node_id: str) -> str | None:
    parent = model.parents.get(node_id)
    return None if parent is None else parent.id


def _nodes(old: Model, new: Model) -> Iterator[Change]:
    added, removed = _keyed(old.nodes, new.nodes)
    for node_id in added:
        node = new.nodes[node_id]
        yield Change("add", _part(node), node_id, _label(node), _node_fields(None, node, old, new),
                     new_parent=_parent(new, node_id))
    for node_id in removed:
        node = old.nodes[node_id]
        yield Change("remove", _part(node), node_id, _label(node),
                     old_parent=_parent(old, node_id))
    for node_id in (n for n in new.nodes if n in old.nodes):
        a, b = old.nodes[node_id], new.nodes[node_id]
        before, after = _parent(old, node_id), _parent(new, node_id)
        if before != after:
            yield Change("move", _part(b), node_id, _label(b), old_parent=before,
                         new_parent=after)
        fields = _node_fields(a, b, old, new)
        if fields:
            yield Change("amend", _part(b), node_id, _label(b), fields, before, after)


def _max_words(spec: s.MaxSpec | None) -> Text | None:
    if spec is None:
        return None
    if spec.default is not None:
        return _plain(spec.default.value)
    en = ", ".join(f"{ref.name} {fmt(n.value)}" for ref, n in spec.per_block)
    vi = ", ".join(f"{ref.name} {fmt(n.value, 'vi')}" for ref, n in spec.per_block)
    return both(en, vi)


def _how(node: s.Node, model: Model) -> Text:
    """How a node scores, as the annex says it."""
    if node.rules:
        maximum = next((v for b in model.blocks if (v := _declared(node, b)) is not None),
                       Fraction(0))
        kind = rule_kind(node.rules[0])
        how = kind.describe(node.rules[0], model, maximum)
        table = kind.annex_rows(node.rules[0], model)
        if table is None:
            return how
        rows = table[1]  # its rows in words: a threshold changed shows here
        return both(how.en + " (" + "; ".join(f"{c.en}: {fmt(v)}" for c, v in rows) + ")",
                    how.vi + " (" + "; ".join(f"{c.vi}: {fmt(v, 'vi')}" for c, v in rows) + ")")
    return combine_kind(node).describe()


def _how_key(node: s.Node) -> object:
    """What `_how` says of a node: its rule, or how it combines its children."""
    # Children added, removed or moved are changes of their own: a group says only its mode.
    return node.rules if node.rules else node.mode


def _declared(node: s.Node, block: str) -> Fraction | None:
    from egov_rules.model import declared_max

    return declared_max(node, block)


def _node_fields(a: s.Node | None, b: s.Node, old: Model, new: Model) -> tuple[Field, ...]:
    """The fields of `b` that differ from `a` (all of them when `a` is None: an addition),
    not counting its children, which are compared on their own."""
    def pair(name: str, get: Callable[[s.Node], object],
             words: Callable[[s.Node, Model], Text | None]) -> Iterator[Field]:
        if a is None or get(a) != get(b):
            old_words = None if a is None else words(a, old)
            new_words = words(b, new)
            if old_words is not None or new_words is not None:
                yield Field(name, old_words, new_words)

    return (
        *(pair("label", lambda n: n.label, lambda n, _: _plain(n.label)) if a is not None
          else ()),  # an addition is named by its label already
        *pair("max", lambda n: n.maximum, lambda n, _: _max_words(n.maximum)),
        *pair("weight", lambda n: n.weight,
              lambda n, _: None if n.weight is None else _plain(n.weight.value)),
        *pair("only", lambda n: n.only,
              lambda n, _: None if n.only is None else _plain(", ".join(r.name for r in n.only))),
        *pair("when", lambda n: n.when,
              lambda n, m: None if n.when is None else expr_words(m, n.when)),
        *pair("citations", lambda n: n.citations,
              lambda n, _: _plain("; ".join(f"[{c.text}]" for c in n.citations)) if n.citations
              else None),
        *pair("reconstructed", lambda n: _attribute(n, "reconstructed"),
              lambda n, _: _plain(_attribute(n, "reconstructed"))),
        *pair("rule", _how_key, _how),
    )


# -- indices, grades, ranks ----------------------------------------------------------------


_METHODS = {"share of max": ("share of the maximum of", "tỷ lệ trên điểm tối đa của"),
            "weighted mean": ("weighted mean of", "trung bình có trọng số của"),
            "mean": ("mean of", "trung bình cộng của"),
            "geometric mean": ("geometric mean of", "trung bình nhân của"),
            "harmonic mean": ("harmonic mean of", "trung bình điều hoà của")}


def _weight(term: s.IndexTerm) -> Text | None:
    if term.weight is None:
        return None
    en, vi = both_fmt(term.weight.value, term.weight.percent)
    return both(en, vi)


def _terms(index: s.Index) -> Text:
    def listed(lang: int) -> str:
        return ", ".join(t.ref.name + ("" if (w := _weight(t)) is None else
                                       " " + (w.en if lang == 0 else w.vi))
                         for t in index.terms)

    en, vi = _METHODS[index.method]
    return both(f"{en} {listed(0)}", f"{vi} {listed(1)}")


def _indices(old: Model, new: Model) -> Iterator[Change]:
    added, removed = _keyed(old.indices, new.indices)
    for index_id in added:
        yield Change("add", "index", index_id, _label(new.indices[index_id]),
                     (Field("method", None, _terms(new.indices[index_id])),))
    for index_id in removed:
        yield Change("remove", "index", index_id, _label(old.indices[index_id]))
    for index_id in (i for i in new.indices if i in old.indices):
        a, b = old.indices[index_id], new.indices[index_id]
        if a != b:
            yield Change("amend", "index", index_id, _label(b), _index_fields(a, b))


def _index_fields(a: s.Index, b: s.Index) -> tuple[Field, ...]:
    """The method and its terms as a whole when the method changed, else term by term: a
    weight changed, a term added or dropped (`weight:<id>`, `term:<id>`)."""
    fields = [*_same_or_changed("label", a.label, b.label, _plain)]
    if a.method != b.method:
        fields.append(Field("method", _terms(a), _terms(b)))
    else:
        before = {t.ref.name: t for t in a.terms}
        after = {t.ref.name: t for t in b.terms}
        for name in dict.fromkeys([*after, *before]):
            x, y = before.get(name), after.get(name)
            if x is None or y is None:
                fields.append(Field(f"term:{name}", None if x is None else _weight(x) or
                                    _plain(name), None if y is None else _weight(y) or _plain(name)))
            elif x.weight != y.weight:
                fields.append(Field(f"weight:{name}", _weight(x), _weight(y)))
    fields += _same_or_changed("round", a.round, b.round, _plain)
    fields += _same_or_changed("scale", a.scale, b.scale, _scale_words)
    return tuple(fields)


def _scale_words(scale: object) -> Text | None:
    if not isinstance(scale, s.Scale):
        return None
    return _plain(f"{fmt(scale.low.value)}..{fmt(scale.high.value)}")


def _band_words(grades: s.Grades | None) -> Text | None:
    if grades is None:
        return None
    rows = []
    for band in grades.bands:
        limit = "" if band.threshold is None else " " + fmt(band.threshold.value)
        rows.append(f"{band.op}{limit}: {band.award}")
    return _plain("; ".join(rows))


def _grades(old: Model, new: Model) -> Iterator[Change]:
    for index_id in dict.fromkeys([*new.grades, *old.grades]):
        a, b = old.grades.get(index_id), new.grades.get(index_id)
        if (a.bands if a else None) != (b.bands if b else None):
            action: Action = "add" if a is None else "remove" if b is None else "amend"
            yield Change(action, "grades", index_id, both(index_id, index_id),
                         (Field("grades", _band_words(a), _band_words(b)),))


def _rank_words(rank: s.Rank | None) -> Text | None:
    if rank is None:
        return None
    ties = {"competition": ("ties share a rank", "đồng hạng chiếm chung một hạng"),
            "dense": ("ties dense", "đồng hạng, hạng sau liền kề")}[rank.ties]
    by = {None: ("", ""), "exact": (", on the exact value", ", theo giá trị chính xác"),
          "rounded": (", on the rounded value", ", theo giá trị đã làm tròn")}[rank.by]
    then = ("", "") if rank.then is None else \
        (f", then by `{rank.then.name}`", f", rồi theo `{rank.then.name}`")
    return both(f"within block, {ties[0]}{by[0]}{then[0]}",
                f"trong khối, {ties[1]}{by[1]}{then[1]}")


def _rank_key(rank: s.Rank | None) -> object:
    return None if rank is None else (rank.ties, rank.by, rank.then)


def _ranks(old: Model, new: Model) -> Iterator[Change]:
    for target in dict.fromkeys([*new.ranks, *old.ranks]):
        a, b = old.ranks.get(target), new.ranks.get(target)
        if _rank_key(a) != _rank_key(b):
            action: Action = "add" if a is None else "remove" if b is None else "amend"
            yield Change(action, "rank", target, both(target, target),
                         (Field("rank", _rank_words(a), _rank_words(b)),))


# -- words ---------------------------------------------------------------------------------

_VERBS: dict[Action, tuple[str, str]] = {
    "add": ("Add", "Bổ sung"), "remove": ("Remove", "Bãi bỏ"), "amend": ("Amend", "Sửa đổi"),
    "move": ("Move", "Chuyển"),
}
_PARTS: dict[Part, tuple[str, str]] = {
    "header": ("the header of", "phần đầu của phương pháp"), "block": ("block", "khối"),
    "indicator": ("indicator", "chỉ tiêu đầu vào"), "let": ("derived value", "giá trị dẫn xuất"),
    "category": ("category", "hạng mục"), "criterion": ("criterion", "tiêu chí"),
    "index": ("index", "chỉ số"), "grades": ("the grades of", "xếp loại của chỉ số"),
    "rank": ("the ranking by", "xếp hạng theo"),
}
_FIELDS: dict[str, tuple[str, str]] = {
    "label": ("name", "tên"), "max": ("maximum", "điểm tối đa"), "weight": ("weight", "trọng số"),
    "only": ("applies to blocks", "áp dụng cho khối"), "when": ("applies when", "áp dụng khi"),
    "citations": ("citations", "căn cứ"), "reconstructed": ("reconstruction", "tái dựng"),
    "rule": ("scoring", "cách tính điểm"), "method": ("computed as", "cách tính"),
    "round": ("decimals", "số chữ số thập phân"), "scale": ("scale", "thang"),
    "grades": ("grades", "xếp loại"), "rank": ("ranking", "xếp hạng"), "type": ("type", "kiểu"),
    "direction": ("direction", "chiều"), "formula": ("formula", "công thức"),
    "title": ("title", "tên phương pháp"), "title_en": ("English title", "tên tiếng Anh"),
    "year": ("year", "năm"), "source": ("source", "căn cứ ban hành"),
    "missing": ("missing values", "giá trị thiếu"), "id": ("id", "mã"),
    "term": ("term", "thành phần"), "data_source": ("data source", "nguồn số liệu"),
    "between": ("bounds", "giới hạn"), "unit": ("unit", "đơn vị tính"),
    "en": ("English label", "tên tiếng Anh"), "note": ("note", "ghi chú"),
    "evidence": ("evidence", "minh chứng"), "verified_by": ("verified by", "đơn vị xác minh"),
    "per": ("divided by", "chia cho"), "levels": ("levels", "các mức"),
    "options": ("options", "các lựa chọn"),
}


def change_words(change: Change, lang: Lang) -> str:
    """One change as an amending decree words it: "Amend criterion `x` “Label”: maximum 10
    → 15" / "Sửa đổi tiêu chí `x` “Nhãn”: điểm tối đa 10 → 15"."""
    en = lang == "en"
    verb, part = (_VERBS[change.action][0 if en else 1], _PARTS[change.part][0 if en else 1])
    label = change.label.en if en else change.label.vi
    head = f"{verb} {part} `{change.id}`" + (f" “{label}”" if label != change.id else "")
    if change.action == "move":
        top = "the top level" if en else "cấp cao nhất"
        frm, to = ("from", "to") if en else ("từ", "sang")
        return f"{head} {frm} `{change.old_parent or top}` {to} `{change.new_parent or top}`"
    if change.action == "add" and change.new_parent is not None:
        head += (" under " if en else " vào ") + f"`{change.new_parent}`"
    parts = []
    for field in change.fields:
        kind, _, of = field.name.partition(":")  # `weight:x`: the weight of term x
        name = _FIELDS.get(kind, (kind, kind))[0 if en else 1] + (
            f" {'of' if en else 'của'} `{of}`" if of else "")
        old = None if field.old is None else (field.old.en if en else field.old.vi)
        new = None if field.new is None else (field.new.en if en else field.new.vi)
        none = "none" if en else "không có"
        if kind == "term":  # a term of an index added or dropped
            parts.append((f"adds term `{of}` {new}" if en else f"bổ sung thành phần `{of}` {new}")
                         if old is None else
                         (f"drops term `{of}`" if en else f"bỏ thành phần `{of}`"))
        elif change.action == "add":
            parts.append(f"{name} {new or none}")
        else:
            parts.append(f"{name}: {old or none} → {new or none}")
    return head + (": " + "; ".join(parts) if parts else "")


def render_diff(changes: list[Change], old: Model, new: Model, fmt_name: str, lang: Lang
                ) -> str:
    """The changes as numbered lines (`text`), a Markdown list under a heading, or JSON."""
    if fmt_name == "json":
        import json

        return json.dumps({"old": old.id, "new": new.id,
                           "changes": [_change_json(c) for c in changes]},
                          ensure_ascii=False, indent=2) + "\n"
    title = (f"Changes from `{old.id}` to `{new.id}`" if lang == "en" else
             f"Sửa đổi, bổ sung từ `{old.id}` sang `{new.id}`")
    if not changes:
        nothing = "no change" if lang == "en" else "không có thay đổi"
        return f"# {title}\n\n{nothing}\n" if fmt_name == "markdown" else f"{title}: {nothing}\n"
    lines = [f"{k}. {change_words(c, lang)}" for k, c in enumerate(changes, 1)]
    if fmt_name == "markdown":
        from egov_rules.report.tables import markdown_text

        def shown(text: str) -> str:  # escaped, but ids keep their code spans
            return markdown_text(text, " ").replace("\\`", "`")

        return f"# {shown(title)}\n\n" + "\n".join(
            f"{k}. {shown(change_words(c, lang))}" for k, c in enumerate(changes, 1)) + "\n"
    return title + "\n" + "\n".join(lines) + "\n"


def _change_json(change: Change) -> dict[str, object]:
    def text(value: Text | None) -> dict[str, str] | None:
        return None if value is None else {"en": value.en, "vi": value.vi}

    return {"action": change.action, "part": change.part, "id": change.id,
            "label": text(change.label), "old_parent": change.old_parent,
            "new_parent": change.new_parent,
            "fields": [{"name": f.name, "old": text(f.old), "new": text(f.new)}
                       for f in change.fields],
            "words": {"en": change_words(change, "en"), "vi": change_words(change, "vi")}}


# -- impact: every entity under both, and which changes moved it ----------------------------
#
# Attribution, one change at a time in the order `diff` lists them: the methodology after
# the first k changes (by object: every change to one node is one step) scores every entity;
# a step's share of an entity's movement is what it changed from the step before. The shares
# add up exactly to the whole movement, as a telescoping sum does (values are exact
# Fractions). A step whose intermediate methodology does not compile alone (a criterion that
# reads an indicator a later change adds) is taken together with the next, and named so.
# The shares depend on the order: stated in docs/revisions.md.


@dataclass(frozen=True, slots=True)
class Step:
    """One or more changes applied together: their keys and their words."""

    keys: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Movement:
    """One entity's index under the old and the new methodology (exact values and ranks),
    and each step's share of the change: `shares[k]` for `steps[k]` (value, rank)."""

    entity: str
    block: str
    index: str
    old_value: Fraction | None
    new_value: Fraction | None
    old_shown: Fraction | None  # as published (rounded where the index rounds)
    new_shown: Fraction | None
    old_rank: int | None
    new_rank: int | None
    shares: tuple[tuple[Fraction | None, int | None], ...]
    # A step that only re-weighs this index's terms, split by term (step, term, share): the
    # shares of a step add up to its share exactly, or the step is not split.
    terms: tuple[tuple[int, str, Fraction], ...] = ()
    digits: int | None = None  # the index's `round`, as its published values are written


@dataclass(frozen=True, slots=True)
class Impact:
    steps: tuple[Step, ...]
    movements: tuple[Movement, ...]


def _steps(changes: list[Change]) -> list[tuple[tuple[str, str], list[Change]]]:
    """Changes by object, in order of their first change."""
    grouped: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.key, []).append(change)
    return list(grouped.items())


def merge(old: s.Methodology, new: s.Methodology, applied: set[tuple[str, str]]
          ) -> s.Methodology:
    """The old methodology with the changes to `applied` objects taken from the new: each
    object (header, block, indicator, let, node, index, grades, rank) is the new one's
    version when applied, else the old one's; a node sits under its parent in that version."""
    def by_target(items: tuple[_Targeted, ...]) -> dict[str, _Targeted]:
        return {t.name: item for item in items for t in item.targets}

    header = new.header if ("header", new.header.id) in applied else old.header
    return s.Methodology(
        header=header,
        blocks=_pick("block", _by_id(old.blocks), _by_id(new.blocks), applied),
        indicators=_pick("indicator", _by_id(old.indicators), _by_id(new.indicators), applied),
        lets=_pick("let", _by_id(old.lets), _by_id(new.lets), applied),
        categories=_merge_nodes(old, new, applied),
        indices=_pick("index", _by_id(old.indices), _by_id(new.indices), applied),
        # a grades or rank line may list several targets: the line once
        grades=tuple(dict.fromkeys(_pick("grades", by_target(old.grades), by_target(new.grades),
                                         applied))),
        ranks=tuple(dict.fromkeys(_pick("rank", by_target(old.ranks), by_target(new.ranks),
                                        applied))),
        examples=(), span=new.span)


_Declared = TypeVar("_Declared", s.Block, s.Indicator, s.Let, s.Index)
_Targeted = TypeVar("_Targeted", s.Grades, s.Rank)
_Item = TypeVar("_Item")


def _by_id(items: tuple[_Declared, ...]) -> dict[str, _Declared]:
    return {item.id: item for item in items}


def _pick(family: str, olds: dict[str, _Item], news: dict[str, _Item],
          applied: set[tuple[str, str]]) -> tuple[_Item, ...]:
    """Each id's version, the new one's when its change is applied, in the new order (then
    the ids only the old has); an id that version lacks is left out."""
    chosen = []
    for key in dict.fromkeys([*news, *olds]):
        source = news if (family, key) in applied else olds
        if key in source:
            chosen.append(source[key])
    return tuple(chosen)


def _merge_nodes(old: s.Methodology, new: s.Methodology, applied: set[tuple[str, str]]
                 ) -> tuple[s.Node, ...]:
    olds = {n.id: n for n in s.walk_nodes(old.categories)}
    news = {n.id: n for n in s.walk_nodes(new.categories)}

    def parents_of(tree: s.Methodology) -> dict[str, str | None]:
        found: dict[str, str | None] = {c.id: None for c in tree.categories}
        for node in s.walk_nodes(tree.categories):
            found.update({child.id: node.id for child in node.children})
        return found

    old_parent, new_parent = parents_of(old), parents_of(new)
    version = {k: news[k] if ("node", k) in applied else olds[k]
               for k in dict.fromkeys([*news, *olds])
               if k in (news if ("node", k) in applied else olds)}
    parent = {k: new_parent[k] if ("node", k) in applied else old_parent[k] for k in version}

    def ordered(under: str | None) -> list[str]:
        """Children of `under`: in its chosen version's order, then any others in the new
        file's order (the categories: the new file's; order changes no score)."""
        written = [c.id for c in version[under].children] if under is not None else []
        order = {k: i for i, k in enumerate([*written, *news, *olds])}
        return sorted((k for k in version if parent[k] == under), key=lambda k: order[k])

    def build(node_id: str) -> s.Node:
        node = version[node_id]
        children = tuple(build(k) for k in ordered(node_id))
        if node.rules:
            return node
        body: tuple[s.Rule | s.Group | s.Node, ...] = tuple(
            dataclasses.replace(b, children=children) if isinstance(b, s.Group) else b
            for b in node.body if not isinstance(b, s.Node))
        if not any(isinstance(b, s.Group) for b in body):
            body = (*body, *children)
        return dataclasses.replace(node, body=body)

    return tuple(build(k) for k in ordered(None))


# What an intermediate methodology's model is built from: it has no text of its own.
_INTERMEDIATE = SourceFile("<between the two methodologies>", "")


def _model_of(tree: s.Methodology, source: SourceFile) -> Model | None:
    """The model of a tree, checked as a file is (without its examples), or None."""
    from egov_rules.checks import run_checks
    from egov_rules.diagnostics import Reporter
    from egov_rules.model import build_model
    from egov_rules.resolve import resolve
    from egov_rules.typecheck import typecheck

    reporter = Reporter()
    symbols = resolve(tree, reporter)
    types = typecheck(tree, symbols, reporter)
    run_checks(tree, symbols, reporter)
    return None if reporter.has_errors else build_model(tree, symbols, types, source)


def impact(old: Methodology, new: Methodology, entities: list[EntityData],
           changes: list[Change]) -> Impact:
    """Every entity scored under both methodologies, each index of either, with each step's
    share of the change (see above). Data values of an indicator only one of them declares
    are read by that one only."""
    steps, models = _stepped_models(old, new, changes)
    either = {*old.model.indicators, *new.model.indicators}
    rankings = [_scored(Methodology(m, []), entities, either) for m in models]
    # Every index of either: one only the new has (2017's overall index) shows its new values,
    # with no old value and no shares to split.
    indices = [*new.model.indices, *(i for i in old.model.indices if i not in new.model.indices)]
    # The steps that change an index alone (no node): only those are split by term. Found
    # once, not for every entity and index.
    reweighed = [k for k, (a, b) in enumerate(pairwise(models)) if a.nodes == b.nodes]
    movements = []
    for name in (e.name for e in entities):
        for index in indices:
            values = [_figure(r, name, index) for r in rankings]
            shares = tuple(
                (None if a[0] is None or b[0] is None else b[0] - a[0],
                 None if a[2] is None or b[2] is None else b[2] - a[2])
                for a, b in pairwise(values))
            first, last = values[0], values[-1]
            terms = tuple((k, term, share) for k in reweighed
                          for term, share in _by_term(models[k], models[k + 1],
                                                      rankings[k + 1].evaluation(name), index,
                                                      shares[k][0]))
            declared = new.model.indices.get(index) or old.model.indices[index]
            movements.append(Movement(name, rankings[-1].evaluation(name).block, index,
                                      first[0], last[0], first[1], last[1], first[2], last[2],
                                      shares, terms, declared.round))
    return Impact(tuple(steps), tuple(movements))


def _by_term(before: Model, after: Model, evaluation: Evaluation, index_id: str,
             share: Fraction | None) -> list[tuple[str, Fraction]]:
    """A step's share of an index split by its terms, when the step changed only the index's
    weights or terms (same mean, same scale; the caller asks only of steps that change no
    node) and the terms read the same values before and after: (w'ᵢ/Σw' − wᵢ/Σw)·vᵢ·(high −
    low) for each term. [] when that does not add up to `share` exactly."""
    old, new = before.indices.get(index_id), after.indices.get(index_id)
    if share is None or old is None or new is None or old == new or \
            old.method != new.method or old.method not in ("mean", "weighted mean") or \
            old.scale != new.scale:
        return []
    values = {t.ref.name: _term_share(evaluation, t.ref.name) for t in (*old.terms, *new.terms)}

    def weights(index: s.Index) -> dict[str, Fraction]:
        found = {t.ref.name: t.weight.value if t.weight is not None else Fraction(1)
                 for t in index.terms if values[t.ref.name] is not None}
        total = sum(found.values(), Fraction(0))
        return {k: w / total for k, w in found.items()} if total else {}

    was, now = weights(old), weights(new)
    low, high = bounds(new)
    split = [(term, (now.get(term, Fraction(0)) - was.get(term, Fraction(0)))
              * (values[term] or Fraction(0)) * (high - low)) for term in dict.fromkeys(
        [*now, *was])]
    return split if sum((v for _, v in split), Fraction(0)) == share else []


def _term_share(evaluation: Evaluation, term: str) -> Fraction | None:
    """What a mean reads of a term: a node's points ÷ its maximum, an index's published
    value on 0..1."""
    if evaluation.nodes.has(term):
        node = evaluation.node(term)
        return None if node.points is None or not node.max else node.points / node.max
    result = evaluation.index(term)
    shown = result.rounded if result.rounded is not None else result.value
    scale = (result.scale[0], result.scale[1]) if result.scale else (Fraction(0), Fraction(1))
    return None if shown is None else to_share(shown, scale)


def _stepped_models(old: Methodology, new: Methodology, changes: list[Change]
                    ) -> tuple[list[Step], list[Model]]:
    """The models after each step, the old first and the new last; steps that do not compile
    alone merged with the next."""
    models, steps = [old.model], []
    applied: set[tuple[str, str]] = set()
    pending: list[tuple[tuple[str, str], list[Change]]] = []
    grouped = _steps(changes)
    for k, (key, group) in enumerate(grouped):
        applied.add(key)
        pending.append((key, group))
        last = k == len(grouped) - 1
        model = new.model if last else _model_of(
            merge(old.model.tree, new.model.tree, applied), _INTERMEDIATE)
        if model is None:
            continue
        steps.append(Step(tuple(k for k, _ in pending), tuple(c for _, g in pending for c in g)))
        models.append(model)
        pending = []
    return steps, models


def _scored(methodology: Methodology, entities: list[EntityData], either: set[str]) -> Ranking:
    """The entities scored by one of the methodologies: a value of an indicator only the other
    declares (in `either`, not here) is left to that one; any other unknown key stays, and is
    E101 as in any data."""
    declared = methodology.model.indicators
    own = [dataclasses.replace(e, values={k: v for k, v in e.values.items()
                                          if k in declared or k not in either})
           for e in entities]
    return methodology.evaluate_many(own)


def _figure(ranking: Ranking, entity: str, index: str
            ) -> tuple[Fraction | None, Fraction | None, int | None]:
    evaluation = ranking.evaluation(entity)
    if not evaluation.indices.has(index):
        return None, None, None
    result = evaluation.index(index)
    shown = result.rounded if result.rounded is not None else result.value
    rank = ranking.rank_of(entity, index) if index in ranking.ties else None
    return result.value, shown, rank


def _published(value: Fraction | None, lang: Lang, digits: int | None) -> str:
    return "" if value is None else fmt_published(value, lang, digits)


def _number(value: Fraction | None, lang: Lang, signed: bool = False) -> str:
    if value is None:
        return ""
    text = fmt(value, lang)
    return f"+{text}" if signed and value > 0 else text


def impact_tables(result: Impact, changes: list[Change], lang: Lang) -> list[Table]:
    """One table per index: each entity's value and rank under both, and the steps that
    moved it most (by the number of their changes in the diff's list)."""
    number = {id(c): k for k, c in enumerate(changes, 1)}
    names = [", ".join(f"#{number[id(c)]}" for c in step.changes) for step in result.steps]
    en = lang == "en"
    headers = (["Entity", "Block", "Old", "New", "Change", "Old rank", "New rank", "Moved by"]
               if en else ["Đơn vị", "Khối", "Trước", "Sau", "Thay đổi", "Hạng trước",
                           "Hạng sau", "Do các thay đổi"])
    tables = []
    order = {index: k for k, index in enumerate(dict.fromkeys(m.index for m in result.movements))}
    unchanged: list[str] = []
    for index, grouped in groupby(sorted(result.movements, key=lambda m: order[m.index]),
                                  key=lambda m: m.index):
        rows = list(grouped)
        if all(m.old_value == m.new_value and m.old_rank == m.new_rank for m in rows):
            unchanged.append(index)
            continue
        body: list[list[Cell]] = []
        for m in sorted(rows, key=lambda m: (m.block, m.entity)):
            delta = None if m.new_value is None or m.old_value is None else m.new_value - m.old_value
            split = {k for k, _, _ in m.terms}
            causes = sorted([*((share, names[k]) for k, (share, _) in enumerate(m.shares)
                               if share and k not in split),
                             *((share, f"{names[k]} {term}") for k, term, share in m.terms
                               if share)], key=lambda p: -abs(p[0]))[:3]
            body.append([m.entity, m.block, _published(m.old_shown, lang, m.digits),
                         _published(m.new_shown, lang, m.digits),
                         _number(delta, lang, signed=True),
                         "" if m.old_rank is None else str(m.old_rank),
                         "" if m.new_rank is None else str(m.new_rank),
                         "; ".join(f"{name} {_number(v, lang, signed=True)}"
                                   for v, name in causes)])
        caption = ("change on the exact values; each step's share, one change after another in "
                   "the list's order, adds up to it" if en else
                   "thay đổi tính trên giá trị chính xác; phần của từng bước, áp dụng lần lượt "
                   "theo thứ tự danh sách, cộng lại đúng bằng thay đổi")
        # Ids bare, not in code spans: a table escapes its cells (Markdown shows \` as `).
        tables.append(Table(f"{'Impact on' if en else 'Tác động đến'} {index}", headers, body,
                            caption=caption))
    if unchanged:  # said in one line, not a table of zeros
        entities = len({m.entity for m in result.movements})
        tables.append(Table(
            "", [("Unchanged for all {n} entities: {ids}" if en else
                  "Không đổi với cả {n} đơn vị: {ids}").format(n=entities, ids=", ".join(unchanged))],
            []))
    return tables


def impact_json(result: Impact, changes: list[Change]) -> list[dict[str, object]]:
    number = {id(c): k for k, c in enumerate(changes, 1)}

    def exact(value: Fraction | None) -> str | None:
        return None if value is None else exact_str(value)

    return [{"entity": m.entity, "block": m.block, "index": m.index,
             "old": {"value": exact(m.old_value), "published": exact(m.old_shown),
                     "rank": m.old_rank},
             "new": {"value": exact(m.new_value), "published": exact(m.new_shown),
                     "rank": m.new_rank},
             "steps": [{"changes": [number[id(c)] for c in step.changes],
                        "value": exact(share), "rank": rank,
                        "terms": {term: exact(v) for j, term, v in m.terms if j == k}}
                       for k, (step, (share, rank)) in enumerate(zip(result.steps, m.shares,
                                                                     strict=True))]}
            for m in result.movements]
