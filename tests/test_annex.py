"""`egov-rules doc`: annexes regenerated from the rules.

The committed docs must match what the rules generate, and the quickstart's annexes must show
the figures a reader can check by hand against `examples/quickstart.egr`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import egov_rules
from egov_rules.annex import render_annex
from egov_rules.cli import main
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "methodologies"
SOURCES = [*sorted((ROOT / "methodologies").glob("*.egr")), ROOT / "examples" / "quickstart.egr"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_annex_is_up_to_date(source: Path) -> None:
    committed = DOCS / f"{source.stem}.md"
    fresh = render_annex(egov_rules.load(source), "markdown", "vi")
    command = f"make docs  (or: egov-rules doc {source.relative_to(ROOT)} --output " \
              f"{committed.relative_to(ROOT)})"
    assert committed.is_file(), f"{committed.relative_to(ROOT)} is missing; run {command}"
    assert committed.read_text(encoding="utf-8") == fresh, \
        f"{committed.relative_to(ROOT)} is stale; run {command}"


# -- the quickstart, by hand ---------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """The annex of each block, keyed by block id (from `## Phụ lục n: … (`id`)`)."""
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {re.search(r"\(`(\w+)`\)\n", "## " + p).group(1): p for p in parts}  # type: ignore[union-attr]


def _table_after(section: str, heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after a `### heading` line."""
    block = section.split(f"### {heading}\n", 1)[1].strip().split("\n\n")[0]
    rows = [line.strip("|").split(" | ") for line in block.splitlines()]
    return [[c.strip() for c in row] for row in rows[2:]]  # skip head and `|---|` line


def _points(section: str) -> dict[str, tuple[str, str]]:
    """Points-table rows by node id: (annex number, maximum)."""
    found = {}
    for number, item, maximum, *_ in _table_after(section, "Bảng điểm"):
        match = re.search(r"\(`(\w+)`\)$", item)
        if match:
            found[match.group(1)] = (number, maximum)
    return found


@pytest.fixture(scope="module")
def vi_text(quickstart: egov_rules.Methodology) -> str:
    return render_annex(quickstart, "markdown", "vi")


def test_every_node_appears_with_its_number_and_block_maximum(vi_text: str) -> None:
    sections = _sections(vi_text)
    assert list(sections) == ["ministry", "province"]
    # Maxima as written in quickstart.egr; criteria restart at 1 under each category.
    ministry = {
        "infrastructure": ("I", "100"), "computers": ("1", "30"), "bandwidth": ("2", "30"),
        "wan": ("3", "10"), "security": ("4", "30"), "safeguard_points": ("4.1", "15"),
        "incident_points": ("4.2", "15"), "services": ("II", "80"), "online": ("1", "40"),
        "portal": ("2", "20"), "hosting_points": ("3", "20"), "by_hosting": ("3.1", "20"),
        "by_backup": ("3.2", "10"), "people": ("III", "20"), "specialists": ("1", "20"),
        "training": ("2", "20"),
    }
    assert _points(sections["ministry"]) == ministry
    # Provinces: services is `max province 100`, and `steering` (only province) is II.4.
    province = ministry | {"services": ("II", "100"), "steering": ("4", "20")}
    assert _points(sections["province"]) == province


def test_only_node_is_absent_from_other_blocks(vi_text: str) -> None:
    sections = _sections(vi_text)
    assert "`steering`" not in sections["ministry"]
    assert "`meetings`" in sections["ministry"].split("### Giá trị dẫn xuất")[0]  # listed as unused
    assert "Không dùng cho khối này: `meetings`." in sections["ministry"]
    assert "Chỉ áp dụng cho khối: “Tỉnh, thành phố trực thuộc Trung ương”" in sections["province"]


def test_totals_are_checked_per_block(vi_text: str) -> None:
    sections = _sections(vi_text)
    # Total of category maxima: ministry 100 + 80 + 20 = 200; province 100 + 100 + 20 = 220.
    assert ["", "Tổng cộng", "200", "", ""] in _table_after(sections["ministry"], "Bảng điểm")
    assert ["", "Tổng cộng", "220", "", ""] in _table_after(sections["province"], "Bảng điểm")
    ministry, province = ({row[0] + row[1]: row[3:] for row in _table_after(text, "Kiểm tra tổng điểm")}
                          for text in (sections["ministry"], sections["province"]))
    services = "IIDịch vụ công trực tuyến (`services`)"
    assert ministry[services] == ["40 + 20 + 20 = 80", "80", "✓"]
    assert province[services] == ["40 + 20 + 20 + 20 = 100", "100", "✓"]
    assert ministry["3Hình thức vận hành (`hosting_points`)"] == ["cao nhất 20", "20", "✓"]  # max(20, 10)
    assert ministry["IIINhân lực cho ứng dụng CNTT (`people`)"] == ["trọng số 100%", "20", "✓"]  # 60% + 40%


