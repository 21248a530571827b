"""`score` and `rank --format csv` of a CSV file, streamed (egov_rules/stream.py): the same
bytes as the explained path, every error reported before anything is written, the stream's
own bounds, and a reader that keeps no rows (docs/cli.md, "Large data files")."""

from __future__ import annotations

import io
import random
import tracemalloc
from pathlib import Path

import pytest

from egov_rules.cli import _rank_tables, _score_table, build_parser, main, score_data
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import tables
from egov_rules.inputs.tables import CsvBounds, _CsvReader, load_csv, stream_csv
from egov_rules.rank import rank_values, ranks_of
from egov_rules.render import render_all
from egov_rules.report.tables import render_tables

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
SHIPPED = [(QUICKSTART, str(ROOT / "examples" / "quickstart-data.csv")),
           (str(ROOT / "methodologies" / "vn-ict-2016.egr"),
            str(ROOT / "examples" / "vn-ict-2016-data.csv"))]
COLUMNS = ("staff,staff_with_pc,bandwidth_mbps,units,units_on_wan,has_backup,has_firewall,"
           "has_monitoring,incidents,online_share,portal_level,hosting,meetings,it_staff,"
           "trained_share")
# No `relative to best in block`: scored in one pass. Dense ties.
ONE_PASS = '''methodology one_pass
  title "T"
  year 2024
  source "S"

blocks
  a "A"
  b "B"
  c "C"

indicators
  x  count  "X"
  y  percent  "Y"

category first "First"  max 10
  criterion cx "CX"  max 10
    5 per x up to 10

category second "Second"  max 20
  criterion cy "CY"  max 20
    proportional y

index i1 "I1" = share of max first
index i2 "I2" = share of max first, second  round 2
index i3 "I3" = mean of i1, i2

grades i2
  at least 0.5: "Tốt"  en "Good"
  otherwise: "Kém"  en "Poor"

rank i2, i1 within block ties dense
'''

# `by exact` and `then by`: ranks on keys, not on the published value alone.
THEN_BY = ONE_PASS.replace("rank i2, i1 within block ties dense\n",
                           "rank i2 within block ties share a rank by exact then by i1\n"
                           "rank i3 within block ties dense by rounded then by i2\n")

# A node ranked on its points (`third` applies only to block a, `cz` only when x > 0: those
# without it are not ranked), and a node as the tie-break of an index.
NODES = ONE_PASS.replace("rank i2, i1 within block ties dense\n",
                         "category third \"Third\"  max 5  only a\n"
                         "  criterion cz \"CZ\"  max 5  when x > 0\n"
                         "    yes/no y > 50%\n\n"
                         "rank third, cx within block ties share a rank then by i2\n"
                         "rank i2 within block ties dense by exact then by second\n")


def quickstart_rows(count: int, seed: int = 3) -> str:
    """Quickstart entities in three blocks' worth of mixes, with many ties (few values)."""
    rng = random.Random(seed)
    lines = [f"entity,block,{COLUMNS}"]
    for i in range(count):
        staff, units = rng.choice([0, 10, 100]), rng.choice([0, 4])
        lines.append(",".join(map(str, (
            f"E{i:06d}", rng.choice(["ministry", "province"]), staff, staff // rng.choice([1, 2]),
            rng.choice([0, 50, 100]), units, units // 2, rng.choice(["yes", "no"]), "yes", "no",
            rng.randint(0, 3), rng.choice([0, 30, 50]), rng.randint(1, 4),
            rng.choice(["own", "cloud", "none"]), rng.randint(0, 4), rng.randint(0, 12),
            rng.choice([0, 50, 100])))))
    return "\n".join(lines) + "\n"


def whole(command: str, *argv: str) -> str:
    """The CSV the explained path makes (every Evaluation, a Ranking), as before streaming."""
    args = build_parser().parse_args([command, *argv, "--format", "csv"])
    ranking = score_data(args)
    made = ([_score_table(ranking, ranking.evaluations, args.lang, machine=True)]
            if command == "score" else _rank_tables(ranking, args, machine=True))
    return render_tables(made, "csv", None)


