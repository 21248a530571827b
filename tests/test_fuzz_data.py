"""The data fuzzer in CI (`tests/fuzz_data.py`), and what it found, pinned down.

`test_fuzz_finds_nothing_new` runs a fixed seed at a small budget (the same cases every run)
and fails on any finding that `fuzz_data.KNOWN` does not list. Each known finding has a
strict-xfail regression test below with the smallest input that shows it: when a fix lands,
the test passes, strict xfail turns that into a failure, and whoever merges the fix removes
the mark here and the finding's lines in `KNOWN`.

By hand, at a larger budget: `python -m tests.fuzz_data --budget 5000 --seed N`
(docs/testing.md).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fuzz_data as fz
from tests.conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart.egr"
TABLE = fz.read_table(ROOT / "examples" / "quickstart-data.csv")
NAMES = [row[0] for row in TABLE[1]]

# CI: a fixed seed; two halves, so that the two xdist workers share them. Hazards (8-digit
# exponents, a million XLSX rows) included: they are refused at once now.
CI_SEED = 13
CI_BUDGET = 36
CI_HALVES = {"tables": {"csv", "values", "names"}, "documents": {"json", "yaml", "xlsx", "records"}}


@pytest.fixture(scope="module", autouse=True)
def _compiled_once() -> Iterator[None]:
    with fz.cached_methodologies():
        yield


@pytest.mark.parametrize("half", sorted(CI_HALVES))
def test_fuzz_finds_nothing_new(half: str) -> None:
    stats = fz.fuzz(CI_BUDGET, CI_SEED, timeout=20.0, components=CI_HALVES[half], hazards=True)
    print("\n" + fz.report(stats, CI_SEED, components=CI_HALVES[half]))
    unknown = {s: f for s, f in stats.distinct().items() if s not in fz.KNOWN}
    assert not unknown, "new fuzz findings:\n" + fz.report(stats, CI_SEED, components=CI_HALVES[half])
    # the run exercised what it should: data read, data refused, figures compared
    assert stats.tried == CI_BUDGET
    assert stats.exits[0] >= CI_BUDGET // 5 and stats.exits[1] >= CI_BUDGET // 5, stats.exits
    assert stats.checked >= CI_BUDGET // 6, stats.checked
    assert set(stats.by_component) == CI_HALVES[half]


def test_every_mutation_makes_a_case(tmp_path: Path) -> None:
    """The generators themselves, on many more case numbers than CI runs (nothing is run)."""
    seeds = fz.make_seeds(tmp_path)
    seen = set()
    for number in range(160):
        case = fz.make_case(7, number, seeds)
        assert case.files and case.data in case.files, case
        assert case.expect.kind in ("same", "error", "any", "ok")
        seen.add(case.component)
    assert seen == {c for c, _, _ in fz.MUTATORS}


def test_the_reference_reads_its_own_csv_back() -> None:
    # A table written by csv_text (CR quoted too) is read back by the csv module unchanged:
    # the reference the fuzzer compares with is what it means.
    header, rows = TABLE
    odd = (header, [[f"a\rb{i}", *row[1:]] for i, row in enumerate(rows)])
    for table in (TABLE, odd):
        for delimiter in (",", ";"):
            assert fz._csv_reference(fz.csv_text(table, delimiter)) == table


def test_a_crash_is_exit_3_with_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_rules import cli

    def broken(args: object) -> None:
        raise RuntimeError("boom")
    monkeypatch.setattr(cli, "score_data", broken)
    outcome = fz.run_main(["score", str(QUICKSTART), str(tmp_path / "data.csv")], timeout=20)
    assert (outcome.kind, outcome.code, outcome.where) == ("crash", 3, "egov_rules/cli.py:_cmd_score")
    assert outcome.error == "RuntimeError: boom" and "Traceback" in outcome.trace


@pytest.mark.parametrize("forked", [False, True])
def test_a_hang_is_stopped_and_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       forked: bool) -> None:
    import time

    from egov_rules import cli

    def slow(args: object) -> None:
        time.sleep(30)
    monkeypatch.setattr(cli, "score_data", slow)
    argv = ["score", str(QUICKSTART), str(tmp_path / "data.csv")]
    outcome = fz.run_forked(argv, 1, tmp_path) if forked else fz.run_main(argv, timeout=0.5)
    assert outcome.kind == "hang" and outcome.where in ("egov_rules/cli.py:_cmd_score",
                                                        "egov_rules/cli.py:main"), outcome


# -- helpers for the regression tests ------------------------------------------------------


def run(tmp_path: Path, name: str, data: bytes | str, *extra: str, command: str = "score"
        ) -> fz.Outcome:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    argv = [command, str(QUICKSTART), str(path), *extra]
    if command == "score" and "--format" not in extra:
        argv += ["--format", "csv", "--output", str(tmp_path / "out.csv")]
    return fz.run_main(argv, timeout=30)


def scores(tmp_path: Path) -> dict[str, list[str]]:
    parsed = fz._parse_scores(fz._read(tmp_path / "out.csv"))
    assert parsed is not None
    return parsed[1]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("baseline")
    assert run(folder, "data.csv", fz.csv_text(TABLE)).code == 0
    return scores(folder)


def table_with(row: int, column: int, text: str) -> fz.Table:
    header, rows = TABLE
    changed = [list(r) for r in rows]
    changed[row][column] = text
    return header, changed


def xlsx_parts(shared: bool = False) -> dict[str, bytes]:
    parts = fz.zip_parts(fz.xlsx_bytes(TABLE))
    return fz.shared_strings(parts) if shared else parts


def with_sheet(parts: dict[str, bytes], change: object) -> bytes:
    sheet = fz.first_sheet_part(parts)
    parts = dict(parts)
    parts[sheet] = change(parts[sheet].decode("utf-8")).encode("utf-8")  # type: ignore[operator]
    return fz.zip_bytes(parts)


def no_crash(outcome: fz.Outcome) -> None:
    assert outcome.kind == "exit", f"{outcome.kind}: {outcome.error} at {outcome.where}"


def xfail(finding: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"fuzz finding: {finding} (issue 13; remove the "
                             "mark and its KNOWN lines in tests/fuzz_data.py once fixed)")


# -- crashes (exit 3) ----------------------------------------------------------------------

CSV = fz.csv_text(TABLE)


@pytest.mark.parametrize("text", [
    pytest.param(CSV + "\n", id="blank-line-at-the-end"),
    pytest.param(CSV.replace("\n", "\n\n", 2), id="blank-line-between-rows"),
    pytest.param(CSV.replace("Bộ A (minh hoạ)", "Bộ A\r(minh hoạ)"), id="bare-CR-in-a-cell"),
    pytest.param(CSV.replace("Bộ A (minh hoạ)", "x" * 140_000), id="cell-beyond-csv-field-limit"),
])
def test_csv_lines_without_fields(tmp_path: Path, text: str, baseline: dict[str, list[str]]) -> None:
    outcome = run(tmp_path, "data.csv", text)
    no_crash(outcome)
    if text.strip() == CSV.strip() or text.replace("\n\n", "\n") == CSV:
        assert outcome.code == 0 and scores(tmp_path) == baseline  # a blank line carries nothing
    else:
        assert outcome.code in (0, 1)


def test_xlsx_malformed_xml(tmp_path: Path) -> None:
    data = with_sheet(xlsx_parts(), lambda xml: xml[: len(xml) // 2])
    outcome = run(tmp_path, "data.xlsx", data)
    no_crash(outcome)
    assert outcome.code == 1


@pytest.mark.parametrize(("shared", "cell", "value"), [
    (False, "C2", "abc"), (False, "C2", " "), (True, "A2", "x"), (True, "A2", "99999"),
])
def test_xlsx_unreadable_cells(tmp_path: Path, shared: bool, cell: str, value: str) -> None:
    data = with_sheet(xlsx_parts(shared), lambda xml: re.sub(
        rf'(<c r="{cell}"[^>]*>)<v>[^<]*</v>', lambda m: f"{m.group(1)}<v>{value}</v>", xml, count=1))
    outcome = run(tmp_path, "data.xlsx", data)
    no_crash(outcome)
    assert outcome.code == 1


def _corrupt_sheet_stream(parts: dict[str, bytes]) -> bytes:
    """The workbook with a byte of the sheet's deflate stream changed."""
    data = bytearray(fz.zip_bytes(parts))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(fz.first_sheet_part(parts))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def test_xlsx_damaged_zip(tmp_path: Path) -> None:
    outcome = run(tmp_path, "data.xlsx", _corrupt_sheet_stream(xlsx_parts()))
    no_crash(outcome)
    assert outcome.code == 1


