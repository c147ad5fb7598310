"""A million-row file is cleaned by streaming through DuckDB, in bounded memory."""

import subprocess
import sys
import textwrap

import duckdb
import pytest
from pipeline_runs import REPO, pipeline_env

from customer_segmentation.inputs.files import (
    inspect_file,
    load_aliases,
    register_input,
)

pytestmark = pytest.mark.scale

ROWS = 1_000_000
# DuckDB is held to 512 MB and spills past it; dbt and its imports take
# ~250 MB more. Holding the rows as Python objects would take several GB.
DUCKDB_MEMORY = "512MB"
PEAK_RSS_LIMIT_MB = 1024


def write_million_customers(path) -> None:
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select
                    i as "CustomerID",
                    case when i % 2 = 0 then 'Male' else 'Female' end as "Gender",
                    18 + hash(i, 'age') % 53 as "Age",
                    15 + hash(i, 'income') % 126 as "Annual Income (k$)",
                    1 + hash(i, 'score') % 100 as "Spending Score (1-100)"
                from range(1, {ROWS} + 1) as t(i)
            ) to '{path}' (header)
            """
        )


def test_cleaning_a_million_rows_stays_in_bounded_memory(tmp_path):
    path = tmp_path / "million.csv"
    write_million_customers(path)
    env = pipeline_env(tmp_path, path, None, tmp_path / "publish")
    env["SEGMENTS_DUCKDB_MEMORY"] = DUCKDB_MEMORY
    dbt = str(REPO / ".venv" / "bin" / "dbt")
    # What `segments run` does before dbt: match the headers, register the file.
    aliases = load_aliases(REPO / "seeds" / "column_aliases.csv")
    warehouse = tmp_path / "target" / "warehouse.duckdb"
    register_input(warehouse, path, inspect_file(path, aliases))
    # Measure dbt's own process: ru_maxrss of the waited-for child, in KiB.
    probe = textwrap.dedent(
        f"""
        import resource, subprocess, sys
        done = subprocess.run(
            [{dbt!r}, "build", "--select", "+int_customers_featurized",
             "--indirect-selection", "cautious",
             "--project-dir", {str(REPO)!r}],
            capture_output=True, text=True,
        )
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.stderr.write(done.stdout[-3000:])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True
    )
    returncode, peak_kib = result.stdout.split()
    peak_mb = int(peak_kib) / 1024
    print(f"\npeak RSS cleaning {ROWS:,} rows: {peak_mb:.0f} MB")

    assert returncode == "0", result.stderr
    with duckdb.connect(str(warehouse)) as con:
        clean = con.sql("select count(*) from int_customers_featurized").fetchone()
    assert clean == (ROWS,)
    assert peak_mb < PEAK_RSS_LIMIT_MB
