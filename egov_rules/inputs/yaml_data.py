"""Entities from YAML: `{entity: {block: …, indicator: value}}`, optionally under `entities:`.
Scalars are read from their text, as a CSV cell is, so 0.1 is 1/10, option ids like `on` stay
words, and the forms YAML 1.1 and 1.2 read differently (`0100`, `1:30`) are refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from egov_rules import codes
from egov_rules.diagnostics import Reporter, Text, did_you_mean
from egov_rules.inputs.values import (
    IGNORED,
    MAX_DEPTH,
    MAX_ENTITIES,
    MAX_VALUES,
    EntityData,
    Located,
    Nested,
    Refused,
    _read_text,
    _report_duplicate,
    folded,
    normal_text,
    text_problem,
    too_deep,
    too_many_entities,
    too_many_values,
)
from egov_rules.model import Model
from egov_rules.source import SourceFile, Span

_NULL = "tag:yaml.org,2002:null"
# A plain scalar with a leading zero: octal to YAML 1.1 (0100 is 64), decimal to YAML 1.2.
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")


class _TooLarge(Exception):
    def __init__(self, mark: Any, deep: bool) -> None:
        super().__init__()
        self.mark, self.deep = mark, deep


class _Tagged(Exception):
    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


# Tags that ask for no other reading than the one given: a text, null, a mapping, a list.
# Any other (`!!binary aGk=`, `!!int 0o17`, `!!set`, `!custom`) asks for a reading of the
# text that the data reader does not do: it is refused, never read as its bare text.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "null", "map", "seq"))


class _Loader(yaml.SafeLoader):
    """The safe loader, composing nodes no deeper than MAX_DEPTH (its composer recurses) and
    no more than MAX_VALUES of them (each costs memory), refusing explicit tags."""

    depth = nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        self.nodes += 1
        try:
            if self.depth > MAX_DEPTH or self.nodes > MAX_VALUES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooLarge(mark, deep=self.depth > MAX_DEPTH)
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if getattr(event, "tag", None) not in (None, "!", *_PLAIN_TAGS):
                raise _Tagged(event)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from a YAML file: `{entity: {block: …, indicator: value, …}}`, optionally
    under a top-level `entities:` key. Numbers are read exactly, as written."""
    composed = _compose(path, reporter)
    return [] if composed is None else _entities_from_yaml(*composed, reporter)


MAX_COLUMNS = 10_000


def load_columns(path: str | Path, reporter: Reporter, model: Model) -> dict[str, str]:
    """`--columns MAP.yaml`: table heading → indicator id (or `entity`, `block`), headings
    folded as a table's are; every problem located in the file."""
    composed = _compose(path, reporter)
    if composed is None:
        return {}
    root, source = composed
    if not isinstance(root, yaml.MappingNode) or len(root.value) > MAX_COLUMNS:
        where = _span(source, root) if root is not None else source.span(0, 0)
        reporter.report(codes.BAD_DATA, where,
                        detail=f"expected a mapping of column headings to indicator ids (at most "
                               f"{MAX_COLUMNS:,})",
                        detail_vi=f"cần một ánh xạ từ tên cột đến mã chỉ số (tối đa "
                                  f"{MAX_COLUMNS:,})")
        return {}
    ids = [*model.indicators, "entity", "block"]
    columns: dict[str, str] = {}
    for key, value in root.value:
        if not (_is_text(key) and (_is_text(value) or _is_null(value))):
            _say_not_text(reporter, source, key if not _is_text(key) else value)
        elif folded(normal_text(key.value)) in columns:
            reporter.report(codes.BAD_DATA, _span(source, key),
                            detail=f"the heading `{key.value}` is mapped twice",
                            detail_vi=f"tên cột `{key.value}` được ánh xạ hai lần")
        elif _is_null(value):  # `heading: ~`: a column read as information, not scored
            columns[folded(normal_text(key.value))] = IGNORED
        elif value.value not in ids:
            hint = did_you_mean(value.value, ids)
            reporter.report(codes.BAD_DATA, _span(source, value),
                            detail=f"`{value.value}` is not an indicator of the methodology",
                            detail_vi=f"`{value.value}` không phải chỉ số của phương pháp",
                            hint=hint)
        else:
            columns[folded(normal_text(key.value))] = value.value
    return columns


def _is_null(node: yaml.Node) -> bool:
    """`~`, `null` or nothing: a heading mapped to no indicator (a column to ignore)."""
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and node.style is None


def _is_text(node: yaml.Node) -> bool:
    """A plain scalar YAML reads as text, or a quoted one (a heading `2024` must be quoted)."""
    return isinstance(node, yaml.ScalarNode) and (node.tag.endswith(":str") or node.style is not None)


def _say_not_text(reporter: Reporter, source: SourceFile, node: yaml.Node) -> None:
    reporter.report(codes.BAD_DATA, _span(source, node),
                    detail="a heading and an indicator id are texts",
                    detail_vi="tên cột và mã chỉ số phải là văn bản",
                    hint=Text("write `heading text: indicator_id`",
                              "viết `tên cột: mã_chỉ_số`"))


