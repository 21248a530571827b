"""Monotonicity: the static analysis (M601/M602/M603), exemptions, and counterexamples that
really show the fall when pasted back into the file as examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diagnostics import Diagnostic

HEADER = '''methodology broken
  title "T"
  year 2024
  source "S"

blocks
  province "Tỉnh"

indicators
  meetings  count  "Số cuộc họp"
  staff     count  "Số cán bộ"{staff_direction}
  with_pc   count  "Số có máy tính"
  portal    level 1..4  "Mức cổng"
  backup    yes/no "Sao lưu"
  incidents count  "Sự cố"  lower is better

let pc_share = with_pc / staff  if staff = 0: 0
'''

# Every criterion is well-formed on its own; each test picks the ones it needs.
STEERING_OUT_OF_ORDER = '''  criterion steering "Họp"  max 10
{exempt}
    bands meetings
      at least 4: 5
      at least 2: 10
      otherwise: 0
'''
COMPUTERS = '''  criterion computers "Máy tính"  max 10
{exempt}
    proportional pc_share
'''
PORTAL_FALLING = '''  criterion portal_points "Cổng"  max 10
{exempt}
    table portal
      1: 0
      2: 10
      3: 5
      4: 10
'''
BACKUP = '''  criterion backup_points "Sao lưu"  max 10
    yes/no backup
'''
BACKUP_WHEN_FEW_MEETINGS = '''  criterion backup_points "Sao lưu"  max 10  when meetings < 3
{exempt}
    yes/no backup
'''


def methodology(*criteria: str, staff: str = "  neutral") -> str:
    """A file with these criteria under one category; `{exempt}` lines are left for the test."""
    body = "".join(criteria)
    return (HEADER.format(staff_direction=staff) + f'\ncategory c "C"  max {10 * len(criteria)}\n'
            + body + "\nindex overall = share of max c  round 3\n")


def m6(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code.code.startswith("M6")]


def pasted_examples(diagnostic: Diagnostic) -> str:
    """The two `example` blocks a M601 diagnostic offers, exactly as printed in its help."""
    assert diagnostic.hint is not None
    lines = diagnostic.hint("en").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("example "))
    end = next(i for i in range(start, len(lines))
               if not (lines[i].startswith("example ") or lines[i].startswith("  ")))
    return "\n".join(lines[start:end]) + "\n"


def assert_pasted_examples_pass(text: str, diagnostic: Diagnostic, exempt_line: str) -> None:
    """With the fault acknowledged by an exemption, the pasted examples compile and pass; with
    one expected figure changed they fail: they really are checked against the rules."""
    examples = pasted_examples(diagnostic)
    acknowledged = text.replace("{exempt}", exempt_line) if "{exempt}" in text else text
    egov_rules.compile(acknowledged + "\n" + examples, "pasted.egr")
    expects = re.findall(r"expect \S+ = (\S+)", examples)
    assert len(expects) == 2 and expects[0] != expects[1]
    tampered = examples.replace(f"= {expects[1]}", f"= {expects[0]}", 1)
    with pytest.raises(egov_rules.EgovRulesError, match="E401"):
        egov_rules.compile(acknowledged + "\n" + tampered, "tampered.egr")


def test_quickstart_is_proven_monotone() -> None:
    text = (Path(__file__).resolve().parent.parent / "examples" / "quickstart.egr").read_text(
        encoding="utf-8")
    assert m6(egov_rules.check(text, "quickstart.egr")) == []


def test_bands_with_points_out_of_order_are_caught_with_a_real_counterexample() -> None:
    text = methodology(STEERING_OUT_OF_ORDER, BACKUP)
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "b.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "steering", "meetings")]
    assert found[0].args["path"] == "c → steering"
    examples = pasted_examples(found[0])
    # Built from the thresholds: 3 meetings hit `at least 2` → 10 points, 4 hit `at least 4`
    # → 5 points: one more meeting costs 5 points.
    assert "meetings 3" in examples.split("example")[1]
    assert "meetings 4" in examples.split("example")[2]
    assert "expect steering = 10" in examples and "expect steering = 5" in examples
    assert_pasted_examples_pass(text, found[0], '    not monotone in meetings "test"')


def test_denominator_declared_higher_is_better_is_caught() -> None:
    text = methodology(COMPUTERS, BACKUP, staff="")  # staff: higher is better (the default)
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "d.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "computers", "staff")]
    assert_pasted_examples_pass(text, found[0], '    not monotone in staff "test"')


def test_neutral_denominator_is_not_checked() -> None:
    text = methodology(COMPUTERS, BACKUP).replace("{exempt}", "")
    assert m6(egov_rules.check(text, "n.egr")) == []


def test_table_whose_points_fall_as_the_level_rises_is_caught() -> None:
    text = methodology(PORTAL_FALLING, BACKUP)
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "t.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "portal_points", "portal")]
    # Adjacent levels: 2 → 10 points, 3 → 5 points.
    examples = pasted_examples(found[0])
    assert "expect portal_points = 10" in examples and "expect portal_points = 5" in examples
    assert_pasted_examples_pass(text, found[0], '    not monotone in portal "test"')


def test_when_that_drops_a_criterion_as_an_indicator_improves_is_caught_at_its_parent() -> None:
    steering_fine = STEERING_OUT_OF_ORDER.replace("at least 4: 5", "at least 4: 10").replace(
        "at least 2: 10", "at least 2: 5")
    text = methodology(steering_fine, BACKUP_WHEN_FEW_MEETINGS)
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "w.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "c", "meetings")]
    assert found[0].hint is not None and "`backup_points`" in found[0].hint("en")
    # The exemption goes on the criterion that drops out; it covers the category above it.
    exempt_backup = text.replace(
        '  criterion backup_points "Sao lưu"  max 10  when meetings < 3\n{exempt}',
        '  criterion backup_points "Sao lưu"  max 10  when meetings < 3\n'
        '    not monotone in meetings "test"')
    egov_rules.compile(exempt_backup.replace("{exempt}", "") + "\n" + pasted_examples(found[0]),
                       "pasted.egr")


def test_criterion_that_starts_applying_can_lower_a_share_of_max_index() -> None:
    # `extra` joins when meetings ≥ 1 but earns nothing below 5 meetings: with backup, the
    # index goes from 10/10 = 1 to 10/20 = 0.5, although no node's points fall.
    extra = '''  criterion extra "Thêm"  max 10  when meetings >= 1
{exempt}
    bands meetings
      at least 5: 10
      otherwise: 0
'''
    text = methodology(BACKUP, extra)
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "i.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "overall", "meetings")]
    examples = pasted_examples(found[0])
    assert "expect overall = 1" in examples and "expect overall = 0.5" in examples
    assert_pasted_examples_pass(text, found[0], '    not monotone in meetings "test"')


def test_lower_is_better_indicator() -> None:
    incidents = '''  criterion incident_points "Sự cố"  max 10
{exempt}
    bands incidents
      at most 0: 10
      at most 2: 5
      otherwise: 0
'''
    fine = methodology(incidents, BACKUP).replace("{exempt}", "")
    assert m6(egov_rules.check(fine, "l.egr")) == []
    # Reversed: more incidents earn more, so fewer incidents (the improvement) cost points.
    reversed_text = methodology(incidents.replace("at most 0: 10", "at most 0: 0").replace(
        "otherwise: 0", "otherwise: 10"), BACKUP)
    found = m6(egov_rules.check(reversed_text.replace("{exempt}", ""), "l.egr"))
    assert [(d.code.code, d.args["node"]) for d in found] == [("M601", "incident_points")]
    assert found[0].args["direction"] == "lower is better"
    assert_pasted_examples_pass(reversed_text, found[0], '    not monotone in incidents "test"')


def test_subtracting_an_improving_indicator_is_caught() -> None:
    text = methodology('''  criterion net "Ròng"  max 10
{exempt}
    1 per net_value up to 10
''', BACKUP).replace("{exempt}", "") + "let net_value = meetings - with_pc\n"
    found = m6(egov_rules.check(text, "s.egr"))
    assert [(d.code.code, d.args["node"], d.args["indicator"]) for d in found] == [
        ("M601", "net", "with_pc")]


def test_unprovable_but_monotone_ratio_is_m602_until_exempted() -> None:
    # x / (x + y) rises with x, but the analysis sees x in the denominator: it cannot prove it,
    # and no counterexample exists, so it says so (M602) instead of claiming a fall. It really
    # falls with y (meetings, also higher-is-better here): that one gets a counterexample.
    ratio = '''  criterion ratio "Tỷ lệ"  max 10
{exempt}
    proportional own_share
'''
    text = methodology(ratio, BACKUP) + \
        "let own_share = with_pc / (with_pc + meetings)  if with_pc + meetings = 0: 0\n"
    found = m6(egov_rules.check(text.replace("{exempt}", ""), "r.egr"))
    assert sorted((d.code.code, d.args["node"], d.args["indicator"]) for d in found) == [
        ("M601", "ratio", "meetings"), ("M602", "ratio", "with_pc")]
    exempted = text.replace("{exempt}", '    not monotone in with_pc "rises with with_pc"\n'
                                        '    not monotone in meetings "a share of the total"')
    assert m6(egov_rules.check(exempted, "r.egr")) == []


def test_unneeded_exemption_is_a_warning_and_unknown_indicator_an_error() -> None:
    text = methodology(BACKUP.replace('max 10\n', 'max 10\n{exempt}\n'))
    diagnostics = egov_rules.check(text.replace("{exempt}", '    not monotone in backup "x"'),
                                   "u.egr")
    assert [(d.code.code, d.severity) for d in m6(diagnostics)] == [("M603", "warning")]
    diagnostics = egov_rules.check(text.replace("{exempt}", '    not monotone in bakup "x"'),
                                   "u.egr")
    assert [d.code.code for d in diagnostics if d.is_error] == ["E101"]
    diagnostics = egov_rules.check(text.replace("{exempt}", '    not monotone in staff "x"'),
                                   "u.egr")
    assert [d.code.code for d in m6(diagnostics)] == ["M603"]  # staff is neutral


def test_diagnostics_are_bilingual() -> None:
    text = methodology(PORTAL_FALLING, BACKUP).replace("{exempt}", "")
    found = m6(egov_rules.check(text, "t.egr"))[0]
    assert "can fall when `portal` improves" in found.message("en")
    assert "có thể giảm khi `portal` được cải thiện" in found.message("vi")
    assert found.hint is not None and "dán làm ví dụ" in found.hint("vi")


def test_check_command_reports_monotonicity_with_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egov_rules.cli import main

    path = tmp_path / "broken.egr"
    path.write_text(methodology(PORTAL_FALLING, BACKUP).replace("{exempt}", ""), encoding="utf-8")
    assert main(["check", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "error[M601]" in out and "expect portal_points = 5" in out
