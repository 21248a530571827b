"""What `egov-rules history` prints: each index's (or ranked node's) results by year, per
block — a table of ranks and values with the movement since the first year ranked, the same
as long rows for CSV and JSON, and an HTML page whose rows carry an inline SVG line of the
rank by year (no script, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby

from egov_rules.diagnostics import Lang
from egov_rules.history import Edition, YearResult
from egov_rules.numbers import exact_str, fmt_published
from egov_rules.report.safe import printable
from egov_rules.report.tables import Cell, Table


@dataclass(frozen=True, slots=True)
class Series:
    """One entity's results of one item in one block, by year."""

    entity: str
    by_year: dict[int, YearResult]

    @property
    def change(self) -> int | None:
        """Places climbed from the first year it was ranked to the last (None: ranked once
        or never)."""
        ranks = [r.rank for _, r in sorted(self.by_year.items()) if r.rank is not None]
        return ranks[0] - ranks[-1] if len(ranks) > 1 else None


@dataclass(frozen=True, slots=True)
class Panel:
    """One item of one block: its series, best ranked in the last year first."""

    item: str
    label: str
    block: str
    years: tuple[int, ...]
    series: tuple[Series, ...]


def panels(results: Sequence[YearResult], editions: Sequence[Edition], lang: Lang
           ) -> list[Panel]:
    years = tuple(e.year for e in editions)
    found: list[Panel] = []
    for (item, block), rows in groupby(results, key=lambda r: (r.item, r.block)):
        rows_list = list(rows)
        series = [Series(entity, {r.year: r for r in group})
                  for entity, group in groupby(rows_list, key=lambda r: r.entity)]
        series.sort(key=lambda s: _last_rank(s, years))
        labels = [r.label_en if lang == "en" and r.label_en else r.label for r in rows_list]
        label = next((x for x in reversed(labels) if x), None) or item
        found.append(Panel(item, label, block, years, tuple(series)))
    ranked = [p for p in found if any(r.rank is not None for s in p.series
                                      for r in s.by_year.values())]
    return ranked + [p for p in found if p not in ranked]


def _last_rank(series: Series, years: Sequence[int]) -> tuple[int, int, str]:
    for year in reversed(years):
        row = series.by_year.get(year)
        if row is not None and row.rank is not None:
            return (0, row.rank, series.entity)
    return (1, 0, series.entity)


def _value(row: YearResult, lang: Lang) -> str:
    return "" if row.value is None else fmt_published(row.value, lang, row.digits)


def _cell(row: YearResult | None, lang: Lang) -> str:
    if row is None:
        return ""
    value = _value(row, lang)
    return f"{row.rank} ({value})" if row.rank is not None else value


def _change(change: int | None) -> str:
    if change is None:
        return ""
    return f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "="


def tables(panels_: Sequence[Panel], lang: Lang) -> list[Table]:
    """Text and Markdown: one table a panel, a column a year ("rank (value)")."""
    entity, change = ("Entity", "Change") if lang == "en" else ("Đơn vị", "Thay đổi")
    found = []
    for panel in panels_:
        rows: list[list[Cell]] = [
            [s.entity, *(_cell(s.by_year.get(y), lang) for y in panel.years), _change(s.change)]
            for s in panel.series]
        found.append(Table(f"{panel.label} ({panel.item}) — {panel.block}",
                           [entity, *map(str, panel.years), change], rows,
                           caption=("rank (value as published); change: places since the first "
                                    "year ranked" if lang == "en" else
                                    "hạng (giá trị công bố); thay đổi: số bậc so với năm đầu "
                                    "được xếp hạng")))
    return found


LONG_HEADERS = ("year", "entity", "block", "item", "value", "rank", "grade", "moved")


def long_rows(results: Sequence[YearResult]) -> list[list[Cell]]:
    """CSV: one row per entity, item and year (values exact decimals, as the data's)."""
    return [[r.year, r.entity, r.block, r.item, r.value, r.rank, r.grade, r.moved]
            for r in results]


