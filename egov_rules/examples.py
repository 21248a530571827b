"""Runs a methodology's `example` blocks; a failed `expect` becomes a located diagnostic."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Reporter, Text
from egov_rules.evaluate import MissingReference, RuntimeValue, compute_lets, evaluate_entity
from egov_rules.inputs import EntityData, Located, validate_entity
from egov_rules.model import Model
from egov_rules.numbers import exact_str, fmt
from egov_rules.results import Evaluation


def _raw(model: Model, name: str, value: s.ExampleValue) -> object:
    """An example's literal as data: `30%` for a percent indicator is the figure 30."""
    if isinstance(value, s.Number):
        indicator = model.indicators.get(name)
        is_percent = indicator is not None and indicator.kind == "percent"
        return value.value * 100 if value.percent and is_percent else value.value
    if isinstance(value, s.YesNo):
        return value.value
    return value.name


def run_examples(model: Model, reporter: Reporter) -> None:
    for example in model.tree.examples:
        _run_example(model, example, reporter)


def _run_example(model: Model, example: s.Example, reporter: Reporter) -> None:
    label = f"“{example.label}”"
    data = EntityData(
        name=label, block=Located(example.block.name, example.block.span),
        values={g.ref.name: Located(_raw(model, g.ref.name, g.value), g.value.span)
                for g in example.givens},
        span=example.span,
    )
    local = Reporter()
    values = validate_entity(model, data, local)
    named = f"{label}: "  # data messages start with the entity's name; E402 names it once
    for diagnostic in local.diagnostics:
        reporter.report(
            codes.EXAMPLE_INVALID, diagnostic.span or example.span, example=label,
            detail=diagnostic.message("en").removeprefix(named),
            detail_vi=diagnostic.message("vi").removeprefix(named),
            hint=diagnostic.hint,
        )
    if values is None:
        return
    cohort = {r.ref.name: r.value.value for r in example.references}
    try:
        evaluation = evaluate_entity(model, example.label, example.block.name, values, cohort)
    except MissingReference as missing:
        reporter.report(
            codes.EXAMPLE_INVALID, example.span, example=label,
            detail=f"`{missing.node.id}` compares with the best in its block",
            detail_vi=f"`{missing.node.id}` so sánh với giá trị cao nhất của khối",
            hint=Text(f"add `reference {missing.node.id} = <best value in the block>`",
                      f"thêm `reference {missing.node.id} = <giá trị cao nhất của khối>`"),
        )
        return
    env = compute_lets(model, values)
    for expect in example.expects:
        actual = _actual(model, evaluation, env, expect)
        expected = expect.value if isinstance(expect.value, str) else expect.value.value
        if actual != expected:
            reporter.report(
                codes.EXAMPLE_FAILED, expect.span, example=label, name=expect.ref.name,
                expected=_show(expected, actual), actual=_show(actual, expected),
            )


def _actual(model: Model, evaluation: Evaluation, env: dict[str, RuntimeValue],
            expect: s.Expect) -> Fraction | str | bool | None:
    name = expect.ref.name
    if name in model.indices:
        result = evaluation.index(name)
        if expect.grade:
            grade = result.grade
            return result.grade_en if expect.value == result.grade_en else grade
        return result.rounded if result.rounded is not None else result.value
    if name in model.nodes:
        return evaluation.node(name).points
    return env.get(name)


def _show(value: object, other: object) -> str:
    """A value for a failed `expect`; exact (p/q or every decimal) when 6 digits would make
    the two sides look equal."""
    if value is None:
        return "not applicable"
    if isinstance(value, Fraction):
        short = fmt(value, digits=6)
        if isinstance(other, Fraction) and fmt(other, digits=6) == short:
            return exact_str(value)
        return short
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)
