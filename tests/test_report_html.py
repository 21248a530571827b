"""The self-contained HTML report: structure, escaping and numbers checked in Python, then the
page opened in a real headless Chromium (Debian's `chromium`; `make chromium` installs it)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import egov_rules
from egov_rules.diagnostics import Lang, Reporter
from egov_rules.inputs import load_yaml
from egov_rules.report import render_evaluation_html, render_ranking_html
from egov_rules.results import Ranking
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}
SVG_EMPTY = {"rect"}  # written as <rect …/>

BO_A = {"block": "ministry", "staff": 1000, "staff_with_pc": 950, "bandwidth_mbps": 500, "units": 20,
        "units_on_wan": 18, "has_backup": True, "has_firewall": True, "has_monitoring": False,
        "incidents": 1, "online_share": 30, "portal_level": 3, "hosting": "own", "meetings": 0,
        "it_staff": 6, "trained_share": 50}

TINY = '''methodology tiny
  title "Mẫu nhỏ"
  year 2020
  source "Minh hoạ"

blocks
  ministry "Bộ"  en "Ministries"

indicators
  portal_level  level 1..4  "Mức độ cổng"
    en "Portal level"

category services "Dịch vụ"  max 10  [QĐ 62, mục II]
  en "Services"
  criterion portal "Cổng thông tin"  max 10  [QĐ 62, II.1]
    en "Portal"
    reconstructed "bảng điểm tái dựng từ phụ lục"
    table portal_level
      1: 0
      2: 4
      3: 7
      4: 10
'''


# -- a strict little parser ----------------------------------------------------------------


@dataclass
class Number:
    """An element carrying `data-value` (or `data-share`) and the text it shows."""

    data: dict[str, str]
    text: str = ""


class Page(HTMLParser):
    """Checks that every tag closes in order and collects what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.attrs: list[tuple[str, dict[str, str]]] = []
        self.numbers: list[Number] = []
        self.headings: list[str] = []
        self.doctype = ""
        self._open: list[Number | None] = []
        self._heading: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.attrs.append((tag, values))
        if tag in VOID:
            return
        self.stack.append(tag)
        number = None
        if "data-value" in values or "data-share" in values:
            number = Number({k.removeprefix("data-"): v for k, v in values.items() if k.startswith("data-")})
            self.numbers.append(number)
        self._open.append(number)
        if tag in ("h1", "h2", "h3", "h4", "h5"):
            self._heading = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID | SVG_EMPTY:
            self.problems.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self._open.pop()
        if tag in ("h1", "h2", "h3", "h4", "h5") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        for number in self._open:
            if number is not None:
                number.text += data
        if self._heading is not None:
            self._heading.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


# -- the results the page must agree with ---------------------------------------------------


def expected(data: dict[str, str], doc: dict[str, Any]) -> Any:
    """The JSON value a number on the page stands for, found by its data-* keys."""
    kind = data["field"]
    if kind == "year":
        return doc["methodology"]["year"]
    if "block" in data:  # a row of a ranking table
        entry = next(r for r in doc["ranks"] if (r["index"], r["block"], r["entity"])
                     == (data["index"], data["block"], data["entity"]))
        return entry["rank"] if kind == "rank" else entry["value"]
    evaluation = next(e for e in doc["evaluations"] if e["entity"] == data["entity"])
    if "node" in data:
        node = next(n for n in evaluation["nodes"] if n["id"] == data["node"])
        if kind == "gain":
            return node["next"]["gain"]
        if kind == "read":
            return find_read(node["read"], data["input"])["value"]
        return node[kind]
    if kind == "rank":
        return next(r["rank"] for r in doc["ranks"]
                    if (r["index"], r["entity"]) == (data["index"], data["entity"]))
    return next(i for i in evaluation["indices"] if i["id"] == data["index"])[kind]


