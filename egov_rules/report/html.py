"""A self-contained HTML5 report of a ranking or of one evaluation, in Vietnamese or English.

One file, no network, no script: inline CSS and inline SVG only. Every number shown is a
`<span class="num">` (or SVG `<text>`) whose `data-*` attributes say which result it comes
from and whose `data-value` holds the exact value as the JSON output writes it, so a test or
an auditor can check the page against the results.

Data preparation (`_rank_tables`, `_entity_ranks`, `_groups`, `_share`, …) is kept apart from markup (`_m_*`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from egov_rules.diagnostics import Lang
from egov_rules.explain import gain_rows, index_label, node_standing_rows, standing_rows, step_words
from egov_rules.numbers import exact_str, fmt, fmt_published
from egov_rules.report.safe import printable
from egov_rules.report.style import CSS
from egov_rules.report.words import phrase
from egov_rules.results import Evaluation, IndexResult, MethodologyInfo, NodeResult, Ranking, ValueRead
from egov_rules.source import shown_path


def _w(key: str, lang: Lang) -> str:
    """A fixed phrase, escaped for HTML."""
    return escape(phrase(key, lang))


# -- data preparation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    rank: int | None
    tied: bool
    entity: str
    value: Fraction | None
    grade: str | None


@dataclass(frozen=True)
class _RankTable:
    # any entity's result of the ranked index or node: its label (an index's declared
    # rounding too; a node's points are shown as they are)
    index: IndexResult | NodeResult
    block: str
    block_label: str
    rows: tuple[_Row, ...]


def _share(points: Fraction, maximum: Fraction) -> Fraction:
    """Points as a share of the maximum, held to 0..1 for drawing."""
    return min(max(points / maximum, Fraction(0)), Fraction(1))


def _short(text: str, limit: int = 60) -> str:
    """A label cut to fit one line of the chart (the whole label is in its <title>)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _grade(index: IndexResult, lang: Lang) -> str | None:
    return (index.grade_en or index.grade) if lang == "en" else index.grade


def _rank_tables(ranking: Ranking, lang: Lang) -> list[_RankTable]:
    """One table per block and ranked index, best first; a tie is a rank shared by two rows."""
    tables: list[_RankTable] = []
    for block in dict.fromkeys(e.block for e in ranking.evaluations):
        members = [e for e in ranking.evaluations if e.block == block]
        for index_id in dict.fromkeys(r.index for r in ranking.ranks):
            entries = ranking.table(index_id, block)
            if not entries:
                continue
            shared = Counter(r.rank for r in entries if r.rank is not None)
            rows = tuple(
                _Row(r.rank, r.rank is not None and shared[r.rank] > 1, r.entity, r.value,
                     (r.grade_en or r.grade) if lang == "en" else r.grade)
                for r in entries
            )
            first = members[0]
            ranked = first.index(index_id) if first.indices.has(index_id) else first.node(index_id)
            tables.append(_RankTable(ranked, block, _m_block(first, lang), rows))
    return tables


def _declared_round(ranked: IndexResult | NodeResult) -> int | None:
    """An index's `round N`; a node's points are shown as they are."""
    return ranked.round if isinstance(ranked, IndexResult) else None


def _main_index(ranking: Ranking) -> str | None:
    """The index a block's summary is ranked on: `overall` when ranked, else the first ranked."""
    indices = {i.id for i in ranking.evaluations[0].indices} if ranking.evaluations else set()
    ranked = [i for i in dict.fromkeys(r.index for r in ranking.ranks) if i in indices]
    return "overall" if "overall" in ranked else next(iter(ranked), None)


GRADE_STEPS = 4  # the report's grade colours: g0 (the best grade) … g4 (the worst)


