"""Every example in docs/cli.md and docs/api.md runs: ```console blocks through
`egov_rules.cli.main` (output compared where shown), ```python blocks exec'd in order,
fenced blocks marked `file=NAME` written to the working directory first."""

from __future__ import annotations

import io
import re
import shlex
import shutil
from pathlib import Path

import pytest

from egov_rules.cli import main
from tests.conftest import ROOT

FENCE = re.compile(r"^```(\S*)([^\n]*)\n(.*?)^```$", re.M | re.S)


def blocks(doc: str) -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return [(m.group(1), m.group(2).strip(), m.group(3)) for m in FENCE.finditer(text)]


def run_console(body: str, capsys: pytest.CaptureFixture[str]) -> None:
    last_code = 0
    for command, expected in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", body, re.M):
        if command == "echo $?":
            assert expected == f"{last_code}\n"
            continue
        argv = shlex.split(command)
        assert argv[0] == "egov-rules"
        out = io.StringIO()
        last_code = main(argv[1:], out=out)
        shown = out.getvalue() + capsys.readouterr().err
        if expected:
            assert shown == expected, command
        elif "echo $?" not in body:
            assert last_code == 0, shown


@pytest.mark.parametrize("doc", ["cli.md", "api.md"])
def test_doc_examples_run(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    found = blocks(doc)
    assert any(kind in ("console", "python") for kind, _, _ in found)
    for kind, info, body in found:
        if info.startswith("file="):
            Path(info.removeprefix("file=")).write_text(body, encoding="utf-8")
        elif kind == "console":
            run_console(body, capsys)
        elif kind == "python":
            exec(compile(body, f"{doc}:python", "exec"), namespace)
            capsys.readouterr()


def test_every_subcommand_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("score", "explain", "rank", "verify-record"):
        assert f"## `{command} " in text
