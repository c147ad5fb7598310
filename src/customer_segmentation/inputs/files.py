"""The input files before dbt reads them: can each be read, where are its
columns, and the views that hand it to dbt.

Real exports name the five columns in many ways (``Genre``, ``AnnualIncome``,
``customer_id``, ...). Headers are compared after normalising (lowercase,
letters and digits only) against the aliases in ``seeds/column_aliases.csv``,
the one place they are listed. The result is a mapping from each required
column to the header that holds it. Problems that make the whole file
unusable raise :class:`InputError` with a message naming the file and the
problem.

The file is only scanned by DuckDB (header and a row count), never loaded
into Python, so large files stream. :func:`register_input` then hands the file
to dbt as the view ``run_input.customers`` (the matched columns under their
own names, as text) written by Python: a file name or a header is data that
never passes through dbt's Jinja.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.engines.sql_text import sql_identifier, sql_literal
from customer_segmentation.inputs.formats import Evidence, FileFormat, evidence_sql
from customer_segmentation.messages import duckdb_reason, printable

REQUIRED_COLUMNS = (
    "customer_id",
    "gender",
    "age",
    "annual_income_k",
    "spending_score",
)


# The schema and views dbt reads the run's inputs from (sources
# customer_file and transaction_file).
INPUT_SCHEMA = "run_input"
INPUT_VIEW = "customers"
TRANSACTIONS_VIEW = "transactions"


@dataclass(frozen=True)
class FileKind:
    """What one kind of input file must hold, and where dbt reads it.

    The view always has every column of ``required`` and ``optional`` (an
    optional column the file lacks is empty), so dbt sees one shape.
    """

    label: str  # how messages name the file
    view: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Columns that may stand in for a missing required one, all together:
    # a transactions file may give unit price and quantity instead of amount.
    substitutes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def table_label(self) -> str:
        """How messages name a table read in place of the file."""
        return self.label.replace("file", "table")


CUSTOMER_FILE = FileKind("input file", INPUT_VIEW, REQUIRED_COLUMNS)
# With transactions, the spending score is derived from them where the
# customer file has none.
CUSTOMER_FILE_BESIDE_TRANSACTIONS = FileKind(
    "input file", INPUT_VIEW, REQUIRED_COLUMNS[:-1], REQUIRED_COLUMNS[-1:]
)
TRANSACTION_FILE = FileKind(
    "transactions file",
    TRANSACTIONS_VIEW,
    ("customer_id", "purchase_date", "amount"),
    ("order_id", "quantity", "unit_price"),
    substitutes=(("amount", ("unit_price", "quantity")),),
)
# Delimiters a customer export uses; the header line decides which.
DELIMITERS = (",", ";", "\t", "|")
# DuckDB cannot pad short rows while reading in parallel if a quoted value
# spans lines; such a file is read on one thread instead.
SERIAL_READ_NEEDED = "does not support null_padding in conjunction with quoted new"
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
HEADER_BYTES = 1 << 20
# Wider files are refused up front: at 10,000 columns DuckDB ran out of its
# 1 GB on 200 rows, an error that blamed the file's size.
MAX_COLUMNS = 1_000


class InputError(Exception):
    """An input file cannot be used at all."""


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    parallel: bool = True
    # A header line ending in LF above rows ending in CRLF (a header pasted
    # onto a Windows export) defeats DuckDB's sniffer: the headers, read
    # here, are then given to the reader, which reads each row to its LF
    # (the CR before it is white space, trimmed like any other).
    mixed_line_ends_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileColumns:
    mapping: dict[str, str]  # required column -> header in the file
    extra: tuple[str, ...]  # headers the pipeline ignores
    data_rows: int
    dialect: CsvDialect = CsvDialect()
    # what the values say about decimal marks, dates and ids (inputs/formats.py)
    evidence: Evidence = field(default_factory=Evidence)
    # time-zone-aware columns, read as UTC
    zoned: tuple[str, ...] = ()


def normalise_header(header: str) -> str:
    """'Annual Income (k$)' -> 'annualincomek': case, spaces, punctuation ignored."""
    return re.sub(r"[^0-9a-z]", "", header.lower())


def load_aliases(path: Path) -> dict[str, tuple[str, ...]]:
    """Column -> its accepted (normalised) header spellings."""
    aliases: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            spellings = aliases.setdefault(row["column_name"], [])
            spellings.append(normalise_header(row["alias"]))
    return {column: tuple(spellings) for column, spellings in aliases.items()}


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() == ".parquet"


def reader_sql(path: Path, dialect: CsvDialect, file_sql: str = "$1") -> str:
    """The DuckDB table function that reads the file named by ``file_sql``.

    CSV: every value as text, the delimiter fixed from the header line, and
    rows shorter than the header (a blank or whitespace-only line) padded
    with empty values, so such a line becomes a row to reject, not a reason
    for the sniffer to read the whole file as one column.
    """
    if is_parquet(path):
        return f"read_parquet({file_sql})"
    sequential = "" if dialect.parallel else ", parallel = false"
    if dialect.mixed_line_ends_headers:
        columns = ", ".join(
            f"{sql_literal(name)}: 'VARCHAR'"
            for name in dialect.mixed_line_ends_headers
        )
        return (
            f"read_csv({file_sql}, header = true, auto_detect = false, "
            f"columns = {{{columns}}}, delim = {sql_literal(dialect.delimiter)}, "
            "quote = '\"', escape = '\"', new_line = '\\n', strict_mode = false, "
            f"null_padding = true{sequential})"
        )
    return (
        f"read_csv({file_sql}, header = true, all_varchar = true, "
        f"delim = {sql_literal(dialect.delimiter)}, null_padding = true"
        f"{sequential})"
    )


def header_line(path: Path, label: str = "input file") -> str:
    """The file's first line as text, or an InputError saying why it is not."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    if head.startswith(UTF16_MARKS) or b"\x00" in head.split(b"\n", 1)[0]:
        raise InputError(
            f"{label} {path}: is UTF-16 text; save it as UTF-8 (in Excel: "
            "CSV UTF-8) and run again"
        )
    first = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    return first.decode("utf-8", errors="replace")


