"""Text from outside (paths, headers) as SQL that can only ever be data.

For the statements DuckDB cannot bind parameters in: ATTACH, COPY, CREATE
VIEW and COMMENT ON. Everywhere else values are bound. Spark SQL quotes
names with backticks.
"""


def sql_literal(text: str) -> str:
    """A single-quoted SQL string, inner quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A double-quoted SQL name, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def spark_identifier(name: str) -> str:
    """A Spark SQL name for any header: backticks, doubled inside."""
    return "`" + name.replace("`", "``") + "`"