@pytest.mark.parametrize(("name", "text"), [
    ("data.json", "[" * 100_000 + "]" * 100_000),
    ("data.json", '{"A": {"block": "ministry", "staff": ' + "[" * 100_000 + "]" * 100_000 + "}}"),
    ("data.yaml", "{a: " * 5_000 + "1" + "}" * 5_000),
    ("data.yaml", "A:\n  block: ministry\n  staff: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n"),
])
def test_deep_nesting(tmp_path: Path, name: str, text: str) -> None:
    outcome = run(tmp_path, name, text)
    no_crash(outcome)
    assert outcome.code == 1


def test_json_integer_of_5000_digits(tmp_path: Path) -> None:
    text = fz.json_text(table_with(0, 2, "1" * 5000))
    outcome = run(tmp_path, "data.json", text)
    no_crash(outcome)
    assert outcome.code == 1  # a number of more than 60 characters is E205


def test_huge_values(tmp_path: Path) -> None:
    outcome = run(tmp_path, "data.csv", fz.csv_text(table_with(0, 2, "1e5000")))  # staff: a count
    no_crash(outcome)
    assert outcome.code in (0, 1)


def test_lone_surrogate_in_a_name(tmp_path: Path) -> None:
    text = fz.json_text(TABLE).replace(json.dumps(NAMES[0], ensure_ascii=False)[1:-1],
                                       NAMES[0] + "\\ud800", 1)
    outcome = run(tmp_path, "data.json", text)
    no_crash(outcome)
    assert outcome.code in (0, 1)


