"""`egov-rules history` and `egov_rules.History`: yearly records in one SQLite store, each
entity's published values and ranks by year with its movements (docs/cli.md, "history").

Three invented years of the quickstart: 2024 is examples/quickstart-data.csv; in 2025 Bộ C
(minh hoạ) gets 300 staff, all with computers, 900 Mbps, full WAN, every safeguard, 80 %
online, level 4, cloud; in 2026 Tỉnh E (minh hoạ) improves everything too. The store must give
back what each year's record says (values and ranks are read from the records here, not
written down), and the movements follow from the ranks: Bộ C climbs from 3rd to 2nd in 2025
(its 3 Mbps per staff becomes the ministries' best, which also costs Bộ B and Bộ A), Tỉnh E
from 2nd to 1st in 2026."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

import egov_rules
from egov_rules.cli import main
from egov_rules.diagnostics import EgovRulesError
from egov_rules.history import History
from egov_rules.numbers import exact_str
from egov_rules.render import render_text
from tests.conftest import ROOT, cli

DATA = ROOT / "examples" / "quickstart-data.csv"
C_2025 = ("Bộ C (minh hoạ),ministry,0,0,100,5,1,no,no,no,7,5,1,none",
          "Bộ C (minh hoạ),ministry,300,300,900,5,5,yes,yes,yes,0,80,4,cloud")
E_2026 = ("Tỉnh E (minh hoạ),province,1500,1500,1500,30,24,yes,no,no,4,20,2,own,5,3,35",
          "Tỉnh E (minh hoạ),province,1500,1500,3000,30,30,yes,yes,yes,0,90,4,cloud,5,9,90")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("years")
    text = DATA.read_text(encoding="utf-8")
    years = {2024: text, 2025: text.replace(*C_2025)}
    years[2026] = years[2025].replace(*E_2026)
    assert len({*years.values()}) == 3  # each edit took
    made = {}
    for year, data in years.items():
        (folder / f"{year}.csv").write_text(data, encoding="utf-8")
        made[year] = folder / f"{year}.json"
        assert main(["score", str(ROOT / "examples" / "quickstart.egr"), str(folder / f"{year}.csv"),
                     "--format", "json", "--output", str(made[year])], out=io.StringIO()) == 0
    return made


def _store(tmp_path: Path, records: dict[int, Path]) -> Path:
    path = tmp_path / "h.db"
    with History(path) as store:
        for year, record in records.items():
            store.add(egov_rules.Ranking.read_record(record), year)
    return path


def test_ranks_values_and_movements_by_year(tmp_path: Path, records: dict[int, Path]) -> None:
    with History(_store(tmp_path, records)) as store:
        assert [e.year for e in store.editions()] == [2024, 2025, 2026]
        assert {e.methodology for e in store.editions()} == {"quickstart"}
        rows = {(r.entity, r.year): r for r in store.results("overall", "ministry")}
    c, a, b = "Bộ C (minh hoạ)", "Bộ A (minh hoạ)", "Bộ B (minh hoạ)"
    assert [(rows[c, y].rank, rows[c, y].moved) for y in (2024, 2025, 2026)] == \
        [(3, None), (2, 1), (2, 0)]
    assert [(rows[a, y].rank, rows[a, y].moved) for y in (2024, 2025, 2026)] == \
        [(2, None), (3, -1), (3, 0)]
    for year, record in records.items():  # each figure as its year's record publishes it
        ranking = egov_rules.Ranking.read_record(record)
        for name in (a, b, c):
            published = ranking.evaluation(name).index("overall")
            assert rows[name, year].value == published.rounded
            assert rows[name, year].rank == ranking.rank_of(name, "overall")
            assert rows[name, year].digits == published.round == 3


def test_the_store_persists_and_refuses_a_year_twice(tmp_path: Path,
                                                      records: dict[int, Path]) -> None:
    path = _store(tmp_path, records)
    with History(path) as store, pytest.raises(EgovRulesError) as raised:
        store.add(egov_rules.Ranking.read_record(records[2024]), 2024)
    assert [render_text(d, "en").split("\n")[0] for d in raised.value.diagnostics] == [
        f"{path}: error[E703]: the store holds 2024 already: --replace to replace it"]
    with History(path) as store:  # replacing 2025 by 2024's record: C is third again
        store.add(egov_rules.Ranking.read_record(records[2024]), 2025, replace=True)
        ranks = {r.year: r.rank for r in store.results("overall")
                 if r.entity == "Bộ C (minh hoạ)"}
    assert ranks == {2024: 3, 2025: 3, 2026: 2}


def test_a_file_that_is_not_a_store_is_e704(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    for path in (text, other):
        with pytest.raises(EgovRulesError) as raised:
            History(path)
        assert raised.value.diagnostics[0].code.code == "E704"



def test_cli_adds_and_shows(tmp_path: Path, records: dict[int, Path]) -> None:
    store = str(tmp_path / "h.db")
    for year, record in records.items():
        assert cli("history", store, "--add", str(record), "--year", str(year),
                   "--item", "overall")[0] == 0
    code, text = cli("history", store, "--item", "overall", "--block", "ministry")
    assert code == 0
    rankings = {y: egov_rules.Ranking.read_record(r) for y, r in records.items()}

    def cells(name: str) -> str:
        return " | ".join(f"{rankings[y].rank_of(name, 'overall')} "
                          f"({float(rankings[y].evaluation(name).index('overall').rounded or 0):.3f})"
                          for y in (2024, 2025, 2026))

    assert f"| Bộ C (minh hoạ) | {cells('Bộ C (minh hoạ)')} | ▲1     |" in text, text
    assert f"| Bộ A (minh hoạ) | {cells('Bộ A (minh hoạ)')} | ▼1     |" in text
    code, text = cli("history", store, "--format", "csv", "--item", "overall")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["year"], r["rank"], r["moved"]) for r in rows if r["entity"] == "Tỉnh E (minh hoạ)"} \
        == {("2024", "2", ""), ("2025", "2", "0"), ("2026", "1", "1")}
    code, text = cli("history", store, "--format", "json")
    payload = json.loads(text)
    assert [e["year"] for e in payload["editions"]] == [2024, 2025, 2026]
    html = tmp_path / "trend.html"
    assert cli("history", store, "--item", "overall", "--output", str(html))[0] == 0
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 5 and "<polyline" in page and "<script" not in page
    c_2025 = rankings[2025].evaluation("Bộ C (minh hoạ)").index("overall").rounded
    assert f'data-year="2025" data-item="overall" data-value="{exact_str(c_2025)}"' in page


def test_cli_errors(tmp_path: Path, records: dict[int, Path]) -> None:
    store = str(tmp_path / "h.db")
    assert cli("history", store, "--add", str(records[2024]), "--add", str(records[2025]),
               "--year", "2024")[0] == 2  # --year names one record's year
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    # all records are read before any is kept: a bad second record keeps the first out too
    assert cli("history", store, "--add", str(records[2024]), "--add", str(bad))[0] == 1
    with History(store) as history:
        assert history.editions() == []
    assert cli("history", store, "--add", str(tmp_path / "absent.json"))[0] == 2
    assert cli("history", store, "--item", "nothing")[0] == 2
    assert cli("history", store, "--add", str(records[2024]), "--year", "20245")[0] == 2
    with History(store) as history, pytest.raises(EgovRulesError) as raised:
        history.add(egov_rules.Ranking.read_record(records[2024]), 1850)  # the API says E703
    assert raised.value.diagnostics[0].code.code == "E703"
