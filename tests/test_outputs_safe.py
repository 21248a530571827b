"""Outputs safe to open and a well-behaved process (issue 13): `--output` never destroys an
input and is complete or untouched; names from hostile files cannot run in a spreadsheet, a
Markdown viewer or a terminal; pipes, full disks, Ctrl-C and odd locales end cleanly."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import stat
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from egov_rules.cli import main
from egov_rules.report.safe import FORMULA_STARTS
from egov_rules.report.tables import csv_text
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
DATA_CSV = str(ROOT / "examples" / "quickstart-data.csv")
BO_A = "Bộ A (minh hoạ)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the quickstart rule file and data, which a test may try to overwrite."""
    rule, data = tmp_path / "quickstart.egr", tmp_path / "data.csv"
    shutil.copy(QUICKSTART, rule)
    shutil.copy(DATA_CSV, data)
    return rule, data


# -- --output never overwrites an input ------------------------------------------------------


@pytest.mark.parametrize("command", [["score"], ["rank"], ["explain", "--entity", BO_A]])
@pytest.mark.parametrize("which", ["rule", "data"])
@pytest.mark.parametrize("alias", ["same", "relative", "symlink", "hardlink"])
def test_output_onto_an_input_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         inputs: tuple[Path, Path], command: list[str], which: str,
                                         alias: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rule, data = inputs
    victim = rule if which == "rule" else data
    before = {p: p.read_bytes() for p in (rule, data)}
    target = str(victim)
    if alias == "relative":
        monkeypatch.chdir(tmp_path.parent)
        target = os.path.join(tmp_path.name, ".", victim.name)
    elif alias == "symlink":
        (tmp_path / "link").symlink_to(victim)
        target = str(tmp_path / "link")
    elif alias == "hardlink":
        os.link(victim, tmp_path / "hard")
        target = str(tmp_path / "hard")
    code, out, err = run(capsys, command[0], str(rule), str(data), *command[1:],
                         "--output", target, "--lang", "en")
    assert code == 2, err
    assert f"--output {target} is the input {victim}: it would be overwritten" in err
    assert out == "" and {p: p.read_bytes() for p in (rule, data)} == before
    assert {p.name for p in tmp_path.iterdir()} <= {"quickstart.egr", "data.csv", "link", "hard"}


def test_output_onto_the_rule_file_of_doc_is_refused(capsys: pytest.CaptureFixture[str],
                                                     inputs: tuple[Path, Path]) -> None:
    rule, _ = inputs
    before = rule.read_bytes()
    code, _, err = run(capsys, "doc", str(rule), "--output", str(rule))
    assert code == 2 and "sẽ bị ghi đè" in err
    assert rule.read_bytes() == before


def test_verify_record_output_onto_the_record_or_its_inputs_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    rule, data = inputs
    record = tmp_path / "record.json"
    assert run(capsys, "score", str(rule), str(data), "--format", "json", "--output", str(record))[0] == 0
    for victim in (record, rule, data):
        before = victim.read_bytes()
        code, _, err = run(capsys, "verify-record", str(record), "--methodology", str(rule),
                           "--data", str(data), "--output", str(victim), "--lang", "en")
        assert code == 2 and "it would be overwritten" in err
        assert victim.read_bytes() == before


# -- --output is complete or untouched --------------------------------------------------------


