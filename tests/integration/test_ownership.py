"""Never lose a user's data, second pass: what is the product's own, and locks.

Each test replays one way a careful but unlucky user lost files or got stuck
(issue 22, cases numbered as there) through the real commands, and checks
every user file byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from pipeline_runs import (
    REPO,
    PipelineRun,
    assert_refused,
    copy_of_publish,
    pipeline_env,
    require_success,
    run_pipeline,
    run_with_env,
    snapshot,
    start_pipeline,
)

from customer_segmentation.powerbi.project import MANIFEST_FILE as POWERBI_MANIFEST
from customer_segmentation.publishing.locking import run_locks
from customer_segmentation.publishing.publish_folder import MANIFEST_FILE

SEGMENTS = str(REPO / ".venv" / "bin" / "segments")
PICTURE = b"\x89PNG\r\n\x1a\n the board's slide"


def kept_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if "-kept-" in p.name)


# -- 1. a user's picture among the charts ---------------------------------------


def test_1_a_users_picture_in_charts_is_refused_then_moved_aside_by_a_refit(
    demo_run, tmp_path
):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    (publish_dir / "charts" / "q3_board_slide.png").write_bytes(PICTURE)
    before = snapshot(publish_dir)

    run = run_pipeline(tmp_path / "run", publish_dir=publish_dir)

    assert_refused(run, "charts/q3_board_slide.png")
    assert "make refit" in run.stderr
    assert snapshot(publish_dir) == before

    refit = require_success(
        run_pipeline(tmp_path / "run", publish_dir=publish_dir, refit=True)
    )
    [kept] = kept_folders(tmp_path)
    assert snapshot(kept) == {"charts/q3_board_slide.png": PICTURE}
    assert "Moved 1 file this product did not publish, or that changed" in refit.stdout
    assert str(kept) in refit.stdout
    assert not (publish_dir / "charts" / "q3_board_slide.png").exists()


# -- 2. make powerbi and a user's files in powerbi/ -----------------------------


def run_command(
    *arguments: str, target: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "SEGMENTS_WAREHOUSE": str(target / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
        **(extra_env or {}),
    }
    return subprocess.run(
        [SEGMENTS, *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_of_target(run: PipelineRun, tmp_path: Path) -> Path:
    target = tmp_path / "target"
    shutil.copytree(run.target_dir, target)
    return target


def test_2_make_powerbi_keeps_a_users_files_and_refuses_to_overwrite_edits(
    demo_run, tmp_path
):
    out = tmp_path / "powerbi"
    shutil.copytree(REPO / "powerbi", out)
    committed = snapshot(out)
    (out / "MyBoardReport.pbix").write_bytes(b"PK a user's report")
    (out / "CustomerSegments.SemanticModel" / ".pbi").mkdir()
    (out / "CustomerSegments.SemanticModel" / ".pbi" / "localSettings.json").write_text(
        "{}"
    )
    tmdl = next((out / "CustomerSegments.SemanticModel").rglob("*.tmdl"))
    tmdl.write_text(tmdl.read_text() + "\n// a measure added in Power BI Desktop\n")
    before = snapshot(out)
    target = copy_of_target(demo_run, tmp_path)

    refused = run_command("powerbi", "--out", str(out), target=target)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    [line] = refused.stderr.strip().splitlines()
    assert tmdl.relative_to(out).as_posix() in line
    assert "Nothing was written" in line
    assert snapshot(out) == before

    shutil.copy(REPO / "powerbi" / tmdl.relative_to(out), tmdl)  # git checkout
    done = run_command("powerbi", "--out", str(out), target=target)

    assert done.returncode == 0, done.stdout + done.stderr
    after = snapshot(out)
    assert after["MyBoardReport.pbix"] == b"PK a user's report"
    assert after["CustomerSegments.SemanticModel/.pbi/localSettings.json"] == b"{}"
    assert {k: v for k, v in after.items() if k in committed} == committed
    assert POWERBI_MANIFEST in committed


def test_2_a_generated_file_no_longer_generated_is_removed_only_if_unchanged(
    demo_run, tmp_path
):
    out = tmp_path / "powerbi"
    shutil.copytree(REPO / "powerbi", out)
    # as if an earlier generator had written one more file, and one the user edited
    manifest = (out / POWERBI_MANIFEST).read_text()
    retired = out / "retired.tmdl"
    retired.write_text("table retired\n")
    edited = out / "retired_and_edited.tmdl"
    edited.write_text("table edited\n")
    document = json.loads(manifest)
    for path, text in ((retired, "table retired\n"), (edited, "table before\n")):
        document["files"][path.name] = {
            "bytes": len(text),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    (out / POWERBI_MANIFEST).write_text(json.dumps(document))

    done = run_command(
        "powerbi", "--out", str(out), target=copy_of_target(demo_run, tmp_path)
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert not retired.exists()
    assert edited.read_text() == "table edited\n"
    assert (out / POWERBI_MANIFEST).read_text() == manifest


# -- 3. a warehouse of the user's -----------------------------------------------


@pytest.mark.parametrize("table", ["customer_segments", "age_bands"])
def test_3_a_users_database_as_warehouse_is_refused_before_any_write(tmp_path, table):
    database = tmp_path / "finance.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"create table {table} as select 42 as revenue")
        con.execute("create table budget as select 1 as line")
    before = database.read_bytes()
    env = pipeline_env(tmp_path / "run", None, None, tmp_path / "publish")
    env["SEGMENTS_WAREHOUSE"] = str(database)

    run = run_with_env(env, tmp_path / "run")
    assert_refused(run, "is not a warehouse this product created")
    assert database.read_bytes() == before
    assert not (tmp_path / "publish").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["finance.duckdb", "run"]


def test_3_a_file_that_is_not_a_database_is_refused_as_warehouse(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n1,2\n")
    env = pipeline_env(tmp_path / "run", None, None, tmp_path / "publish")
    env["SEGMENTS_WAREHOUSE"] = str(notes)

    run = run_with_env(env, tmp_path / "run")
    assert_refused(run, "it is not a DuckDB file")
    assert notes.read_text() == "a,b\n1,2\n"


def test_3_the_products_own_warehouse_is_reused(demo_run, tmp_path):
    target = copy_of_target(demo_run, tmp_path)
    run = require_success(
        run_pipeline(tmp_path, publish_dir=copy_of_publish(demo_run, tmp_path))
    )
    assert run.target_dir == target
    assert run.query("select model_mode from segment_runs where run_id = 2") == [
        ("score",)
    ]


# -- 4. a user's folder that looks like an early publish ------------------------


def test_4_a_folder_with_early_publish_names_is_refused_by_a_run_and_a_refit(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with duckdb.connect(str(folder / "segments.duckdb")) as con:
        con.execute("create table my_notes as select 'keep' as note")
    for name in ("customer_segments", "cluster_summary"):
        (folder / f"{name}.parquet").write_bytes(b"PAR1 the user's own PAR1")
    before = snapshot(folder)

    for refit in (False, True):
        run = run_pipeline(tmp_path / "run", publish_dir=folder, refit=refit)
        assert_refused(run, "has no manifest")
        assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "run"]
    assert not (tmp_path / "run" / "target").exists(), "dbt must not have started"


# -- 5. a copied manifest beside the user's files -------------------------------


def test_5_a_copied_manifest_does_not_make_a_users_files_ours(demo_run, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(demo_run.publish_dir / MANIFEST_FILE, folder / MANIFEST_FILE)
    (folder / "dashboard.html").write_text("<!doctype html><title>Board</title>")
    with duckdb.connect(str(folder / "segments.duckdb")) as con:
        con.execute("create table forecast as select 1 as q")
    before = snapshot(folder)

    run = run_pipeline(tmp_path / "run", publish_dir=folder)

    assert_refused(run, "dashboard.html, segments.duckdb")
    assert snapshot(folder) == before


# -- 6. folders inside version control ------------------------------------------


def test_6_an_empty_folder_inside_git_is_never_a_publish_folder(tmp_path):
    repo = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "README").write_text("x")
    git = ["git", "-C", str(repo), "-c", "user.name=a", "-c", "user.email=a@b"]
    subprocess.run([*git, "add", "README"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    tags = repo / ".git" / "refs" / "tags"
    assert tags.is_dir() and not any(tags.iterdir())
    before = snapshot(repo / ".git")

    run = run_pipeline(tmp_path / "run", publish_dir=tags)

    assert_refused(run, "is inside version-control metadata (.git)")
    assert snapshot(repo / ".git") == before
    assert tags.is_dir() and not any(tags.iterdir())
    fsck = subprocess.run([*git, "fsck"], capture_output=True, text=True, check=False)
    assert fsck.returncode == 0 and "invalid" not in fsck.stderr + fsck.stdout


# -- 7. kill -9 of a run while dbt builds ----------------------------------------


def children_of(pid: int) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in found.stdout.split()]


def wait_for_dbt(process: subprocess.Popen) -> int:
    """The pid of the dbt child once it has started (and opened the warehouse)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        children = children_of(process.pid)
        if children:
            time.sleep(3)  # well into the build
            return children[0]
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.1)
    raise AssertionError("dbt never started")


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_7_a_killed_run_never_makes_the_next_one_fail_on_a_lock(tmp_path):
    workdir = tmp_path / "shared"
    first = start_pipeline(workdir)
    dbt = wait_for_dbt(first)

    first.kill()  # kill -9 of the segments process only, not its group
    first.wait()
    second = run_pipeline(workdir)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "Could not set lock" not in second.stdout + second.stderr
    assert not is_running(dbt), "dbt outlived the run that started it"


