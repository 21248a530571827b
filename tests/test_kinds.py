"""Every rule class, combine mode, index method and let function has exactly one kind, and
every kind gives every facet (an abstract facet left out makes the class uninstantiable)."""

from __future__ import annotations

import inspect
from fractions import Fraction
from typing import get_args

import pytest

from egov_rules import syntax as s
from egov_rules.kinds import RULE_KINDS, rule_kind
from egov_rules.kinds.base import RuleKind
from egov_rules.kinds.combine import CombineKind, combine_kind
from egov_rules.kinds.functions import LetFunction, let_function
from egov_rules.kinds.index_methods import IndexMethodKind, index_method
from egov_rules.source import SourceFile, Span

SPAN = Span(SourceFile("x.egr", "x"), 0, 1)
NAME = s.Name(name="x", span=SPAN)
ONE = s.Number(value=Fraction(1), percent=False, span=SPAN)

RULES: list[s.Rule] = [
    s.Proportional(expr=NAME, low=None, high=None, relative=False, reference=None, span=SPAN),
    s.Bands(expr=NAME, bands=(), span=SPAN),
    s.YesNoRule(expr=NAME, span=SPAN),
    s.Per(each=ONE, expr=NAME, cap=ONE, span=SPAN),
    s.Table(expr=NAME, rows=(), span=SPAN),
    s.MinMax(expr=NAME, lower=False, ref_min=None, ref_max=None, span=SPAN),
    s.ZScore(expr=NAME, lower=False, within=ONE, ref_mean=None, ref_sd=None, span=SPAN),
    s.Percentile(expr=NAME, lower=False, span=SPAN),
    s.ZMinMax(terms=(s.ZTerm(expr=NAME, weight=None, span=SPAN),), expr=NAME, span=SPAN),
]


def test_each_rule_class_has_its_own_kind() -> None:
    assert {type(r) for r in RULES} == set(get_args(s.Rule))
    kinds = [rule_kind(r) for r in RULES]
    assert len({id(k) for k in kinds}) == len(RULES) == len(RULE_KINDS)
    assert set(map(id, kinds)) == set(map(id, RULE_KINDS))
    assert len({k.keyword for k in kinds}) == len(kinds)


@pytest.mark.parametrize("base", [RuleKind, CombineKind, IndexMethodKind, LetFunction])
def test_no_kind_leaves_a_facet_out(base: type) -> None:
    concrete = [c for c in _subclasses(base) if not c.__name__.startswith("_")]
    assert concrete
    for cls in concrete:
        assert not inspect.isabstract(cls), f"{cls.__name__} leaves out {cls.__abstractmethods__}"


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_each_combine_mode_index_method_and_function_has_one_kind() -> None:
    modes = {combine_kind(s.Node(kind="category", id="n", label="n", maximum=None, weight=None,
                                 citations=(), only=None, when=None, attributes=(),
                                 body=(s.Group(mode=m, children=(), span=SPAN),), span=SPAN))
             for m in get_args(s.CombineMode)}
    assert len(modes) == len(get_args(s.CombineMode))
    methods = {index_method(s.Index(id="i", label=None, method=m, terms=(), round=None, span=SPAN))
               for m in get_args(s.IndexMethod)}
    assert len(methods) == len(get_args(s.IndexMethod))
    functions = {let_function(s.Call(func=f, args=(), span=SPAN))
                 for f in ("min", "max", "clamp", "count_yes")}
    assert {f.name for f in functions} == {"min", "max", "clamp", "count_yes"}
