"""Settings reach the clustering; a failed run publishes nothing."""

import shutil
from pathlib import Path

from pipeline_runs import require_success, run_pipeline


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_k_var_overrides_the_elbow(tmp_path):
    run = require_success(run_pipeline(tmp_path, dbt_vars="{k: 3}"))
    assert run.query("select k, selection_rule from elbow_curve where is_chosen") == [
        (3, "override")
    ]
    assert run.query("select count(*) from cluster_summary") == [(3,)]
    names = [n for (n,) in run.query("select segment_name from cluster_summary")]
    assert len(set(names)) == 3


def test_a_bad_var_stops_the_run_before_dbt_naming_the_var(tmp_path):
    run = run_pipeline(tmp_path, dbt_vars="{k: many}")
    assert run.returncode == 1
    assert "var k='many' is not a whole number" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "target").exists(), "dbt must not have started"
    assert not run.publish_dir.exists()


def test_a_missing_input_file_is_named_in_the_error(tmp_path):
    missing = tmp_path / "no such customers.csv"
    run = run_pipeline(tmp_path, input_file=missing)
    assert run.returncode == 1
    assert f"input file {missing}: no such file" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_failed_build_leaves_the_published_files_untouched(demo_run, tmp_path):
    publish_dir = tmp_path / "publish"
    shutil.copytree(demo_run.publish_dir, publish_dir)
    before = snapshot(publish_dir)
    unusable = tmp_path / "unusable.csv"
    unusable.write_text(
        "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
        "1,Female,abc,15,39\n2,Male,21,,81\n3,Female,20,16,0\n"
    )

    run = run_pipeline(tmp_path / "run", input_file=unusable, publish_dir=publish_dir)

    assert run.returncode == 1
    assert "dbt build failed" in run.stderr
    assert "previously published files are unchanged" in run.stderr
    assert snapshot(publish_dir) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".publish")]
    assert leftovers == []
