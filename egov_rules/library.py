"""The methodology library: the directories in which `extends <id>` finds its base.

A rule file names its base by id, never by path, so that a rule file still cannot make the
tool read a file of its choosing: the caller names the directories (`--library DIR`,
`load(path, library=…)`), and an id is looked up by reading the `methodology <id>` line at the
head of each `.egr` file directly inside them (not in subdirectories). The look-up is bounded:
at most `MAX_LIBRARY_FILES` files per directory, and of each only its first
`MAX_HEADER_CHARS` characters are read to find the header.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_LIBRARY_FILES = 2_000
MAX_HEADER_CHARS = 64 * 1024
# The longest chain of `extends` followed (a file, its base, its base's base, …).
MAX_CHAIN = 32

LibraryArg = str | Path | Sequence[str | Path] | None

_HEAD = re.compile(r"methodology[ \t]+([A-Za-z_][A-Za-z0-9_]*)"
                   r"(?:[ \t]+extends[ \t]+([A-Za-z_][A-Za-z0-9_]*))?[ \t]*(?:#.*)?")
_FIELD = re.compile(r'[ \t]+(title|title_en|source)[ \t]+"([^"\n]*)"|[ \t]+(year)[ \t]+(\d{1,6})\b')


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One methodology of a library, as its header says: id, year, title, legal source, the
    file it is in and the id it extends (None for a complete file)."""

    id: str
    year: int | None
    title: str | None
    title_en: str | None
    source: str | None
    path: str
    extends: str | None


def default_library() -> tuple[Path, ...]:
    """The methodologies shipped beside the package (`methodologies/` of the repository);
    none when the package is installed without them."""
    shipped = Path(__file__).resolve().parent.parent / "methodologies"
    if not shipped.is_dir():
        return ()
    # shown relative to the working directory when inside it, as a person would type it
    relative = os.path.relpath(shipped)
    return (Path(relative) if not relative.startswith("..") else shipped,)


def library_dirs(library: LibraryArg) -> tuple[Path, ...]:
    """The directories a `library=` argument names (None: the shipped one)."""
    if library is None:
        return default_library()
    if isinstance(library, str | Path):
        return (Path(library),)
    return tuple(Path(d) for d in library)


def describe(dirs: Sequence[Path]) -> str:
    """The library as a message names it."""
    return ", ".join(str(d) for d in dirs) if dirs else "no directory"


def read_header(path: Path) -> LibraryEntry | None:
    """The entry of a rule file from its head, or None when it is not one (no `methodology`
    line before other code, unreadable, not UTF-8)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_HEADER_CHARS * 4).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    lines = iter(head[:MAX_HEADER_CHARS].splitlines())
    match = None
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            match = _HEAD.fullmatch(stripped)
            break
    if match is None:
        return None
    fields: dict[str, str] = {}
    for line in lines:
        if line.strip().startswith("#"):
            continue
        found = _FIELD.match(line)
        if found is None:
            if line.strip():
                break
            continue
        key = found[1] or found[3]
        fields.setdefault(key, found[2] if found[1] else found[4])
    year = fields.get("year")
    return LibraryEntry(id=match[1], year=None if year is None else int(year),
                        title=fields.get("title"), title_en=fields.get("title_en"),
                        source=fields.get("source"), path=str(path), extends=match[2])


def scan(dirs: Iterable[Path]) -> list[LibraryEntry]:
    """Every rule file of the directories, by directory then file name."""
    entries: list[LibraryEntry] = []
    for directory in dirs:
        try:
            files = sorted(p for p in directory.iterdir() if p.suffix == ".egr" and p.is_file())
        except OSError:
            continue
        for path in files[:MAX_LIBRARY_FILES]:
            entry = read_header(path)
            if entry is not None:
                entries.append(entry)
    return entries


def with_inherited(entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """Entries whose header leaves out a year, title or source take their base's (a revision
    that changes only the weights keeps its base's title)."""
    by_id: dict[str, list[LibraryEntry]] = {}
    for entry in entries:
        by_id.setdefault(entry.id, []).append(entry)

    def filled(entry: LibraryEntry, depth: int) -> LibraryEntry:
        bases = by_id.get(entry.extends or "", [])
        if entry.extends is None or len(bases) != 1 or depth >= MAX_CHAIN:
            return entry
        base = filled(bases[0], depth + 1)
        return LibraryEntry(id=entry.id, year=entry.year if entry.year is not None else base.year,
                            title=entry.title or base.title, title_en=entry.title_en or base.title_en,
                            source=entry.source or base.source, path=entry.path,
                            extends=entry.extends)

    return [filled(e, 0) for e in entries]
