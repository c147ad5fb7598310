"""How a file writes its numbers, dates and ids, told from its own values.

Exports from the same tool differ by locale: ``1,234.50`` or ``1.234,50``,
``12/1/2010`` meaning December or January. A value alone is often ambiguous
(``1,234``; ``03/04/2024``), a file rarely is: somewhere a ``15,5`` or a
``31/01`` settles it, the way DuckDB's CSV sniffer settles a column's date
format. These decisions are made once per file, in the scan that counts its
rows, and handed to dbt (``run_input.file_formats``); the vars
``number_format`` and ``date_format`` decide instead where a file cannot.

Ids are decided for the files together: ``0001`` and ``1`` are one
customer only when every id of both files is a whole number, so a customer
file and a transactions file always compare ids in the same form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from customer_segmentation.engines.sql_text import spark_identifier, sql_identifier

# var number_format -> the decimal mark; var date_format -> the day/month order
NUMBER_FORMATS = {"point": ".", "comma": ","}
DATE_ORDERS = ("day_first", "month_first")
NUMERIC_COLUMNS = (
    "age",
    "annual_income_k",
    "spending_score",
    "amount",
    "unit_price",
    "quantity",
)
DATE_COLUMNS = ("purchase_date",)
ID_COLUMN = "customer_id"
# day and month (either order), then a 2- or 4-digit year, then a time or nothing
SLASHED_DATE = r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})([ T].*)?$"
WHOLE_NUMBER = r"[+-]?[0-9]+"


class FormatError(ValueError):
    """A file's values do not settle how to read them, and no var says."""


@dataclass(frozen=True)
class Evidence:
    """Counts from one scan of a file: values only one reading explains."""

    comma_decimals: int = 0  # 15,5  1.234,50  1.234.567
    point_decimals: int = 0  # 15.5  1,234.50  1,234,567
    example_comma: str | None = None
    example_point: str | None = None
    slashed_dates: int = 0
    largest_first: int = 0  # of day and month, the first part
    largest_second: int = 0
    example_date: str | None = None
    whole_number_ids: bool = True


@dataclass(frozen=True)
class FileFormat:
    """How dbt reads one file: its decimal mark and its day/month order."""

    decimal_mark: str = "."
    date_order: str | None = None  # None: no day/month dates in the file


@dataclass(frozen=True)
class Dialect:
    """What the evidence scan says differently on each engine: DuckDB reads a
    file or an attached table, Spark a table of its metastore."""

    identifier: Callable[[str], str]
    text_type: str
    regexp_matches: str  # (text, pattern): does the pattern occur in it
    widest_integer: str


DUCKDB = Dialect(sql_identifier, "varchar", "regexp_matches", "hugeint")
SPARK = Dialect(spark_identifier, "string", "regexp_like", "decimal(38, 0)")


def number_mark_sql(text: str) -> str:
    """'comma' or 'point' where a value can only be read with that decimal mark.

    With both marks, the later one is the decimal mark; a mark used twice
    separates thousands; one mark followed by other than three digits is
    the decimal mark. ``1,234`` alone says nothing. String functions, not
    regular expressions: this runs on every value of every numeric column.
    """
    return (
        f"case when contains({text}, ',') and contains({text}, '.') then "
        f"case when instr({text}, '.') < instr({text}, ',') then 'comma' "
        "else 'point' end "
        f"when contains({text}, ',') then case when "
        f"length({text}) - length(replace({text}, ',', '')) > 1 then 'point' "
        f"when length({text}) - instr({text}, ',') != 3 then 'comma' end "
        f"when contains({text}, '.') then case when "
        f"length({text}) - length(replace({text}, '.', '')) > 1 then 'comma' "
        f"when length({text}) - instr({text}, '.') != 3 then 'point' end end"
    )


def text_of(header: str, dialect: Dialect = DUCKDB) -> str:
    return f"trim(cast({dialect.identifier(header)} as {dialect.text_type}))"


INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")


def written_as_text(column: str, column_type: str) -> bool:
    """Whether a column's values can be ambiguous: text can (a CSV's every
    column is read as text), a typed Parquet column cannot. An id typed as a
    fraction (DOUBLE) is still checked for whole numbers."""
    kind = column_type.upper().removeprefix("U")
    if kind == "VARCHAR":
        return True
    return column == ID_COLUMN and kind not in INTEGER_TYPES


