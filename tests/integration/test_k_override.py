"""The k var reaches the clustering and overrides the elbow."""

from pipeline_runs import require_success, run_pipeline


def test_the_k_var_overrides_the_elbow(tmp_path):
    run = require_success(run_pipeline(tmp_path, dbt_vars="{k: 3}"))
    assert run.query("select k, selection_rule from elbow_curve where is_chosen") == [
        (3, "override")
    ]
    assert run.query("select count(*) from cluster_summary") == [(3,)]
    names = [n for (n,) in run.query("select segment_name from cluster_summary")]
    assert len(set(names)) == 3