def test_bands_and_tables_are_rows_with_points(vi_text: str) -> None:
    ministry, province = _sections(vi_text).values()
    incident_rows = ["| tối đa 0 | 15 |", "| tối đa 2 | 10 |", "| tối đa 5 | 5 |",
                     "| các trường hợp còn lại | 0 |"]
    assert "\n".join(incident_rows) in ministry
    steering_rows = ["| từ 4 | 20 |", "| từ 3 | 15 |", "| từ 2 | 10 |", "| từ 1 | 5 |"]
    assert "\n".join(steering_rows) in province and "| từ 4 | 20 |" not in ministry
    assert "| mức 3 | 12 |" in ministry
    assert "| Thuê dịch vụ đám mây (`cloud`) | 20 |" in ministry
    assert "“Tỷ lệ hồ sơ được xử lý trực tuyến” từ 10% (0 điểm) đến 50% (40 điểm)" in ministry
    assert "5 điểm cho mỗi đơn vị của “Số biện pháp bảo đảm an toàn”, tối đa 15 điểm" in ministry


def test_citations_conditions_and_weights_appear(vi_text: str) -> None:
    ministry, province = _sections(vi_text).values()
    for citation in ("[Mẫu, mục I]", "[Mẫu, I.1]", "[Mẫu, I.4]", "[Mẫu, II.3]", "[Mẫu, mục III]"):
        assert citation in ministry and citation in province
    assert "[Mẫu, II.4]" in province and "[Mẫu, II.4]" not in ministry
    assert "Áp dụng khi: “Số đơn vị trực thuộc” \\> 0" in ministry
    assert "Trọng số: 60%" in ministry and "Trọng số: 40%" in ministry
    assert "⚠" not in vi_text  # no node of the quickstart is a reconstruction


def test_example_inputs_and_expected_results(vi_text: str) -> None:
    ministry, province = _sections(vi_text).values()
    assert "| `online_share` | 30% |" in ministry  # written `30%` in the example
    assert "| `computers` | 28,5 |" in ministry  # `expect computers = 28.5`, Vietnamese comma
    assert "| xếp loại `infrastructure_index` | “Khá” |" in ministry
    assert "“Bộ A (minh hoạ)”" not in province  # the example belongs to the ministry block


def test_vietnamese_and_english_headings_differ(quickstart: egov_rules.Methodology,
                                                vi_text: str) -> None:
    en_text = render_annex(quickstart, "markdown", "en")
    vi_heads = [line for line in vi_text.splitlines() if line.startswith("#")]
    en_heads = [line for line in en_text.splitlines() if line.startswith("#")]
    assert len(vi_heads) == len(en_heads)
    assert "### Bảng điểm" in vi_heads and "### Points table" in en_heads
    assert "## Annex 2: Provinces (`province`)" in en_heads
    structure = re.compile(r"#{1,3} ")  # titles, annexes and sections; not example names
    assert {h for h in vi_heads if structure.match(h)}.isdisjoint(en_heads)
    assert "| `computers` | 28.5 |" in en_text


TINY = """\
methodology tiny
  title "Thử nghiệm"
  year 2020
  source "Văn bản thử"

blocks
  province "Tỉnh"

indicators
  has_plan yes/no "Có kế hoạch"

category plan "Kế hoạch | chiến lược *số*"  max 10
  criterion adopted "Đã ban hành"  max 10  [PL 1, mục 1.1]
    reconstructed "điểm suy ra từ tổng nhóm"
    yes/no has_plan
"""


def test_reconstructed_node_is_marked_and_text_is_escaped() -> None:
    methodology = egov_rules.compile(TINY, "tiny.egr")
    text = render_annex(methodology, "markdown", "vi")
    assert "> **⚠ tái dựng / reconstruction: điểm suy ra từ tổng nhóm**" in text
    assert "| 1 | Đã ban hành (`adopted`) | 10 | [PL 1, mục 1.1] | ⚠ |" in text
    # A `|` in a label must not split the table row, nor `*` turn into emphasis.
    assert "| I | Kế hoạch \\| chiến lược \\*số\\* (`plan`) | 10 |" in text
    page = render_annex(methodology, "html", "en")
    assert '<p class="mark">⚠ tái dựng / reconstruction: điểm suy ra từ tổng nhóm</p>' in page


