"""`egov-rules diff` and `egov_rules.diff`: what changed between two methodologies, worded as
an amending decree, and with data, what moved each entity (docs/revisions.md).

The PCI pair is the shipped 2012 and 2013 schemes (weights from the shared README: 10/5/20/
15/10/10/5/20/5 % in 2012, 5/5/20/5/10/5/20/20/5/5 % from 2013); the impact runs on the
invented examples/vn-pci-data.csv, whose figures are checked by hand below."""

from __future__ import annotations

import contextlib
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.diff import change_words, diff, impact
from egov_rules.inputs import load_data
from tests.conftest import ROOT, cli

OLD = egov_rules.load(ROOT / "methodologies" / "vn-pci-2012.egr")
NEW = egov_rules.load(ROOT / "methodologies" / "vn-pci-2013.egr")
DATA = ROOT / "examples" / "vn-pci-data.csv"


def test_the_pci_revision_reads_as_an_amendment() -> None:
    changes = diff(OLD.model, NEW.model)
    assert [(c.action, c.part, c.id) for c in changes][:3] == [
        ("amend", "header", "vn_pci_2013"), ("add", "indicator", "PCI10"),
        ("add", "category", "equal_competition")]
    index = changes[-1]
    assert (index.action, index.part, index.id) == ("amend", "index", "pci")
    assert change_words(index, "en") == (
        "Amend index `pci` “Provincial Competitiveness Index”: weight of `entry_costs`: 10% → 5%; "
        "weight of `time_costs`: 15% → 5%; weight of `proactivity`: 10% → 5%; weight of "
        "`business_support`: 5% → 20%; adds term `equal_competition` 5%")
    assert change_words(index, "vi").startswith(
        "Sửa đổi chỉ số `pci` “Chỉ số PCI”: trọng số của `entry_costs`: 10% → 5%;")


def test_no_change() -> None:
    assert diff(OLD.model, OLD.model) == []


def test_impact_adds_up_and_splits_the_weights() -> None:
    entities = load_data(DATA)
    result = impact(OLD, NEW, entities, diff(OLD.model, NEW.model))
    rows = {m.entity: m for m in result.movements}
    b = rows["Tỉnh B (minh hoạ)"]
    # 2012: 10·7.0 + 5·5.5 + 20·6.0 + 15·5.0 + 10·5.5 + 10·4.0 + 5·7.8 + 20·7.2 + 5·4.5, ÷ 10
    # = 59.3; 2013: 5·7 + 5·5.5 + 20·6 + 5·5 + 10·5.5 + 5·4 + 20·7.8 + 20·7.2 + 5·4.5 + 5·5.5,
    # ÷ 10 = 63.25. Ranks of the five: B 4th → 1st.
    assert (b.old_value, b.new_value, b.old_rank, b.new_rank) == \
        (Fraction("59.3"), Fraction("63.25"), 4, 1)
    terms = {term: share for _, term, share in b.terms}
    assert terms["business_support"] == Fraction("11.7")  # (20 % − 5 %) · 0.78 · 100
    assert terms["time_costs"] == -5                      # (5 % − 15 %) · 0.5 · 100
    assert terms["equal_competition"] == Fraction("2.75")  # 5 % · 0.55 · 100
    for m in result.movements:  # every entity: the steps add up to its whole change
        assert sum((v for v, _ in m.shares), Fraction(0)) == m.new_value - m.old_value
        assert sum(r for _, r in m.shares) == m.new_rank - m.old_rank  # type: ignore[operator]
        assert sum((v for _, _, v in m.terms), Fraction(0)) == m.shares[-1][0]


BASE = """methodology base
  title "Gốc"
  year 2024
  source "S"
blocks
  province "Tỉnh"
indicators
  a count "A"
  b count "B"
category c "C" max 20
  x "X" max 10
    bands a
      at least 2: 10
      otherwise: 0
  y "Y" max 10
    yes/no b >= 1
category d "D" max 10
  z "Z" max 10
    5 per b up to 10
index total = share of max c, d  round 2
rank total within block ties share a rank
"""


def _revised() -> str:
    text = BASE.replace('title "Gốc"', 'title "Sửa đổi"').replace("year 2024", "year 2025")
    text = text.replace("  b count \"B\"\n", "")                 # remove indicator b …
    text = text.replace('''  y "Y" max 10
    yes/no b >= 1
''', "")                                                       # … and the criterion reading it
    text = text.replace("category c \"C\" max 20", "category c \"C\" max 20\n  w \"W\" max 10\n"
                        "    5 per a up to 10")                # add w: max 20 still holds
    text = text.replace('''category d "D" max 10
  z "Z" max 10
    5 per b up to 10''', '''category d "D" max 10
  z "Z" max 10
    5 per a up to 10''')                                       # z now reads a
    return text.replace("      at least 2: 10", "      at least 3: 10")  # a threshold


