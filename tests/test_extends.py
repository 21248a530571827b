"""Revisions (`methodology b extends a`, docs/revisions.md): a chain resolves into the complete
methodology it means — structurally equal to the same file written out in full — and every
mistake a revision can make is a located diagnostic."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import Diagnostic, EgovRulesError
from tests.conftest import ROOT

SHIPPED = ROOT / "methodologies"
DATA = ROOT / "tests" / "data"
REVISIONS = DATA / "revisions"  # syn-2021.egr, syn-2022.egr extends it, syn-2023.egr extends that

HEAD = 'methodology syn_2022 extends syn_2021\n  title "Thử"\n  year 2022\n'
# an example under syn_2021's rules, for snippets that must otherwise compile
EXAMPLE = ('example "Bộ A" block ministry\n  staff 10  trained 9  portal yes  services 3  '
           'legacy 4\n  expect total = 0.8\n')


def _diagnostics(text: str, library: Path | list[Path] = REVISIONS) -> list[Diagnostic]:
    return [d for d in egov_rules.check(text, "rev.egr", library=library) if d.is_error]


def _where(d: Diagnostic) -> tuple[str, str, int, int]:
    assert d.span is not None
    return d.code.code, Path(d.span.path).name, d.span.line, d.span.column


def _line(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if fragment in line)


# -- the chain means the full file ------------------------------------------------------------


def test_pci_2013_revision_equals_the_full_2013_file() -> None:
    revision = egov_rules.load(SHIPPED / "vn-pci-2013.egr")
    full = egov_rules.load(DATA / "vn-pci-2013-full.egr")
    # structure_hash: the whole resolved tree without spans (header, blocks, indicators, lets,
    # nodes, indices, grades, ranks and the file's own examples, which both files share)
    assert revision.structure_hash == full.structure_hash
    assert revision.model.tree == full.model.tree
    assert revision.model.extends == ("vn_pci_2012",)
    assert (revision.id, revision.year) == ("vn_pci_2013", 2013)
    assert len(revision.model.nodes) == 10  # nine of 2012 and the one added


def test_the_egdi_chain_of_four_editions_equals_the_full_2024_file() -> None:
    # 2024 extends 2022 extends 2018 extends 2016: the complete 2024 file it replaced is kept
    chain = egov_rules.load(SHIPPED / "un-egdi-2024.egr")
    full = egov_rules.load(DATA / "un-egdi-2024-full.egr")
    assert chain.structure_hash == full.structure_hash
    assert chain.model.extends == ("un_egdi_2022", "un_egdi_2018", "un_egdi_2016")
    assert chain.model.indices["egdi"].round == 5
    assert chain.model.ranks["egdi"].by == "exact"


def test_a_three_year_chain_equals_its_full_file() -> None:
    chain = egov_rules.load(REVISIONS / "syn-2023.egr", library=REVISIONS)
    full = egov_rules.load(DATA / "syn-2023-full.egr")
    assert chain.structure_hash == full.structure_hash
    assert chain.model.tree == full.model.tree
    assert chain.model.extends == ("syn_2022", "syn_2021")
    # the source is the one 2022 set; 2023 left it out
    assert chain.model.header_text("source") == "Quyết định thử 2/2022"


def test_each_year_of_the_chain_scores_by_its_own_rules() -> None:
    entity = {"staff": 10, "trained": 9, "portal": "yes", "services": 3, "legacy": 4,
              "cloud": "no"}
    scored = {}
    for year in (2021, 2022, 2023):
        methodology = egov_rules.load(REVISIONS / f"syn-{year}.egr", library=REVISIONS)
        wanted = {k: v for k, v in entity.items() if k in methodology.indicators}
        scored[year] = methodology.evaluate(wanted, "ministry").index("total").value
    # 2021: 40 of 50; 2022: 36 of 50 (band raised to 90 %: 9/10 still 10; old_points gone,
    # cloud 0 of the weighted mean: (0.5 × 6/10) × 20 = 6); 2023: 60 % × 1 + 40 % × 0 → 60
    assert scored == {2021: pytest.approx(0.8), 2022: pytest.approx(0.72), 2023: 60}


def test_the_bases_examples_are_not_run_again() -> None:
    # syn_2021's example expects total = 0.8, which syn_2022's rules no longer give (0.72)
    methodology = egov_rules.load(REVISIONS / "syn-2022.egr", library=REVISIONS)
    assert [e.label for e in methodology.model.tree.examples] == ["Bộ A"]
    assert methodology.model.tree.examples[0].expects[0].value.value == Fraction(72, 100)  # type: ignore[union-attr]


def test_the_content_hash_covers_the_base() -> None:
    before = egov_rules.load(REVISIONS / "syn-2023.egr", library=REVISIONS).model.content_hash
    assert egov_rules.load(DATA / "syn-2023-full.egr").model.content_hash != before


def test_the_content_hash_changes_with_the_bases_text(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    shutil.copytree(REVISIONS, library)
    before = egov_rules.load(library / "syn-2023.egr", library=library).model.content_hash
    base = library / "syn-2021.egr"
    base.write_text(base.read_text("utf-8") + "# a comment only\n", encoding="utf-8")
    after = egov_rules.load(library / "syn-2023.egr", library=library)
    assert after.model.content_hash != before
    assert after.structure_hash == egov_rules.load(REVISIONS / "syn-2023.egr",
                                                   library=REVISIONS).structure_hash


def test_added_block_and_replaced_let_and_rank() -> None:
    text = (HEAD + "add blocks\n  agency \"Cơ quan\"\n"
            "replace let trained_share \"Tỷ lệ\" = trained / staff  if staff = 0: 1\n"
            "replace rank total within block ties dense\n"
            "change staff\n  note \"cán bộ biên chế\"\n"
            "change trained_share\n  en \"Trained share\"\n  label \"Tỷ lệ được đào tạo\"\n"
            "change portal_points only ministry, province, agency\n"
            "change training when staff > 0\n"
            "change training\n  everywhere\n"
            "change online\n  label \"Dịch vụ công\"\n" + EXAMPLE)
    methodology = egov_rules.compile(text, "rev.egr", library=REVISIONS)
    model = methodology.model
    assert methodology.blocks == ["ministry", "province", "agency"]
    assert model.ranks["total"].ties == "dense"
    assert model.lets["trained_share"].zero_rules[0].fallback.value == 1  # type: ignore[union-attr]
    assert model.lets["trained_share"].label_en == "Trained share"
    assert model.lets["trained_share"].label == "Tỷ lệ được đào tạo"
    assert model.nodes["online"].label == "Dịch vụ công"
    assert [r.name for r in model.nodes["portal_points"].only or ()] == ["ministry", "province", "agency"]
    assert (model.nodes["training"].only, model.nodes["training"].when) == (None, None)
    assert model.indicators["staff"].get("note").value == "cán bộ biên chế"  # type: ignore[union-attr]


def test_add_to_a_parent_without_a_group_and_replaced_grades_and_indicator_attributes() -> None:
    text = (HEAD + "add indicators\n  backup yes/no \"Sao lưu\"\n"
            "change infrastructure max 35\n"
            "add to infrastructure\n  criterion backup_points \"Sao lưu\" max 5\n    yes/no backup\n"
            "replace grades total\n  at least 0.9: \"Xuất sắc\"\n  otherwise: \"Khác\"\n"
            "change services\n  unit \"dịch vụ\"\n  between 0 and 500\n"
            'example "Bộ A" block ministry\n  staff 10  trained 9  portal yes  services 3  '
            "legacy 4  backup yes\n"
            "  # infrastructure 10 + 20 + 5 = 35; online 10 (as in 2021): 45 of 55\n"
            "  expect total = 45/55\n  expect grade total = \"Khác\"\n")
    model = egov_rules.compile(text, "rev.egr", library=REVISIONS).model
    assert [c.id for c in model.nodes["infrastructure"].children] == [
        "training", "portal_points", "backup_points"]
    assert [b.award for b in model.grades["total"].bands] == ["Xuất sắc", "Khác"]
    services = model.indicators["services"]
    assert (services.get("unit").value, services.get("between").value) == (  # type: ignore[union-attr]
        "dịch vụ", (0, 500))


# -- diagnostics ------------------------------------------------------------------------------


def test_replacing_what_the_base_lacks_says_so_with_a_guess() -> None:
    found = _diagnostics(HEAD + "replace criterion trainng \"X\" max 10\n  yes/no portal\n" + EXAMPLE)
    assert [_where(d) for d in found] == [("E804", "rev.egr", 4, 19)]
    assert found[0].message() == "cannot replace `trainng`: `syn_2021` has no criterion or category `trainng`"
    assert found[0].hint is not None and "`training`" in found[0].hint.en


@pytest.mark.parametrize(("statement", "column"), [
    ("remove legacyy", 8), ("change trainig max 5", 8), ("remove grades totl", 15),
    ("change grades totl\n  row 1  at least 0.9: \"Tốt\"", 15)])
def test_removing_or_changing_what_the_base_lacks(statement: str, column: int) -> None:
    found = _diagnostics(HEAD + statement + "\n" + EXAMPLE)
    assert [_where(d) for d in found] == [("E804", "rev.egr", 4, column)]


def test_adding_what_the_base_has_points_at_both() -> None:
    found = _diagnostics(HEAD + "add indicators\n  portal yes/no \"Cổng\"\n" + EXAMPLE)
    assert [_where(d) for d in found] == [("E805", "rev.egr", 5, 3)]
    label = found[0].labels[0].span
    assert (Path(label.path).name, label.line) == ("syn-2021.egr",
                                                   _line(REVISIONS / "syn-2021.egr", "portal yes/no"))


def test_adding_grades_or_a_rank_an_index_has() -> None:
    found = _diagnostics(HEAD + "add rank total within block ties dense\n"
                         "add grades total\n  otherwise: \"X\"\n" + EXAMPLE)
    assert [_where(d) for d in found] == [("E805", "rev.egr", 4, 10), ("E805", "rev.egr", 5, 12)]


def test_a_use_a_removal_leaves_is_located_at_the_use_and_names_the_removal() -> None:
    found = _diagnostics(HEAD + "remove portal\n" + EXAMPLE.replace("portal yes  ", ""))
    base_line = _line(REVISIONS / "syn-2021.egr", "yes/no portal")
    assert [_where(d) for d in found] == [("E806", "syn-2021.egr", base_line, 12)]
    assert found[0].message() == "`portal` is removed by a revision (rev.egr:4) but still used here"
    assert (found[0].labels[0].span.path, found[0].labels[0].span.line) == ("rev.egr", 4)


def test_a_removed_node_takes_its_children_and_a_removed_index_its_grades_and_rank() -> None:
    text = HEAD + "remove infrastructure\nreplace index total = share of max online\n" + \
        "example \"x\" block ministry\n  staff 1  trained 1  portal no  services 5  legacy 10\n" + \
        "  expect total = 1\n"
    model = egov_rules.compile(text, "rev.egr", library=REVISIONS).model
    assert "training" not in model.nodes and "portal_points" not in model.nodes
    found = _diagnostics(HEAD + "remove total\n" + EXAMPLE.replace("expect total = 0.8",
                                                                   "expect online = 10"))
    assert found == []  # its grades and rank went with it


def test_declarations_in_a_revision_say_add_or_replace() -> None:
    found = _diagnostics(HEAD + "indicators\n  cloud yes/no \"Mây\"\n" + EXAMPLE)
    assert [_where(d) for d in found] == [("E807", "rev.egr", 5, 3)]
    assert found[0].hint is not None and "`add`" in found[0].hint.en


def test_revision_statements_need_a_base() -> None:
    text = (REVISIONS / "syn-2021.egr").read_text("utf-8") + "remove legacy\n"
    found = _diagnostics(text)
    assert [d.code.code for d in found] == ["E807"]


@pytest.mark.parametrize(("statement", "fragment"), [
    ("change training\n  round 2", "`round` is not something a criterion has"),
    ("change training\n  row 4  at least 10%: 1", "`training` has no band row 4 (it has 3)"),
    ("change total max 5", "`max` is not something a index has"),
    ("change grades total\n  row 9  at least 0.1: \"X\"", "have no row 9 (they have 3)"),
])
def test_a_change_the_target_cannot_take(statement: str, fragment: str) -> None:
    found = _diagnostics(HEAD + statement + "\n" + EXAMPLE)
    assert [d.code.code for d in found] == ["E807"]
    assert fragment in found[0].message()


def test_an_unknown_base_is_located_at_its_name_with_a_guess() -> None:
    found = _diagnostics("methodology x extends syn_2012\n", REVISIONS)
    assert [_where(d) for d in found] == [("E801", "rev.egr", 1, 23)]
    assert found[0].hint is not None and "`syn_2021`" in found[0].hint.en


def test_a_base_found_twice_names_both_files(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(REVISIONS / "syn-2021.egr", other / "copy.egr")
    found = _diagnostics(HEAD, [REVISIONS, other])
    assert [_where(d) for d in found] == [("E802", "rev.egr", 1, 30)]
    assert "copy.egr" in found[0].message() and "syn-2021.egr" in found[0].message()


def test_a_chain_that_loops_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.egr").write_text("methodology a extends b\n", encoding="utf-8")
    (tmp_path / "b.egr").write_text("methodology b extends a\n", encoding="utf-8")
    found = _diagnostics((tmp_path / "a.egr").read_text("utf-8"), tmp_path)
    assert [_where(d) for d in found] == [("E803", "b.egr", 1, 23)]
    assert found[0].message() == "the chain of `extends` comes back to `a`: `a` extends `b` extends `a`"
    assert [_where(d) for d in _diagnostics("methodology syn_2021 extends syn_2021\n")] == [
        ("E803", "rev.egr", 1, 30)]


def test_a_problem_in_the_base_is_located_in_the_base(tmp_path: Path) -> None:
    (tmp_path / "base.egr").write_text("methodology base\nblocks\n  b\n", encoding="utf-8")
    found = _diagnostics("methodology x extends base\n", tmp_path)
    assert [(d.code.code, Path(d.span.path).name, d.span.line) for d in found  # type: ignore[union-attr]
            ] == [("E001", "base.egr", 3)]


def test_load_raises_with_every_diagnostic() -> None:
    with pytest.raises(EgovRulesError) as raised:
        egov_rules.compile("methodology x extends nothing_here\n", library=REVISIONS)
    assert raised.value.diagnostics[0].code.code == "E801"


# -- the command line and the audit record ----------------------------------------------------

DATA_CSV = ("entity,block,staff,trained,portal,services,cloud\n"
            "Bộ A,ministry,10,9,yes,3,no\n"
            "Tỉnh B,province,10,5,no,10,yes\n")


def test_record_and_verify_record_of_a_revision(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.csv"
    data.write_text(DATA_CSV, encoding="utf-8")
    record = tmp_path / "record.json"
    rules = str(REVISIONS / "syn-2023.egr")
    assert main(["score", rules, str(data), "--library", str(REVISIONS), "--format", "json",
                 "--output", str(record)]) == 0
    written = json.loads(record.read_text("utf-8"))["methodology"]
    assert written["extends"] == ["syn_2022", "syn_2021"]
    assert written["content_hash"] == egov_rules.load(rules, library=REVISIONS).model.content_hash
    capsys.readouterr()
    code = main(["verify-record", str(record), "--methodology", rules, "--data", str(data),
                 "--library", str(REVISIONS), "--lang", "en"])
    assert (code, capsys.readouterr().out) == (
        0, "record verified: 2 entities recomputed, every value matches\n")
    # without the library the base cannot be found: a located error, not a false verdict
    assert main(["verify-record", str(record), "--methodology", rules, "--data", str(data),
                 "--lang", "en"]) == 1
    assert "error[E801]" in capsys.readouterr().err


def test_check_with_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(REVISIONS / "syn-2022.egr")
    assert main(["check", rules, "--library", str(REVISIONS), "--lang", "en"]) == 0
    assert main(["check", rules, "--library", str(SHIPPED), "--library", str(REVISIONS)]) == 0
    assert main(["check", rules, "--lang", "en"]) == 1  # the shipped library has no syn_2021
    assert "no methodology `syn_2021` in the library" in capsys.readouterr().out


def test_a_chain_longer_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_rules import revise

    monkeypatch.setattr(revise, "MAX_CHAIN", 1)
    found = _diagnostics((REVISIONS / "syn-2023.egr").read_text("utf-8"))
    # rev.egr (syn_2023) → syn_2022 is the first link; syn_2022 → syn_2021 the second
    assert [_where(d) for d in found] == [("E007", "syn-2022.egr", 1, 30)]