class _TagBalance(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [name for name, _ in attrs]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_html_is_balanced_and_self_contained(quickstart: egov_rules.Methodology, lang: str) -> None:
    page = render_annex(quickstart, "html", lang)  # type: ignore[arg-type]
    parser = _TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "src" not in parser.attributes and "href" not in parser.attributes
    assert "<td>30</td>" in page and "<code>computers</code>" in page


# -- the command ---------------------------------------------------------------------------


def test_cli_doc_writes_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "quickstart.html"
    code = main(["doc", str(ROOT / "examples/quickstart.egr"), "--format", "html", "--lang", "en",
                 "--output", str(target)])
    assert code == 0 and capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_doc_broken_rule_file_gives_located_diagnostics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.egr"
    broken.write_text(TINY.replace("yes/no has_plan", "yes/no has_plann"), encoding="utf-8")
    code = main(["doc", str(broken)])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    line = TINY.splitlines().index("    yes/no has_plan") + 1  # the 16th line of TINY
    assert f"broken.egr:{line}:" in captured.err and "has_plann" in captured.err


def test_cli_doc_unwritable_output_is_a_usage_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing-dir" / "out.md"
    code = main(["doc", str(ROOT / "examples/quickstart.egr"), "--output", str(target)])
    assert code == 2
    assert f"không ghi được {target}" in capsys.readouterr().err


# -- issue 12: the Vietnamese annex speaks to people ---------------------------------------

_ANNEX_NUMBER = re.compile(r"^## Phụ lục (\S+): .*\(`(\w+)`\)$", re.M)
_CITED = re.compile(r"Phụ lục (\d+)(?![\w.])")
_CODE_SPAN = re.compile(r"`([^`]*)`")
_FILE_OR_ID = re.compile(r"[A-Za-z][\w.-]*|egov-rules doc")


def _prose(text: str) -> str:
    """The words the annex writes itself: without its code spans (ids and file names, shown as
    such), escapes, and the bilingual notes the rule file's author wrote (`vi / en`)."""
    own = [line for line in text.splitlines()
           if not line.startswith(("> **⚠ tái dựng", "- Căn cứ pháp lý:"))]
    return _CODE_SPAN.sub("", "\n".join(own)).replace("\\_", "_").replace("\\", "")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_vietnamese_annex_has_no_raw_expression_or_keyword(source: Path) -> None:
    text = render_annex(egov_rules.load(source), "markdown", "vi")
    spans = _CODE_SPAN.findall(text)
    raw = [span for span in spans if not _FILE_OR_ID.fullmatch(span)]
    assert not raw, f"expressions shown as written in the rule file: {raw}"
    prose = _prose(text)
    keywords = re.findall(r"\b(?:and|or|not|only|when)\b", prose)
    assert not keywords, f"keywords of the language in the Vietnamese text: {set(keywords)}"
    # Underscores outside code spans only inside the decree's own names (`Điểm_KNWAN`).
    ids = [word for word in re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", prose)]
    assert not ids, f"ids in the Vietnamese text: {set(ids)}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_annex_title_gives_the_year_once(source: Path) -> None:
    methodology = egov_rules.load(source)
    title = render_annex(methodology, "markdown", "vi").splitlines()[0]
    assert title.count(str(methodology.model.year)) == 1, title


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_annex_titles_agree_with_the_annexes_cited(source: Path) -> None:
    """A criterion of one block that cites `Phụ lục N` sits in the annex titled `Phụ lục N`."""
    methodology = egov_rules.load(source)
    titled = {block: number for number, block in
              _ANNEX_NUMBER.findall(render_annex(methodology, "markdown", "vi"))}
    assert set(titled) == set(methodology.model.blocks)
    for node in methodology.model.nodes.values():
        if node.only is None or len(node.only) != 1:
            continue
        block = node.only[0].name
        for citation in node.citations:
            for number in _CITED.findall(citation.text):
                assert number == titled[block], (
                    f"`{node.id}` (only {block}) cites Phụ lục {number}, "
                    f"but the annex of {block} is titled Phụ lục {titled[block]}")


def test_the_province_annex_of_2016_is_phu_luc_4() -> None:
    text = render_annex(egov_rules.load(ROOT / "methodologies" / "vn-ict-2016.egr"), "markdown", "vi")
    assert re.findall(r"^## Phụ lục (\d+): .*\(`(\w+)`\)$", text, re.M) == [
        ("2", "ministry"), ("3", "agency"), ("4", "province")]
    assert "“Có trung tâm dữ liệu” và “Có thông báo tiếp nhận" in text
