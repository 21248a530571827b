"""`egov-rules`: a thin shell over the public API.

Exit codes: 0 success (warnings allowed); 1 the rule file or the data has errors, or the output
could not be written; 2 the command line is wrong; 3 an internal error (a bug: please report
it); 130 interrupted (Ctrl-C); 141 standard output closed before the end (`| head`).
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import importlib
import io
import itertools
import json
import os
import pickle
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

import egov_rules
from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Lang, Reporter, Text, did_you_mean
from egov_rules.evaluate import cohort_keys, scoped
from egov_rules.explain import (
    GAINS_PER_CATEGORY,
    block_label,
    declared_round,
    gain_rows,
    index_label,
    node_standing_rows,
    standing_rows,
    step_words,
)
from egov_rules.inputs import (
    LOCALES,
    EntityData,
    Reading,
    UnsupportedFormat,
    file_sha256,
    load_data,
    normal_text,
    sheet_read,
    typed_number,
    validate_entity,
)
from egov_rules.inputs.impute import reference_key
from egov_rules.inputs.yaml_data import load_columns
from egov_rules.numbers import fmt, fmt_published
from egov_rules.render import render_all, render_blocks, to_json
from egov_rules.report.safe import json_text, printable, write_atomically, write_fully
from egov_rules.report.tables import (
    Cell,
    Figure,
    Table,
    csv_lines,
    csv_text,
    render_tables,
    table_markdown,
)
from egov_rules.results import Evaluation, IndexResult, NodeResult, Ranking, ReadingOptions, visible
from egov_rules.source import SourceFile, shown_path

if TYPE_CHECKING:  # the code generator loads on first use, not with the CLI
    from egov_rules.model import Model
    from egov_rules.scoring import Number, Score
    from egov_rules.stream import Standings

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# As a shell reports a command that a signal stopped (128 + its number): Ctrl-C (SIGINT), and
# a reader that went away before the end (SIGPIPE, `| head`). Neither output is complete.
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141

Handler = Callable[[argparse.Namespace, TextIO], int]


class _Usage(Exception):
    """A wrong command line detected after argparse (e.g. an unknown entity name)."""


def _add_common(parser: argparse.ArgumentParser, lang: Lang) -> None:
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help=_say(lang, "language of explanations and messages (default: vi)",
                                  "ngôn ngữ của giải trình và thông báo (mặc định: vi)"))
    _add_library(parser, lang)


def _add_library(parser: argparse.ArgumentParser, lang: Lang) -> None:
    parser.add_argument("--library", action="append", metavar="DIR",
                        help=_say(lang, "a directory of methodologies in which `extends <id>` "
                                  "finds its base; repeatable (default: the shipped methodologies/)",
                                  "thư mục phương pháp để `extends <mã>` tìm phương pháp gốc; dùng "
                                  "được nhiều lần (mặc định: thư mục methodologies/ kèm theo)"))


def _print_diagnostics(diagnostics: Sequence[Diagnostic], lang: Lang,
                       said: Sequence[Diagnostic] = ()) -> None:
    """The diagnostics and the run's one summary line, which counts those `said` before."""
    if diagnostics or said:  # they quote names and source lines: escape sequences are made visible
        _to_stderr(printable(render_all(diagnostics, lang, said)))


# Warnings found while a command runs (an ignored column) are said at once, without a summary:
# a long run should not hide them until it ends. The summary line, once at the end, counts them
# with whatever came later, so that a run never prints two summaries that disagree.
_HELD: ContextVar[list[Diagnostic] | None] = ContextVar("said_warnings", default=None)


def _hold(diagnostics: Sequence[Diagnostic], lang: Lang) -> None:
    held = _HELD.get()
    if held is None:  # called outside `main` (the API): said with a summary
        _print_diagnostics(diagnostics, lang)
    elif diagnostics:
        _to_stderr(printable(render_blocks(diagnostics, lang)))
        held.extend(diagnostics)


@contextmanager
def _holding() -> Iterator[list[Diagnostic]]:
    held: list[Diagnostic] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


def _complain(message: str) -> None:
    _to_stderr(f"egov-rules: {printable(shown_path(message))}\n")  # a file name may not be UTF-8


def _to_stderr(text: str) -> None:
    if sys.stderr is not None:  # None when the shell closed it (`2>&-`): nowhere to say it
        sys.stderr.write(text)


# -- check ---------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    if not Path(args.file).is_file():
        raise _Usage(_say(args.lang, f"no such file: {args.file}", f"không có tệp: {args.file}"))
    try:
        source = SourceFile.read(args.file)
        diagnostics = egov_rules.check(source.text, args.file, _library(args))
    except UnicodeDecodeError:
        raise EgovRulesError([Diagnostic(codes.NOT_UTF8, None, path=args.file)]
                             ) from None
    if args.format == "json":
        _emit(args, out, json.dumps([to_json(d, args.lang) for d in diagnostics], ensure_ascii=False,
                                    indent=2) + "\n")
    else:
        _emit(args, out, render_all(diagnostics, args.lang))
    return EXIT_INPUT if any(d.is_error for d in diagnostics) else EXIT_OK


# -- the evaluator's workbench: score, explain, rank, verify-record ------------------------

FORMATS = ("text", "markdown", "json", "csv", "html", "xlsx")
PROGRESS_FROM = 200  # entities: below this, scoring is over before a bar would be read

_WORDS: dict[str, tuple[str, str]] = {
    "entity": ("Entity", "Đơn vị"), "block": ("Block", "Khối"), "rank": ("Rank", "Hạng"),
    "value": ("Value", "Giá trị"), "grade": ("Grade", "Xếp loại"), "index": ("Index", "Chỉ số"),
    "category": ("Category", "Hạng mục"), "criterion": ("Criterion", "Tiêu chí"),
    "gain": ("Gain (points)", "Thêm (điểm)"), "how": ("How", "Cách đạt"),
    "scores": ("Scores", "Kết quả chấm điểm"), "gains": ("Largest available gains",
                                                          "Các mức tăng điểm lớn nhất"),
    "next_grade": ("Next grade", "Lên hạng xếp loại"), "next_rank": ("Next rank", "Lên thứ hạng"),
    "ties": ("Tie rule", "Quy tắc đồng hạng"),
    "competition": ("ties share a rank (1, 1, 3)", "đồng hạng cùng thứ hạng (1, 1, 3)"),
    "dense": ("ties dense (1, 1, 2)", "đồng hạng liên tiếp (1, 1, 2)"),
    "none": ("no hint: every criterion is at its maximum or has no lever",
             "không có gợi ý: mọi tiêu chí đã đạt tối đa hoặc không có cách tăng"),
    "node": ("Node", "Mục"), "points": ("Points", "Điểm"), "max": ("Max", "Tối đa"),
    "citation": ("Citation", "Căn cứ"), "rule": ("Rule", "Cách tính"),
    "next": ("Next points", "Để thêm điểm"),
    "explanations": ("Explanations", "Giải trình"), "parent": ("Parent", "Mục cha"),
    "label": ("Label", "Tên"), "applicable": ("Applicable", "Áp dụng"),
    "read": ("Values read", "Giá trị đọc"), "next_gain": ("Next gain", "Điểm thêm được"),
}


def _w(key: str, lang: Lang) -> str:
    en, vi = _WORDS[key]
    return vi if lang == "vi" else en


def _say(lang: Lang, en: str, vi: str) -> str:
    return vi if lang == "vi" else en


def _output_help(lang: Lang) -> str:
    return _say(lang, "write to this file instead of standard output",
                "ghi vào tệp này thay vì đầu ra chuẩn")


def _add_output(parser: argparse.ArgumentParser, lang: Lang, formats: Sequence[str] = FORMATS,
                default: str = "text") -> None:
    # No argparse default: a format not given is inferred from --output's extension.
    parser.add_argument("--format", choices=formats, default=None,
                        help=_say(lang, f"output format (default: the one --output's extension "
                                  f"names, else {default})", f"định dạng kết quả (mặc định: theo "
                                  f"phần mở rộng của --output, nếu không thì {default})"))
    parser.add_argument("--output", metavar="PATH", help=_output_help(lang))
    parser.set_defaults(formats=tuple(formats), default_format=default)
    _add_common(parser, lang)


# What an --output file's extension says it holds; other extensions say nothing. `.txt` is
# text when no format is given, yet holds any format but a workbook: it names no syntax.
EXTENSIONS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".json": "json",
              ".csv": "csv", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}


def _settle_format(args: argparse.Namespace) -> None:
    """The format written: the one given, else the one `--output`'s extension names, else the
    command's default. A format given that the extension contradicts (`--format csv --output
    r.xlsx`) is a usage error, as is an extension the command cannot write, or a workbook
    without a file to go to: a file must never hold what its name says it does not."""
    formats: tuple[str, ...] | None = getattr(args, "formats", None)
    if formats is None:
        return
    lang: Lang = args.lang
    given: str | None = "json" if getattr(args, "json", False) else args.format
    output: str | None = args.output
    named = EXTENSIONS.get(Path(output).suffix.lower()) if output is not None else None
    plain = named == "text" and given != "xlsx"
    if given is not None and named is not None and given != named and not plain:
        raise _Usage(_say(lang, f"--format {given} does not match --output {output}, which names "
                          f"{named}: change one of them",
                          f"--format {given} không khớp với --output {output} (phần mở rộng là "
                          f"{named}): hãy sửa một trong hai"))
    if given is None and named is not None and named not in formats:
        raise _Usage(_say(lang, f"--output {output}: {args.command} cannot write {named}; "
                          f"formats: {', '.join(formats)}",
                          f"--output {output}: lệnh {args.command} không ghi được {named}; "
                          f"các định dạng: {', '.join(formats)}"))
    args.format = given or named or args.default_format
    if args.format == "xlsx" and output is None:
        raise _Usage(_say(lang, "--format xlsx writes a workbook: name it with --output PATH.xlsx",
                          "--format xlsx ghi một bảng tính: hãy đặt tên tệp bằng --output PATH.xlsx"))


