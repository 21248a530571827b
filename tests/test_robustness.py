"""Safe loading and hostile input: a rule file or a data file can never run code, import, read
files or reach the network, and every hostile input ends in a diagnostic within a time bound.

Times are measured and checked against a generous bound (20 s per case) so that a slow,
shared machine does not make the suite flaky; the measured figures are printed with `-s`.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import egov_rules
from egov_rules import parser
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Reporter
from egov_rules.inputs import load_data, load_yaml, yaml_data

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = (ROOT / "examples" / "quickstart.egr").read_text(encoding="utf-8")
BOUND_SECONDS = 20.0
_T = TypeVar("_T")

HEAD = '''methodology m
  title "T"
  year 2024
  source "S"

blocks
  province "Tỉnh"

indicators
  x  count  "X"
'''


def timed(what: str, action: Callable[[], _T]) -> _T:
    # CPU time of this process, not wall time: the bound catches a blow-up (quadratic or
    # worse), and wall time also counts the other test workers on a loaded 2-core machine
    # (10,000 criteria: 5.5 s alone, 34 s of wall time beside three other suites).
    start = time.process_time()
    result = action()
    elapsed = time.process_time() - start
    print(f"\n[robustness] {what}: {elapsed:.2f} s")
    assert elapsed < BOUND_SECONDS, f"{what} took {elapsed:.1f} s"
    return result


def codes_of(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code.code for d in diagnostics if d.is_error]


def check(text: str) -> list[Diagnostic]:
    """`egov_rules.check` must return diagnostics, never raise."""
    diagnostics = egov_rules.check(text, "hostile.egr")
    for diagnostic in diagnostics:
        diagnostic.message("en"), diagnostic.message("vi")
    return diagnostics


# -- a rule file cannot execute anything --------------------------------------------------


@pytest.mark.parametrize("hostile", [
    '__import__("os").system("touch {marker}")',
    'open("{marker}", "w")',
    '{{{{ "".__class__ }}}}',
    'eval("1")',
    '!!python/object/apply:os.system ["touch {marker}"]',
    '$(touch {marker})',
    '`touch {marker}`',
])
@pytest.mark.parametrize("where", ["let", "label", "expr", "top"])
def test_hostile_looking_rule_text_is_just_a_diagnostic(tmp_path: Path, hostile: str,
                                                         where: str) -> None:
    marker = tmp_path / "pwned"
    payload = hostile.format(marker=marker)
    body = {
        "let": f"let y = {payload}\n",
        "label": 'category c "' + payload.replace('"', "'") + '"  max 1\n  k "K"  max 1\n'
                 "    1 per x up to 1\n",
        "expr": f'category c "C"  max 1  when {payload}\n  k "K"  max 1\n    1 per x up to 1\n',
        "top": payload + "\n",
    }[where]
    diagnostics = check(HEAD + body)
    assert not marker.exists()
    if where != "label":  # a label is only text: it may compile, but nothing runs
        assert codes_of(diagnostics), diagnostics


def test_there_is_no_construct_that_reaches_outside() -> None:
    # The language has no import, include, file, URL or call of anything but min/max/clamp/
    # count_yes: the grammar is the whole language.
    grammar = (ROOT / "egov_rules" / "grammar.lark").read_text(encoding="utf-8")
    for word in ("import", "include", "open", "file", "url", "http", "exec", "eval", "%import"):
        assert re.search(rf'"{word}"', grammar) is None, word
    assert re.search(r"FUNC\.2: /\(min\|max\|clamp\|count_yes\)", grammar)


def test_data_loading_uses_the_safe_yaml_loader() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "egov_rules").rglob("*.py"))
    assert "yaml.load(" not in sources and "unsafe_load" not in sources
    assert "Loader=yaml.Loader" not in sources and "FullLoader" not in sources
    # data is composed by the safe loader with a depth check (yaml_data._Loader), nothing else
    assert set(re.findall(r"Loader=([\w.]+)", sources)) == {"_Loader"}
    assert issubclass(yaml_data._Loader, yaml.SafeLoader)


@pytest.mark.parametrize("payload", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:os.system ["touch {marker}"]',
    '!!python/name:os.system',
    "!!binary aGVsbG8=",
    '!!python/object:__main__.Pwned {{x: 1}}',
])
def test_yaml_tags_in_data_are_a_diagnostic_not_code(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "pwned"
    data = tmp_path / "data.yaml"
    data.write_text("Tỉnh A:\n  block: province\n  x: " + payload.format(marker=marker) + "\n",
                    encoding="utf-8")
    methodology = egov_rules.compile(HEAD + 'category c "C"  max 1\n  k "K"  max 1\n'
                                     "    1 per x up to 1\n", "m.egr")
    with pytest.raises(EgovRulesError) as error:
        methodology.evaluate_many(load_data(data))
    assert not marker.exists()
    assert {d.code.code for d in error.value.diagnostics} <= {"E205", "E207"}


@pytest.mark.parametrize(("value", "why"), [
    (".nan", "finite"), (".inf", "finite"), ("-.inf", "finite"), ("-3", "negative"),
    ("1" * 10_000, "60"), ("2.5", "whole"), ("ten", "not a number"),
])
def test_bad_numbers_in_data_are_located_diagnostics(tmp_path: Path, value: str, why: str
                                                     ) -> None:
    data = tmp_path / "data.yaml"
    data.write_text(f"Tỉnh A:\n  block: province\n  x: {value}\n", encoding="utf-8")
    methodology = egov_rules.compile(HEAD + 'category c "C"  max 1\n  k "K"  max 1\n'
                                     "    1 per x up to 1\n", "m.egr")
    reporter = Reporter()
    entities = load_yaml(data, reporter)
    with pytest.raises(EgovRulesError) as error:
        methodology.evaluate_many(entities)
    [diagnostic] = error.value.diagnostics
    assert diagnostic.code.code == "E205" and why in diagnostic.message("en")
    assert diagnostic.span is not None and diagnostic.span.line == 3


# -- limits -------------------------------------------------------------------------------


def _nested_nodes(depth: int) -> str:
    lines = ['category c "C"  max 1']
    for level in range(1, depth):
        lines.append("  " * level + f'n{level} "N"  max 1')
    lines.append("  " * depth + "1 per x up to 1")
    return HEAD + "\n".join(lines) + "\n"


def test_indentation_limit() -> None:
    # MAX_INDENT_DEPTH levels of nodes are fine (errors, if any, are about the nodes)...
    ok = check(_nested_nodes(parser.MAX_INDENT_DEPTH - 1))
    assert "E007" not in codes_of(ok)
    # ...one more is refused, and 10,000 levels are refused quickly.
    assert "E007" in codes_of(check(_nested_nodes(parser.MAX_INDENT_DEPTH + 2)))
    deep = timed("indentation 10,000 deep", lambda: check(_nested_nodes(10_000)))
    assert codes_of(deep) == ["E007"]


def _parens(depth: int) -> str:
    return HEAD + "let y = " + "(" * depth + "x" + ")" * depth + "\n" + \
        'category c "C"  max 1\n  k "K"  max 1\n    1 per y up to 1\n'


def test_parenthesis_limit() -> None:
    assert codes_of(check(_parens(parser.MAX_PAREN_DEPTH))) == []
    assert codes_of(check(_parens(parser.MAX_PAREN_DEPTH + 1))) == ["E007"]
    assert codes_of(timed("parentheses 10,000 deep", lambda: check(_parens(10_000)))) == ["E007"]


def _number(digits: int) -> str:
    return HEAD + 'category c "C"  max 1\n  k "K"  max 1\n    bands x\n' \
        f"      at least {'9' * digits}: 1\n      otherwise: 0\n"


def test_number_limit() -> None:
    assert "E007" not in codes_of(check(_number(parser.MAX_NUMBER_DIGITS)))
    assert codes_of(check(_number(parser.MAX_NUMBER_DIGITS + 1))) == ["E007"]
    assert codes_of(timed("a number of 10,000 digits", lambda: check(_number(10_000)))) == ["E007"]


def _chain(terms: int, op: str = "+") -> str:
    return HEAD + "let y = " + f" {op} ".join(["x"] * terms) + "\n" + \
        'category c "C"  max 1\n  k "K"  max 1\n    1 per y up to 1\n' + \
        'example "e" block province\n  x 1\n' + f"  expect y = {terms if op == '+' else 1}\n"


def test_expression_size_limit() -> None:
    # MAX_EXPR_OPERATORS operators on a line (here the `=` of the `let` and 99 `+`) compile and
    # evaluate: x + x + … with x = 1 is the number of terms (the example checks it), and a
    # `*` chain gives 1.
    terms = parser.MAX_EXPR_OPERATORS
    assert codes_of(check(_chain(terms))) == []
    assert codes_of(check(_chain(terms, "*"))) == []
    assert codes_of(check(_chain(terms + 1))) == ["E007"]
    # The 100,000-term chain used to overflow Python's stack in typecheck.py.
    assert codes_of(timed("a + a + … (100,000 terms)", lambda: check(_chain(100_000)))) == ["E007"]
    nots = HEAD + "let y = x > 0\n" + 'category c "C"  max 1  when ' + "not " * 200 + "y\n" \
        '  k "K"  max 1\n    1 per x up to 1\n'
    assert codes_of(check(nots)) == ["E007"]


def test_file_size_limit() -> None:
    padding = "# " + "x" * 98 + "\n"
    big = HEAD + padding * (50_000_000 // len(padding))  # 50 MB of comments
    assert len(big) > parser.MAX_FILE_CHARS
    assert codes_of(timed("a 50 MB file", lambda: check(big))) == ["E007"]
    just_under = HEAD + padding * ((parser.MAX_FILE_CHARS - len(HEAD)) // len(padding) // 20)
    assert "E007" not in codes_of(check(just_under))


def test_many_criteria_compile_or_are_refused_in_time() -> None:
    count = 10_000  # 100,000 measured by hand: see docs/testing.md
    criteria = "".join(f'  k{i} "K"  max 1\n    bands x\n      at least {i % 7 + 1}: 1\n'
                       "      otherwise: 0\n" for i in range(count))
    text = HEAD + f'category c "C"  max {count}\n' + criteria + \
        "index overall = share of max c  round 3\n"
    diagnostics = timed(f"{count:,} criteria", lambda: check(text))
    assert codes_of(diagnostics) == []


# -- fuzzing ------------------------------------------------------------------------------


@given(st.binary(max_size=3000))
def test_random_bytes_end_in_a_diagnostic(tmp_path_factory: pytest.TempPathFactory,
                                          data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "random.egr"
    path.write_bytes(data)
    try:
        egov_rules.load(path)
    except EgovRulesError as error:
        assert error.diagnostics


_TOKENS = [
    "methodology", "m", "title", '"T"', "year", "2024", "source", "blocks", "province",
    "indicators", "x", "count", "percent", "yes/no", "level", "1..4", "one", "of", "(", ")",
    ",", "let", "=", "+", "-", "*", "/", "if", ":", "0", "category", "criterion", "max", "10",
    "weight", "40%", "only", "when", "and", "or", "not", ">", "<=", "proportional", "from",
    "to", "relative", "best", "in", "block", "bands", "at", "least", "most", "above", "below",
    "otherwise", "per", "up", "table", "sum", "capped", "best", "weighted", "mean", "index",
    "share", "round", "3", "grades", "rank", "within", "ties", "dense", "example", "expect",
    "reference", "min(", "max(", "clamp(", "count_yes(", "[Mẫu, I.1]", "#", "\t", "\"", "«",
    "monotone", "neutral", "higher", "is", "better", "lower",
]


@given(st.lists(st.one_of(st.sampled_from(_TOKENS), st.sampled_from(["\n", "\n  ", "\n    "])),
                max_size=120))
def test_grammar_shaped_token_soup_ends_in_a_diagnostic(tokens: list[str]) -> None:
    check(" ".join(tokens))


@given(st.randoms(use_true_random=False), st.integers(1, 8))
def test_mutated_real_files_end_in_a_diagnostic(rng: random.Random, edits: int) -> None:
    lines = QUICKSTART.splitlines()
    for _ in range(edits):
        i = rng.randrange(len(lines))
        action = rng.choice(["drop", "dup", "swap", "indent", "dedent", "cut", "word"])
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        elif action == "cut":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            words = lines[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(_TOKENS)
            lines[i] = " ".join(words)
        if not lines:
            lines = ["methodology m"]
    check("\n".join(lines) + "\n")


def test_limits_ignore_labels_citations_and_comments() -> None:
    # A 70-digit code in a label or citation and 60 "(" in a comment are prose, not numbers
    # or nesting: the digit and parenthesis limits apply to code only.
    digits = "1234567890" * 7
    text = (
        "methodology lim\n"
        f'  title "Mã {digits}"\n'
        "  year 2024\n"
        f'  source "S {"(" * 60}"\n'
        "blocks\n"
        f'  b "B"   # {"(" * 60}\n'
        "indicators\n"
        '  x count "X"\n'
        f'category c "C" max 10  [Điều {digits}]\n'
        "  bands x\n"
        "    at least 1: 10\n"
        "    otherwise: 0\n"
        'example "E" block b\n'
        "  x 1\n"
        "  expect c = 10\n"
    )
    assert egov_rules.check(text, "lim.egr") == []
    # The same digits as a number in code are still refused.
    assert [d.code.code for d in egov_rules.check(text.replace("x 1\n", f"x {digits}\n"))] == ["E007"]
