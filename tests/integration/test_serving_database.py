"""publish/segments.duckdb as a Power BI reader meets it."""

import json
import subprocess
import sys
import textwrap

import duckdb
from pipeline_runs import REPO, require_success, run_pipeline

from customer_segmentation.publishing.publish import OLDEST_READER

COMPAT_PYTHON = REPO / ".venv-duckdb-1.0" / "bin" / "python"


def test_the_oldest_claimed_duckdb_opens_the_serving_file(demo_run):
    assert COMPAT_PYTHON.is_file(), "run `make compat-reader` (make test does)"
    probe = textwrap.dedent(
        f"""
        import duckdb, json
        con = duckdb.connect({str(demo_run.serving)!r}, read_only=True)
        counts = {{t: con.sql(f"select count(*) from {{t}}").fetchone()[0]
                  for t in {list(demo_run.published_tables)!r}}}
        comments = con.sql("select count(comment) from duckdb_tables()").fetchone()[0]
        print(json.dumps({{"version": duckdb.__version__, "counts": counts,
                          "comments": comments}}))
        """
    )
    result = subprocess.run(
        [str(COMPAT_PYTHON), "-c", probe], capture_output=True, text=True, check=True
    )
    seen = json.loads(result.stdout)
    assert seen["version"] == OLDEST_READER
    with duckdb.connect(str(demo_run.serving), read_only=True) as con:
        expected = {
            t: con.sql(f"select count(*) from {t}").fetchone()[0]
            for t in demo_run.published_tables
        }
    assert seen["counts"] == expected
    assert seen["comments"] == len(demo_run.published_tables)


def test_the_serving_file_holds_plain_tables_only(demo_run):
    with duckdb.connect(str(demo_run.serving), read_only=True) as con:
        tables = con.sql("select table_name from duckdb_tables()").fetchall()
        views = con.sql(
            "select count(*) from duckdb_views() where not internal"
        ).fetchone()
        macros = con.sql(
            "select count(*) from duckdb_functions() where not internal"
        ).fetchone()
    assert sorted(t for (t,) in tables) == sorted(demo_run.published_tables)
    assert views == (0,)
    assert macros == (0,)


def test_an_empty_table_is_published_with_no_placeholder_row(baseline_run):
    assert baseline_run.query("select count(*) from rejected_customers") == [(0,)]
    parquet = baseline_run.publish_dir / "rejected_customers.parquet"
    with duckdb.connect() as con:
        rows = con.execute("select count(*) from read_parquet(?)", [str(parquet)])
        assert rows.fetchone() == (0,)


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = "select count(*) from cluster_summary"
    print(con.sql(query).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until told to read again
    print(con.sql(query).fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_file_open_blocks_neither_build_nor_publish(
    demo_run, tmp_path
):
    first = require_success(run_pipeline(tmp_path / "first"))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(first.serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(reader.stdout.readline())

        second = run_pipeline(
            tmp_path / "second", dbt_vars="{k: 3}", publish_dir=first.publish_dir
        )

        reader.stdin.write("\n")
        reader.stdin.flush()
        still_open = int(reader.stdout.readline())
    finally:
        reader.kill()
    assert second.returncode == 0, second.stderr
    assert before == still_open == 5, "the open reader keeps its snapshot"
    assert second.query("select count(*) from cluster_summary") == [(3,)]
