"""Revisions: a file that `extends` a base, resolved into the complete methodology it means.

The base is found by id in the library (`library.py`), parsed and built (its own `extends`
resolved first), and the revision's statements are applied to its syntax tree in the order
written. The result is an ordinary syntax tree: every later stage checks it as it checks a
complete file, and a problem in what the base contributed is located in the base's file. The
base's examples are dropped (the rules they were computed under have changed); the revision's
own examples run. docs/revisions.md describes the language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.build import between_in_data_units, build
from egov_rules.diagnostics import Diagnostic, Label, Reporter, Text, did_you_mean
from egov_rules.library import MAX_CHAIN, LibraryArg, describe, library_dirs, scan
from egov_rules.parser import MAX_FILE_CHARS, parse
from egov_rules.source import SourceFile, Span


@dataclass(frozen=True, slots=True)
class Base:
    """A methodology a revision is built on: its id, file and the sha256 of its text."""

    id: str
    path: str
    text: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Expanded:
    """A complete syntax tree, the chain of bases it was built on (nearest first) and the
    ids the revisions removed, with where (to name the removal at a use left behind)."""

    tree: s.Methodology
    bases: tuple[Base, ...]
    removed: dict[str, Span]


def expand(tree: s.Methodology, reporter: Reporter, library: LibraryArg,
           chain: tuple[str, ...] = ()) -> Expanded | None:
    """The complete methodology a file means; None when its base cannot be had (reported)."""
    extends = tree.header.extends
    if extends is None:
        for amendment in tree.amendments or ():
            _no_base(reporter, amendment.span)
        return Expanded(dataclasses.replace(tree, amendments=None), (), {})
    chain = (*chain, tree.header.id)
    base_source = _find_base(extends, chain, library, reporter)
    if base_source is None:
        return None
    base_tree_raw = parse(base_source, reporter)
    if base_tree_raw is None:
        return None
    base = expand(build(base_tree_raw, base_source, reporter), reporter, library, chain)
    if base is None:
        return None
    applied = _Revision(base.tree, extends.name, reporter)
    applied.declared_in_place(tree)
    for amendment in tree.amendments or ():
        applied.apply(amendment)
    resolved = applied.result(tree)
    bases = (Base(extends.name, base_source.path, base_source.text), *base.bases)
    return Expanded(resolved, bases, {**base.removed, **applied.removed})


def _no_base(reporter: Reporter, span: Span) -> None:
    reporter.report(
        codes.BAD_AMENDMENT, span,
        detail="`add`, `replace`, `remove` and `change` revise a base, and this file names none",
        detail_vi="`add`, `replace`, `remove` và `change` sửa đổi một phương pháp gốc, mà tệp "
                  "này không nêu phương pháp gốc nào",
        hint=Text("name it in the header: `methodology <id> extends <base id>`",
                  "nêu ở phần đầu: `methodology <mã> extends <mã phương pháp gốc>`"),
    )


def _find_base(ref: s.Ref, chain: tuple[str, ...], library: LibraryArg, reporter: Reporter
               ) -> SourceFile | None:
    """The text of the base `ref` names, looked up by id in the library."""
    if ref.name in chain:
        shown = " extends ".join(f"`{name}`" for name in (*chain, ref.name))
        reporter.report(codes.EXTENDS_CYCLE, ref.span, name=ref.name, chain=shown)
        return None
    if len(chain) > MAX_CHAIN:
        reporter.report(codes.TOO_LARGE, ref.span, what="the chain of `extends`",
                        what_vi="chuỗi `extends`", limit=str(MAX_CHAIN))
        return None
    dirs = library_dirs(library)
    entries = scan(dirs)
    found = [e for e in entries if e.id == ref.name]
    if not found:
        reporter.report(codes.UNKNOWN_BASE, ref.span, name=ref.name, library=describe(dirs),
                        hint=did_you_mean(ref.name, [e.id for e in entries]))
        return None
    if len(found) > 1:
        reporter.report(codes.DUPLICATE_BASE, ref.span, name=ref.name, count=str(len(found)),
                        paths=", ".join(e.path for e in found),
                        hint=Text("keep one file per id in the library",
                                  "mỗi mã chỉ nên có một tệp trong thư viện"))
        return None
    path = Path(found[0].path)
    try:
        if path.stat().st_size > 4 * MAX_FILE_CHARS:
            reporter.report(codes.TOO_LARGE, ref.span, what=f"the base {path}",
                            what_vi=f"tệp gốc {path}", limit=f"{MAX_FILE_CHARS:,} characters",
                            limit_vi=f"{MAX_FILE_CHARS:,} ký tự")
            return None
        return SourceFile.read(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        reporter.report(codes.UNKNOWN_BASE, ref.span, name=ref.name,
                        library=f"{path} cannot be read: {reason}",
                        library_vi=f"không đọc được {path}: {reason}")
        return None


# -- applying the statements ----------------------------------------------------------------

_KIND_WORDS: dict[type, tuple[str, str]] = {
    s.Block: ("block", "khối"), s.Indicator: ("indicator", "chỉ số"),
    s.Let: ("derived value", "giá trị dẫn xuất"), s.Node: ("criterion or category",
                                                          "tiêu chí hay hạng mục"),
    s.Index: ("index", "chỉ số tổng hợp"), s.Grades: ("grades", "xếp loại"),
    s.Rank: ("rank", "xếp hạng"),
}
_DECLARED_HERE = Text("declared here", "khai báo ở đây")
NodeFn = Callable[[s.Node], s.Node | None]


class _Revision:
    """The base's declarations as lists, changed statement by statement."""

    def __init__(self, base: s.Methodology, base_id: str, reporter: Reporter) -> None:
        self.base = base
        self.name = f"`{base_id}`"
        self.reporter = reporter
        self.blocks = list(base.blocks)
        self.indicators = list(base.indicators)
        self.lets = list(base.lets)
        self.categories = base.categories
        self.indices = list(base.indices)
        self.grades = list(base.grades)
        self.ranks = list(base.ranks)
        self.removed: dict[str, Span] = {}

    # -- the result ---------------------------------------------------------------------------
    def declared_in_place(self, tree: s.Methodology) -> None:
        """A declaration written as in a complete file: say whether it is added or replaced."""
        plain: list[s.Declaration] = [*tree.blocks, *tree.indicators, *tree.lets,
                                      *tree.categories, *tree.indices, *tree.grades, *tree.ranks]
        for decl in plain:
            self.reporter.report(
                codes.BAD_AMENDMENT, decl.span,
                detail="in a revision, each declaration says what it does to the base",
                detail_vi="trong một lần sửa đổi, mỗi khai báo phải nói nó làm gì với phương "
                          "pháp gốc",
                hint=Text("write `add` before it, or `replace` if the base has it",
                          "viết `add` trước nó, hoặc `replace` nếu phương pháp gốc đã có"),
            )

    def result(self, tree: s.Methodology) -> s.Methodology:
        header = s.Header(id=tree.header.id, span=tree.header.span,
                          attributes=_merge_header(self.base.header.attributes,
                                                   tree.header.attributes))
        return s.Methodology(
            header=header, blocks=tuple(self.blocks), indicators=tuple(self.indicators),
            lets=tuple(self.lets), categories=self.categories, indices=tuple(self.indices),
            grades=tuple(self.grades), ranks=tuple(self.ranks), examples=tree.examples,
            span=tree.span,
        )

    # -- dispatch -------------------------------------------------------------------------------
    def apply(self, amendment: s.Amendment) -> None:
        match amendment:
            case s.Add(parent=None):
                for item in amendment.items:
                    self._add(item)
            case s.Add(parent=parent) if parent is not None:
                self._add_to(parent, cast(tuple[s.Node, ...], amendment.items))
            case s.Replace():
                for item in amendment.items:
                    self._replace(item)
            case s.Remove():
                for target in amendment.targets:
                    self._remove(target, amendment.span)
            case s.Change(grades=True):
                self._change_grades(amendment)
            case s.Change():
                self._change(amendment)

    # -- lookups -----------------------------------------------------------------------------
    def _nodes(self) -> dict[str, s.Node]:
        return {n.id: n for n in s.walk_nodes(self.categories)}

    def _declared(self, name: str) -> s.Declaration | None:
        """The indicator, let, node or index `name` (one namespace), if the tree has it."""
        for decls in (self.indicators, self.lets, self._nodes().values(), self.indices):
            for decl in decls:
                if decl.id == name:
                    return decl
        return None

    def _ids(self) -> list[str]:
        """The ids of the indicators, lets, nodes and indices (for did-you-mean)."""
        return ([i.id for i in self.indicators] + [x.id for x in self.lets] + list(self._nodes())
                + [i.id for i in self.indices])

    def _unknown(self, ref: s.Ref, action: tuple[str, str], kind: tuple[str, str],
                 candidates: list[str]) -> None:
        self.reporter.report(codes.AMEND_UNKNOWN, ref.span, name=ref.name, action=action[0],
                             action_vi=action[1], kind=kind[0], kind_vi=kind[1], base=self.name,
                             hint=did_you_mean(ref.name, candidates))

    def _exists(self, name: str, span: Span, existing: Span) -> None:
        self.reporter.report(
            codes.AMEND_EXISTS, span, name=name, base=self.name,
            hint=Text(f"to give it a new body, write `replace`; to change one attribute, "
                      f"`change {name}`", f"để viết lại, dùng `replace`; để sửa một thuộc "
                      f"tính, dùng `change {name}`"),
            labels=[Label(existing, _DECLARED_HERE)],
        )

    def _bad(self, span: Span, en: str, vi: str, hint: Text | None = None) -> None:
        self.reporter.report(codes.BAD_AMENDMENT, span, detail=en, detail_vi=vi, hint=hint)

    # -- add ---------------------------------------------------------------------------------
    def _add(self, item: s.Declaration) -> None:
        if isinstance(item, s.Grades | s.Rank):
            self._add_graded(item)
            return
        if isinstance(item, s.Block):
            existing: s.Declaration | None = next((b for b in self.blocks if b.id == item.id),
                                                  None)
        else:
            existing = self._declared(item.id)
        if existing is not None:
            self._exists(item.id, item.span, existing.span)
            return
        match item:
            case s.Block():
                self.blocks.append(item)
            case s.Indicator():
                self.indicators.append(item)
            case s.Let():
                self.lets.append(item)
            case s.Node():
                self.categories = (*self.categories, item)
            case s.Index():
                self.indices.append(item)

    def _add_graded(self, item: s.Grades | s.Rank) -> None:
        entries: list[s.Grades] | list[s.Rank] = (self.grades if isinstance(item, s.Grades)
                                                  else self.ranks)
        for target in item.targets:
            for entry in entries:
                if any(t.name == target.name for t in entry.targets):
                    self._exists(target.name, target.span, entry.span)
                    return
        cast(list[s.Grades | s.Rank], entries).append(item)

    def _add_to(self, parent: s.Ref, children: tuple[s.Node, ...]) -> None:
        nodes = self._nodes()
        if parent.name not in nodes:
            self._unknown(parent, ("add to", "thêm vào"), _KIND_WORDS[s.Node], list(nodes))
            return
        fresh: list[s.Node] = []
        for child in children:
            existing = self._declared(child.id)
            if existing is not None:
                self._exists(child.id, child.span, existing.span)
            else:
                fresh.append(child)
        self.categories = _rewrite(self.categories, parent.name,
                                   lambda node: _with_children(node, tuple(fresh)))

    # -- replace -----------------------------------------------------------------------------
    def _replace(self, item: s.Declaration) -> None:
        action = ("replace", "thay thế")
        if isinstance(item, s.Grades | s.Rank):
            self._replace_graded(item)
            return
        if isinstance(item, s.Node):
            nodes = self._nodes()
            if item.id not in nodes:
                self._unknown(_ref_of(item), action, _KIND_WORDS[s.Node], list(nodes))
                return
            self.categories = _rewrite(self.categories, item.id, lambda _old: item)
            return
        match item:
            case s.Block():
                found = _replace_in(self.blocks, item)
            case s.Indicator():
                found = _replace_in(self.indicators, item)
            case s.Let():
                found = _replace_in(self.lets, item)
            case s.Index():
                found = _replace_in(self.indices, item)
        if found is not None:
            self._unknown(_ref_of(item), action, _KIND_WORDS[type(item)], found)

    def _replace_graded(self, item: s.Grades | s.Rank) -> None:
        entries = cast(list[s.Grades | s.Rank], self.grades if isinstance(item, s.Grades)
                       else self.ranks)
        names = {t.name for t in item.targets}
        at: int | None = None
        kept: list[s.Grades | s.Rank] = []
        for entry in entries:
            left = tuple(t for t in entry.targets if t.name not in names)
            if len(left) != len(entry.targets) and at is None:
                at = len(kept)
            if left:
                kept.append(dataclasses.replace(entry, targets=left))
        if at is None:
            graded = [t.name for e in entries for t in e.targets]
            self._unknown(item.targets[0], ("replace", "thay thế"), _KIND_WORDS[type(item)],
                          graded)
            return
        kept.insert(at, item)
        entries[:] = kept

    # -- remove ------------------------------------------------------------------------------
    def _remove(self, target: s.RemoveTarget, span: Span) -> None:
        ref = target.ref
        if target.what != "id":
            self._remove_graded(target)
            return
        for entries in (self.blocks, self.indicators, self.lets, self.indices):
            decls = cast(list[s.Index], entries)
            at = next((k for k, d in enumerate(decls) if d.id == ref.name), None)
            if at is not None:
                del decls[at]
                self.removed[ref.name] = span
                if entries is self.indices:  # its grades and rank go with it
                    self._drop_targets(self.grades, ref.name)
                    self._drop_targets(self.ranks, ref.name)
                return
        node = self._nodes().get(ref.name)
        if node is None:
            self._unknown(ref, ("remove", "bãi bỏ"), ("declaration", "khai báo"),
                          [b.id for b in self.blocks] + self._ids())
            return
        for gone in s.walk_nodes((node,)):
            self.removed[gone.id] = span
        self.categories = _rewrite(self.categories, ref.name, lambda _old: None)

    def _remove_graded(self, target: s.RemoveTarget) -> None:
        entries = cast(list[s.Grades | s.Rank], self.grades if target.what == "grades"
                       else self.ranks)
        if not any(t.name == target.ref.name for e in entries for t in e.targets):
            kind = (_KIND_WORDS[s.Grades] if target.what == "grades" else _KIND_WORDS[s.Rank])
            self._unknown(target.ref, ("remove", "bãi bỏ"), kind,
                          [t.name for e in entries for t in e.targets])
            return
        self._drop_targets(self.grades if target.what == "grades" else self.ranks,
                           target.ref.name)

    @staticmethod
    def _drop_targets(entries: list[s.Grades] | list[s.Rank], name: str) -> None:
        kept = [dataclasses.replace(e, targets=tuple(t for t in e.targets if t.name != name))
                for e in cast(list[s.Grades | s.Rank], entries)]
        cast(list[s.Grades | s.Rank], entries)[:] = [e for e in kept if e.targets]

    # -- change ------------------------------------------------------------------------------
    def _change(self, change: s.Change) -> None:
        ref = change.target
        decl = self._declared(ref.name)
        if decl is None:
            self._unknown(ref, ("change", "sửa đổi"), ("declaration", "khai báo"), self._ids())
            return
        match decl:
            case s.Node():
                changed = self._changed_node(decl, change.settings)
                self.categories = _rewrite(self.categories, decl.id, lambda _old: changed)
            case s.Index():
                self.indices = [self._changed_index(decl, change.settings) if i is decl else i
                                for i in self.indices]
            case s.Indicator():
                self.indicators = [self._changed_indicator(decl, change.settings)
                                   if i is decl else i for i in self.indicators]
            case s.Let():
                self.lets = [self._changed_let(decl, change.settings) if x is decl else x
                             for x in self.lets]

    def _cannot(self, setting: s.Setting, what: str, what_vi: str, name: str) -> None:
        self._bad(setting.span, f"`{setting.key}` is not something a {what} has (`{name}`)",
                  f"{what_vi} `{name}` không có thuộc tính `{setting.key}`")

    def _changed_node(self, node: s.Node, settings: tuple[s.Setting, ...]) -> s.Node:
        citations = [x.value for x in settings if x.key == "citation"]
        if citations:
            node = dataclasses.replace(node, citations=cast(tuple[s.Citation, ...],
                                                            tuple(citations)))
        for setting in settings:
            value = setting.value
            match setting.key:
                case "citation":
                    pass
                case "max":
                    node = dataclasses.replace(node, maximum=cast(s.MaxSpec, value))
                case "weight":
                    node = dataclasses.replace(node, weight=cast(s.Number, value))
                case "only":
                    node = dataclasses.replace(node, only=cast(tuple[s.Ref, ...], value))
                case "when":
                    node = dataclasses.replace(node, when=cast(s.Expr, value))
                case "en" | "note" | "reconstructed":
                    node = dataclasses.replace(node, attributes=_set_attr(node.attributes,
                                                                          setting))
                case "row":
                    node = self._changed_row(node, setting)
                case "label":
                    node = dataclasses.replace(node, label=cast(str, setting.value))
                case "everywhere":  # neither `only` nor `when` any more
                    node = dataclasses.replace(node, only=None, when=None)
                case _:
                    self._cannot(setting, "criterion", "tiêu chí", node.id)
        return node

    def _changed_row(self, node: s.Node, setting: s.Setting) -> s.Node:
        number, band = cast(tuple[int, s.Band], setting.value)
        bands = [r for r in node.body if isinstance(r, s.Bands)]
        if len(bands) != 1 or not 1 <= number <= len(bands[0].bands):
            rows = len(bands[0].bands) if len(bands) == 1 else 0
            self._bad(setting.span, f"`{node.id}` has no band row {number} (it has {rows})",
                      f"`{node.id}` không có dòng mức {number} (có {rows} dòng)")
            return node
        rows_ = list(bands[0].bands)
        rows_[number - 1] = band
        new = dataclasses.replace(bands[0], bands=tuple(rows_))
        return dataclasses.replace(node, body=tuple(new if r is bands[0] else r
                                                    for r in node.body))

    def _changed_index(self, index: s.Index, settings: tuple[s.Setting, ...]) -> s.Index:
        for setting in settings:
            match setting.key:
                case "round":
                    index = dataclasses.replace(index, round=cast(int, setting.value))
                case "scale":
                    index = dataclasses.replace(index, scale=cast(s.Scale, setting.value))
                case "terms":
                    method, terms = cast(tuple[s.IndexMethod, tuple[s.IndexTerm, ...]],
                                         setting.value)
                    index = dataclasses.replace(index, method=method, terms=terms)
                case "en":
                    index = dataclasses.replace(index, label_en=cast(str, setting.value))
                case "label":
                    index = dataclasses.replace(index, label=cast(str, setting.value))
                case _:
                    self._cannot(setting, "index", "chỉ số tổng hợp", index.id)
        return index

    def _changed_indicator(self, indicator: s.Indicator, settings: tuple[s.Setting, ...]
                           ) -> s.Indicator:
        for setting in settings:
            match setting.key:
                case "en" | "note" | "unit" | "evidence" | "data_source" | "verified_by" \
                        | "between":
                    attrs = _set_attr(indicator.attributes, setting)
                    attrs = tuple(between_in_data_units(a, indicator.kind) for a in attrs)
                    indicator = dataclasses.replace(indicator, attributes=attrs)
                case "label":
                    indicator = dataclasses.replace(indicator, label=cast(str, setting.value))
                case _:
                    self._cannot(setting, "indicator", "chỉ số", indicator.id)
        return indicator

    def _changed_let(self, let: s.Let, settings: tuple[s.Setting, ...]) -> s.Let:
        for setting in settings:
            if setting.key == "en":
                let = dataclasses.replace(let, label_en=cast(str, setting.value))
            elif setting.key == "label":
                let = dataclasses.replace(let, label=cast(str, setting.value))
            else:
                self._cannot(setting, "derived value", "giá trị dẫn xuất", let.id)
        return let

    def _change_grades(self, change: s.Change) -> None:
        name = change.target.name
        at = next((k for k, g in enumerate(self.grades)
                   if any(t.name == name for t in g.targets)), None)
        if at is None:
            self._unknown(change.target, ("change", "sửa đổi"), _KIND_WORDS[s.Grades],
                          [t.name for g in self.grades for t in g.targets])
            return
        rows = list(self.grades[at].bands)
        for setting in change.settings:
            number, band = cast(tuple[int, s.Band], setting.value)
            if not 1 <= number <= len(rows):
                self._bad(setting.span, f"the grades of `{name}` have no row {number} (they "
                          f"have {len(rows)})", f"xếp loại của `{name}` không có dòng {number} "
                          f"(có {len(rows)} dòng)")
                continue
            rows[number - 1] = band
        self.grades[at] = dataclasses.replace(self.grades[at], bands=tuple(rows))


