"""Diagnostics: what every stage reports, collected and raised once at the end."""

from __future__ import annotations

import difflib
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


def _sort_key(d: Diagnostic) -> tuple[str, int, str]:
    if d.span is None:
        return (d.path or "", 0, d.code.code)
    return (d.span.path, d.span.start, d.code.code)


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
