"""Outputs safe to open. Names and labels come from rule files and data files that anyone can
write, so whatever the CLI writes must neither run in the reader's tools nor lose the inputs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, TextIO

# What a terminal, an editor or a browser would act on instead of showing: C0 controls (tab and
# newline aside), DEL, C1 controls (ESC, CSI and OSC start escape sequences: colours, cursor
# moves, hyperlinks, window titles), and the bidi embeddings, overrides and isolates that
# reorder what is shown (Trojan Source).
_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_IN_A_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, one_line: bool = False) -> str:
    """`text` with every control and bidi override shown as a visible escape (`\\x1b`,
    `\\u202e`) instead of acting. `one_line` escapes line breaks and tabs too: a name in a
    table cell or a heading must not look like two rows."""
    return (_UNSAFE_IN_A_LINE if one_line else _UNSAFE).sub(_escaped, text)


def json_text(text: str, encoding: str = "utf-8") -> str:
    """JSON text with DEL, C1 controls and bidi overrides written as `\\u` escapes: the same
    strings to every parser, nothing that acts when the file is shown. json.dumps and pydantic
    escape C0 themselves, so a raw newline left in JSON text is layout, never inside a string.
    For a stream that cannot encode the text (PYTHONIOENCODING=ascii), every non-ASCII
    character is escaped too: the JSON stays valid and exact."""
    text = _UNSAFE.sub(_json_escaped, text)
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = _NON_ASCII.sub(_json_escaped, text)
    return text


_NON_ASCII = re.compile("[^\x00-\x7f]")


def _json_escaped(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]  # \\u00e1, or a surrogate pair beyond U+FFFF


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (CWE-1236, OWASP "CSV Injection"); tab and CR are skipped before the check by some of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text: a `'` before what would start a formula,
    and before a `'` too, so that no two names are one cell (`- X` is `'- X`, `'- X` is
    `''- X`): a reader gets every name back by dropping one leading `'`. Only for text: a
    number we write (`-2.5`) must stay a number, so callers decide by type."""
    return "'" + text if text.startswith(_PREFIXED) else text


_PREFIXED = (*FORMULA_STARTS, "'")


def write_atomically(path: Path, text: str | bytes | Iterable[str]) -> None:
    """`text` in `path` (UTF-8; bytes as they are: a workbook), all or nothing: written beside
    it under a temporary name, then renamed over it, so a full disk or an interrupt never leaves
    half a report behind. `text` may come in pieces (a streamed result: never whole in memory)."""
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        kind = stat.S_IFREG
    if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
        # /dev/null, /dev/stdout, a FIFO: written to, never replaced (root could replace a device).
        _write_in_place(path, text)
        return
    target = path.resolve()  # through a symlink: the file it names is replaced, not the link
    if target.exists() and not target.is_dir() and not os.access(target, os.W_OK):
        # A rename would replace a read-only file; writing in place never could.
        raise PermissionError(13, "Permission denied", str(path))
    mode = _mode(target)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    except PermissionError:
        if not target.is_file():
            raise
        _write_in_place(target, text)  # a writable file in a folder we may not add to
        return
    try:
        with _opened(handle, text) as file:
            _write(file, text)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the report
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:  # KeyboardInterrupt too: no temporary file is left behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_in_place(path: Path, text: str | bytes | Iterable[str]) -> None:
    with _opened(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), text) as file:
        _write(file, text)


def _write(file: IO[Any], text: str | bytes | Iterable[str]) -> None:
    for piece in [text] if isinstance(text, str | bytes) else text:
        file.write(piece)


def _opened(descriptor: int, text: str | bytes | Iterable[str]) -> IO[Any]:
    # backslashreplace: a path or name that is not valid Unicode is shown, never a crash.
    if isinstance(text, bytes):
        return os.fdopen(descriptor, "wb")
    return os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace")


def _mode(target: Path) -> int:
    """The permissions the report gets: those of the file it replaces, else the usual ones
    (mkstemp's 0600 would make a shared report unreadable to everyone else)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_fully(stream: TextIO, text: str) -> None:
    """`text` on `stream`, all of it or an exception. Under PYTHONUNBUFFERED (common in
    containers) sys.stdout writes straight to the file descriptor and drops whatever a partial
    write left over: a reader closing the pipe (`| head`) or a disk filling up cut the output
    short while the command still exited 0. Bytes are written here until none are left, so
    the next write raises BrokenPipeError or OSError(ENOSPC) instead."""
    binary = getattr(stream, "buffer", None)
    if not isinstance(stream, io.TextIOWrapper) or binary is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    if os.linesep != "\n":  # what the text layer does for sys.stdout
        text = text.replace("\n", os.linesep)
    data = memoryview(text.encode(stream.encoding, stream.errors or "strict"))
    while data:
        written = binary.write(data)  # a raw FileIO may take only part of it
        data = data[written or 0:]  # None: a non-blocking descriptor is not ready yet
    binary.flush()
