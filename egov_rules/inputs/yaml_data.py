"""Entities from YAML: `{entity: {block: …, indicator: value}}`, optionally under `entities:`.
Scalars are read from their text, so 0.1 is 1/10 and option ids like `on` stay strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.inputs.values import EntityData, Located, Nested
from egov_rules.source import SourceFile, Span

_INT_READER = yaml.SafeLoader("")  # only its YAML 1.1 integer constructor is used

def load_yaml(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from a YAML file: `{entity: {block: …, indicator: value, …}}`, optionally
    under a top-level `entities:` key. Decimals are read exactly, as written."""
    try:
        source = SourceFile.read(path)
    except UnicodeDecodeError:
        reporter.report(codes.NOT_UTF8, None)
        reporter.diagnostics[-1] = Diagnostic(codes.NOT_UTF8, None, {}, None, (), str(path))
        return []
    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        span = source.span(mark.index, mark.index + 1) if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        reporter.report(codes.BAD_DATA, span, detail=f"not valid YAML: {problem}",
                        detail_vi=f"không phải YAML hợp lệ: {problem}")
        return []
    return _entities_from_yaml(root, source, reporter)


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
    entities: list[EntityData] = []
    seen: dict[str, Span] = {}
    for key, value in root.value:
        name = str(key.value)
        if name in seen:
            reporter.report(codes.DUPLICATE_ID, _span(source, key), name=name)
            continue
        seen[name] = _span(source, key)
        entity = _entity_from_yaml(name, key, value, source, reporter)
        if entity is not None:
            entities.append(entity)
    return entities


def _entity_from_yaml(name: str, key: yaml.Node, node: yaml.Node, source: SourceFile,
                      reporter: Reporter) -> EntityData | None:
    if not isinstance(node, yaml.MappingNode):
        reporter.report(codes.BAD_DATA, _span(source, node),
                        detail=f"{name}: expected `block:` and indicator values",
                        detail_vi=f"{name}: cần `block:` và giá trị các chỉ số")
        return None
    entity = EntityData(name=name, block=Located(None, _span(source, key)),
                        span=_span(source, key), path=name)
    for item_key, item_value in node.value:
        field_name = str(item_key.value)
        located = Located(_scalar(item_value), _span(source, item_value), f"{name}.{field_name}")
        if field_name == "block":
            entity.block = located
        elif field_name in entity.values:
            reporter.report(codes.DUPLICATE_ID, _span(source, item_key), name=field_name)
        else:
            entity.values[field_name] = located
    if entity.block.value is None:
        reporter.report(codes.BAD_DATA, _span(source, key),
                        detail=f"{name}: no `block:` given", detail_vi=f"{name}: thiếu `block:`")
        return None
    return entity


def _scalar(node: yaml.Node) -> Any:
    """A YAML scalar as Python, with decimals kept exact (as the text that was written)."""
    if not isinstance(node, yaml.ScalarNode):
        return Nested("list" if isinstance(node, yaml.SequenceNode) else "mapping")
    tag = node.tag.rsplit(":", 1)[-1]
    text = node.value
    if tag == "float":
        lowered = text.lower()
        if lowered in (".inf", "+.inf", "-.inf", ".nan"):
            return float(lowered.replace(".", ""))
        return text.replace("_", "")
    if tag == "int":
        try:
            return int(_INT_READER.construct_yaml_int(node))
        except ValueError:
            return text  # e.g. thousands of digits: reported by `coerce`
    if tag == "bool":
        return text.lower() in ("yes", "true", "on", "y")
    if tag == "null":
        return None
    return text
