"""The one LALR parser, and the translation of lark's syntax errors into diagnostics."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any, ClassVar, cast

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError, Indenter

from egov_rules import codes
from egov_rules.diagnostics import Reporter, Text
from egov_rules.source import SourceFile

# Limits that keep hostile input from exhausting memory or the stack (docs/language.md).
MAX_FILE_CHARS = 20_000_000
MAX_INDENT_DEPTH = 40
MAX_PAREN_DEPTH = 50
MAX_NUMBER_DIGITS = 60


class _Indenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types: ClassVar[list[str]] = ["LPAR"]
    CLOSE_PAREN_types: ClassVar[list[str]] = ["RPAR"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def handle_NL(self, token: Token) -> Iterator[Token]:
        if len(self.indent_level) > MAX_INDENT_DEPTH:
            raise _TooDeep(token)
        yield from super().handle_NL(token)


class _TooDeep(Exception):
    def __init__(self, token: Token) -> None:
        self.token = token


@functools.cache
def _parser() -> Lark:
    grammar = resources.files("egov_rules").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        postlex=_Indenter(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


# What each terminal is called in an error message.
_TERMINAL_WORDS: dict[str, tuple[str, str]] = {
    "NAME": ("a name", "một tên"),
    "STRING": ('a quoted label ("…")', 'một nhãn trong ngoặc kép ("…")'),
    "NUMBER": ("a number", "một số"),
    "PERCENT": ("a percentage", "một tỷ lệ phần trăm"),
    "CITATION": ("a citation [...]", "một trích dẫn [...]"),
    "_NL": ("the end of the line", "hết dòng"),
    "_INDENT": ("an indented block", "một khối thụt lề"),
    "_DEDENT": ("the end of the block", "hết khối"),
    "$END": ("the end of the file", "hết tệp"),
    "FUNC": ("a function call", "một lời gọi hàm"),
}


def _describe_terminal(name: str) -> tuple[str, str]:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for terminal in _parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return (f"`{terminal.pattern.value}`",) * 2
    return (name.lower(),) * 2


def _describe_token(token: Token) -> tuple[str, str]:
    if token.type == "$END":
        return _TERMINAL_WORDS["$END"]
    if token.type == "_INDENT":
        return ("indentation", "thụt lề")
    if token.type in ("_NL", "_DEDENT"):
        return _TERMINAL_WORDS[token.type]
    return (f"`{token.value}`",) * 2


def _expected_list(expected: set[str]) -> tuple[str, str]:
    words = sorted({_describe_terminal(name) for name in expected if not name.startswith("__")})
    if len(words) > 8:
        words = [*words[:8], ("…", "…")]
    return ", ".join(w[0] for w in words), ", ".join(w[1] for w in words)


# Common mistakes, recognised by the parser state they fail in (lark's match_examples).
_FRIENDLY_EXAMPLES: dict[tuple[str, str], list[str]] = {
    (
        "a criterion needs a quoted label after its id, e.g. "
        'criterion computers "Tỷ lệ máy tính" max 20',
        "tiêu chí cần một nhãn trong ngoặc kép sau mã, ví dụ "
        'criterion computers "Tỷ lệ máy tính" max 20',
    ): [
        "methodology m\ncategory c max 10\n",
        'methodology m\ncategory c "C" max 10\n  criterion x max 5\n',
    ],
    (
        "an indicator is written `id type \"label\"`, e.g. staff count \"Số cán bộ\"",
        'chỉ số được viết `mã kiểu "nhãn"`, ví dụ staff count "Số cán bộ"',
    ): [
        'methodology m\nindicators\n  staff "Số cán bộ" count\n',
        "methodology m\nindicators\n  staff count\n",
    ],
    (
        "a band is written `at least <number>: <points>`",
        "một mức được viết `at least <số>: <điểm>`",
    ): [
        'methodology m\ncategory c "C" max 10\n  criterion x "X" max 5\n    bands a\n      at least 4 20\n',
        'methodology m\ncategory c "C" max 10\n  criterion x "X" max 5\n    bands a\n      4: 20\n',
    ],
}


def _friendly(error: UnexpectedInput) -> tuple[str, str] | None:
    try:
        label = error.match_examples(
            lambda text: _parser().parse(text + "\n"), cast(Any, _FRIENDLY_EXAMPLES),
            use_accepts=True,
        )
    except Exception:  # match_examples re-parses; any failure just means "no friendly text"
        return None
    return cast(tuple[str, str] | None, label)


def parse(source: SourceFile, reporter: Reporter) -> Tree[Token] | None:
    """Parse a rule file; on a syntax error report it and return None."""
    if not _within_limits(source, reporter):
        return None
    try:
        return _parser().parse(source.text + "\n")
    except _TooDeep as too_deep:
        pos = too_deep.token.end_pos or 0
        reporter.report(
            codes.TOO_LARGE, source.span(pos, pos + 1), what="indentation depth",
            what_vi="độ sâu thụt lề", limit=str(MAX_INDENT_DEPTH),
        )
    except DedentError:
        _report_dedent(source, reporter)
    except UnexpectedCharacters as error:
        _report_characters(source, error, reporter)
    except UnexpectedToken as error:
        _report_token(source, error, reporter)
    except UnexpectedInput as error:  # UnexpectedEOF
        end = len(source.text)
        reporter.report(
            codes.UNEXPECTED_EOF, source.span(end, end), what="a declaration",
            what_vi="một khai báo",
        )
        del error
    return None


def _within_limits(source: SourceFile, reporter: Reporter) -> bool:
    text = source.text
    if len(text) > MAX_FILE_CHARS:
        reporter.report(
            codes.TOO_LARGE, source.span(0, 0), what="file size",
            what_vi="kích thước tệp", limit=f"{MAX_FILE_CHARS:,} characters",
        )
        return False
    ok = True
    for match in re.finditer(r"^([ ]*)\t", text, flags=re.MULTILINE):
        pos = match.end() - 1
        reporter.report(
            codes.TAB_INDENT, source.span(pos, pos + 1),
            hint=Text("indent with spaces only", "chỉ thụt lề bằng dấu cách"),
        )
        ok = False
        break
    for match in re.finditer(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}", text):
        reporter.report(
            codes.TOO_LARGE, source.span(match.start(), match.end()), what="a number",
            what_vi="một số", limit=f"{MAX_NUMBER_DIGITS} digits",
        )
        ok = False
        break
    depth = 0
    for match in re.finditer(r"[()\n]", text):
        ch = match.group()
        depth = 0 if ch == "\n" else depth + (1 if ch == "(" else -1)
        if depth > MAX_PAREN_DEPTH:
            reporter.report(
                codes.TOO_LARGE, source.span(match.start(), match.start() + 1),
                what="parenthesis nesting", what_vi="độ lồng ngoặc", limit=str(MAX_PAREN_DEPTH),
            )
            return False
    return ok


def _report_dedent(source: SourceFile, reporter: Reporter) -> None:
    # Find the first line whose indentation matches no enclosing level.
    levels = [0]
    offset = 0
    for line in source.text.split("\n"):
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            indent = len(line) - len(stripped)
            if indent > levels[-1]:
                levels.append(indent)
            else:
                while indent < levels[-1]:
                    levels.pop()
                if indent != levels[-1]:
                    reporter.report(
                        codes.BAD_INDENT, source.span(offset, offset + indent),
                        hint=Text(
                            f"indent this line by {levels[-1]} spaces to continue the "
                            "enclosing block, or by more to open a new one",
                            f"thụt lề dòng này {levels[-1]} dấu cách để tiếp tục khối "
                            "bao ngoài, hoặc nhiều hơn để mở khối mới",
                        ),
                    )
                    return
        offset += len(line) + 1
    reporter.report(codes.BAD_INDENT, source.span(0, 0))


def _report_characters(
    source: SourceFile, error: UnexpectedCharacters, reporter: Reporter
) -> None:
    pos = error.pos_in_stream or 0
    char = source.text[pos] if pos < len(source.text) else ""
    if char == '"':
        reporter.report(codes.UNTERMINATED_STRING, source.span(pos, pos + 1))
        return
    if char == "[":
        reporter.report(
            codes.SYNTAX, source.span(pos, pos + 1),
            detail="this citation has no closing `]` on the same line",
            detail_vi="trích dẫn này thiếu dấu `]` đóng trên cùng dòng",
        )
        return
    allowed_en, allowed_vi = _expected_list(set(error.allowed or ()))
    reporter.report(
        codes.BAD_CHARACTER, source.span(pos, pos + 1), char=f"`{char}`",
        hint=Text(f"expected {allowed_en}", f"cần {allowed_vi}") if error.allowed else None,
    )


def _report_token(source: SourceFile, error: UnexpectedToken, reporter: Reporter) -> None:
    token = error.token
    if token.type == "$END":
        end = len(source.text)
        reporter.report(
            codes.UNEXPECTED_EOF, source.span(end, end), what="a declaration",
            what_vi="một khai báo",
        )
        return
    start = token.start_pos if token.start_pos is not None else 0
    end = token.end_pos if token.end_pos is not None else start
    if token.type in ("_NL", "_DEDENT"):
        # Point at the end of the line the parser was reading, not the next line's indent.
        start = end = _end_of_line_before(source, start)
    elif token.type == "_INDENT":
        start, end = _start_of_indented_line(source, end)
    got_en, got_vi = _describe_token(token)
    expected_en, expected_vi = _expected_list(set(error.expected))
    friendly = _friendly(error)
    if friendly is not None:
        detail_en, detail_vi = friendly
        hint = None
    else:
        detail_en = f"unexpected {got_en}; expected {expected_en}"
        detail_vi = f"không mong đợi {got_vi}; cần {expected_vi}"
        hint = None
    reporter.report(
        codes.SYNTAX, source.span(start, end), detail=detail_en, detail_vi=detail_vi, hint=hint
    )


def _end_of_line_before(source: SourceFile, pos: int) -> int:
    text = source.text
    pos = min(pos, len(text))
    newline = text.find("\n", pos) if pos < len(text) and text[pos] != "\n" else pos
    if newline < 0:
        return len(text)
    line_start = text.rfind("\n", 0, newline) + 1
    stripped = text[line_start:newline].split("#", 1)[0].rstrip()
    return line_start + len(stripped)


def _start_of_indented_line(source: SourceFile, pos: int) -> tuple[int, int]:
    text = source.text
    line_start = text.rfind("\n", 0, max(pos, 0)) + 1
    i = line_start
    while i < len(text) and text[i] == " ":
        i += 1
    line_end = text.find("\n", i)
    return i, (len(text) if line_end < 0 else line_end)
