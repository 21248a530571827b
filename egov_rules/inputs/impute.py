"""`missing mean`: a value an entity did not give, imputed as the exact mean of that
indicator over the entities of its block that gave it (scored together), or from a
reference `<indicator>.mean` (docs/language.md, "Missing values")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError, Text
from egov_rules.inputs.values import EntityData, RuntimeValue, missing_applied
from egov_rules.model import Model

MEAN = "mean"


@dataclass(frozen=True, slots=True)
class Imputed:
    """The mean a missing value became: over `count` values of the block, or a reference
    (`count` None)."""

    mean: Fraction
    count: int | None

    def words(self, name: str, shown: Text) -> Text:
        """"x imputed: mean 12.5 of the block's 7 values" (the mean as `shown` writes it)."""
        if self.count is None:
            return Text(f"{name} imputed: mean {shown.en} (reference)",
                        f"{name} được ước tính: trung bình {shown.vi} (giá trị tham chiếu)")
        return Text(f"{name} imputed: mean {shown.en} of the block's {self.count} values",
                    f"{name} được ước tính: trung bình {shown.vi} của {self.count} giá trị "
                    "trong khối")


def reference_key(indicator: str) -> str:
    """The `references` key that states an indicator's mean for every block."""
    return f"{indicator}.{MEAN}"


Entry = tuple[EntityData, dict[str, RuntimeValue]]


def impute(model: Model, entries: Sequence[Entry], references: Mapping[str, Fraction]
           ) -> list[dict[str, Imputed]]:
    """Fill each entry's values in place with its block's means (a reference wins); what was
    imputed per entry, in order. EgovRulesError (E206, at the entity) for a value with no
    mean: no entity of its block gave it and no reference states it."""
    means = _means(model, entries)
    imputed: list[dict[str, Imputed]] = []
    problems: list[Diagnostic] = []
    for entity, values in entries:
        mine: dict[str, Imputed] = {}
        for name, policy in missing_applied(model, entity).items():
            if policy != MEAN:
                continue
            found = _figure(name, str(entity.block.value), means, references)
            if found is None:
                problems.append(_no_mean(entity, name))
                continue
            values[name], mine[name] = found.mean, found
        imputed.append(mine)
    if problems:
        raise EgovRulesError(problems)
    return imputed


def _means(model: Model, entries: Sequence[Entry]) -> dict[tuple[str, str], Imputed]:
    """(block, indicator) → the exact mean of the values given, for `mean` indicators."""
    sums: dict[tuple[str, str], list[Fraction]] = {}
    names = [n for n in model.indicators if model.missing_for(n) == MEAN]
    for entity, values in entries:
        for name in names:
            value = values.get(name)
            if isinstance(value, Fraction):
                sums.setdefault((str(entity.block.value), name), []).append(value)
    return {k: Imputed(sum(v, Fraction(0)) / len(v), len(v)) for k, v in sums.items()}


def _figure(name: str, block: str, means: Mapping[tuple[str, str], Imputed],
            references: Mapping[str, Fraction]) -> Imputed | None:
    given = references.get(reference_key(name))
    return Imputed(given, None) if given is not None else means.get((block, name))


def _no_mean(entity: EntityData, name: str) -> Diagnostic:
    key = reference_key(name)
    return Diagnostic(
        codes.MISSING_VALUE, entity.span,
        {"entity": entity.name,
         "names": f"indicator `{name}` (policy `missing mean`: no entity of its block gave it)",
         "names_vi": f"chỉ số `{name}` (quy định `missing mean`: không đơn vị nào trong khối "
                     "có giá trị)"},
        Text(f"score the entities of the block together, or pass references={{'{key}': …}}",
             f"chấm điểm cùng các đơn vị trong khối, hoặc truyền references={{'{key}': …}}"),
        (), entity.path or entity.name)