# -- tree helpers ---------------------------------------------------------------------------


_Named = TypeVar("_Named", s.Block, s.Indicator, s.Let, s.Index)


def _replace_in(entries: list[_Named], item: _Named) -> list[str] | None:
    """Put `item` in place of the entry with its id; None when done, else the ids there are."""
    for k, entry in enumerate(entries):
        if entry.id == item.id:
            entries[k] = item
            return None
    return [entry.id for entry in entries]


def _ref_of(decl: s.Block | s.Indicator | s.Let | s.Node | s.Index) -> s.Ref:
    return s.Ref(name=decl.id, span=decl.span)


def _rewrite(nodes: tuple[s.Node, ...], target: str, fn: NodeFn) -> tuple[s.Node, ...]:
    """The trees with node `target` replaced by `fn(node)` (None: removed)."""
    out: list[s.Node] = []
    for node in nodes:
        if node.id == target:
            new = fn(node)
            if new is not None:
                out.append(new)
            continue
        body: list[s.Rule | s.Group | s.Node] = []
        for part in node.body:
            if isinstance(part, s.Node):
                body.extend(_rewrite((part,), target, fn))
            elif isinstance(part, s.Group):
                body.append(dataclasses.replace(part, children=_rewrite(part.children, target,
                                                                        fn)))
            else:
                body.append(part)
        out.append(dataclasses.replace(node, body=tuple(body)))
    return tuple(out)


