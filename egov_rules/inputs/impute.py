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
    group: str | None = None  # `within <g>`: the group's option id (None: the block)

    def words(self, name: str, shown: Text) -> Text:
        """"x imputed: mean 12.5 of the block's 7 values" (the mean as `shown` writes it), or
        "… of the 7 values of group Europe" (`within`)."""
        if self.count is None:
            return Text(f"{name} imputed: mean {shown.en} (reference)",
                        f"{name} được ước tính: trung bình {shown.vi} (giá trị tham chiếu)")
        if self.group is not None:
            return Text(f"{name} imputed: mean {shown.en} of the {self.count} values of group "
                        f"{self.group}",
                        f"{name} được ước tính: trung bình {shown.vi} của {self.count} giá trị "
                        f"của nhóm {self.group}")
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
            found = _figure(name, _cell(model, name, entity, values), means, references)
            if found is None:
                problems.append(_no_mean(model, entity, name, values))
                continue
            values[name], mine[name] = found.mean, found
        imputed.append(mine)
    if problems:
        raise EgovRulesError(problems)
    return imputed


Cell = tuple[str, str | None, str]  # (block, group option or None, indicator)


def _cell(model: Model, name: str, entity: EntityData, values: Mapping[str, RuntimeValue]
          ) -> Cell | None:
    """Whose values an entity's missing `name` is the mean of: its block's, or (`within g`)
    those of its block with its value of g; None when it gave no g."""
    group = model.group_for(name)
    if group is None:
        return str(entity.block.value), None, name
    option = values.get(group)
    return (str(entity.block.value), option, name) if isinstance(option, str) else None


def _means(model: Model, entries: Sequence[Entry]) -> dict[Cell, Imputed]:
    """(block, group, indicator) → the exact mean of the values given, for `mean` indicators
    (the group None unless `within`)."""
    sums: dict[Cell, list[Fraction]] = {}
    names = [n for n in model.indicators if model.missing_for(n) == MEAN]
    for entity, values in entries:
        for name in names:
            value, cell = values.get(name), _cell(model, name, entity, values)
            if isinstance(value, Fraction) and cell is not None:
                sums.setdefault(cell, []).append(value)
    return {k: Imputed(sum(v, Fraction(0)) / len(v), len(v), k[1]) for k, v in sums.items()}


def _figure(name: str, cell: Cell | None, means: Mapping[Cell, Imputed],
            references: Mapping[str, Fraction]) -> Imputed | None:
    given = references.get(reference_key(name))
    if given is not None:
        return Imputed(given, None)
    return None if cell is None else means.get(cell)


def _no_mean(model: Model, entity: EntityData, name: str,
             values: Mapping[str, RuntimeValue]) -> Diagnostic:
    key, group = reference_key(name), model.group_for(name)
    option = values.get(group) if group is not None else None
    if group is None:
        why = ("no entity of its block gave it", "không đơn vị nào trong khối có giá trị")
    elif isinstance(option, str):
        why = (f"no entity of its block in group {option} of `{group}` gave it",
               f"không đơn vị nào trong khối thuộc nhóm {option} của `{group}` có giá trị")
    else:
        why = (f"the entity gave no `{group}`, the group its mean is taken within",
               f"đơn vị không nhập `{group}`, nhóm để tính trung bình")
    return Diagnostic(
        codes.MISSING_VALUE, entity.span,
        {"entity": entity.name,
         "names": f"indicator `{name}` (policy `missing mean`: {why[0]})",
         "names_vi": f"chỉ số `{name}` (quy định `missing mean`: {why[1]})"},
        Text(f"score the entities of the block together, or pass references={{'{key}': …}}",
             f"chấm điểm cùng các đơn vị trong khối, hoặc truyền references={{'{key}': …}}"),
        (), entity.path or entity.name)
