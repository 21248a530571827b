"""The documentation runs: every ```egr block compiles, every ```python block of the quickstart
executes, every ```console command exits as shown (and, in the quickstart and composite-indices.md,
prints what is shown).

Conventions in docs/*.md:
- ```egr           a complete methodology; must compile without errors (warnings allowed)
- ```egr-fragment  shown only, never compiled
- <!-- file: NAME --> on the line before a fenced block, or `file=NAME` after its tag
  (```csv file=agencies.csv), writes that block to NAME in the temporary directory where the
  console commands of the same page run (in page order)
- ```python blocks of a page with console commands also run there, in page order (one may
  write a file a later command reads)
- in ```console, `$ egov-rules …` is a command; a trailing `# exit N`, or a following
  `$ echo $?` and `N`, is its expected exit code (0 otherwise); the lines after it, up to the
  next `$`, are its output, where a line `…` stands for any number of lines
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.render import render_all
from tests.conftest import ROOT

DOCS = ROOT / "docs"
# Pages whose console blocks show what the command prints, checked line by line (the others
# show the command and its exit code, with an excerpt of the output at most).
OUTPUT_SHOWN = {"quickstart.md", "composite-indices.md"}
_FILE_MARK = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->\s*$")
_EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its page, the line its text starts on, tag, text and target file."""

    page: Path
    line: int
    tag: str
    text: str
    file: str | None

    @property
    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def fences(page: Path) -> list[Fence]:
    lines = page.read_text("utf-8").split("\n")
    found: list[Fence] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        tag, *attributes = lines[i][3:].split() or [""]
        mark = _FILE_MARK.match(lines[i - 1]) if i > 0 else None
        named = [a.removeprefix("file=") for a in attributes if a.startswith("file=")]
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        target = mark.group(1) if mark else (named[0] if named else None)
        found.append(Fence(page, i + 2, tag, "\n".join(lines[i + 1:end]) + "\n", target))
        i = end + 1
    return found


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _all(tag: str, pages: list[Path] | None = None) -> list[Fence]:
    return [f for page in (pages or _pages()) for f in fences(page) if f.tag == tag]


# -- egr blocks ----------------------------------------------------------------------------


@pytest.mark.parametrize("fence", _all("egr"), ids=lambda f: f.where)
def test_egr_block_compiles(fence: Fence) -> None:
    try:  # padded so that diagnostics name the line of the page
        egov_rules.compile("\n" * (fence.line - 1) + fence.text, str(fence.page.relative_to(ROOT)))
    except egov_rules.EgovRulesError as error:
        pytest.fail(f"{fence.where} does not compile:\n{render_all(error.diagnostics, 'en')}")


def test_the_language_reference_shows_complete_methodologies() -> None:
    # Guards against the parametrised test silently finding nothing (a changed fence tag).
    assert len(_all("egr", [DOCS / "language.md"])) >= 10
    assert len(_all("egr", [DOCS / "quickstart.md"])) >= 1


def test_fence_reader_sees_tags_files_and_lines(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n<!-- file: a.egr -->\n```egr\nmethodology x\n```\n"
                    "```console\n$ egov-rules --version\n```\n```csv file=b.csv\na,b\n```\n", "utf-8")
    egr, console, csv = fences(page)
    assert (egr.tag, egr.file, egr.line, egr.text) == ("egr", "a.egr", 4, "methodology x\n")
    assert (console.tag, console.file, console.line) == ("console", None, 7)
    assert (csv.tag, csv.file, csv.text) == ("csv", "b.csv", "a,b\n")


# -- python blocks of the quickstart ---------------------------------------------------------