def _add_exact(parser: argparse.ArgumentParser, lang: Lang) -> None:
    parser.add_argument("--exact", action="store_true", help=_say(
        lang, "CSV: numbers as exact fractions (2/3) instead of decimals (0.666667)",
        "CSV: số ở dạng phân số chính xác (2/3) thay vì số thập phân (0.666667)"))


def _add_data(parser: argparse.ArgumentParser, lang: Lang) -> None:
    parser.add_argument("file", help=_say(lang, "methodology file (.egr)", "tệp phương pháp (.egr)"))
    parser.add_argument("data", help=_say(lang, "indicator data: .csv, .xlsx, .json, .yaml or .yml",
                                          "số liệu chỉ số: .csv, .xlsx, .json, .yaml hoặc .yml"))
    parser.add_argument("--sheet", metavar="NAME",
                        help=_say(lang, "XLSX: the sheet to read (default: the active one, if visible)",
                                  "XLSX: trang tính cần đọc (mặc định: trang đang chọn, nếu không ẩn)"))
    _add_reading(parser, lang)


def _add_reading(parser: argparse.ArgumentParser, lang: Lang) -> None:
    """How to read the data file beyond its format (docs/cli.md, "Input formats")."""
    parser.add_argument("--locale", choices=LOCALES,
                        help=_say(lang, "how text cells write numbers: vi 1.234,5 or en 1,234.5 "
                                  "(default: a ; CSV is vi; otherwise only what reads one way)",
                                  "cách ô văn bản viết số: vi 1.234,5 hoặc en 1,234.5 (mặc "
                                  "định: CSV phân cách bằng ; là vi; còn lại chỉ đọc số hiểu "
                                  "được một cách)"))
    parser.add_argument("--header-row", type=int, metavar="N",
                        help=_say(lang, "CSV/XLSX: the row of the column headings (default: "
                                  "found below any title rows)",
                                  "CSV/XLSX: dòng tên cột (mặc định: tự tìm dưới các dòng tiêu đề)"))


    parser.add_argument("--reference", action="append", metavar="NODE=VALUE",
                        help=_say(lang, "the block's best of a node scored `relative to best in "
                                  "block` (a published best), instead of the data's; repeatable",
                                  "giá trị cao nhất của khối cho một tiêu chí chấm `relative to "
                                  "best in block` (số công bố), thay cho số của dữ liệu; lặp lại được"))
    parser.add_argument("--columns", metavar="MAP.yaml",
                        help=_say(lang, "CSV/XLSX: a YAML mapping of other column headings to "
                                  "indicator ids", "CSV/XLSX: ánh xạ YAML từ các tên cột khác "
                                  "đến mã chỉ số"))
    parser.add_argument("--cohort", metavar="FILE",
                        help=_say(lang, "other entities' data, read only for each block's best "
                                  "(not scored)", "số liệu của các đơn vị khác, chỉ dùng để tìm "
                                  "giá trị cao nhất của mỗi khối (không chấm điểm)"))


def _reading(args: argparse.Namespace, model: Model) -> Reading:
    return Reading(getattr(args, "locale", None), _columns(args, model),
                   getattr(args, "header_row", None))


def _columns(args: argparse.Namespace, model: Model) -> dict[str, str]:
    """`--columns MAP.yaml`: other headings → indicator ids; its problems located (exit 1)."""
    path = getattr(args, "columns", None)
    if path is None:
        return {}
    if not Path(path).is_file():
        raise _Usage(_say(args.lang, f"no such file: {path}", f"không có tệp: {path}"))
    reporter = Reporter()
    columns = load_columns(path, reporter, model)
    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    return columns


def _references(args: argparse.Namespace, model: Model) -> dict[str, Fraction]:
    """`--reference NODE=VALUE`s: each node scored relative to the best, each value a number
    as the data's are read."""
    lang: Lang = args.lang
    found: dict[str, Fraction] = {}
    if not getattr(args, "reference", None):  # verify-record: the figures its record states
        return dict(getattr(args, "recorded_references", None) or {})
    for given in getattr(args, "reference", None) or []:
        node, equals, text = (part.strip() for part in _typed(given).partition("="))
        if not (equals and node and text):
            raise _Usage(_say(lang, f"--reference {given!r}: write NODE=VALUE, e.g. bandwidth=12.5",
                              f"--reference {given!r}: hãy viết TIÊU_CHÍ=GIÁ_TRỊ, ví dụ bandwidth=12.5"))
        _check_relative(node, model, lang)
        value = typed_number(text, args.locale)
        if isinstance(value, Text):
            raise _Usage(f"--reference {node}={text}: {value(lang)}")
        if found.get(node, value) != value:
            raise _Usage(_say(lang, f"--reference {node} is given twice, with two values",
                              f"--reference {node} được cho hai lần, với hai giá trị khác nhau"))
        found[node] = value
    return found


def _check_relative(node: str, model: Model, lang: Lang) -> None:
    # `node`; `node.min`, `node.max`; `node.mean`, `node.sd`; `x.mean` for an imputed indicator
    relative = [*cohort_keys(model), *(reference_key(n) for n in model.indicators
                                       if model.missing_for(n) == "mean")]
    listed = ", ".join(relative) or _say(lang, "none", "không có")
    if node in relative:
        return
    if node in model.nodes:  # a node scored against its block names its figures: node.min
        raise _Usage(_say(lang, f"--reference {node}: `{node}` is not a figure of the block a "
                          f"node is scored against; these are: {listed}",
                          f"--reference {node}: `{node}` không phải số liệu của khối mà một tiêu "
                          f"chí được chấm theo; các số liệu đó: {listed}"))
    hint = did_you_mean(node, relative)
    extra = f" ({hint(lang)})" if hint else ""
    raise _Usage(_say(lang, f"--reference {node}: no such figure{extra}; the block's figures "
                      f"nodes are scored against: {listed}",
                      f"--reference {node}: không có số liệu này{extra}; các số liệu của khối "
                      f"mà tiêu chí được chấm theo: {listed}"))


def _cohort(args: argparse.Namespace, methodology: egov_rules.Methodology, reading: Reading
            ) -> list[EntityData]:
    """`--cohort FILE`'s entities, checked as the data's are (its active sheet, if XLSX)."""
    path = getattr(args, "cohort", None)
    return [] if path is None else read_entities(methodology, path, None, args.lang, reading)


def _methodology(path: str, lang: Lang, library: list[str] | None = None
                 ) -> egov_rules.Methodology:
    if not Path(path).is_file():
        raise _Usage(_say(lang, f"no such file: {path}", f"không có tệp: {path}"))
    return egov_rules.load(path, library)


def _library(args: argparse.Namespace) -> list[str] | None:
    """The directories `--library` names; None (the shipped one) when it is not given."""
    dirs: list[str] | None = getattr(args, "library", None)
    for directory in dirs or ():
        if not Path(directory).is_dir():
            raise _Usage(_say(args.lang, f"no such directory: {directory}",
                              f"không có thư mục: {directory}"))
    return dirs


def read_entities(methodology: egov_rules.Methodology, path: str, sheet: str | None = None,
                  lang: Lang = "vi", reading: Reading | None = None) -> list[EntityData]:
    """A data file's entities; every problem of the file and of its values reported at once."""
    if not Path(path).is_file():
        raise _Usage(_say(lang, f"no such file: {path}", f"không có tệp: {path}"))
    reporter = Reporter()
    reading = reading or Reading()
    try:
        entities = load_data(path, sheet, model=methodology.model, reporter=reporter,
                             locale=reading.locale, columns=reading.columns,
                             header_row=reading.header_row)
    except UnsupportedFormat as error:
        raise _Usage(error.words(lang)) from None
    if reporter.has_errors:
        for entity in entities:  # value errors too, so that one run shows everything
            validate_entity(methodology.model, entity, reporter)
        raise EgovRulesError(reporter.diagnostics)
    _hold(reporter.sorted(), lang)  # warnings: an ignored column is never silent
    if not entities:  # a data problem, not a command-line one: exit 1 like any bad data
        raise _no_entity(path)
    return entities


def _no_entity(path: str) -> EgovRulesError:
    return EgovRulesError([Diagnostic(
        codes.BAD_DATA, None, {"detail": "the file holds no entity to score",
                               "detail_vi": "tệp không có đơn vị nào để chấm điểm"},
        path=str(path))])


@contextmanager
def _progress(count: int, lang: Lang) -> Iterator[Callable[[int], None] | None]:
    """A bar on stderr while a large batch is scored, only when someone is watching; yields
    the callback `evaluate_many` reports each scored entity to."""
    if count < PROGRESS_FROM or sys.stderr is None or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(_say(lang, "scoring", "đang chấm"), total=count)
        yield lambda done: progress.update(task, completed=done)


def score_data(args: argparse.Namespace) -> Ranking:
    """Load, validate and score; the ranking carries its audit record."""
    methodology = _methodology(args.file, args.lang, _library(args))
    references, reading = _references(args, methodology.model), _reading(args, methodology.model)
    entities = read_entities(methodology, args.data, args.sheet, args.lang, reading)
    cohort, reporter = _cohort(args, methodology, reading), Reporter()
    with _progress(len(entities), args.lang) as report_progress:
        ranking = methodology.evaluate_many(entities, progress=report_progress,
                                            references=references, cohort=cohort,
                                            reporter=reporter)
    _hold(reporter.sorted(), args.lang)  # W529: an entity that was its block's only figure
    return ranking.model_copy(update={
        "library_version": egov_rules.__version__, "methodology_path": args.file,
        "inputs_path": args.data, "inputs_sheet": sheet_read(args.data, args.sheet),
        "inputs_hash": file_sha256(args.data), "inputs_reading": _reading_options(args, references),
    })


def _reading_options(args: argparse.Namespace, references: dict[str, Fraction]
                     ) -> ReadingOptions | None:
    """What the record must say for the data to be read and scored again alike (None when
    nothing beyond the defaults was given: records made before these options still verify)."""
    columns, cohort = getattr(args, "columns", None), getattr(args, "cohort", None)
    options = ReadingOptions(
        locale=getattr(args, "locale", None), header_row=getattr(args, "header_row", None),
        references=references, columns_hash=None if columns is None else file_sha256(columns),
        cohort_hash=None if cohort is None else file_sha256(cohort))
    return None if options == ReadingOptions() else options


