"""Entities from JSON: `{entity: {block, …}}` or a list of objects with `entity`; decimals read
exactly, a key given twice reported, every problem located by its key path."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.inputs.values import EntityData, Located, _read_text, _report, _report_duplicate


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given twice."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.repeated = []
    for key, value in pairs:
        if key in result:
            result.repeated.append(key)
        result[key] = value
    return result


def _pointer(path: str | Path, *keys: object) -> str:
    """A JSON Pointer (RFC 6901) to a value, after the file name: `data.json#/Tỉnh D/staff`."""
    escaped = (str(k).replace("~", "~0").replace("/", "~1") for k in keys)
    return f"{path}#/" + "/".join(escaped)


def load_json(path: str | Path, reporter: Reporter) -> list[EntityData]:
    """Entities from JSON: `{entity: {"block": …, indicator: value}}` (optionally under
    `"entities"`), or a list of objects each with `"entity"`. Decimals are read exactly."""

    source = _read_text(path, reporter)
    if source is None:
        return []
    try:
        root = json.loads(source.text, parse_float=Decimal, object_pairs_hook=_object)
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
    return _json_entities(path, items, reporter)


def _report_repeated(reporter: Reporter, path: str | Path, obj: Any, keys: tuple[Any, ...]) -> None:
    for name in getattr(obj, "repeated", []):
        _report(reporter, codes.DUPLICATE_ID, Located(None, path=_pointer(path, *keys, name)), name=name)


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
        if not isinstance(raw_name, str) or not raw_name.strip():
            _report(reporter, codes.BAD_DATA, Located(None, path=where),
                    detail="an entity without a name", detail_vi="một đơn vị không có tên")
            continue
        name = raw_name.strip()
        if name in seen:
            _report_duplicate(reporter, name, Located(None, path=where), Located(None, path=seen[name]))
            continue
        seen[name] = where
        block = Located(fields.pop("block", None), path=_pointer(path, *keys, "block"))
        entities.append(EntityData(
            name=name, block=block, path=where,
            values={k: Located(v, path=_pointer(path, *keys, k)) for k, v in fields.items()}))
    return entities