def find_read(reads: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for read in reads:
        if read["name"] == name:
            return read
        for inner in read["inputs"]:
            if inner["name"] == name:
                return inner  # type: ignore[no-any-return]
    raise KeyError(name)


NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?%?")


def shown_number(text: str, lang: Lang) -> tuple[Fraction, Fraction]:
    """The one number in `text` and half a unit of its last shown digit (its rounding slack)."""
    found = NUMBER.findall(text)
    assert len(found) == 1, f"expected one number in {text!r}"
    token = found[0]
    wrong_separator = "." if lang == "vi" else ","
    assert wrong_separator not in token, f"{token!r} uses the wrong decimal separator for {lang}"
    scale = Fraction(1, 100) if token.endswith("%") else Fraction(1)
    digits = token.rstrip("%").replace(",", ".")
    decimals = len(digits.partition(".")[2])
    return Fraction(digits) * scale, Fraction(1, 2 * 10**decimals) * scale


def check_numbers(numbers: list[Number], doc: dict[str, Any], lang: Lang) -> int:
    """Each data-value is the JSON's exact string; each shown number is that value, rounded."""
    checked = 0
    for number in numbers:
        if "share" in number.data:
            evaluation = next(e for e in doc["evaluations"] if e["entity"] == number.data["entity"])
            node = next(n for n in evaluation["nodes"] if n["id"] == number.data["node"])
            exact = Fraction(node["points"]) / Fraction(node["max"])
            assert Fraction(number.data["share"]) == exact, number.data
        else:
            assert number.data["value"] == str(expected(number.data, doc)), number.data
            exact = Fraction(number.data["value"])
        value, slack = shown_number(number.text, lang)
        assert abs(value - exact) <= slack, (number.text, number.data)
        checked += 1
    return checked


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ranking(quickstart: egov_rules.Methodology) -> Ranking:
    reporter = Reporter()
    entities = load_yaml(ROOT / "examples" / "quickstart-data.yaml", reporter)
    assert not reporter.diagnostics
    return quickstart.evaluate_many(entities)


@pytest.fixture(scope="module")
def pages(ranking: Ranking) -> dict[str, str]:
    return {lang: render_ranking_html(ranking, lang) for lang in ("vi", "en")}


# -- structure, in Python --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_is_well_formed_html5(pages: dict[str, str], lang: Lang) -> None:
    page = parse(pages[lang])
    assert page.doctype.lower() == "doctype html"
    assert page.problems == []
    assert page.stack == []  # everything opened was closed
    assert ("html", {"lang": lang}) in page.attrs
    assert ("meta", {"charset": "utf-8"}) in page.attrs


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_refers_to_nothing_outside_itself(pages: dict[str, str], lang: Lang) -> None:
    html = pages[lang]
    page = parse(html)
    assert "http://" not in html and "https://" not in html
    assert not {"script", "link", "img", "iframe", "object", "embed"} & {tag for tag, _ in page.attrs}
    assert all("src" not in attrs for _, attrs in page.attrs)
    ids = {attrs["id"] for _, attrs in page.attrs if "id" in attrs}
    hrefs = [attrs["href"] for _, attrs in page.attrs if "href" in attrs]
    assert hrefs, "the contents should link to the sections"
    assert all(h.startswith("#") and h[1:] in ids for h in hrefs), hrefs


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_number_matches_the_json_results(ranking: Ranking, pages: dict[str, str],
                                               lang: Lang) -> None:
    doc = ranking.model_dump(mode="json")
    page = parse(pages[lang])
    check_numbers(page.numbers, doc, lang)
    # Every applicable node's points of every entity is on the page.
    on_page = {(n.data["entity"], n.data["node"]) for n in page.numbers if n.data["field"] == "points"}
    in_json = {(e["entity"], n["id"]) for e in doc["evaluations"] for n in e["nodes"]
               if n["points"] is not None}
    assert on_page == in_json
    # Every row of every ranking table too: 4 ranked indices × 5 entities.
    ranked = [n for n in page.numbers if n.data["field"] == "ranked"]
    assert len(ranked) == len(doc["ranks"]) == 4 * 5


def test_numbers_worked_by_hand_are_shown_the_vietnamese_way(pages: dict[str, str]) -> None:
    numbers = parse(pages["vi"]).numbers

    def shown(field: str, **keys: str) -> list[tuple[str, str]]:
        return [(n.data.get("value") or n.data["share"], n.text) for n in numbers
                if n.data["field"] == field and all(n.data.get(k) == v for k, v in keys.items())]

    # Bộ A: 950 of 1000 staff have a computer → 0.95 × 30 = 28.5 points, written 28,5.
    assert shown("points", entity="Bộ A (minh hoạ)", node="computers") == [("28.5", "28,5")]
    # services: 20 + 12 + 15 = 47 of 80 (ministry max) → 0.5875, `round 3` half-up → 0,588.
    # … in the block's summary, the indices table and the next-rank table.
    assert shown("rounded", entity="Bộ A (minh hoạ)", index="services_index") == [("0.588", "0,588")] * 3
    assert shown("ranked", entity="Bộ A (minh hoạ)", index="services_index") == [("0.588", "0,588")]
    # Infrastructure 28.5 + 15 + 9 + 20 = 72.5 of 100 → a bar at 72,5%.
    assert shown("share", entity="Bộ A (minh hoạ)", node="infrastructure") == [("0.725", "72,5%")]
    # Tỉnh D's infrastructure index 0.72 is shown with the declared 3 decimals.
    assert shown("ranked", entity="Tỉnh D (minh hoạ)", index="infrastructure_index") == [("0.72", "0,720")]


def test_vietnamese_and_english_headings_differ(pages: dict[str, str]) -> None:
    vi, en = parse(pages["vi"]).headings, parse(pages["en"]).headings
    assert "Xếp hạng theo khối" in vi and "Rankings by block" in en
    # Category labels come from `label` / `label_en` of the results.
    assert any(h.startswith("Hạ tầng kỹ thuật CNTT") for h in vi)
    assert any(h.startswith("IT infrastructure") for h in en)
    fixed = [h for h in vi if h in en and "(minh hoạ)" not in h]  # entity names stay as given
    assert fixed == [], fixed


def test_a_node_that_does_not_apply_says_so(pages: dict[str, str]) -> None:
    # Bộ B has no subordinate units: `wan` (when units > 0) drops out, so it shows no points.
    html = pages["en"]
    numbers = parse(html).numbers
    wan = [n for n in numbers if (n.data.get("entity"), n.data.get("node")) == ("Bộ B (minh hoạ)", "wan")]
    assert wan == []
    assert "does not apply: its condition" in html


def test_a_reconstructed_node_shows_its_mark() -> None:
    methodology = egov_rules.compile(TINY, "tiny.egr")
    evaluation = methodology.evaluate({"portal_level": 3}, block="ministry", entity="Bộ X")
    for lang, mark in (("vi", "tái dựng"), ("en", "reconstruction")):
        html = render_evaluation_html(evaluation, None, lang)
        assert f'<span class="badge reconstructed" data-node="portal">{mark}</span>' in html
        assert "bảng điểm tái dựng từ phụ lục" in html
        # portal level 3 → 7 points of 10 (the table row `3: 7`).
        assert [(n.data["value"], n.text) for n in parse(html).numbers if n.data["field"] == "points"] \
            == [("7", "7"), ("7", "7")]  # the category (sum of one criterion) and the criterion


def test_markup_in_names_is_escaped(quickstart: egov_rules.Methodology) -> None:
    name = "<script>alert('x')</script>"
    ranking = quickstart.evaluate_many({name: BO_A, "Bộ B": BO_A})
    html = render_ranking_html(ranking, "vi")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    page = parse(html)
    assert page.problems == []
    assert name in {n.data.get("entity") for n in page.numbers}  # the attribute reads back exactly


def test_ties_are_marked(quickstart: egov_rules.Methodology) -> None:
    # Two identical ministries tie for first; `ties share a rank` → ranks 1, 1, 3. Bộ Z is worse
    # in every index: computers 500/1000 × 30 = 15 < 28.5, online 10% earns 0 < 20, no IT staff.
    worse = {**BO_A, "staff_with_pc": 500, "online_share": 10, "it_staff": 0}
    ranking = quickstart.evaluate_many({"Bộ A": BO_A, "Bộ A2": BO_A, "Bộ Z": worse})
    html = render_ranking_html(ranking, "en")
    ranks = [(n.data["entity"], n.text) for n in parse(html).numbers
             if n.data["field"] == "rank" and n.data.get("index") == "overall" and "block" in n.data]
    assert ranks == [("Bộ A", "1"), ("Bộ A2", "1"), ("Bộ Z", "3")]
    assert html.count('<span class="tie" title="tied">=</span>') == 2 * 4  # both, in every index
    assert "tied entities share a rank and the next rank is skipped" in html


def test_one_entity_report_shows_its_ranks(ranking: Ranking) -> None:
    evaluation = ranking.evaluation("Bộ A (minh hoạ)")
    html = render_evaluation_html(evaluation, ranking, "vi")
    ranks = {n.data["index"]: n.text for n in parse(html).numbers if n.data["field"] == "rank"}
    # Bộ A is second of the three ministries in every ranked index (Bộ B 1st, Bộ C 3rd).
    assert ranks == {"infrastructure_index": "2", "services_index": "2", "people_index": "2",
                     "overall": "2"}
    assert html.count(">2</span> / 3</td>") == 4
    alone = render_evaluation_html(evaluation, None, "en")
    assert not [n for n in parse(alone).numbers if n.data["field"] == "rank"]
    check_numbers(parse(alone).numbers, ranking.model_dump(mode="json"), "en")


# -- in a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by playwright; a missing browser fails loudly, never skips."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make chromium` "
                    "(apt-get install -y chromium) before the tests", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the `playwright` package is missing: pip install -e '.[dev]'", pytrace=False)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield context
        context.close()


READ_NUMBERS = """() => [...document.querySelectorAll('[data-value], [data-share]')].map(e => ({
  data: Object.fromEntries(Object.entries(e.dataset)),
  text: e instanceof HTMLElement ? e.innerText : e.textContent,
}))"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_chromium_renders_the_report_and_its_numbers(browser: Any, ranking: Ranking, pages: dict[str, str],
                                                     tmp_path: Path, lang: Lang) -> None:
    report = tmp_path / f"report-{lang}.html"
    report.write_text(pages[lang], encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [report.as_uri()]  # the page itself and nothing else
    assert page.title().startswith("Phương pháp mẫu" if lang == "vi" else "Sample methodology")
    numbers = [Number(n["data"], n["text"]) for n in page.evaluate(READ_NUMBERS)]
    checked = check_numbers(numbers, ranking.model_dump(mode="json"), lang)
    assert checked == len(parse(pages[lang]).numbers) > 0  # the browser sees every number
    page.close()


def test_chromium_page_fits_a_phone_screen(browser: Any, pages: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(pages["vi"], encoding="utf-8")
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(report.as_uri())
    # The page never scrolls sideways, and the quickstart's tables fit without scrolling either.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    scrolling = "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth)"
    assert page.evaluate(f"{scrolling}.length") == 0
    page.close()


def test_the_audit_record_is_in_the_header(ranking: Ranking) -> None:
    recorded = ranking.model_copy(update={"inputs_path": "data/<2024>.xlsx", "inputs_sheet": "Bộ",
                                          "inputs_hash": "ab" * 32, "library_version": "9.9.9"})
    html = render_ranking_html(recorded, "en")
    assert "<dt>Data file</dt><dd><span class=\"hash\">data/&lt;2024&gt;.xlsx [Bộ]</span></dd>" in html
    assert "ab" * 32 in html and "9.9.9" in html
    assert "Data file" not in render_ranking_html(ranking, "en")  # nothing recorded, nothing shown


def test_cli_writes_the_html_report(tmp_path: Path, ranking: Ranking) -> None:
    from egov_rules.cli import main

    out = tmp_path / "report.html"
    code = main(["score", str(ROOT / "examples/quickstart.egr"), str(ROOT / "examples/quickstart-data.yaml"),
                 "--format", "html", "--lang", "en", "--output", str(out)])
    assert code == 0
    page = parse(out.read_text(encoding="utf-8"))
    assert page.problems == [] and ("html", {"lang": "en"}) in page.attrs
    assert check_numbers(page.numbers, ranking.model_dump(mode="json"), "en") == len(page.numbers) > 0


# -- the summary, the gains and the next rank (issue 12) --------------------------------------


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def table_rows(html: str, css_class: str) -> list[list[str]]:
    """The body rows of the first `<table class=css_class>`, each cell's text without its tags."""
    table = section(html, f'<table class="{css_class}">', "</table>")
    body = table[table.index("<tbody>"):]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_block_has_a_summary_of_every_entity_and_index(ranking: Ranking, pages: dict[str, str],
                                                            lang: Lang) -> None:
    summary = section(pages[lang], '<section id="summary">', "</section>")
    blocks = list(dict.fromkeys(e.block for e in ranking.evaluations))
    assert summary.count('<table class="summary">') == len(blocks) == 2
    numbers = parse(summary).numbers
    shown = {(n.data["entity"], n.data["index"]) for n in numbers if n.data["field"] in ("rounded", "value")}
    assert shown == {(e.entity, i.id) for e in ranking.evaluations for i in e.indices
                     if (i.rounded if i.rounded is not None else i.value) is not None}
    # Ranked on `overall`, best first: the ranks read 1, 2, 3 then 1, 2 (Bộ B leads the ministries).
    ranks = [(n.data["entity"], n.text) for n in numbers if n.data["field"] == "rank"]
    assert [r for _, r in ranks] == ["1", "2", "3", "1", "2"] and ranks[0][0] == "Bộ B (minh hoạ)"
    # Every graded value is coloured by its grade and says the grade's word too.
    graded = [(e, i) for e in ranking.evaluations for i in e.indices if i.grade]
    assert summary.count('class="n g') == len(graded) > 0
    words = [i.grade_en if lang == "en" and i.grade_en else i.grade for _, i in graded]
    assert sorted(re.findall(r'<span class="grade">([^<]*)</span>', summary)) == sorted(words)


def test_grades_are_coloured_best_to_worst(quickstart: egov_rules.Methodology) -> None:
    from egov_rules.report.html import _grade_steps

    ranking = quickstart.evaluate_many({"Bộ A": BO_A, "Bộ Z": {**BO_A, "staff_with_pc": 0, "online_share": 0,
                                                                "it_staff": 0, "trained_share": 0}})
    steps = _grade_steps(ranking.evaluations)
    by_value = sorted({(i.rounded, i.grade) for e in ranking.evaluations for i in e.indices if i.grade})
    assert len({g for _, g in by_value}) >= 2
    assert [steps[g] for _, g in by_value] == sorted((steps[g] for _, g in by_value), reverse=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_gains_and_next_rank_are_the_rows_explain_prints(ranking: Ranking, lang: Lang,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from egov_rules.cli import main

    entity = "Bộ A (minh hoạ)"
    files = [str(ROOT / "examples/quickstart.egr"), str(ROOT / "examples/quickstart-data.yaml")]
    assert main(["explain", *files,
                 "--entity", entity, "--format", "markdown", "--lang", lang]) == 0
    sections = capsys.readouterr().out.split("\n## ")
    explained = [[[c.strip() for c in line.strip("|").split(" | ")] for line in part.splitlines()
                  if line.startswith("| ") and not line.startswith("|---")][1:] for part in sections[-2:]]
    whole = render_ranking_html(ranking, lang)
    one = render_evaluation_html(ranking.evaluation(entity), ranking, lang)
    for html in (section(whole, 'id="entity-0"', "</article>"), one):
        assert table_rows(html, "gains") == explained[0] and len(explained[0]) == 8
        assert table_rows(html, "standing") == explained[1] and len(explained[1]) == 6


def test_print_css_gives_each_summary_and_entity_its_page(pages: dict[str, str]) -> None:
    css = section(pages["vi"], "@media print", "</style>")
    for rule in ("div.summary { break-before: page; break-inside: avoid;",
                 "article.entity { break-before: page;", "nav.toc { display: none; }",
                 "tr, .chart { break-inside: avoid; }", "print-color-adjust: exact;"):
        assert rule in css, rule


def provinces(count: int) -> dict[str, dict[str, Any]]:
    """`count` provinces varied from the example's three, for vn-ict-2016."""
    found = load_yaml(ROOT / "examples/vn-ict-2016-data.yaml", Reporter())
    plain = {"yes": True, "no": False}
    bases = [{"block": "province", **{k: int(v.value) if v.value.isdigit() else plain.get(v.value, v.value)
                                      for k, v in e.values.items()}}
             for e in found if e.block is not None and e.block.value == "province"]
    made = {}
    for i in range(count):
        base = dict(bases[i % len(bases)])
        for key, value in base.items():
            if type(value) is int and key != "staff":
                base[key] = max(0, value - (i * 7) % (value // 3 + 1))
        made[f"Tỉnh {i + 1:02d}"] = base
    return made


def test_63_provinces_print_in_few_pages(browser: Any, tmp_path: Path) -> None:
    methodology = egov_rules.compile((ROOT / "methodologies/vn-ict-2016.egr").read_text(encoding="utf-8"),
                                     "vn-ict-2016.egr")
    report = tmp_path / "provinces.html"
    report.write_text(render_ranking_html(methodology.evaluate_many(provinces(63)), "vi"), encoding="utf-8")
    page = browser.new_page()
    page.goto(report.as_uri())
    pdf = page.pdf(format="A4")
    page.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # 759 pages before issue 12; 81 now: a page for each province (its criteria as label and
    # points, the five largest gains), the block's summary and the rankings (about 17 pages).
    print(f"63 provinces: {pages} A4 pages")
    assert 63 < pages <= 63 + 24, pages


def test_paper_keeps_the_five_largest_gains_and_says_so() -> None:
    methodology = egov_rules.load(ROOT / "methodologies/vn-ict-2016.egr")
    ranking = methodology.evaluate_many(provinces(3))
    page = render_ranking_html(ranking, "en")
    articles = [a.split("</article>", 1)[0] for a in page.split('<article class="entity"')[1:]]
    assert len(articles) == 3
    cut = 0
    for article in articles:
        if '<table class="gains">' not in article:  # full marks: nothing to gain
            continue
        gains = article.split('<table class="gains">', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r'<tr( class="more")?><td>.*?data-value="([^"]+)"', gains)
        kept = sorted((Fraction(v) for more, v in rows if not more), reverse=True)
        dropped = [Fraction(v) for more, v in rows if more]
        assert len(kept) == min(5, len(rows)) and all(d <= kept[-1] for d in dropped)
        assert ("On paper, the 5 largest" in article) == bool(dropped)
        cut += bool(dropped)
    assert cut >= 1  # the case the rule is for was seen
    css = page.split("@media print", 1)[1]
    assert "#entities table.gains tr.more { display: none; }" in css
    assert ".print-only { display: none; }" in page.split("@media print", 1)[0]
