"""Result tables in three shapes: text (rich: boxed and coloured on a terminal, plain ASCII
elsewhere), Markdown and CSV. The CLI builds `Table`s; this module only writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TextIO

from egov_rules.numbers import exact_str, machine_str
from egov_rules.report.safe import printable, spreadsheet_text

PLAIN_WIDTH = 250  # columns for tables written to a file or a pipe: wide rows never wrap



@dataclass(frozen=True)
class Figure:
    """A number written with the decimals it is published with: an index's `round N`
    (None: as any other number, see `numbers.machine_str`)."""

    value: Fraction
    digits: int | None


# Text, or a number kept as a number until it is written: CSV guards text cells against
# formulas and must not touch numbers (`-2.5`), so the type has to survive until then.
Cell = str | int | Fraction | Figure | None


@dataclass(frozen=True)
class Table:
    """A titled grid of cells: text already formatted for people, or values for machines."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    caption: str = ""
    keys: Sequence[str] = ()  # the columns' ids, under the headers for people (a workbook)


def _text(cell: Cell, exact: bool = False) -> str:
    """A cell as machines read it: numbers as decimals (`machine_str`), or exact (`p/q` when
    the decimal does not terminate) when `exact` is asked for."""
    if cell is None:
        return ""
    if isinstance(cell, Figure):
        return exact_str(cell.value) if exact else machine_str(cell.value, cell.digits)
    if isinstance(cell, Fraction):
        return exact_str(cell) if exact else machine_str(cell)
    return str(cell)


def csv_text(rows: Iterable[Sequence[Cell]], exact: bool = False) -> str:
    """Rows as CSV, one per line; a text cell that would start a formula is kept text (`'=…`)."""
    return "".join(csv_lines(rows, exact))


def csv_lines(rows: Iterable[Sequence[Cell]], exact: bool = False) -> Iterator[str]:
    """`csv_text`, a line at a time (each ends in "\n")."""
    buffer = io.StringIO()
    # The writer quotes only cells holding a character of its line terminator: with "\n"
    # alone, a CR in a name went out bare and split the row in every reader. Each row is
    # written with "\r\n", then ends in "\n" as before.
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_text(c) if isinstance(c, str) else _text(c, exact)
                         for c in row])
        yield buffer.getvalue()[:-2] + "\n"
        buffer.seek(0)
        buffer.truncate()


def render_tables(tables: Sequence[Table], fmt_name: str, out: TextIO | None,
                  exact: bool = False, width: int = PLAIN_WIDTH) -> str:
    """`fmt_name` is csv, markdown or text; `out` is the terminal the text goes to, if any;
    `exact`: CSV numbers as exact fractions instead of decimals; `width`: the columns of a
    text table written to a file or a pipe (a terminal's own width otherwise)."""
    if fmt_name == "csv":
        return _tables_csv(tables, exact)
    if fmt_name == "markdown":
        return "\n".join(table_markdown(t) for t in tables)
    return "\n".join(_table_text(t, out, width) for t in tables)


def _tables_csv(tables: Sequence[Table], exact: bool) -> str:
    """One CSV: the first table's headers, then every table's rows."""
    return csv_text([tables[0].headers, *(row for t in tables for row in t.rows)] if tables else [],
                    exact)


# What Markdown would read as markup in a name: raw HTML (< > &), a code span, a link or an
# image ([ ]), a cell boundary (|) and the backslash that could escape our own escapes.
_MARKDOWN = str.maketrans({"\\": "\\\\", "|": "\\|", "`": "\\`", "[": "\\[", "]": "\\]",
                           "<": "&lt;", ">": "&gt;", "&": "&amp;"})


def markdown_text(text: str, newline: str = "<br>") -> str:
    """Text that Markdown shows as itself, on one line: a line break in a name must neither
    end a table row nor start a heading, so it becomes `newline`; controls are made visible."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return printable(lines).translate(_MARKDOWN).replace("\n", newline)


def table_markdown(table: Table) -> str:
    lines = [f"## {markdown_text(table.title, ' ')}", ""] if table.title else []
    lines.append("| " + " | ".join(markdown_text(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---" for _ in table.headers) + "|")
    lines.extend("| " + " | ".join(markdown_text(_text(c)) for c in row) + " |" for row in table.rows)
    if table.caption:
        lines += ["", markdown_text(table.caption)]
    return "\n".join(lines) + "\n"


def _table_text(table: Table, out: TextIO | None, width: int = PLAIN_WIDTH) -> str:
    """A rich table: boxed and coloured on a terminal, plain ASCII (deterministic) elsewhere."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    def shown(cell: Cell, one_line: bool = True) -> Text:
        # A Text is never read as markup ([bold], [link=…]); escape sequences and bidi
        # overrides are made visible here, as rich's own styling must pass untouched.
        return Text(printable(_text(cell), one_line))

    terminal = out is not None and out.isatty()
    rich_table = RichTable(box=box.ROUNDED if terminal else box.ASCII)
    for header in table.headers:
        rich_table.add_column(shown(header), overflow="fold")
    for row in table.rows:
        rich_table.add_row(*(shown(c) for c in row))
    buffer = io.StringIO()
    console = Console(file=buffer, width=None if terminal else width,
                      force_terminal=terminal, no_color=not terminal, highlight=False,
                      emoji=False, markup=False)
    if table.title:  # printed apart: a rich title would wrap at the table's width
        console.print(shown(table.title), style="bold")
    console.print(rich_table)
    if table.caption:
        console.print(shown(table.caption, one_line=False), style="dim")
    text = buffer.getvalue()
    # Rich pads titles to the table's width; trailing blanks only make files noisy.
    return text if terminal else "\n".join(line.rstrip() for line in text.split("\n"))


