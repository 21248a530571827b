"""The evaluator's workflow: a workbook in, rankings and per-agency explanations out, and a
JSON record anyone can recompute."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import sys
import time
import types
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from egov_rules.cli import main
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
DATA_CSV = str(ROOT / "examples" / "quickstart-data.csv")
ENTITIES = ["Bộ A (minh hoạ)", "Bộ B (minh hoạ)", "Bộ C (minh hoạ)", "Tỉnh D (minh hoạ)",
            "Tỉnh E (minh hoạ)"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def quickstart_xlsx(path: Path) -> Path:
    """The quickstart CSV as the workbook an evaluator keeps (numbers as numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "2024"
    with open(DATA_CSV, encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            sheet.append([float(c) if number and c.replace(".", "").isdigit() else c for c in row])
    workbook.save(path)
    return path


@pytest.mark.parametrize("source", ["csv", "xlsx"])
def test_workbook_in_rankings_and_explanations_out(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, source: str) -> None:
    data = DATA_CSV if source == "csv" else str(quickstart_xlsx(tmp_path / "data.xlsx"))
    code, out, _ = run(capsys, "rank", QUICKSTART, data, "--by", "infrastructure_index",
                       "--block", "province", "--format", "csv")
    assert code == 0
    # Tỉnh E: 30 + 30 + 24/30 × 10 = 8 + (5 + 5) = 78 → 0.78; Tỉnh D: 27 + 15 + 10 + 20 = 72.
    # Written with the index's `round 3`.
    assert out.splitlines() == [
        "index,block,rank,entity,value,grade",
        "infrastructure_index,province,1,Tỉnh E (minh hoạ),0.780,Khá",
        "infrastructure_index,province,2,Tỉnh D (minh hoạ),0.720,Khá",
    ]
    for number, entity in enumerate(ENTITIES):
        target = tmp_path / f"{number}.md"
        code, _, _ = run(capsys, "explain", QUICKSTART, data, "--entity", entity,
                         "--format", "markdown", "--output", str(target))
        assert code == 0
        assert target.read_text(encoding="utf-8").startswith(f"## {entity} — ")


def test_score_table_text_shows_points_grades_and_ranks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--lang", "en")
    assert code == 0
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()
            if line.startswith("| Tỉnh D")]
    # Tỉnh D: services 32.5 + 12 + 20 + 15 = 79.5 of 100; overall 0.4 × 0.72 + 0.4 × 0.795
    # + 0.2 × 0.78 = 0.762, first of the two provinces (Tỉnh E: 0.576). Categories (C1…C3)
    # come in one table, indices (I1…I6) in two: I4 is overall.
    assert rows[0] == ["Tỉnh D (minh hoạ)", "72/100", "79.5/100", "15.6/20"]
    assert rows[2][1] == "0.762 Fair #1"
    assert "I4 overall: Overall index" in out.splitlines()


def test_score_markdown_and_csv_formats(capsys: pytest.CaptureFixture[str]) -> None:
    _, markdown, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "markdown")
    assert "| Bộ B (minh hoạ) | ministry | 90/90 | 80/80 | 20/20 |" in markdown  # Bộ B: no WAN criterion
    _, table, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    bo_a = next(r for r in rows if r["entity"] == "Bộ A (minh hoạ)")
    # Bộ A: 28.5 + 15 + 9 + 20 = 72.5 of 100, exact in CSV.
    assert (bo_a["infrastructure"], bo_a["infrastructure_max"]) == ("72.5", "100")
    assert (bo_a["infrastructure_index_grade"], bo_a["infrastructure_index_rank"]) == ("Khá", "2")


def test_explain_gains_next_grade_and_next_rank(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", QUICKSTART, DATA_CSV, "--entity", "Tỉnh D (minh hoạ)",
                       "--format", "json")
    assert code == 0
    payload = json.loads(out)
    # infrastructure: 3rd safeguard +5 (5 per safeguard); incidents 2 → 0 moves to `at most 0`,
    # 10 → 15: +5. services: portal level 3 → 4 is 12 → 20: +8.
    assert payload["largest_gains"]["infrastructure"][:2] == ["safeguard_points", "incident_points"]
    assert payload["largest_gains"]["services"][0] == "portal"
    step = next(s for s in payload["next_rank"] if s["index"] == "infrastructure_index")
    # Tỉnh E leads with 0.78 (round 3): D's 72/100 must reach 0.7795 → 77.95 − 72 = 5.95 points.
    assert (step["rank"], step["target_rank"], step["target_entities"]) == (2, 1, ["Tỉnh E (minh hoạ)"])
    assert Fraction(step["points_needed"]) == Fraction("5.95")
    _, text, _ = run(capsys, "explain", QUICKSTART, DATA_CSV, "--entity", "Tỉnh D (minh hoạ)",
                     "--lang", "en")
    assert "5.95 more points (index 0.78) reach rank 1 with Tỉnh E (minh hoạ)" in text
    assert "Largest available gains" in text


