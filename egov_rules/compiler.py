"""The only orchestrator: source text → checked model, or every diagnostic of the file."""

from __future__ import annotations

from egov_rules.build import build
from egov_rules.checks import run_checks
from egov_rules.checks.monotonicity import check_monotonicity
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.examples import run_examples
from egov_rules.model import Model, build_model
from egov_rules.parser import parse
from egov_rules.resolve import resolve
from egov_rules.source import SourceFile
from egov_rules.typecheck import typecheck


def compile_source(source: SourceFile) -> tuple[Model | None, list[Diagnostic]]:
    """Parse, check and run the examples of a rule file.

    Returns the model (None when there are errors) and every diagnostic, sorted by position.
    """
    reporter = Reporter()
    tree = parse(source, reporter)
    if tree is None:
        return None, reporter.sorted()
    syntax_tree = build(tree, source, reporter)
    symbols = resolve(syntax_tree, reporter)
    types = typecheck(syntax_tree, symbols, reporter)
    run_checks(syntax_tree, symbols, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    model = build_model(syntax_tree, symbols, types, source)
    check_monotonicity(model, symbols, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    run_examples(model, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    return model, reporter.sorted()