def as_json(results: Sequence[YearResult], editions: Sequence[Edition]) -> dict[str, object]:
    return {
        "editions": [{"year": e.year, "methodology": e.methodology, "title": e.title,
                      "content_hash": e.content_hash, "inputs_hash": e.inputs_hash,
                      "record_sha256": e.record_sha256, "entities": e.entities}
                     for e in editions],
        "results": [{"year": r.year, "entity": r.entity, "block": r.block, "item": r.item,
                     "value": None if r.value is None else exact_str(r.value),
                     "rank": r.rank, "grade": r.grade, "grade_en": r.grade_en, "moved": r.moved}
                    for r in results],
    }


# -- HTML ----------------------------------------------------------------------------------

_W, _H, _PAD = 160, 36, 4  # a row's trend line: width, height, margin (px)


def spark(ranks: Sequence[int | None], worst: int) -> str:
    """An inline SVG line of ranks by year, rank 1 at the top; a year without a rank breaks
    the line. Each point carries its rank in a <title> (shown on hover)."""
    step = (_W - 2 * _PAD) / max(len(ranks) - 1, 1)
    points = [None if rank is None else
              (_PAD + k * step, _PAD + (rank - 1) / max(worst - 1, 1) * (_H - 2 * _PAD), rank)
              for k, rank in enumerate(ranks)]
    runs = [list(run) for ranked, run in groupby(points, key=lambda p: p is not None) if ranked]
    lines = "".join(
        '<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)  # type: ignore[misc]
        + '" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>' for run in runs if len(run) > 1)
    dots = "".join(f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="2" fill="#1f5fa8">'
                   f"<title>{p[2]}</title></circle>" for p in points if p is not None)
    return (f'<svg class="trend" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{lines}{dots}</svg>')


def html_page(panels_: Sequence[Panel], editions: Sequence[Edition], lang: Lang) -> str:
    def text(value: str) -> str:
        return escape(printable(value, one_line=True))

    title = "Results by year" if lang == "en" else "Kết quả qua các năm"
    head = ("Entity", "Trend (rank)", "Change") if lang == "en" else \
        ("Đơn vị", "Xu hướng (hạng)", "Thay đổi")
    body = [f"<h1>{title}</h1>", "<ul>"]
    body += [f"<li>{e.year}: {text(e.title or e.methodology)} "
             f"(<code>{text(e.methodology)}</code>)</li>" for e in editions]
    body.append("</ul>")
    for panel in panels_:
        worst = max((r.rank for s in panel.series for r in s.by_year.values()
                     if r.rank is not None), default=1)
        ranked = worst > 0 and any(r.rank is not None for s in panel.series
                                   for r in s.by_year.values())
        body.append(f"<h2>{text(panel.label)} (<code>{text(panel.item)}</code>) — "
                    f"{text(panel.block)}</h2><table><thead><tr><th>{head[0]}</th>")
        body += [f"<th>{y}</th>" for y in panel.years]
        body.append(f"{'<th>' + head[1] + '</th>' if ranked else ''}<th>{head[2]}</th></tr>"
                    "</thead><tbody>")
        for series in panel.series:
            cells = "".join(_html_cell(series.by_year.get(y), lang) for y in panel.years)
            trend = f"<td>{spark([_rank(series, y) for y in panel.years], worst)}</td>" \
                if ranked else ""
            body.append(f"<tr><td>{text(series.entity)}</td>{cells}{trend}"
                        f"<td>{_change(series.change)}</td></tr>")
        body.append("</tbody></table>")
    return ("<!DOCTYPE html>\n<html lang=\"" + lang + "\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def _rank(series: Series, year: int) -> int | None:
    row = series.by_year.get(year)
    return None if row is None else row.rank


def _html_cell(row: YearResult | None, lang: Lang) -> str:
    if row is None:
        return "<td></td>"
    exact = "" if row.value is None else exact_str(row.value)
    value = escape(_value(row, lang))
    rank = f"<b>{row.rank}</b> " if row.rank is not None else ""
    return (f'<td><span class="num" data-year="{row.year}" data-item="{escape(row.item)}" '
            f'data-value="{escape(exact)}">{rank}{value}</span></td>')


_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}"
        "td:first-child,th:first-child{text-align:left}svg.trend{display:block}")
