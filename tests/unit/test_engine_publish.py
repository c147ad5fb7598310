"""A publish where the engine writes the tables with a row per customer
itself (Spark's executors, as folders of part files): the same rules as
any publish. A user's file stops it, a failed or killed one leaves the
previous set as it was, and a killed run's parts are removed by the next
run only when they sit where its plan said.

The engine here is pyarrow writing part files the way Spark lays them out;
tests/spark runs the real one on a two-worker cluster.
"""

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pipeline_runs import snapshot

from customer_segmentation.publishing.publish import (
    EngineWriter,
    TableDocs,
    engine_parts,
    publish,
    row_grain_models,
)
from customer_segmentation.publishing.publish_folder import (
    MANIFEST_FILE,
    PARTS,
    PublishError,
    remove_leftovers,
    write_plan,
)
from customer_segmentation.segment_model.store import read_last_publish

MODELS = {
    "customer_segments": TableDocs("One row per customer.", {"customer_id": ""}),
    "cluster_summary": TableDocs("One row per segment.", {"cluster_id": ""}),
}


def make_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create table cluster_summary as select 1 as cluster_id")
    return path


def spark_like(customers: int) -> EngineWriter:
    """Writes customer_segments as two part files and a commit marker."""

    def write(folder: Path) -> None:
        parts = engine_parts(folder, "customer_segments")
        parts.mkdir()
        ids = [f"c{n:03}" for n in range(customers)]
        half = customers // 2
        for number, chunk in enumerate((ids[:half], ids[half:])):
            table = pa.table(
                {
                    "customer_id": chunk,
                    "cluster_id": pa.array([1] * len(chunk), pa.int32()),
                    "segment_name": ["Average"] * len(chunk),
                }
            )
            pq.write_table(table, parts / f"part-{number:05}-x-c000.snappy.parquet")
        (parts / "_SUCCESS").write_bytes(b"")

    return EngineWriter(row_grain_models(MODELS), write)


def published_set(tmp_path: Path) -> Path:
    """A first set, its customer_segments written by the stand-in engine."""
    return publish(
        make_warehouse(tmp_path / "w.duckdb"),
        tmp_path / "publish",
        MODELS,
        engine=spark_like(10),
    )


def test_the_row_grain_tables_are_the_ones_the_engine_writes():
    assert row_grain_models(MODELS) == ("customer_segments",)


def test_an_engine_written_set_is_served_and_listed_in_the_manifest(tmp_path):
    out = published_set(tmp_path)
    assert (out / "cluster_summary.parquet").is_file()
    assert pq.read_table(out / "customer_segments.parquet").num_rows == 10
    with duckdb.connect(str(out / "segments.duckdb"), read_only=True) as con:
        served = con.sql("select customer_id from customer_segments").fetchall()
        (comment,) = con.sql(
            "select comment from duckdb_tables() where table_name = 'customer_segments'"
        ).fetchone()
    assert [row[0] for row in served] == [f"c{n:03}" for n in range(10)]
    assert comment == "One row per customer."
    listed = (out / MANIFEST_FILE).read_text()
    assert "customer_segments.parquet/part-00001-x-c000.snappy.parquet" in listed


def test_a_failing_engine_leaves_the_previous_set_byte_identical(tmp_path):
    out = published_set(tmp_path)
    before = snapshot(out)

    def fails_half_way(folder: Path) -> None:
        spark_like(4).write(folder)
        raise RuntimeError("lost the executors")

    with pytest.raises(RuntimeError, match="lost the executors"):
        publish(
            make_warehouse(tmp_path / "w2.duckdb"),
            out,
            MODELS,
            engine=EngineWriter(("customer_segments",), fails_half_way),
        )
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def test_a_users_file_saved_while_the_engine_writes_stops_the_swap(tmp_path):
    out = published_set(tmp_path)
    before = snapshot(out)

    def user_saves_a_file_meanwhile(folder: Path) -> None:
        spark_like(6).write(folder)
        (out / "customer_segments.parquet" / "my-notes.txt").write_text("mine")

    with pytest.raises(PublishError, match="my-notes"):
        publish(
            make_warehouse(tmp_path / "w2.duckdb"),
            out,
            MODELS,
            engine=EngineWriter(("customer_segments",), user_saves_a_file_meanwhile),
        )
    kept = snapshot(out)
    assert kept.pop("customer_segments.parquet/my-notes.txt") == b"mine"
    assert kept == before


def killed_while_the_engine_wrote(tmp_path: Path) -> tuple[Path, Path]:
    """A Spark commit half done: task attempts under _temporary, no manifest."""
    out = published_set(tmp_path)
    work = tmp_path / ".publish.new-feed"
    work.mkdir()
    planned = ["cluster_summary.parquet", "segments.duckdb"]
    write_plan(work, [f"customer_segments.parquet{PARTS}", *planned])
    attempt = work / "customer_segments.parquet" / "_temporary" / "0" / "task_1"
    attempt.mkdir(parents=True)
    (attempt / "part-00000-x-c000.snappy.parquet").write_bytes(b"PAR1 half")
    (attempt / ".part-00000-x-c000.snappy.parquet.crc").write_bytes(b"crc")
    return out, work


def test_a_killed_engine_write_is_removed_by_the_next_run(tmp_path):
    out, work = killed_while_the_engine_wrote(tmp_path)
    assert remove_leftovers(out) == [
        f"Removed {work}, the unfinished work of an interrupted run"
    ]
    assert not work.exists()


def test_a_file_beside_the_engines_folder_keeps_the_work_folder(tmp_path):
    out, work = killed_while_the_engine_wrote(tmp_path)
    (work / "customer_segments.parquet.notes").write_text("mine")
    before = snapshot(work)

    (line,) = remove_leftovers(out)

    assert line.startswith(f"Left {work}")
    assert snapshot(work) == before


def test_the_next_run_remembers_the_segments_from_the_parts(tmp_path):
    # a score run reads the saved history: customer_segments.parquet is
    # then a folder (on Spark, this history reaches the executors as a file)
    out = published_set(tmp_path)
    remembered, kept = read_last_publish(out, refit=False)
    assert kept is None
    segments = remembered["customer_segments"]
    assert segments.num_rows == 10
    assert set(segments["segment_name"].to_pylist()) == {"Average"}
