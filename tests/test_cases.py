"""Every diagnostic code, triggered by a snippet at the right line and column.

The snippets live in `tests/cases/check/*.egr`. A case file holds chunks separated by a line
`---`; each chunk is a complete methodology, compiled on its own with `egov_rules.check`.
Expected diagnostics are comments on the offending line (lines count from the chunk's first):

    bands meetngs          # expect: E101
    at least 4: 20         # expect: E302 /out of order/
    only provnce           # expect: E101@10 E312

`E101@10` also checks the column; `/regex/` is searched for in the English message. The
(code, line) pairs reported must equal the expected ones exactly, as multisets, so a chunk with
no expectation must compile with no diagnostic at all, not even a warning.

Codes that text cannot trigger (a file that is not UTF-8, data errors, limits too large to
write down) are tested in Python at the end of this module; `PYTHON_TESTED` names the tests.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import egov_rules
from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Reporter
from egov_rules.inputs import load_csv, load_data, load_xlsx, load_yaml
from egov_rules.parser import MAX_FILE_CHARS, MAX_INDENT_DEPTH, MAX_PAREN_DEPTH
from egov_rules.render import _window, render_all, render_text
from tests.conftest import ROOT

CASES = Path(__file__).resolve().parent / "cases" / "check"

_EXPECT = re.compile(r"#\s*expect:(?P<items>.*)$")
_ITEM = re.compile(
    r"\s*(?P<code>[A-Z]\d{3})(?:@(?P<column>\d+))?(?:\s+/(?P<pattern>(?:[^/\\]|\\.)+)/)?"
)


@dataclass(frozen=True)
class Expected:
    code: str
    line: int  # counted from the chunk's first line
    column: int | None
    pattern: str | None

    def accepts(self, diagnostic: Diagnostic) -> bool:
        span = diagnostic.span
        return (
            diagnostic.code.code == self.code
            and span is not None
            and span.line == self.line
            and (self.column is None or span.column == self.column)
            and (self.pattern is None or re.search(self.pattern, diagnostic.message("en")) is not None)
        )


@dataclass(frozen=True)
class Chunk:
    path: Path
    first_line: int  # the line of the case file the chunk starts on
    text: str
    expected: tuple[Expected, ...]

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.first_line}"

    def where(self, line: int) -> str:
        return f"{self.path.name}:{self.first_line + line - 1}"


def parse_expectations(line_text: str, line: int) -> list[Expected]:
    match = _EXPECT.search(line_text)
    if match is None:
        return []
    items = match.group("items")
    found: list[Expected] = []
    pos = 0
    while items[pos:].strip():
        item = _ITEM.match(items, pos)
        if item is None:
            raise ValueError(f"line {line}: cannot read expectation {items[pos:].strip()!r}")
        column = item.group("column")
        found.append(Expected(item.group("code"), line, int(column) if column else None,
                              item.group("pattern")))
        pos = item.end()
    return found


def parse_case_file(path: Path) -> list[Chunk]:
    chunks: list[Chunk] = []
    lines: list[str] = []
    first = 1

    def close() -> None:
        text = "\n".join(lines).rstrip("\n")  # leading lines kept: they count
        if text.strip():
            expected = [e for i, line in enumerate(lines, 1) for e in parse_expectations(line, i)]
            chunks.append(Chunk(path, first, text + "\n", tuple(expected)))

    for number, line in enumerate(path.read_text("utf-8").split("\n"), 1):
        if line.rstrip() == "---":
            close()
            lines, first = [], number + 1
        else:
            lines.append(line)
    close()
    return chunks


def all_chunks() -> list[Chunk]:
    return [chunk for path in sorted(CASES.glob("*.egr")) for chunk in parse_case_file(path)]


CHUNKS = all_chunks()


def mismatches(chunk: Chunk, diagnostics: list[Diagnostic]) -> list[str]:
    """What differs between the diagnostics reported and the chunk's expectations."""
    problems: list[str] = []
    got = Counter((d.code.code, d.span.line if d.span else 0) for d in diagnostics)
    want = Counter((e.code, e.line) for e in chunk.expected)
    for (code, line), n in sorted((want - got).items()):
        problems.append(f"{chunk.where(line)}: expected {code} ×{n}, not reported")
    for (code, line), n in sorted((got - want).items()):
        problems.append(f"{chunk.where(line)}: unexpected {code} ×{n}")
    if problems:
        return problems
    # Same (code, line) multiset: now each column / message pattern must be met. The most
    # constrained expectations choose first.
    free = list(diagnostics)
    for expected in sorted(chunk.expected, key=lambda e: (e.column is None, e.pattern is None)):
        match = next((d for d in free if expected.accepts(d)), None)
        if match is None:
            candidates = [f"col {d.span.column}: {d.message('en')!r}" for d in free
                          if d.code.code == expected.code and d.span and d.span.line == expected.line]
            problems.append(
                f"{chunk.where(expected.line)}: {expected.code}"
                f"{'@' + str(expected.column) if expected.column else ''}"
                f"{' /' + expected.pattern + '/' if expected.pattern else ''} not met by "
                + "; ".join(candidates)
            )
        else:
            free.remove(match)
    return problems