def test_old_score_flags_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--entity", "Bộ A (minh hoạ)", "--json")
    assert code == 0
    assert json.loads(out)["entity"] == "Bộ A (minh hoạ)"
    code, out, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--entity", "Bộ A (minh hoạ)",
                       "--explain", "--lang", "en")
    assert code == 0 and "Share of civil servants with a computer — 28.5/30 points" in out


def test_usage_errors_exit_2_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", QUICKSTART, DATA_CSV, "--entity", "Bộ Z")
    assert code == 2 and "không có đơn vị 'Bộ Z'" in err
    code, _, err = run(capsys, "rank", QUICKSTART, DATA_CSV, "--by", "overal", "--lang", "en")
    assert code == 2 and "`overal` is not a ranked index" in err and "did you mean `overall`?" in err
    code, _, _ = run(capsys, "rank", QUICKSTART, DATA_CSV, "--format", "pdf")
    assert code == 2


def test_html_is_delegated_to_the_report_module(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    fake = types.ModuleType("egov_rules.report.html")
    fake.render_ranking_html = lambda ranking, lang: calls.append(lang) or "<html>ranking</html>"  # type: ignore[attr-defined]
    fake.render_evaluation_html = (  # type: ignore[attr-defined]
        lambda evaluation, ranking, lang: f"<html>{evaluation.entity}</html>")
    monkeypatch.setitem(sys.modules, "egov_rules.report.html", fake)
    _, out, _ = run(capsys, "rank", QUICKSTART, DATA_CSV, "--format", "html", "--lang", "en")
    assert out == "<html>ranking</html>" and calls == ["en"]
    _, out, _ = run(capsys, "explain", QUICKSTART, DATA_CSV, "--entity", "Bộ B (minh hoạ)",
                    "--format", "html")
    assert out == "<html>Bộ B (minh hoạ)</html>"
    monkeypatch.setitem(sys.modules, "egov_rules.report.html", None)  # import now fails
    code, _, err = run(capsys, "rank", QUICKSTART, DATA_CSV, "--format", "html", "--lang", "en")
    assert code == 2 and "HTML reports are not available" in err


# -- the audit record ----------------------------------------------------------------------


def make_record(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    record = tmp_path / "record.json"
    code, _, _ = run(capsys, "score", QUICKSTART, DATA_CSV, "--format", "json", "--output", str(record))
    assert code == 0
    return record


def test_record_carries_what_is_needed_to_recompute(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    record = json.loads(make_record(capsys, tmp_path).read_text(encoding="utf-8"))
    assert record["schema_version"] == "egov_rules.evaluation.v1"
    assert (record["methodology"]["id"], record["methodology"]["year"]) == ("quickstart", 2024)
    assert record["inputs_hash"] == hashlib.sha256(Path(DATA_CSV).read_bytes()).hexdigest()
    assert (record["inputs_path"], record["methodology_path"]) == (DATA_CSV, QUICKSTART)
    assert record["library_version"] == "0.1.0"
    assert len(record["evaluations"]) == 5


FILES = ("--methodology", QUICKSTART, "--data", DATA_CSV)


def verify(capsys: pytest.CaptureFixture[str], record: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "verify-record", str(record), *FILES, "--lang", "en", *argv)


def edit(record: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    data = json.loads(record.read_text(encoding="utf-8"))
    change(data)
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return record


def test_verify_record_accepts_an_untouched_record(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    code, out, _ = verify(capsys, make_record(capsys, tmp_path))
    assert code == 0
    assert out == "record verified: 5 entities recomputed, every value matches\n"


def test_verify_record_lists_each_tampered_value(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    def tamper(data: dict[str, Any]) -> None:
        bo_a = next(e for e in data["evaluations"] if e["entity"] == "Bộ A (minh hoạ)")
        next(n for n in bo_a["nodes"] if n["id"] == "computers")["points"] = "30"  # really 28.5

    code, out, _ = verify(capsys, edit(make_record(capsys, tmp_path), tamper))
    assert code == 1
    assert out.splitlines() == [
        "Bộ A (minh hoạ) · computers · points: recorded 30, recomputed 28.5",
        "record does NOT match: 0 file problem(s), 1 differing value(s)",
    ]


def test_verify_record_reports_changed_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record = make_record(capsys, tmp_path)
    changed = tmp_path / "data.csv"
    # Bộ C gains one unit on the WAN: 2/5 × 10 = 4 points instead of 1/5 × 10 = 2.
    changed.write_text(Path(DATA_CSV).read_text(encoding="utf-8").replace(",5,1,", ",5,2,"),
                       encoding="utf-8")
    code, out, _ = run(capsys, "verify-record", str(record), "--methodology", QUICKSTART,
                       "--data", str(changed), "--lang", "en")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"the data {changed} is not the file recorded (made with "
                               f"{DATA_CSV}): sha256 ")
    assert "Bộ C (minh hoạ) · wan · points: recorded 2, recomputed 4" in lines
    # The hash is said once, by the line about the file, not again as a differing value.
    assert not any("inputs_hash" in line for line in lines)
    assert lines[-1].startswith("record does NOT match: 1 file problem(s), ")


def test_verify_record_reports_another_methodology(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    # The same rules with one more comment: every figure agrees, the file is not the one recorded.
    other = tmp_path / "rules.egr"
    other.write_text("# edited\n" + Path(QUICKSTART).read_text(encoding="utf-8"), encoding="utf-8")
    record = make_record(capsys, tmp_path)
    code, out, _ = run(capsys, "verify-record", str(record), "--methodology", str(other),
                       "--data", DATA_CSV, "--lang", "en")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"the methodology {other} is not the one recorded (made with "
                               f"{QUICKSTART}): content hash ")
    assert all("content_hash" not in line for line in lines)
    assert lines[-1] == "record does NOT match: 1 file problem(s), 0 differing value(s)"


def test_verify_record_never_reads_the_paths_a_record_holds(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    secret = tmp_path / "secret.egr"
    secret.write_text("root:x:0:0:the secret line\n", encoding="utf-8")
    record = edit(make_record(capsys, tmp_path), lambda data: data.update(
        methodology_path=str(secret), inputs_path="/etc/passwd"))
    # Without the files named: a usage error naming the record's paths, reading neither.
    code, out, err = run(capsys, "verify-record", str(record), "--lang", "en")
    assert (code, out) == (2, "")
    assert "secret line" not in err and "root:" not in err
    assert err == ("egov-rules: verify-record reads only the files named on its command line, "
                   "never a path a record holds: pass --methodology FILE --data FILE. The record "
                   f"says it was made with --methodology {secret} --data /etc/passwd: check that "
                   "these are the files meant before passing them\n")
    code, _, err = run(capsys, "verify-record", str(record), "--methodology", QUICKSTART)
    assert code == 2 and "hãy truyền --data TỆP." in err and "--methodology TỆP" not in err
    # With them: the files given are checked by hash; where the record says they were is not.
    code, out, _ = verify(capsys, record)
    assert (code, out) == (0, "record verified: 5 entities recomputed, every value matches\n")


def test_verify_record_shows_a_hostile_path_inert(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    record = edit(make_record(capsys, tmp_path), lambda data: data.update(
        methodology_path="a b.egr\nrecord verified\x1b[2J", inputs_path=None))
    code, _, err = run(capsys, "verify-record", str(record), "--lang", "en")
    assert code == 2
    assert "--methodology 'a b.egr\\nrecord verified\\x1b[2J' --data no file:" in err


def test_verify_record_refuses_a_missing_data_hash(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    record = edit(make_record(capsys, tmp_path), lambda data: data.update(inputs_hash=None))
    code, out, _ = verify(capsys, record)
    assert code == 1
    assert out.splitlines() == [
        f"the record holds no sha256 of its data: {DATA_CSV} cannot be checked against it",
        "record does NOT match: 1 file problem(s), 0 differing value(s)"]


def test_verify_record_reports_another_library_version(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    # Every figure agrees; whether results of another version stand is the reader's call.
    record = edit(make_record(capsys, tmp_path), lambda data: data.update(library_version="0.0.9"))
    code, out, _ = verify(capsys, record)
    assert code == 1
    assert out.splitlines() == ["— · record · library_version: recorded 0.0.9, recomputed 0.1.0",
                                "record does NOT match: 0 file problem(s), 1 differing value(s)"]


def test_verify_record_reads_and_compares_the_sheet(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    workbook = str(quickstart_xlsx(tmp_path / "data.xlsx"))
    record = tmp_path / "record.json"
    code, _, _ = run(capsys, "score", QUICKSTART, workbook, "--sheet", "2024", "--format", "json",
                     "--output", str(record))
    assert code == 0
    given = ("verify-record", str(record), "--methodology", QUICKSTART, "--data", workbook)
    assert run(capsys, *given)[0] == 0                     # the record's sheet, 2024, is read
    code, out, _ = run(capsys, *given, "--sheet", "2024", "--lang", "en")
    assert code == 0, out
    edit(record, lambda data: data.update(inputs_sheet=None))   # "the first sheet": the same one
    code, out, _ = run(capsys, *given, "--sheet", "2024", "--lang", "en")
    assert code == 1
    assert "— · record · inputs_sheet: recorded null, recomputed 2024" in out.splitlines()


@pytest.mark.parametrize("place", ["before", "after"])
def test_verify_record_refuses_a_second_evaluation(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, place: str) -> None:
    def forge(data: dict[str, Any]) -> None:  # Bộ A again, claiming 30 for computers (28.5)
        forged = copy.deepcopy(data["evaluations"][0])
        next(n for n in forged["nodes"] if n["id"] == "computers")["points"] = "30"
        data["evaluations"].insert(0 if place == "before" else len(data["evaluations"]), forged)

    record = edit(make_record(capsys, tmp_path), forge)
    code, out, err = verify(capsys, record)
    assert (code, out) == (1, "")
    second = 1 if place == "before" else 5
    assert err.splitlines()[:2] == [
        f"{record}#/evaluations/{second}/entity: error[E702]: a second evaluation of "
        "`Bộ A (minh hoạ)`: a record holds exactly one",
        f"  = help: the first is at {record}#/evaluations/0/entity"]


def test_verify_record_refuses_a_second_rank_row(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    record = edit(make_record(capsys, tmp_path),
                  lambda data: data["ranks"].append({**data["ranks"][0], "rank": 9}))
    code, _, err = verify(capsys, record)
    assert code == 1
    assert err.startswith(f"{record}#/ranks/20: error[E702]: a second rank row of "
                          "`Bộ A (minh hoạ)` for `infrastructure_index`")


@pytest.mark.parametrize(("text", "message"), [
    ('{"schema_version": "egov_rules.evaluation.v0"}',
     '#/schema_version: error[E701]: schema_version "egov_rules.evaluation.v0" is not'),
    ("[1, 2", ":1:6: error[E701]: not valid JSON: Expecting ',' delimiter"),
    ("[" * 5000 + "]" * 5000, ": error[E701]: the record nests deeper than 200 levels"),
    ('"a ranking"', ": error[E701]: expected a JSON object, found str"),
])
def test_verify_record_refuses_what_is_not_a_record(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path, text: str, message: str) -> None:
    record = tmp_path / "record.json"
    record.write_text(text, encoding="utf-8")
    code, out, err = verify(capsys, record)
    assert (code, out) == (1, "")
    assert err.startswith(f"{record}{message}")


def test_verify_record_shows_the_record_text_inert(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    # A renamed entity cannot print a line of its own, nor reach the terminal's controls.
    fake = "Bộ A\nrecord verified: 5 entities recomputed, every value matches\x1b[1A"
    record = edit(make_record(capsys, tmp_path),
                  lambda data: [row.update(entity=fake) for row in [data["evaluations"][0],
                                *(r for r in data["ranks"] if r["entity"] == "Bộ A (minh hoạ)")]])
    code, out, _ = verify(capsys, record)
    assert code == 1
    assert "record verified: 5 entities recomputed, every value matches" not in out.splitlines()
    assert "\x1b" not in out
    assert ("Bộ A\\nrecord verified: 5 entities recomputed, every value matches\\x1b[1A · — · "
            "entity: recorded present, recomputed absent") in out.splitlines()


def test_verify_record_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record = edit(make_record(capsys, tmp_path), lambda data: data.update(inputs_hash=None))
    code, out, _ = verify(capsys, record, "--format", "json")
    assert code == 1
    assert json.loads(out) == {"ok": False, "problems": [
        f"the record holds no sha256 of its data: {DATA_CSV} cannot be checked against it"],
        "differences": []}


# -- a national batch ------------------------------------------------------------------------

SMALL = """methodology small
  title "Thử nghiệm quy mô lớn"
  year 2024
  source "illustrative"
  missing error

blocks
  commune "Xã"  en "Communes"
  ward "Phường"  en "Wards"

indicators
  staff_with_pc count "CBCCVC có máy tính"
  online_share percent "Tỷ lệ hồ sơ trực tuyến"

category infra "Hạ tầng"  max 60
  criterion computers "Máy tính"  max 60
    2 per staff_with_pc up to 60
category services "Dịch vụ"  max 40
  criterion online "Trực tuyến"  max 40
    proportional online_share relative to best in block

index overall "Tổng" = share of max infra, services  round 3
rank overall within block ties share a rank
"""


def test_ten_thousand_communes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rule = tmp_path / "small.egr"
    rule.write_text(SMALL, encoding="utf-8")
    lines = ["entity,block,staff_with_pc,online_share"]
    for i in range(10_000):
        lines.append(f"Xã {i},{'commune' if i % 2 == 0 else 'ward'},{i % 31},{50 if i % 7 else 25}")
    data = tmp_path / "communes.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, out, err = run(capsys, "rank", str(rule), str(data), "--format", "csv")
    elapsed = time.perf_counter() - started
    print(f"10,000 entities scored and ranked in {elapsed:.1f} s")
    assert code == 0 and err == ""  # no progress bar: stderr is not a terminal
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10_000
    # Best online share in each block is 50 %, so i % 7 ≠ 0 earns 40, else 25/50 × 40 = 20;
    # computers: 2 × (i % 31), capped at 60 from i % 31 = 30. The top: i % 31 = 30, i % 7 ≠ 0,
    # 100/100 = 1, written 1.000 (`round 3`). Ranked 1 together (ties share a rank).
    top = {r["entity"] for r in rows if r["rank"] == "1"}
    expected = {f"Xã {i}" for i in range(10_000) if i % 31 == 30 and i % 7 != 0}
    assert top == expected
    assert {r["value"] for r in rows if r["rank"] == "1"} == {"1.000"}


@pytest.mark.parametrize("what", ["evaluations", "ranks"])
def test_verify_record_reports_a_dropped_row(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             what: str) -> None:
    record = edit(make_record(capsys, tmp_path), lambda data: data[what].pop(0))
    code, out, _ = verify(capsys, record)
    assert code == 1
    assert "record does NOT match" in out.splitlines()[-1]
    where = "entity" if what == "evaluations" else "rank:infrastructure_index · row"
    assert f"Bộ A (minh hoạ) · {'— · ' if what == 'evaluations' else ''}{where}: recorded absent, " \
        "recomputed present" in out, out


@pytest.mark.parametrize("huge", ["1e99999999", "1" * 5000])
def test_verify_record_refuses_a_huge_number_at_once(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path, huge: str) -> None:
    # Fraction("1e99999999") builds a hundred-million-digit integer: minutes, then memory.
    def plant(data: dict[str, Any]) -> None:
        next(n for n in data["evaluations"][0]["nodes"] if n.get("points"))["points"] = huge

    code, out, err = verify(capsys, edit(make_record(capsys, tmp_path), plant))
    assert (code, out) == (1, "")
    assert "error[E701]" in err and "/points" in err


def test_the_record_keeps_the_reading_options_and_verify_takes_them_back(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--locale", "vi", "--reference",
                       "bandwidth=2,5", "--format", "json", "--output", str(record))
    assert code == 0, err
    reading = json.loads(record.read_text(encoding="utf-8"))["inputs_reading"]
    assert reading == {"locale": "vi", "header_row": None, "references": {"bandwidth": "2.5"},
                       "columns_hash": None, "cohort_hash": None}
    # Verified without repeating them; with another reference it differs, and says where.
    code, out, _ = verify(capsys, record)
    assert code == 0, out
    code, out, _ = verify(capsys, record, "--reference", "bandwidth=3")
    assert code == 1 and "inputs_reading" in out


def test_a_record_without_options_holds_none(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    record = json.loads(make_record(capsys, tmp_path).read_text(encoding="utf-8"))
    assert record["inputs_reading"] is None  # records made before the options verify as they were


def test_a_map_file_in_the_record_is_asked_for_never_read(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    columns = tmp_path / "columns.yaml"
    columns.write_text("Số máy tính: staff_with_pc\n", encoding="utf-8")
    record = tmp_path / "record.json"
    code, _, err = run(capsys, "score", QUICKSTART, DATA_CSV, "--columns", str(columns),
                       "--format", "json", "--output", str(record))
    assert code == 0, err
    code, _, err = verify(capsys, record)
    assert code == 2 and "the record was made with --columns" in err
    code, out, _ = verify(capsys, record, "--columns", str(columns))
    assert code == 0, out
