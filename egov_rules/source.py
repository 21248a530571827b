"""Source files and spans: the one place where character offsets become line:column."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path


def shown_path(path: str) -> str:
    """A file name as text, for every output that names a file (diagnostics, the audit record,
    reports). On POSIX a name is bytes: those that are not UTF-8 reach Python as lone
    surrogates (`os.fsdecode(b"data\\xff.csv")`), which no UTF-8 output can write; they are
    shown as `\\xff`, the rest of the name as it is. A display form, never opened again."""
    if path.isascii():
        return path
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: shown as `\ud800`
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True, eq=False)
class SourceFile:
    """The text of one rule file, with the offsets at which its lines start; or a piece of a
    larger file read as a stream (a data file): `text` starts at character `offset` of the file,
    at line `first_line` and column `first_column`, and spans keep the file's offsets."""

    path: str
    text: str
    offset: int = 0
    first_line: int = 1
    first_column: int = 1
    _line_starts: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        find, at = self.text.find, self.text.find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        """Read a file as UTF-8 (a BOM is tolerated and dropped)."""
        try:
            raw = Path(path).read_bytes()
        except OSError as error:  # a failing read (EIO) names no file: say which
            if error.filename is None:
                error.filename = str(path)
            raise
        text = raw.decode("utf-8-sig")
        return cls(str(path), text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count characters."""
        offset = max(0, min(offset - self.offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        column = offset - self._line_starts[line_index] + 1
        return line_index + self.first_line, column + (self.first_column - 1 if line_index == 0 else 0)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        line -= self.first_line - 1
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def span(self, start: int, end: int) -> Span:
        return Span(self, start, max(start, end))

    def whole(self) -> Span:
        return Span(self, self.offset, self.offset)


@dataclass(frozen=True, slots=True, eq=False)
class Span:
    """A range of characters [start, end) in a source file."""

    source: SourceFile
    start: int
    end: int

    @property
    def path(self) -> str:
        """The file's name as shown (`shown_path`)."""
        return shown_path(self.source.path)

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]

    @property
    def end_position(self) -> tuple[int, int]:
        return self.source.position(self.end)

    @property
    def text(self) -> str:
        offset = self.source.offset
        return self.source.text[self.start - offset : self.end - offset]

    def __repr__(self) -> str:
        return f"Span({self.path}:{self.line}:{self.column})"
