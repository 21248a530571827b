"""Result tables in three shapes: text (rich: boxed and coloured on a terminal, plain ASCII
elsewhere), Markdown and CSV. The CLI builds `Table`s; this module only writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

PLAIN_WIDTH = 250  # columns for tables written to a file or a pipe: wide rows never wrap


@dataclass(frozen=True)
class Table:
    """A titled grid of cells, already formatted for people or machines."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


def render_tables(tables: Sequence[Table], fmt_name: str, out: TextIO | None) -> str:
    """`fmt_name` is csv, markdown or text; `out` is the terminal the text goes to, if any."""
    if fmt_name == "csv":
        return _tables_csv(tables)
    if fmt_name == "markdown":
        return "\n".join(table_markdown(t) for t in tables)
    return "\n".join(_table_text(t, out) for t in tables)


def _tables_csv(tables: Sequence[Table]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for number, table in enumerate(tables):
        if number == 0:
            writer.writerow(table.headers)
        writer.writerows(table.rows)
    return buffer.getvalue()


def _cell_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    lines = [f"## {table.title}", ""] if table.title else []
    lines.append("| " + " | ".join(_cell_md(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---" for _ in table.headers) + "|")
    lines.extend("| " + " | ".join(_cell_md(c) for c in row) + " |" for row in table.rows)
    if table.caption:
        lines += ["", table.caption]
    return "\n".join(lines) + "\n"


def _table_text(table: Table, out: TextIO | None) -> str:
    """A rich table: boxed and coloured on a terminal, plain ASCII (deterministic) elsewhere."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    terminal = out is not None and out.isatty()
    rich_table = RichTable(box=box.ROUNDED if terminal else box.ASCII)
    for header in table.headers:
        rich_table.add_column(header, overflow="fold")
    for row in table.rows:
        rich_table.add_row(*row)
    buffer = io.StringIO()
    console = Console(file=buffer, width=None if terminal else PLAIN_WIDTH,
                      force_terminal=terminal, no_color=not terminal, highlight=False,
                      emoji=False, markup=False)
    if table.title:  # printed apart: a rich title would wrap at the table's width
        console.print(table.title, style="bold")
    console.print(rich_table)
    if table.caption:
        console.print(table.caption, style="dim")
    text = buffer.getvalue()
    # Rich pads titles to the table's width; trailing blanks only make files noisy.
    return text if terminal else "\n".join(line.rstrip() for line in text.split("\n"))