def _compose(path: str | Path, reporter: Reporter) -> tuple[yaml.Node | None, SourceFile] | None:
    """The file's YAML nodes, bounded, without tags; or None once reported why not."""
    source = _read_text(path, reporter)
    if source is None:
        return None
    try:
        root = yaml.compose(source.text, Loader=_Loader)
    except _TooLarge as large:
        where = Located(None, source.span(large.mark.index, large.mark.index + 1))
        (too_deep if large.deep else too_many_values)(reporter, where)
        return None
    except _Tagged as tagged:
        start, end = tagged.event.start_mark.index, tagged.event.end_mark.index
        tag = str(tagged.event.tag).replace("tag:yaml.org,2002:", "!!")[:60]
        reporter.report(codes.BAD_DATA, source.span(start, max(end, start + 1)),
                        detail=f"the YAML tag `{tag}` is not read: values and names are read "
                               "from their text, as a CSV cell is",
                        detail_vi=f"thẻ YAML `{tag}` không được đọc: giá trị và tên được đọc "
                                  "từ văn bản của chúng, như một ô CSV",
                        hint=Text("remove the tag and write the value itself",
                                  "bỏ thẻ và viết chính giá trị"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        span = source.span(mark.index, mark.index + 1) if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        reporter.report(codes.BAD_DATA, span, detail=f"not valid YAML: {problem}",
                        detail_vi=f"không phải YAML hợp lệ: {problem}")
        return None
    return root, source


def _span(source: SourceFile, node: yaml.Node) -> Span:
    return source.span(node.start_mark.index, node.end_mark.index)


def _entities_from_yaml(root: yaml.Node | None, source: SourceFile, reporter: Reporter
                        ) -> list[EntityData]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "entities" and len(root.value) == 1:
                root = value
                break
    if not isinstance(root, yaml.MappingNode):
        reporter.report(
            codes.BAD_DATA, _span(source, root) if root is not None else source.span(0, 0),
            detail="expected a mapping of entity names to their data",
            detail_vi="cần một ánh xạ từ tên đơn vị đến dữ liệu của đơn vị",
        )
        return []
    if len(root.value) > MAX_ENTITIES:
        too_many_entities(reporter, Located(None, _span(source, root.value[MAX_ENTITIES][0])))
        return []
    entities: list[EntityData] = []
    seen: dict[str, Located] = {}
    for key, value in root.value:
        name = _name(key, source, reporter)
        if name is None:
            continue
        here = Located(key.value, _span(source, key))
        if name in seen:
            _report_duplicate(reporter, name, here, seen[name])
            continue
        seen[name] = here
        entity = _entity_from_yaml(name, key, value, source, reporter)
        if entity is not None:
            entities.append(entity)
    return entities


def _name(key: yaml.Node, source: SourceFile, reporter: Reporter) -> str | None:
    """A key as a name (`normal_text`), or None after saying why it cannot be one."""
    bad = text_problem(key.value) if isinstance(key, yaml.ScalarNode) else None
    if not isinstance(key, yaml.ScalarNode):
        en, vi = ("a name must be text, not a list or mapping",
                  "tên phải là văn bản, không phải danh sách hay ánh xạ")
    elif bad is not None:
        en, vi = bad.en, bad.vi
    elif not normal_text(key.value):
        en, vi = "a key without a name", "khoá không có tên"
    else:
        return normal_text(key.value)
    reporter.report(codes.BAD_DATA, _span(source, key), detail=en, detail_vi=vi)
    return None


def _entity_from_yaml(name: str, key: yaml.Node, node: yaml.Node, source: SourceFile,
                      reporter: Reporter) -> EntityData | None:
    if not isinstance(node, yaml.MappingNode):
        reporter.report(codes.BAD_DATA, _span(source, node),
                        detail=f"{name}: expected `block:` and indicator values",
                        detail_vi=f"{name}: cần `block:` và giá trị các chỉ số")
        return None
    entity = EntityData(name=name, block=Located(None, _span(source, key)),
                        span=_span(source, key), path=name)
    keys: dict[str, Located] = {}
    for item_key, item_value in node.value:
        field_name = _name(item_key, source, reporter)
        if field_name is None:
            continue
        if field_name in keys:
            _report_duplicate(reporter, field_name, Located(item_key.value, _span(source, item_key)),
                              keys[field_name])
            continue
        keys[field_name] = Located(item_key.value, _span(source, item_key))
        located = Located(_scalar(item_value), _span(source, item_value), f"{name}.{field_name}")
        if field_name == "block":
            entity.block = located
        else:
            entity.values[field_name] = located
    if entity.block.value is None:
        reporter.report(codes.BAD_DATA, _span(source, key),
                        detail=f"{name}: no `block:` given", detail_vi=f"{name}: thiếu `block:`")
        return None
    return entity


def _scalar(node: yaml.Node) -> Any:
    """A YAML value as its text (read by `coerce`, as a CSV cell is); None when empty or null,
    a `Nested` for a list or mapping, a `Refused` for a leading-zero number."""
    if not isinstance(node, yaml.ScalarNode):
        return Nested("list" if isinstance(node, yaml.SequenceNode) else "mapping")
    if node.tag == _NULL:
        return None
    if node.style is None and _LEADING_ZERO.fullmatch(node.value):
        return _leading_zero(node.value)
    return normal_text(node.value)


def _leading_zero(text: str) -> Refused:
    digits = text.replace("_", "")
    decimal = str(int(digits))
    octal = f" and YAML 1.1 as {int(digits, 8)}" if set(digits.lstrip("+-")) <= set("01234567") \
        else ""
    octal_vi = f", YAML 1.1 đọc là {int(digits, 8)}" if octal else ""
    return Refused(f"`{text}` has a leading zero: YAML 1.2 reads it as {decimal}{octal}",
                   f"`{text}` có số 0 ở đầu: YAML 1.2 đọc là {decimal}{octal_vi}",
                   Text(f"write {decimal} without the leading zero",
                        f"viết {decimal}, không có số 0 ở đầu"))