@pytest.mark.parametrize("where", ["data", "methodology", "record"])
def test_paths_the_system_refuses(tmp_path: Path, where: str) -> None:
    # A name longer than NAME_MAX makes is_file() raise; /proc/self/mem opens and fails with EIO.
    too_long = str(tmp_path / ("a" * 300 + ".csv"))
    if where == "data":
        argv = ["score", str(QUICKSTART), too_long]
    elif where == "methodology":
        if not Path("/proc/self/mem").exists():
            pytest.skip("needs Linux's /proc/self/mem (reading it fails with EIO)")
        argv = ["check", "/proc/self/mem"]
    else:
        data = tmp_path / "data.csv"
        data.write_text(CSV, encoding="utf-8")
        argv = ["verify-record", too_long[:-4] + ".json", "--methodology", str(QUICKSTART),
                "--data", str(data)]
    outcome = fz.run_main(argv, 30)
    no_crash(outcome)
    assert outcome.code == 2
    assert "không đọc được " + (too_long if where != "methodology" else "/proc/self/mem") in outcome.stderr \
        or (where == "record" and "không đọc được " + too_long[:-4] + ".json" in outcome.stderr)


# -- hangs ---------------------------------------------------------------------------------


def test_huge_exponent_is_refused_at_once(tmp_path: Path) -> None:
    # 1 s of CPU (not of a busy machine's wall clock): refusing takes milliseconds
    (tmp_path / "data.csv").write_text(fz.csv_text(table_with(0, 2, "1e99999999")), encoding="utf-8")
    outcome = fz.run_forked(["score", str(QUICKSTART), str(tmp_path / "data.csv")], timeout=60,
                            folder=tmp_path, cpu_seconds=1)
    no_crash(outcome)
    assert outcome.code == 1