def detect_dialect(path: Path, label: str = "input file") -> CsvDialect:
    """The delimiter that splits the header line into the most fields, and
    the headers when the header line ends in LF and the rows in CRLF."""
    line = header_line(path, label)

    def fields(delimiter: str) -> int:
        return len(next(csv.reader([line], delimiter=delimiter), []))

    delimiter = max(DELIMITERS, key=fields)
    if not has_mixed_line_ends(path):
        return CsvDialect(delimiter=delimiter)
    headers = next(csv.reader([line], delimiter=delimiter), [])
    return CsvDialect(delimiter=delimiter, mixed_line_ends_headers=tuple(headers))


def has_mixed_line_ends(path: Path) -> bool:
    """The header line ends in LF alone, and the next lines in CRLF."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    first, newline, rest = head.partition(b"\n")
    return bool(newline) and not first.endswith(b"\r") and b"\r\n" in rest


def cannot_read(path: Path, error: duckdb.Error, label: str) -> InputError:
    reason = duckdb_reason(error)
    if "not utf-8 encoded" in reason:
        reason += " Save it as UTF-8 (in Excel: CSV UTF-8) and run again"
    return InputError(f"{label} {path}: cannot be read: {reason}")


def read_headers(path: Path, dialect: CsvDialect, label: str) -> dict[str, str]:
    """Each header, with the type the reader gives its column."""
    try:
        with connect() as con:
            described = con.execute(
                f"describe select * from {reader_sql(path, dialect)}", [str(path)]
            ).fetchall()
    except duckdb.Error as error:
        raise cannot_read(path, error, label) from error
    return {name: column_type for name, column_type, *_ in described}


def scan(
    path: Path,
    dialect: CsvDialect,
    label: str,
    mapping: dict[str, str],
    types: dict[str, str] | None = None,
) -> tuple[int, Evidence, CsvDialect]:
    """One read of every row: the data rows, what their values say about
    the file's formats, and the dialect that could read them (a count from
    the metadata where no column is written as text)."""
    aggregates = evidence_sql(mapping, types)
    select = ", ".join(["count(*)", *(sql for _, sql in aggregates)])
    try:
        with connect() as con:
            rows, *values = con.execute(
                f"select {select} from {reader_sql(path, dialect)}", [str(path)]
            ).fetchone()
    except duckdb.Error as error:
        if dialect.parallel and SERIAL_READ_NEEDED in str(error):
            serial = CsvDialect(dialect.delimiter, parallel=False)
            return scan(path, serial, label, mapping, types)
        raise cannot_read(path, error, label) from error
    found = {name: value for (name, _), value in zip(aggregates, values, strict=True)}
    return int(rows), Evidence(**found), dialect


def find_column(
    column: str, headers: list[str], aliases: dict[str, tuple[str, ...]], label: str
) -> list[str]:
    """The headers that stand for ``column``; more than one is an error."""
    found = [h for h in headers if normalise_header(h) in aliases.get(column, ())]
    if len(found) > 1:
        raise InputError(
            f"{label}: column {column!r} is ambiguous, "
            f"headers {', '.join(found)} all match it"
        )
    return found


def match_columns(
    headers: list[str],
    aliases: dict[str, tuple[str, ...]],
    source: Path | str,
    kind: FileKind = CUSTOMER_FILE,
    source_label: str | None = None,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Find each column of ``kind`` among the headers; list the headers left over."""
    label = f"{source_label or kind.label} {source}"
    found = {
        column: headers_found[0]
        for column in kind.columns
        if (headers_found := find_column(column, headers, aliases, label))
    }
    substitutes = dict(kind.substitutes)
    for column in kind.required:
        if column in found or all(s in found for s in substitutes.get(column, ("",))):
            continue
        instead = " and ".join(substitutes.get(column, ()))
        raise InputError(
            f"{label}: required column {column!r} not found "
            f"(accepted headers: {', '.join(aliases.get(column, ()))}"
            f"{f'; or {instead} to compute it from' if instead else ''}); "
            f"headers found: {printable(', '.join(headers)) or '(none)'}"
        )
    mapping = {column: found[column] for column in kind.columns if column in found}
    extra = tuple(h for h in headers if h not in mapping.values())
    return mapping, extra


