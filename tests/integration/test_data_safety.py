"""Never lose a user's data: hostile but ordinary inputs, folders and timing.

Each test reproduces one way an earlier version destroyed files or corrupted
results, and checks that the run now either publishes correctly or stops with
one line, leaving every file it did not create byte-identical.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import (
    DEMO_FILE,
    REPO,
    assert_refused,
    copy_of_publish,
    pipeline_env,
    require_success,
    run_pipeline,
    run_with_env,
    snapshot,
    start_pipeline,
)

from customer_segmentation.publishing.publish_folder import MANIFEST_FILE

# Characters a template engine, a shell or SQL would read as code.
HOSTILE = """a{{ 6*7 }} {% if true %}x{% endif %} {#1 final 'q' "dq" $HOME é"""
INJECTION = """{{ run_query("copy (select 42) to 'pwned.csv'") }}"""


def user_folder(tmp_path: Path) -> Path:
    """A folder of a user's own files, with a subfolder."""
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (folder / "report.docx").write_bytes(b"quarterly numbers")
    (folder / "sub" / "notes.txt").write_text("keep me")
    return folder


def clean_demo_rows() -> tuple[list[str], list[list[str]]]:
    header, rows = read_rows(DEMO_FILE)
    return header, rows[:200]


def test_a_folder_of_user_files_is_refused_before_any_dbt_work(tmp_path):
    folder = user_folder(tmp_path)
    before = snapshot(folder)

    start = time.perf_counter()
    run = run_pipeline(tmp_path / "run", publish_dir=folder)
    seconds = time.perf_counter() - start

    assert_refused(run, "holds files this product did not publish")
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == ["report.docx", "sub"]
    assert not (tmp_path / "run" / "target").exists(), "dbt must not have started"
    print(f"refused in {seconds:.1f} s")


def test_an_empty_publish_folder_setting_is_an_error_not_the_working_directory(
    tmp_path,
):
    before = {p.name for p in REPO.iterdir()}
    env = pipeline_env(tmp_path / "run", None, None, tmp_path / "unused")
    env["SEGMENTS_PUBLISH_DIR"] = ""

    run = run_with_env(env, tmp_path / "run")
    assert_refused(run, "SEGMENTS_PUBLISH_DIR is set but empty")
    assert {p.name for p in REPO.iterdir()} == before


def test_a_publish_folder_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"quarterly numbers")

    run = run_pipeline(tmp_path / "run", publish_dir=path)

    assert_refused(run, "is a file, not a folder")
    assert path.read_bytes() == b"quarterly numbers"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx", "run"]


def test_names_full_of_template_and_sql_syntax_are_only_names(tmp_path, demo_run):
    folder = tmp_path / HOSTILE
    folder.mkdir()
    header, rows = read_rows(DEMO_FILE)
    # Headers that match the aliases once punctuation is dropped, and an
    # extra column whose name would run SQL if it were rendered.
    header = ["{{CustomerID}}", "Gender{##}", "Age", header[3], header[4], INJECTION]
    path = write_csv(
        folder / f"{HOSTILE} {INJECTION}.csv", header, [[*row, "x"] for row in rows]
    )
    publish_dir = tmp_path / f"pub {HOSTILE}"

    run = require_success(run_pipeline(tmp_path / "run", path, publish_dir=publish_dir))

    assert run.query("select source_file from load_audit") == [(str(path),)]
    assert {r[0] for r in run.query("select source_file from rejected_customers")} == {
        str(path)
    }
    [(reason,)] = run.query("select model_mode_reason from segment_runs")
    assert reason == "the publish folder has no saved model"
    assert f"Published to {publish_dir}/" in run.stdout
    assert sorted(
        run.query("select customer_id, cluster_id from customer_segments")
    ) == (
        sorted(demo_run.query("select customer_id, cluster_id from customer_segments"))
    )
    assert not list(REPO.rglob("pwned.csv")) and not list(tmp_path.rglob("pwned.csv"))