# -- 8. docs and Power BI take the run's locks -----------------------------------


@pytest.mark.parametrize("command", [["docs"], ["powerbi", "--out", "OUT"]])
def test_8_docs_and_powerbi_wait_for_a_run_instead_of_failing(
    demo_run, tmp_path, command
):
    target = copy_of_target(demo_run, tmp_path)
    out = tmp_path / "powerbi"
    shutil.copytree(REPO / "powerbi", out)
    arguments = [str(out) if a == "OUT" else a for a in command]
    locks = {target: "dbt target folder", target / "warehouse.duckdb": "warehouse"}
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "SEGMENTS_WAREHOUSE": str(target / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
    }
    with run_locks(locks, timeout=0, say=print):  # as a running `segments run`
        waiting = subprocess.Popen(
            [SEGMENTS, *arguments],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        first_line = waiting.stdout.readline()
        assert "Waiting for another run" in first_line
        time.sleep(1)
        assert waiting.poll() is None
    output = first_line + waiting.communicate(timeout=300)[0]

    assert waiting.returncode == 0, output
    assert "IO Error" not in output and "Traceback" not in output


def test_8_every_make_target_runs_dbt_through_the_locking_command():
    recipes = [
        line.strip()
        for line in (REPO / "Makefile").read_text().splitlines()
        if line.startswith("\t")
    ]
    # dbt as a command (not the tests/dbt folder)
    direct = [
        line for line in recipes if re.search(r"\$\(DBT\)|(^|[\s;&|/])dbt(\s|$)", line)
    ]
    # serving the docs reads target/ only (its log goes there, issue 34);
    # nothing else calls dbt directly
    assert len(direct) == 1 and direct[0].startswith("DBT_LOG_PATH=")
    assert direct[0].endswith(" $(DBT) docs serve --port 8080")


# -- 9. the smaller ones -----------------------------------------------------------


def test_9_ctrl_c_ends_with_one_line_and_the_last_publish_intact(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    before = snapshot(publish_dir)
    process = start_pipeline(
        tmp_path / "run", publish_dir=publish_dir, separate_stderr=True
    )
    wait_for_dbt(process)

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == [
        "segments: interrupted; a publish folder is only ever replaced whole, so "
        "it holds the last complete publish"
    ]
    assert snapshot(publish_dir) == before


def test_9_a_replaced_publish_folder_keeps_its_permissions(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    publish_dir.chmod(0o750)
    require_success(run_pipeline(tmp_path / "run", publish_dir=publish_dir))
    assert publish_dir.stat().st_mode & 0o777 == 0o750


@pytest.mark.parametrize("variable", ["SEGMENTS_WAREHOUSE", "DBT_TARGET_PATH"])
def test_9_a_warehouse_or_target_inside_the_publish_folder_is_refused(
    tmp_path, variable
):
    publish_dir = tmp_path / "publish"
    env = pipeline_env(tmp_path / "run", None, None, publish_dir)
    env[variable] = str(publish_dir / "inner")

    run = run_with_env(env, tmp_path / "run")
    assert_refused(
        run, f"{variable} {publish_dir / 'inner'} is inside the publish folder"
    )
    assert not list(tmp_path.iterdir()), "a refused run leaves no folder behind"


def test_9_deleted_history_files_never_make_ids_go_back(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    old_ids = {r[0] for r in demo_run.query("select cluster_id from segment_model")}
    (publish_dir / "segment_runs.parquet").unlink()
    (publish_dir / "segment_model_history.parquet").unlink()

    run = require_success(run_pipeline(tmp_path / "run", publish_dir=publish_dir))

    assert (
        f"Note: published to {publish_dir} but missing now: "
        "segment_model_history.parquet, segment_runs.parquet; new ids follow"
    ) in run.stdout
    assert run.query("select run_id, model_run_id from segment_runs") == [(2, 2)]
    new_ids = {r[0] for r in run.query("select cluster_id from segment_model")}
    assert min(new_ids) > max(old_ids)
    history = pq.read_table(publish_dir / "segment_model_history.parquet")
    assert set(history["model_run_id"].to_pylist()) == {2}


def test_make_clean_deletes_only_what_the_manifest_lists(demo_run, tmp_path):
    publish_dir = copy_of_publish(demo_run, tmp_path)
    (publish_dir / "charts" / "q3_board_slide.png").write_bytes(PICTURE)
    env = pipeline_env(tmp_path / "run", None, None, publish_dir)

    cleaned = subprocess.run(
        [SEGMENTS, "clean"], cwd=REPO, env=env, capture_output=True, text=True
    )

    assert cleaned.returncode == 0, cleaned.stderr
    assert snapshot(publish_dir) == {"charts/q3_board_slide.png": PICTURE}
    (publish_dir / "charts" / "q3_board_slide.png").unlink()
    (publish_dir / "charts").rmdir()
    shutil.copytree(demo_run.publish_dir, publish_dir, dirs_exist_ok=True)
    subprocess.run([SEGMENTS, "clean"], cwd=REPO, env=env, check=True)
    assert not publish_dir.exists()
