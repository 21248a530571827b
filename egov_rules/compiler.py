"""The only orchestrator: source text → checked model, or every diagnostic of the file."""

from __future__ import annotations

from egov_rules.build import build
from egov_rules.checks import run_checks
from egov_rules.checks.monotonicity import check_monotonicity
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.examples import run_examples
from egov_rules.library import LibraryArg
from egov_rules.model import Model, build_model
from egov_rules.parser import parse
from egov_rules.resolve import resolve
from egov_rules.revise import expand, name_removals
from egov_rules.source import SourceFile
from egov_rules.typecheck import typecheck


def compile_source(source: SourceFile, library: LibraryArg = None
                   ) -> tuple[Model | None, list[Diagnostic]]:
    """Parse, check and run the examples of a rule file; a revision (`extends`) is first
    resolved against its base, found by id in `library` (directories; None: the shipped one).

    Returns the model (None when there are errors) and every diagnostic, sorted by position.
    """
    reporter = Reporter()
    tree = parse(source, reporter)
    if tree is None:
        return None, reporter.sorted()
    expanded = expand(build(tree, source, reporter), reporter, library)
    if expanded is None:
        return None, reporter.sorted()
    syntax_tree = expanded.tree
    before = len(reporter.diagnostics)
    symbols = resolve(syntax_tree, reporter)
    types = typecheck(syntax_tree, symbols, reporter)
    run_checks(syntax_tree, symbols, reporter)
    name_removals(reporter, expanded.removed, before)
    if reporter.has_errors:
        return None, reporter.sorted()
    bases = tuple((base.id, base.text) for base in expanded.bases)
    model = build_model(syntax_tree, symbols, types, source, bases)
    check_monotonicity(model, symbols, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    run_examples(model, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    return model, reporter.sorted()