def assert_compiler_style(diagnostic: Diagnostic) -> None:
    """`path:line:col: severity[CODE]: message`, the source line, a caret under the column."""
    span = diagnostic.span
    assert span is not None, diagnostic
    for lang in ("en", "vi"):
        message = diagnostic.message(lang)
        assert not re.search(r"\{\w+\}", message), f"unfilled placeholder in {message!r}"
        lines = render_text(diagnostic, lang).split("\n")
        severity = {"error": ("error", "lỗi"), "warning": ("warning", "cảnh báo")}[
            diagnostic.severity][lang == "vi"]
        assert lines[0] == (f"{span.path}:{span.line}:{span.column}: "
                            f"{severity}[{diagnostic.code.code}]: {message}")
        gutter = len(str(span.line))
        # The line as quoted: whole, or its window around the caret when it is long.
        text, column = _window(span.source.line_text(span.line), span.column)
        assert text == span.source.line_text(span.line) or len(text) <= 202
        numbered = f"{span.line:>{gutter}} | {text}"
        assert numbered in lines, f"source line missing from:\n{chr(10).join(lines)}"
        caret = lines[lines.index(numbered) + 1]
        assert caret.index("^") - (gutter + 3) == column - 1, "\n".join(lines)
        assert text[column - 1:].startswith(span.text[:1]), "\n".join(lines)
    if diagnostic.code.en != diagnostic.code.vi:  # templates that are all placeholders aside
        assert diagnostic.message("vi") != diagnostic.message("en"), "no Vietnamese message"
    # No English left in the Vietnamese message, outside `code`, “labels” and "quotes".
    prose = re.sub(r"`[^`]*`|“[^”]*”|\"[^\"]*\"", "", diagnostic.message("vi"))
    english = re.findall(r"\b(?:the|values?|other|every|must|is|not|of|and|or)\b", prose)
    assert not english, f"English words {english} in {diagnostic.message('vi')!r}"


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_case(chunk: Chunk) -> None:
    diagnostics = egov_rules.check(chunk.text, chunk.path.name)
    problems = mismatches(chunk, diagnostics)
    assert not problems, "\n".join(problems) + "\n\nreported:\n" + render_all(diagnostics)
    for diagnostic in diagnostics:
        assert_compiler_style(diagnostic)


def test_case_files_exist_for_every_family() -> None:
    names = {p.name for p in CASES.glob("*.egr")}
    assert names >= {"syntax.egr", "names.egr", "types.egr", "bands.egr", "points.egr",
                     "weights.egr", "examples.egr", "warnings.egr"}
    assert all(any(c.path.name == n for c in CHUNKS) for n in names)


