"""JRC COINr's ASEM Sustainable Connectivity index: the two shipped methodologies reproduce the
package's own tables (shared/reference/published-data/coinr-asem/README.md).

- `coinr-asem.egr` on Treated.csv gives Normalised.csv's 49 values and Aggregated.csv's 8
  pillars, Conn, Sust and Index for the 51 units within 1e-9 (the tables are floats written
  at full precision; the engine is exact), each min and max taken by the engine from the block.
- `coinr-asem-raw.egr` on Raw.csv (+ Denominators.csv, joined by UnitCode) gives every value of
  Denominated.csv and Imputed.csv within 1e-9 (`per`, `missing mean within Group_EurAsia`).

The tables are read from the shared reference folder (`tests.conftest.published`) into memory:
the repository holds none of their rows. Without it these tests skip and say so. The small
methodologies below use invented figures, computed by hand in the comments.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

import egov_rules
from egov_rules import cli
from egov_rules.diagnostics import EgovRulesError
from egov_rules.results import Ranking
from tests.conftest import ROOT, published

TOLERANCE = Fraction(1, 10**9)
PILLARS = ("ConEcFin", "Instit", "P2P", "Physical", "Political", "Environ", "Social", "SusEcFin")
AGGREGATES = (*PILLARS, "Conn", "Sust", "Index")
DENOMINATORS = ("Den_Area", "Den_Energy", "Den_GDP", "Den_Pop")


def _rows(name: str) -> list[dict[str, str]]:
    with published(f"coinr-asem/{name}").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _codes() -> list[str]:
    return [row["IndCode"] for row in _rows("IndMeta.csv")]


def _entities(rows: list[dict[str, str]], columns: list[str]) -> dict[str, dict[str, object]]:
    """The units as `evaluate_many` takes them: figures as Decimals (exact; as text, `12.698`
    would read two ways without a locale), an empty cell left out (missing)."""
    return {row["UnitCode"]: {"block": "ASEM", **{c: _cell(row[c]) for c in columns
                                                   if row[c] != ""}}
            for row in rows}


def _cell(text: str) -> object:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text  # an option id (Group_EurAsia)


def _worst(pairs: list[tuple[Fraction | None, str]]) -> tuple[int, Fraction]:
    """(values within the tolerance, largest absolute error) of (computed, published) pairs."""
    errors = [abs(got - Fraction(want)) if got is not None else Fraction(10**9)
              for got, want in pairs]
    return sum(e <= TOLERANCE for e in errors), max(errors, default=Fraction(0))


@pytest.fixture(scope="module")
def treated() -> Ranking:
    rows = _rows("Treated.csv")
    methodology = egov_rules.load(ROOT / "methodologies" / "coinr-asem.egr")
    return methodology.evaluate_many(_entities(rows, _codes()))  # no references: the block's


@pytest.fixture(scope="module")
def raw() -> Ranking:
    dens = {row["UnitCode"]: row for row in _rows("Denominators.csv")}
    rows = [{**row, **{d: dens[row["UnitCode"]][d] for d in DENOMINATORS}}
            for row in _rows("Raw.csv")]
    methodology = egov_rules.load(ROOT / "methodologies" / "coinr-asem-raw.egr")
    return methodology.evaluate_many(
        _entities(rows, [*_codes(), *DENOMINATORS, "Group_EurAsia"]))


# -- (a) Treated → Normalised → Aggregated ----------------------------------------------------


def test_normalised_values_are_the_criteria_points(treated: Ranking) -> None:
    codes = _codes()
    pairs = [(treated.evaluation(row["UnitCode"]).points(f"n_{c}"), row[c])
             for row in _rows("Normalised.csv") for c in codes]
    matched, worst = _worst(pairs)
    assert (matched, len(pairs)) == (51 * 49, 51 * 49), f"max error {float(worst)}"


@pytest.mark.parametrize("level", ["pillars", "Conn", "Sust", "Index"])
def test_aggregates_match(treated: Ranking, level: str) -> None:
    ids = PILLARS if level == "pillars" else (level,)
    rows = _rows("Aggregated.csv")
    pairs = [(treated.evaluation(row["UnitCode"]).index(i).value, row[i])
             for row in rows for i in ids]
    matched, worst = _worst(pairs)
    assert matched == len(pairs) == 51 * len(ids), f"max error {float(worst)}"
    # Aggregated.csv repeats the normalised indicators before the aggregates.
    assert set(_codes()) <= set(rows[0])


def test_the_cohort_min_and_max_are_the_blocks(treated: Ranking) -> None:
    # The engine finds them (no reference was given): Treated's own min and max per column.
    rows = _rows("Treated.csv")
    first = treated.evaluations[0]
    for code in _codes():
        column = [Fraction(row[code]) for row in rows]
        assert first.cohort[f"n_{code}.min"] == min(column)
        assert first.cohort[f"n_{code}.max"] == max(column)


def test_ranked_by_exact_index(treated: Ranking) -> None:
    published_index = {row["UnitCode"]: Fraction(row["Index"]) for row in _rows("Aggregated.csv")}
    table = [row.entity for row in treated.table("Index", "ASEM")]
    assert table == sorted(published_index, key=lambda u: -published_index[u])
    assert treated.rank_of(table[0], "Index") == 1


# -- (b) Raw → Denominated → Imputed ----------------------------------------------------------


def test_denominated_values(raw: Ranking) -> None:
    # Every non-empty cell of Denominated.csv is the value the rules read, not imputed; every
    # empty one is a value the methodology imputed (LAO gives no Den_Energy: Elec, Gas too).
    pairs: list[tuple[Fraction | None, str]] = []
    for row in _rows("Denominated.csv"):
        evaluation = raw.evaluation(row["UnitCode"])
        for code in _codes():
            if row[code] == "":
                assert evaluation.missing.get(code) == "mean", (row["UnitCode"], code)
            else:
                assert code not in evaluation.missing
                value = evaluation.inputs[code]
                pairs.append((value if isinstance(value, Fraction) else None, row[code]))
    matched, worst = _worst(pairs)
    assert matched == len(pairs) == 51 * 49 - 65, f"max error {float(worst)}"


def test_the_record_keeps_the_given_value_and_its_denominator(raw: Ranking) -> None:
    meta = {row["IndCode"]: row["Denominator"] for row in _rows("IndMeta.csv")}
    dens = {row["UnitCode"]: row for row in _rows("Denominators.csv")}
    for row in _rows("Raw.csv"):
        evaluation = raw.evaluation(row["UnitCode"])
        for code, den in meta.items():
            kept = evaluation.denominated.get(code)
            if not den or row[code] == "" or dens[row["UnitCode"]][den] == "":
                assert kept is None
                continue
            assert kept is not None and kept.per == den
            assert (kept.given, kept.denominator) == (Fraction(row[code]),
                                                      Fraction(dens[row["UnitCode"]][den]))
            assert evaluation.inputs[code] == kept.given / kept.denominator  # exactly


def test_imputed_values(raw: Ranking) -> None:
    pairs: list[tuple[Fraction | None, str]] = []
    for row in _rows("Imputed.csv"):
        evaluation = raw.evaluation(row["UnitCode"])
        for code in _codes():
            value = evaluation.inputs.get(code)
            pairs.append((value if isinstance(value, Fraction) else None, row[code]))
    matched, worst = _worst(pairs)
    assert matched == len(pairs) == 51 * 49, f"max error {float(worst)}"


# -- (c) the explanation --------------------------------------------------------------------


def test_explanation_names_the_min_max_and_the_values_read(treated: Ranking, raw: Ranking
                                                           ) -> None:
    rows = _rows("Treated.csv")
    goods = [Fraction(row["Goods"]) for row in rows]
    branch = treated.evaluation("AUT").node("n_Goods").branch
    assert branch is not None
    low, high = (f"{float(v):.6g}"[:5] for v in (min(goods), max(goods)))
    assert "min " in branch.en and "max " in branch.en
    assert low in branch.en and high in branch.en
    # The raw methodology: AUT's Goods is given per GDP, BRN's ForPort imputed in Asia.
    read = raw.evaluation("AUT").node("n_Goods").read[0].shown.en
    assert read == "Goods 278.4264 ÷ Den_GDP 390.8 = 0.7125", read  # 4 decimals shown
    imputed = raw.evaluation("BRN").node("n_ForPort").read[0].shown.en
    assert "ForPort imputed: mean" in imputed and "values of group Asia" in imputed, imputed


# -- the command line on the published table as it is ----------------------------------------


def test_cli_scores_the_published_table_with_the_column_map(capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    treated_csv = published("coinr-asem/Treated.csv")
    code = cli.main(["score", str(ROOT / "methodologies" / "coinr-asem.egr"), str(treated_csv),
                     "--columns", str(ROOT / "examples" / "coinr-asem-columns.yaml"),
                     "--locale", "en", "--format", "csv", "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "W520" in err and "`UnitName`" in err and "`Group_GDP`" in err  # said, not scored
    assert out.count("\n") == 52  # a header and the 51 units


# -- (d) `per` and `within` on invented files -----------------------------------------------

SMALL = """methodology small
  title "Thử nghiệm"
  year 2024
  source "Thử nghiệm"
