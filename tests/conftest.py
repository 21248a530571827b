"""Shared fixtures, hypothesis profiles and the published reference data.

`HYPOTHESIS_PROFILE=ci` (set by `make test`) keeps property tests to a budget that fits the
10-minute suite on two cores; `dev` explores more when run by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import egov_rules

ROOT = Path(__file__).resolve().parent.parent
# Published tables (UN, ministry) kept beside the repository, never copied into it: CI has
# them, a fresh clone does not.
PUBLISHED_DATA = ROOT.parent / "shared" / "reference" / "published-data"

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def quickstart() -> egov_rules.Methodology:
    return egov_rules.load(ROOT / "examples" / "quickstart.egr")


def published(relative: str) -> Path:
    """A file of the published reference data, or skip the calling test (or fixture) saying
    which file it needs."""
    path = PUBLISHED_DATA / relative
    if not path.is_file():
        pytest.skip(f"needs ../shared/reference/published-data/{relative}, "
                    "present beside the repository in CI only")
    return path


def cli(*argv: str, lang: str | None = "en") -> tuple[int, str]:
    """`egov-rules ARGV` run in-process: its exit code and what it wrote to standard output
    (`--lang en` appended, unless `lang` is None)."""
    import io

    from egov_rules.cli import main

    out = io.StringIO()
    return main([*argv, *(("--lang", lang) if lang else ())], out=out), out.getvalue()
