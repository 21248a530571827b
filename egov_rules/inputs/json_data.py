"""Entities from JSON: `{entity: {block, …}}` or a list of objects with `entity`; numbers read
from their text, a key given twice reported, every problem located by its key path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.inputs.values import (
    MAX_DEPTH,
    MAX_ENTITIES,
    MAX_VALUES,
    EntityData,
    Located,
    _read_text,
    _report,
    _report_duplicate,
    normal_text,
    normal_value,
    same_name,
    shown,
    text_problem,
    too_deep,
    too_many_entities,
    too_many_values,
)
from egov_rules.source import SourceFile

# What the scan before parsing looks at: strings (skipped whole; an unterminated one ends the
# scan, the parser reports it), brackets and commas (one between two values).
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|"|[\[{]|[\]}]|,')
# Escapes in a string, in order, so that `\\ud800` (a backslash, then text) is not one.
_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                     r"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\.")


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given twice, once normalised: (key, as
    first written, as written again)."""

    repeated: list[tuple[str, str, str]]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.repeated = []
    written: dict[str, str] = {}
    for raw, value in pairs:
        key = normal_text(raw)
        if key in result:
            result.repeated.append((key, written[key], raw))
        written.setdefault(key, raw)
        result[key] = value
    return result


def _scan(source: SourceFile, reporter: Reporter) -> bool:
    """Before parsing (whose recursion a deep file would exhaust): nesting within MAX_DEPTH,
    and no escaped lone surrogate, which is not text. False after reporting either."""
    depth = values = 0
    for token in _TOKENS.finditer(source.text):
        text = token.group()
        if text in ",[{":
            values += 1
            if values > MAX_VALUES:
                too_many_values(reporter, Located(None, source.span(token.start(), token.end())))
                return False
        if text in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                too_deep(reporter, Located(None, source.span(token.start(), token.end())))
                return False
        elif text in "]}":
            depth -= 1
        elif text == '"':
            break  # unterminated: json reports it
        elif "\\u" in text and not _whole_escapes(source, token, reporter):
            return False
    return True


def _whole_escapes(source: SourceFile, token: re.Match[str], reporter: Reporter) -> bool:
    for escape in _ESCAPE.finditer(token.group()):
        if len(escape.group()) == 6 and escape.group()[1] == "u":  # a lone surrogate
            start = token.start() + escape.start()
            reporter.report(codes.BAD_DATA, source.span(start, start + 6),
                            detail=f"`{escape.group()}` is half of a character (a lone "
                                   "surrogate): the text is not valid Unicode",
                            detail_vi=f"`{escape.group()}` chỉ là nửa ký tự (surrogate đơn lẻ): "
                                      "văn bản không phải Unicode hợp lệ")
            return False
    return True


def _pointer(path: str | Path, *keys: object) -> str:
    """A JSON Pointer (RFC 6901) to a value, after the file name: `data.json#/Tỉnh D/staff`."""
    escaped = (str(k).replace("~", "~0").replace("/", "~1") for k in keys)
    return f"{path}#/" + "/".join(escaped)


def load_json(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from JSON: `{entity: {"block": …, indicator: value}}` (optionally under
    `"entities"`), or a list of objects each with `"entity"`. Decimals are read exactly."""

    source = _read_text(path, reporter)
    if source is None or not _scan(source, reporter):
        return []
    try:  # numbers as written: `coerce` reads them, as it reads a CSV cell
        root = json.loads(source.text, parse_float=str, parse_int=str, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        reporter.report(codes.BAD_DATA, source.span(error.pos, error.pos + 1),
                        detail=f"not valid JSON: {error.msg}",
                        detail_vi=f"không phải JSON hợp lệ: {error.msg}")
        return []
    prefix: tuple[Any, ...] = ()
    if isinstance(root, dict) and list(root) == ["entities"]:
        root, prefix = root["entities"], ("entities",)
    if isinstance(root, dict):
        _report_repeated(reporter, path, root, prefix)
        items = [(name, data, (*prefix, name)) for name, data in root.items()]
    elif isinstance(root, list):
        items = [(None, data, (*prefix, number)) for number, data in enumerate(root)]
    else:
        reporter.diagnostics.append(Diagnostic(codes.BAD_DATA, None, {
            "detail": "expected an object of entities or a list of objects with `entity`",
            "detail_vi": "cần một đối tượng gồm các đơn vị, hoặc danh sách đối tượng có `entity`"},
            path=str(path)))
        return []
    if len(items) > MAX_ENTITIES:
        too_many_entities(reporter, Located(None, path=_pointer(path, *items[MAX_ENTITIES][2])))
        return []
    return _json_entities(path, items, reporter)


def _report_repeated(reporter: Reporter, path: str | Path, obj: Any, keys: tuple[Any, ...]) -> None:
    for name, first, again in getattr(obj, "repeated", []):
        _report(reporter, codes.DUPLICATE_ID, Located(None, path=_pointer(path, *keys, name)),
                hint=same_name(first, again), name=shown(name, 80))


def _json_entities(path: str | Path, items: list[tuple[str | None, Any, tuple[Any, ...]]],
                   reporter: Reporter) -> list[EntityData]:
    entities: list[EntityData] = []
    seen: dict[str, str] = {}
    for given_name, data, keys in items:
        where = _pointer(path, *keys)
        if not isinstance(data, dict):
            _report(reporter, codes.BAD_DATA, Located(None, path=where),
                    detail="expected an object with `block` and indicator values",
                    detail_vi="cần một đối tượng có `block` và giá trị các chỉ số")
            continue
        _report_repeated(reporter, path, data, keys)
        fields = dict(data)
        raw_name = given_name if given_name is not None else fields.pop("entity", None)
        name = normal_text(raw_name) if isinstance(raw_name, str) else ""
        if not name:
            _report(reporter, codes.BAD_DATA, Located(None, path=where),
                    detail="an entity without a name", detail_vi="một đơn vị không có tên")
            continue
        problem = text_problem(name)
        if problem is not None:
            _report(reporter, codes.BAD_DATA, Located(None, path=shown(where, 120)),
                    detail=f"the entity's name: {problem.en}", detail_vi=f"tên đơn vị: {problem.vi}")
            continue
        if name in seen:
            _report_duplicate(reporter, name, Located(None, path=where), Located(None, path=seen[name]))
            continue
        seen[name] = where
        block = Located(normal_value(fields.pop("block", None)), path=_pointer(path, *keys, "block"))
        entities.append(EntityData(
            name=name, block=block, path=where,
            values={k: Located(v, path=_pointer(path, *keys, k)) for k, v in fields.items()}))
    return entities