def test_expectations_name_real_codes() -> None:
    unknown = {(c.id, e.code) for c in CHUNKS for e in c.expected if e.code not in codes.BY_CODE}
    assert not unknown


def test_clean_chunks_exist_in_every_file() -> None:
    """Each family shows valid variants that must not be flagged (not only mistakes)."""
    files = {c.path.name for c in CHUNKS}
    clean = {c.path.name for c in CHUNKS if not c.expected}
    assert files - clean == set()


# Codes that a rule file's text cannot trigger, or only with inputs too large to write down,
# each with the tests below that cover it.
PYTHON_TESTED: dict[str, tuple[str, ...]] = {
    "E007": ("test_e007_file_too_large", "test_e007_indentation_too_deep",
             "test_e007_parentheses_too_deep"),
    "E008": ("test_e008_file_not_utf8",),
    "E206": ("test_e206_missing_value",),
    "E207": ("test_e207_bad_data",),
    "E208": ("test_e208_missing_reference",),
    "W520": ("test_w520_ignored_column",),
    "W525": ("test_w525_hidden_sheet",),
    "W526": ("test_w526_hidden_cells",),
    "W527": ("test_w527_rows_not_read",),
    "W528": ("test_w528_share_as_fraction",),
    "W529": ("test_w529_alone_in_block",),
    "E701": ("test_e701_bad_record",),
    "E702": ("test_e702_duplicate_record_entry",),
    "E703": ("test_e703_history_year",),
    "E704": ("test_e704_not_a_history",),
    "E802": ("test_e802_duplicate_base",),
}


def test_e802_duplicate_base(tmp_path: Path) -> None:
    """Two files of the library with the base's id: both named, at the base's name."""
    (tmp_path / "copy.egr").write_text("methodology vn_pci_2012\n", encoding="utf-8")
    found = egov_rules.check("methodology x extends vn_pci_2012\n", "x.egr",
                             library=[ROOT / "methodologies", tmp_path])
    assert [(d.code.code, d.span.line, d.span.column) for d in found if d.span] == [("E802", 1, 23)]
    assert "copy.egr" in found[0].message()


def test_every_code_is_triggered() -> None:
    in_cases = {e.code for c in CHUNKS for e in c.expected}
    untested = {c.code for c in codes.ALL_CODES} - in_cases - set(PYTHON_TESTED)
    assert not untested, f"no case triggers {sorted(untested)}"
    for code, tests in PYTHON_TESTED.items():
        assert code in codes.BY_CODE
        assert all(callable(globals().get(name)) for name in tests), tests


# -- codes tested in Python -----------------------------------------------------------------

SMALL = """methodology m
  title "T"
  year 2024
  source "S"
blocks
  province "Tỉnh"
indicators
  meetings count "Số cuộc họp"
  bandwidth number "Băng thông"
category c "C" max 20
  criterion steering "Họp" max 10
    bands meetings
      at least 4: 10
      otherwise: 0
  criterion speed "Băng thông" max 10
    proportional bandwidth relative to best in block
example "A" block province
  meetings 4  bandwidth 5
  reference speed = 10
  expect steering = 10
  expect speed = 5
"""


def _only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    assert [d.code.code for d in diagnostics] == [code], render_all(diagnostics)
    return diagnostics[0]


def test_e007_file_too_large() -> None:
    text = SMALL + "#" * (MAX_FILE_CHARS + 1 - len(SMALL))
    d = _only(egov_rules.check(text, "big.egr"), "E007")
    assert d.message() == f"file size exceeds the limit of {MAX_FILE_CHARS:,} characters"
    assert d.message("vi") == f"kích thước tệp vượt quá giới hạn {MAX_FILE_CHARS:,} ký tự"
    assert egov_rules.check(text[:MAX_FILE_CHARS], "big.egr") == []  # exactly at the limit


