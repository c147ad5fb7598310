"""Look at a customer file before dbt does: can it be read, and where are the columns?

Real exports name the five columns in many ways (``Genre``, ``AnnualIncome``,
``customer_id``, ...). Headers are compared after normalising (lowercase,
letters and digits only) against the aliases in ``seeds/column_aliases.csv``,
the one place they are listed. The result is a mapping from each required
column to the header that holds it, handed to dbt as the ``input_columns``
var. Problems that make the whole file unusable raise :class:`InputError`
with a message naming the file and the problem.

The file is only scanned by DuckDB (header and a row count), never loaded
into Python, so large files stream.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

REQUIRED_COLUMNS = (
    "customer_id",
    "gender",
    "age",
    "annual_income_k",
    "spending_score",
)


class InputError(Exception):
    """The customer file cannot be used at all."""


@dataclass(frozen=True)
class FileColumns:
    mapping: dict[str, str]  # required column -> header in the file
    extra: tuple[str, ...]  # headers the pipeline ignores
    data_rows: int


def normalise_header(header: str) -> str:
    """'Annual Income (k$)' -> 'annualincomek': case, spaces, punctuation ignored."""
    return re.sub(r"[^0-9a-z]", "", header.lower())


def load_aliases(path: Path) -> dict[str, tuple[str, ...]]:
    """Required column -> its accepted (normalised) header spellings."""
    aliases: dict[str, list[str]] = {column: [] for column in REQUIRED_COLUMNS}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            aliases[row["column_name"]].append(normalise_header(row["alias"]))
    return {column: tuple(spellings) for column, spellings in aliases.items()}


def reader_sql(path: Path) -> str:
    """The DuckDB table function for the file; the path is bound as $1."""
    if path.suffix.lower() == ".parquet":
        return "read_parquet($1)"
    return "read_csv($1, header = true, all_varchar = true)"


def read_headers(path: Path) -> list[str]:
    try:
        with duckdb.connect() as con:
            described = con.execute(
                f"describe select * from {reader_sql(path)}", [str(path)]
            ).fetchall()
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        raise InputError(f"input file {path}: cannot be read: {first_line}") from None
    return [name for name, *_ in described]


def count_rows(path: Path) -> int:
    with duckdb.connect() as con:
        (rows,) = con.execute(
            f"select count(*) from {reader_sql(path)}", [str(path)]
        ).fetchone()
    return int(rows)


def match_columns(
    headers: list[str], aliases: dict[str, tuple[str, ...]], source: Path
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Find each required column among the headers; list the headers left over."""
    mapping: dict[str, str] = {}
    for column in REQUIRED_COLUMNS:
        found = [h for h in headers if normalise_header(h) in aliases[column]]
        if not found:
            raise InputError(
                f"input file {source}: required column {column!r} not found "
                f"(accepted headers: {', '.join(aliases[column])}); "
                f"headers found: {', '.join(headers) or '(none)'}"
            )
        if len(found) > 1:
            raise InputError(
                f"input file {source}: column {column!r} is ambiguous, "
                f"headers {', '.join(found)} all match it"
            )
        mapping[column] = found[0]
    extra = tuple(h for h in headers if h not in mapping.values())
    return mapping, extra


def inspect_file(path: Path, aliases: dict[str, tuple[str, ...]]) -> FileColumns:
    if path.stat().st_size == 0:
        raise InputError(f"input file {path}: is empty, not even a header")
    mapping, extra = match_columns(read_headers(path), aliases, path)
    rows = count_rows(path)
    if rows == 0:
        raise InputError(f"input file {path}: no data rows, only a header")
    return FileColumns(mapping=mapping, extra=extra, data_rows=rows)
