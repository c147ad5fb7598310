"""The rejected rows of a failed run, kept as a CSV file in the target folder:
nothing was published, and nothing is lost. Every text cell is written so
that no spreadsheet runs it as a formula."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.engines.sql_text import sql_identifier, sql_literal


def keep_rejects(
    warehouse: Path,
    checked: tuple[str, str],
    target: Path,
    build_model: Callable[[str], bool],
) -> Path:
    """The rejected rows of a failed run, their lines, raw values and reasons,
    as a CSV in target: nothing was published, and nothing is lost.

    The failed gate stopped dbt before the mart of rejected rows was built;
    ``build_model`` builds it alone, so the lines are found by the mart's
    own SQL (the row checks do not number rows).
    """
    kind, mart = checked  # customers / transactions, and the rejected-rows mart
    path = target / f"rejected_{kind}.csv"
    if not build_model(mart):
        raise RuntimeError(f"could not build {mart} to keep the rejected rows")
    with connect(str(warehouse), read_only=True) as con:
        columns = con.sql(f"describe select * from {mart}").fetchall()
        cells = ", ".join(
            spreadsheet_safe(name) if data_type == "VARCHAR" else sql_identifier(name)
            for name, data_type, *_ in columns
        )
        con.execute(
            f"copy (select {cells} from {mart} order by source_row_number)"
            f" to {sql_literal(str(path))} (header)"
        )
    return path


# A cell starting with one of these is a formula to a spreadsheet (OWASP,
# CSV injection): =HYPERLINK(...) or =cmd|... would run when the kept file
# is opened. Such text is kept with a leading apostrophe, shown as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(column: str) -> str:
    """The text column as a cell no spreadsheet reads as a formula."""
    name = sql_identifier(column)
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    apostrophe = sql_literal("'")
    return (
        f"case when left({name}, 1) in ({starts}) then {apostrophe} || {name}"
        f" else {name} end as {name}"
    )