def fill_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, every file opened for writing takes 10 characters, then the disk is full."""
    real_open = io.open

    class Filling:
        def __init__(self, file: Any) -> None:
            self.file = file

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, text: str) -> int:
            self.file.write(text[:10])
            self.file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.file, name)

    def filling_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return Filling(handle) if "w" in mode else handle

    monkeypatch.setattr(io, "open", filling_open)


def test_a_full_disk_leaves_the_previous_report_whole(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.csv"
    report.write_text("the previous report\n", encoding="utf-8")
    fill_disk(monkeypatch)
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "csv", "--output",
                       str(report), "--lang", "en")
    assert code == 1  # not a usage error: the command line was right
    assert err == f"egov-rules: cannot write {report}: No space left on device\n"
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no temporary left behind


def test_an_unwritable_output_is_a_usage_error_and_leaves_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--output", str(tmp_path / "no" / "r.txt"),
                       "--lang", "en")
    assert code == 2 and "cannot write" in err and "No such file or directory" in err
    locked = tmp_path / "locked.txt"
    locked.write_text("keep\n", encoding="utf-8")
    locked.chmod(0o444)
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--output", str(locked), "--lang", "en")
    if os.geteuid() != 0:  # root may write anything: the check is then only the rename's
        assert code == 2 and "Permission denied" in err
        assert locked.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.txt"]


def test_a_report_gets_the_usual_permissions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh, kept = tmp_path / "fresh.md", tmp_path / "kept.md"
        kept.write_text("old\n", encoding="utf-8")
        kept.chmod(0o640)
        for target in (fresh, kept):
            assert run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "markdown",
                       "--output", str(target))[0] == 0
    finally:
        os.umask(old)
    assert (fresh.stat().st_mode & 0o777, kept.stat().st_mode & 0o777) == (0o644, 0o640)
    assert kept.read_text(encoding="utf-8").startswith("## ")


def test_output_through_a_symlink_writes_the_file_it_names(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(real)
    assert run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "json", "--output",
               str(tmp_path / "link.json"))[0] == 0
    assert (tmp_path / "link.json").is_symlink() and '"evaluations"' in real.read_text(encoding="utf-8")


# -- names from a hostile data file ---------------------------------------------------------


def hostile_data(tmp_path: Path, names: list[str]) -> str:
    """The quickstart agencies, renamed (JSON keeps every character of a name as given)."""
    with open(DATA_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    entities = [{**rows[i % len(rows)], "entity": name} for i, name in enumerate(names)]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(entities, ensure_ascii=False), encoding="utf-8")
    return str(path)


# -- CSV: no formula reaches a spreadsheet (CWE-1236) ---------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-2.5", "@SUM(A1)", "\tx", "\rx"]
NAMED = FORMULAS[:4]  # the data readers strip the blanks around a name: no tab nor CR first


def test_csv_text_guards_text_cells_and_keeps_numbers_numbers() -> None:
    row = [*FORMULAS, "ok", "a=b", Fraction(-5, 2), Fraction(-2, 3), -3, None, True]
    rows = list(csv.reader(io.StringIO(csv_text([row]))))
    # -2/3 has no exact decimal: 6 places, halves away from zero (numbers.MACHINE_DIGITS).
    assert rows == [["'=cmd|' /C calc'!A0", "'+1", "'-2.5", "'@SUM(A1)", "'\tx", "'\rx", "ok", "a=b",
                     "-2.5", "-0.666667", "-3", "", "True"]]
    exact = list(csv.reader(io.StringIO(csv_text([row], exact=True))))
    assert exact[0][8:10] == ["-2.5", "-2/3"]


def test_csv_never_writes_two_names_as_one_cell(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    # `- X` is written `'- X`: were `'- X` written as it is, the two would be one cell.
    names = ["- X", "'- X", "''- X", "'plain", "plain"]
    code, out, err = run(capsys, "score", QUICKSTART, hostile_data(tmp_path, names),
                         "--format", "csv")
    assert code == 0, err
    cells = [r["entity"] for r in csv.DictReader(io.StringIO(out))]
    assert sorted(cells) == sorted(["'- X", "''- X", "'''- X", "''plain", "plain"])
    assert sorted(c[1:] if c.startswith("'") else c for c in cells) == sorted(names)


def test_csv_a_carriage_return_in_a_name_does_not_split_the_row() -> None:
    text = csv_text([["entity", "value"], ["a\rb", Fraction(1, 2)], ["c\r\nd", 1]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["entity", "value"], ["a\rb", "0.5"], ["c\r\nd", "1"]]
    assert text.startswith("entity,value\n")  # lines still end in \n


@pytest.mark.parametrize("command", [["score"], ["rank"], ["explain", "--entity", NAMED[0]]])
def test_csv_names_that_would_start_a_formula_are_kept_text(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    data = hostile_data(tmp_path, NAMED)
    code, out, err = run(capsys, command[0], QUICKSTART, data, *command[1:], "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = {"'" + name for name in (NAMED[:1] if command[0] == "explain" else NAMED)}
    assert {r["entity"] for r in rows} == expected
    assert all(not cell.startswith(FORMULA_STARTS) for r in rows for cell in r.values())


# -- Markdown: a name is text, never markup ---------------------------------------------------

# name → how its Markdown cell reads; a viewer shows each as the name itself.
MARKDOWN = {
    "<script>alert(1)</script>": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "a\nb": "a<br>b",
    "x|y": "x\\|y",
    "`rm -rf ~`": "\\`rm -rf ~\\`",
    "[click](javascript:alert(1))": "\\[click\\](javascript:alert(1))",
    "![t](http://x/t.png)": "!\\[t\\](http://x/t.png)",
    "&lt;b&gt;": "&amp;lt;b&amp;gt;",
    "a\\|b": "a\\\\\\|b",
}


@pytest.mark.parametrize("command", [["score"], ["rank", "--by", "overall"]])
def test_markdown_cells_show_names_as_text(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           command: list[str]) -> None:
    data = hostile_data(tmp_path, list(MARKDOWN))
    code, out, _ = run(capsys, *command[:1], QUICKSTART, data, *command[1:], "--format", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("|")]
    body = [line for line in rows if not line.startswith(("|---", "| Đơn vị", "| Hạng"))]
    assert len(body) == len(MARKDOWN)  # one row per entity: no name ended or added a row
    for cell in MARKDOWN.values():
        assert sum(f"| {cell} |" in line for line in body) == 1, cell
    assert "<script>" not in out and "](" not in out.replace("\\](", "")


def test_markdown_titles_and_indents_survive_escaping(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    data = hostile_data(tmp_path, ["<b>x</b>\n## forged", "Bộ B"])
    code, out, _ = run(capsys, "explain", QUICKSTART, data, "--entity", "<b>x</b>\n## forged",
                       "--format", "markdown", "--lang", "en")
    assert code == 0
    assert out.startswith("## &lt;b&gt;x&lt;/b&gt; ## forged — Ministries\n")
    assert not [line for line in out.splitlines() if line.startswith("## forged")]
    # Criteria are indented under their category with no-break spaces, not `&nbsp;` (escaped).
    assert "| \u00a0\u00a0Share of civil servants with a computer |" in out and "nbsp" not in out


# -- every format: what a hostile name can do ------------------------------------------------

# A formula, an OSC 8 hyperlink, a right-to-left override, a line break, HTML, rich markup.
HOSTILE = ["=cmd|' /C calc'!A0", "\x1b]8;;http://x\x07", "\u202eevil", "a\nb", "<script>", "[bold]x"]
ACTING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # tab, newline pass
FORMATS = ["text", "markdown", "csv", "json", "html"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_to(out: io.StringIO, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def entity_names(value: Any) -> set[str]:
    """Every `entity` string anywhere in a JSON document."""
    if isinstance(value, dict):
        found = {value["entity"]} if isinstance(value.get("entity"), str) else set()
        return found.union(*(entity_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(entity_names(v) for v in value))
    return set()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", [["score"], ["rank"], ["explain", "--entity", HOSTILE[1]]])
def test_hostile_names_in_every_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str,
                                       command: list[str]) -> None:
    data = hostile_data(tmp_path, HOSTILE)
    code, out, err = run(capsys, command[0], QUICKSTART, data, *command[1:], "--format", fmt, "--lang", "en")
    assert code == 0 and err == ""
    if fmt == "csv":  # data for programs: every name exactly, only kept text for spreadsheets
        names = {row["entity"] for row in csv.DictReader(io.StringIO(out, newline=""))}
        assert names == ({"'" + HOSTILE[0], *HOSTILE[1:]} if command[0] != "explain" else {HOSTILE[1]})
        return
    assert not ACTING.findall(out)  # nothing acts on a terminal, in an editor or in a browser
    if fmt == "json":  # escaped, hence lossless: every parser reads the names as given
        names = entity_names(json.loads(out))
        assert HOSTILE[1] in names and names <= set(HOSTILE)
        return
    shown = {"text": "\\x1b]8;;http://x\\x07", "markdown": "\\\\x1b\\]8;;http://x\\\\x07",
             "html": "\\x1b]8;;http://x\\x07"}[fmt]
    assert shown in out  # visible, so a reader sees that the name is odd
    assert "<script>" not in out or fmt == "text"
    if command[0] != "explain":
        assert {"text": "\\u202eevil", "markdown": "\\\\u202eevil", "html": "\\u202eevil"}[fmt] in out
    if fmt == "text" and command[0] != "explain":
        assert "[bold]x" in out  # rich markup is shown, not read
        if command[0] == "score":
            assert "| a\\nb " in out  # one row per entity: a line break is shown, not made


@pytest.mark.parametrize("command", [["score"], ["explain", "--entity", HOSTILE[1]]])
def test_text_on_a_terminal_keeps_its_colours_and_shows_names(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that rich folds no name
    data = hostile_data(tmp_path, [*HOSTILE, "[link=http://evil]click[/link]"])
    code, out, _ = run_to(Terminal(), capsys, command[0], QUICKSTART, data, *command[1:])
    assert code == 0
    assert "\x1b[" in out  # rich's own styling
    assert "\x1b]" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b]8;;http://x\\x07" in out
    if command[0] == "score":
        assert "[link=http://evil]click[/link]" in out and "[bold]x" in out


def test_csv_to_a_terminal_shows_controls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = hostile_data(tmp_path, HOSTILE)
    code, out, _ = run_to(Terminal(), capsys, "score", QUICKSTART, data, "--format", "csv")
    assert code == 0
    assert not ACTING.findall(out) and "\\x1b]8;;http://x\\x07" in out and "'=cmd" in out


def test_json_escapes_bidi_and_c1_losslessly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    names = ["\u202eevil", "\x9b31mred", "\x7fdel", "\u2066iso\u2069"]
    data = hostile_data(tmp_path, names)
    code, out, _ = run(capsys, "score", QUICKSTART, data, "--format", "json")
    assert code == 0 and not ACTING.findall(out)
    assert [e["entity"] for e in json.loads(out)["evaluations"]] == names
    assert "\\u202eevil" in out and "\\u009b31mred" in out


def test_messages_on_stderr_show_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = hostile_data(tmp_path, ["\x1b[2J\u202eA", "B"])
    code, _, err = run(capsys, "score", QUICKSTART, data, "--entity", "nobody", "--lang", "en")
    assert code == 2 and not ACTING.findall(err)
    assert "the data has: \\x1b[2J\\u202eA, B" in err
    code, _, err = run(capsys, "score", QUICKSTART, hostile_data(tmp_path, ["\x1b[2J", "\x1b[2J"]))
    assert code == 1 and not ACTING.findall(err) and "`\\x1b[2J`" in err  # declared twice


def test_ctrl_c_while_writing_a_report_leaves_the_previous_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.csv"
    report.write_text("the previous report\n", encoding="utf-8")

    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)  # Ctrl-C just before the report is complete
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "csv", "--output",
                       str(report), "--lang", "en")
    assert (code, err) == (130, "egov-rules: interrupted\n")
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_device_or_a_pipe_is_written_to_never_replaced(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    """`--output /dev/null` run as root would otherwise rename a regular file over the device."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # there, so opening to write won't block
    try:
        code, _, err = run(capsys, "rank", QUICKSTART, DATA_CSV, "--format", "csv", "--output", str(fifo))
        received = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    assert code == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and received.startswith("index,block,rank,entity")
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