def _grade_steps(evaluations: Iterable[Evaluation]) -> dict[str, int]:
    """grade → its colour, 0 (best) … GRADE_STEPS (worst). The results hold no band order, but
    bands follow the index: a grade is as low as the number of grades ever seen above it."""
    best: dict[tuple[str, str], Fraction] = {}  # (index, grade) → the highest value with it
    for evaluation in evaluations:
        for index in evaluation.indices:
            value = index.rounded if index.rounded is not None else index.value
            if index.grade is not None and value is not None:
                key = (index.id, index.grade)
                best[key] = max(best.get(key, value), value)
    above: dict[str, set[str]] = {grade: set() for _, grade in best}
    for (index_id, grade), value in best.items():
        above[grade] |= {g for (i, g), v in best.items() if i == index_id and v > value}
    worst = max(len(above) - 1, 1)
    return {grade: round(len(higher) * GRADE_STEPS / worst) for grade, higher in above.items()}


def _entity_ranks(ranking: Ranking | None) -> dict[str, dict[str, tuple[int, int]]]:
    """entity → index id → (its rank, how many entities of its block were ranked), for every
    entity in one pass: the report shows each entity's ranks, and searching the ranking once per
    entity made a large report quadratic."""
    if ranking is None:
        return {}
    ranked = Counter((r.index, r.block) for r in ranking.ranks if r.rank is not None)
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    for entry in ranking.ranks:
        if entry.rank is not None:
            ranks.setdefault(entry.entity, {})[entry.index] = (entry.rank,
                                                               ranked[entry.index, entry.block])
    return ranks


def _groups(evaluation: Evaluation) -> list[list[NodeResult]]:
    """Nodes grouped under their top-level category, in the methodology's order."""
    groups: list[list[NodeResult]] = []
    for node in evaluation.nodes:
        if node.depth == 0 or not groups:
            groups.append([])
        groups[-1].append(node)
    return groups


def _shown(value: Fraction, lang: Lang, digits: int | None) -> str:
    """`fmt` with the declared decimals kept (0,720 for `round 3`); ≈ when not exact."""
    text = fmt(value, lang) if digits is None else fmt_published(value, lang, digits)
    exact = Fraction(text.replace(",", ".")) == value
    return text if exact else f"≈ {text}"


def _audit(ranking: Ranking | None) -> list[tuple[str, str]]:
    """What the ranking records about how it was produced, when it was read from files."""
    if ranking is None:
        return []
    data = ranking.inputs_path and shown_path(ranking.inputs_path) + (
        f" [{ranking.inputs_sheet}]" if ranking.inputs_sheet else "")
    rules = ranking.methodology_path and shown_path(ranking.methodology_path)
    rows = [("rules_file", rules), ("data_file", data),
            ("data_hash", ranking.inputs_hash), ("version", ranking.library_version)]
    return [(key, value) for key, value in rows if value]


def _title(info: MethodologyInfo, lang: Lang) -> str:
    title = (info.title_en or info.title) if lang == "en" else (info.title or info.title_en)
    return title or info.id


def _node_label(node: NodeResult, lang: Lang) -> str:
    return (node.label_en or node.label) if lang == "en" else node.label


def _read_label(read: ValueRead, lang: Lang) -> str | None:
    return (read.label_en or read.label) if lang == "en" else read.label


# -- markup --------------------------------------------------------------------------------


def _num(value: Fraction, text: str, field: str, **keys: str) -> str:
    """A number with the keys that locate it in the JSON results and its exact value."""
    attrs = "".join(f' data-{k}="{escape(v)}"' for k, v in keys.items())
    return (f'<span class="num"{attrs} data-field="{field}" data-value="{exact_str(value)}">'
            f"{escape(text)}</span>")


def _page(title: str, lang: Lang, body: Iterable[str]) -> str:
    # Escaped HTML still carries a name's controls and bidi overrides: shown, they cannot act.
    return printable("\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may load from outside: the report must read the same offline and in 10 years.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
        *body, f"<footer>{_w('footer', lang)}</footer>", "</main>", "</body>", "</html>", "",
    ]))


