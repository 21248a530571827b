"""lark Transformer: parse tree → syntax tree. Literals become Fractions; nothing semantic here.

The only problems reported here are ones the grammar cannot express: an attribute given twice
on one node, a number where an integer is required (a year, a level, a rounding), a level
range that runs backwards or holds more than `MAX_LEVELS` levels, a fraction over zero
(`1/0`) and an exponent beyond the digit limit (`1e99999999`, refused before any arithmetic).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, cast

from lark import Token, Tree, v_args
from lark.tree import Meta
from lark.visitors import Transformer_NonRecursive

from egov_rules import codes
from egov_rules import syntax as s
from egov_rules.diagnostics import Label, Reporter, Text
from egov_rules.numbers import fmt
from egov_rules.parser import MAX_LEVELS, MAX_NUMBER_DIGITS
from egov_rules.source import SourceFile, Span

_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_ARITHMETIC = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_DECIMAL = re.compile(r"(?P<whole>\d+)(?:\.(?P<part>\d+))?(?:[eE](?P<exp>[+-]?\d+))?%?", re.A)


def decimal_size(text: str) -> int | None:
    """The power of ten the first nonzero digit of a NUMBER or PERCENT token stands for
    (1 for `12.5`, -6 for `1e-6`), None for zero; read from the text, so that `1e99999999`
    is measured without building its 100-million-digit value."""
    match = _DECIMAL.fullmatch(text)
    assert match is not None, text  # the grammar's NUMBER and PERCENT
    whole, part = match["whole"], match["part"] or ""
    digits = (whole + part).lstrip("0")
    if not digits:
        return None
    return len(whole) - 1 - (len(whole + part) - len(digits)) + int(match["exp"] or 0)


class _NodeAttr:
    """A node attribute on its way into a Node (max, weight, citation, only, when)."""

    __slots__ = ("key", "span", "value")

    def __init__(self, key: str, value: Any, span: Span) -> None:
        self.key, self.value, self.span = key, value, span


@v_args(meta=True, inline=True)
class _Builder(Transformer_NonRecursive[Token, s.Methodology]):
    def __init__(self, source: SourceFile, reporter: Reporter) -> None:
        super().__init__()
        self._file = source
        self._reporter = reporter

    # -- helpers ---------------------------------------------------------------------------
    def _span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return self._file.span(0, 0)
        return self._file.span(meta.start_pos, meta.end_pos)

    def _tspan(self, token: Token) -> Span:
        return self._file.span(token.start_pos or 0, token.end_pos or 0)

    def _ref(self, token: Token) -> s.Ref:
        return s.Ref(name=str(token), span=self._tspan(token))

    @staticmethod
    def _text(token: Token | None) -> str | None:
        return None if token is None else str(token)[1:-1]

    def _integer(self, number: s.Number, what: str, what_vi: str) -> int:
        if number.value.denominator != 1 or number.percent:
            self._reporter.report(
                codes.BAD_VALUE, number.span,
                detail=f"{what} must be a whole number", detail_vi=f"{what_vi} phải là số nguyên",
                hint=self._whole_hint(number),
            )
        return int(number.value)

    def _whole_hint(self, number: s.Number) -> Text:
        """`2/9`, `1e-1` or `50%` said as the number it is, and a whole number near it."""
        written = self._file.text[number.span.start:number.span.end]
        near = round(number.value)
        if written == fmt(number.value):
            return Text(f"write a whole number such as `{near}`",
                        f"viết một số nguyên, ví dụ `{near}`")
        return Text(f"`{written}` is {fmt(number.value)}; write a whole number such as `{near}`",
                    f"`{written}` bằng {fmt(number.value, 'vi')}; viết một số nguyên, ví dụ "
                    f"`{near}`")

    def _number_token(self, token: Token) -> s.Number:
        text = str(token)
        percent = text.endswith("%")
        size = decimal_size(text)
        if size is not None and not -MAX_NUMBER_DIGITS < size < MAX_NUMBER_DIGITS:
            # An exponent may shorten a number, never make one longer than the digit limit.
            self._reporter.report(
                codes.TOO_LARGE, self._tspan(token), what=f"`{text}` written out",
                what_vi=f"`{text}` khi viết đầy đủ", limit=f"{MAX_NUMBER_DIGITS} digits",
                limit_vi=f"{MAX_NUMBER_DIGITS} chữ số",
            )
            return s.Number(value=Fraction(0), percent=percent, span=self._tspan(token))
        value = Fraction(text[:-1]) / 100 if percent else Fraction(text)
        return s.Number(value=value, percent=percent, span=self._tspan(token))

    # -- file and header -------------------------------------------------------------------
    def start(self, meta: Meta, header: s.Header, *sections: Any) -> s.Methodology:
        buckets: dict[type, list[Any]] = {}
        for section in sections:
            items = section if isinstance(section, list) else [section]
            for item in items:
                buckets.setdefault(type(item), []).append(item)

        def take(kind: type) -> tuple[Any, ...]:
            return tuple(buckets.get(kind, ()))

        amendments = tuple(x for x in sections if isinstance(x, s.Add | s.Replace | s.Remove
                                                             | s.Change))
        return s.Methodology(
            header=header, blocks=take(s.Block), indicators=take(s.Indicator),
            lets=take(s.Let), categories=take(s.Node), indices=take(s.Index),
            grades=take(s.Grades), ranks=take(s.Rank), examples=take(s.Example),
            span=self._file.span(0, len(self._file.text)), amendments=amendments or None,
        )

    def header(self, meta: Meta, name: Token, extends: s.Ref | None,
               *items: s.Attribute | list[s.Attribute] | None) -> s.Header:
        attributes = self._unique_attributes(_flat(items))
        return s.Header(id=str(name), attributes=attributes, span=self._span(meta),
                        extends=extends)

    def _unique_attributes(self, items: list[s.Attribute]) -> tuple[s.Attribute, ...]:
        first: dict[str, Span] = {}
        for item in items:
            if item.key in first:
                self._duplicate_attribute(item.key, item.span, first[item.key])
            first.setdefault(item.key, item.span)
        return tuple(items)

    def _duplicate_attribute(self, key: str, span: Span, first: Span) -> None:
        self._reporter.report(
            codes.DUPLICATE_ATTRIBUTE, span, attribute=key,
            labels=[Label(first, Text("first given here", "khai báo lần đầu ở đây"))],
        )

    def _attr(self, key: str, meta: Meta, value: Any) -> s.Attribute:
        return s.Attribute(key=key, value=value, span=self._span(meta))

    def title(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("title", meta, self._text(text))

    def title_en(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("title_en", meta, self._text(text))

    def source(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("source", meta, self._text(text))

    def year(self, meta: Meta, number: s.Number) -> s.Attribute:
        value = self._integer(number, "the year", "năm")
        return self._attr("year", meta, Fraction(value))

    def missing_error(self, meta: Meta) -> s.Attribute:
        return self._attr("missing", meta, "error")

    def missing_zero(self, meta: Meta) -> s.Attribute:
        return self._attr("missing", meta, "zero")

    def missing_not_applicable(self, meta: Meta) -> s.Attribute:
        return self._attr("missing", meta, "not applicable")

    def missing_mean(self, meta: Meta) -> s.Attribute:
        return self._attr("missing", meta, "mean")

    def missing_mean_within(self, meta: Meta, group: Token) -> list[s.Attribute]:
        # Two attributes: `missing` stays `mean` wherever a policy is compared, and `within`
        # names the group indicator (located at its name, for the checks).
        return [self._attr("missing", meta, "mean"),
                s.Attribute(key="within", value=str(group), span=self._tspan(group))]

    # -- blocks and indicators -------------------------------------------------------------
    def blocks(self, meta: Meta, *blocks: s.Block) -> list[s.Block]:
        return list(blocks)

    def block(self, meta: Meta, name: Token, label: Token, en: Token | None, annex: Token | None
              ) -> s.Block:
        return s.Block(
            id=str(name), label=self._text(label) or "", label_en=self._text(en),
            annex=self._text(annex), span=self._tspan(name),
        )

    def indicators(self, meta: Meta, *indicators: s.Indicator) -> list[s.Indicator]:
        return list(indicators)

    def indicator(
        self, meta: Meta, name: Token, kind: tuple[Any, ...], label: Token,
        direction: str | None, *attrs: s.Attribute | list[s.Attribute] | None,
    ) -> s.Indicator:
        kind_name, levels, options = kind
        given = [between_in_data_units(a, kind_name) for a in _flat(attrs)]
        return s.Indicator(
            id=str(name), kind=kind_name, label=self._text(label) or "",
            direction=cast(s.Direction, direction or "higher"), levels=levels, options=options,
            attributes=self._unique_attributes(given),
            span=self._tspan(name),
        )

    def t_count(self, meta: Meta) -> tuple[Any, ...]:
        return ("count", None, ())

    def t_number(self, meta: Meta) -> tuple[Any, ...]:
        return ("number", None, ())

    def t_percent(self, meta: Meta) -> tuple[Any, ...]:
        return ("percent", None, ())

    def t_yes_no(self, meta: Meta, _token: Token) -> tuple[Any, ...]:
        return ("yes/no", None, ())

    def t_level(self, meta: Meta, low: s.Number, high: s.Number) -> tuple[Any, ...]:
        lo = self._integer(low, "a level", "mức")
        hi = self._integer(high, "a level", "mức")
        span = self._file.span(low.span.start, high.span.end)
        if hi < lo:
            self._reporter.report(
                codes.BAD_VALUE, span, detail="a level range goes from the lowest level up",
                detail_vi="khoảng mức đi từ mức thấp nhất lên",
                hint=Text(f"write `level {hi}..{lo}`", f"viết `level {hi}..{lo}`"),
            )
        elif hi - lo + 1 > MAX_LEVELS:
            self._reporter.report(
                codes.TOO_LARGE, span, what="the number of levels", what_vi="số mức",
                limit=f"{MAX_LEVELS:,}", limit_vi=f"{MAX_LEVELS:,}",
                hint=Text("a level is one step of a short scale; for a quantity, use `count` "
                          "or `number` and score it with `bands`",
                          "mức là một bậc của thang ngắn; với một đại lượng, dùng `count` "
                          "hoặc `number` và chấm điểm bằng `bands`"),
            )
        return ("level", (min(lo, hi), max(lo, hi)), ())  # reported; read on as meant

    def t_options(self, meta: Meta, *options: s.Option) -> tuple[Any, ...]:
        return ("options", None, tuple(options))

    def option(self, meta: Meta, name: Token, label: Token | None) -> s.Option:
        return s.Option(id=str(name), label=self._text(label), span=self._tspan(name))

    def neutral(self, meta: Meta) -> str:
        return "neutral"

    def higher(self, meta: Meta) -> str:
        return "higher"

    def lower(self, meta: Meta) -> str:
        return "lower"

    def en(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("en", meta, self._text(text))

    def unit(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("unit", meta, self._text(text))

    def evidence(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("evidence", meta, self._text(text))

    def data_source(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("data_source", meta, self._text(text))

    def verified_by(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("verified_by", meta, self._text(text))

    def note(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("note", meta, self._text(text))

    def reconstructed(self, meta: Meta, text: Token) -> s.Attribute:
        return self._attr("reconstructed", meta, self._text(text))

    def not_monotone(self, meta: Meta, name: Token, reason: Token) -> s.Exemption:
        return s.Exemption(indicator=self._ref(name), reason=self._text(reason) or "",
                           span=self._span(meta))

    def between_attr(self, meta: Meta, low: s.Number, high: s.Number) -> s.Attribute:
        return self._attr("between", meta, (low, high))  # scaled by `indicator`

    def per_attr(self, meta: Meta, denominator: Token) -> s.Attribute:
        # Located at the denominator's name: what its checks point at.
        return s.Attribute(key="per", value=str(denominator), span=self._tspan(denominator))

    # -- lets ------------------------------------------------------------------------------
    def let(
        self, meta: Meta, name: Token, label: Token | None, label_en: Token | None,
        expr: s.Expr, *rules: s.ZeroRule,
    ) -> s.Let:
        return s.Let(
            id=str(name), label=self._text(label), label_en=self._text(label_en), expr=expr,
            zero_rules=tuple(rules), span=self._tspan(name),
        )

    def zero_rule(self, meta: Meta, condition: s.Expr, fallback: s.Expr) -> s.ZeroRule:
        return s.ZeroRule(condition=condition, fallback=fallback, span=self._span(meta))

    # -- nodes -----------------------------------------------------------------------------
    def category(self, meta: Meta, *parts: Any) -> s.Node:
        return self._node("category", meta, parts)

    def node(self, meta: Meta, *parts: Any) -> s.Node:
        return self._node("criterion", meta, parts)

    def _node(self, kind: s.NodeKind, meta: Meta, parts: tuple[Any, ...]) -> s.Node:
        name, label, *rest = parts
        header_attrs: list[_NodeAttr] = []
        text_attrs: list[s.Attribute] = []
        body: list[s.Rule | s.Group | s.Node] = []
        exemptions: list[s.Exemption] = []
        for part in rest:
            if part is None:
                continue
            if isinstance(part, _NodeAttr):
                header_attrs.append(part)
            elif isinstance(part, list):  # an attribute line in the body
                header_attrs.extend(part)
            elif isinstance(part, s.Attribute):
                text_attrs.append(part)
            elif isinstance(part, s.Exemption):
                exemptions.append(part)
            else:
                body.append(part)
        single: dict[str, Any] = {}
        first: dict[str, Span] = {}
        citations: list[s.Citation] = []
        for attr in header_attrs:
            if attr.key == "citation":
                citations.append(attr.value)
            elif attr.key in single:
                self._duplicate_attribute(attr.key, attr.span, first[attr.key])
            else:
                single[attr.key] = attr.value
                first[attr.key] = attr.span
        return s.Node(
            kind=kind, id=str(name), label=self._text(label) or "",
            maximum=single.get("max"), weight=single.get("weight"),
            citations=tuple(citations), only=single.get("only"), when=single.get("when"),
            attributes=self._unique_attributes(text_attrs), body=tuple(body),
            span=self._tspan(name), exemptions=tuple(exemptions),
        )

    def attr_line(self, meta: Meta, *attrs: _NodeAttr) -> list[_NodeAttr]:
        return list(attrs)

    def max_attr(self, meta: Meta, spec: s.MaxSpec) -> _NodeAttr:
        return _NodeAttr("max", spec, self._span(meta))

    def max_default(self, meta: Meta, number: s.Number) -> s.MaxSpec:
        return s.MaxSpec(default=number, per_block=(), span=self._span(meta))

    def max_per_block(self, meta: Meta, *parts: Any) -> s.MaxSpec:
        pairs = tuple(
            (self._ref(parts[i]), parts[i + 1]) for i in range(0, len(parts), 2)
        )
        return s.MaxSpec(default=None, per_block=pairs, span=self._span(meta))

    def weight_attr(self, meta: Meta, number: s.Number) -> _NodeAttr:
        return _NodeAttr("weight", number, self._span(meta))

    def citation(self, meta: Meta, token: Token) -> _NodeAttr:
        text = str(token)[1:-1].strip()
        return _NodeAttr("citation", s.Citation(text=text, span=self._tspan(token)),
                         self._tspan(token))

    def only_attr(self, meta: Meta, *names: Token) -> _NodeAttr:
        return _NodeAttr("only", tuple(self._ref(n) for n in names), self._span(meta))

    def when_attr(self, meta: Meta, expr: s.Expr) -> _NodeAttr:
        return _NodeAttr("when", expr, self._span(meta))

    def group(self, meta: Meta, mode: str, *children: s.Node) -> s.Group:
        return s.Group(mode=mode, children=tuple(children), span=self._span(meta))  # type: ignore[arg-type]

    def sum_of(self, meta: Meta) -> str:
        return "sum"

    def capped_sum_of(self, meta: Meta) -> str:
        return "capped sum"

    def best_of(self, meta: Meta) -> str:
        return "best"

    def weighted_mean_of(self, meta: Meta) -> str:
        return "weighted mean"

    # -- rules -----------------------------------------------------------------------------
    def proportional(
        self, meta: Meta, expr: s.Expr, span_range: tuple[s.Number, s.Number] | None,
        relative: tuple[s.Scope | None, s.Number | None] | None,
    ) -> s.Proportional:
        low, high = span_range if span_range else (None, None)
        return s.Proportional(
            expr=expr, low=low, high=high, relative=relative is not None,
            reference=relative[1] if relative else None, span=self._span(meta),
            scope=relative[0] if relative else None,
        )

    def prop_range(
        self, meta: Meta, low: s.Number, high: s.Number
    ) -> tuple[s.Number, s.Number]:
        return (low, high)

    def relative(self, meta: Meta, scope: s.Scope | None, reference: s.Number | None
                 ) -> tuple[s.Scope | None, s.Number | None]:
        return (scope, reference)

    def in_block(self, meta: Meta) -> None:
        return None  # the default, written out: the rule is the same

    def in_all(self, meta: Meta) -> s.Scope:
        return s.Scope(kind="all", group=None, span=self._span(meta))

    def in_group(self, meta: Meta, name: Token) -> s.Scope:
        return s.Scope(kind="group", group=s.Name(name=str(name), span=self._tspan(name)),
                       span=self._span(meta))

    def bands(self, meta: Meta, expr: s.Expr, *bands: s.Band) -> s.Bands:
        return s.Bands(expr=expr, bands=tuple(bands), span=self._span(meta))

    def band(self, meta: Meta, condition: tuple[s.BandOp, s.Number | None], points: s.Number
             ) -> s.Band:
        op, threshold = condition
        return s.Band(op=op, threshold=threshold, award=points, award_en=None,
                      span=self._span(meta))

    def grade_band(
        self, meta: Meta, condition: tuple[s.BandOp, s.Number | None], label: Token,
        label_en: Token | None,
    ) -> s.Band:
        op, threshold = condition
        return s.Band(op=op, threshold=threshold, award=self._text(label) or "",
                      award_en=self._text(label_en), span=self._span(meta))

    def at_least(self, meta: Meta, n: s.Number) -> tuple[str, s.Number]:
        return ("at least", n)

    def above(self, meta: Meta, n: s.Number) -> tuple[str, s.Number]:
        return ("above", n)

    def at_most(self, meta: Meta, n: s.Number) -> tuple[str, s.Number]:
        return ("at most", n)

    def below(self, meta: Meta, n: s.Number) -> tuple[str, s.Number]:
        return ("below", n)

    def otherwise(self, meta: Meta) -> tuple[str, None]:
        return ("otherwise", None)

    def yes_no_rule(self, meta: Meta, _token: Token, expr: s.Expr) -> s.YesNoRule:
        return s.YesNoRule(expr=expr, span=self._span(meta))

    def per(self, meta: Meta, each: s.Number, expr: s.Expr, cap: s.Number) -> s.Per:
        return s.Per(each=each, expr=expr, cap=cap, span=self._span(meta))

    def min_max(self, meta: Meta, _token: Token, expr: s.Expr, lower: bool | None,
                scope: s.Scope | None, reference: tuple[s.Number, s.Number] | None) -> s.MinMax:
        low, high = reference if reference else (None, None)
        return s.MinMax(expr=expr, lower=bool(lower), ref_min=low, ref_max=high,
                        span=self._span(meta), scope=scope)

    def z_score(self, meta: Meta, _token: Token, expr: s.Expr, lower: bool | None,
                within: s.Number, scope: s.Scope | None,
                reference: tuple[s.Number, s.Number] | None) -> s.ZScore:
        mean, sd = reference if reference else (None, None)
        return s.ZScore(expr=expr, lower=bool(lower), within=within, ref_mean=mean, ref_sd=sd,
                        span=self._span(meta), scope=scope)

    def percentile(self, meta: Meta, expr: s.Expr, lower: bool | None, scope: s.Scope | None
                   ) -> s.Percentile:
        return s.Percentile(expr=expr, lower=bool(lower), span=self._span(meta), scope=scope)
    def z_min_max(self, meta: Meta, _token: Token, mean: Token, *rest: Any) -> s.ZMinMax:
        if str(mean) != "mean":
            self._reporter.report(codes.BAD_NODE_BODY, self._tspan(mean),
                                  detail=f"`z-score {mean} of` is no rule: write "
                                         "`z-score mean of a, b then min-max`",
                                  detail_vi=f"`z-score {mean} of` không phải quy tắc: hãy viết "
                                            "`z-score mean of a, b then min-max`")
        terms: tuple[s.ZTerm, ...] = tuple(t for t in rest if isinstance(t, s.ZTerm))
        scope = rest[-1]  # after the MIN_MAX token: the scope, or None
        total = terms[0].expr  # the terms' sum: see s.ZMinMax
        for term in terms[1:]:
            total = s.Binary(op="+", left=total, right=term.expr, span=self._span(meta))
        return s.ZMinMax(terms=terms, expr=total, span=self._span(meta), scope=scope)

    def z_term(self, meta: Meta, name: Token, weight: s.Number | None) -> s.ZTerm:
        return s.ZTerm(expr=self.name(meta, name), weight=weight, span=self._span(meta))

    def z_reference(self, meta: Meta, mean: s.Number, sd: s.Number
                    ) -> tuple[s.Number, s.Number]:
        return (mean, sd)

    def lower_better(self, meta: Meta) -> bool:
        return True

    def min_max_reference(self, meta: Meta, low: s.Number, high: s.Number
                          ) -> tuple[s.Number, s.Number]:
        return (low, high)

    def table(self, meta: Meta, expr: s.Expr, *rows: s.TableRow) -> s.Table:
        return s.Table(expr=expr, rows=tuple(rows), span=self._span(meta))

    def table_row(self, meta: Meta, key: Any, points: s.Number) -> s.TableRow:
        if isinstance(key, tuple):  # `otherwise`
            key = None
        return s.TableRow(key=key, points=points, span=self._span(meta))

    # -- indices, grades, ranks, examples --------------------------------------------------
    def index(
        self, meta: Meta, name: Token, label: Token | None, label_en: Token | None,
        method: tuple[s.IndexMethod, tuple[s.IndexTerm, ...]], scale: s.Scale | None,
        digits: s.Number | None,
    ) -> s.Index:
        rounding = None
        if digits is not None:
            rounding = self._integer(digits, "the rounding", "số chữ số làm tròn")
        return s.Index(
            id=str(name), label=self._text(label), label_en=self._text(label_en),
            method=method[0], terms=method[1], round=rounding, scale=scale,
            span=self._tspan(name),
        )

    def index_scale(self, meta: Meta, low: s.Number, high: s.Number) -> s.Scale:
        return s.Scale(low=low, high=high, span=self._span(meta))

    def share_of_max(self, meta: Meta, *terms: s.IndexTerm) -> tuple[str, tuple[Any, ...]]:
        return ("share of max", terms)

    def weighted_mean(self, meta: Meta, *terms: s.IndexTerm) -> tuple[str, tuple[Any, ...]]:
        return ("weighted mean", terms)

    def mean(self, meta: Meta, *terms: s.IndexTerm) -> tuple[str, tuple[Any, ...]]:
        return ("mean", terms)

    def geometric_mean(self, meta: Meta, *terms: s.IndexTerm) -> tuple[str, tuple[Any, ...]]:
        return ("geometric mean", terms)

    def harmonic_mean(self, meta: Meta, *terms: s.IndexTerm) -> tuple[str, tuple[Any, ...]]:
        return ("harmonic mean", terms)

    def index_term(self, meta: Meta, name: Token, weight: s.Number | None) -> s.IndexTerm:
        return s.IndexTerm(ref=self._ref(name), weight=weight, span=self._span(meta))

    def grades(self, meta: Meta, *parts: Any) -> s.Grades:
        targets = tuple(self._ref(p) for p in parts if isinstance(p, Token))
        bands = tuple(p for p in parts if isinstance(p, s.Band))
        return s.Grades(targets=targets, bands=bands, span=self._span(meta))

    def rank(self, meta: Meta, *parts: Any) -> s.Rank:
        *names, ties, by, then = parts
        return s.Rank(targets=tuple(self._ref(n) for n in names), ties=ties, by=by,
                      then=None if then is None else self._ref(then), span=self._span(meta))

    def by_exact(self, meta: Meta) -> str:
        return "exact"

    def by_rounded(self, meta: Meta) -> str:
        return "rounded"

    def rank_then(self, meta: Meta, name: Token) -> Token:
        return name

    def competition(self, meta: Meta) -> str:
        return "competition"

    def dense(self, meta: Meta) -> str:
        return "dense"

    def example(self, meta: Meta, label: Token, block: Token, *lines: Any) -> s.Example:
        givens: list[s.Given] = []
        for line in lines:
            if isinstance(line, list):
                givens.extend(line)
        return s.Example(
            label=self._text(label) or "", block=self._ref(block), givens=tuple(givens),
            references=tuple(x for x in lines if isinstance(x, s.Reference)),
            expects=tuple(x for x in lines if isinstance(x, s.Expect)),
            span=self._tspan(label),
        )

    def givens(self, meta: Meta, *givens: s.Given) -> list[s.Given]:
        return list(givens)

    def given(self, meta: Meta, name: Token, value: s.ExampleValue) -> s.Given:
        return s.Given(ref=self._ref(name), value=value, span=self._span(meta))

    def expect_value(self, meta: Meta, name: Token, value: s.Number) -> s.Expect:
        return s.Expect(ref=self._ref(name), value=value, grade=False, span=self._span(meta))

    def expect_not_applicable(self, meta: Meta, name: Token) -> s.Expect:
        return s.Expect(ref=self._ref(name), value=None, grade=False, span=self._span(meta))

    def expect_near(self, meta: Meta, name: Token, _approx: Token, value: s.Number,
                    _plus_minus: Token, tolerance: s.Number) -> s.Expect:
        return s.Expect(ref=self._ref(name), value=value, grade=False, tolerance=tolerance,
                        span=self._span(meta))

    def expect_grade(self, meta: Meta, name: Token, label: Token) -> s.Expect:
        return s.Expect(ref=self._ref(name), value=self._text(label) or "", grade=True,
                        span=self._span(meta))

    def reference_line(self, meta: Meta, name: Token, value: s.Number) -> s.Reference:
        return s.Reference(ref=self._ref(name), value=value, span=self._span(meta))

    def reference_figure(self, meta: Meta, name: Token, figure: Token, value: s.Number
                         ) -> s.Reference:
        return s.Reference(ref=self._ref(name), value=value, span=self._span(meta),
                           figure=str(figure))

    # -- revisions (docs/revisions.md) -------------------------------------------------------
    def extends(self, meta: Meta, name: Token) -> s.Ref:
        return self._ref(name)

    def amend_add(self, meta: Meta, what: s.Declaration | list[s.Declaration]) -> s.Add:
        items = tuple(what) if isinstance(what, list) else (what,)
        return s.Add(items=items, parent=None, span=self._span(meta))

    def amend_add_to(self, meta: Meta, parent: Token, *nodes: s.Node) -> s.Add:
        return s.Add(items=nodes, parent=self._ref(parent), span=self._span(meta))

    def amend_replace(self, meta: Meta, what: s.Declaration | list[s.Declaration]) -> s.Replace:
        items = tuple(what) if isinstance(what, list) else (what,)
        return s.Replace(items=items, span=self._span(meta))

    def amend_remove(self, meta: Meta, *targets: s.RemoveTarget) -> s.Remove:
        return s.Remove(targets=targets, span=self._span(meta))

    def remove_id(self, meta: Meta, name: Token) -> s.RemoveTarget:
        return s.RemoveTarget(what="id", ref=self._ref(name))

    def remove_grades(self, meta: Meta, name: Token) -> s.RemoveTarget:
        return s.RemoveTarget(what="grades", ref=self._ref(name))

    def remove_rank(self, meta: Meta, name: Token) -> s.RemoveTarget:
        return s.RemoveTarget(what="rank", ref=self._ref(name))

    def amend_change(self, meta: Meta, name: Token, *parts: Any) -> s.Change:
        settings: list[s.Setting] = []
        for part in parts:
            for item in part if isinstance(part, list) else [part]:
                if item is not None:
                    settings.append(self._setting(item))
        return s.Change(target=self._ref(name), grades=False, settings=tuple(settings),
                        span=self._span(meta))

    @staticmethod
    def _setting(item: Any) -> s.Setting:
        if isinstance(item, s.Setting):
            return item
        if isinstance(item, s.Scale):
            return s.Setting(key="scale", value=item, span=item.span)
        if isinstance(item, s.Attribute):  # en, note, reconstructed, between, …
            return s.Setting(key=cast(s.SettingKey, item.key), value=item.value, span=item.span)
        attr = cast(_NodeAttr, item)
        return s.Setting(key=cast(s.SettingKey, attr.key), value=attr.value, span=attr.span)

    def amend_change_grades(self, meta: Meta, name: Token, *rows: s.Setting) -> s.Change:
        return s.Change(target=self._ref(name), grades=True, settings=rows, span=self._span(meta))

    def grade_row(self, meta: Meta, number: s.Number, band: s.Band) -> s.Setting:
        return self.row_change(meta, number, band)

    def row_change(self, meta: Meta, number: s.Number, band: s.Band) -> s.Setting:
        row = self._integer(number, "a row number", "số thứ tự dòng")
        return s.Setting(key="row", value=(row, band), span=self._span(meta))

    def label_change(self, meta: Meta, label: Token) -> s.Setting:
        return s.Setting(key="label", value=self._text(label), span=self._span(meta))

    def everywhere_change(self, meta: Meta) -> s.Setting:
        return s.Setting(key="everywhere", value=None, span=self._span(meta))

    def round_change(self, meta: Meta, digits: s.Number) -> s.Setting:
        value = self._integer(digits, "the rounding", "số chữ số làm tròn")
        return s.Setting(key="round", value=value, span=self._span(meta))

    def terms_change(self, meta: Meta, method: tuple[s.IndexMethod, tuple[s.IndexTerm, ...]]
                     ) -> s.Setting:
        return s.Setting(key="terms", value=method, span=self._span(meta))

    # -- expressions -----------------------------------------------------------------------
    def number(self, meta: Meta, token: Token) -> s.Number:
        return self._number_token(token)

    def fraction(self, meta: Meta, token: Token) -> s.Number:
        """`2/9`, exactly; a zero denominator is reported and read as 0."""
        numerator, denominator = (int(part) for part in str(token).split("/"))
        if denominator == 0:
            self._reporter.report(
                codes.BAD_VALUE, self._tspan(token),
                detail=f"`{token}` divides by zero", detail_vi=f"`{token}` chia cho 0",
            )
            return s.Number(value=Fraction(0), percent=False, span=self._tspan(token))
        return s.Number(value=Fraction(numerator, denominator), percent=False,
                        span=self._tspan(token))

    def whole(self, meta: Meta, token: Token) -> s.Number:
        return self.fraction(meta, token) if token.type == "FRACTION" else self._number_token(token)

    def negative(self, meta: Meta, number: s.Number) -> s.Number:
        return s.Number(value=-number.value, percent=number.percent, span=self._span(meta))

    def yes(self, meta: Meta) -> s.YesNo:
        return s.YesNo(value=True, span=self._span(meta))

    def no(self, meta: Meta) -> s.YesNo:
        return s.YesNo(value=False, span=self._span(meta))

    def name(self, meta: Meta, token: Token) -> s.Name:
        return s.Name(name=str(token), span=self._tspan(token))

    def call(self, meta: Meta, func: Token, *args: s.Expr) -> s.Call:
        return s.Call(func=str(func), args=tuple(args), span=self._span(meta))  # type: ignore[arg-type]

    def negate(self, meta: Meta, operand: s.Expr) -> s.Unary:
        return s.Unary(op="-", operand=operand, span=self._span(meta))

    def not_op(self, meta: Meta, operand: s.Expr) -> s.Unary:
        return s.Unary(op="not", operand=operand, span=self._span(meta))

    def or_op(self, meta: Meta, left: s.Expr, right: s.Expr) -> s.Binary:
        return s.Binary(op="or", left=left, right=right, span=self._span(meta))

    def and_op(self, meta: Meta, left: s.Expr, right: s.Expr) -> s.Binary:
        return s.Binary(op="and", left=left, right=right, span=self._span(meta))

    def __default__(self, data: str, children: list[Any], meta: Meta) -> Any:
        op = _COMPARISONS.get(data) or _ARITHMETIC.get(data)
        if op is not None:
            left, right = children
            return s.Binary(op=op, left=left, right=right, span=self._span(meta))
        return Tree(data, children, meta)


def build(tree: Tree[Token], source: SourceFile, reporter: Reporter) -> s.Methodology:
    """Turn a parse tree into the syntax tree of a methodology."""
    return _Builder(source, reporter).transform(tree)


def between_in_data_units(attr: s.Attribute, kind: str) -> s.Attribute:
    """`between` bounds are in the units the data is given in (0..100 for a percent
    indicator), so `between 10% and 90%` and `between 10 and 90` mean the same."""
    if attr.key != "between" or not isinstance(attr.value, tuple):
        return attr
    bounds = attr.value
    if not all(isinstance(b, s.Number) for b in bounds):
        return attr  # already in data units
    low, high = (b.value * 100 if kind == "percent" and b.percent else b.value
                 for b in cast(tuple[s.Number, s.Number], bounds))
    return s.Attribute(key="between", value=(low, high), span=attr.span)


def _flat(items: tuple[s.Attribute | list[s.Attribute] | None, ...]) -> list[s.Attribute]:
    """Attribute lines as attributes (`missing mean within g` is two)."""
    found: list[s.Attribute] = []
    for item in items:
        if isinstance(item, list):
            found.extend(item)
        elif item is not None:
            found.append(item)
    return found