def streamed(capsys: pytest.CaptureFixture[str], command: str, *argv: str
             ) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main([command, *argv, "--format", "csv"], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def cases(tmp_path: Path) -> list[tuple[str, str]]:
    generated = tmp_path / "generated.csv"
    generated.write_text(quickstart_rows(400), encoding="utf-8")
    rules = tmp_path / "one_pass.egr"
    rules.write_text(ONE_PASS, encoding="utf-8")
    rng = random.Random(5)
    one_pass = tmp_path / "one_pass.csv"
    one_pass.write_text("entity,block,x,y\n" + "".join(
        f"N{k},{rng.choice('abc')},{rng.randint(0, 3)},{rng.choice([0, 25, 50, 100])}\n"
        for k in range(300)), encoding="utf-8")
    then_by = tmp_path / "then_by.egr"
    then_by.write_text(THEN_BY, encoding="utf-8")
    assert THEN_BY != ONE_PASS
    nodes = tmp_path / "nodes.egr"
    nodes.write_text(NODES, encoding="utf-8")
    assert NODES != ONE_PASS
    return [*SHIPPED, (QUICKSTART, str(generated)), (str(rules), str(one_pass)),
            (str(then_by), str(one_pass)), (str(nodes), str(one_pass))]


@pytest.mark.parametrize("command", ["score", "rank"])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_stream_writes_the_bytes_of_the_explained_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, lang: str) -> None:
    for rules, data in cases(tmp_path):
        expected = whole(command, rules, data, "--lang", lang)
        code, got, err = streamed(capsys, command, rules, data, "--lang", lang)
        assert code == 0, err
        assert got == expected, (rules, data)
        assert len(got.splitlines()) > 4


def test_rank_filters_stream_as_they_filter_a_ranking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.csv"
    data.write_text(quickstart_rows(200), encoding="utf-8")
    for more in (["--block", "province"], ["--by", "overall"],
                 ["--block", "ministry", "--by", "people_index"]):
        expected = whole("rank", QUICKSTART, str(data), *more)
        assert streamed(capsys, "rank", QUICKSTART, str(data), *more)[1] == expected
    code, out, err = streamed(capsys, "rank", QUICKSTART, str(data), "--by", "nope", "--lang", "en")
    assert code == 2 and out == "" and "`nope` is not a ranked index" in err


@pytest.mark.parametrize("rules", [QUICKSTART, "one_pass"])
def test_bad_data_reports_every_error_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str) -> None:
    if rules == "one_pass":
        rules = str(tmp_path / "one_pass.egr")
        Path(rules).write_text(ONE_PASS, encoding="utf-8")
        text = "entity,block,x,y\nA,a,1,50\nB,a,1.200,50\nC,b,2,50\nD,a,1,150\nA,b,1,1\n"
    else:
        text = quickstart_rows(30).replace("\nE000003,", "\nE000001,")
        lines = text.split("\n")
        lines[5] = lines[5].replace(",yes,no,", ",maybe,no,", 1)
        lines[20] = lines[20].replace("ministry", "minstry").replace("province", "provnce")
        text = "\n".join(lines)
    data = tmp_path / "data.csv"
    data.write_text(text, encoding="utf-8")
    report = tmp_path / "out.csv"
    for command in ("score", "rank"):
        code, out, err = streamed(capsys, command, rules, str(data), "--lang", "en",
                                  "--output", str(report))
        assert code == 1 and out == "" and not report.exists()
        code, out, err = streamed(capsys, command, rules, str(data), "--lang", "en")
        assert code == 1 and out == ""  # nothing of the rows that did score
        assert "3 errors, 0 warnings" in err
        errors = [line for line in err.splitlines() if ": error[" in line]
        assert len(errors) == 3 and all(line.startswith(f"{data}:") for line in errors)
        if rules.endswith("one_pass.egr"):
            assert f"{data}:3:5: error[E205]" in err and "`1.200` reads two ways" in err
            assert f"{data}:5:7: error[E205]" in err
            assert f"{data}:6:1: error[E102]" in err and f"first given here ({data}:2:1)" in err
        else:
            assert f"{data}:5:1: error[E102]" in err and f"({data}:3:1)" in err
            assert f"{data}:6:" in err  # has_firewall `maybe`
            assert f"{data}:21:9: error[" in err and ("minstry" in err or "provnce" in err)


