"""The report's inline stylesheet: readable on a screen, on a phone and on paper."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1d2733; --muted: #5b6878; --line: #d9dfe7; --soft: #f4f6f9;
  --accent: #1f5fa8; --accent-soft: #dbe7f5; --good: #1d7a46; --warn: #9a5b00;
  --g0: #cdebd6; --g1: #e2f2d0; --g2: #fbefc4; --g3: #fbdcc0; --g4: #f6c9c9;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
        Arial, sans-serif;
}
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem;
     border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.15rem; margin: 1.75rem 0 .6rem; }
h4 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
code, .hash { font-family: var(--mono); font-size: .85em; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0;
        padding: .9rem 1rem; background: var(--soft); border-radius: 6px; font-size: .92rem; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { font-size: .92rem; }
nav.toc ol { padding-left: 1.4rem; margin: .3rem 0; }
nav.toc ul { padding-left: 1.2rem; columns: 2 14rem; }
a { color: var(--accent); }
.table-wrap { overflow-x: auto; margin: .5rem 0 1.25rem; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 .35rem; }
th, td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; }
thead th { white-space: nowrap; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em;
           color: var(--muted); border-bottom: 2px solid var(--line); }
tbody tr:nth-child(even) { background: #fafbfc; }
td.n, th.n { text-align: right; white-space: nowrap; }
td code, caption code { overflow-wrap: anywhere; }
.num { font-variant-numeric: tabular-nums; }
.rank-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
             gap: 0 2rem; }
table.ranked td.n:first-child { width: 3.5rem; }
table.ranked th[scope=row] { font-weight: 500; }
.formula { display: block; color: var(--muted); font-size: .85rem; }
.tie { color: var(--warn); font-weight: 600; }
.legend { font-size: .85rem; color: var(--muted); margin: -.75rem 0 1rem; }
.print-only { display: none; }
.muted, .how { color: var(--muted); font-size: .85rem; }
.how { display: block; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .78rem;
         background: var(--accent-soft); color: var(--accent); white-space: nowrap; }
.badge.reconstructed { background: #fff1d6; color: var(--warn); }
.badge.na { background: var(--soft); color: var(--muted); }
article.entity { margin: 2.5rem 0; padding-top: .5rem; border-top: 1px solid var(--line); }
article.entity > h3 { font-size: 1.3rem; margin-top: .75rem; }
.chart { width: 100%; max-width: 40rem; height: auto; display: block; margin: .5rem 0 1rem; }
.chart text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
              fill: var(--ink); }
.chart .track { fill: #e9edf2; }
.chart .bar { fill: var(--accent); }
.category { margin: 1.25rem 0; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.category > .node:first-child { background: var(--soft); }
.node { padding: .7rem 1rem; border-top: 1px solid var(--line); }
.category > .node:first-child { border-top: 0; }
.node.depth-2 { padding-left: 2.25rem; }
.node.depth-3 { padding-left: 3.5rem; }
.node.na { color: var(--muted); }
.node-head { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: baseline; }
.node-label { font-weight: 600; flex: 1 1 16rem; font-size: 1rem; margin: 0; }
.score { white-space: nowrap; font-weight: 600; }
.cites { font-size: .82rem; color: var(--muted); margin-top: .15rem; }
.facts { display: grid; grid-template-columns: 9rem 1fr; gap: .2rem .75rem; margin: .5rem 0 0;
         font-size: .92rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.facts ul { margin: 0; padding-left: 1.1rem; }
.gain { color: var(--good); font-weight: 600; white-space: nowrap; }
/* Grade colours, best (g0) to worst (g4); the grade's word is always written beside them. */
.g0 { background: var(--g0); } .g1 { background: var(--g1); } .g2 { background: var(--g2); }
.g3 { background: var(--g3); } .g4 { background: var(--g4); }
table.summary { font-size: .85rem; }
table.summary th, table.summary td { padding: .15rem .35rem; }
table.summary thead th { white-space: normal; text-transform: none; letter-spacing: 0;
                         font-size: .75rem; vertical-align: bottom; }
table.summary .grade { display: block; font-size: .75em; color: var(--ink); }
table.summary th[scope=row] { font-weight: 500; }
.summary { overflow-x: auto; }
footer { margin-top: 3rem; font-size: .82rem; color: var(--muted); }
@media (max-width: 600px) {
  main { padding: 1rem .75rem 2rem; }
  h1 { font-size: 1.4rem; }
  .meta, .facts { grid-template-columns: 1fr; }
  .meta dt, .facts dt { margin-top: .35rem; }
  table { font-size: .88rem; }
  th, td { padding: .35rem .3rem; }
  thead th { letter-spacing: 0; white-space: normal; }
  .chart text { font-size: 16px; }
  .node.depth-2, .node.depth-3 { padding-left: 1.5rem; }
  /* Six columns do not fit a phone: each row of these becomes a small card. */
  table.standing thead, table.gains thead { display: none; }
  table.standing tr, table.gains tr { display: block; padding: .3rem 0;
                                      border-bottom: 1px solid var(--line); }
  table.standing td, table.gains td { display: inline; border: 0; padding: 0 .5rem 0 0;
                                      white-space: normal; }
}
@media print {
  @page { margin: 10mm 12mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* Each block's summary on one page: 63 provinces fit A4 in a small font, on one line each. */
  #summary > h2, #entities > h2 { display: none; }  /* else alone on a page before the first */
  div.summary { break-before: page; break-inside: avoid; overflow: visible; }
  div.summary h3 { margin: 0 0 .1rem; font-size: 11pt; }
  div.summary .legend { margin: 0 0 .2rem; }
  table.summary { font-size: 6.5pt; line-height: 1.15; }
  table.summary th, table.summary td { padding: 0 .25rem; }
  table.summary .grade { display: inline; font-size: 1em; }
  #rankings { break-before: page; }
  a { color: inherit; text-decoration: none; }
  article.entity { break-before: page; border-top: 0; }
  /* An entity on one or two pages: a small font, and its criteria in two columns. */
  article.entity { font-size: 7.5pt; line-height: 1.25; margin: 0; padding: 0; }
  article.entity > h3 { font-size: 12pt; margin: 0; }
  article.entity h4 { font-size: 8.5pt; margin: .3rem 0 .15rem; }
  article.entity .subtitle { margin: 0 0 .2rem; }
  article.entity table { font-size: 7.5pt; }
  article.entity th, article.entity td { padding: .05rem .3rem; }
  article.entity .table-wrap { margin: .15rem 0 .3rem; }
  article.entity caption { padding: 0; }
  article.entity .how, article.entity .legend, .cites, .formula { font-size: 6.5pt; margin: 0; }
  .chart { max-width: 8cm; margin: .1rem 0; }
  .criteria { columns: 3; column-gap: 4mm; }
  .category { margin: 0 0 .2rem; border-radius: 0; }
  .node { padding: .05rem .3rem; }
  .node.depth-2 { padding-left: .9rem; } .node.depth-3 { padding-left: 1.4rem; }
  .node-label { font-size: 7.5pt; }
  .facts { display: block; margin: 0; font-size: 6.5pt; }
  .facts dt { display: inline; font-weight: 600; } .facts dt::after { content: ": "; }
  .facts dd { display: inline; } .facts dd::after { content: ""; display: block; }
  /* In the whole ranking's print, what is the same for every entity (citations, reconstruction
     notes) or already in the next-rank table (an index's wording) is left to the screen. */
  #entities .cites, #entities .how { display: none; }
  /* …and a criterion is its label and points: one page an entity. What was read and how it
     scored is the audit, on screen and in the one-entity report (`--entity`), printed whole. */
  #entities .facts, #entities .node-label code { display: none; }
  #entities .criteria { font-size: 6.5pt; line-height: 1.15; }
  #entities .node-label { font-size: 6.5pt; }
  /* The gains: the criterion names its category well enough on paper. */
  #entities table.gains, #entities table.standing { font-size: 6.5pt; line-height: 1.15; }
  #entities table.gains th:first-child, #entities table.gains td:first-child { display: none; }
  #entities table.gains tr.more { display: none; }
  /* The next-rank table repeats each index's value, grade and rank. */
  #entities .table-wrap.indices { display: none; }
  #entities .chart { max-width: 5cm; }
  #entities .print-only { display: block; }
  .node, tr, .chart { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  tbody tr:nth-child(even) { background: none; }
  .badge { border: 1px solid currentColor; }
}
"""