blocks
  country "Quốc gia"
indicators
  trade number "Thương mại"
    per gdp
    missing mean within region
  gdp number "GDP" neutral
  region one of (north, south) "Vùng"
category c "C" max 10
  t "T" max 10
    proportional trade from 0 to 10
example "A" block country
  trade 30  gdp 5  region north
  expect t = 6
"""


@pytest.fixture(scope="module")
def small() -> egov_rules.Methodology:
    return egov_rules.compile(SMALL)


def test_per_divides_exactly_and_within_averages_the_group(small: egov_rules.Methodology
                                                            ) -> None:
    ranking = small.evaluate_many({
        "A": {"block": "country", "trade": 30, "gdp": 5, "region": "north"},   # 30/5 = 6
        "B": {"block": "country", "trade": 10, "gdp": 3, "region": "north"},   # 10/3
        "C": {"block": "country", "gdp": 7, "region": "north"},                # (6 + 10/3)/2
        "D": {"block": "country", "trade": 1, "gdp": 4, "region": "south"},    # 1/4
        "E": {"block": "country", "trade": 9, "region": "south"},              # no gdp: 1/4
    })
    points = {e.entity: e.points("t") for e in ranking.evaluations}
    # (6 + 10/3)/2 = (18/3 + 10/3)/2 = 28/6 = 14/3; on 0..10 with max 10, points = value.
    assert points == {"A": 6, "B": Fraction(10, 3), "C": Fraction(14, 3),
                      "D": Fraction(1, 4), "E": Fraction(1, 4)}
    c, e = ranking.evaluation("C"), ranking.evaluation("E")
    assert c.missing == {"trade": "mean"} and c.denominated == {}
    assert c.node("t").read[0].shown.en == \
        "trade imputed: mean 4.6667 of the 2 values of group north"
    assert e.missing == {"trade": "mean"}  # given, but its denominator is not: missing
    assert ranking.evaluation("B").node("t").read[0].shown.en == "trade 10 ÷ gdp 3 = 3.3333"
    scores = list(small.score_many({"A": {"block": "country", "trade": 30, "gdp": 5,
                                          "region": "north"}}))
    assert scores[0].points("t") == 6  # the fast path never reads the raw 30


def test_the_next_point_says_the_figure_to_give(small: egov_rules.Methodology) -> None:
    # 30 ÷ 5 = 6 of 0..10: 6 points; the next, 7, is 7 × 5 = 35 as given
    one = small.evaluate({"trade": 30, "gdp": 5, "region": "north"}, block="country",
                         entity="A")
    hint = one.node("t").next
    assert hint is not None
    assert hint.words.en == "raise Thương mại (trade) from 6 to 7 (as given: 35, per gdp 5) " \
        "to gain 1 point"


def test_a_zero_denominator_is_located(small: egov_rules.Methodology) -> None:
    with pytest.raises(EgovRulesError) as raised:
        small.evaluate({"trade": 30, "gdp": 0, "region": "north"}, block="country", entity="A")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E205" and diagnostic.location == "A.gdp"
    assert "a denominator must be positive" in diagnostic.message("en")


def test_a_group_with_no_value_is_e206(small: egov_rules.Methodology) -> None:
    with pytest.raises(EgovRulesError) as raised:
        small.evaluate_many({"A": {"block": "country", "gdp": 5, "region": "south"},
                             "B": {"block": "country", "trade": 3, "gdp": 1, "region": "north"}})
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E206"
    assert "no entity of its block in group south of `region` gave it" in diagnostic.message("en")


@pytest.mark.parametrize(("change", "code", "line", "column"), [
    (("per gdp", "per gpd"), "E101", 9, 9),
    (('"GDP" neutral', '"GDP"'), "E209", 9, 9),
    (("within region", "within gdp"), "E210", 10, 25),
])
def test_static_errors_are_located(change: tuple[str, str], code: str, line: int, column: int
                                   ) -> None:
    diagnostics = [d for d in egov_rules.check(SMALL.replace(*change)) if d.is_error]
    assert [(d.code.code, d.span.line, d.span.column) for d in diagnostics if d.span] == \
        [(code, line, column)]


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule = tmp_path / "small.egr"
    rule.write_text(SMALL, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("entity,trade,gdp,region\nA,30,5,north\nB,9,0,north\n", encoding="utf-8")
    assert cli.main(["score", str(rule), str(data), "--lang", "en"]) == 1  # a data error
    assert "data.csv:3:5: error[E205]" in capsys.readouterr().err  # the gdp cell
    broken = tmp_path / "broken.egr"
    broken.write_text(SMALL.replace("within region", "within gdp"), encoding="utf-8")
    assert cli.main(["check", str(broken), "--lang", "en"]) == 1
    assert "error[E210]" in capsys.readouterr().out  # `check` writes its findings to stdout


def test_the_annex_and_the_template_show_per(small: egov_rules.Methodology) -> None:
    from egov_rules.annex import render_annex
    from egov_rules.template import template_bytes

    annex = render_annex(small, "markdown", "en")
    assert "given per `gdp`: scored as the value ÷ `gdp`" in annex
    sheet = load_workbook(io.BytesIO(template_bytes(small.model, ["country"], "en"))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[2:] == ["trade", "gdp", "region"]  # the denominator and the group: columns
    note = sheet.cell(row=1, column=3).comment
    assert note is not None and "per gdp" in note.text


def test_verify_record_repeats_per_and_within(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Raw.csv with Denominators.csv's columns joined by UnitCode, in a temporary file: the
    # record keeps each given value and denominator, and its exact indices (p/q of about
    # 2,400 characters) must be read back.
    dens = {row["UnitCode"]: row for row in _rows("Denominators.csv")}
    rows = _rows("Raw.csv")
    data = tmp_path / "raw.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0], *DENOMINATORS])
        for row in rows:
            writer.writerow([*row.values(), *(dens[row["UnitCode"]][d] for d in DENOMINATORS)])
    files = ["--columns", str(ROOT / "examples" / "coinr-asem-raw-columns.yaml"),
             "--locale", "en", "--lang", "en"]
    rule = str(ROOT / "methodologies" / "coinr-asem-raw.egr")
    record = tmp_path / "record.json"
    assert cli.main(["score", rule, str(data), "--format", "json", "--output", str(record),
                     *files]) == 0
    assert cli.main(["verify-record", str(record), "--methodology", rule, "--data", str(data),
                     *files]) == 0, capsys.readouterr()
    text = record.read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text.replace('"given": "278.4264"', '"given": "278.4265"', 1),
                        encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["verify-record", str(tampered), "--methodology", rule, "--data", str(data),
                     *files]) == 1
    assert "AUT · — · denominated" in capsys.readouterr().out