def test_a_step_that_cannot_stand_alone_goes_with_the_next() -> None:
    old, new = egov_rules.compile(BASE), egov_rules.compile(_revised())
    changes = diff(old.model, new.model)
    words = [change_words(c, "en") for c in changes]
    assert any(w.startswith("Remove indicator `b`") for w in words), words
    assert any(w.startswith("Remove criterion `y`") for w in words), words
    assert any("at least 3" in w and w.startswith("Amend criterion `x`") for w in words), words
    entities = [egov_rules.inputs.from_mapping(name, data) for name, data in {
        "P": {"block": "province", "a": 2, "b": 1}, "Q": {"block": "province", "a": 3, "b": 0},
    }.items()]
    result = impact(old, new, entities, changes)
    # removing b alone leaves y and z reading nothing declared: that step goes with later ones
    first_with_b = next(s for s in result.steps if ("indicator", "b") in s.keys)
    assert len(first_with_b.keys) > 1
    rows = {m.entity: m for m in result.movements}
    # P: old x 10 (2 ≥ 2), y 10, z 5 → 25 of 30 = 0.83; new x 0 (2 < 3), w 10, z 10 → 20/30.
    assert (rows["P"].old_shown, rows["P"].new_shown) == (Fraction("0.83"), Fraction("0.67"))
    for m in result.movements:
        assert sum((v for v, _ in m.shares), Fraction(0)) == m.new_value - m.old_value



def test_cli_formats_and_exit_codes(tmp_path: pytest.TempPathFactory) -> None:
    old, new = str(ROOT / "methodologies" / "vn-pci-2012.egr"), \
        str(ROOT / "methodologies" / "vn-pci-2013.egr")
    code, text = cli("diff", old, new, "--format", "markdown")
    assert code == 0 and text.startswith("# Changes from `vn_pci_2012` to `vn_pci_2013`\n\n1. ")
    code, text = cli("diff", old, new, "--format", "json", "--data", str(DATA))
    payload = json.loads(text)
    assert payload["old"] == "vn_pci_2012" and len(payload["changes"]) == 13
    b = next(m for m in payload["impact"] if m["entity"] == "Tỉnh B (minh hoạ)")
    assert (b["old"]["rank"], b["new"]["rank"], b["steps"][-1]["terms"]["business_support"]) == \
        (4, 1, "11.7")
    code, text = cli("diff", old, new, "--data", str(DATA))
    assert code == 0
    assert ("| Tỉnh B (minh hoạ) | province | 59.3  | 63.25 | +3.95  | 4        | 1        | "
            "#13 business_support +11.7; #13 time_costs -5; #13 entry_costs -3.5") in text
    assert cli("diff", old, str(ROOT / "nothing.egr"))[0] == 2


def test_the_2017_ict_revision_and_its_impact() -> None:
    old = egov_rules.load(ROOT / "methodologies" / "vn-ict-2016.egr")
    new = egov_rules.load(ROOT / "methodologies" / "vn-ict-2017.egr")
    changes = diff(old.model, new.model)
    words = [change_words(c, "vi") for c in changes]
    assert words[-2].startswith("Bổ sung chỉ số `overall`") and "tỷ lệ trên điểm tối đa của " \
        "infrastructure, internal, portal, services, policy, people" in words[-2]
    assert words[-1] == ("Bổ sung xếp hạng theo `overall`: xếp hạng trong khối, đồng hạng chiếm "
                         "chung một hạng")
    assert "[Phụ lục 1B, I.1 (nhiều khả năng QĐ 2342/2017)] → [Phụ lục 1B, I.1 (QĐ 2342/QĐ-BTTTT)]" \
        in words[1]
    result = impact(old, new, load_data(ROOT / "examples" / "vn-ict-2016-data.yaml"), changes)
    # No table changed: every category index is the same for every entity; the new overall
    # index has values only under 2017.
    for m in result.movements:
        if m.index == "overall":
            assert m.old_value is None and m.new_value is not None
        else:
            assert (m.old_value, m.old_rank) == (m.new_value, m.new_rank), m


def test_a_moved_criterion_is_a_move_and_its_impact_adds_up() -> None:
    # y moves from c to d; c's maximum falls to 10, d's rises to 20
    moved = BASE.replace('''category c "C" max 20
  x "X" max 10''', '''category c "C" max 10
  x "X" max 10''').replace('''  y "Y" max 10
    yes/no b >= 1
''', "").replace('''category d "D" max 10
  z "Z" max 10
    5 per b up to 10''', '''category d "D" max 20
  z "Z" max 10
    5 per b up to 10
  y "Y" max 10
    yes/no b >= 1''')
    old, new = egov_rules.compile(BASE), egov_rules.compile(moved)
    changes = diff(old.model, new.model)
    assert [(c.action, c.id, c.old_parent, c.new_parent) for c in changes
            if c.action == "move"] == [("move", "y", "c", "d")]
    entities = [egov_rules.inputs.from_mapping("P", {"block": "province", "a": 1, "b": 1})]
    result = impact(old, new, entities, changes)
    # P: x 0, y 10, z 5 of 30 either way: the index does not move, every step adds to 0
    (m,) = result.movements
    assert m.old_value == m.new_value == Fraction(1, 2)
    assert sum((v for v, _ in m.shares), Fraction(0)) == 0


def test_an_unknown_column_is_refused_not_dropped(tmp_path: Path) -> None:
    # PCI10 is the 2013 scheme's only (read by it alone); `PCI11` is nobody's: E101
    text = DATA.read_text(encoding="utf-8").replace(",PCI10\n", ",PCI10,PCI11\n", 1)
    lines = text.splitlines()
    data = tmp_path / "d.csv"
    data.write_text("\n".join([lines[0], *(line + ",1" for line in lines[1:])]) + "\n",
                    encoding="utf-8")
    old, new = (str(ROOT / "methodologies" / f) for f in ("vn-pci-2012.egr", "vn-pci-2013.egr"))
    code, _ = cli("diff", old, new, "--data", str(data))
    assert code == 1
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        cli("diff", old, new, "--data", str(data))
    assert "error[E101]: unknown indicator `PCI11`" in errors.getvalue()
