"""The analysed grammar is kept in the user's cache folder between processes, and a folder
that cannot be written costs only the time: the output is the same and nothing is said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "methodologies" / "vn-ict-2016.egr"


def _check(cache_home: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    return subprocess.run([sys.executable, "-m", "egov_rules", "check", str(RULES)],
                          capture_output=True, text=True, env=env, timeout=120)


def test_the_grammar_is_cached_in_the_users_folder(tmp_path: Path) -> None:
    first = _check(str(tmp_path))
    cached = tmp_path / "egov_rules" / "grammar.lark.cache"
    assert first.returncode == 0, first.stderr
    assert cached.is_file() and cached.stat().st_size > 0
    second = _check(str(tmp_path))
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, first.stderr)


def test_a_folder_that_cannot_be_made_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _check(str(blocker))  # egov_rules/ cannot be made inside a file
    reference = _check(str(tmp_path / "fresh"))
    assert result.returncode == 0
    assert (result.stdout, result.stderr) == (reference.stdout, reference.stderr)
    assert blocker.read_text() == "not a folder"
