"""Diagnostics as people and programs read them: golden renderings, and the JSON structure.

Each `tests/cases/render/*.txt` holds a language (`lang: en|vi`), a note on what a reader
should see (`about:` lines), the snippet (after `~~~ snippet`) and the exact text of
`render_all` for it (after `~~~ rendered`). The snippet is compiled as `<name>.egr`, where the
golden file is `<name>-<lang>.txt`. Read a golden as a person before changing it: the caret
under the right characters, the right line, a message that says what to do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

import egov_rules
from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Lang
from egov_rules.render import render_all, render_text, to_json

GOLDENS = Path(__file__).resolve().parent / "cases" / "render"


@dataclass(frozen=True)
class Golden:
    path: Path
    lang: Lang
    snippet: str
    rendered: str

    @property
    def filename(self) -> str:
        return re.sub(r"-(en|vi)$", "", self.path.stem) + ".egr"


def read_golden(path: Path) -> Golden:
    text = path.read_text("utf-8")
    head, rest = text.split("~~~ snippet\n", 1)
    snippet, rendered = rest.split("~~~ rendered\n", 1)
    lang = re.search(r"^lang: (en|vi)$", head, flags=re.MULTILINE)
    assert lang is not None, f"{path.name}: no `lang: en|vi` line"
    assert re.search(r"^about: \S", head, flags=re.MULTILINE), f"{path.name}: say what to see"
    return Golden(path, cast(Lang, lang.group(1)), snippet, rendered)


GOLDEN_FILES = sorted(GOLDENS.glob("*.txt"))


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.name for p in GOLDEN_FILES])
def test_golden_rendering(path: Path) -> None:
    golden = read_golden(path)
    diagnostics = egov_rules.check(golden.snippet, golden.filename)
    assert render_all(diagnostics, golden.lang) == golden.rendered


def test_goldens_cover_both_languages_notes_and_hints() -> None:
    goldens = [read_golden(p) for p in GOLDEN_FILES]
    assert 6 <= len(goldens) <= 10
    assert {g.lang for g in goldens} == {"en", "vi"}
    rendered = "\n".join(g.rendered for g in goldens)
    assert "= note: first declared here (" in rendered
    assert "= ghi chú: khai báo lần đầu ở đây (" in rendered
    assert "= help: did you mean `meetings`?" in rendered
    assert "= gợi ý: có phải ý bạn là `cloud`?" in rendered


# -- the parts of a rendering -----------------------------------------------------------------

SNIPPET = """methodology m
  title "T"
  year 2024
  source "S"
blocks
  province "Tỉnh"
indicators
  meetings count "Số cuộc họp"
  meetings count "Số buổi họp"
category steering "Ban chỉ đạo" max 20
  criterion meeting_points "Họp" max 20  when meetings > 0
    bands meetngs
      at least 4: 20
      otherwise: 0
example "A" block province
  meetings 4