def _m_header(info: MethodologyInfo, ranking: Ranking | None, lang: Lang, subtitle: str) -> str:
    year = _num(Fraction(info.year), str(info.year), "year") if info.year is not None else "—"
    rows = [("methodology", f"<code>{escape(info.id)}</code>"), ("year", year),
            ("source", escape(info.source or "—")),
            ("hash", f'<span class="hash">{escape(info.content_hash)}</span>')]
    rows += [(key, f'<span class="hash">{escape(value)}</span>') for key, value in _audit(ranking)]
    meta = "".join(f"<dt>{_w(key, lang)}</dt><dd>{value}</dd>" for key, value in rows)
    return (f"<header><h1>{escape(_title(info, lang))}</h1>"
            f'<p class="subtitle">{subtitle}</p><dl class="meta">{meta}</dl></header>')


def _m_toc(ranking: Ranking, lang: Lang) -> str:
    links = "".join(f'<li><a href="#entity-{i}">{escape(e.entity)}</a></li>'
                    for i, e in enumerate(ranking.evaluations))
    sections = "".join(f'<li><a href="#{key}">{_w(key, lang)}</a></li>' for key in ("summary", "rankings"))
    return (f'<nav class="toc" aria-label="{_w("contents", lang)}"><strong>{_w("contents", lang)}</strong>'
            f'<ol>{sections}<li><a href="#entities">'
            f'{_w("entities", lang)}</a><ul>{links}</ul></li></ol></nav>')


def _vi_only(text: str, lang: Lang) -> str:
    """A label the results hold in Vietnamese only, marked as such on an English page."""
    return f'<span lang="vi">{escape(text)}</span>' if lang == "en" else escape(text)


def _m_block(evaluation: Evaluation, lang: Lang) -> str:
    """The block's label as markup: its English label on an English page when it has one."""
    if lang == "en" and evaluation.block_label_en:
        return escape(evaluation.block_label_en)
    return _vi_only(evaluation.block_label or evaluation.block, lang)


def _m_index_name(index: IndexResult | NodeResult, lang: Lang) -> str:
    if lang == "en" and index.label_en:
        label = f"{escape(index.label_en)} "
    else:
        label = f"{_vi_only(index.label, lang)} " if index.label else ""
    return f"{label}<code>{escape(index.id)}</code>"


