"""The command line: exit codes, located messages with a caret, no tracebacks, JSON that
round-trips through the result models."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart.egr")
DATA = str(ROOT / "examples" / "quickstart-data.yaml")

# One valid ministry for quickstart.egr; tests break one line of it at a time.
ENTITY = """\
entities:
  Bộ A:
    block: ministry
    staff: 1000
    staff_with_pc: 950
    bandwidth_mbps: 500
    units: 20
    units_on_wan: 18
    has_backup: yes
    has_firewall: yes
    has_monitoring: no
    incidents: 1
    online_share: 30
    portal_level: 3
    hosting: own
    meetings: 0
    it_staff: 6
    trained_share: 50
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, text: str, name: str = "data.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


# -- check -------------------------------------------------------------------------------------


def test_check_a_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", QUICKSTART, "--lang", "en")
    assert code == 0
    assert "0 errors" in out and "Traceback" not in out + err


def test_check_a_broken_file_exits_1_with_location_and_caret(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(QUICKSTART).read_text(encoding="utf-8").replace(
        "proportional pc_share", "proportional pc_shar")
    path = write(tmp_path, text, "broken.egr")
    code, out, err = run(capsys, "check", path, "--lang", "en")
    assert code == 1
    line = line_of(text, "proportional pc_shar")
    column = text.splitlines()[line - 1].index("pc_shar") + 1
    assert f"{path}:{line}:{column}: error[E101]" in out
    assert "^^^^^^^" in out  # the caret under `pc_shar`
    assert "`pc_share`" in out  # did you mean
    assert "Traceback" not in out + err


def test_check_json_lists_the_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(QUICKSTART).read_text(encoding="utf-8").replace("max 30  [Mẫu, I.1]", "max 30 max 20")
    path = write(tmp_path, text, "broken.egr")
    code, out, _ = run(capsys, "check", path, "--format", "json")
    assert code == 1
    assert any(d["code"] == "E104" for d in json.loads(out))  # `max` given twice


def test_check_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.egr"))
    assert code == 2 and "nope.egr" in err


# -- score with good data ----------------------------------------------------------------------


def test_score_quickstart_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA, "--lang", "en")
    assert code == 0
    # Bộ A: infrastructure 28.5 + 15 + 9 + 10 + 10 = 72.5 of 100 (bandwidth 0.5 ÷ best 1 × 30)
    assert "72.5/100" in out
    # Bộ B: no units, so WAN drops out: 30 + 30 + 30 (security: 15 + 15) = 90 of 100 − 10
    assert "90/90" in out
    assert "Tỉnh E (minh hoạ)" in out


def test_score_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA, "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["schema_version"] == egov_rules.SCHEMA_VERSION
    ranking = egov_rules.Ranking.model_validate_json(out)
    assert ranking.evaluation("Bộ A (minh hoạ)").points("computers") == Fraction(57, 2)  # 0.95 × 30
    assert ranking.model_dump_json(indent=2) + "\n" == out


def test_score_one_entity_json_is_an_evaluation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA, "--json", "--entity", "Bộ B (minh hoạ)")
    assert code == 0
    evaluation = egov_rules.Evaluation.model_validate_json(out)
    # Bộ B has no units: the WAN criterion drops out, infrastructure max is 100 − 10 = 90
    assert evaluation.node("infrastructure").max == 90
    assert evaluation.node("wan").applicable is False


def test_score_explain_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", QUICKSTART, DATA, "--entity", "Bộ A (minh hoạ)",
                       "--explain", "--lang", "en")
    assert code == 0
    assert "Share of civil servants with a computer — 28.5/30 points  [Mẫu, I.1]" in out


def test_score_unknown_entity_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", QUICKSTART, DATA, "--entity", "Bộ Z")
    assert code == 2
    assert "Bộ Z" in err and "Bộ A (minh hoạ)" in err


def test_score_missing_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "score", QUICKSTART, str(tmp_path / "none.yaml"))[0] == 2
    assert run(capsys, "score", str(tmp_path / "none.egr"), DATA)[0] == 2


# -- score with bad data -----------------------------------------------------------------------


