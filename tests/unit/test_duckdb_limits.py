"""The CLI's own DuckDB connections obey the run's memory limit, as dbt's do."""

from customer_segmentation.engines.duckdb_limits import connect


def test_a_connection_takes_the_memory_limit_of_the_run(monkeypatch, tmp_path):
    monkeypatch.setenv("SEGMENTS_DUCKDB_MEMORY", "300MB")
    with connect() as con:
        in_memory = con.sql("select current_setting('memory_limit')").fetchone()[0]
    with connect(tmp_path / "w.duckdb") as con:
        on_file = con.sql("select current_setting('memory_limit')").fetchone()[0]
    # 300 MB = 286.1 MiB; DuckDB's own default would be 80% of the machine
    assert in_memory == on_file == "286.1 MiB"