def test_the_stream_is_bound_by_rows_not_by_the_whole_file_limits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data.csv"
    data.write_text(quickstart_rows(6), encoding="utf-8")
    monkeypatch.setattr(tables, "MAX_ENTITIES", 3)  # a file read whole is refused
    monkeypatch.setattr(tables, "MAX_VALUES", 40)
    code = main(["score", QUICKSTART, str(data), "--format", "markdown", "--lang", "en"],
                out=io.StringIO())
    assert code == 1 and "error[E007]" in capsys.readouterr().err
    code, out, err = streamed(capsys, "score", QUICKSTART, str(data))
    assert code == 0 and len(out.splitlines()) == 7
    monkeypatch.setattr(tables, "STREAMED", CsvBounds(10**9, 4, None))
    code, out, err = streamed(capsys, "rank", QUICKSTART, str(data), "--lang", "en")
    assert code == 1 and out == ""
    assert (f"{data}:6:1: error[E007]: the number of entities in one file exceeds the limit "
            "of 4") in err


TRICKY = [
    'entity,block,staff\r\nA,ministry,1\r\n"B\r\nb",ministry,"2"\r\n\r\nA,province,x\r\n',
    'entity;block;staff\n"A;a";ministry;1\n"B""b";ministry;"2"x\nC;ministry;' + "9" * 10_001
    + '\nD;ministry;3;4\n"E,ministry,1\n',
    '\ufeff\n  \nentity,block,staff\rA,ministry,1\rB,ministry,2\r\rA,ministry,3',
    'entity,block,staff\n' + "".join(f'"N{k}\n{k}",ministry,{k}\n' for k in range(50))
    + 'N7,province,1\n"N7\n7",ministry,1\n',
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("chunk", [1, 2, 7, 64])
def test_records_across_buffers_read_as_in_one_buffer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, chunk: int) -> None:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8", newline="")

    def read() -> tuple[list[tuple[str, object, dict[str, object]]], str]:
        reporter = Reporter()
        entities = load_csv(path, reporter)
        read = [(e.name, e.block.value, {k: v.value for k, v in e.values.items()})
                for e in entities]
        said = render_all(reporter.sorted(), "en")
        if "\r" in text and "\n" not in text.split("entity", 1)[-1]:
            # Lines ended by CR alone: a snippet shows the piece of the "line" (the file's
            # rest) that was read; where each diagnostic is, and what it says, must agree.
            said = "\n".join(line for line in said.splitlines()
                              if line.startswith((str(path), "  = ", "1 error")))
        return read, said

    one_buffer = read()
    monkeypatch.setattr(_CsvReader, "CHUNK", chunk)
    assert read() == one_buffer
    assert one_buffer[0] or "error" in one_buffer[1]


def test_the_reader_keeps_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(quickstart_rows(10_000), encoding="utf-8")

    def peak(read: object) -> int:
        tracemalloc.start()
        try:
            read()  # type: ignore[operator]
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def stream() -> None:
        count = sum(1 for _ in stream_csv(path, Reporter()))
        assert count == 10_000

    kept, streaming = peak(lambda: load_csv(path, Reporter())), peak(stream)
    # the buffer (a megabyte of text) and the names seen; load_csv keeps every row's cells
    assert streaming < 8 * 2**20, streaming
    assert kept > 4 * streaming, (kept, streaming)


def test_ranks_from_counts_follow_the_tie_rules() -> None:
    from fractions import Fraction as F

    counts = {F(3): 2, F(2): 1, F(1, 2): 3, F(0): 1}
    assert ranks_of(counts, "competition") == {F(3): 1, F(2): 3, F(1, 2): 4, F(0): 7}
    assert ranks_of(counts, "dense") == {F(3): 1, F(2): 2, F(1, 2): 3, F(0): 4}
    values = {"a": F(3), "b": None, "c": F(2), "d": F(3)}
    assert rank_values(values, "competition") == {"a": 1, "b": None, "c": 3, "d": 1}


def test_a_file_changed_between_the_two_passes_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bests of the first pass belong to the old file: scores against them would be wrong.
    data = tmp_path / "data.csv"
    data.write_text(quickstart_rows(20), encoding="utf-8")
    from egov_rules import stream

    passes = 0

    def edited_after_the_first(path: str | Path, *more: object) -> object:
        nonlocal passes
        passes += 1
        if passes == 2:
            data.write_text(quickstart_rows(21), encoding="utf-8")
        return stream_csv(path, *more)  # type: ignore[arg-type]

    monkeypatch.setattr(stream, "stream_csv", edited_after_the_first)
    code, out, err = streamed(capsys, "score", QUICKSTART, str(data), "--lang", "en")
    assert passes == 2  # the quickstart has a node relative to the best in its block
    assert code == 1 and out == ""
    assert f"{data}: error[E" in err and "the file changed while it was being read" in err