def test_two_runs_sharing_a_target_run_one_after_the_other(tmp_path):
    shared = tmp_path / "shared"
    first = start_pipeline(shared, publish_dir=tmp_path / "publish_a")
    second = start_pipeline(shared, publish_dir=tmp_path / "publish_b")
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], "\n".join(outputs)
    assert any("Waiting for another run" in output for output in outputs)
    for name in ("publish_a", "publish_b"):
        history = pq.read_table(tmp_path / name / "segment_model_history.parquet")
        runs = pq.read_table(tmp_path / name / "segment_runs.parquet")
        # each folder holds its own first fit, not the other folder's history
        assert set(history["model_run_id"].to_pylist()) == {1}
        assert runs["run_id"].to_pylist() == [1]
        assert runs["model_mode"].to_pylist() == ["fit"]


def test_two_runs_into_one_publish_folder_both_end_in_its_history(tmp_path):
    publish_dir = tmp_path / "publish"
    first = start_pipeline(tmp_path / "a", publish_dir=publish_dir)
    second = start_pipeline(tmp_path / "b", publish_dir=publish_dir)
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], "\n".join(outputs)
    runs = pq.read_table(publish_dir / "segment_runs.parquet").sort_by("run_id")
    assert runs["run_id"].to_pylist() == [1, 2]
    # the later run read the earlier run's publish: it scored with its model
    assert runs["model_mode"].to_pylist() == ["fit", "score"]
    assert runs["model_run_id"].to_pylist() == [1, 1]


def test_changing_the_number_of_features_refits_and_retires_the_old_segments(
    demo_run, tmp_path
):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    old_ids = {r[0] for r in demo_run.query("select cluster_id from segment_model")}
    # a work folder a killed publish left: marked as the product's own
    leftover = tmp_path / ".publish.new-killed"
    shutil.copytree(publish_dir, leftover)

    run = require_success(
        run_pipeline(
            tmp_path / "run",
            dbt_vars='{cluster_features: "annual_income_k,spending_score,age"}',
            publish_dir=publish_dir,
        )
    )

    [(mode, reason)] = run.query(
        "select model_mode, model_mode_reason from segment_runs where run_id = 2"
    )
    assert mode == "fit"
    assert "features changed" in reason and "retired" in reason
    statuses = run.query(
        "select cluster_id, cluster_status, features from segment_model_history"
        " where model_run_id = 2"
    )
    assert {c for c, status, _ in statuses if status == "retired"} == old_ids
    active = {c for c, status, _ in statuses if status == "active"}
    assert active and min(active) > max(old_ids)
    assert {f for _, status, f in statuses if status == "active"} == {
        "annual_income_k,spending_score,age"
    }
    assert not leftover.exists()
    assert f"Removed {leftover}" in run.stdout


