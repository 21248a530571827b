"""egov_rules: compile yearly e-government evaluation methodologies into explained scores.

    >>> import egov_rules
    >>> m = egov_rules.load("examples/quickstart.egr")
    >>> m.id
    'quickstart'
"""

from __future__ import annotations

from pathlib import Path

from egov_rules.diagnostics import Diagnostic, EgovRulesError
from egov_rules.library import LibraryArg, LibraryEntry
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
    "LibraryEntry",
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
    "methodologies",
)


def compile(text: str, filename: str = "<string>", library: LibraryArg = None) -> Methodology:
    """Compile methodology source text; raise `EgovRulesError` carrying every diagnostic.
    `library`: the directories in which `extends <id>` looks its base up (None: the shipped
    `methodologies/`)."""
    from egov_rules.compiler import compile_source

    model, diagnostics = compile_source(SourceFile(filename, text), library)
    if model is None:
        raise EgovRulesError(diagnostics)
    return Methodology(model, diagnostics)


def load(path: str | Path, library: LibraryArg = None) -> Methodology:
    """Compile a rule file (UTF-8); `library` as for `compile`."""
    try:
        source = SourceFile.read(path)
    except UnicodeDecodeError:
        from egov_rules import codes

        raise EgovRulesError([Diagnostic(codes.NOT_UTF8, None, path=str(path))]) from None
    return compile(source.text, str(path), library)


def check(text: str, filename: str = "<string>", library: LibraryArg = None
          ) -> list[Diagnostic]:
    """Every diagnostic of a rule file's text, errors and warnings; never raises."""
    from egov_rules.compiler import compile_source

    return compile_source(SourceFile(filename, text), library)[1]


def methodologies(library: LibraryArg = None) -> list[LibraryEntry]:
    """The methodologies of a library (directories; None: the shipped `methodologies/`), as
    their headers say, sorted by id then year; a revision that leaves out its title, year or
    source shows its base's."""
    from egov_rules.library import library_dirs, scan, with_inherited

    entries = with_inherited(scan(library_dirs(library)))
    return sorted(entries, key=lambda e: (e.id, e.year or 0, e.path))
