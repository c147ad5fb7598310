"""DuckDB connections the CLI opens, bounded like dbt's own.

dbt's DuckDB runs under ``SEGMENTS_DUCKDB_MEMORY`` (profiles.yml); a plain
``duckdb.connect()`` would take 80% of the machine's memory instead, which
is what publishing a hundred million sorted rows then did (a 17.8 GB peak
under a 6 GB setting, benchmarks/notes.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def memory_limit() -> str:
    """DuckDB's memory limit, as profiles.yml reads it for dbt."""
    return os.environ.get("SEGMENTS_DUCKDB_MEMORY", "1GB")


def connect(
    database: str | Path = ":memory:", read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection under the run's memory limit."""
    return duckdb.connect(
        str(database), read_only=read_only, config={"memory_limit": memory_limit()}
    )
