"""The methodology library: ids read from the head of each `.egr` file of the directories the
caller names (never a path a rule file names), within stated bounds; `methodologies()` and
`egov-rules list` show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import egov_rules
from egov_rules import library
from egov_rules.cli import main
from tests.conftest import ROOT

REVISIONS = ROOT / "tests" / "data" / "revisions"


def test_the_shipped_library_is_the_default() -> None:
    entries = {e.id: e for e in egov_rules.methodologies()}
    assert {"vn_pci_2012", "vn_pci_2013", "vn_ict_2016"} <= set(entries)
    pci = entries["vn_pci_2013"]
    assert (pci.year, pci.extends, Path(pci.path).name) == (2013, "vn_pci_2012", "vn-pci-2013.egr")
    assert pci.title_en == "Provincial Competitiveness Index (PCI), 2013–2021 scheme"
    assert pci.source is not None and pci.source.startswith("VCCI")


def test_a_named_library_lists_its_files_in_order_and_fills_what_a_revision_leaves_out() -> None:
    entries = egov_rules.methodologies(REVISIONS)
    assert [(e.id, e.year, e.extends) for e in entries] == [
        ("syn_2021", 2021, None), ("syn_2022", 2022, "syn_2021"), ("syn_2023", 2023, "syn_2022")]
    # syn-2023.egr writes no source: it is the one syn_2022 set
    assert entries[2].source == "Quyết định thử 2/2022"
    assert entries[2].title == "Bộ chỉ số thử 2023"
    with pytest.raises(AttributeError):
        entries[0].id = "x"  # type: ignore[misc]  # frozen


def test_only_rule_files_with_a_methodology_header_count(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("methodology not_a_rule_file\n", encoding="utf-8")
    (tmp_path / "empty.egr").write_text("# nothing but a comment\n", encoding="utf-8")
    (tmp_path / "late.egr").write_text("blocks\nmethodology too_late\n", encoding="utf-8")
    (tmp_path / "bytes.egr").write_bytes(b"\xff\xfe\x00")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.egr").write_text("methodology deep\n", encoding="utf-8")  # not recursive
    (tmp_path / "ok.egr").write_text("# c\n\nmethodology ok  # note\n  year 2020\n",
                                     encoding="utf-8")
    assert [(e.id, e.year) for e in egov_rules.methodologies(tmp_path)] == [("ok", 2020)]


def test_the_look_up_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.egr").write_text(f"methodology {name}\n", encoding="utf-8")
    monkeypatch.setattr(library, "MAX_LIBRARY_FILES", 2)
    assert [e.id for e in egov_rules.methodologies(tmp_path)] == ["a", "b"]
    # a header further down than MAX_HEADER_CHARS is not read
    (tmp_path / "a.egr").write_text("#" * 100 + "\nmethodology a\n", encoding="utf-8")
    monkeypatch.setattr(library, "MAX_HEADER_CHARS", 50)
    assert [e.id for e in egov_rules.methodologies(tmp_path)] == ["b"]


def test_several_directories_are_one_library(tmp_path: Path) -> None:
    (tmp_path / "x.egr").write_text("methodology x extends syn_2021\n", encoding="utf-8")
    entries = egov_rules.methodologies([REVISIONS, tmp_path])
    assert [e.id for e in entries] == ["syn_2021", "syn_2022", "syn_2023", "x"]
    assert entries[3].year == 2021  # from its base


def test_list_prints_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--library", str(REVISIONS), "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "year", "extends", "title", "file"]
    assert lines[3].split()[:3] == ["syn_2023", "2023", "syn_2022"]
    assert lines[3].endswith("tests/data/revisions/syn-2023.egr")
    assert len(lines) == 4


def test_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--library", str(REVISIONS), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[1] == {"id": "syn_2022", "year": 2022, "title": "Bộ chỉ số thử 2022",
                       "title_en": "Test index 2022", "source": "Quyết định thử 2/2022",
                       "path": str(REVISIONS / "syn-2022.egr"), "extends": "syn_2021"}


def test_list_of_a_missing_directory_is_a_usage_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--library", str(tmp_path / "nowhere"), "--lang", "en"]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["list", "--library", str(tmp_path), "--lang", "en"]) == 0
    assert capsys.readouterr().out == "no methodology in the library\n"
