"""The real methodologies in `methodologies/` and their data in `examples/vn-*`.

Every expected figure is computed by hand from the rule text and the inputs; the arithmetic is
in the comment beside it. The published DTI 2022 rows are read from the shared reference folder
beside the repository (`tests.conftest.published`) and become the entities' input in memory;
without the folder those tests skip and say so. `examples/` holds only invented entities.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import pytest

import egov_rules
from egov_rules import cli
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter
from egov_rules.inputs import EntityData, load_data, load_yaml
from egov_rules.model import declared_max
from egov_rules.results import Ranking
from tests.conftest import ROOT, published

METHODOLOGIES = sorted((ROOT / "methodologies").glob("*.egr"))
CSV_COLUMNS = ("nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "an_toan_thong_tin",
               "hd_chinh_quyen_so", "hd_kinh_te_so", "hd_xa_hoi_so")


def _load(name: str) -> egov_rules.Methodology:
    return egov_rules.load(ROOT / "methodologies" / name)


def _data(name: str) -> list[EntityData]:
    reporter = Reporter()
    entities = load_yaml(ROOT / "examples" / name, reporter)
    assert reporter.diagnostics == []
    return entities


@pytest.fixture(scope="module")
def ict() -> egov_rules.Methodology:
    return _load("vn-ict-2016.egr")


@pytest.fixture(scope="module")
def ict_ranking(ict: egov_rules.Methodology) -> Ranking:
    return ict.evaluate_many(_data("vn-ict-2016-data.yaml"))


# -- every shipped methodology --------------------------------------------------------------


def test_the_three_methodologies_are_shipped() -> None:
    names = {p.name for p in METHODOLOGIES}
    assert {"vn-ict-2016.egr", "vn-egov-kpi-2018.egr", "vn-dti-2022.egr"} <= names


@pytest.mark.parametrize("path", METHODOLOGIES, ids=lambda p: p.name)
def test_compiles_with_no_error_and_no_warning(path: Path) -> None:
    diagnostics = egov_rules.check(path.read_text(encoding="utf-8"), str(path))
    assert [str(d) for d in diagnostics] == []
    methodology = egov_rules.load(path)
    assert methodology.model.tree.examples, "each methodology carries hand-checked examples"


def test_examples_really_run(ict: egov_rules.Methodology) -> None:
    # Break one hand-computed expectation: the file must stop compiling (E401 at that line).
    text = (ROOT / "methodologies" / "vn-ict-2016.egr").read_text(encoding="utf-8")
    broken = text.replace("expect people_index = 0.625 ", "expect people_index = 0.626 ", 1)
    assert broken != text
    failed = [d for d in egov_rules.check(broken, "broken.egr") if d.is_error]
    assert [d.code.code for d in failed] == ["E401"]
    assert "0.626" in failed[0].message("en") and "0.625" in failed[0].message("en")


# -- DTI 2022 (Decision 922) ------------------------------------------------------------------


def _published_rows() -> list[dict[str, str]]:
    with published("vn-dti-2022/dti_2022_provinces_top5.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _published_ranking() -> Ranking:
    """The five published rows scored together, their main indices read as text (exactly).
    The smart-city share is not published; it is worth 0 points, so 0 stands in for it."""
    entities = {row["province"]: {"block": "province", "do_thi_thong_minh": "0",
                                  **{column: row[column] for column in CSV_COLUMNS}}
                for row in _published_rows()}
    return _load("vn-dti-2022.egr").evaluate_many(entities)


def test_dti_example_data_is_invented_and_scores_by_hand() -> None:
    ranking = _load("vn-dti-2022.egr").evaluate_many(_data("vn-dti-2022-data.yaml"))
    # Points = 100·(NT + TC + HT + NL + ATTT) + 200·CQS + 150·KTS + 150·XHS (ĐTTM is worth 0):
    #   M  100 + 90 + 88 + 75 + 70 + 180 + 120 + 93                  = 816
    #   K  95 + 85 + 71.25 + 64 + 58 + 162.5 + 106.5 + 66.495        = 708.745
    #   L  80 + 70 + 55 + 50 + 45 + 120 + 75 + 45                    = 540
    #   N  60 + 50 + 40 + 35 + 30 + 90 + 45 + 30                     = 380
    expected = {"Thành phố M (minh hoạ)": ("0.816", "0.816", 1),
                "Tỉnh K (minh hoạ)": ("0.708745", "0.7087", 2),   # 4 decimals, half up
                "Tỉnh L (minh hoạ)": ("0.54", "0.54", 3),
                "Tỉnh N (minh hoạ)": ("0.38", "0.38", 4)}
    assert sorted(e.entity for e in ranking.evaluations) == sorted(expected)
    for name, (exact, rounded, rank) in expected.items():
        dti = ranking.evaluation(name).index("dti")
        assert (dti.value, dti.rounded) == (Fraction(exact), Fraction(rounded)), name
        assert ranking.rank_of(name, "dti") == rank, name


def test_dti_examples_hold_no_published_row() -> None:
    rows = _published_rows()
    published_values = {tuple(Fraction(r[c]) for c in CSV_COLUMNS) for r in rows}
    for data in ("vn-dti-2022-data.yaml", "vn-dti-2022-data.csv"):
        examples = load_data(ROOT / "examples" / data)
        assert examples and all(e.name.endswith("(minh hoạ)") for e in examples)
        assert not {e.name for e in examples} & {r["province"] for r in rows}
        for entity in examples:
            values = tuple(Fraction(str(entity.values[c].value)) for c in CSV_COLUMNS)
            assert values not in published_values, (data, entity.name)


def test_dti_reproduces_the_published_rows_and_order() -> None:
    ranking = _published_ranking()
    # Hand check, points = 100·(NT + TC + HT + NL + ATTT) + 200·CQS + 150·KTS + 150·XHS:
    #   Đà Nẵng   100 + 90 + 82.53 + 84.87 + 75.78 + 171.5 + 117.54 + 77.955   = 800.175
    #   HCM       89.17 + 90 + 82.58 + 62.67 + 55.8 + 168.12 + 114.165 + 53.85 = 716.355
    #   Q. Ninh   95.81 + 90 + 76.48 + 62.5 + 53.82 + 167.7 + 88.56 + 67.575   = 702.445
    #   Huế       95 + 90 + 68.23 + 67.94 + 64.23 + 165.24 + 101.805 + 45.015  = 697.46
    #   Cần Thơ   90 + 80 + 72.33 + 73.76 + 72.26 + 146.5 + 113.34 + 44.205   = 692.395
    exact = {"TP. Đà Nẵng": "0.800175", "TP. Hồ Chí Minh": "0.716355", "Quảng Ninh": "0.702445",
             "Thừa Thiên - Huế": "0.69746", "TP. Cần Thơ": "0.692395"}
    tolerance = Fraction(1, 10_000)
    for row in _published_rows():
        result = ranking.evaluation(row["province"]).index("dti")
        assert result.value == Fraction(exact[row["province"]])
        assert result.rounded is not None
        published = Fraction(row["dti"])
        assert abs(result.value - published) <= tolerance
        assert abs(result.rounded - published) <= tolerance
        assert ranking.rank_of(row["province"], "dti") == int(row["rank"])
    # HCM: 0.716355 rounds half-up to 0.7164; the published 0.7163 came from unrounded inputs.
    assert ranking.evaluation("TP. Hồ Chí Minh").index("dti").rounded == Fraction("0.7164")


def test_dti_main_indices_are_published_shares() -> None:
    ranking = _published_ranking()
    huế = ranking.evaluation("Thừa Thiên - Huế")
    assert huế.index("chi_so_hd_cqs").rounded == Fraction("0.8262")   # 165.24 / 200
    assert huế.index("chi_so_hd_xhs").rounded == Fraction("0.3001")   # 45.015 / 150
    assert huế.index("dti").max == 1000                               # 5×100 + 0 + 200 + 150 + 150


# -- nodes worth 0 points (the DTI smart-city index) ------------------------------------------

_DTI_ROW = {"nhan_thuc_so": "0.5", "the_che_so": "0.5", "ha_tang_so": "0.5", "nhan_luc_so": "0.5",
            "an_toan_thong_tin": "0.5", "hd_chinh_quyen_so": "0.5", "hd_kinh_te_so": "0.5",
            "hd_xa_hoi_so": "0.5"}


@pytest.mark.parametrize("smart_city", ["0", "0.25", "1"])
def test_a_zero_point_node_adds_nothing_to_points_or_maximum(smart_city: str) -> None:
    dti = _load("vn-dti-2022.egr")
    evaluation = dti.evaluate({**_DTI_ROW, "do_thi_thong_minh": smart_city}, block="province")
    smart = evaluation.node("do_thi")
    assert smart.applicable and smart.points == 0 and smart.max == 0   # share × 0 points
    # 500 of 1000 points whatever the smart-city share: 0.5 × (500 + 0 + 500) = 500.
    assert evaluation.index("dti").points == 500
    assert evaluation.index("dti").max == 1000
    assert evaluation.index("dti").rounded == Fraction(1, 2)
    assert evaluation.node("nen_tang").max == 500                       # 5 × 100 + 0
    assert "0/0" in evaluation.explain("en")


_ZERO_BASE = """methodology zero_max
  title "t"
  year 2022
  source "s"