def test_xlsx_a_million_rows(tmp_path: Path) -> None:
    def far(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:Q1048576"/>', xml)
        return xml.replace("</sheetData>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
                           "</sheetData>")
    (tmp_path / "data.xlsx").write_bytes(with_sheet(xlsx_parts(), far))
    outcome = fz.run_forked(["score", str(QUICKSTART), str(tmp_path / "data.xlsx")], timeout=60,
                            folder=tmp_path, cpu_seconds=1)
    no_crash(outcome)
    assert outcome.code == 1  # a figure in a row without an entity name


# -- silent misreadings --------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["A1:Q2", "A1:P6"])
def test_xlsx_stale_dimension_reads_every_cell(tmp_path: Path, ref: str,
                                               baseline: dict[str, list[str]]) -> None:
    data = with_sheet(xlsx_parts(), lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>',
                                                       f'<dimension ref="{ref}"/>', xml))
    outcome = run(tmp_path, "data.xlsx", data)
    assert outcome.code == 0 and scores(tmp_path) == baseline


def test_xlsx_hidden_first_sheet_is_not_read_silently(tmp_path: Path,
                                                      baseline: dict[str, list[str]]) -> None:
    last_year = table_with(0, 2, "2000")  # the hidden first sheet: last year's figures
    data = fz.xlsx_bytes(TABLE, sheets=[("2023", last_year, "hidden"), ("2024", TABLE, "visible")])
    outcome = run(tmp_path, "data.xlsx", data)
    assert outcome.code == 1 or scores(tmp_path) == baseline


def test_xlsx_negative_shared_string_index(tmp_path: Path) -> None:
    data = with_sheet(xlsx_parts(shared=True), lambda xml: re.sub(
        r'(<c r="A2"[^>]*>)<v>[^<]*</v>', lambda m: m.group(1) + "<v>-1</v>", xml, count=1))
    outcome = run(tmp_path, "data.xlsx", data)
    no_crash(outcome)
    assert outcome.code == 1


@pytest.mark.parametrize(("fmt", "trick"), [
    ("csv", "nfd"), ("json", "zero_width"), ("yaml", "bom_inside"), ("csv", "zwj"),
])
def test_names_equal_up_to_normalisation_are_one_entity(tmp_path: Path, fmt: str, trick: str) -> None:
    change = dict(fz.EQUIVALENT_NAMES)[trick]
    header, rows = TABLE
    copy = [change(rows[0][0]), *rows[0][1:]]
    assert copy[0] != rows[0][0] and unicodedata.normalize("NFC", copy[0]).replace(
        "\u200b", "").replace("\ufeff", "").replace("\u200d", "") == rows[0][0]
    table = (header, [*rows, copy])
    text = {"csv": fz.csv_text, "json": fz.json_text, "yaml": fz.yaml_text}[fmt](table)
    outcome = run(tmp_path, f"data.{fmt}", text)
    assert outcome.code == 1


@pytest.mark.parametrize("name", [NAMES[1] + " ", " \u00a0"])
def test_yaml_names_are_stripped(tmp_path: Path, name: str) -> None:
    header, rows = TABLE
    table = (header, [*rows, [name, *rows[1][1:]]])
    outcome = run(tmp_path, "data.yaml", fz.yaml_text(table))
    assert outcome.code == 1  # the same entity twice; an entity without a name