"""


def _diagnostics() -> list[Diagnostic]:
    found = egov_rules.check(SNIPPET, "s.egr")
    assert [(d.code.code, d.span and d.span.line) for d in found] == [("E102", 9), ("E101", 12)]
    return found


def test_render_text_layout() -> None:
    duplicate, unknown = _diagnostics()
    assert render_text(unknown).split("\n") == [
        "s.egr:12:11: error[E101]: unknown indicator or derived value `meetngs`",
        "   |",
        "12 |     bands meetngs",
        "   |           ^^^^^^^",
        "   = help: did you mean `meetings`?",
    ]
    # The gutter fits the widest line number among the error and its notes.
    assert render_text(duplicate, "vi").split("\n") == [
        "s.egr:9:3: lỗi[E102]: `meetings` được khai báo hai lần",
        "  |",
        "9 |   meetings count \"Số buổi họp\"",
        "  |   ^^^^^^^^",
        "  = ghi chú: khai báo lần đầu ở đây (s.egr:8:3)",
        "  |",
        "8 |   meetings count \"Số cuộc họp\"",
        "  |   ^^^^^^^^",
        "  = gợi ý: đặt cho mỗi khai báo một mã riêng",
    ]


def test_render_all_summary_counts_and_plurals() -> None:
    found = _diagnostics()
    assert render_all(found).endswith("\n\n2 errors, 0 warnings\n")
    assert render_all(found[:1]).endswith("\n\n1 error, 0 warnings\n")
    assert render_all(found, "vi").endswith("\n\n2 lỗi, 0 cảnh báo\n")
    assert render_all([]) == "0 errors, 0 warnings\n"
    blocks = render_all(found).split("\n\n")
    assert blocks[:2] == [render_text(d) for d in found]


def test_caret_spanning_lines_stops_at_the_end_of_the_first() -> None:
    text = SNIPPET.replace("  meetings count \"Số buổi họp\"\n", "").replace(
        "bands meetngs", "bands meetings")
    text = text.replace("at least 4: 20\n      otherwise: 0\n", "at least 4: 20\n")
    [gap] = egov_rules.check(text, "s.egr")
    assert gap.code.code == "E303"
    lines = render_text(gap).split("\n")
    # The `bands` rule spans its rows; the caret covers the rest of its first line.
    assert lines[2:4] == ["11 |     bands meetings", "   |     ^^^^^^^^^^^^^^"]


def test_a_diagnostic_without_a_span_renders_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.egr"
    path.write_bytes(b"methodology m\n  title \"T\xe0\"\n")
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.load(path)
    [diagnostic] = raised.value.diagnostics
    assert render_text(diagnostic) == f"{path}: error[E008]: the file is not valid UTF-8 text"
    assert to_json(diagnostic) == {
        "code": "E008", "name": "not-utf8", "severity": "error",
        "message": "the file is not valid UTF-8 text", "location": {"path": str(path)},
        "hint": None, "notes": [],
    }


# -- JSON --------------------------------------------------------------------------------------


def test_to_json_structure() -> None:
    duplicate, unknown = _diagnostics()
    assert to_json(unknown) == {
        "code": "E101",
        "name": "unknown-name",
        "severity": "error",
        "message": "unknown indicator or derived value `meetngs`",
        "location": {"path": "s.egr", "line": 12, "column": 11, "end_line": 12,
                     "end_column": 18},
        "hint": "did you mean `meetings`?",
        "notes": [],
    }
    vi = to_json(duplicate, "vi")
    assert vi["message"] == "`meetings` được khai báo hai lần"
    assert vi["hint"] == "đặt cho mỗi khai báo một mã riêng"
    assert vi["notes"] == [
        {"message": "khai báo lần đầu ở đây", "path": "s.egr", "line": 8, "column": 3},
    ]
    assert vi["location"] == {"path": "s.egr", "line": 9, "column": 3, "end_line": 9,
                              "end_column": 11}


def test_to_json_is_plain_json_for_every_code_in_the_suite() -> None:
    """Every diagnostic the case files produce serialises, keeps its code and severity, and
    gives a location that matches the text rendering."""
    from tests.test_cases import CHUNKS

    seen: set[str] = set()
    for chunk in CHUNKS:
        for diagnostic in egov_rules.check(chunk.text, chunk.path.name):
            for lang in ("en", "vi"):
                data = json.loads(json.dumps(to_json(diagnostic, lang), ensure_ascii=False))
                assert data["code"] == diagnostic.code.code
                assert data["severity"] == codes.BY_CODE[data["code"]].severity
                location = data["location"]
                assert render_text(diagnostic, lang).startswith(
                    f"{location['path']}:{location['line']}:{location['column']}: ")
                assert (location["end_line"], location["end_column"]) >= (
                    location["line"], location["column"])
            seen.add(diagnostic.code.code)
    assert len(seen) > 30


def test_a_repeated_attribute_points_at_its_first_occurrence() -> None:
    text = ('methodology m\n  title "T"\n  title "U"\n  year 2024\n  source "S"\nblocks\n  b "B"\n'
            'indicators\n  x count "X"\ncategory c "C" max 10 max 20\n  bands x\n'
            '    at least 1: 10\n    otherwise: 0\nexample "E" block b\n  x 1\n  expect c = 10\n')
    found = [d for d in egov_rules.check(text, "dup.egr") if d.code.code == "E104"]
    # `title` first on line 2, again on line 3; `max 10` at column 16, again at column 23.
    assert [(d.span.line, d.labels[0].span.line, d.labels[0].span.column)
            for d in found if d.span] == [(3, 2, 3), (10, 10, 16)]
    assert "= note: first given here (dup.egr:2:3)" in render_text(found[0])