blocks
  province "Tỉnh"
indicators
  a number "A"
    between 0 and 1
  b number "B"
    between 0 and 1
category c "C"  max 100
  x "X"  max 100
    proportional a
  z "Z"  max 0
    proportional b
"""


def _codes(text: str) -> list[tuple[str, str]]:
    return [(d.code.code, d.message("en")) for d in egov_rules.check(text, "zero.egr")
            if d.is_error]


def test_share_of_a_zero_point_node_alone_is_rejected() -> None:
    text = _ZERO_BASE + "index zi = share of max z  round 4\n"
    [(code, message)] = _codes(text)
    assert code == "E313"
    assert "`zi` is a share of 0 points in block `province`" in message


def test_averaging_a_zero_point_node_is_rejected() -> None:
    text = _ZERO_BASE + "index m = mean of x, z  round 4\n"
    [(code, message)] = _codes(text)
    assert code == "E313" and "`z` is worth 0 points" in message


def test_zero_point_child_of_a_weighted_mean_is_rejected() -> None:
    text = _ZERO_BASE.replace(
        "  x \"X\"  max 100\n    proportional a\n  z \"Z\"  max 0\n    proportional b\n",
        "  weighted mean of\n    x \"X\"  max 100  weight 100%\n      proportional a\n"
        "    z \"Z\"  max 0  weight 0%\n      proportional b\n")
    assert "weighted mean of" in text
    [(code, message)] = _codes(text)
    assert code == "E311" and "`z` is worth 0 points" in message


def test_zero_point_node_inside_a_larger_share_is_accepted() -> None:
    text = _ZERO_BASE + "index ci = share of max x, z  round 4\n"
    assert _codes(text) == []
    methodology = egov_rules.compile(text, "zero.egr")
    evaluation = methodology.evaluate({"a": "0.3", "b": "1"}, block="province")
    assert evaluation.index("ci").rounded == Fraction("0.3")           # (30 + 0) / (100 + 0)


# -- UN EGDI 2022 (the published table: tests/test_published_egdi.py) -------------------------


def test_egdi_example_data_ranks_by_hand() -> None:
    methodology = _load("un-egdi-2022.egr")
    ranking = methodology.evaluate_many(
        load_data(ROOT / "examples" / "un-egdi-2022-data.csv", model=methodology.model))
    # EGDI = (OSI + HCI + TII) / 3, 4 decimals half up:
    #   A (0.9 + 0.85 + 0.8) / 3 = 0.85; B 2.1001 / 3 = 0.700033… and C 2.0999 / 3 = 0.699966…
    #   both 0.7000, so they share 2nd and D is 4th; D 1.0 / 3 = 0.3333…; E 0.45 / 3 = 0.15.
    expected = {"A": ("0.85", 1, "Very high"), "B": ("0.7", 2, "High"), "C": ("0.7", 2, "High"),
                "D": ("0.3333", 4, "Middle"), "E": ("0.15", 5, "Low")}
    assert len(ranking.evaluations) == len(expected)
    for letter, (rounded, rank, grade) in expected.items():
        name = f"Country {letter} (illustrative)"
        egdi = ranking.evaluation(name).index("egdi")
        assert (egdi.rounded, egdi.grade_en) == (Fraction(rounded), grade), name
        assert ranking.rank_of(name, "egdi") == rank, name
    assert ranking.evaluation("Country B (illustrative)").index("egdi").value == Fraction(21001, 30000)


# -- Government Office KPIs, 2018 --------------------------------------------------------------


def test_kpi_reproduces_the_published_shares() -> None:
    ranking = _load("vn-egov-kpi-2018.egr").evaluate_many(_data("vn-egov-kpi-2018-data.yaml"))
    central = ranking.evaluation("Trung ương (tổng hợp 2018)").index("ty_le_dvc_co_ho_so")
    local = ranking.evaluation("Địa phương (tổng hợp 2018)").index("ty_le_dvc_co_ho_so")
    assert central.value == Fraction(583, 1578)
    assert central.rounded == Fraction("0.3695")     # 583/1578 = 0.369455… → 0.3695 (36.95 %)
    assert local.value == Fraction(4864, 47774)
    assert local.rounded == Fraction("0.1018")       # 4864/47774 = 0.101812… → 0.1018 (10.18 %)


def test_kpi_targets_without_figures_are_not_applicable_not_failed() -> None:
    ranking = _load("vn-egov-kpi-2018.egr").evaluate_many(_data("vn-egov-kpi-2018-data.yaml"))
    for evaluation in ranking.evaluations:
        for target in ("dat_muc_4", "dat_ho_so"):
            result = evaluation.index(target)
            assert result.value is None and result.grade is None
        assert not evaluation.node("muc_tieu_2021").applicable


@pytest.mark.parametrize(("online", "grade"), [(2999, "Chưa đạt"), (3000, "Đạt")])
def test_kpi_thirty_percent_target(online: int, grade: str) -> None:
    kpi = _load("vn-egov-kpi-2018.egr")
    evaluation = kpi.evaluate({"dvc_muc_3_4": 10, "dvc_muc_3_4_co_ho_so": 5,
                               "dvc_du_dieu_kien": 10, "dvc_muc_4": 10,
                               "ho_so_muc_4_1_nam": 10_000, "ho_so_truc_tuyen": online},
                              block="local")
    # 2999/10000 = 0.2999 < 30 % → not met; 3000/10000 = 0.30 → met. 10/10 at level 4 → met.
    assert evaluation.index("dat_ho_so").grade == grade
    assert evaluation.index("dat_muc_4").grade == "Đạt"


# -- Decision 62 (2016) --------------------------------------------------------------------------

SIX = ("infrastructure_index", "internal_index", "portal_index", "services_index", "policy_index",
       "people_index")


def test_ict_has_six_category_indices_and_no_overall(ict: egov_rules.Methodology) -> None:
    assert list(ict.model.indices) == list(SIX)
    assert set(ict.model.ranks) == set(SIX) and set(ict.model.grades) == set(SIX)
    assert list(ict.model.blocks) == ["ministry", "agency", "province"]
    assert all(i.round == 3 for i in ict.model.indices.values())


def test_ict_ties_share_a_rank(ict_ranking: Ranking) -> None:
    # policy: D 30+20+30+20 = 100 → 1.000; E 30+20+min(40,30)+20 = 100 → 1.000;
    # G 30+20+min(20,30)+20 = 90 → 0.900. Competition ranking: 1, 1, 3.
    ranks = [(r.entity, r.rank) for r in ict_ranking.table("policy_index", "province")]
    assert ranks == [("Tỉnh D (minh hoạ)", 1), ("Tỉnh E (minh hoạ)", 1), ("Tỉnh G (minh hoạ)", 3)]
    assert ict_ranking.evaluation("Tỉnh G (minh hoạ)").index("policy_index").grade == "Tốt"


def test_ict_zero_staff_gives_zero_shares_by_rule(ict_ranking: Ranking) -> None:
    b = ict_ranking.evaluation("Bộ B (minh hoạ)")
    for node in ("computers", "antivirus", "bandwidth", "email", "it_staff_quality"):
        assert b.node(node).points == 0, node                      # 0/0 → 0 by the `if … = 0` rule
    # WAN still counts: 5/5 × 45 + min(2, 5) = 47; no data centre, no server room → 0.
    assert b.node("infrastructure").points == 47
    assert b.index("infrastructure_index").rounded == Fraction("0.235")   # 47/200
    assert "staff = 0" in b.explain("en")


def test_ict_perfect_score_is_one(ict_ranking: Ranking) -> None:
    d = ict_ranking.evaluation("Tỉnh D (minh hoạ)")
    for index in SIX:
        assert d.index(index).rounded == 1, index
        assert d.index(index).grade == "Tốt"
        assert ict_ranking.rank_of("Tỉnh D (minh hoạ)", index) == 1
    assert d.node("internal").max == 120                           # provinces add one-stop (20)


def test_ict_scores_by_hand(ict_ranking: Ranking) -> None:
    a = ict_ranking.evaluation("Bộ A (minh hoạ)")
    # Bộ A is the best bandwidth per civil servant among ministries (0.5 vs Bộ B's 0 by rule):
    # 19 + 16 + 40 + 45.5 + 50 = 170.5 → 170.5/200 = 0.8525 → 0.853 (half up) → "Tốt".
    assert a.node("bandwidth").points == 40
    assert a.index("infrastructure_index").rounded == Fraction("0.853")
    assert a.index("infrastructure_index").grade == "Tốt"
    c = ict_ranking.evaluation("Cơ quan C (minh hoạ)")
    # No units: WAN share drops out (max 200 − 45 = 155); 20 + 10 + 40 + 0 + 30 = 100 → 0.645.
    assert c.node("infrastructure").max == 155
    assert c.index("infrastructure_index").rounded == Fraction("0.645")
    assert c.index("services_index").rounded == 0                   # no online services
    assert c.index("people_index").rounded == Fraction("0.625")     # (40 + 10) / 80, no IT unit
    e = ict_ranking.evaluation("Tỉnh E (minh hoạ)")
    # 19 + 15 + (0.5/1 × 40 = 20) + (27/30 × 45 + 3 = 43.5) + (server room 30 + backup 10)
    # = 137.5 → 0.6875 → 0.688 → "Trung bình" (below 0.70).
    assert e.index("infrastructure_index").rounded == Fraction("0.688")
    assert e.index("infrastructure_index").grade == "Trung bình"
    # internal: 1600/2000 × 30 + 70% × 30 + 4 × 5 + 15 + 20 = 24 + 21 + 20 + 15 + 20 = 100 of 120.
    assert e.index("internal_index").rounded == Fraction("0.833")
    assert e.index("internal_index").grade == "Khá"
    g = ict_ranking.evaluation("Tỉnh G (minh hoạ)")
    # Data centre case b (international certificate): 35 + 25 = 60.
    assert g.node("data_centre").points == 60
    # people: no unit 0 + 1/3 × 40 + 20% × 40 = 13⅓ + 8 = 21⅓ of 100 → 0.213.
    assert g.index("people_index").rounded == Fraction("0.213")


def test_ict_marks_every_unconfirmed_node(ict: egov_rules.Methodology) -> None:
    nodes = list(ict.model.nodes.values())
    confirmed = [n for n in nodes if n.get("reconstructed") is None]
    reconstructed = [n for n in nodes if n.get("reconstructed") is not None]
    # Confirmed: exactly the decree's six categories, each citing Decision 62.
    assert [n.id for n in confirmed] == ["infrastructure", "internal", "portal", "services",
                                         "policy", "people"]
    assert all(any("QĐ 62/QĐ-BTTTT" in c.text for c in n.citations) for n in confirmed)
    assert len(reconstructed) >= 30
    assert all(n.citations and str(n.get("reconstructed").value).strip()  # type: ignore[union-attr]
               for n in reconstructed)
    # A category adds no figure of its own: its maximum is the sum of its criteria's, per block.
    for category in confirmed:
        for block in ict.model.blocks_of[category.id]:
            children = [declared_max(c, block) or 0 for c in category.children
                        if block in ict.model.blocks_of[c.id]]
            assert declared_max(category, block) == sum(children), (category.id, block)
    # The 1B-based nodes say where the figures come from.
    computers = ict.model.nodes["computers"]
    assert "Phụ lục 1B" in computers.citations[0].text and "2342" in computers.citations[0].text


def test_ict_explanation_shows_the_reconstruction_mark(ict_ranking: Ranking) -> None:
    evaluation = ict_ranking.evaluation("Tỉnh E (minh hoạ)")
    assert evaluation.node("level4").reconstructed is not None
    vi, en = evaluation.explain("vi"), evaluation.explain("en")
    line_vi = next(line for line in vi.splitlines() if "Dịch vụ công trực tuyến mức độ 4" in line)
    assert "tái dựng" in line_vi
    line_en = next(line for line in en.splitlines() if "Level-4 online services" in line)
    assert "reconstruction" in line_en


def test_cli_explains_one_province() -> None:
    out = io.StringIO()
    code = cli.main(["score", str(ROOT / "methodologies" / "vn-ict-2016.egr"),
                     str(ROOT / "examples" / "vn-ict-2016-data.yaml"),
                     "--entity", "Tỉnh E (minh hoạ)", "--explain", "--lang", "en"], out)
    assert code == 0
    text = out.getvalue()
    assert "Tỉnh E (minh hoạ)" in text and "reconstruction" in text
    assert "0.688" in text                                          # infrastructure index


def _walk_ids(nodes: tuple[s.Node, ...]) -> list[str]:
    return [n.id for n in s.walk_nodes(nodes)]


def test_ict_blocks_differ_where_the_annexes_do(ict: egov_rules.Methodology) -> None:
    blocks_of = ict.model.blocks_of
    assert blocks_of["one_stop"] == ("province",)
    assert blocks_of["it_unit"] == ("ministry", "province")
    assert {declared_max(ict.model.nodes["people"], b) for b in ("ministry", "agency")} == {100, 80}
    assert "dc_notice" in _walk_ids(ict.model.tree.categories)
