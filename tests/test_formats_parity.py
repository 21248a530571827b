"""The same workbook in YAML, CSV, JSON and XLSX gives the same scores and ranks, on the shipped
methodologies (not only the quickstart)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

import egov_rules
from egov_rules.inputs import load_data
from tests.conftest import ROOT

SHIPPED = ["vn-ict-2016", "vn-dti-2022"]


def _as_json(stem: str, target: Path) -> Path:
    data = yaml.safe_load((ROOT / "examples" / f"{stem}-data.yaml").read_text(encoding="utf-8"))
    # Decimals as strings: JSON numbers would be read back exactly too, but strings show intent.
    entities = {name: {k: (str(v) if isinstance(v, float) else v) for k, v in values.items()}
                for name, values in data["entities"].items()}
    target.write_text(json.dumps(entities, ensure_ascii=False), encoding="utf-8")
    return target


def _as_xlsx(stem: str, target: Path) -> Path:
    """The CSV as a workbook an evaluator keeps: numbers typed as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with open(ROOT / "examples" / f"{stem}-data.csv", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            sheet.append([_cell(c) if number else c for c in row])
    workbook.save(target)
    return target


def _cell(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


@pytest.mark.parametrize("stem", SHIPPED)
def test_every_format_scores_the_same(stem: str, tmp_path: Path) -> None:
    methodology = egov_rules.load(ROOT / "methodologies" / f"{stem}.egr")
    sources = {
        "yaml": ROOT / "examples" / f"{stem}-data.yaml",
        "csv": ROOT / "examples" / f"{stem}-data.csv",
        "json": _as_json(stem, tmp_path / "data.json"),
        "xlsx": _as_xlsx(stem, tmp_path / "data.xlsx"),
    }
    results = {}
    for kind, path in sources.items():
        ranking = methodology.evaluate_many(load_data(path, model=methodology.model))
        results[kind] = (
            [(e.entity, [(n.id, n.points) for n in e.nodes], [(i.id, i.rounded) for i in e.indices])
             for e in ranking.evaluations],
            [(r.index, r.block, r.entity, r.rank) for r in ranking.ranks],
        )
    assert results["yaml"][0], "no entity scored"
    for kind in ("csv", "json", "xlsx"):
        assert results[kind] == results["yaml"], kind
