"""Diagnostics: what every stage reports, collected and raised once at the end."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from egov_rules.codes import Code
from egov_rules.source import Span, shown_path

Lang = Literal["en", "vi"]


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages the tool speaks."""

    en: str
    vi: str

    def __call__(self, lang: Lang) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Label:
    """A secondary location, e.g. "first declared here"."""

    span: Span
    text: Text


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a rule file or in data, with where it is and how to fix it."""

    code: Code
    span: Span | None
    args: dict[str, str] = field(default_factory=dict)
    hint: Text | None = None
    labels: tuple[Label, ...] = ()
    path: str | None = None  # for data problems located by key path / row rather than span

    @property
    def severity(self) -> str:
        return self.code.severity

    @property
    def is_error(self) -> bool:
        return self.code.severity == "error"

    def message(self, lang: Lang = "en") -> str:
        template = self.code.vi if lang == "vi" else self.code.en
        values = dict(self.args)
        # `*_vi` placeholders fall back to their English value when no translation was given.
        for key in list(values):
            values.setdefault(f"{key}_vi", values[key])
        try:
            return template.format(**values)
        except KeyError:
            return self.code.en.format(**{k: v for k, v in values.items()})

    @property
    def location(self) -> str:
        if self.span is not None:
            return f"{self.span.path}:{self.span.line}:{self.span.column}"
        return shown_path(self.path) if self.path else "<unknown>"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}[{self.code.code}]: {self.message()}"


class Reporter:
    """Collects diagnostics from every pass; nothing is raised until the end."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def report(
        self,
        code: Code,
        span: Span | None,
        hint: Text | None = None,
        labels: Iterable[Label] = (),
        **args: str,
    ) -> Diagnostic:
        diagnostic = Diagnostic(code, span, dict(args), hint, tuple(labels))
        self.diagnostics.append(diagnostic)
        return diagnostic

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=_sort_key)


# `book.xlsx!Sheet:AA7`: a worksheet cell, as the XLSX reader locates a value.
_CELL = re.compile(r"(.*:)([A-Z]{1,3})([0-9]+)")
_Part = tuple[int, int, str]


def _sort_key(d: Diagnostic) -> tuple[tuple[_Part, ...], int, int, str]:
    """As a person reads a file: by row, then column (`C2` < `AA7` < `B10`), never by the
    text of a location; the numbers of a key path as numbers (`[2]` before `[10]`)."""
    if d.span is not None:
        return (_natural(d.span.path), d.span.line, d.span.column, d.code.code)
    path = d.path or ""
    cell = _CELL.fullmatch(path)
    if cell is None:
        return (_natural(path), 0, 0, d.code.code)
    return (_natural(cell[1]), int(cell[3]), _column_number(cell[2]), d.code.code)


def _natural(text: str) -> tuple[_Part, ...]:
    # Runs of ASCII digits as numbers; a run too long for a row number stays text.
    return tuple((1, int(part), "") if part.isascii() and part.isdigit() and len(part) < 20
                 else (0, 0, part) for part in re.split(r"([0-9]+)", text) if part)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


class EgovRulesError(Exception):
    """Raised when a rule file or data set has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=_sort_key)
        errors = [d for d in self.diagnostics if d.is_error]
        first = str(errors[0]) if errors else "no errors"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


def did_you_mean(name: str, candidates: Iterable[str]) -> Text | None:
    """A hint naming the closest known names, or None when nothing is close."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not matches:
        return None
    listed = ", ".join(f"`{m}`" for m in matches)
    return Text(f"did you mean {listed}?", f"có phải ý bạn là {listed}?")
