"""`egov-rules` as a process among others (issue 13): a reader that stops early, a full disk,
Ctrl-C and a terminal that cannot show Vietnamese each end with the exit code and the one line
a shell user expects, never a traceback. Run as a real process: pipes, signals and encodings
cannot be faked in one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
DATA_CSV = str(ROOT / "examples" / "quickstart-data.csv")
TIMEOUT = 120  # seconds: only a hang reaches it
HEADER = "entity,block,staff,staff_with_pc,bandwidth_mbps,units,units_on_wan,has_backup,has_firewall,"\
         "has_monitoring,incidents,online_share,portal_level,hosting,meetings,it_staff,trained_share"
ROW = "ministry,1000,950,500,20,18,yes,yes,no,1,30,3,own,0,6,50"


def env(**changes: str | None) -> dict[str, str]:
    result = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "egov_rules", *argv]


def many_agencies(tmp_path: Path, count: int = 300, note: bool = False) -> str:
    """Agencies enough that `score --format json` writes far more than a pipe holds (~1.5 MB);
    `note` adds an ignored column, whose warning says that the data has been read."""
    path = tmp_path / "agencies.csv"
    lines = [HEADER + (",# note" if note else "")]
    lines += [f"Bộ {i},{ROW}" + (",x" if note else "") for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def many_errors(tmp_path: Path, count: int = 1000) -> str:
    """A rule file with `count` unknown indicators: `check --format json` writes ~350 KB."""
    head = (Path(QUICKSTART).read_text(encoding="utf-8").split("\ncategory", 1)[0]
            + f'\ncategory broken "Hỏng" max {count}\n')
    body = "".join(f'  criterion c{i} "C{i}" max 1\n    proportional nope{i}\n' for i in range(count))
    path = tmp_path / "errors.egr"
    path.write_text(head + body, encoding="utf-8")
    return str(path)


# Containers often set PYTHONUNBUFFERED, under which Python drops what a partial write leaves.
BUFFERING = [pytest.param(None, id="buffered"), pytest.param("1", id="unbuffered")]


@pytest.mark.parametrize("unbuffered", BUFFERING)
@pytest.mark.parametrize("what", ["score", "check"])
def test_a_reader_that_stops_early_ends_the_command_quietly_and_not_as_a_success(
        tmp_path: Path, what: str, unbuffered: str | None) -> None:
    """`egov-rules … | head -1`: exit 141 (128 + SIGPIPE) as the shell expects of a writer
    whose reader went away, nothing on stderr; 0 would claim a complete output."""
    argv = (["score", QUICKSTART, many_agencies(tmp_path), "--format", "json"] if what == "score"
            else ["check", many_errors(tmp_path), "--format", "json"])
    process = subprocess.Popen(command(*argv), cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env(PYTHONUNBUFFERED=unbuffered))
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=TIMEOUT) == 141, err
    assert first in (b"{\n", b"[\n") and err == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", BUFFERING)
def test_a_full_disk_on_standard_output_is_a_message_and_exit_1(tmp_path: Path,
                                                                 unbuffered: str | None) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(command("score", QUICKSTART, DATA_CSV, "--lang", "en"), cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT,
                              env=env(PYTHONUNBUFFERED=unbuffered))
    assert done.returncode == 1
    assert done.stderr.decode() == "egov-rules: cannot write standard output: No space left on device\n"


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    process = subprocess.Popen(
        command("score", QUICKSTART, many_agencies(tmp_path, note=True), "--format", "json", "--lang", "en"),
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    assert process.stdout is not None and process.stderr is not None
    # The warning about `# note` comes once the data is read: the process is scoring, or
    # blocked writing to the pipe that nobody reads yet. Either way it is still running.
    assert b"W520" in process.stderr.readline()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 130
    assert err.endswith(b"egov-rules: interrupted\n") and b"Traceback" not in err


@pytest.mark.parametrize("environment", [
    pytest.param({"PYTHONIOENCODING": "ascii"}, id="ascii"),
    # Python would switch a C locale to UTF-8 (PEP 538, PEP 540): both turned off, it is ASCII.
    pytest.param({"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": None, "PYTHONUTF8": "0",
                  "PYTHONCOERCECLOCALE": "0"}, id="C-locale"),
])
def test_a_terminal_that_cannot_show_vietnamese_still_gets_everything(
        tmp_path: Path, environment: dict[str, str | None]) -> None:
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
                           capture_output=True, text=True, timeout=TIMEOUT, env=env(**environment))
    encoding = probe.stdout.strip()
    assert encoding.lower() in ("ascii", "ansi_x3.4-1968"), encoding  # the case is what it says
    shown = subprocess.run(command("score", QUICKSTART, DATA_CSV), cwd=tmp_path, capture_output=True,
                           timeout=TIMEOUT, env=env(**environment))
    assert shown.returncode == 0 and shown.stderr == b""
    name = "Bộ A (minh hoạ)".encode(encoding, "backslashreplace").decode(encoding)
    assert name in shown.stdout.decode(encoding)
    # JSON stays valid and exact: what the stream cannot encode is a JSON escape.
    record = subprocess.run(command("score", QUICKSTART, DATA_CSV, "--format", "json"), cwd=tmp_path,
                            capture_output=True, timeout=TIMEOUT, env=env(**environment))
    assert record.returncode == 0
    entities = [e["entity"] for e in json.loads(record.stdout.decode(encoding))["evaluations"]]
    assert entities[0] == "Bộ A (minh hoạ)"
    # A message in Vietnamese on stderr, with escapes where needed: a usage error, not a bug.
    wrong = subprocess.run(command("score", QUICKSTART, DATA_CSV, "--entity", "Bộ Z"), cwd=tmp_path,
                           capture_output=True, timeout=TIMEOUT, env=env(**environment))
    assert wrong.returncode == 2 and b"Traceback" not in wrong.stderr
    assert "Bộ Z".encode(encoding, "backslashreplace") in wrong.stderr
    # A name typed in UTF-8 is found, though Python decodes argv with the locale's encoding.
    right = subprocess.run(command("score", QUICKSTART, DATA_CSV, "--entity", "Bộ A (minh hoạ)"),
                           cwd=tmp_path, capture_output=True, timeout=TIMEOUT, env=env(**environment))
    assert right.returncode == 0, right.stderr


def close(descriptor: int) -> None:
    os.close(descriptor)


def test_a_closed_standard_output_is_a_message_and_exit_1(tmp_path: Path) -> None:
    """`egov-rules … >&-`: Python starts with sys.stdout None; no AttributeError (exit 3)."""
    done = subprocess.run(command("check", QUICKSTART, "--lang", "en"), cwd=tmp_path, timeout=TIMEOUT,
                          stderr=subprocess.PIPE, env=env(), preexec_fn=lambda: close(1))
    assert done.returncode == 1
    assert done.stderr.decode() == "egov-rules: cannot write standard output: Bad file descriptor\n"
    # With --output, standard output is not needed.
    report = tmp_path / "report.csv"
    done = subprocess.run(command("score", QUICKSTART, DATA_CSV, "--format", "csv", "--output", str(report)),
                          cwd=tmp_path, timeout=TIMEOUT, stderr=subprocess.PIPE, env=env(),
                          preexec_fn=lambda: close(1))
    assert done.returncode == 0 and report.read_text(encoding="utf-8").startswith("entity,")
    # A closed standard error: the exit code still says what happened.
    done = subprocess.run(command("score", QUICKSTART, "missing.csv"), cwd=tmp_path, timeout=TIMEOUT,
                          stdout=subprocess.PIPE, env=env(), preexec_fn=lambda: close(2))
    assert done.returncode == 2 and done.stdout == b""