def _nested(depth: int) -> str:
    lines = [SMALL.split("category")[0] + 'category c "C" max 1']
    lines += [f"{' ' * level}n{level} \"N\" max 1" for level in range(1, depth)]
    lines.append(f"{' ' * depth}yes/no meetings > 1")
    return "\n".join(lines) + "\n"


def test_e007_indentation_too_deep() -> None:
    d = _only(egov_rules.check(_nested(MAX_INDENT_DEPTH + 5), "deep.egr"), "E007")
    assert d.message() == f"indentation depth exceeds the limit of {MAX_INDENT_DEPTH}"
    # Line 10 is the category at level 0; line 11 + depth is the first one level deeper.
    assert d.span is not None
    assert (d.span.line, d.span.column) == (11 + MAX_INDENT_DEPTH, MAX_INDENT_DEPTH + 2)
    assert "E007" not in {x.code.code for x in egov_rules.check(_nested(MAX_INDENT_DEPTH - 1))}


def test_e007_parentheses_too_deep() -> None:
    deep = "(" * (MAX_PAREN_DEPTH + 1) + "meetings" + ")" * (MAX_PAREN_DEPTH + 1)
    text = SMALL.replace("bands meetings", f"bands {deep}")
    d = _only(egov_rules.check(text, "parens.egr"), "E007")
    assert d.message() == f"parenthesis nesting exceeds the limit of {MAX_PAREN_DEPTH}"
    assert d.span is not None and (d.span.line, d.span.column) == (12, 11 + MAX_PAREN_DEPTH)
    shallow = SMALL.replace("bands meetings", f"bands {deep[1:-1]}")
    assert egov_rules.check(shallow) == []


def test_e008_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.egr"
    # "Tỉnh" as Windows-1258 would write it: a lone 0xEC byte is not UTF-8.
    path.write_bytes(SMALL.encode("utf-8").replace("Tỉnh".encode(), b"T\xecnh"))
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.load(path)
    d = _only(raised.value.diagnostics, "E008")
    assert render_text(d) == f"{path}: error[E008]: the file is not valid UTF-8 text"
    assert render_text(d, "vi") == f"{path}: lỗi[E008]: tệp không phải văn bản UTF-8 hợp lệ"


def test_e206_missing_value() -> None:
    m = egov_rules.compile(SMALL)
    with pytest.raises(EgovRulesError) as raised:
        m.evaluate({"meetings": 3}, block="province", entity="Tỉnh A")
    d = _only(raised.value.diagnostics, "E206")
    assert d.message() == "Tỉnh A: no value for indicator `bandwidth`"
    assert d.message("vi") == "Tỉnh A: thiếu giá trị của chỉ số `bandwidth`"


def test_e207_bad_data(tmp_path: Path) -> None:
    path = tmp_path / "data.yaml"
    path.write_text("Tỉnh A:\n  block: province\n  meetings: [3\n", encoding="utf-8")
    reporter = Reporter()
    assert load_yaml(path, reporter) == []
    d = _only(reporter.diagnostics, "E207")
    assert d.message().startswith("not valid YAML")
    assert d.span is not None and d.span.line == 4  # where the parser gave up: the file's end
    assert render_text(d).startswith(f"{path}:4:1: error[E207]: not valid YAML")


def test_e208_missing_reference() -> None:
    m = egov_rules.compile(SMALL)
    with pytest.raises(EgovRulesError) as raised:
        m.evaluate({"meetings": 3, "bandwidth": 5}, block="province", entity="Tỉnh A")
    d = _only(raised.value.diagnostics, "E208")
    assert d.message() == ("`speed` compares with the best of its block, but no cohort or "
                           "reference figure was given")
    assert d.hint is not None and "references=" in d.hint("en")
    evaluation = m.evaluate({"meetings": 3, "bandwidth": 5}, block="province",
                            references={"speed": 10})
    assert evaluation.points("speed") == 5


