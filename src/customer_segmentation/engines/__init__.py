"""How the library talks to an engine: DuckDB connections bounded like
dbt's (``duckdb_limits``), text from outside as SQL that can only be data
(``sql_text``), and a ref's rows as the dbt Python models read them on DuckDB
or Spark (``rows``).

May import: nothing else of the package.
"""