BAD_DATA = [
    # (line to break, replacement, what the message must say)
    ("    staff: 1000", "    staff: -5", "a count cannot be negative (got -5)"),
    ("    online_share: 30", "    online_share: 140", "a percentage must be between 0 and 100 (got 140)"),
    ("    staff_with_pc: 950", "    staf_with_pc: 950", "unknown indicator `staf_with_pc`"),
    ("    block: ministry", "    block: ministy", "unknown block `ministy`"),
    ("    portal_level: 3", "    portal_level: 7", "a level must be a whole number from 1 to 4 (got 7)"),
    ("    hosting: own", "    hosting: [own, cloud]", "expected one value, got a list"),
    ("    has_backup: yes", "    has_backup: maybe", "`maybe` is not a yes/no answer"),
    ("    units: 20", "    units: 2,000", "`2,000` reads two ways: 2000 with `,` separating "
     "thousands, or 2 with `,` as the decimal mark"),
    ("    units: 20", "    units: 20,5", "`20,5` uses a comma as the decimal mark"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_DATA)
def test_score_bad_value_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    old: str, new: str, message: str) -> None:
    text = ENTITY.replace(old, new)
    assert text != ENTITY
    path = write(tmp_path, text)
    code, out, err = run(capsys, "score", QUICKSTART, path, "--lang", "en")
    assert code == 1 and out == ""
    line = line_of(text, new.strip())
    assert f"{path}:{line}:" in err
    assert message in err
    assert "^" in err and "Traceback" not in err


def test_score_unknown_indicator_suggests_the_right_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ENTITY.replace("    it_staff: 6", "    it_staf: 6"))
    code, _, err = run(capsys, "score", QUICKSTART, path, "--lang", "en")
    assert code == 1
    assert "unknown indicator `it_staf`" in err and "did you mean `it_staff`" in err
    assert "no value for indicator `it_staff`" in err  # and the real one is reported missing


def test_score_missing_indicator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ENTITY.replace("    units: 20\n", "")
    path = write(tmp_path, text)
    code, _, err = run(capsys, "score", QUICKSTART, path, "--lang", "vi")
    assert code == 1
    assert f"{path}:{line_of(text, 'Bộ A:')}:3" in err
    assert "Bộ A: thiếu giá trị của chỉ số `units`" in err


def test_an_indicator_the_block_does_not_read_may_be_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`meetings` scores provinces only (`steering` is `only province`): a ministry need not
    give it under `missing error`; given, it is still checked."""
    path = write(tmp_path, ENTITY.replace("    meetings: 0\n", ""))
    code, out, err = run(capsys, "score", QUICKSTART, path, "--format", "csv")
    assert code == 0 and "E206" not in err and "Bộ A" in out
    path = write(tmp_path, ENTITY.replace("    meetings: 0\n", "    meetings: -1\n"))
    code, _, err = run(capsys, "score", QUICKSTART, path, "--lang", "en")
    assert code == 1 and "meetings" in err and "E205" in err


def test_score_duplicate_entity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ENTITY + ENTITY.split("\n", 1)[1]  # the same entity again under `entities:`
    path = write(tmp_path, text)
    code, _, err = run(capsys, "score", QUICKSTART, path, "--lang", "en")
    assert code == 1
    assert f"{path}:19:3: error[E102]" in err  # ENTITY is 18 lines: the second `Bộ A:` is line 19
    assert "`Bộ A` is declared twice" in err


def test_score_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ENTITY.replace("    staff: 1000", "    staff: [1000"))
    code, out, err = run(capsys, "score", QUICKSTART, path, "--lang", "en")
    assert code == 1 and out == ""
    assert f"{path}:" in err and "not valid YAML" in err and "Traceback" not in err


def test_score_non_utf8_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(ENTITY.replace("Bộ A", "Bo A").replace("ministry", "ministry # caf\xe9")
                     .encode("latin-1"))
    code, out, err = run(capsys, "score", QUICKSTART, str(path), "--lang", "en")
    assert code == 1 and out == ""
    assert str(path) in err and "not valid UTF-8" in err and "Traceback" not in err


def test_score_every_problem_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ENTITY.replace("staff: 1000", "staff: -5").replace("online_share: 30", "online_share: 140")
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, text), "--lang", "en")
    assert code == 1
    assert "2 errors" in err and "negative" in err and "between 0 and 100" in err


def test_score_empty_data_file_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, "# nothing\n"), "--lang", "en")
    assert code == 1 and "Traceback" not in err
    assert f"{tmp_path}/data.yaml:1:1: error[E207]" in err  # nothing to score is a data error


def test_score_data_file_with_no_entities_is_a_data_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `entities: {}` is well-formed YAML with nothing to score: bad data (1), not bad usage (2).
    code, _, err = run(capsys, "score", QUICKSTART, write(tmp_path, "entities: {}\n"), "--lang", "en")
    assert code == 1
    assert "error[E207]: the file holds no entity to score" in err
    assert "Traceback" not in err