def _with_children(node: s.Node, children: tuple[s.Node, ...]) -> s.Node:
    """`node` with `children` added last: inside its group when it has one."""
    groups = node.groups
    if not groups:
        return dataclasses.replace(node, body=(*node.body, *children))
    last = groups[-1]
    grown = dataclasses.replace(last, children=(*last.children, *children))
    return dataclasses.replace(node, body=tuple(grown if b is last else b for b in node.body))


def _set_attr(attrs: tuple[s.Attribute, ...], setting: s.Setting) -> tuple[s.Attribute, ...]:
    """The attributes with `setting`'s key set: in its place when there, else last."""
    new = s.Attribute(key=setting.key, value=cast(str, setting.value), span=setting.span)
    if any(a.key == setting.key for a in attrs):
        return tuple(new if a.key == setting.key else a for a in attrs)
    return (*attrs, new)


def _merge_header(base: tuple[s.Attribute, ...], own: tuple[s.Attribute, ...]
                  ) -> tuple[s.Attribute, ...]:
    """The base's header fields, each the revision gives replaced in its place; a new
    `missing` policy drops the base's `within` with it."""
    given = {a.key: a for a in own}
    dropped = {"within"} if "missing" in given else set()
    merged = [given.get(a.key, a) for a in base if a.key not in dropped or a.key in given]
    return (*merged, *(a for a in own if a.key not in {m.key for m in merged}))


def name_removals(reporter: Reporter, removed: dict[str, Span], start: int) -> None:
    """An unknown name reported from `start` on that a revision removed: said as such, at
    the use, naming the removal."""
    for k in range(start, len(reporter.diagnostics)):
        old = reporter.diagnostics[k]
        name = old.args.get("name", "")
        if old.code is not codes.UNKNOWN_NAME or name not in removed or old.span is None:
            continue
        where = removed[name]
        reporter.diagnostics[k] = Diagnostic(
            codes.REMOVED_REFERENCE, old.span, {"name": name, "where": f"{where.path}:{where.line}"},
            Text(f"remove or change this use too, or keep `{name}`",
                 f"bãi bỏ hoặc sửa cả chỗ dùng này, hoặc giữ lại `{name}`"),
            (Label(where, Text("removed here", "bãi bỏ ở đây")),),
        )
