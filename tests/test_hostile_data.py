"""Hostile data: every way an attacker's fuzz broke the CSV, JSON and YAML readers, each one
now a located diagnostic with exit 1 (never a traceback, a hang or a silently wrong score),
and a property test that arbitrary text in CSV cells never reaches exit 3.

Values are put into Bộ A of the quickstart example (one entity) in each format; messages are
asserted in English. Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import EgovRulesError
from egov_rules.inputs import json_data, load_data, normal_text, tables, values, yaml_data
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
# Bộ A of the quickstart example, column by column.
BO_A = {"staff": "1000", "staff_with_pc": "950", "bandwidth_mbps": "500", "units": "20",
        "units_on_wan": "18", "has_backup": "yes", "has_firewall": "yes",
        "has_monitoring": "no", "incidents": "1", "online_share": "30", "portal_level": "3",
        "hosting": "own", "meetings": "0", "it_staff": "6", "trained_share": "50"}
NAME = "Bộ A"


def csv_file(tmp_path: Path, changes: dict[str, str] | None = None, delimiter: str = ",",
             name: str = NAME) -> Path:
    row = {**BO_A, **(changes or {})}
    text = delimiter.join(["entity", "block", *row]) + "\n" + \
        delimiter.join([name, "ministry", *row.values()]) + "\n"
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def json_file(tmp_path: Path, changes: dict[str, str] | None = None, name: str = NAME) -> Path:
    """Values are JSON as written: `1.200` is a JSON number, `"1/2"` a string."""
    row = {**BO_A, **(changes or {})}
    fields = [f'"{key}": {_json_value(value)}' for key, value in row.items()]
    path = tmp_path / "data.json"
    path.write_text(f'{{{json.dumps(name)}: {{"block": "ministry", {", ".join(fields)}}}}}',
                    encoding="utf-8")
    return path


def _json_value(value: str) -> str:
    if value in ("yes", "no"):
        return "true" if value == "yes" else "false"
    try:
        json.loads(value)
        return value
    except ValueError:
        return json.dumps(value)


def yaml_file(tmp_path: Path, changes: dict[str, str] | None = None, name: str = NAME) -> Path:
    row = {**BO_A, **(changes or {})}
    lines = [f"{name}:", "  block: ministry", *(f"  {key}: {value}" for key, value in row.items())]
    path = tmp_path / "data.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FORMATS: dict[str, Callable[..., Path]] = {"csv": csv_file, "json": json_file, "yaml": yaml_file}


def score(capsys: pytest.CaptureFixture[str], path: Path, *more: str) -> tuple[int, str, str]:
    out = io.StringIO()
    # Bộ A is alone in its block: its own bandwidth (500/1000) stated as the best, as it would
    # be taken, so that a clean file says nothing (W529 otherwise)
    code = main(["score", QUICKSTART, str(path), "--lang", "en", "--format", "csv",
                 "--reference", "bandwidth=0.5", *more], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def inputs(path: Path) -> dict[str, Any]:
    """What scoring read for Bộ A (percentages as shares)."""
    methodology = egov_rules.load(QUICKSTART)
    return dict(methodology.evaluate_many(load_data(path)).evaluation(NAME).inputs)


# -- CSV structure ---------------------------------------------------------------------------


def test_blank_lines_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path)
    header, row = path.read_text("utf-8").splitlines()
    path.write_text(f"\n{header}\r\n\r\n{row}\n\n,,,\n\n", encoding="utf-8")
    code, out, err = score(capsys, path)
    assert (code, err) == (0, "")
    # as in test_inputs: 950 of 1000 staff with a computer, 0.95 × 30 = 28.5; 87.5 in all
    assert out.splitlines()[1].startswith("Bộ A,ministry,87.5,100,")


def test_a_quote_inside_a_plain_cell_is_kept(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = score(capsys, csv_file(tmp_path, name='Bộ "A'))
    assert code == 0 and out.splitlines()[1].startswith('"Bộ ""A",ministry,87.5,')


def test_an_unclosed_quote_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, csv_file(tmp_path, name='"Bộ A'))
    assert code == 1
    assert "data.csv:2:1: error[E207]: this quote opens a cell that is never closed" in err


def test_text_after_a_closing_quote_is_located(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, csv_file(tmp_path, name='"Bộ"A'))
    assert code == 1
    assert "data.csv:2:5: error[E207]: text after the closing quote of a cell" in err


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_every_line_ending_ends_a_row(tmp_path: Path, newline: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path)  # a lone CR (old Mac files) crashed with exit 3
    path.write_bytes(path.read_bytes().replace(b"\n", newline.encode()))
    code, out, err = score(capsys, path)
    assert (code, err) == (0, "") and out.splitlines()[1].startswith("Bộ A,ministry,87.5,100,")


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_line_breaks_inside_quotes_stay_in_the_cell(tmp_path: Path, newline: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path, {"# note": f'"checked{newline}twice"'})
    with path.open("a", encoding="utf-8") as more:
        more.write(",".join(["Bộ B", "ministry", "lots", *list(BO_A.values())[1:], "x"]) + "\n")
    code, _, err = score(capsys, path)
    assert code == 1
    # Bộ B's row starts on line 3, or on line 4 when the note's break is a LF
    line = 3 if newline == "\r" else 4
    assert f"data.csv:{line}:15: error[E205]: Bộ B: staff: `lots` is not a number" in err


def test_a_cell_over_the_limit_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    # Python's csv module stops at 131,072 characters with an exception; the limit is ours
    code, _, err = score(capsys, csv_file(tmp_path, name="X" * 140_000))
    assert code == 1
    assert ("data.csv:2:1: error[E007]: a cell (140,000 characters) exceeds the limit of "
            "10,000 characters") in err


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_huge_exponent_is_refused_at_once(tmp_path: Path, fmt: str) -> None:
    # Fraction("1e99999999") builds a 100-million-digit integer: minutes, then exit 3
    path = FORMATS[fmt](tmp_path, {"staff": "1e99999999"})
    done = subprocess.run([sys.executable, "-m", "egov_rules", "score", QUICKSTART, str(path),
                           "--lang", "en"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "`1e99999999` is out of range (about 10^99999999)" in done.stderr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("value", "message"), [
    ("1e5000", "`1e5000` is out of range (about 10^5000): a number in data is 0, or at least "
               "10^-30 and below 10^30 in size"),
    ("1e30", "`1e30` is out of range (about 10^30)"),
    ("1234567890123456789012345678901", "has 31 significant digits; a number in data has at "
                                        "most 30"),
])
def test_numbers_beyond_the_bounds_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               fmt: str, value: str, message: str) -> None:
    code, _, err = score(capsys, FORMATS[fmt](tmp_path, {"staff": value}))
    assert code == 1 and "error[E205]: Bộ A: staff: " in err and message in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_numbers_within_the_bounds_are_read_exactly(tmp_path: Path, fmt: str) -> None:
    path = FORMATS[fmt](tmp_path, {"staff": "123456789012345678901234567890", "units": "1e29",
                                   "bandwidth_mbps": "0.000000000000000000000000000001"})
    read = inputs(path)
    assert read["staff"] == 123456789012345678901234567890
    assert read["units"] == 10**29
    assert read["bandwidth_mbps"] == Fraction(1, 10**30)


def test_a_tiny_number_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, yaml_file(tmp_path, {"bandwidth_mbps": "1e-31"}))
    assert code == 1 and "`1e-31` is out of range (about 10^-31)" in err


@pytest.mark.parametrize("value", [10**40, 1e300, 5e-324, Decimal("1e99999999"),
                                   Fraction(1, 10**40), "1e99999999"])
def test_the_python_api_applies_the_same_bounds(value: object) -> None:
    methodology = egov_rules.load(QUICKSTART)
    data: dict[str, object] = {**{k: int(v) if v.isdigit() else v for k, v in BO_A.items()},
                               "bandwidth_mbps": value}
    with pytest.raises(EgovRulesError) as raised:
        methodology.evaluate(data, block="ministry", references={"bandwidth": 1})
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E205" and "out of range" in diagnostic.message("en")


def test_a_fraction_from_python_is_still_exact() -> None:
    methodology = egov_rules.load(QUICKSTART)
    data = {**{k: int(v) if v.isdigit() else v for k, v in BO_A.items()},
            "bandwidth_mbps": Fraction(1, 3)}
    evaluation = methodology.evaluate(data, block="ministry", references={"bandwidth": 1})
    assert evaluation.inputs["bandwidth_mbps"] == Fraction(1, 3)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("value", "thousands", "decimal"), [
    ("1.200", "1200", "1.2"), ("1,200", "1200", "1.2"), ("1.000", "1000", "1"),
    ("-12.500", "-12500", "-12.5"),
])
def test_a_number_that_reads_two_ways_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 fmt: str, value: str, thousands: str,
                                                 decimal: str) -> None:
    if fmt == "csv":  # a `,` CSV says nothing of how it writes numbers (a `;` one is `vi`)
        path = csv_file(tmp_path, {"staff": f'"{value}"'})
    else:
        path = FORMATS[fmt](tmp_path, {"staff": value})
    code, _, err = score(capsys, path)
    mark = value[-4]
    assert code == 1
    assert (f"Bộ A: staff: `{value}` reads two ways: {thousands} with `{mark}` separating "
            f"thousands, or {decimal} with `{mark}` as the decimal mark") in err
    assert f"help: write it so that it reads one way: {thousands} or {decimal}; or say how " \
        "the file writes numbers: --locale vi" in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_unambiguous_numbers_still_read(tmp_path: Path, fmt: str) -> None:
    changes = {"staff": "1200", "staff_with_pc": "1200", "bandwidth_mbps": "0.75",
               "online_share": "95%" if fmt != "json" else '"95%"', "trained_share": "1.5",
               "units": "0020", "it_staff": "12000"}
    if fmt == "yaml":
        changes["units"] = "20"  # a leading zero is YAML 1.1 octal: refused, tested below
    path = (csv_file(tmp_path, changes, delimiter=";") if fmt == "csv"
            else FORMATS[fmt](tmp_path, changes))
    read = inputs(path)
    assert (read["staff"], read["units"], read["it_staff"]) == (1200, 20, 12000)
    assert read["bandwidth_mbps"] == Fraction(3, 4)
    assert read["online_share"] == Fraction(95, 100)
    assert read["trained_share"] == Fraction(15, 1000)  # 1.5 % as a share


@pytest.mark.parametrize(("value", "message", "hint"), [
    ("1,5", "`1,5` uses a comma as the decimal mark", "write the decimal mark as a point: 1.5"),
    ("1.234.567", "`1.234.567` groups thousands with `.`",
     "write it without thousands separators: 1234567"),
    ("1.234,5", "`1.234,5` uses a comma", "write decimals with a point and no thousands"),
])
def test_separators_are_refused_with_what_to_write(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   value: str, message: str, hint: str) -> None:
    code, _, err = score(capsys, csv_file(tmp_path, {"bandwidth_mbps": f'"{value}"'}))
    assert code == 1 and message in err and f"help: {hint}" in err


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value", ["2000/2", "1/2", "12/2023"])
def test_fractions_and_dates_are_not_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             fmt: str, value: str) -> None:
    code, _, err = score(capsys, FORMATS[fmt](tmp_path, {"staff": value}))
    assert code == 1
    assert f"Bộ A: staff: `{value}` is a fraction or a date, not a number" in err


# -- YAML 1.1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "message"), [
    ("0100", "`0100` has a leading zero: YAML 1.2 reads it as 100 and YAML 1.1 as 64"),
    ("0189", "`0189` has a leading zero: YAML 1.2 reads it as 189"),
    ("1:30", "`1:30` is a time or a base-60 number, not a decimal number"),
    ("0x1F", "`0x1F` is written in base 16"),
    ("0o17", "`0o17` is written in base 8"),
    ("0b101", "`0b101` is written in base 2"),
])
def test_yaml_1_1_number_forms_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           value: str, message: str) -> None:
    code, _, err = score(capsys, yaml_file(tmp_path, {"staff": value}))
    assert code == 1
    assert f"data.yaml:3:10: error[E205]: Bộ A: staff: {message}" in err


def test_yaml_booleans_are_words_except_for_a_yes_no_indicator(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, {"has_backup": "on", "has_monitoring": "off"})
    read = inputs(path)
    assert (read["has_backup"], read["has_monitoring"]) == (True, False)
    methodology = egov_rules.load(QUICKSTART)
    entities = load_data(yaml_file(tmp_path, {"hosting": "on", "staff": "yes"}))
    with pytest.raises(EgovRulesError) as raised:
        methodology.evaluate_many(entities)
    said = sorted(d.message("en") for d in raised.value.diagnostics)
    # the words as written, not True: an option id, a number
    assert said == ["Bộ A: hosting: `on` is not one of own, cloud, none",
                    "Bộ A: staff: `yes` is not a number"]


def test_a_yaml_block_named_like_a_boolean_stays_a_word(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = yaml_file(tmp_path)
    path.write_text(path.read_text("utf-8").replace("block: ministry", "block: on"), "utf-8")
    code, _, err = score(capsys, path)
    assert code == 1 and "unknown block `on`" in err


# -- nesting ----------------------------------------------------------------------------------


def test_deep_json_is_refused_before_parsing(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = score(capsys, path)
    assert code == 1
    # the 65th bracket opens the 65th level
    assert "data.json:1:65: error[E007]: nesting depth exceeds the limit of 64 levels" in err


def test_deep_yaml_is_refused_before_composing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, yaml_file(tmp_path, {"staff": "[" * 3000 + "]" * 3000}))
    assert code == 1
    # levels 1 and 2 are the file's mapping and Bộ A's; `staff:` is on line 3, its value at
    # column 10, so the 63rd bracket (level 65) is at column 72
    assert "data.yaml:3:72: error[E007]: nesting depth exceeds the limit of 64 levels" in err


def test_nesting_at_the_limit_is_only_a_bad_value(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, json_file(tmp_path, {"staff": "[" * 62 + "]" * 62}))
    assert code == 1 and "Bộ A: staff: expected one value, got a list" in err


# -- text: lone surrogates, names that look the same --------------------------------------------


def test_a_lone_surrogate_in_json_is_refused_where_it_is(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, json_file(tmp_path, name="Bộ A\ud800"))
    assert code == 1
    # json.dumps writes `{"B\u1ed9 A\ud800"`: the lone half starts at column 12
    assert ("data.json:1:12: error[E207]: `\\ud800` is half of a character (a lone surrogate): "
            "the text is not valid Unicode") in err
    # a pair is one character, and an escaped backslash is no escape
    code, out, _ = score(capsys, json_file(tmp_path, name="Bộ A \ud83d\ude00 \\ud800"))
    assert code == 0 and "Bộ A 😀 \\ud800" in out


def test_a_lone_surrogate_in_yaml_is_refused_where_it_is(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, yaml_file(tmp_path, {"hosting": '"own\\ud800"'},
                                           name='"Bộ A\\ud800"'))
    assert code == 1
    assert ("data.yaml:1:1: error[E207]: `Bộ A\\ud800` is not valid Unicode text: a lone "
            "surrogate (U+D800)") in err
    methodology = egov_rules.load(QUICKSTART)
    with pytest.raises(EgovRulesError) as raised:
        methodology.evaluate_many(load_data(yaml_file(tmp_path, {"hosting": '"own\\ud800"'})))
    assert "`own\\ud800` is not valid Unicode text" in str(raised.value)


def test_a_lone_surrogate_from_python_is_refused_and_printable() -> None:
    methodology = egov_rules.load(QUICKSTART)
    data = {"block": "ministry", **BO_A}
    with pytest.raises(EgovRulesError) as raised:
        methodology.evaluate_many({"Bộ A\udc00": data})
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E207"
    str(diagnostic).encode("utf-8")  # what the CLI writes: it must be writable


NFD = "Bo\u0323\u0302 A"  # "Bộ A" decomposed, as macOS and some exporters write it


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("twin", [NFD, "Bộ\u200b A", "\ufeffBộ A\u2060", " Bộ A\u00a0"])
def test_names_that_look_the_same_are_one_entity_given_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, twin: str) -> None:
    path = FORMATS[fmt](tmp_path)
    text = path.read_text("utf-8")
    if fmt == "csv":
        text += text.splitlines()[1].replace(NAME, twin, 1) + "\n"
    elif fmt == "json":
        text = text[:-1] + ", " + text[1:-1].replace(json.dumps(NAME), json.dumps(twin), 1) + "}"
    else:
        text += text.replace(NAME, json.dumps(twin), 1)  # a double-quoted YAML key
    path.write_text(text, encoding="utf-8")
    code, _, err = score(capsys, path)
    assert code == 1
    assert "error[E102]: `Bộ A` is declared twice" in err
    assert f"{NAME!a} and {twin!a} are the same name once normalised" in err


def test_names_from_python_are_normalised_alike() -> None:
    methodology = egov_rules.load(QUICKSTART)
    data = {"block": "ministry", **BO_A}
    with pytest.raises(EgovRulesError) as raised:
        methodology.evaluate_many({NAME: data, NFD: data})
    assert [d.code.code for d in raised.value.diagnostics] == ["E102"]
    evaluation = methodology.evaluate(data, block="ministry", entity=NFD + "\u200b",
                                      references={"bandwidth": 1})
    assert evaluation.entity == NAME


def test_an_entity_is_found_by_a_name_written_differently(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["explain", QUICKSTART, str(csv_file(tmp_path, name=NFD)), "--entity", NFD,
                 "--lang", "en"], out=out)
    assert code == 0 and NAME in out.getvalue() and NFD not in out.getvalue()


def test_normal_text_is_one_rule() -> None:
    assert normal_text(" \ufeffBo\u0323\u0302\u200b A\u200d\u2060\t") == NAME
    assert normal_text("Bộ  A") == "Bộ  A"  # only what cannot be seen is removed


# -- limits on size ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, fmt: str,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values, "MAX_FILE_BYTES", 100)
    path = FORMATS[fmt](tmp_path)
    code, _, err = score(capsys, path, "--format", "markdown")  # read whole (CSV streams)
    size = path.stat().st_size
    assert code == 1
    assert (f"data.{fmt}: error[E007]: the data file ({size:,} bytes) exceeds the limit of "
            "100 bytes") in err


def test_a_csv_with_too_many_rows_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_text("entity,block\n" + "".join(f"E{n},ministry\n" for n in range(100_001)),
                    encoding="utf-8")
    code, _, err = score(capsys, path, "--format", "markdown")  # read whole (CSV streams)
    assert code == 1
    # the header, then 100,000 rows: line 100,002 holds the one too many
    assert ("data.csv:100002:1: error[E007]: the number of entities in one file exceeds the "
            "limit of 100,000") in err


@pytest.mark.parametrize(("module", "fmt"), [(tables, "csv"), (json_data, "json"),
                                             (yaml_data, "yaml")])
def test_too_many_values_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch, module: object,
                                     fmt: str) -> None:
    # Bộ A alone is 2 × 17 cells, 35 YAML nodes, 18 JSON values (16 commas, 2 objects)
    monkeypatch.setattr(module, "MAX_VALUES", 10)
    monkeypatch.setattr(values, "MAX_VALUES", 10)  # as the message says it
    code, _, err = score(capsys, FORMATS[fmt](tmp_path), "--format", "markdown")
    assert code == 1
    assert "error[E007]: the number of values in one file exceeds the limit of 10" in err


def test_text_over_the_limit_is_refused(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = score(capsys, json_file(tmp_path, name="X" * 10_001))
    # located by its pointer, the name cut short
    assert code == 1 and "data.json#/XXXXXXXXXX" in err and "…: error[E207]: the entity's " \
        "name: a text of 10,001 characters exceeds the limit of 10,000" in err
    code, _, err = score(capsys, yaml_file(tmp_path, {"hosting": "x" * 10_001}))
    assert code == 1 and "data.yaml:14:12: error[E205]: Bộ A: hosting: a text of 10,001 " \
        "characters exceeds the limit of 10,000" in err


# -- property: no text in a CSV cell reaches exit 3 ----------------------------------------------

_FRAGMENTS = st.sampled_from(['"', '""', "\r", "\n", "\r\n", ",", ";", "1e99999999", "1.000",
                              "1,5", "1/2", "0100", "%", "\ufeff", "\u200b", "o\u0323\u0302",
                              "9" * 40, "nan", "-", ".", "e", "#"])
_CELLS = st.lists(st.one_of(st.text(max_size=12), _FRAGMENTS), max_size=4).map("".join)


@given(cells=st.dictionaries(st.sampled_from(["entity", "block", *BO_A]), _CELLS, max_size=4),
       delimiter=st.sampled_from([",", ";"]), quoted=st.booleans())
def test_no_text_in_a_csv_cell_is_an_internal_error(tmp_path_factory: pytest.TempPathFactory,
                                                    cells: dict[str, str], delimiter: str,
                                                    quoted: bool) -> None:
    row = {"entity": NAME, "block": "ministry", **BO_A, **cells}
    if quoted:  # as a spreadsheet writes it; else raw, stray quotes and all
        row = {k: '"' + v.replace('"', '""') + '"' for k, v in row.items()}
    text = delimiter.join(["entity", "block", *BO_A]) + "\n" + delimiter.join(row.values())
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    sys.stderr, saved = err, sys.stderr
    try:
        code = main(["score", QUICKSTART, str(path), "--lang", "en"], out=out)
    finally:
        sys.stderr = saved
    assert code in (0, 1), err.getvalue()


# -- diagnostics on a huge line ---------------------------------------------------------------


def test_a_diagnostic_quotes_a_window_of_a_huge_line(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # Minified JSON: 60,000 entities on one line of about 2.6 million characters, one of them
    # with a bare word for a value (a JSON syntax error located at it).
    text = json.dumps({f"E{k}": {"block": "ministry", "staff": 1000} for k in range(60_000)},
                      separators=(",", ":"))
    at = text.index('"staff":1000', len(text) // 2) + len('"staff":')
    path = tmp_path / "data.json"
    path.write_text(text[:at] + "nhiều" + text[at + 4:], encoding="utf-8")
    code, _, err = score(capsys, path)
    assert code == 1 and len(text) > 2_000_000
    assert err.startswith(f"{path}:1:{at + 1}: error[E207]: not valid JSON")
    quoted, caret = err.splitlines()[2:4]
    assert len(quoted) <= 210 and quoted.startswith("1 | …") and quoted.endswith("…")
    assert caret.count("^") == 1 and quoted[caret.index("^"):].startswith("nhiều},")
    assert len(err) < 1_000


def test_a_short_line_is_quoted_whole() -> None:
    from egov_rules.render import _window

    assert _window("x" * 200, 200) == ("x" * 200, 200)
    line = "a" * 1_000 + "β" + "c" * 1_000
    cut, column = _window(line, 1_001)
    assert len(cut) == 202 and cut[column - 1] == "β"
    cut, column = _window(line, 2)  # near the start: no cut before it
    assert cut.startswith("aa") and cut.endswith("…") and column == 2
    cut, column = _window(line, len(line) + 1)  # the end of the line (a missing bracket)
    assert cut.startswith("…") and cut.endswith("c") and column == len(cut) + 1


# -- headers that look like an indicator's id -------------------------------------------------


@pytest.mark.parametrize("header", ["staff\u200b", "\u200bstaff", "\ufeffstaff", " staff "])
def test_a_header_read_as_the_id_it_looks_like(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               header: str) -> None:
    # A header is a cell: read by `normal_text` as every cell and name, so an invisible
    # character around an id is the id (fuzzer case 101, seed 2026: the oracle was wrong).
    path = csv_file(tmp_path)
    text = path.read_text("utf-8").replace("entity,block,staff,", f'entity,block,"{header}",', 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = score(capsys, path)
    assert (code, err) == (0, "") and out.splitlines()[1].startswith("Bộ A,ministry,87.5,100,")


@pytest.mark.parametrize("header", ["staff_", "\u202estaff", "sta\u0301ff"])
def test_a_header_that_only_looks_like_an_id_is_another_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str) -> None:
    path = csv_file(tmp_path)
    text = path.read_text("utf-8").replace("entity,block,staff,", f"entity,block,{header},", 1)
    path.write_text(text, encoding="utf-8")
    code, _, err = score(capsys, path)
    assert code == 1 and "no column for indicator `staff`" in err


# -- YAML tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "name", "tag"), [
    ({}, "!!binary aGk=", "!!binary"),  # fuzzer case 205, seed 2026: scored as the name `aGk=`
    ({"staff": "!!int 0o1750"}, NAME, "!!int"),  # YAML 1.1's octal 1000, read as text
    ({"staff": "!!float 1e3"}, NAME, "!!float"),
    ({"has_backup": "!custom yes"}, NAME, "!custom"),
    ({"units": "!!binary MjA="}, NAME, "!!binary"),
])
def test_a_yaml_tag_is_refused_not_read_as_bare_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict[str, str], name: str,
        tag: str) -> None:
    path = yaml_file(tmp_path, changes, name=name)
    code, out, err = score(capsys, path)
    assert (code, out) == (1, "")
    assert f"error[E207]: the YAML tag `{tag}` is not read" in err.splitlines()[0]


def test_a_yaml_str_tag_is_the_text_itself(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = yaml_file(tmp_path, {"staff": "!!str 1000", "hosting": "!!str own"})
    code, out, err = score(capsys, path)
    assert (code, err) == (0, "") and out.splitlines()[1].startswith("Bộ A,ministry,87.5,100,")