def test_a_writable_report_in_a_folder_we_cannot_add_to_is_written_in_place(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.csv"
    report.write_text("old\n", encoding="utf-8")

    def no_new_files(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", no_new_files)  # as in a folder we may not write
    assert run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "csv", "--output", str(report))[0] == 0
    assert report.read_text(encoding="utf-8").startswith("entity,block,")
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--output", str(tmp_path / "new.csv"),
                       "--lang", "en")
    assert code == 2 and "Permission denied" in err and not (tmp_path / "new.csv").exists()


def test_check_shows_a_control_character_of_the_rule_file(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    rule = tmp_path / "title.egr"  # an OSC sequence that would rename the terminal window
    rule.write_text(Path(QUICKSTART).read_text(encoding="utf-8").replace(
        "proportional pc_share", "proportional pc_sh\x1b]0;pwned\x07are", 1), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(rule), "--lang", "en")
    assert code == 1 and not ACTING.findall(out)
    assert "pc_sh\\x1b]0;pwned\\x07are" in out


# -- a file name that is not UTF-8 -------------------------------------------------------------


def _byte_named(folder: Path, name: bytes, source: str) -> str:
    """A copy of `source` under a name of raw bytes, as a str (surrogate-escaped on POSIX)."""
    path = os.path.join(os.fsencode(folder), name)
    try:
        with open(path, "wb") as file:
            file.write(Path(source).read_bytes())
    except (OSError, UnicodeError) as error:  # e.g. a filesystem that wants UTF-8 names
        pytest.skip(f"this filesystem refuses the name {name!r}: {error}")
    return os.fsdecode(path)


def _written(text: str) -> str:
    text.encode("utf-8")  # no lone surrogate: every output can write it
    return text


@pytest.mark.parametrize("form", ["json", "text", "markdown", "csv", "html"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      form: str) -> None:
    rule = _byte_named(tmp_path, b"rules\xfe.egr", QUICKSTART)
    data = _byte_named(tmp_path, b"data\xff.csv", DATA_CSV)
    code, out, err = run(capsys, "score", rule, data, "--format", form, "--lang", "en")
    assert (code, err) == (0, "") and BO_A in _written(out)
    if form == "json":  # the record holds the names in their display form, `\xff` as text
        record = json.loads(out)
        assert record["inputs_path"] == str(tmp_path / "data\\xff.csv")
        assert record["methodology_path"] == str(tmp_path / "rules\\xfe.egr")
        record_path = tmp_path / "record.json"
        record_path.write_text(out, encoding="utf-8")
        code, out, err = run(capsys, "verify-record", str(record_path), "--methodology", rule,
                             "--data", data, "--lang", "en")
        assert code == 0 and out.startswith("record verified")
    if form == "html":
        assert "data\\xff.csv" in out and "rules\\xfe.egr" in out


@pytest.mark.parametrize("form", ["json", "text"])
def test_a_diagnostic_names_a_file_that_is_not_utf8(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("entity,block,staff\nX,ministry,nhiều\n", encoding="utf-8")
    data = _byte_named(tmp_path, b"bad\xff.csv", str(bad))
    code, _, err = run(capsys, "score", QUICKSTART, data, "--format", form, "--lang", "en")
    shown = str(tmp_path / "bad\\xff.csv")
    assert code == 1 and f"{shown}:1:1: error[E207]" in _written(err)
    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"missing\xff.csv"))
    code, _, err = run(capsys, "score", QUICKSTART, missing, "--lang", "en")
    assert code == 2 and _written(err) == f"egov-rules: no such file: {tmp_path}/missing\\xff.csv\n"


def test_a_rule_file_named_in_bytes_is_shown_in_json_diagnostics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.egr"
    broken.write_text("methodology x\n", encoding="utf-8")
    rule = _byte_named(tmp_path, b"broken\xfe.egr", str(broken))
    code, out, _ = run(capsys, "check", rule, "--format", "json", "--lang", "en")
    assert code == 1
    assert {d["location"]["path"] for d in json.loads(_written(out))} == {
        str(tmp_path / "broken\\xfe.egr")}
