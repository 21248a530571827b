"""The one LALR parser, and the translation of lark's syntax errors into diagnostics."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from importlib import resources
from typing import ClassVar

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
# Levels in `level a..b` (checked in build.py): a level is one of a few steps of a scale; a
# table over `level 1..99999999999` listed every level and ran out of memory.
MAX_LEVELS = 1_000
# Operators in one logical line: later stages walk expressions recursively (a chain of
# 100,000 `+` overflowed Python's stack); 100 is far beyond any real rule.
MAX_EXPR_OPERATORS = 100
_OPERATORS = frozenset({"+", "-", "*", "/", "<", ">", "=", "!=", "<=", ">=", "and", "or", "not"})


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
        if self.paren_level == 0:
            self.operators = 0
        yield from super().handle_NL(token)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self.operators = 0
        processed: Iterator[Token] = super().process(  # type: ignore[no-untyped-call]
            self._count_operators(stream))
        return processed

    def _count_operators(self, stream: Iterator[Token]) -> Iterator[Token]:
        for token in stream:
            if token.type == "FUNC" or token.value in _OPERATORS:
                self.operators += 1
                if self.operators > MAX_EXPR_OPERATORS:
                    raise _TooManyOperators(token)
            yield token


class _TooDeep(Exception):
    def __init__(self, token: Token) -> None:
        self.token = token


class _TooManyOperators(_TooDeep):
    """An expression with more operators than MAX_EXPR_OPERATORS."""


@functools.cache
def _parser() -> Lark:
    grammar = resources.files("egov_rules").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        postlex=_Indenter(),
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_grammar_cache(),
    )


def _grammar_cache() -> str | bool:
    """Where lark keeps the analysed grammar between processes: building the LALR tables
    takes about 190 ms, loading them 20 ms, and `egov-rules check` is one process per file.
    lark checks the file against the grammar, its options and its own version, and rebuilds
    it when they differ. The file lives in the user's own cache folder (never a shared
    temporary one, since lark unpickles it); where that cannot be written, no cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "egov_rules")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    return os.path.join(folder, "grammar.lark.cache")


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
    "APPROX": ("`≈`", "`≈`"),
    "PLUS_MINUS": ("`±`", "`±`"),
}


def _describe_terminal(name: str) -> tuple[str, str]:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for terminal in _parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return (f"`{terminal.pattern.value}`",) * 2
    return (name.lower(),) * 2


def _describe_token(token: Token) -> tuple[str, str]:
    """What the parser met instead, worded to start a sentence ("the line ends here; …")."""
    if token.type == "$END":
        return ("the file ends here", "tệp kết thúc ở đây")
    if token.type == "_INDENT":
        return ("unexpected indentation", "thụt lề không mong đợi")
    if token.type == "_NL":
        return ("the line ends here", "dòng kết thúc ở đây")
    if token.type == "_DEDENT":
        return ("the block ends here", "khối kết thúc ở đây")
    return (f"unexpected `{token.value}`", f"không mong đợi `{token.value}`")


def _expected_list(expected: set[str]) -> tuple[str, str]:
    words = sorted({_describe_terminal(name) for name in expected if not name.startswith("__")})
    if len(words) > 8:
        words = [*words[:8], ("…", "…")]
    return ", ".join(w[0] for w in words), ", ".join(w[1] for w in words)


# Common mistakes, recognised by the LALR state the parser fails in. Each example must fail
# with an unexpected token; the state it fails in is looked up by number, so the same mistake
# is recognised wherever it is made (lark's `match_examples` also compares the depth of the
# parser stack, which depends on how many sections came before, and so rarely matched).
_HEAD = 'methodology m\nblocks\n  b "B"\nindicators\n  x count "X"\n'
_FRIENDLY_EXAMPLES: dict[tuple[str, str], list[str]] = {
    (
        'a category needs a quoted label after its id, e.g. '
        '`category infrastructure "Hạ tầng kỹ thuật" max 100`',
        'hạng mục cần một nhãn trong ngoặc kép sau mã, ví dụ '
        '`category infrastructure "Hạ tầng kỹ thuật" max 100`',
    ): [_HEAD + "category c max 10\n"],
    (
        'a criterion needs a quoted label after its id, e.g. '
        '`criterion computers "Tỷ lệ máy tính" max 20`',
        'tiêu chí cần một nhãn trong ngoặc kép sau mã, ví dụ '
        '`criterion computers "Tỷ lệ máy tính" max 20`',
    ): [
        _HEAD + 'category c "C" max 10\n  criterion y max 5\n',
        _HEAD + 'category c "C" max 10\n  sum of\n    y max 5\n',
    ],
    (
        "`max` needs the maximum points, e.g. `max 20`, or per block: "
        "`max ministry 20, province 30`",
        "`max` cần số điểm tối đa, ví dụ `max 20`, hoặc theo khối: "
        "`max ministry 20, province 30`",
    ): [_HEAD + 'category c "C" max\n', _HEAD + 'category c "C" max b\n'],
    (
        'a block is written `id "label"`, e.g. `province "Tỉnh, thành phố"`',
        'khối được viết `mã "nhãn"`, ví dụ `province "Tỉnh, thành phố"`',
    ): ["methodology m\nblocks\n  province\n"],
    (
        'an indicator is written `id type "label"`, e.g. `staff count "Số cán bộ"`',
        'chỉ số được viết `mã kiểu "nhãn"`, ví dụ `staff count "Số cán bộ"`',
    ): [
        'methodology m\nindicators\n  staff "Số cán bộ" count\n',
        "methodology m\nindicators\n  staff count\n",
    ],
    (
        "a band row is written `<condition>: <value>`, e.g. `at least 4: 20`",
        "một dòng mức được viết `<điều kiện>: <giá trị>`, ví dụ `at least 4: 20`",
    ): [
        _HEAD + 'category c "C" max 10\n  criterion y "Y" max 5\n    bands x\n      at least 4 20\n',
        _HEAD + 'category c "C" max 10\n  criterion y "Y" max 5\n    bands x\n      4: 20\n',
        _HEAD + 'category c "C" max 10\n  criterion y "Y" max 5\n    bands x\n      at least: 2\n',
    ],
    (
        "the rows of `bands` go on the lines below it, indented further",
        "các dòng mức của `bands` đặt ở các dòng bên dưới, thụt lề sâu hơn",
    ): [_HEAD + 'category c "C" max 10\n  criterion y "Y" max 5\n    bands x\n    at least 4: 5\n'],
    (
        "the criteria of a group go on the lines below it, indented further",
        "các tiêu chí của nhóm đặt ở các dòng bên dưới, thụt lề sâu hơn",
    ): [_HEAD + 'category c "C" max 10\n  sum of\n  y "Y" max 5\n'],
}