def _typed(text: str) -> str:
    """A name typed on the command line. Under a locale that is not UTF-8, Python decodes
    its bytes with surrogate escapes; they are UTF-8 (as the data's names are) when they decode."""
    try:
        return text.encode(sys.getfilesystemencoding(), "surrogateescape").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _pick(ranking: Ranking, entity: str, lang: Lang) -> Evaluation:
    entity = _typed(entity)
    try:  # the name as the data's names are read (a terminal may give NFD)
        return ranking.evaluation(normal_text(entity))
    except KeyError:
        names = ", ".join(e.entity for e in ranking.evaluations)
        hint = did_you_mean(entity, [e.entity for e in ranking.evaluations])
        extra = f" ({hint(lang)})" if hint else ""
        raise _Usage(_say(lang, f"no entity named {entity!r}{extra}; the data has: {names}",
                          f"không có đơn vị {entity!r}{extra}; dữ liệu gồm: {names}")) from None


def _emit(args: argparse.Namespace, out: TextIO, text: str, shown: bool = False) -> int:
    """Write the result. Names in it come from files anyone can write: JSON escapes controls
    and bidi overrides (losslessly), formats for people show them as visible escapes, CSV keeps
    its data unless it goes to a terminal. `shown`: already safe to show (rich tables, whose
    own colours must pass)."""
    output: str | None = getattr(args, "output", None)
    fmt_name = getattr(args, "format", "text")
    if fmt_name == "json":
        text = json_text(text, "utf-8" if output is not None else getattr(out, "encoding", None) or "utf-8")
    elif not shown and (fmt_name != "csv" or (output is None and out.isatty())):
        text = printable(text)
    if output is None:
        _to_out(args, out, text)
        return EXIT_OK
    _check_output(args)  # again: verify-record learns its inputs from the record
    try:
        write_atomically(Path(output), text)
    except OSError as error:
        raise _write_failure(args, output, error) from None
    return EXIT_OK


def _to_out(args: argparse.Namespace, out: TextIO, text: str) -> None:
    try:
        write_fully(out, text)  # a full disk shows here, not at exit after we said all was well
    except BrokenPipeError:
        raise
    except OSError as error:
        _abandon(out)  # not a command-line mistake, whatever the error: exit 1
        where, reason = _say(args.lang, "standard output", "đầu ra chuẩn"), _reason(error)
        raise _OutputFailed(_say(args.lang, f"cannot write {where}: {reason}",
                                 f"không ghi được {where}: {reason}")) from None


def _emit_lines(args: argparse.Namespace, out: TextIO, lines: Iterable[str]) -> int:
    """`_emit` for a CSV result made a line at a time, never whole in memory: to a file
    atomically, to standard output in batches (escaped on a terminal, as `_emit` does)."""
    output: str | None = args.output
    if output is not None:
        try:
            write_atomically(Path(output), lines)
        except OSError as error:
            raise _write_failure(args, output, error) from None
        return EXIT_OK
    terminal = out.isatty()
    batch = list(itertools.islice(lines, 4096))
    while batch:
        text = "".join(batch)
        _to_out(args, out, printable(text) if terminal else text)
        batch = list(itertools.islice(lines, 4096))
    return EXIT_OK


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


class _OutputFailed(Exception):
    """The output could not be written for a reason outside the command line (a full disk)."""


def _write_failure(args: argparse.Namespace, where: str, error: OSError) -> Exception:
    """A path the user chose that cannot be written is usage (2); a full disk is not (1)."""
    reason = _reason(error)
    message = _say(args.lang, f"cannot write {where}: {reason}", f"không ghi được {where}: {reason}")
    return _OutputFailed(message) if error.errno in DISK_FULL else _Usage(message)


INPUTS = ("file", "data", "record", "methodology")  # the arguments that name files read


def _check_output(args: argparse.Namespace) -> None:
    """`--output` must not be a file the command reads: writing it would destroy the input."""
    output: str | None = getattr(args, "output", None)
    if output is None:
        return
    for name in INPUTS:
        given = getattr(args, name, None)
        if isinstance(given, str) and _same_file(output, given):
            raise _Usage(_say(
                args.lang, f"--output {output} is the input {given}: it would be overwritten; "
                "choose another file",
                f"--output {output} chính là tệp đầu vào {given}: tệp này sẽ bị ghi đè; "
                "hãy chọn tệp khác"))


