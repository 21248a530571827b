"""The only orchestrator: source text → checked model, or every diagnostic of the file."""

from __future__ import annotations

from egov_rules import syntax as s
from egov_rules.build import build
from egov_rules.checks import run_checks
from egov_rules.diagnostics import Diagnostic, Reporter
from egov_rules.examples import run_examples
from egov_rules.model import Model, content_hash, node_blocks
from egov_rules.parser import parse
from egov_rules.resolve import Symbols, resolve
from egov_rules.source import SourceFile
from egov_rules.typecheck import Type, typecheck


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
    model = _model(syntax_tree, symbols, types, source)
    run_examples(model, reporter)
    if reporter.has_errors:
        return None, reporter.sorted()
    return model, reporter.sorted()


def _model(tree: s.Methodology, symbols: Symbols, types: dict[str, Type],
           source: SourceFile) -> Model:
    lets = symbols.lets
    indices = symbols.indices
    return Model(
        tree=tree,
        blocks=dict(symbols.blocks),
        indicators=symbols.indicators,
        lets={k: lets[k] for k in symbols.let_order if k in lets},
        nodes={n.id: n for n in s.walk_nodes(tree.categories)},
        parents=dict(symbols.parents),
        blocks_of=node_blocks(tree.categories, tuple(symbols.blocks)),
        indices={k: indices[k] for k in symbols.index_order if k in indices},
        grades={t.name: g for g in tree.grades for t in g.targets},
        ranks={t.name: r for r in tree.ranks for t in r.targets},
        types=types,
        content_hash=content_hash(source.text),
    )