@functools.cache
def _friendly_states() -> dict[int, tuple[str, str]]:
    """LALR state number → the friendly message of the mistake that fails in it."""
    states: dict[int, tuple[str, str]] = {}
    for label, examples in _FRIENDLY_EXAMPLES.items():
        for example in examples:
            try:
                _parser().parse(example + "\n")
            except UnexpectedToken as error:
                states.setdefault(error.state.position, label)
            else:  # pragma: no cover - a broken example is a bug in this table
                raise AssertionError(f"friendly example parses: {example!r}")
    return states


def _friendly(error: UnexpectedToken) -> tuple[str, str] | None:
    state = getattr(error, "state", None)
    return None if state is None else _friendly_states().get(state.position)


def parse(source: SourceFile, reporter: Reporter) -> Tree[Token] | None:
    """Parse a rule file; on a syntax error report it and return None."""
    if not _within_limits(source, reporter):
        return None
    try:
        return _parser().parse(source.text + "\n")
    except _TooManyOperators as too_many:
        pos = too_many.token.start_pos or 0
        reporter.report(
            codes.TOO_LARGE, source.span(pos, pos + len(too_many.token)),
            what="the number of operators in one expression",
            what_vi="số phép toán trong một biểu thức", limit=str(MAX_EXPR_OPERATORS),
            hint=Text("split it into several `let` values",
                      "tách thành nhiều giá trị `let`"),
        )
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
    except UnexpectedInput:  # UnexpectedEOF
        _report_eof(source, set(), reporter)
    return None


_PROSE = re.compile(r'"[^"\n]*"|\[[^\]\n]*\]|#[^\n]*')


def _mask_prose(text: str) -> str:
    """The text with labels, citations and comments blanked (same length, so offsets hold):
    a label may quote a 70-digit code or a comment draw parentheses without hitting a limit."""
    return _PROSE.sub(lambda m: " " * len(m.group()), text)


