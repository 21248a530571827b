"""Bands and grade bands: every row reachable, rows in order, every possible value covered."""

from __future__ import annotations

import math
from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.checks.domains import Domain, Domains, Interval, reads_unknown_name, subtract
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
                    span: Span, grades: bool = False) -> None:
    covered: list[Interval] = []
    previous: s.Band | None = None
    for index, band in enumerate(bands):
        region = band_interval(band, domain.integer).intersect(domain.interval)
        fresh = subtract([region], covered)
        if all(piece.empty(domain.integer) for piece in fresh):
            after_otherwise = any(b.threshold is None for b in bands[:index])
            _report_unreachable(band, previous, after_otherwise, region, domain, reporter)
        covered.append(region)
        if band.threshold is not None:
            previous = band
    gaps = [g for g in subtract([domain.interval], covered) if not g.empty(domain.integer)]
    if gaps:
        en, vi = gaps[0].describe(domain.integer)
        hint = Text('add a last row `otherwise: "<grade>"`',
                    'thêm dòng cuối `otherwise: "<xếp loại>"`') if grades else \
            Text("add a last row `otherwise: 0` (or the points the decree gives)",
                 "thêm dòng cuối `otherwise: 0` (hoặc số điểm văn bản quy định)")
        reporter.report(codes.BANDS_NOT_COVERING, span, gap=en, gap_vi=vi, hint=hint)


def _report_unreachable(band: s.Band, previous: s.Band | None, after_otherwise: bool,
                        region: Interval, domain: Domain, reporter: Reporter) -> None:
    if previous is not None and band.threshold is not None and _out_of_order(previous, band):
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
    elif after_otherwise:
        en, vi = ("an `otherwise` row above it takes every value; `otherwise` goes last",
                  "dòng `otherwise` phía trên đã nhận mọi giá trị; `otherwise` phải đặt cuối")
    elif domain.integer:  # e.g. `above 2` then `at least 3`: the same whole numbers
        en, vi = ("earlier rows already take every whole number it admits",
                  "các dòng trước đã nhận mọi số nguyên mà dòng này nhận")
    else:
        en, vi = ("earlier rows already take every value it admits",
                  "các dòng trước đã nhận mọi giá trị mà dòng này nhận")
    reporter.report(codes.BAND_UNREACHABLE, band.span, reason=en, reason_vi=vi)


def _out_of_order(previous: s.Band, band: s.Band) -> bool:
    """True when a row's threshold is on the wrong side of the row before it (an unreachable
    row whose threshold is in order, e.g. a repeated threshold, is not out of order)."""
    assert previous.threshold is not None and band.threshold is not None
    if _family(previous.op) != _family(band.op):
        return False
    before, this = previous.threshold.value, band.threshold.value
    return this > before if _family(band.op) == "up" else this < before


def check_bands(tree: s.Methodology, symbols: Symbols, reporter: Reporter) -> None:
    domains = Domains(symbols)
    for node in s.walk_nodes(tree.categories):
        for rule in node.rules:
            if isinstance(rule, s.Bands) and not reads_unknown_name(rule.expr, symbols):
                check_band_list(rule.bands, domains.of(rule.expr), reporter, rule.span)
    for grades in tree.grades:
        check_band_list(grades.bands, UNIT_INTERVAL, reporter, grades.span, grades=True)
