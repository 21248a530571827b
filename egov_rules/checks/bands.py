"""Bands and grade bands: every row reachable, rows in order, every possible value covered."""

from __future__ import annotations

import math
from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.checks.domains import Domain, Domains, Interval, subtract
from egov_rules.diagnostics import Reporter, Text
from egov_rules.resolve import Symbols
from egov_rules.source import Span

UNIT_INTERVAL = Domain(Interval(Fraction(0), Fraction(1)), False)


def band_interval(band: s.Band, integer: bool) -> Interval:
    """The values a band's condition admits (before earlier bands take theirs)."""
    if band.threshold is None:
        return Interval(None, None)
    t = band.threshold.value
    if integer:  # whole-number inputs: `above 2` is `at least 3`
        bounds = {
            "at least": (math.ceil(t), None), "above": (math.floor(t) + 1, None),
            "at most": (None, math.floor(t)), "below": (None, math.ceil(t) - 1),
        }[band.op]
        lo, hi = bounds
        return Interval(None if lo is None else Fraction(lo), None if hi is None else Fraction(hi))
    return {
        "at least": Interval(t, None, True, True),
        "above": Interval(t, None, False, True),
        "at most": Interval(None, t, True, True),
        "below": Interval(None, t, True, False),
    }[band.op]


def _family(op: str) -> str:
    return "up" if op in ("at least", "above") else "down"


def _band_words(band: s.Band) -> str:
    if band.threshold is None:
        return "otherwise"
    return f"{band.op} {band.threshold.span.text}"


def check_band_list(bands: tuple[s.Band, ...], domain: Domain, reporter: Reporter,
                    span: Span) -> None:
    covered: list[Interval] = []
    previous: s.Band | None = None
    for band in bands:
        region = band_interval(band, domain.integer).intersect(domain.interval)
        fresh = subtract([region], covered)
        if all(piece.empty(domain.integer) for piece in fresh):
            _report_unreachable(band, previous, region, domain, reporter)
        covered.append(region)
        if band.threshold is not None:
            previous = band
    gaps = [g for g in subtract([domain.interval], covered) if not g.empty(domain.integer)]
    if gaps:
        en, vi = gaps[0].describe(domain.integer)
        reporter.report(
            codes.BANDS_NOT_COVERING, span, gap=en, gap_vi=vi,
            hint=Text("add a last row `otherwise: 0` (or the points the decree gives)",
                      "thêm dòng cuối `otherwise: 0` (hoặc số điểm văn bản quy định)"),
        )


def _report_unreachable(band: s.Band, previous: s.Band | None, region: Interval,
                        domain: Domain, reporter: Reporter) -> None:
    if (previous is not None and band.threshold is not None
            and _family(previous.op) == _family(band.op)):
        assert previous.threshold is not None
        up = _family(band.op) == "up"
        reporter.report(
            codes.BANDS_OUT_OF_ORDER, band.span, this=_band_words(band),
            previous=_band_words(previous),
            hint=Text(
                "list `at least`/`above` rows from the highest threshold down"
                if up else "list `at most`/`below` rows from the lowest threshold up",
                "liệt kê các dòng `at least`/`above` từ ngưỡng cao nhất xuống"
                if up else "liệt kê các dòng `at most`/`below` từ ngưỡng thấp nhất lên",
            ),
        )
        return
    if region.empty(domain.integer):
        en, vi = "no possible value meets its condition", "không giá trị nào thoả điều kiện"
    else:
        en, vi = ("earlier rows already take every value it admits",
                  "các dòng trước đã nhận mọi giá trị mà dòng này nhận")
    reporter.report(codes.BAND_UNREACHABLE, band.span, reason=en, reason_vi=vi)


def check_bands(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    domains = Domains(symbols)
    for node in s.walk_nodes(tree.categories):
        for rule in node.rules:
            if isinstance(rule, s.Bands):
                check_band_list(rule.bands, domains.of(rule.expr), reporter, rule.span)
    for grades in tree.grades:
        check_band_list(grades.bands, UNIT_INTERVAL, reporter, grades.span)
