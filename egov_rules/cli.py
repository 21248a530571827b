"""`egov-rules`: a thin shell over the public API.

Exit codes: 0 success (warnings allowed); 1 the rule file or the data has errors;
2 the command line is wrong; 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import egov_rules
from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Lang, Reporter
from egov_rules.explain import fmt
from egov_rules.inputs import EntityData, load_yaml
from egov_rules.render import render_all, to_json
from egov_rules.results import Evaluation, Ranking
from egov_rules.source import SourceFile

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace, TextIO], int]


class _Usage(Exception):
    """A wrong command line detected after argparse (e.g. an unknown entity name)."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help="language of explanations and messages (default: vi)")


def _load(path: str) -> egov_rules.Methodology:
    if not Path(path).is_file():
        raise _Usage(f"no such file: {path}")
    return egov_rules.load(path)


def _print_diagnostics(diagnostics: Sequence[Diagnostic], lang: Lang) -> None:
    if diagnostics:
        sys.stderr.write(render_all(diagnostics, lang))


# -- check ---------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    if not Path(args.file).is_file():
        raise _Usage(f"no such file: {args.file}")
    try:
        source = SourceFile.read(args.file)
        diagnostics = egov_rules.check(source.text, args.file)
    except UnicodeDecodeError:
        raise EgovRulesError([Diagnostic(codes.NOT_UTF8, None, path=args.file)]
                             ) from None
    if args.format == "json":
        json.dump([to_json(d, args.lang) for d in diagnostics], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_all(diagnostics, args.lang))
    return EXIT_INPUT if any(d.is_error for d in diagnostics) else EXIT_OK


# -- score ---------------------------------------------------------------------------------


def load_entities(path: str) -> list[EntityData]:
    """Entities from a data file (YAML here; the workbench adds CSV, XLSX and JSON)."""
    if not Path(path).is_file():
        raise _Usage(f"no such file: {path}")
    reporter = Reporter()
    entities = load_yaml(path, reporter)
    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    if not entities:
        raise _Usage(f"{path}: no entities found")
    return entities


def _cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    methodology = _load(args.file)
    ranking = methodology.evaluate_many(load_entities(args.data))
    evaluations = ranking.evaluations
    if args.entity is not None:
        names = [e.entity for e in evaluations]
        if args.entity not in names:
            raise _Usage(f"no entity named {args.entity!r}; the data has: {', '.join(names)}")
        evaluations = [ranking.evaluation(args.entity)]
    if args.json:
        payload: Any = (evaluations[0] if args.entity is not None else ranking)
        out.write(payload.model_dump_json(indent=2) + "\n")
        return EXIT_OK
    for evaluation in evaluations:
        if args.explain:
            out.write(evaluation.explain(args.lang) + "\n")
        else:
            out.write(_summary(evaluation, ranking, args.lang) + "\n")
    if args.entity is None and not args.explain:
        out.write(ranking.explain(args.lang))
    return EXIT_OK


def _summary(evaluation: Evaluation, ranking: Ranking, lang: Lang) -> str:
    lines = [f"{evaluation.entity} ({evaluation.block_label or evaluation.block})"]
    for node in evaluation.nodes:
        if node.depth != 0:
            continue
        label = (node.label_en or node.label) if lang == "en" else node.label
        score = "—" if node.points is None or node.max is None else \
            f"{fmt(node.points, lang)}/{fmt(node.max, lang)}"
        lines.append(f"  {label}: {score}")
    for index in evaluation.indices:
        value = index.rounded if index.rounded is not None else index.value
        shown = "—" if value is None else fmt(value, lang, digits=12)
        grade = index.grade_en if lang == "en" and index.grade_en else index.grade
        rank = next((r.rank for r in ranking.ranks
                     if r.entity == evaluation.entity and r.index == index.id), None)
        extra = "".join([f"  {grade}" if grade else "",
                         f"  #{rank}" if rank is not None else ""])
        lines.append(f"  {index.label or index.id}: {shown}{extra}")
    return "\n".join(lines)


# -- doc -----------------------------------------------------------------------------------


def _cmd_doc(args: argparse.Namespace, out: TextIO) -> int:
    from egov_rules.annex import render_annex

    text = render_annex(_load(args.file), args.format, args.lang)
    if args.output is None:
        out.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _Usage(f"không ghi được {args.output}: {reason}" if args.lang == "vi"
                     else f"cannot write {args.output}: {reason}") from None
    return EXIT_OK


# -- main ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="egov-rules",
        description="Compile, check and score e-government evaluation methodologies.",
        epilog="exit codes: 0 ok, 1 errors in the rule file or data, 2 usage, 3 internal error",
    )
    parser.add_argument("--version", action="version", version=egov_rules.__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="report every problem in a rule file")
    check.add_argument("file", help="methodology file (.egr)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    _add_common(check)
    check.set_defaults(handler=_cmd_check)

    score = sub.add_parser("score", help="score the entities of a data file")
    score.add_argument("file", help="methodology file (.egr)")
    score.add_argument("data", help="indicator data (YAML)")
    score.add_argument("--entity", help="show only this entity")
    score.add_argument("--explain", action="store_true", help="explain every criterion")
    score.add_argument("--json", action="store_true", help="print the results as JSON")
    _add_common(score)
    score.set_defaults(handler=_cmd_score)

    doc = sub.add_parser("doc", help="write a methodology's annexes (tables) from its rules")
    doc.add_argument("file", help="methodology file (.egr)")
    doc.add_argument("--format", choices=("markdown", "html"), default="markdown")
    doc.add_argument("--output", help="write to this file instead of standard output")
    _add_common(doc)
    doc.set_defaults(handler=_cmd_doc)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    lang: Lang = getattr(args, "lang", "vi")
    try:
        handler: Handler = args.handler
        return handler(args, out)
    except EgovRulesError as error:
        _print_diagnostics(error.diagnostics, lang)
        return EXIT_INPUT
    except _Usage as usage:
        sys.stderr.write(f"egov-rules: {usage}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # a bug: say so plainly, no traceback unless asked
        if os.environ.get("EGOV_RULES_DEBUG"):
            raise
        sys.stderr.write(
            f"egov-rules: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in egov_rules. Set EGOV_RULES_DEBUG=1 to see the traceback.\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