def test_a_deleted_history_does_not_reuse_model_run_ids(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    (publish_dir / "segment_model_history.parquet").unlink()

    run = require_success(run_pipeline(tmp_path / "run", publish_dir=publish_dir))

    runs = run.query("select run_id, model_run_id from segment_runs order by run_id")
    assert runs == [(1, 1), (2, 2)]


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def garble(path: Path) -> None:
    path.write_bytes(b"not a parquet file at all")


def other_schema(path: Path) -> None:
    pq.write_table(pa.table({"something": [1, 2]}), path)


@pytest.mark.parametrize("damage", [truncate, garble, other_schema])
def test_an_unreadable_history_says_how_to_recover(demo_run, tmp_path, damage):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    damage(publish_dir / "segment_model_history.parquet")
    before = snapshot(publish_dir)

    run = run_pipeline(tmp_path / "run", publish_dir=publish_dir)

    assert_refused(run, "segment_model_history.parquet")
    assert "make refit" in run.stderr
    assert snapshot(publish_dir) == before


def test_a_refit_starts_a_new_history_and_keeps_the_unreadable_file(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    garble(publish_dir / "segment_model_history.parquet")

    run = require_success(
        run_pipeline(tmp_path / "run", publish_dir=publish_dir, refit=True)
    )

    # changed since it was published: moved aside, never deleted
    [kept] = [p for p in tmp_path.iterdir() if "-kept-" in p.name]
    assert (kept / "segment_model_history.parquet").read_bytes() == (
        b"not a parquet file at all"
    )
    assert str(kept) in run.stdout
    # the new model continues the numbering of the runs that remain
    assert run.query("select distinct model_run_id from segment_model") == [(2,)]


def is_writable(folder: Path) -> bool:
    try:
        (folder / ".probe").touch()
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def make_read_only(folder: Path) -> None:
    """Read-only even for root (immutable), where the file system allows it."""
    subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True)
    if is_writable(folder):
        folder.chmod(0o555)
    if is_writable(folder):
        make_writable(folder)
        pytest.skip("cannot make a folder read-only here (chattr +i, chmod)")


def make_writable(folder: Path) -> None:
    subprocess.run(["chattr", "-i", str(folder)], check=False)
    folder.chmod(0o755)


def test_a_read_only_publish_folder_is_refused_before_building(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    before = snapshot(publish_dir)
    make_read_only(publish_dir)
    try:
        run = run_pipeline(tmp_path / "run", publish_dir=publish_dir)
    finally:
        make_writable(publish_dir)

    assert_refused(run, "is not writable")
    assert snapshot(publish_dir) == before
    assert not (tmp_path / "run" / "target").exists(), "dbt must not have started"


def test_blank_vars_take_their_defaults(demo_run, tmp_path):
    run = require_success(
        run_pipeline(
            tmp_path / "run",
            dbt_vars='{max_reject_share: "None", outlier_radius_multiple: null}',
        )
    )
    scores = "select customer_id, cluster_id, is_outlier from customer_segments"
    assert run.query(f"{scores} order by 1") == demo_run.query(f"{scores} order by 1")


def test_edge_rows_are_read_and_rejected_for_what_they_are(tmp_path):
    header, rows = clean_demo_rows()
    edge_rows = [
        ["1.5", "Female", "30", "50", "50"],
        ["2.5", "Male", "31", "51", "51"],
        ["2.17e2", "Male", "32", "52", "52"],
        ["9001", "Male\r", "33", "53", "53"],
        ["9002", "Female", "34", "1e300", "54"],
    ]
    path = tmp_path / "edges.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([header, *rows[:100]])
        handle.write("   \n")  # a whitespace-only line: data row 101
        writer.writerows(rows[100:])
        # quoted, as a CSV writer must write a value holding a carriage return
        csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
            edge_rows
        )

    run = require_success(run_pipeline(tmp_path / "run", path))

    rejected = run.query(
        "select source_row_number, reject_reason from rejected_customers"
        " order by source_row_number"
    )
    assert rejected == [(101, "blank_row"), (206, "annual_income_out_of_range")]
    customers = dict(run.query("select customer_id, gender from customer_segments"))
    # ids that are not whole numbers stay text: nothing is rounded or merged
    assert {"1.5", "2.5", "2.17e2"} <= customers.keys()
    assert len(customers) == 204
    assert customers["9001"] == "Male"


def test_the_serving_database_of_a_refused_run_is_untouched(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    (publish_dir / "notes.txt").write_text("mine now")
    before = snapshot(publish_dir)

    run = run_pipeline(tmp_path / "run", publish_dir=publish_dir)

    assert_refused(run, "holds files this product did not publish")
    assert snapshot(publish_dir) == before
    with duckdb.connect(str(publish_dir / "segments.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from customer_segments").fetchone()[0] > 0
    assert (publish_dir / MANIFEST_FILE).is_file()


def test_an_unexpected_failure_is_one_line_with_the_detail_in_the_log(tmp_path):
    # A warehouse inside a file: its lock file cannot be created.
    (tmp_path / "a_file").write_text("x")
    env = pipeline_env(tmp_path / "run", None, None, tmp_path / "publish")
    env["SEGMENTS_WAREHOUSE"] = str(tmp_path / "a_file" / "warehouse.duckdb")

    run = run_with_env(env, tmp_path / "run")
    assert_refused(run, "unexpected failure")
    log = tmp_path / "run" / "target" / "segments.log"
    assert f"full detail in {log}" in run.stderr
    assert "Traceback (most recent call last)" in log.read_text()
    assert not (tmp_path / "publish").exists()