def run_python(fence: Fence) -> None:
    """Run a python block in a fresh namespace, in the current directory, quietly."""
    # Padded so that a failure's traceback names the line of the page.
    code = compile("\n" * (fence.line - 1) + fence.text, str(fence.page), "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, {"__name__": "__docs__"})


@pytest.mark.parametrize("fence", _all("python", [DOCS / "quickstart.md"]), ids=lambda f: f.where)
def test_quickstart_python_block_runs(fence: Fence, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run_python(fence)


def test_readme_python_block_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The README's taste of the API scores the example data it names (a test would not see a
    # file renamed or an entity missing otherwise); its printed figure is checked by hand in
    # tests/test_methodologies.py.
    blocks = _all("python", [ROOT / "README.md"])
    assert blocks
    monkeypatch.chdir(ROOT)
    for fence in blocks:
        run_python(fence)


# -- console blocks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    argv: list[str]
    exit_code: int
    output: list[str]
    where: str


def commands(fence: Fence) -> list[Command]:
    found: list[Command] = []
    lines = fence.text.rstrip("\n").split("\n")
    for number, line in enumerate(lines):
        if not line.startswith("$ egov-rules"):
            continue
        exit_match = _EXIT.search(line)
        command = line[: exit_match.start()] if exit_match else line
        exit_code = int(exit_match.group(1)) if exit_match else 0
        output: list[str] = []
        rest = lines[number + 1:]
        for position, following in enumerate(rest):
            if following.startswith("$ "):
                shown_code = rest[position + 1].strip() if position + 1 < len(rest) else ""
                if following.strip() == "$ echo $?" and shown_code.isdigit():
                    exit_code = int(shown_code)
                break
            output.append(following)
        found.append(Command(shlex.split(command[2:])[1:], exit_code, output,
                             f"{fence.where}+{number}"))
    return found


def run_cli(argv: list[str]) -> tuple[int, list[str]]:
    """Run the CLI as a terminal would show it: stdout and stderr interleaved."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(argv, out=buffer)
    return code, [line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n")]


def matches(shown: list[str], actual: list[str]) -> bool:
    """True when `actual` is `shown`, where a shown line `…` stands for any number of lines."""
    shown = [line.rstrip() for line in shown]
    while shown and not shown[-1]:
        shown.pop()
    if not shown:
        return not any(actual)
    if shown[0] == "…":
        return any(matches(shown[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and actual[0] == shown[0] and matches(shown[1:], actual[1:])


def test_commands_read_exit_codes_both_ways(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```console\n$ egov-rules check a.egr   # exit 1\nout\n"
                    "$ egov-rules check 'b c.egr'\n$ echo $?\n2\n$ egov-rules --version\n```\n",
                    "utf-8")
    first, second, third = commands(fences(page)[0])
    assert (first.argv, first.exit_code, first.output) == (["check", "a.egr"], 1, ["out"])
    assert (second.argv, second.exit_code, second.output) == (["check", "b c.egr"], 2, [])
    assert (third.argv, third.exit_code) == (["--version"], 0)


def test_matches_understands_ellipsis() -> None:
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…"], ["a"])
    assert not matches(["a", "…", "d"], ["a", "b", "c"])
    assert not matches(["a", "b"], ["a", "c"])


def _workdir(tmp_path: Path) -> Path:
    """A directory that looks like the repository root, so commands see examples/ etc."""
    for entry in ROOT.iterdir():
        if entry.name not in (".git", ".venv") and not (tmp_path / entry.name).exists():
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


@pytest.mark.parametrize("page", [p for p in _pages() if _all("console", [p])],
                         ids=lambda p: p.name)
def test_console_commands_run_as_shown(page: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = _workdir(tmp_path)
    monkeypatch.chdir(workdir)
    compare_output = page.name in OUTPUT_SHOWN
    ran = 0
    for fence in fences(page):
        if fence.file is not None:
            (workdir / fence.file).write_text(fence.text, "utf-8")
        if fence.tag == "python":  # it may write a file a later command reads
            run_python(fence)
        if fence.tag != "console":
            continue
        for command in commands(fence):
            code, output = run_cli(command.argv)
            shown = "\n".join(output)
            assert code == command.exit_code, f"{command.where}: exit {code}\n{shown}"
            if compare_output:
                assert matches(command.output, output), f"{command.where}: printed\n{shown}"
            ran += 1
    assert ran > 0