@pytest.mark.parametrize("text", ["0100", "1:30", "0b11"])
def test_yaml_reads_numbers_as_written(tmp_path: Path, text: str) -> None:
    """Never YAML 1.1's reading (0100 = 64, 1:30 = 90, 0b11 = 3): what CSV reads, or, for a
    leading-zero integer that YAML 1.1 and 1.2 read differently, an error naming both."""
    as_csv = run(tmp_path, "data.csv", fz.csv_text(table_with(0, 2, text)))
    expected = scores(tmp_path) if as_csv.code == 0 else None
    outcome = run(tmp_path, "data.yaml", fz.yaml_text(table_with(0, 2, text)))  # plain: `staff: 0100`
    if text == "0100":
        assert outcome.code == 1 and "64" in outcome.stderr and "100" in outcome.stderr
        return
    assert outcome.code == as_csv.code
    if expected is not None:
        assert scores(tmp_path) == expected


def test_yaml_complex_key_is_an_error(tmp_path: Path) -> None:
    text = fz.yaml_text(TABLE).replace(fz.yaml_quote(NAMES[0]) + ":", "[a, b]:", 1)
    outcome = run(tmp_path, "data.yaml", text)
    assert outcome.code == 1


@pytest.mark.parametrize("what", ["evaluations", "ranks"])
def test_record_with_a_duplicate_does_not_verify(tmp_path: Path, what: str) -> None:
    data = tmp_path / "data.csv"
    data.write_text(CSV, encoding="utf-8")
    record = tmp_path / "record.json"
    made = fz.run_main(["score", str(QUICKSTART), str(data), "--format", "json", "--output", str(record)], 30)
    assert made.code == 0
    content = json.loads(record.read_text(encoding="utf-8"))
    content[what].append(content[what][0])
    record.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    outcome = fz.run_main(["verify-record", str(record), "--methodology", str(QUICKSTART),
                           "--data", str(data)], 30)
    assert outcome.code == 1


# -- outputs -------------------------------------------------------------------------------


def test_csv_output_quotes_a_carriage_return(tmp_path: Path) -> None:
    header, rows = TABLE
    table = (header, [["Bộ\rA", *rows[0][1:]], *rows[1:]])
    outcome = run(tmp_path, "data.json", fz.json_text(table))
    assert outcome.code == 0
    assert sorted(scores(tmp_path)) == sorted(["Bộ\rA", *NAMES[1:]])


def test_markdown_output_keeps_a_name_in_its_cell(tmp_path: Path) -> None:
    header, rows = TABLE
    table = (header, [["Bộ\rA", *rows[0][1:]], *rows[1:]])
    outcome = run(tmp_path, "data.json", fz.json_text(table), "--format", "markdown")
    assert outcome.code == 0
    assert fz.output_problem("markdown", outcome.stdout, []) is None


@pytest.mark.parametrize("fmt", ["text", "diagnostics"])
def test_no_terminal_control_from_the_data(tmp_path: Path, fmt: str) -> None:
    header, rows = TABLE
    name = "\x1b]0;pwned\x07\x1b[31mBộ A"
    table = (header, [[name, *rows[0][1:]], *rows[1:]])
    if fmt == "diagnostics":
        table[1][0][2] = "-1"  # an error that names the entity
    outcome = run(tmp_path, "data.json", fz.json_text(table), "--format", "text")
    assert outcome.code == (0 if fmt == "text" else 1)
    assert fz._TERMINAL_CONTROL.search(outcome.stdout + outcome.stderr) is None


def test_a_record_mutation_changes_the_record(tmp_path: Path) -> None:
    # Case 410 of seed 2026 set a node's points to the "0" it had: the record was unchanged,
    # and verify-record was right to find it matching. A mutation that must be refused must
    # change something.
    seeds = fz.make_seeds(tmp_path)
    case = fz.make_case(2026, 410, seeds)
    assert case.mutation == "records.change_points"
    assert json.loads(case.files["record.json"]) != json.loads(seeds.record(case.source))