def _within_limits(source: SourceFile, reporter: Reporter) -> bool:
    text = source.text
    if len(text) > MAX_FILE_CHARS:
        reporter.report(
            codes.TOO_LARGE, source.span(0, 0), what="file size",
            what_vi="kích thước tệp", limit=f"{MAX_FILE_CHARS:,} characters",
            limit_vi=f"{MAX_FILE_CHARS:,} ký tự",
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
    code = _mask_prose(text)
    for match in re.finditer(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}", code):
        reporter.report(
            codes.TOO_LARGE, source.span(match.start(), match.end()), what="a number",
            what_vi="một số", limit=f"{MAX_NUMBER_DIGITS} digits",
            limit_vi=f"{MAX_NUMBER_DIGITS} chữ số",
        )
        ok = False
        break
    depth = 0
    for match in re.finditer(r"[()\n]", code):
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
                deeper = levels[-1]
                while indent < levels[-1]:
                    deeper = levels.pop()
                if indent != levels[-1]:
                    shallower = levels[-1]
                    reporter.report(
                        codes.BAD_INDENT, source.span(offset, offset + indent),
                        hint=Text(
                            f"line it up with an enclosing block: indent it by {shallower} "
                            f"or {deeper} spaces",
                            f"căn thẳng với một khối bao ngoài: thụt lề {shallower} hoặc "
                            f"{deeper} dấu cách",
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
        reporter.report(
            codes.UNTERMINATED_STRING, source.span(pos, pos + 1),
            hint=Text('close the label with `"` on the same line',
                      'đóng nhãn bằng dấu `"` trên cùng dòng'),
        )
        return
    if char == "[":
        reporter.report(
            codes.SYNTAX, source.span(pos, pos + 1),
            detail="this citation has no closing `]` on the same line",
            detail_vi="trích dẫn này thiếu dấu `]` đóng trên cùng dòng",
        )
        return
    hint = _character_hint(char)
    if hint is None and error.allowed:
        allowed_en, allowed_vi = _expected_list(set(error.allowed))
        hint = Text(f"expected {allowed_en}", f"cần {allowed_vi}")
    reporter.report(codes.BAD_CHARACTER, source.span(pos, pos + 1), char=f"`{char}`", hint=hint)


# Characters that word processors and Vietnamese keyboards put where the language wants ASCII.
_SYMBOL_SPELLINGS = {"≥": ">=", "≤": "<=", "≠": "!=", "×": "*", "÷": "/", "–": "-", "−": "-"}


def _character_hint(char: str) -> Text | None:
    if char in "'‘’“”":
        return Text('write labels between straight double quotes: "…"',
                    'viết nhãn giữa hai dấu nháy kép thẳng: "…"')
    if char in _SYMBOL_SPELLINGS:
        ascii_ = _SYMBOL_SPELLINGS[char]
        return Text(f"write `{ascii_}`", f"viết `{ascii_}`")
    if char.isalpha():  # a letter outside ASCII, e.g. Vietnamese in an id
        return Text("ids use ASCII letters, digits and `_`; Vietnamese text goes in the quoted "
                    "label", "mã chỉ gồm chữ cái ASCII, chữ số và `_`; chữ tiếng Việt đặt trong "
                    "nhãn có ngoặc kép")
    return None


def _report_token(source: SourceFile, error: UnexpectedToken, reporter: Reporter) -> None:
    token = error.token
    start = token.start_pos if token.start_pos is not None else 0
    end = token.end_pos if token.end_pos is not None else start
    if token.type == "$END" or (token.type == "_DEDENT" and not _code(source.text[start:])):
        _report_eof(source, set(error.expected), reporter)
        return
    if token.type in ("_NL", "_DEDENT"):
        # Point at the end of the line the parser was reading, not the next line's indent.
        start = end = _end_of_line_before(source, start)
    elif token.type == "_INDENT":
        start, end = _start_of_indented_line(source, end)
    friendly = _friendly(error)
    if friendly is None and token.value == "/" and re.search(r"\d[ \t]*$", source.text[:start]):
        # a number then an unexpected `/`: not in a formula (where `/` divides), so a literal
        friendly = ("unexpected `/`: a fraction is written without spaces, e.g. `2/9`",
                    "không mong đợi `/`: phân số được viết liền, không có dấu cách, ví dụ `2/9`")
    if friendly is not None:
        detail_en, detail_vi = friendly
    else:
        got_en, got_vi = _describe_token(token)
        expected_en, expected_vi = _expected_list(set(error.expected))
        detail_en = f"{got_en}; expected {expected_en}"
        detail_vi = f"{got_vi}; cần {expected_vi}"
    reporter.report(codes.SYNTAX, source.span(start, end), detail=detail_en, detail_vi=detail_vi)


def _report_eof(source: SourceFile, expected: set[str], reporter: Reporter) -> None:
    """The file ends too early: point at the end of its last line of code."""
    end = len(_code(source.text).rstrip())  # `_code` keeps a prefix of the text
    expected_en, expected_vi = _expected_list(expected)
    reporter.report(
        codes.UNEXPECTED_EOF, source.span(end, end), what="a declaration",
        what_vi="một khai báo",
        hint=Text(f"expected {expected_en}", f"cần {expected_vi}") if expected else None,
    )


def _code(text: str) -> str:
    """`text` up to its last character of code: trailing comments and blank lines dropped."""
    lines = text.split("\n")
    while lines and not _strip_comment(lines[-1]).strip():
        lines.pop()
    if lines:
        lines[-1] = _strip_comment(lines[-1])
    return "\n".join(lines)


def _strip_comment(line: str) -> str:
    """A line without its `# comment` (a `#` inside a quoted label is not a comment)."""
    match = re.match(r'(?:[^"#]|"[^"\n]*"?)*', line)
    return match.group() if match else line


def _end_of_line_before(source: SourceFile, pos: int) -> int:
    text = source.text
    pos = min(pos, len(text))
    newline = text.find("\n", pos) if pos < len(text) and text[pos] != "\n" else pos
    if newline < 0:
        return len(text)
    line_start = text.rfind("\n", 0, newline) + 1
    return line_start + len(_strip_comment(text[line_start:newline]).rstrip())


def _start_of_indented_line(source: SourceFile, pos: int) -> tuple[int, int]:
    text = source.text
    line_start = text.rfind("\n", 0, max(pos, 0)) + 1
    i = line_start
    while i < len(text) and text[i] == " ":
        i += 1
    line_end = text.find("\n", i)
    return i, (len(text) if line_end < 0 else line_end)