def _m_rank_table(table: _RankTable, lang: Lang) -> str:
    head = "".join(f'<th scope="col"{cls}>{_w(k, lang)}</th>' for k, cls in
                   (("rank", ' class="n"'), ("entity", ""), ("value", ' class="n"'), ("grade", "")))
    body = "".join(_m_rank_row(table, row, lang) for row in table.rows)
    caption = _m_index_name(table.index, lang)
    return (f'<div class="table-wrap"><table class="ranked"><caption>{caption}</caption><thead>'
            f"<tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _m_rank_row(table: _RankTable, row: _Row, lang: Lang) -> str:
    keys = {"index": table.index.id, "block": table.block, "entity": row.entity}
    if row.rank is None:
        rank = "—"
    else:
        tie = f'<span class="tie" title="{_w("tied", lang)}">=</span>' if row.tied else ""
        rank = tie + _num(Fraction(row.rank), str(row.rank), "rank", **keys)
    value = "—" if row.value is None else _num(
        row.value, _shown(row.value, lang, _declared_round(table.index)), "ranked", **keys)
    return (f'<tr><td class="n">{rank}</td><th scope="row">{escape(row.entity)}</th>'
            f'<td class="n">{value}</td><td>{escape(row.grade or "—")}</td></tr>')


def _m_rankings(ranking: Ranking, lang: Lang) -> list[str]:
    parts = [f'<section id="rankings"><h2>{_w("rankings", lang)}</h2>']
    tables = _rank_tables(ranking, lang)
    for block in dict.fromkeys(t.block for t in tables):
        in_block = [t for t in tables if t.block == block]
        parts.append(f"<h3>{_w('block', lang)}: {in_block[0].block_label} "
                     f'<code>{escape(block)}</code></h3><div class="rank-grid">')
        for table in in_block:
            rule = ranking.ties.get(table.index.id)
            legend = (f'<p class="legend">{_w(rule, lang)}</p>'
                      if any(row.tied for row in table.rows) and rule in ("competition", "dense") else "")
            parts.append(f"<div>{_m_rank_table(table, lang)}{legend}</div>")
        parts.append("</div>")
    parts.append("</section>")
    return parts


def _m_summaries(ranking: Ranking, steps: dict[str, int], lang: Lang) -> list[str]:
    """One compact table per block, one row per entity: every index with its grade's colour."""
    main = _main_index(ranking)
    anchors = {e.entity: f"entity-{i}" for i, e in enumerate(ranking.evaluations)}
    parts = [f'<section id="summary"><h2>{_w("summary", lang)}</h2>']
    for block in dict.fromkeys(e.block for e in ranking.evaluations):
        members = {e.entity: e for e in ranking.evaluations if e.block == block}
        order = ranking.table(main, block) if main is not None else []
        ranks = {r.entity: r.rank for r in order}
        names = [*ranks, *(name for name in members if name not in ranks)]
        first = next(iter(members.values()))
        head = "".join(f'<th scope="col" class="n" title="{escape(i.id)}">'
                       f"{escape(index_label(i, lang) or i.id)}</th>" for i in first.indices)
        body = "".join(_m_summary_row(members[name], ranks.get(name), main, anchors[name], steps, lang)
                       for name in names)
        note = ""
        if main is not None:
            note = escape(phrase("summary_note", lang).format(
                index=index_label(first.index(main), lang) or main))
        parts.append(
            f'<div class="summary"><h3>{_w("block", lang)}: {_m_block(first, lang)} '
            f'<code>{escape(block)}</code></h3><p class="legend">{note}</p>'
            f'<table class="summary"><thead><tr><th scope="col" class="n">{_w("rank", lang)}</th>'
            f'<th scope="col">{_w("entity", lang)}</th>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")
    parts.append("</section>")
    return parts


def _m_summary_row(evaluation: Evaluation, rank: int | None, main: str | None, anchor: str,
                   steps: dict[str, int], lang: Lang) -> str:
    keys = {"entity": evaluation.entity}
    shown = "—" if rank is None or main is None else _num(Fraction(rank), str(rank), "rank",
                                                         index=main, **keys)
    cells = "".join(_m_graded(index, keys, steps, lang) for index in evaluation.indices)
    return (f'<tr><td class="n">{shown}</td><th scope="row"><a href="#{anchor}">'
            f"{escape(evaluation.entity)}</a></th>{cells}</tr>")


def _m_graded(index: IndexResult, keys: dict[str, str], steps: dict[str, int], lang: Lang) -> str:
    """An index's value and grade word in a cell coloured by the grade (the word for print and
    for readers who do not tell the colours apart)."""
    value = index.rounded if index.rounded is not None else index.value
    field = "rounded" if index.rounded is not None else "value"
    shown = "—" if value is None else _num(value, _shown(value, lang, index.round), field,
                                           index=index.id, **keys)
    grade = _grade(index, lang)
    colour = f' class="n g{steps[index.grade]}"' if index.grade in steps else ' class="n"'
    word = f' <span class="grade">{escape(grade)}</span>' if grade else ""
    return f"<td{colour}>{shown}{word}</td>"


PRINTED_GAINS = 5  # a whole ranking's print keeps each entity on one page (style.py)


def _m_gains(evaluation: Evaluation, lang: Lang) -> str:
    """The largest gains, the rows `explain` prints; those beyond the PRINTED_GAINS largest
    are marked `more`, left out when a whole ranking is printed."""
    labels = {n.id: _node_label(n, lang) for n in evaluation.nodes}
    entity = evaluation.entity
    found = gain_rows(evaluation)
    if not found:
        return f'<p class="legend gains">{_w("no_gains", lang)}</p>'
    largest = set(sorted(range(len(found)), key=lambda k: -found[k].next.gain)[:PRINTED_GAINS])
    rows = "".join(
        ("<tr>" if k in largest else '<tr class="more">') +
        f"<td>{escape(labels.get(r.category, r.category))}</td><td>{escape(labels[r.node.id])}</td>"
        f'<td class="n">{_num(r.next.gain, fmt(r.next.gain, lang), "gain", entity=entity, node=r.node.id)}'
        f"</td><td>{escape(r.next.words(lang))}</td></tr>" for k, r in enumerate(found))
    head = "".join(f'<th scope="col"{c}>{_w(k, lang)}</th>' for k, c in
                   (("category", ""), ("criterion", ""), ("gain", ' class="n"'), ("how", "")))
    printed = (f'<p class="legend print-only">{_w("gains_printed", lang).format(count=PRINTED_GAINS)}</p>'
               if len(found) > PRINTED_GAINS else "")
    return (f'<div class="table-wrap"><table class="gains"><caption>{_w("gains", lang)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="legend">{_w("gain_note", lang)}</p>{printed}</div>')


def _m_standing(evaluation: Evaluation, ranking: Ranking, steps: dict[str, int], lang: Lang) -> str:
    """Each index's next grade and next rank, the rows `explain` prints."""
    rows = []
    for index, step in standing_rows(evaluation, ranking):
        keys = {"entity": evaluation.entity, "index": index.id}
        value = index.rounded if index.rounded is not None else index.value
        field = "rounded" if index.rounded is not None else "value"
        shown = "—" if value is None else _num(value, fmt_published(value, lang, index.round), field, **keys)
        rank = ("" if step is None or step.rank is None
                else f"{_num(Fraction(step.rank), str(step.rank), 'rank', **keys)}/{step.of}")
        colour = f' class="g{steps[index.grade]}"' if index.grade in steps else ""
        rows.append(f"<tr><td>{escape(index_label(index, lang) or index.id)}</td>"
                    f'<td class="n">{shown}</td><td{colour}>{escape(_grade(index, lang) or "")}</td>'
                    f'<td class="n">{rank}</td>'
                    f'<td>{escape(index.next_grade(lang) if index.next_grade else "")}</td>'
                    f'<td>{escape("" if step is None else step_words(step, lang))}</td></tr>')
    for node, step in node_standing_rows(evaluation, ranking):  # ranked on their points
        keys = {"entity": evaluation.entity, "node": node.id}
        shown = "—" if node.points is None else _num(node.points, fmt(node.points, lang), "points", **keys)
        rank = ("" if step.rank is None
                else f"{_num(Fraction(step.rank), str(step.rank), 'rank', **keys)}/{step.of}")
        rows.append(f"<tr><td>{escape(_node_label(node, lang))}</td>"
                    f'<td class="n">{shown}</td><td></td><td class="n">{rank}</td><td></td>'
                    f"<td>{escape(step_words(step, lang, node=True))}</td></tr>")
    head = "".join(f'<th scope="col"{c}>{_w(k, lang)}</th>' for k, c in
                   (("index", ""), ("value", ' class="n"'), ("grade", ""), ("rank", ' class="n"'),
                    ("next_grade", ""), ("next_rank", "")))
    return (f'<div class="table-wrap"><table class="standing"><caption>{_w("standing", lang)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _m_chart(evaluation: Evaluation, anchor: str, lang: Lang) -> str:
    """Each top-level category's points as a share of its maximum, one bar per row."""
    bars, row = [node for node in evaluation.nodes if node.depth == 0], 46
    title = f"{_w('chart', lang)} — {escape(evaluation.entity)}"
    return (f'<svg class="chart" role="img" viewBox="0 0 560 {row * len(bars) + 4}" '
            f'aria-labelledby="{anchor}-chart"><title id="{anchor}-chart">{title}</title>'
            + "".join(_m_bar(bar, evaluation.entity, i * row, lang) for i, bar in enumerate(bars))
            + "</svg>")


def _m_bar(node: NodeResult, entity: str, y: int, lang: Lang, track: int = 440) -> str:
    label, at = escape(_node_label(node, lang)), f'x="{track + 10}" y="{y + 36}"'
    if node.points is None or not node.max:
        description, width, number = f"{label}: {_w('na', lang)}", 0.0, f"<text {at}>—</text>"
    else:
        share = _share(node.points, node.max)
        percent, width = fmt(share, lang, share=True), float(track * share)
        number = (f'<text {at} class="num" data-entity="{escape(entity)}" data-node="{escape(node.id)}" '
                  f'data-field="share" data-share="{exact_str(share)}">{percent}</text>')
        description = (f"{label}: {fmt(node.points, lang)}/{fmt(node.max, lang)} "
                       f"{_w('points', lang)} ({percent})")
    return (f'<g role="img" aria-label="{description}"><title>{description}</title>'
            f'<text x="0" y="{y + 16}">{escape(_short(_node_label(node, lang)))}</text>'
            f'<rect class="track" x="0" y="{y + 24}" width="{track}" height="14" rx="3"/>'
            f'<rect class="bar" x="0" y="{y + 24}" width="{width:.2f}" height="14" rx="3"/>'
            f"{number}</g>")


def _m_indices(evaluation: Evaluation, ranks: dict[str, tuple[int, int]], lang: Lang) -> str:
    cols = [("index", ""), ("value", ' class="n"'), ("grade", "")]
    cols += [("rank", ' class="n"')] if ranks else []
    head = "".join(f'<th scope="col"{cls}>{_w(k, lang)}</th>' for k, cls in cols)
    body = "".join(_m_index_row(evaluation.entity, index, ranks, lang) for index in evaluation.indices)
    return (f'<div class="table-wrap indices"><table><caption>{_w("indices", lang)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _m_index_row(entity: str, index: IndexResult, ranks: dict[str, tuple[int, int]],
                 lang: Lang) -> str:
    keys = {"entity": entity, "index": index.id}
    shown = index.rounded if index.rounded is not None else index.value
    field = "rounded" if index.rounded is not None else "value"
    value = "—" if shown is None else _num(shown, _shown(shown, lang, index.round), field, **keys)
    lines = [escape(index.words(lang))]
    if index.value is not None and index.value != shown:
        exact = _num(index.value, _shown(index.value, lang, None), "value", **keys)
        lines.append(f"{_w('unrounded', lang)}: {exact}")
    if index.next_grade:
        lines.append(f"{_w('next_grade', lang)}: {escape(index.next_grade(lang))}")
    name = _m_index_name(index, lang) + "".join(f'<span class="how">{line}</span>' for line in lines)
    cells = [name, value, escape(_grade(index, lang) or "—")]
    if ranks:
        rank, of = ranks.get(index.id, (0, 0))
        cells.append(f"{_num(Fraction(rank), str(rank), 'rank', **keys)} / {of}" if of else "—")
    classes = ["", ' class="n"', "", ' class="n"'][: len(cells)]
    return "<tr>" + "".join(f"<td{c}>{cell}</td>" for c, cell in zip(classes, cells, strict=True)) + "</tr>"


def _m_value(read: ValueRead, keys: dict[str, str], lang: Lang) -> str:
    """`name = value`, the name's label in a tooltip."""
    label = _read_label(read, lang)
    title = f' title="{escape(label)}"' if label else ""
    value = escape(read.shown(lang))
    if isinstance(read.value, Fraction):
        value = _num(read.value, read.shown(lang), "read", input=read.name, **keys)
    return f"<code{title}>{escape(read.name)}</code> = {value}"


def _m_read(read: ValueRead, keys: dict[str, str], lang: Lang) -> str:
    label = _read_label(read, lang)
    line = _m_value(read, keys, lang)
    line = f"{escape(label)} ({line})" if label else line
    if read.formula:
        inner = ", ".join(_m_value(i, keys, lang) for i in read.inputs)
        where = f"; {_w('where', lang)} {inner}" if inner else ""
        line += f'<span class="formula">= <code>{escape(read.formula)}</code>{where}</span>'
    return line


def _m_node(node: NodeResult, entity: str, lang: Lang) -> str:
    keys = {"entity": entity, "node": node.id}
    if node.points is None or node.max is None:
        score = f'<span class="badge na">{_w("na", lang)}</span>'
    else:
        score = (f'<span class="score">{_num(node.points, fmt(node.points, lang), "points", **keys)}'
                 f' / {_num(node.max, fmt(node.max, lang), "max", **keys)} {_w("points", lang)}</span>')
    cites = "".join(f"<span>[{escape(c)}]</span> " for c in node.citations)
    if node.reconstructed:
        cites += (f'<span class="badge reconstructed" data-node="{escape(node.id)}">'
                  f'{_w("reconstructed", lang)}</span> {escape(node.reconstructed)}')
    facts = []
    if node.read:
        items = "".join(f"<li>{_m_read(r, keys, lang)}</li>" for r in node.read)
        facts.append(("read", f"<ul>{items}</ul>"))
    facts.append(("rule", escape(node.branch(lang))))
    if node.next is not None:
        gain = _num(node.next.gain, fmt(node.next.gain, lang), "gain", **keys)
        facts.append(("next", f'<span class="gain">+{gain} {_w("points", lang)}</span>: '
                              f"{escape(node.next.words(lang))}"))
    dl = "".join(f"<dt>{_w(k, lang)}</dt><dd>{v}</dd>" for k, v in facts)
    na, tag = " na" if node.points is None else "", "h5" if node.depth == 0 else "span"
    return (f'<div class="node depth-{min(node.depth, 3)}{na}"><div class="node-head">'
            f'<{tag} class="node-label">{escape(_node_label(node, lang))} <code>{escape(node.id)}</code>'
            f'</{tag}>{score}</div><div class="cites">{cites}</div><dl class="facts">{dl}</dl></div>')


def _m_entity(evaluation: Evaluation, anchor: str, ranks: dict[str, tuple[int, int]],
              ranking: Ranking | None, steps: dict[str, int], lang: Lang) -> str:
    block = _m_block(evaluation, lang)
    standing = "" if ranking is None else _m_standing(evaluation, ranking, steps, lang)
    groups = "".join(
        '<section class="category">' + "".join(_m_node(n, evaluation.entity, lang) for n in group)
        + "</section>" for group in _groups(evaluation)
    )
    return (f'<article class="entity" id="{anchor}"><h3>{escape(evaluation.entity)}</h3>'
            f'<p class="subtitle">{_w("block", lang)}: {block} <code>{escape(evaluation.block)}</code></p>'
            f"<h4>{_w('chart', lang)}</h4>{_m_chart(evaluation, anchor, lang)}"
            f"{_m_indices(evaluation, ranks, lang)}{standing}{_m_gains(evaluation, lang)}"
            f"<h4>{_w('explanation', lang)}</h4><div class=\"criteria\">{groups}</div></article>")


# -- public --------------------------------------------------------------------------------


def render_ranking_html(ranking: Ranking, lang: Lang = "vi") -> str:
    """The whole ranking: tables per block and ranked index, then every entity explained."""
    info = ranking.methodology
    steps = _grade_steps(ranking.evaluations)
    body = [_m_header(info, ranking, lang, _w("report", lang)), _m_toc(ranking, lang),
            *_m_summaries(ranking, steps, lang), *_m_rankings(ranking, lang),
            f'<section id="entities"><h2>{_w("entities", lang)}</h2>']
    ranks = _entity_ranks(ranking)
    body += [_m_entity(e, f"entity-{i}", ranks.get(e.entity, {}), ranking, steps, lang)
             for i, e in enumerate(ranking.evaluations)]
    body.append("</section>")
    return _page(f"{_title(info, lang)} — {phrase('report', lang)}", lang, body)


def render_evaluation_html(evaluation: Evaluation, ranking: Ranking | None, lang: Lang = "vi") -> str:
    """One entity explained; with `ranking`, its rank in its block for each ranked index."""
    info = evaluation.methodology
    subtitle = f"{_w('report', lang)} — {escape(evaluation.entity)}"
    ranks = _entity_ranks(ranking).get(evaluation.entity, {})
    steps = _grade_steps(ranking.evaluations if ranking is not None else [evaluation])
    body = [_m_header(info, ranking, lang, subtitle),
            _m_entity(evaluation, "entity-0", ranks, ranking, steps, lang)]
    return _page(f"{evaluation.entity} — {_title(info, lang)}", lang, body)
