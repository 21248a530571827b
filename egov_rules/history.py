"""Results over the years: the audit records of several years (`egov-rules score --format
json`) kept in one SQLite file the user names, and each entity's published value, grade and
rank by year, with its rank movements (docs/cli.md, "history"; docs/api.md, "History").

SQLite, from the standard library, so that adding a year reads its record once and every
later question is a query, not a re-parse of every year's JSON. A store holds one series: one
record a year (adding a year it holds is E703 unless `replace=True`). Entities are matched
across years by name (NFC, exactly as written) and ranks compared only within the same block.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

from egov_rules import codes
from egov_rules.diagnostics import Diagnostic, EgovRulesError
from egov_rules.numbers import exact_str
from egov_rules.results import Ranking

KIND = "egov_rules.history"
SCHEMA = "1"
MAX_EDITIONS = 200  # years a store holds: a century of yearly rankings, twice over
YEARS = (1900, 2200)  # a year kept: a typo (20245, -5) is refused, not filed

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE editions (
    year INTEGER PRIMARY KEY, methodology TEXT NOT NULL, title TEXT, title_en TEXT,
    content_hash TEXT NOT NULL, inputs_hash TEXT, record_sha256 TEXT NOT NULL,
    entities INTEGER NOT NULL);
CREATE TABLE results (
    year INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    entity TEXT NOT NULL, block TEXT NOT NULL, item TEXT NOT NULL, label TEXT, label_en TEXT,
    value TEXT, digits INTEGER, rank INTEGER, grade TEXT, grade_en TEXT,
    PRIMARY KEY (year, entity, item));
CREATE INDEX results_by_item ON results (item, block, entity, year);
"""


@dataclass(frozen=True, slots=True)
class Edition:
    """One year's record in a store: which methodology scored it and over which data."""

    year: int
    methodology: str
    title: str | None
    title_en: str | None
    content_hash: str
    inputs_hash: str | None
    record_sha256: str
    entities: int


@dataclass(frozen=True, slots=True)
class YearResult:
    """An entity's published figure of one index (or ranked node) in one year: `value` as
    published (rounded where the index rounds; a node's points), its grade and rank, and
    `moved`, the places it climbed since the last earlier year that ranked it in the same
    block (negative: it fell; None the first time, or when it is not ranked)."""

    year: int
    entity: str
    block: str
    item: str
    label: str | None
    label_en: str | None
    value: Fraction | None
    digits: int | None
    rank: int | None
    grade: str | None
    grade_en: str | None
    moved: int | None