def _same_file(a: str, b: str) -> bool:
    """The same path once symlinks are followed, or the same file under two names (hard link)."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): they cannot be one file
        return False


def _html(args: argparse.Namespace) -> Any:
    try:
        html = importlib.import_module("egov_rules.report.html")
    except ImportError:
        raise _Usage(_say(args.lang, "HTML reports are not available in this installation "
                          "(egov_rules.report.html is missing); use --format markdown",
                          "bản cài đặt này chưa có báo cáo HTML (thiếu egov_rules.report.html); "
                          "hãy dùng --format markdown")) from None
    return html


def _number(value: Fraction | None, lang: Lang, digits: int | None = None) -> str:
    """For people, as published (`digits` = the index's `round N`); machines get the Fraction."""
    return "—" if value is None else fmt_published(value, lang, digits)


def _figure(value: Fraction | None, digits: int | None) -> Figure | None:
    """An index's value for machines: written with its declared decimals."""
    return None if value is None else Figure(value, digits)


def _grade(index: IndexResult, lang: Lang) -> str:
    return (index.grade_en or index.grade or "") if lang == "en" else (index.grade or "")


# -- score ---------------------------------------------------------------------------------


def _score_table(ranking: Ranking, evaluations: Sequence[Evaluation], lang: Lang, machine: bool
                 ) -> Table:
    first = evaluations[0]
    categories = [n.id for n in first.nodes if n.depth == 0]
    indices = [i.id for i in first.indices]
    headers = [_w("entity", lang), _w("block", lang)]
    if machine:
        headers = ["entity", "block"]
        for c in categories:
            headers += [c, f"{c}_max"]
        for i in indices:
            headers += [i, f"{i}_grade", f"{i}_rank"]
    else:
        headers += categories + indices
    rows = [_score_row(ranking, e, categories, lang, machine) for e in evaluations]
    caption = "" if machine else _say(
        lang, "categories: points/max; indices: value, grade and rank in the block",
        "hạng mục: điểm/tối đa; chỉ số: giá trị, xếp loại và thứ hạng trong khối")
    return Table(_w("scores", lang), headers, rows, caption)


def _score_row(ranking: Ranking, evaluation: Evaluation, categories: list[str], lang: Lang,
               machine: bool) -> list[Cell]:
    row: list[Cell] = [evaluation.entity, evaluation.block]
    # Only the categories' results are made: each criterion's words and next points were
    # made too, and then not shown (4.7 ms per entity).
    for node in (evaluation.node(c) for c in categories):
        if machine:
            row += [node.points, node.max]
        elif node.points is None or node.max is None:
            row.append("—")
        else:
            row.append(f"{fmt(node.points, lang)}/{fmt(node.max, lang)}")
    for index in evaluation.indices:
        value = index.rounded if index.rounded is not None else index.value
        rank = ranking.rank_of(evaluation.entity, index.id) if index.id in ranking.ties else None
        if machine:
            row += [_figure(value, index.round), _grade(index, lang), rank]
        else:
            parts = [_number(value, lang, index.round), _grade(index, lang),
                     "" if rank is None else f"#{rank}"]
            row.append(" ".join(p for p in parts if p))
    return row


TEXT_WIDTH = 100  # `score`'s text tables: readable in a terminal of 100 columns, or printed


def _score_text_tables(ranking: Ranking, evaluations: Sequence[Evaluation], lang: Lang
                       ) -> list[Table]:
    """`score` for people: per block, the categories' points then the indices, under short
    codes (C1 a category, I1 an index), each cut into as few tables as fit TEXT_WIDTH; the
    codes explained once, under the last table."""
    first = evaluations[0]
    categories = [n for n in first.nodes if n.depth == 0]
    kinds = [(_say(lang, "Categories", "Hạng mục"), [f"C{k}" for k in range(1, len(categories) + 1)]),
             (_say(lang, "Indices", "Chỉ số"), [f"I{k}" for k in range(1, len(first.indices) + 1)])]
    legend = [f"C{k} {n.id}: {_label(n, lang)}" for k, n in enumerate(categories, 1)]
    legend += [f"I{k} {i.id}: {index_label(i, lang) or i.id}" for k, i in enumerate(first.indices, 1)]
    rows = [_score_row(ranking, e, [n.id for n in categories], lang, machine=False)
            for e in evaluations]
    names = {e.block: block_label(e, lang) for e in evaluations}
    tables = []
    for block, name in names.items():
        body = [r for r in rows if r[1] == block]
        at = 2  # a row's first score: after the entity and its block
        for kind, shorts in kinds:
            columns = [[code, *(r[at + k] for r in body)] for k, code in enumerate(shorts)]
            parts = _columns_that_fit(columns, [str(r[0]) for r in body])
            for number, part in enumerate(parts, 1):
                count = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
                tables.append(Table(f"{name} — {kind}{count}",
                                    [_w("entity", lang), *(shorts[k] for k in part)],
                                    [[r[0], *(r[at + k] for k in part)] for r in body]))
            at += len(shorts)
    caption = _say(lang, "C: a category, points/max; I: an index, value, grade and rank in the "
                   "block", "C: hạng mục: điểm/tối đa; I: chỉ số: giá trị, xếp loại và thứ hạng "
                   "trong khối")
    last = tables[-1]
    tables[-1] = Table(last.title, last.headers, last.rows, "\n".join([caption, *legend]))
    return tables


def _columns_that_fit(columns: Sequence[Sequence[Cell]], entities: Sequence[str]) -> list[list[int]]:
    """The columns (header and cells) in as few groups as fit TEXT_WIDTH beside the entity's
    name (beyond 30 characters a name is folded, so counts as 30), evenly sized: 3 and 3, not
    5 and 1. A column takes `| x ` of the width, the table its last `|`."""
    room = TEXT_WIDTH - (min(30, max((len(e) for e in entities), default=0)) + 3 + 1)
    widths = [max(len(str(c)) for c in column) + 3 for column in columns]
    for count in range(1, len(columns) + 1):
        size = -(-len(columns) // count)
        parts = [list(range(k, min(k + size, len(columns)))) for k in range(0, len(columns), size)]
        if all(sum(widths[k] for k in part) <= room for part in parts):
            return parts
    return [[k] for k in range(len(columns))]  # wider than the page alone: rich folds it


def _score_sheets(ranking: Ranking, evaluations: Sequence[Evaluation], lang: Lang
                  ) -> list[Table]:
    """The workbook of `score`: a sheet per block (the CSV's columns but the block, labelled
    for people over the CSV's ids), then one of every criterion explained."""
    machine = _score_table(ranking, evaluations, lang, machine=True)
    first = evaluations[0]
    labels = [_w("entity", lang)]
    for node in (first.node(n.id) for n in first.nodes if n.depth == 0):
        labels += [_label(node, lang), _w("max", lang)]
    for index in first.indices:
        labels += [index_label(index, lang) or index.id, _w("grade", lang), _w("rank", lang)]
    keys = [machine.headers[0], *machine.headers[2:]]
    names = {e.block: block_label(e, lang) for e in evaluations}
    sheets = [Table(names[block], labels, [[r[0], *r[2:]] for r in machine.rows if r[1] == block],
                    keys=keys) for block in names]
    return [*sheets, _explanations_sheet(evaluations, lang)]


def _emit_workbook(args: argparse.Namespace, tables: Sequence[Table]) -> int:
    """A workbook to `--output` (`_settle_format` made sure there is one)."""
    from egov_rules.report.workbook import workbook_bytes

    output: str = args.output
    try:
        write_atomically(Path(output), workbook_bytes(tables))
    except OSError as error:
        raise _write_failure(args, output, error) from None
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        args.format = "json"
    if _streamed(args):
        return _stream_score(args, out)
    ranking = score_data(args)
    evaluations = ranking.evaluations
    if args.entity is not None:
        evaluations = [_pick(ranking, args.entity, args.lang)]
    if args.format == "json":
        payload: Any = evaluations[0] if args.entity is not None else ranking
        return _emit(args, out, payload.model_dump_json(indent=2) + "\n")
    if args.format == "html":
        html = _html(args)
        text = (html.render_evaluation_html(evaluations[0], ranking, args.lang)
                if args.entity is not None else html.render_ranking_html(ranking, args.lang))
        return _emit(args, out, str(text))
    if args.format == "xlsx":
        return _emit_workbook(args, _score_sheets(ranking, evaluations, args.lang))
    if args.explain and args.format == "text":
        return _emit(args, out, "\n".join(e.explain(args.lang) for e in evaluations))
    target = out if args.output is None else None
    if args.format == "text":
        tables = _score_text_tables(ranking, evaluations, args.lang)
        return _emit(args, out, render_tables(tables, "text", target, width=TEXT_WIDTH), shown=True)
    table = _score_table(ranking, evaluations, args.lang, machine=args.format == "csv")
    return _emit(args, out, render_tables([table], args.format, target, args.exact))


# -- explain -------------------------------------------------------------------------------


def _gains_table(evaluation: Evaluation, lang: Lang, machine: bool) -> Table:
    labels = {n.id: _label(n, lang) for n in evaluation.nodes}
    rows: list[list[Cell]] = [
        [labels.get(row.category, row.category), labels[row.node.id],
         row.next.gain if machine else fmt(row.next.gain, lang), row.next.words(lang)]
        for row in gain_rows(evaluation)]
    caption = "" if rows else _w("none", lang)
    if not machine:
        caption = (caption + "\n" if caption else "") + _say(
            lang, "a gain is counted on the criterion that earns it",
            "điểm tăng được tính trên chính tiêu chí đạt được")
    headers = [_w("category", lang), _w("criterion", lang), _w("gain", lang), _w("how", lang)]
    return Table(_w("gains", lang), headers, rows, caption)


def _label(node: NodeResult, lang: Lang) -> str:
    return (node.label_en or node.label) if lang == "en" else node.label


def _standing_table(evaluation: Evaluation, ranking: Ranking, lang: Lang) -> Table:
    rows: list[list[Cell]] = []
    for index, step in standing_rows(evaluation, ranking):
        value = index.rounded if index.rounded is not None else index.value
        rank = "" if step is None or step.rank is None else f"{step.rank}/{step.of}"
        rows.append([index_label(index, lang) or index.id, _number(value, lang, index.round),
                     _grade(index, lang), rank,
                     index.next_grade(lang) if index.next_grade else "",
                     "" if step is None else step_words(step, lang)])
    for node, step in node_standing_rows(evaluation, ranking):  # ranked on their points
        rank = "" if step.rank is None else f"{step.rank}/{step.of}"
        rows.append([_label(node, lang), _number(node.points, lang), "", rank, "",
                     step_words(step, lang, node=True)])
    headers = [_w("index", lang), _w("value", lang), _w("grade", lang), _w("rank", lang),
               _w("next_grade", lang), _w("next_rank", lang)]
    return Table(f"{evaluation.entity} — {_w('next_rank', lang)}", headers, rows)


EXPLAIN_KEYS = ("entity", "node", "parent", "label", "applicable", "points", "max", "citations",
                "rule", "next_gain", "next")


def _explain_rows(evaluation: Evaluation, lang: Lang) -> list[list[Cell]]:
    """One row per node of an entity, in EXPLAIN_KEYS' order (CSV and the workbook)."""
    return [[evaluation.entity, n.id, n.parent, _label(n, lang), n.applicable, n.points, n.max,
             "; ".join(n.citations), n.branch(lang), None if n.next is None else n.next.gain,
             None if n.next is None else n.next.words(lang)] for n in evaluation.nodes]


def _explain_csv(evaluation: Evaluation, lang: Lang, exact: bool = False) -> str:
    return csv_text([list(EXPLAIN_KEYS), *_explain_rows(evaluation, lang)], exact)


def _explanations_sheet(evaluations: Sequence[Evaluation], lang: Lang) -> Table:
    """Every entity's criteria, one row each, with the values read (the workbook's last sheet)."""
    words = {"entity": "entity", "node": "criterion", "citations": "citation", "next": "next"}
    headers = [_w(words.get(k, k), lang) for k in EXPLAIN_KEYS] + [_w("read", lang)]
    rows = [[*row, "; ".join(f"{r.name} = {r.shown(lang)}" for r in node.read)]
            for e in evaluations for row, node in zip(_explain_rows(e, lang), e.nodes, strict=True)]
    return Table(_w("explanations", lang), headers, rows, keys=[*EXPLAIN_KEYS, "read"])


def _explain_markdown(evaluation: Evaluation, ranking: Ranking, lang: Lang) -> str:
    rows = []
    for n in evaluation.nodes:
        score = "—" if n.points is None or n.max is None else f"{fmt(n.points, lang)}/{fmt(n.max, lang)}"
        label = ("\u00a0\u00a0" * n.depth) + _label(n, lang)  # no-break spaces: cells are escaped
        read = "; ".join(f"{r.name} = {r.shown(lang)}" for r in n.read)
        rows.append([label, score, ", ".join(n.citations), read, n.branch(lang),
                     "" if n.next is None else n.next.words(lang)])
    headers = [_w("node", lang), _w("points", lang), _w("citation", lang), _w("value", lang),
               _w("rule", lang), _w("next", lang)]
    title = f"{evaluation.entity} — {block_label(evaluation, lang)}"
    tables = [Table(title, headers, rows), _gains_table(evaluation, lang, False),
              _standing_table(evaluation, ranking, lang)]
    return "\n".join(table_markdown(t) for t in tables)


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    ranking = score_data(args)
    evaluation = _pick(ranking, args.entity, args.lang)
    if args.format == "json":
        payload = {
            "schema_version": ranking.schema_version,
            "evaluation": evaluation.model_dump(mode="json"),
            "largest_gains": {c: [n.id for n in nodes] for c, nodes
                              in evaluation.largest_gains(GAINS_PER_CATEGORY).items()},
            "next_rank": [s.model_dump(mode="json") for s in ranking.next_rank(evaluation.entity)],
        }
        return _emit(args, out, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if args.format == "html":
        text = _html(args).render_evaluation_html(evaluation, ranking, args.lang)
        return _emit(args, out, str(text))
    if args.format == "csv":
        return _emit(args, out, _explain_csv(evaluation, args.lang, args.exact))
    if args.format == "xlsx":
        return _emit_workbook(args, [_explanations_sheet([evaluation], args.lang),
                                     _gains_table(evaluation, args.lang, True),
                                     _standing_table(evaluation, ranking, args.lang)])
    if args.format == "markdown":
        return _emit(args, out, _explain_markdown(evaluation, ranking, args.lang))
    target = out if args.output is None else None
    tables = [_gains_table(evaluation, args.lang, False), _standing_table(evaluation, ranking, args.lang)]
    return _emit(args, out, printable(evaluation.explain(args.lang)) + "\n"
                 + render_tables(tables, "text", target), shown=True)


# -- rank ----------------------------------------------------------------------------------


def _rank_tables(ranking: Ranking, args: argparse.Namespace, machine: bool) -> list[Table]:
    lang: Lang = args.lang
    labels = {e.block: block_label(e, lang) for e in ranking.evaluations}
    tables = []
    for index in _ranked_indices(ranking, args):
        for block in _ranked_blocks(ranking, args):
            rows = ranking.table(index, block)
            ties = _w(ranking.ties[index], lang) if ranking.ties[index] in _WORDS else ranking.ties[index]
            # The grade each entry carries: an index's result would be made, words and all.
            grades = {r.entity: (r.grade_en or r.grade or "") if lang == "en" else (r.grade or "")
                      for r in rows}
            digits = declared_round(ranking, index)  # once a table, not once a row
            body = [[index, block, r.rank, r.entity, _figure(r.value, digits), grades[r.entity]]
                    if machine else
                    ["—" if r.rank is None else str(r.rank), r.entity,
                     _number(r.value, lang, digits), grades[r.entity]] for r in rows]
            headers = ["index", "block", "rank", "entity", "value", "grade"] if machine else [
                _w("rank", lang), _w("entity", lang), _w("value", lang), _w("grade", lang)]
            tables.append(Table(f"{index} — {labels.get(block, block)}", headers, body,
                                f"{_w('ties', lang)}: {ties}"))
    return tables


def _rank_sheets(ranking: Ranking, args: argparse.Namespace) -> list[Table]:
    """The workbook of `rank`: a sheet per block, every ranked index's table one after the
    other (the CSV's rows but the block), labelled for people over the CSV's ids."""
    lang: Lang = args.lang
    labels = {e.block: block_label(e, lang) for e in ranking.evaluations}
    tables = _rank_tables(ranking, args, machine=True)
    keys = ["index", "rank", "entity", "value", "grade"]
    headers = [_w(k, lang) for k in keys]
    return [Table(labels.get(block, block), headers,
                  [[r[0], *r[2:]] for t in tables for r in t.rows if r[1] == block], keys=keys)
            for block in _ranked_blocks(ranking, args)]


def _ranked_indices(ranking: Ranking, args: argparse.Namespace) -> list[str]:
    return _chosen_indices(list(ranking.ties), args)


def _chosen_indices(indices: list[str], args: argparse.Namespace) -> list[str]:
    """The ranked indices `--by` asks for (all without it)."""
    if args.by is None:
        return indices
    if args.by not in indices:
        hint = did_you_mean(args.by, indices)
        raise _Usage(_say(args.lang, f"`{args.by}` is not a ranked index; ranked: {', '.join(indices)}",
                          f"`{args.by}` không phải chỉ số được xếp hạng; các chỉ số xếp hạng: "
                          f"{', '.join(indices)}") + (f" ({hint(args.lang)})" if hint else ""))
    return [args.by]


def _ranked_blocks(ranking: Ranking, args: argparse.Namespace) -> list[str]:
    return _chosen_blocks(list(dict.fromkeys(e.block for e in ranking.evaluations)), args)


def _chosen_blocks(blocks: list[str], args: argparse.Namespace) -> list[str]:
    """The blocks of the data (in the order they first appear) that `--block` asks for."""
    if args.block is None:
        return blocks
    if args.block not in blocks:
        raise _Usage(_say(args.lang, f"no entity of block `{args.block}` in the data; blocks: "
                          f"{', '.join(blocks)}", f"dữ liệu không có đơn vị nào thuộc khối "
                          f"`{args.block}`; các khối: {', '.join(blocks)}"))
    return [args.block]


def _cmd_rank(args: argparse.Namespace, out: TextIO) -> int:
    if _streamed(args):
        return _stream_rank(args, out)
    ranking = score_data(args)
    indices, blocks = _ranked_indices(ranking, args), _ranked_blocks(ranking, args)
    if args.format == "json":
        record = ranking.model_dump(mode="json", exclude={"evaluations"})
        # As a reader looks for them: by block, then index, best first (the data's order
        # of entities says nothing about standing).
        record["ranks"] = [r.model_dump(mode="json") for block in blocks for index in indices
                           for r in ranking.table(index, block)]
        return _emit(args, out, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    if args.format == "html":
        kept = [r for r in ranking.ranks if r.index in indices and r.block in blocks]
        text = _html(args).render_ranking_html(ranking.model_copy(update={"ranks": kept}), args.lang)
        return _emit(args, out, str(text))
    if args.format == "xlsx":
        return _emit_workbook(args, _rank_sheets(ranking, args))
    tables = _rank_tables(ranking, args, machine=args.format == "csv")
    return _emit(args, out, render_tables(tables, args.format, out if args.output is None else None,
                                          args.exact), shown=args.format == "text")


# -- CSV files streamed: score and rank at any size (egov_rules.stream) -----------------------


def _streamed(args: argparse.Namespace) -> bool:
    """`score` (without --entity) and `rank` as CSV of a CSV file: read as a stream at every
    size, so one file gives one output whatever its size; the other formats keep every
    evaluation (explanations, records) and read the file whole; so does a methodology with
    `missing mean` (a missing value is its block's mean: `evaluate_many` sees the block) or
    with a cohort beyond the block (`in all`, `in group g`)."""
    return (args.format == "csv" and getattr(args, "entity", None) is None
            and args.sheet is None and Path(args.data).suffix.lower() == ".csv"
            and not _whole(_methodology(args.file, args.lang, _library(args)).model))


def _whole(model: Model) -> bool:
    """A file a methodology must see whole: a missing value is its block's mean (`missing
    mean`), or a cohort figure is found over all entities or a group (`in all`, `in group`)."""
    return model.imputes or scoped(model)


def _read_streamed(args: argparse.Namespace, methodology: egov_rules.Methodology,
                   each: Callable[[Score, tuple[int, ...]], None], names: bool) -> Standings:
    """Score the data file as a stream, handing each score on (with its value ids); every
    problem of the file reported at once (exit 1), as `read_entities` reports them, before
    anything is written."""
    from egov_rules.stream import Standings, scores_of_file

    if not Path(args.data).is_file():
        raise _Usage(_say(args.lang, f"no such file: {args.data}", f"không có tệp: {args.data}"))
    references, reading = _references(args, methodology.model), _reading(args, methodology.model)
    cohort = _cohort(args, methodology, reading)
    reporter = Reporter()
    standings = Standings(methodology.model, names)
    for score in scores_of_file(methodology, args.data, reporter, reading, references, cohort):
        each(score, standings.add(score))
    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    _print_diagnostics(reporter.sorted(), args.lang)
    if not standings.count:
        raise _no_entity(args.data)
    return standings


def _stream_score(args: argparse.Namespace, out: TextIO) -> int:
    """`_score_table`'s CSV: each row spooled as it is scored, without its ranks, then
    written out with them once every entity is counted."""
    methodology = _methodology(args.file, args.lang, _library(args))
    model = methodology.model
    categories = [n for n in model.nodes if model.parents.get(n) is None]
    indices = [i.id for i in model.tree.indices if i.id in model.indices]
    digits = {i.id: i.round for i in model.tree.indices}
    header: list[Cell] = ["entity", "block"]
    for c in categories:
        header += [c, f"{c}_max"]
    for i in indices:
        header += [i, f"{i}_grade", f"{i}_rank"]
    with _Spool(args.lang) as spool:
        def keep(score: Score, ids: tuple[int, ...]) -> None:
            parts = _score_parts(score, categories, (indices, digits), model.ranks, args.lang,
                                 args.exact)
            spool.write(pickle.dumps((score.block, ids, parts), pickle.HIGHEST_PROTOCOL))

        standings = _read_streamed(args, methodology, keep, names=False)
        # (index, position of its value id): rank columns follow the indices' order, value ids
        # the order of the `rank` rules
        at = {index: k for k, index in enumerate(model.ranks)}
        ranked = [(i, at[i]) for i in indices if i in at]
        return _emit_lines(args, out, itertools.chain(
            csv_lines([header]), _ranked_rows(spool.read(), standings, ranked)))


class _Spool:
    """Rows kept on disk until their ranks are known: a temporary file without a name (an
    interrupted run leaves nothing behind), written a megabyte at a time straight to its
    descriptor; a full disk is exit 1, as for the output itself."""

    BLOCK = 1 << 20

    def __init__(self, lang: Lang) -> None:
        self.lang, self.pending = lang, bytearray()
        self.file = tempfile.TemporaryFile(prefix="egov-rules-")  # noqa: SIM115  # __exit__
        self.handle = self.file.fileno()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, data: bytes) -> None:
        self.pending += data
        if len(self.pending) >= self.BLOCK:
            self._flush()

    def _flush(self) -> None:
        data = bytes(self.pending)
        self.pending.clear()
        try:
            while data:
                data = data[os.write(self.handle, data):]
        except OSError as error:
            raise _OutputFailed(_say(self.lang, f"cannot write a temporary file: {_reason(error)}",
                                     f"không ghi được tệp tạm: {_reason(error)}")) from None

    def read(self) -> IO[bytes]:
        """The rows written, from the first (the file stays open, and is closed with this)."""
        self._flush()
        os.lseek(self.handle, 0, os.SEEK_SET)
        return os.fdopen(os.dup(self.handle), "rb")


def _score_parts(score: Score, categories: list[str],
                 indices: tuple[list[str], Mapping[str, int | None]],
                 ranked: Mapping[str, object], lang: Lang, exact: bool) -> list[str]:
    """A score row as CSV text cut where each rank goes (ranks are known only at the end);
    the last part is "" when nothing follows the last rank. `indices`: their ids, and the
    decimals each declares."""
    cells: list[Cell] = [score.entity, score.block]
    for c in categories:
        cells += [_exact(score.points(c)), _exact(score.max(c))]
    parts = []
    ids, digits = indices
    for i in ids:
        index = score.index(i)
        value = _exact(index.rounded if index.rounded is not None else index.value)
        grade = (index.grade_en or index.grade or "") if lang == "en" else (index.grade or "")
        cells += [_figure(value, digits[i]), grade]  # exact: Fractions
        if i in ranked:
            parts.append(csv_text([cells], exact)[:-1])
            cells = []
        else:
            cells.append(None)
    parts.append(csv_text([cells], exact)[:-1] if cells else "")
    return parts


def _exact(number: Number | None) -> Fraction | None:
    assert not isinstance(number, float), "streamed scores are exact"
    return number


def _ranked_rows(spool: IO[bytes], standings: Standings, ranked: list[tuple[str, int]]
                 ) -> Iterator[str]:
    """The spooled rows, each with its ranks (`ranked`: each ranked index in the order of a
    row's rank columns, with where its value id is among the row's ids)."""
    with spool:
        yield from _spooled(spool, standings, ranked)


def _spooled(spool: IO[bytes], standings: Standings, ranked: list[tuple[str, int]]
             ) -> Iterator[str]:
    while True:
        try:
            block, ids, parts = pickle.load(spool)
        except EOFError:
            return
        pieces = [parts[0]]
        for k, (index, at) in enumerate(ranked):
            rank = standings.rank(index, block, ids[at])
            pieces += ["" if rank is None else str(rank), parts[k + 1]]
        yield ",".join(pieces if pieces[-1] else pieces[:-1]) + "\n"


def _stream_rank(args: argparse.Namespace, out: TextIO) -> int:
    """`_rank_tables`' CSV from the standings kept as the scores stream past."""
    methodology = _methodology(args.file, args.lang, _library(args))
    standings = _read_streamed(args, methodology, lambda score, ids: None, names=True)
    indices = _chosen_indices(list(methodology.model.ranks), args)
    blocks = _chosen_blocks(list(standings.blocks), args)
    en = args.lang == "en"
    digits = {i.id: i.round for i in methodology.model.tree.indices}
    rows = ([index, block, rank, entity, _figure(_exact(value), digits.get(index)),
             "" if label is None else (label[1] or label[0] or "") if en else (label[0] or "")]
            for index in indices for block in blocks
            for rank, entity, value, label in standings.table(index, block))
    header: list[Cell] = ["index", "block", "rank", "entity", "value", "grade"]
    return _emit_lines(args, out, csv_lines(itertools.chain([header], rows), args.exact)
                       if indices else [])


# -- list --------------------------------------------------------------------------------------


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """The methodologies of the library: id, year, title, base, file; then their sources."""
    entries = egov_rules.methodologies(_library(args))
    if args.format == "json":
        rows = [dataclasses.asdict(entry) for entry in entries]
        return _emit(args, out, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    en = args.lang == "en"
    if not entries:
        return _emit(args, out, _say(args.lang, "no methodology in the library\n",
                                     "thư viện không có phương pháp nào\n"))
    heads = ["id", _say(args.lang, "year", "năm"), _say(args.lang, "extends", "sửa đổi"),
             _say(args.lang, "title", "tên"), _say(args.lang, "file", "tệp")]
    rows_ = [[e.id, "" if e.year is None else str(e.year), e.extends or "",
              (e.title_en if en and e.title_en else e.title) or "", shown_path(e.path)]
             for e in entries]
    widths = [max(len(r[k]) for r in [heads, *rows_]) for k in range(len(heads) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
             for r in [heads, *rows_]]
    return _emit(args, out, "\n".join(lines) + "\n")


# -- verify-record -------------------------------------------------------------------------


def _read_record(path: str, lang: Lang) -> Ranking:
    if not Path(path).is_file():
        raise _Usage(_say(lang, f"no such file: {path}", f"không có tệp: {path}"))
    try:
        return Ranking.read_record(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _Usage(_say(lang, f"cannot read {path}: {reason}", f"không đọc được {path}: {reason}")
                     ) from None


def _recorded(path: str | None, lang: Lang) -> str:
    """A path a record holds, as it can be shown and pasted: never read, never trusted."""
    return _say(lang, "no file", "không có tệp") if path is None else shlex.quote(visible(shown_path(path)))


def _files_to_name(args: argparse.Namespace, record: Ranking) -> str:
    """Why verify-record needs --methodology and --data, with the paths the record holds."""
    lang: Lang = args.lang
    file = _say(lang, "FILE", "TỆP")
    missing = " ".join(f"{flag} {file}" for flag, given in (("--methodology", args.methodology),
                                                          ("--data", args.data)) if given is None)
    made_from = (f"--methodology {_recorded(record.methodology_path, lang)} "
                 f"--data {_recorded(record.inputs_path, lang)}")
    return _say(lang, f"verify-record reads only the files named on its command line, never a path "
                f"a record holds: pass {missing}. The record says it was made with {made_from}: "
                "check that these are the files meant before passing them",
                f"verify-record chỉ đọc các tệp nêu trên dòng lệnh, không bao giờ đọc đường dẫn lưu "
                f"trong bản ghi: hãy truyền {missing}. Bản ghi cho biết nó được tạo với {made_from}: "
                "hãy kiểm tra đúng là các tệp cần dùng trước khi truyền")


def _file_problems(args: argparse.Namespace, record: Ranking, recomputed: Ranking
                   ) -> tuple[list[str], set[tuple[str, str]]]:
    """The files given that are not the ones recorded, for people; and the (node, field) of
    the differences these lines already say."""
    lang: Lang = args.lang
    problems, said = [], set()
    rules, data = recomputed.methodology.content_hash, recomputed.inputs_hash
    if rules != record.methodology.content_hash:
        said.add(("methodology", "content_hash"))
        recorded = visible(record.methodology.content_hash)
        problems.append(_say(
            lang, f"the methodology {args.file} is not the one recorded (made with "
            f"{_recorded(record.methodology_path, lang)}): content hash {rules}, the record says {recorded}",
            f"phương pháp {args.file} không phải bản đã ghi (bản ghi tạo với "
            f"{_recorded(record.methodology_path, lang)}): mã băm {rules}, bản ghi lưu {recorded}"))
    if record.inputs_hash is None:  # no hash, no check: never a silent pass
        said.add(("record", "inputs_hash"))
        problems.append(_say(
            lang, f"the record holds no sha256 of its data: {args.data} cannot be checked against it",
            f"bản ghi không lưu sha256 của dữ liệu: không thể đối chiếu {args.data} với bản ghi"))
    elif data != record.inputs_hash:
        said.add(("record", "inputs_hash"))
        recorded = visible(record.inputs_hash)
        problems.append(_say(
            lang, f"the data {args.data} is not the file recorded (made with "
            f"{_recorded(record.inputs_path, lang)}): sha256 {data}, the record says {recorded}",
            f"dữ liệu {args.data} không phải tệp đã ghi (bản ghi tạo với "
            f"{_recorded(record.inputs_path, lang)}): sha256 {data}, bản ghi lưu {recorded}"))
    return problems, said


def _reading_of_record(args: argparse.Namespace, record: Ranking) -> None:
    """The record's reading options where the command line gives none: words and figures are
    taken back; a map or cohort file is never read from a record, only asked for."""
    options = record.inputs_reading
    if options is None:
        return
    args.locale = args.locale or options.locale
    args.header_row = args.header_row if args.header_row is not None else options.header_row
    args.recorded_references = options.references
    for flag, recorded, given in (("--columns", options.columns_hash, args.columns),
                                  ("--cohort", options.cohort_hash, args.cohort)):
        if recorded is not None and given is None:
            raise _Usage(_say(
                args.lang, f"the record was made with {flag} (a file whose sha256 is "
                f"{visible(recorded)}); give that file with {flag}",
                f"bản ghi được tạo với {flag} (tệp có sha256 {visible(recorded)}); hãy cho tệp "
                f"đó bằng {flag}"))


def _cmd_verify_record(args: argparse.Namespace, out: TextIO) -> int:
    lang: Lang = args.lang
    record = _read_record(args.record, lang)
    if args.methodology is None or args.data is None:
        raise _Usage(_files_to_name(args, record))
    args.file = args.methodology
    if args.sheet is None:  # a name inside the file given, not a path: safe to take
        args.sheet = record.inputs_sheet
    _reading_of_record(args, record)
    recomputed = score_data(args)
    problems, said = _file_problems(args, record, recomputed)
    differences = [d for d in record.differences(recomputed) if (d.node, d.field) not in said]
    ok = not problems and not differences
    if args.format == "json":
        payload = {"ok": ok, "problems": problems,
                   "differences": [d.model_dump(mode="json") for d in differences]}
        _emit(args, out, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK if ok else EXIT_INPUT
    lines = [*problems]
    for d in differences:
        entity, node, field = visible(d.entity), visible(d.node), visible(d.field)
        recorded, recomputed_value = visible(d.recorded), visible(d.recomputed)
        lines.append(_say(lang, f"{entity} · {node} · {field}: recorded {recorded}, "
                          f"recomputed {recomputed_value}",
                          f"{entity} · {node} · {field}: bản ghi {recorded}, "
                          f"tính lại {recomputed_value}"))
    count = len(record.evaluations)
    lines.append(_say(lang, f"record verified: {count} entities recomputed, every value matches",
                      f"bản ghi khớp: đã tính lại {count} đơn vị, mọi giá trị trùng khớp") if ok else
                 _say(lang, f"record does NOT match: {len(problems)} file problem(s), "
                      f"{len(differences)} differing value(s)",
                      f"bản ghi KHÔNG khớp: {len(problems)} vấn đề về tệp, {len(differences)} giá trị khác"))
    _emit(args, out, "\n".join(lines) + "\n")
    return EXIT_OK if ok else EXIT_INPUT


# -- diff ----------------------------------------------------------------------------------


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    from egov_rules.diff import diff, render_diff

    old, new = _methodology(args.old, args.lang), _methodology(args.new, args.lang)
    changes = diff(old.model, new.model)
    text = render_diff(changes, old.model, new.model, args.format, args.lang)
    if args.data is None:
        return _emit(args, out, text)
    from egov_rules.diff import impact, impact_json, impact_tables
    from egov_rules.inputs import load_data
    from egov_rules.report.tables import render_tables

    # Read once, without either model: a column only one of them declares is read by that one.
    entities = load_data(args.data, args.sheet, locale=args.locale, header_row=args.header_row)
    result = impact(old, new, entities, changes)
    if args.format == "json":
        payload = {**json.loads(text), "impact": impact_json(result, changes)}
        return _emit(args, out, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    tables = render_tables(impact_tables(result, changes, args.lang), args.format,
                           out if args.output is None else None)
    if args.format == "text":  # the tables are made safe to show already; the list is not
        return _emit(args, out, printable(text) + "\n" + tables, shown=True)
    return _emit(args, out, text + "\n" + tables)


# -- history -------------------------------------------------------------------------------


def _cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    from egov_rules.history import YEARS, History
    from egov_rules.report import trend
    from egov_rules.report.tables import csv_text, render_tables

    lang: Lang = args.lang
    if args.year is not None and len(args.add) != 1:
        raise _Usage(_say(lang, "--year names the year of one record: give exactly one --add",
                          "--year là năm của một bản ghi: hãy cho đúng một --add"))
    if args.year is not None and not YEARS[0] <= args.year <= YEARS[1]:
        raise _Usage(_say(lang, f"--year {args.year}: a year from {YEARS[0]} to {YEARS[1]}",
                          f"--year {args.year}: năm từ {YEARS[0]} đến {YEARS[1]}"))
    records = [(path, _read_record(path, lang)) for path in args.add]  # all read before any kept
    with History(args.store) as store:
        for path, record in records:
            store.add(record, args.year, replace=args.replace,
                      record_bytes=Path(path).read_bytes())
        editions, results = store.editions(), store.results(args.item, args.block)
    if args.item is not None and not results:
        raise _Usage(_say(lang, f"the store holds no `{args.item}`"
                          + (f" in block `{args.block}`" if args.block else ""),
                          f"kho không có `{args.item}`"
                          + (f" trong khối `{args.block}`" if args.block else "")))
    if args.format == "json":
        return _emit(args, out, json.dumps(trend.as_json(results, editions), ensure_ascii=False,
                                           indent=2) + "\n")
    if args.format == "csv":
        return _emit(args, out, csv_text([trend.LONG_HEADERS, *trend.long_rows(results)]))
    panels = trend.panels(results, editions, lang)
    if args.format == "html":
        return _emit(args, out, trend.html_page(panels, editions, lang), shown=True)
    text = render_tables(trend.tables(panels, lang), args.format,
                         out if args.output is None else None)
    return _emit(args, out, text, shown=True)


# -- doc -----------------------------------------------------------------------------------


def _cmd_doc(args: argparse.Namespace, out: TextIO) -> int:
    from egov_rules.annex import render_annex

    methodology = _methodology(args.file, args.lang, _library(args))
    return _emit(args, out, render_annex(methodology, args.format, args.lang))


# -- template ------------------------------------------------------------------------------


def _cmd_template(args: argparse.Namespace, out: TextIO) -> int:
    from egov_rules.template import MAX_ROWS, template_bytes

    lang: Lang = args.lang
    output: str = args.output
    if not output.lower().endswith(".xlsx"):  # a workbook: never text, never a terminal
        raise _Usage(_say(lang, f"--output {output}: a template is a workbook; name a .xlsx file",
                          f"--output {output}: biểu mẫu là một bảng tính; hãy đặt tên tệp .xlsx"))
    if not 1 <= args.rows <= MAX_ROWS:
        raise _Usage(_say(lang, f"--rows must be from 1 to {MAX_ROWS}",
                          f"--rows phải từ 1 đến {MAX_ROWS}"))
    methodology = _methodology(args.file, lang, _library(args))
    blocks = list(methodology.model.blocks)
    if args.block is not None and args.block not in blocks:
        hint = did_you_mean(args.block, blocks)
        raise _Usage(_say(lang, f"no block `{args.block}`; blocks: {', '.join(blocks)}",
                          f"không có khối `{args.block}`; các khối: {', '.join(blocks)}")
                     + (f" ({hint(lang)})" if hint else ""))
    workbook = template_bytes(methodology.model, [args.block] if args.block else blocks, lang,
                              args.rows)
    try:
        write_atomically(Path(output), workbook)
    except OSError as error:
        raise _write_failure(args, output, error) from None
    return EXIT_OK


# -- verify --------------------------------------------------------------------------------


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    try:
        from egov_rules import testing
    except ImportError:
        raise _Usage("`verify` needs hypothesis: pip install 'egov_rules[dev]'" if args.lang == "en"
                     else "`verify` cần hypothesis: pip install 'egov_rules[dev]'") from None
    if args.budget < 1:
        raise _Usage(_say(args.lang, "--budget must be at least 1", "--budget phải từ 1 trở lên"))
    methodology = _methodology(args.file, args.lang, _library(args))
    en = args.lang == "en"
    exemptions = [(node.id, e.indicator.name, e.reason) for node in methodology.model.nodes.values()
                  for e in node.exemptions]
    lines = [f"{methodology.id} ({args.file})",
             ("  monotonicity: proven by `check`" if en else "  tính đơn điệu: đã chứng minh bởi `check`")
             + (f"; {len(exemptions)} exemption(s)" if en else f"; {len(exemptions)} miễn trừ")]
    lines += [f"    not monotone in {ind} under {node}: “{reason}”" for node, ind, reason in exemptions]
    failed = 0
    total = 0
    for result in testing.verify(methodology, args.budget):
        total += result.cases
        if result.failure is None:
            lines.append(f"  {result.name:<14} ok ({result.cases} " + ("cases)" if en else "trường hợp)"))
            continue
        failed += 1
        lines.append(f"  {result.name:<14} " + (f"FAILED after {result.cases} cases; minimal case:" if en
                     else f"KHÔNG ĐẠT sau {result.cases} trường hợp; trường hợp tối giản:"))
        lines += ["    " + line for line in result.failure.splitlines()]
        lines += ["    " + json.dumps(case, default=str, ensure_ascii=False)
                  for case in result.counterexample]
    lines.append(f"{total} generated cases, {failed} failing propert{'y' if failed == 1 else 'ies'}"
                 if en else f"{total} trường hợp được sinh, {failed} tính chất không đạt")
    _emit(args, out, "\n".join(lines) + "\n")
    return EXIT_INPUT if failed else EXIT_OK


# -- main ----------------------------------------------------------------------------------


# argparse's own words (its gettext message ids) in Vietnamese; English is argparse's.
_ARGPARSE_VI: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số vị trí",
    "options": "tuỳ chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "không nhận ra tham số: %s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tuỳ chọn không rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng được cùng tham số %s",
    "ignored explicit argument %r": "giá trị %r bị bỏ qua",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "unexpected option string: %s": "tuỳ chọn không mong đợi: %s",
}


@contextmanager
def _argparse_in(lang: Lang) -> Iterator[None]:
    """argparse's help and errors in `lang`, through the gettext hooks argparse calls at the
    time it builds a parser and says something."""
    if lang == "en":
        yield
        return
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda text: _ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: _ARGPARSE_VI.get(  # type: ignore[attr-defined]
        one if n == 1 else many, one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def lang_of(argv: Sequence[str]) -> Lang:
    """The `--lang` of a command line, known before argparse says anything (default vi)."""
    chosen: Lang = "vi"
    for index, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else None)
        if value in ("vi", "en"):
            chosen = "en" if value == "en" else "vi"
    return chosen


class _Parser(argparse.ArgumentParser):
    """argparse, with a did-you-mean for a mistyped command or choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: Mapping[str, argparse.ArgumentParser] = {}  # the program's: its commands

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as error:
            hint = did_you_mean(str(value), [str(c) for c in action.choices or ()])
            if hint is None:
                raise
            raise argparse.ArgumentError(action, f"{error.message} ({hint(_LANG.get())})"
                                         ) from None


_LANG: ContextVar[Lang] = ContextVar("lang", default="vi")


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the command given (its usage and flags), or the program's."""
    commands = parser.commands if isinstance(parser, _Parser) else {}
    return commands.get(getattr(args, "command", None) or "", parser)


def _flag_hints(command: argparse.ArgumentParser, unknown: Sequence[str], lang: Lang) -> str:
    """Did-you-mean for mistyped flags, among those of the command given."""
    flags = [flag for action in command._actions for flag in action.option_strings]
    hints = [did_you_mean(arg.partition("=")[0], flags) for arg in unknown if arg.startswith("-")]
    return "".join(f" ({hint(lang)})" for hint in hints if hint is not None)


def build_parser(lang: Lang = "vi") -> argparse.ArgumentParser:
    """The command line, its help in `lang` (argparse's own words too when built inside
    `_argparse_in(lang)`, as `main` does)."""
    def say(en: str, vi: str) -> str:
        return _say(lang, en, vi)

    rule_file = say("methodology file (.egr)", "tệp phương pháp (.egr)")
    parser = _Parser(
        prog="egov-rules",
        description=say("Compile, check and score e-government evaluation methodologies.",
                        "Biên dịch, kiểm tra và chấm điểm theo phương pháp đánh giá chính phủ điện tử."),
        epilog=say("exit codes: 0 ok, 1 errors in the rule file or data (or output not written), "
                   "2 usage, 3 internal error, 130 interrupted, 141 output closed early",
                   "mã thoát: 0 thành công, 1 tệp quy tắc hoặc số liệu có lỗi (hoặc không ghi được "
                   "kết quả), 2 dòng lệnh sai, 3 lỗi nội bộ, 130 bị dừng, 141 đầu ra bị đóng sớm"),
    )
    parser.add_argument("--version", action="version", version=egov_rules.__version__,
                        help=say("show the version and exit", "in số phiên bản rồi thoát"))
    # Also before the command (`egov-rules --lang en check …`); `main` reads it from the whole
    # command line, as a command's own `--lang` would otherwise reset it to its default.
    parser.add_argument("--lang", dest="top_lang", choices=("vi", "en"),
                        help=say("language of explanations and messages (default: vi)",
                                 "ngôn ngữ của giải trình và thông báo (mặc định: vi)"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title=say("commands", "lệnh"))
    parser.commands = sub.choices  # for did-you-mean on a command's flags

    def command(name: str, en: str, vi: str) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = sub.add_parser(name, help=say(en, vi), description=say(en, vi))
        return made

    check = command("check", "report every problem in a rule file",
                    "báo mọi lỗi của một tệp quy tắc")
    check.add_argument("file", help=rule_file)
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help=say("output format (default: text)", "định dạng kết quả (mặc định: text)"))
    _add_common(check, lang)
    check.set_defaults(handler=_cmd_check)

    score = command("score", "scores, grades and ranks of the entities of a data file",
                    "điểm, xếp loại và thứ hạng của các đơn vị trong một tệp số liệu")
    _add_data(score, lang)
    score.add_argument("--entity", help=say("show only this entity", "chỉ hiện đơn vị này"))
    score.add_argument("--explain", action="store_true",
                       help=say("explain every criterion (text; same as the `explain` subcommand's "
                                "first part)", "giải trình từng tiêu chí (dạng text; như phần đầu "
                                "của lệnh `explain`)"))
    score.add_argument("--json", action="store_true",
                       help=say("same as --format json", "như --format json"))
    _add_output(score, lang)
    _add_exact(score, lang)
    score.set_defaults(handler=_cmd_score)

    doc = command("doc", "write a methodology's annexes (tables) from its rules",
                  "viết các phụ lục (bảng điểm) của một phương pháp từ quy tắc của nó")
    doc.add_argument("file", help=rule_file)
    _add_output(doc, lang, ("markdown", "html"), "markdown")
    doc.set_defaults(handler=_cmd_doc)

    explain = command("explain", "every criterion of one entity, its largest gains and what "
                      "would move it up a grade or a rank",
                      "từng tiêu chí của một đơn vị, các mức tăng điểm lớn nhất và điều cần để "
                      "lên xếp loại hay thứ hạng")
    _add_data(explain, lang)
    explain.add_argument("--entity", required=True,
                         help=say("the entity to explain", "đơn vị cần giải trình"))
    _add_output(explain, lang)
    _add_exact(explain, lang)
    explain.set_defaults(handler=_cmd_explain)

    rank = command("rank", "rankings per block and per index, with the tie rule",
                   "bảng xếp hạng theo khối và theo chỉ số, với quy tắc đồng hạng")
    _add_data(rank, lang)
    rank.add_argument("--block", help=say("only this block (id)", "chỉ khối này (mã khối)"))
    rank.add_argument("--by", metavar="INDEX", help=say("only this index", "chỉ chỉ số này"))
    _add_output(rank, lang)
    _add_exact(rank, lang)
    rank.set_defaults(handler=_cmd_rank)

    verify_record = command("verify-record", "recompute a JSON record and compare",
                            "tính lại một bản ghi JSON và đối chiếu")
    verify_record.add_argument("record", help=say("a ranking written by `score --format json`",
                                                  "bảng xếp hạng do `score --format json` ghi"))
    # Needed, though argparse is not told: the usage error names the paths the record holds.
    never_read = say("(needed: a record's paths are never read)",
                     "(bắt buộc: đường dẫn trong bản ghi không bao giờ được đọc)")
    verify_record.add_argument("--methodology", metavar="FILE",
                               help=say("the rule file", "tệp quy tắc") + " " + never_read)
    verify_record.add_argument("--data", metavar="FILE",
                               help=say("the data file", "tệp số liệu") + " " + never_read)
    verify_record.add_argument("--sheet", metavar="NAME",
                               help=say("XLSX: the sheet to read (default: the one the record names)",
                                        "XLSX: trang tính cần đọc (mặc định: trang bản ghi nêu)"))
    _add_reading(verify_record, lang)
    _add_output(verify_record, lang, ("text", "json"))
    verify_record.set_defaults(handler=_cmd_verify_record)

    diff = command("diff", "what changed from one methodology to another, as an amending "
                   "decree says it", "những gì thay đổi giữa hai phương pháp, như một văn bản "
                   "sửa đổi, bổ sung")
    diff.add_argument("old", help=say("the earlier methodology (.egr)", "phương pháp trước (.egr)"))
    diff.add_argument("new", help=say("the later methodology (.egr)", "phương pháp sau (.egr)"))
    diff.add_argument("--data", metavar="FILE",
                      help=say("score this data under both and show what moved each entity",
                               "chấm số liệu này theo cả hai và cho biết điều gì làm mỗi đơn vị "
                               "thay đổi"))
    diff.add_argument("--sheet", metavar="NAME",
                      help=say("XLSX: the sheet to read", "XLSX: trang tính cần đọc"))
    _add_reading(diff, lang)
    _add_output(diff, lang, ("text", "markdown", "json"))
    diff.set_defaults(handler=_cmd_diff)

    history = command("history", "results over the years: add yearly records to a store "
                      "(SQLite) and show each entity's values, ranks and movements",
                      "kết quả qua các năm: thêm bản ghi từng năm vào kho (SQLite) và xem giá "
                      "trị, thứ hạng và biến động của từng đơn vị")
    history.add_argument("store", help=say("the store file (created when absent)",
                                           "tệp kho (tạo mới nếu chưa có)"))
    history.add_argument("--add", action="append", default=[], metavar="RECORD",
                         help=say("a record written by `score --format json` (repeatable)",
                                  "bản ghi do `score --format json` ghi (lặp lại được)"))
    history.add_argument("--year", type=int, metavar="N",
                         help=say("the year of the one record added (default: its methodology's)",
                                  "năm của bản ghi được thêm (mặc định: năm của phương pháp)"))
    history.add_argument("--replace", action="store_true",
                         help=say("replace a year the store holds", "thay một năm kho đã có"))
    history.add_argument("--item", metavar="ID", help=say("only this index (or ranked node)",
                                                          "chỉ chỉ số (hoặc mục xếp hạng) này"))
    history.add_argument("--block", help=say("only this block (id)", "chỉ khối này (mã khối)"))
    _add_output(history, lang, ("text", "markdown", "csv", "json", "html"))
    history.set_defaults(handler=_cmd_history)

    template = command("template", "write a workbook to fill in, one sheet per block, that "
                       "`score` reads as it is", "ghi một bảng tính để điền số liệu, mỗi khối một "
                       "trang tính, mà `score` đọc được ngay không cần sửa")
    template.add_argument("file", help=rule_file)
    template.add_argument("--block", help=say("only this block (id)", "chỉ khối này (mã khối)"))
    template.add_argument("--rows", type=int, default=5, metavar="N",
                          help=say("rows to fill on each sheet (default: 5)",
                                   "số dòng để điền ở mỗi trang tính (mặc định: 5)"))
    template.add_argument("--output", metavar="PATH.xlsx", required=True,
                          help=say("the workbook to write (.xlsx)", "bảng tính cần ghi (.xlsx)"))
    _add_common(template, lang)
    template.set_defaults(handler=_cmd_template)

    listing = command("list", "the methodologies of the library: id, year, base, title, file",
                      "các phương pháp trong thư viện: mã, năm, phương pháp gốc, tên, tệp")
    listing.add_argument("--format", choices=("text", "json"), default="text",
                         help=say("output format (default: text)", "định dạng kết quả (mặc định: text)"))
    _add_common(listing, lang)
    listing.set_defaults(handler=_cmd_list)

    verify = command("verify", "property-test a methodology: monotone, bounded, explained, "
                     "deterministic (needs hypothesis)",
                     "kiểm thử tính chất của một phương pháp: đơn điệu, bị chặn, có giải trình, "
                     "tất định (cần hypothesis)")
    verify.add_argument("file", help=rule_file)
    verify.add_argument("--budget", type=int, default=100,
                        help=say("generated cases per property (default: 100)",
                                 "số trường hợp sinh cho mỗi tính chất (mặc định: 100)"))
    _add_common(verify, lang)
    verify.set_defaults(handler=_cmd_verify)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str], lang: Lang) -> argparse.Namespace:
    """`parse_args`, with a did-you-mean for each mistyped flag."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = _command(parser, args)
        command.error(argparse._("unrecognized arguments: %s")  # type: ignore[attr-defined]
                      % " ".join(unknown) + _flag_hints(command, unknown, lang))
    return args


def _tolerate_encodings() -> None:
    """A terminal or pipe that cannot encode Vietnamese (PYTHONIOENCODING=ascii, a Latin-1
    locale) still gets every result and message, with `\\u1ed9` for what it cannot show."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _abandon(stream: TextIO) -> None:
    """Point a stream that must not be written any more at /dev/null (the recipe of Python's
    signal docs): Python flushes it again at exit, and a closed pipe or a full disk would then
    print an 'Exception ignored' warning and exit 120."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a StringIO: nothing to flush at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


class _Closed(io.StringIO):
    """Standard output when the shell closed it (`>&-`), where Python leaves sys.stdout None:
    writing the result fails as it would on the closed descriptor."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    if out is None:
        _tolerate_encodings()
        out = sys.stdout if sys.stdout is not None else _Closed()
    given = sys.argv[1:] if argv is None else list(argv)
    lang = lang_of(given)
    token = _LANG.set(lang)
    try:
        with _argparse_in(lang):
            args = _parse(build_parser(lang), given, lang)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        _LANG.reset(token)
    args.lang = lang  # given before or after the command
    with _holding() as held:
        return _run(args, out, lang, held)


def _run(args: argparse.Namespace, out: TextIO, lang: Lang, held: list[Diagnostic]) -> int:
    """The command, with every way it can end turned into an exit code; the warnings `held`
    are said with what ends it, under one summary line."""
    try:
        _check_output(args)  # before any work: nothing is read twice or written over
        _settle_format(args)
        handler: Handler = args.handler
        code = handler(args, out)
        out.flush()
        _print_diagnostics([], lang, said=held)
        return code
    except EgovRulesError as error:
        _print_diagnostics(error.diagnostics, lang, said=held)  # sorted by row, then column
        return EXIT_INPUT
    except _Usage as usage:
        _print_diagnostics([], lang, said=held)
        _complain(str(usage))
        return EXIT_USAGE
    except _OutputFailed as failure:
        _print_diagnostics([], lang, said=held)
        _complain(str(failure))
        return EXIT_INPUT
    except BrokenPipeError:  # quietly, as `| head` expects; not 0: the output was cut short
        _abandon(out)
        if sys.stderr is not None:  # `2>&1 | head`: it may be the pipe that broke
            _abandon(sys.stderr)
        return EXIT_BROKEN_PIPE
    except OSError as error:  # outputs are handled where written: this is an input that cannot be read
        where = error.filename if error.filename is not None else _say(lang, "an input", "một tệp vào")
        _complain(_say(lang, f"cannot read {where}: {_reason(error)}",
                       f"không đọc được {where}: {_reason(error)}"))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _abandon(out)  # what is left in its buffer is not worth waiting for
        _complain(_say(lang, "interrupted", "đã dừng theo yêu cầu"))
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: say so plainly, no traceback unless asked
        if os.environ.get("EGOV_RULES_DEBUG"):
            raise
        _complain(f"internal error: {type(error).__name__}: {error}\n"
                  "This is a bug in egov_rules. Set EGOV_RULES_DEBUG=1 to see the traceback.")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
