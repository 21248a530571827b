"""Runs a methodology's `example` blocks; a failed `expect` becomes a located diagnostic."""

from __future__ import annotations

from fractions import Fraction

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import EgovRulesError, Reporter, Text
from egov_rules.evaluate import (
    MissingReference,
    RuntimeValue,
    cohort_keys,
    compute_lets,
    evaluate_with_indices,
    figure_words,
)
from egov_rules.inputs import EntityData, Located, missing_applied, validate_entity
from egov_rules.inputs.impute import impute, reference_key
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
    cohort = {r.key: r.value.value for r in example.references}
    if not _known_figures(model, example, reporter):
        return
    try:
        imputed = impute(model, [(data, values)], cohort)[0]  # a `mean` from `reference x.mean`
    except EgovRulesError as error:
        for diagnostic in error.diagnostics:
            reporter.report(codes.EXAMPLE_INVALID, example.span, example=label,
                            detail=diagnostic.message("en").removeprefix(named),
                            detail_vi=diagnostic.message("vi").removeprefix(named),
                            hint=diagnostic.hint)
        return
    try:
        evaluation = evaluate_with_indices(model, example.label, example.block.name, values,
                                           cohort, None, missing_applied(model, data),
                                           imputed)[0]
    except MissingReference as missing:
        figures_en, figures_vi = figure_words(missing.keys)
        reporter.report(
            codes.EXAMPLE_INVALID, example.span, example=label,
            detail=f"`{missing.node.id}` compares with {figures_en} of its block",
            detail_vi=f"`{missing.node.id}` so sánh với {figures_vi} của khối",
            hint=Text(f"add `reference {missing.node.id} = <best value in the block>`",
                      f"thêm `reference {missing.node.id} = <giá trị cao nhất của khối>`"),
        )
        return
    env = compute_lets(model, values)
    for expect in example.expects:
        actual = _actual(model, evaluation, env, expect)
        if not _holds(expect, actual):
            _report_failed(expect, actual, label, reporter)


def _known_figures(model: Model, example: s.Example, reporter: Reporter) -> bool:
    """Every `reference node.figure` names a figure the node reads (`cohort_keys`) or an
    indicator's `x.mean`; E402 at the line otherwise."""
    known = {*cohort_keys(model), *(reference_key(n) for n in model.indicators)}
    wrong = [r for r in example.references if r.figure is not None and r.key not in known]
    for reference in wrong:
        listed = ", ".join(sorted(k for k in known if k.startswith(reference.ref.name + "."))) \
            or "none"
        reporter.report(
            codes.EXAMPLE_INVALID, reference.span, example=f"“{example.label}”",
            detail=f"`{reference.key}` is not a figure of the block it reads",
            detail_vi=f"`{reference.key}` không phải số liệu của khối mà nó đọc",
            hint=Text(f"figures of `{reference.ref.name}`: {listed}",
                      f"số liệu của `{reference.ref.name}`: {listed}"))
    return not wrong


def _expected(expect: s.Expect) -> Fraction | str | None:
    return expect.value.value if isinstance(expect.value, s.Number) else expect.value


def _holds(expect: s.Expect, actual: Fraction | str | bool | None) -> bool:
    """Whether an `expect` line holds; `≈ v ± t` compares exactly: |actual − v| ≤ t."""
    expected = _expected(expect)
    if expect.tolerance is None:
        return actual == expected
    assert isinstance(expected, Fraction)  # the grammar: `≈` takes a number
    return isinstance(actual, Fraction) and abs(actual - expected) <= expect.tolerance.value


def _report_failed(expect: s.Expect, actual: Fraction | str | bool | None, label: str,
                   reporter: Reporter) -> None:
    expected = _expected(expect)
    shown = _show(expected, actual)
    hint = None
    if expect.tolerance is not None:
        tolerance = exact_str(expect.tolerance.value)
        shown += f" ± {tolerance}"
        if isinstance(actual, Fraction) and isinstance(expected, Fraction):
            off = exact_str(abs(actual - expected))
            hint = Text(f"off by {off}, more than the tolerance {tolerance}",
                        f"lệch {off}, vượt quá dung sai {tolerance}")
    elif expected is None:
        hint = Text(f"`{expect.ref.name}` applies to this example's block and inputs",
                    f"`{expect.ref.name}` được áp dụng cho khối và số liệu của ví dụ này")
    reporter.report(
        codes.EXAMPLE_FAILED, expect.span, example=label, name=expect.ref.name,
        expected=shown, actual=_show(actual, expected), hint=hint,
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
