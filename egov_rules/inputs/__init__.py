"""Indicator data in: CSV, XLSX, JSON and YAML files, or Python mappings, checked against the
methodology's declarations and read exactly.

Every problem is reported with where it is (file:line:column, a sheet cell, or a key path),
all at once; nothing the user gave is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from egov_rules.diagnostics import Reporter, Text
from egov_rules.inputs.json_data import load_json
from egov_rules.inputs.tables import load_csv, sniff_delimiter
from egov_rules.inputs.values import (
    LOCALES,
    EntityData,
    Locale,
    Located,
    Reading,
    RuntimeValue,
    coerce,
    folded,
    from_mapping,
    from_mappings,
    missing_applied,
    normal_text,
    typed_number,
    validate_entity,
)
from egov_rules.inputs.xlsx import load_xlsx
from egov_rules.inputs.xlsx import sheet_read as _xlsx_sheet
from egov_rules.inputs.yaml_data import load_yaml
from egov_rules.model import Model

__all__ = (
    "DATA_SUFFIXES",
    "LOCALES",
    "EntityData",
    "Locale",
    "Located",
    "Reading",
    "RuntimeValue",
    "UnsupportedFormat",
    "coerce",
    "file_sha256",
    "from_mapping",
    "from_mappings",
    "load_csv",
    "load_data",
    "load_json",
    "load_xlsx",
    "load_yaml",
    "missing_applied",
    "normal_text",
    "sheet_read",
    "sniff_delimiter",
    "typed_number",
    "validate_entity",
)

DATA_SUFFIXES = (".csv", ".xlsx", ".json", ".yaml", ".yml")


class UnsupportedFormat(ValueError):
    """The file's extension names no data format the library reads."""

    def __init__(self, words: Text) -> None:
        super().__init__(words.en)
        self.words = words  # said in the user's language by the command line


def load_data(path: str | Path, sheet: str | None = None, *, model: Model | None = None,
              reporter: Reporter | None = None, locale: Locale | None = None,
              columns: Mapping[str, str] | None = None, header_row: int | None = None
              ) -> list[EntityData]:
    """Entities from a CSV, XLSX, JSON or YAML file, chosen by the file's extension.

    With `model`, table headers are checked once against its indicators (unknown or missing
    columns are reported at the header instead of on every row), and a heading may be an
    indicator's label. With `reporter`, every diagnostic is appended to it and nothing is
    raised; without one, errors raise `EgovRulesError` and warnings are issued as Python
    warnings. `locale` ("vi" or "en") says how text writes numbers (a `;` CSV is "vi" without
    it); `columns` maps other table headings to indicator ids (or `entity`, `block`);
    `header_row` is the number of a table's header row (found when not given).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        given, kinds = suffix or "(none)", ", ".join(DATA_SUFFIXES)
        raise UnsupportedFormat(Text(f"{path}: unsupported data format `{given}`; use {kinds}",
                                     f"{path}: không đọc được định dạng `{given}`; hãy dùng {kinds}"))
    if sheet is not None and suffix != ".xlsx":
        raise UnsupportedFormat(Text(f"{path}: --sheet applies only to .xlsx workbooks",
                                     f"{path}: --sheet chỉ dùng cho bảng tính .xlsx"))
    own = reporter if reporter is not None else Reporter()
    reading = Reading(locale, {folded(k): v for k, v in (columns or {}).items()}, header_row)
    if suffix == ".csv":
        entities = load_csv(path, own, model, reading)
    elif suffix == ".xlsx":
        entities = load_xlsx(path, own, model, sheet, reading)
    else:
        entities = load_json(path, own) if suffix == ".json" else load_yaml(path, own)
        for entity in entities:  # their text values read as the tables' are
            entity.locale = locale
    if reporter is None:
        _raise_or_warn(own)
    return entities


def sheet_read(path: str | Path, sheet: str | None = None) -> str | None:
    """The sheet `load_data` reads from `path`: of an XLSX workbook, `sheet`, else the one
    chosen without it (the active sheet when visible, else the first visible); None for a file
    of another format. The audit record names it, so that it says what was read."""
    if Path(path).suffix.lower() != ".xlsx":
        return None
    return _xlsx_sheet(path, sheet)


def _raise_or_warn(reporter: Reporter) -> None:
    import warnings

    from egov_rules.diagnostics import EgovRulesError

    if reporter.has_errors:
        raise EgovRulesError(reporter.diagnostics)
    for diagnostic in reporter.diagnostics:
        warnings.warn(str(diagnostic), UserWarning, stacklevel=3)


def file_sha256(path: str | Path) -> str:
    """The audit fingerprint of a data file: sha256 of its exact bytes."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