def inspect_file(
    path: Path, aliases: dict[str, tuple[str, ...]], kind: FileKind = CUSTOMER_FILE
) -> FileColumns:
    label = kind.label
    if path.stat().st_size == 0:
        raise InputError(f"{label} {path}: is empty, not even a header")
    dialect = CsvDialect() if is_parquet(path) else detect_dialect(path, label)
    types = read_headers(path, dialect, label)
    if len(types) > MAX_COLUMNS:
        raise InputError(
            f"{label} {path}: is too wide to read: {len(types):,} columns, more "
            f"than the {MAX_COLUMNS:,} a run reads; save only the columns it "
            f"uses ({', '.join(kind.columns)}) and run again"
        )
    mapping, extra = match_columns(list(types), aliases, path, kind)
    rows, evidence, dialect = scan(path, dialect, label, mapping, types)
    if rows == 0:
        raise InputError(f"{label} {path}: no data rows, only a header")
    zoned = tuple(
        column
        for column, header in mapping.items()
        if types[header].upper().startswith("TIMESTAMP WITH TIME ZONE")
    )
    return FileColumns(mapping, extra, rows, dialect, evidence, zoned)


def input_view_sql(
    path: Path, found: FileColumns, kind: FileKind = CUSTOMER_FILE
) -> str:
    """The view over the file: each column of ``kind`` as text under its own
    name, empty where the file lacks an optional one.

    The path and headers are quoted here, in Python, and never rendered by a
    template; DuckDB cannot bind parameters in a view's definition.
    """
    reader = reader_sql(path, found.dialect, file_sql=sql_literal(str(path)))
    return view_sql(reader, str(path), found, kind)


def view_sql(reader: str, source: str, found: FileColumns, kind: FileKind) -> str:
    """The run_input view of ``kind`` over ``reader`` (a table function or a
    quoted table name), naming ``source`` as each row's source_file."""
    columns = ",\n    ".join(
        f"cast({as_text(found.mapping[column], column in found.zoned)} as varchar)"
        f" as {column}"
        if column in found.mapping
        else f"cast(null as varchar) as {column}"
        for column in kind.columns
    )
    return (
        f"create or replace view {INPUT_SCHEMA}.{kind.view} as\n"
        f"select\n    {columns},\n"
        f"    {sql_literal(source)} as source_file\n"
        f"from {reader}"
    )


def as_text(header: str, zoned: bool) -> str:
    """A column for the text view; a time-zone-aware time as its UTC time,
    the same on every machine whatever the session's time zone."""
    column = sql_identifier(header)
    return f"timezone('UTC', {column})" if zoned else column


def no_rows_view_sql(kind: FileKind) -> str:
    """A view of ``kind``'s columns with no rows: the file kind is absent from
    the run but must not fall back to a demo (transactions alone)."""
    columns = ", ".join(
        f"cast(null as varchar) as {column}"
        for column in (*kind.columns, "source_file")
    )
    return (
        f"create or replace view {INPUT_SCHEMA}.{kind.view} as\n"
        f"select {columns} where false"
    )


def register_input(
    warehouse: Path,
    path: Path | None,
    found: FileColumns | None,
    kind: FileKind = CUSTOMER_FILE,
    empty: bool = False,
) -> None:
    """Point dbt's run_input source for ``kind`` at the file.

    No file means no view, so dbt reads the demo; ``empty`` registers a view
    with no rows instead (no customer file beside transactions).
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {INPUT_SCHEMA}")
        if path is not None and found is not None:
            con.execute(input_view_sql(path, found, kind))
        elif empty:
            con.execute(no_rows_view_sql(kind))
        else:
            con.execute(f"drop view if exists {INPUT_SCHEMA}.{kind.view}")


FORMATS_TABLE = "file_formats"


def register_formats(
    warehouse: Path, formats: dict[str, FileFormat], whole_number_ids: bool
) -> None:
    """Tell dbt how to read each input: one row per view, values bound.

    With no formats (the demo seed alone) the table is dropped and the
    staging models decide from the seed themselves (macro input_format).
    """
    with connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {INPUT_SCHEMA}")
        con.execute(f"drop table if exists {INPUT_SCHEMA}.{FORMATS_TABLE}")
        if not formats:
            return
        con.execute(
            f"create table {INPUT_SCHEMA}.{FORMATS_TABLE} (file_kind varchar,"
            " decimal_mark varchar, date_order varchar, whole_number_ids boolean)"
        )
        con.executemany(
            f"insert into {INPUT_SCHEMA}.{FORMATS_TABLE} values (?, ?, ?, ?)",
            [
                [view, found.decimal_mark, found.date_order, whole_number_ids]
                for view, found in formats.items()
            ],
        )