def evidence_sql(
    mapping: dict[str, str],
    types: dict[str, str] | None = None,
    dialect: Dialect = DUCKDB,
) -> list[tuple[str, str]]:
    """(Evidence field, SQL aggregate) over the file's matched columns.

    Only columns written as text are looked at (``types``: header -> DuckDB
    type; none given, all are), so a Parquet file of typed columns is
    answered from its metadata instead of read whole.
    """
    types = types or {}
    mapping = {
        column: header
        for column, header in mapping.items()
        if written_as_text(column, types.get(header, "VARCHAR"))
    }
    numbers = [text_of(h, dialect) for c, h in mapping.items() if c in NUMERIC_COLUMNS]
    marks = [number_mark_sql(t) for t in numbers]
    aggregates: list[tuple[str, str]] = []
    if marks:
        for mark in ("comma", "point"):
            hits = " + ".join(f"count(*) filter (where {m} = '{mark}')" for m in marks)
            example = ", ".join(
                f"min({t}) filter (where {m} = '{mark}')"
                for t, m in zip(numbers, marks, strict=True)
            )
            aggregates += [
                (f"{mark}_decimals", hits),
                (f"example_{mark}", f"coalesce({example})"),
            ]
    for column in DATE_COLUMNS:
        if column in mapping:
            text = text_of(mapping[column], dialect)
            # cheap test first: ISO dates have a digit in both places
            slashed = (
                f"(substr({text}, 2, 1) in ('/', '.', '-') or substr({text}, 3, 1)"
                f" in ('/', '.', '-')) and "
                f"{dialect.regexp_matches}({text}, '{SLASHED_DATE}')"
            )
            aggregates += [
                ("slashed_dates", f"count(*) filter (where {slashed})"),
                (
                    "largest_first",
                    f"coalesce(max(try_cast(regexp_extract({text}, '{SLASHED_DATE}', 1)"
                    f" as integer)) filter (where {slashed}), 0)",
                ),
                (
                    "largest_second",
                    f"coalesce(max(try_cast(regexp_extract({text}, '{SLASHED_DATE}', 2)"
                    f" as integer)) filter (where {slashed}), 0)",
                ),
                ("example_date", f"min({text}) filter (where {slashed})"),
            ]
    if ID_COLUMN in mapping:
        text = f"nullif({text_of(mapping[ID_COLUMN], dialect)}, '')"
        aggregates.append(
            (
                "whole_number_ids",
                f"coalesce(bool_and({text} is null or ({dialect.regexp_matches}("
                f"{text}, '^(?:{WHOLE_NUMBER})$') and try_cast({text} as "
                f"{dialect.widest_integer}) is not null)), true)",
            )
        )
    return aggregates


def decimal_mark(
    evidence: Evidence, label: str, path: Path, number_format: str | None
) -> str:
    if number_format is not None:
        return NUMBER_FORMATS[number_format]
    if evidence.comma_decimals and evidence.point_decimals:
        raise FormatError(
            f"{label} {path}: numbers are written with both decimal marks "
            f"({evidence.example_comma!r} reads only with a decimal comma, "
            f"{evidence.example_point!r} only with a decimal point); set var "
            "number_format to point (1,234.50) or comma (1.234,50)"
        )
    return "," if evidence.comma_decimals else "."


def date_order(
    evidence: Evidence, label: str, path: Path, date_format: str | None
) -> str | None:
    if not evidence.slashed_dates:
        return date_format
    if date_format is not None:
        return date_format
    day_first = evidence.largest_first > 12
    month_first = evidence.largest_second > 12
    if day_first and month_first:
        raise FormatError(
            f"{label} {path}: its dates put the day first in some rows and the "
            f"month first in others (up to {evidence.largest_first} before the "
            f"first separator, {evidence.largest_second} after it); set var "
            "date_format to day_first or month_first"
        )
    if not (day_first or month_first):
        raise FormatError(
            f"{label} {path}: the order of day and month in its "
            f"{evidence.slashed_dates} dates such as {evidence.example_date!r} "
            "cannot be told from the file (no value above 12 in either place); "
            "set var date_format to day_first or month_first"
        )
    return "day_first" if day_first else "month_first"


def file_format(
    evidence: Evidence,
    label: str,
    path: Path,
    number_format: str | None = None,
    date_format: str | None = None,
) -> FileFormat:
    return FileFormat(
        decimal_mark(evidence, label, path, number_format),
        date_order(evidence, label, path, date_format),
    )
