"""egov_rules: compile yearly e-government evaluation methodologies into explained scores.

    >>> import egov_rules
    >>> m = egov_rules.load("examples/quickstart.egr")
    >>> m.id
    'quickstart'
"""

from __future__ import annotations

from pathlib import Path

from egov_rules.diagnostics import Diagnostic, EgovRulesError
from egov_rules.methodology import Methodology
from egov_rules.results import (
    SCHEMA_VERSION,
    Evaluation,
    IndexResult,
    NodeResult,
    RankEntry,
    Ranking,
    json_schema,
)
from egov_rules.source import SourceFile

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`Score` and `IndexScore` load with the code generator, on first use: `egov-rules
    check` never needs them."""
    if name in ("Score", "IndexScore"):
        from egov_rules import scoring

        return getattr(scoring, name)
    if name in ("History", "Edition", "YearResult"):  # sqlite3 only when a store is used
        from egov_rules import history

        return getattr(history, name)
    raise AttributeError(f"module 'egov_rules' has no attribute {name!r}")

__all__ = (
    "SCHEMA_VERSION",
    "Diagnostic",
    "Edition",
    "EgovRulesError",
    "Evaluation",
    "History",
    "IndexResult",
    "IndexScore",
    "Methodology",
    "NodeResult",
    "RankEntry",
    "Ranking",
    "Score",
    "YearResult",
    "__version__",
    "check",
    "compile",
    "json_schema",
    "load",
)


def compile(text: str, filename: str = "<string>") -> Methodology:
    """Compile methodology source text; raise `EgovRulesError` carrying every diagnostic."""
    from egov_rules.compiler import compile_source

    model, diagnostics = compile_source(SourceFile(filename, text))
    if model is None:
        raise EgovRulesError(diagnostics)
    return Methodology(model, diagnostics)


def load(path: str | Path) -> Methodology:
    """Compile a rule file (UTF-8)."""
    try:
        source = SourceFile.read(path)
    except UnicodeDecodeError:
        from egov_rules import codes

        raise EgovRulesError([Diagnostic(codes.NOT_UTF8, None, path=str(path))]) from None
    return compile(source.text, str(path))


def check(text: str, filename: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic of a rule file's text, errors and warnings; never raises."""
    from egov_rules.compiler import compile_source

    return compile_source(SourceFile(filename, text))[1]