class History:
    """A store of yearly records (`with History(path) as store: …`). Opening a file that is
    not a store (another SQLite database, or not one at all) is E704; an empty or absent file
    becomes a new store."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        fresh = not Path(path).exists() or Path(path).stat().st_size == 0
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA foreign_keys = ON")
            if fresh:
                with self._db:
                    self._db.executescript(_TABLES)
                    self._db.executemany("INSERT INTO meta VALUES (?, ?)",
                                         [("kind", KIND), ("schema", SCHEMA)])
            self._check_kind()
        except sqlite3.Error as error:
            raise EgovRulesError([_not_a_store(self.path, str(error), str(error))]) from None

    def __enter__(self) -> History:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _check_kind(self) -> None:
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            meta = {}
        if meta.get("kind") != KIND or meta.get("schema") != SCHEMA:
            raise EgovRulesError([_not_a_store(
                self.path, f"it holds no history of schema {SCHEMA} (kind {KIND})",
                f"tệp không chứa lịch sử phiên bản {SCHEMA} (loại {KIND})")])

    # -- adding a year ---------------------------------------------------------------------

    def add(self, ranking: Ranking, year: int | None = None, *, replace: bool = False,
            record_bytes: bytes = b"") -> Edition:
        """Keep a ranking as the results of `year` (default: its methodology's year). A year
        the store holds already is E703 unless `replace`. `record_bytes`: the record file as
        read, whose sha256 is kept (the ranking's JSON when not given)."""
        year = ranking.methodology.year if year is None else year
        if year is None:
            raise EgovRulesError([_year_problem(
                self.path, "the record's methodology states no year: give one (--year)",
                "phương pháp của bản ghi không ghi năm: hãy cho năm (--year)")])
        if not YEARS[0] <= year <= YEARS[1]:
            raise EgovRulesError([_year_problem(
                self.path, f"year {year} is not from {YEARS[0]} to {YEARS[1]}",
                f"năm {year} không nằm trong khoảng {YEARS[0]} đến {YEARS[1]}")])
        held = self._db.execute("SELECT 1 FROM editions WHERE year = ?", (year,)).fetchone()
        if held and not replace:
            raise EgovRulesError([_year_problem(
                self.path, f"the store holds {year} already: --replace to replace it",
                f"kho đã có năm {year}: dùng --replace để thay")])
        count = self._db.execute("SELECT COUNT(*) FROM editions").fetchone()[0]
        if not held and count >= MAX_EDITIONS:
            raise EgovRulesError([_year_problem(
                self.path, f"the store holds {MAX_EDITIONS} years, its limit",
                f"kho đã có {MAX_EDITIONS} năm, mức tối đa")])
        digest = hashlib.sha256(record_bytes or ranking.model_dump_json().encode()).hexdigest()
        info = ranking.methodology
        edition = Edition(year, info.id, info.title, info.title_en, info.content_hash,
                          ranking.inputs_hash, digest, len(ranking.evaluations))
        with self._db:  # one transaction: a year is in whole or not at all
            self._db.execute("DELETE FROM editions WHERE year = ?", (year,))
            self._db.execute("INSERT INTO editions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (edition.year, edition.methodology, edition.title, edition.title_en,
                              edition.content_hash, edition.inputs_hash, edition.record_sha256,
                              edition.entities))
            self._db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 [(year, *row) for row in _rows(ranking)])
        return edition

    # -- reading ---------------------------------------------------------------------------

    def editions(self) -> list[Edition]:
        rows = self._db.execute("SELECT * FROM editions ORDER BY year").fetchall()
        return [Edition(*row) for row in rows]

    def items(self) -> list[str]:
        """The indices (and ranked nodes) any year holds, ranked ones first, by name."""
        rows = self._db.execute(
            "SELECT item, MAX(rank IS NOT NULL) AS ranked FROM results GROUP BY item "
            "ORDER BY ranked DESC, item").fetchall()
        return [item for item, _ in rows]

    def results(self, item: str | None = None, block: str | None = None) -> list[YearResult]:
        """Every entity's figures by year, for one item and block or all, ordered by item (as
        the methodology declares them), block, entity and year, each with its rank movement."""
        # items in the order the methodology declares them (their first row added)
        query = ("SELECT year, entity, block, item, label, label_en, value, digits, rank, "
                 "grade, grade_en FROM results WHERE (? IS NULL OR item = ?) AND "
                 "(? IS NULL OR block = ?) ORDER BY (SELECT MIN(rowid) FROM results AS first "
                 "WHERE first.item = results.item), block, entity, year")
        rows = self._db.execute(query, (item, item, block, block)).fetchall()
        return list(_with_movements(rows))


def _rows(ranking: Ranking) -> Iterator[tuple[object, ...]]:
    """(entity, block, item, label, label_en, value, digits, rank, grade, grade_en) for each
    index of each evaluation, and each ranked node."""
    ranks = {(r.entity, r.index): r for r in ranking.ranks}
    indices: set[str] = set()
    for evaluation in ranking.evaluations:
        entity = unicodedata.normalize("NFC", evaluation.entity)
        for index in evaluation.indices:
            indices.add(index.id)
            shown = index.rounded if index.rounded is not None else index.value
            row = ranks.get((evaluation.entity, index.id))
            yield (entity, evaluation.block, index.id, index.label, index.label_en,
                   None if shown is None else exact_str(shown), index.round,
                   None if row is None else row.rank, index.grade, index.grade_en)
    for (name, item), row in ranks.items():
        if item not in indices:  # a ranked node: its points
            node = ranking.evaluation(name).node(item)
            yield (unicodedata.normalize("NFC", name), row.block, item, node.label,
                   node.label_en, None if row.value is None else exact_str(row.value), None,
                   row.rank, None, None)


def _with_movements(rows: list[tuple[object, ...]]) -> Iterator[YearResult]:
    last: dict[tuple[object, object, object], int] = {}  # (item, block, entity) → last rank
    for year, entity, block, item, label, label_en, value, digits, rank, grade, grade_en \
            in rows:
        key = (item, block, entity)
        moved = None
        if isinstance(rank, int):
            before = last.get(key)
            moved = None if before is None else before - rank
            last[key] = rank
        yield YearResult(
            int(str(year)), str(entity), str(block), str(item),
            None if label is None else str(label), None if label_en is None else str(label_en),
            None if value is None else Fraction(str(value)),
            None if digits is None else int(str(digits)),
            rank if isinstance(rank, int) else None,
            None if grade is None else str(grade), None if grade_en is None else str(grade_en),
            moved)


def _not_a_store(path: str, en: str, vi: str) -> Diagnostic:
    return Diagnostic(codes.NOT_A_HISTORY, None, {"why": en, "why_vi": vi}, path=path)


def _year_problem(path: str, en: str, vi: str) -> Diagnostic:
    return Diagnostic(codes.HISTORY_YEAR, None, {"why": en, "why_vi": vi}, path=path)
