"""Diagnostics for people (compiler-style text) and for programs (JSON). No other module
formats a diagnostic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from egov_rules.diagnostics import Diagnostic, Lang
from egov_rules.source import Span

_WORDS = {
    "error": ("error", "lỗi"),
    "warning": ("warning", "cảnh báo"),
    "help": ("help", "gợi ý"),
    "note": ("note", "ghi chú"),
}


def _word(key: str, lang: Lang) -> str:
    en, vi = _WORDS[key]
    return vi if lang == "vi" else en


#: The most characters of a source line quoted under a diagnostic: a minified JSON file or a
#: CSV row can be one line of megabytes, and the caret only needs its surroundings.
EXCERPT_CHARS = 200
_BEFORE_CARET = 60  # characters kept before the caret when the line is cut


def _excerpt(span: Span, gutter: int) -> list[str]:
    line_no = span.line
    text = span.source.line_text(line_no)
    column = span.column
    end_line, end_column = span.end_position
    width = (end_column - column) if end_line == line_no else len(text) - column + 1
    text, column = _window(text, column)
    width = max(1, min(width, len(text) - column + 1))
    pad = " " * gutter
    return [
        f"{pad} |",
        f"{line_no:>{gutter}} | {text}",
        f"{pad} | {' ' * (column - 1)}{'^' * width}",
    ]


def _window(text: str, column: int) -> tuple[str, int]:
    """At most EXCERPT_CHARS characters of the line around `column` (1-based), with `…` where
    it is cut, and the column of the same character in what is kept."""
    if len(text) <= EXCERPT_CHARS:
        return text, column
    start = min(max(0, column - 1 - _BEFORE_CARET), len(text) - EXCERPT_CHARS)
    end = start + EXCERPT_CHARS
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return f"{head}{text[start:end]}{tail}", column - start + len(head)


def render_text(diagnostic: Diagnostic, lang: Lang = "en") -> str:
    """`path:line:col: error[E101]: message`, the source line with a caret, then help/notes."""
    severity = _word(diagnostic.severity, lang)
    lines = [f"{diagnostic.location}: {severity}[{diagnostic.code.code}]: "
             f"{diagnostic.message(lang)}"]
    spans = [diagnostic.span] if diagnostic.span is not None else []
    spans += [label.span for label in diagnostic.labels]
    gutter = max((len(str(sp.line)) for sp in spans), default=1)
    if diagnostic.span is not None and diagnostic.span.source.text:
        lines.extend(_excerpt(diagnostic.span, gutter))
    for label in diagnostic.labels:
        where = f"{label.span.path}:{label.span.line}:{label.span.column}"
        lines.append(f"{' ' * gutter} = {_word('note', lang)}: {label.text(lang)} ({where})")
        lines.extend(_excerpt(label.span, gutter))
    if diagnostic.hint is not None:
        lines.append(f"{' ' * gutter} = {_word('help', lang)}: {diagnostic.hint(lang)}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic], lang: Lang = "en",
               said: Sequence[Diagnostic] = ()) -> str:
    """The diagnostics, then one summary line that also counts those `said` earlier in the
    same run (a warning shown as soon as it was found: a run has one summary)."""
    items = list(diagnostics)
    errors = sum(1 for d in (*said, *items) if d.is_error)
    warnings = len(said) + len(items) - errors
    if lang == "vi":
        summary = f"{errors} lỗi, {warnings} cảnh báo"
    else:
        summary = f"{errors} error{'s' if errors != 1 else ''}, " \
                  f"{warnings} warning{'s' if warnings != 1 else ''}"
    return render_blocks(items, lang) + summary + "\n"


def render_blocks(diagnostics: Iterable[Diagnostic], lang: Lang = "en") -> str:
    """The diagnostics without a summary: the run says its one summary when it ends."""
    return "".join(render_text(d, lang) + "\n\n" for d in diagnostics)


def to_json(diagnostic: Diagnostic, lang: Lang = "en") -> dict[str, Any]:
    span = diagnostic.span
    location: dict[str, Any] = {"path": diagnostic.location if span is None else span.path}
    if span is not None:
        end_line, end_column = span.end_position
        location.update(line=span.line, column=span.column, end_line=end_line,
                        end_column=end_column)
    return {
        "code": diagnostic.code.code,
        "name": diagnostic.code.name,
        "severity": diagnostic.severity,
        "message": diagnostic.message(lang),
        "location": location,
        "hint": None if diagnostic.hint is None else diagnostic.hint(lang),
        "notes": [
            {"message": label.text(lang), "path": label.span.path, "line": label.span.line,
             "column": label.span.column}
            for label in diagnostic.labels
        ],
    }