def test_w520_ignored_column(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("entity,block,STT,meetings,bandwidth,# kiểm tra bởi\n"
                    "Tỉnh A,province,1,4,5,Sở TT&TT\n", encoding="utf-8")
    reporter = Reporter()
    entities = load_csv(path, reporter, egov_rules.compile(SMALL).model)
    assert [e.name for e in entities] == ["Tỉnh A"]
    assert sorted(entities[0].values) == ["bandwidth", "meetings"]
    assert [(d.code.code, d.span and d.span.column) for d in reporter.diagnostics] == [
        ("W520", 14), ("W520", 37)]
    assert render_text(reporter.diagnostics[0]).split("\n")[0] == (
        f"{path}:1:14: warning[W520]: column `STT` is not an indicator: it is read as "
        "information and ignored in scoring")


def test_w525_hidden_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    for title, meetings in (("2023", 1), ("2024", 4)):
        sheet = workbook.create_sheet(title)
        sheet.append(["entity", "block", "meetings", "bandwidth"])
        sheet.append(["Tỉnh A", "province", meetings, 5])
    workbook.remove(workbook.worksheets[0])
    workbook["2023"].sheet_state = "hidden"
    workbook.active = 1
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    reporter = Reporter()
    entities = load_xlsx(path, reporter, egov_rules.compile(SMALL).model)
    assert [(e.name, e.values["meetings"].value) for e in entities] == [("Tỉnh A", 4)]
    assert [str(d) for d in reporter.diagnostics] == [
        f"{path}!2023: warning[W525]: sheet `2023` is hidden and holds data; it is not read "
        "(--sheet 2023 reads it)"]


def test_w526_hidden_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2024"
    sheet.append(["entity", "block", "meetings", "bandwidth"])
    sheet.append(["Tỉnh A", "province", 4, 5])
    sheet.append(["Tỉnh B", "province", 1, 2])
    sheet.row_dimensions[3].hidden = True
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    reporter = Reporter()
    entities = load_xlsx(path, reporter, egov_rules.compile(SMALL).model)
    assert [e.name for e in entities] == ["Tỉnh A", "Tỉnh B"]  # read, as when shown
    assert [str(d) for d in reporter.diagnostics] == [
        f"{path}!2024: warning[W526]: row 3 of sheet `2024` is hidden and holds data; read as "
        "any other row"]


def test_w527_rows_not_read(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("Báo cáo năm 2024,,,\nentity,block,meetings,bandwidth\n"
                    "Tỉnh A,province,4,5\nTổng cộng,province,4,5\n", encoding="utf-8")
    reporter = Reporter()
    entities = load_csv(path, reporter, egov_rules.compile(SMALL).model)
    assert [e.name for e in entities] == ["Tỉnh A"]
    assert [str(d) for d in reporter.sorted()] == [
        f"{path}:2:1: warning[W527]: the header is row 2; row(s) 1 above it are a title, not "
        "read: `Báo cáo năm 2024`",
        f"{path}:4:1: warning[W527]: `Tổng cộng` is a summary row (a total or an average): "
        "left out, not scored"]


def test_w528_share_as_fraction(tmp_path: Path) -> None:
    source = (ROOT / "examples" / "quickstart-data.csv").read_text("utf-8").splitlines()
    header = source[0].split(",")
    row = source[1].split(",")
    row[header.index("online_share")] = "0.72"
    path = tmp_path / "data.csv"
    path.write_text("\n".join([source[0], ",".join(row)]) + "\n", encoding="utf-8")
    reporter = Reporter()
    load_csv(path, reporter, egov_rules.load(ROOT / "examples" / "quickstart.egr").model)
    [warning] = reporter.diagnostics
    assert warning.code.code == "W528"
    assert str(warning).endswith(f"{row[0]}: online_share: 0.72 is read as 0.72%; if it is a "
                                 "share of 1, write 72 or 72%")


def test_w529_alone_in_block() -> None:
    m = egov_rules.load(ROOT / "methodologies" / "vn-ict-2016.egr")
    data = load_data(ROOT / "examples" / "vn-ict-2016-data.csv", model=m.model)
    reporter = Reporter()
    m.evaluate_many([e for e in data if e.block.value == "agency"], reporter=reporter)
    [warning] = reporter.diagnostics
    assert warning.code.code == "W529"
    assert str(warning).endswith(
        "Cơ quan C (minh hoạ): `bandwidth` compares with the best of block `agency`, but no "
        "other entity of the block was given: its own value, 0.5, was taken as the best "
        "(full points)")


def _record_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Any], None]
                  ) -> list[str]:
    """The first lines, English then Vietnamese, of what reading back a changed record raises."""
    m = egov_rules.load(ROOT / "examples" / "quickstart.egr")
    record = json.loads(m.evaluate_many(load_data(ROOT / "examples" / "quickstart-data.csv",
                                                  model=m.model)).model_dump_json())
    change(record)
    monkeypatch.chdir(tmp_path)
    Path("record.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.Ranking.read_record("record.json")
    return [render_text(d, lang).split("\n")[0] for d in raised.value.diagnostics for lang in ("en", "vi")]


def test_e701_bad_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As docs/diagnostics.md shows it.
    lines = _record_lines(tmp_path, monkeypatch,
                          lambda record: record.update(schema_version="egov_rules.evaluation.v2"))
    assert lines == [
        'record.json#/schema_version: error[E701]: schema_version "egov_rules.evaluation.v2" is '
        "not egov_rules.evaluation.v1, the one this egov_rules reads",
        'record.json#/schema_version: lỗi[E701]: schema_version "egov_rules.evaluation.v2" '
        "không phải egov_rules.evaluation.v1, phiên bản egov_rules này đọc"]


def test_e702_duplicate_record_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forge(record: Any) -> None:  # a copy of Bộ A claiming 30 for computers, placed first
        forged = copy.deepcopy(record["evaluations"][0])
        forged["nodes"][1]["points"] = "30"
        record["evaluations"].insert(0, forged)

    assert _record_lines(tmp_path, monkeypatch, forge) == [  # as docs/diagnostics.md shows it
        "record.json#/evaluations/1/entity: error[E702]: a second evaluation of `Bộ A (minh hoạ)`: "
        "a record holds exactly one",
        "record.json#/evaluations/1/entity: lỗi[E702]: đánh giá của `Bộ A (minh hoạ)` xuất hiện "
        "lần thứ hai: bản ghi chỉ được có đúng một"]


def _history_lines(action: Callable[[], object]) -> list[str]:
    with pytest.raises(EgovRulesError) as raised:
        action()
    return [render_text(d, lang).split("\n")[0] for d in raised.value.diagnostics
            for lang in ("en", "vi")]


def test_e703_history_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_rules.history import History

    monkeypatch.chdir(tmp_path)  # as docs/diagnostics.md shows it
    m = egov_rules.load(ROOT / "examples" / "quickstart.egr")
    ranking = m.evaluate_many(load_data(ROOT / "examples" / "quickstart-data.csv", model=m.model))
    with History("history.db") as store:
        store.add(ranking)
        assert _history_lines(lambda: store.add(ranking)) == [
            "history.db: error[E703]: the store holds 2024 already: --replace to replace it",
            "history.db: lỗi[E703]: kho đã có năm 2024: dùng --replace để thay"]


def test_e704_not_a_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from egov_rules.history import History

    monkeypatch.chdir(tmp_path)  # as docs/diagnostics.md shows it
    with sqlite3.connect("other.db") as db:
        db.execute("CREATE TABLE notes (text)")
    assert _history_lines(lambda: History("other.db")) == [
        "other.db: error[E704]: not an egov_rules history store: it holds no history of "
        "schema 1 (kind egov_rules.history)",
        "other.db: lỗi[E704]: không phải kho lịch sử của egov_rules: tệp không chứa lịch sử "
        "phiên bản 1 (loại egov_rules.history)"]
