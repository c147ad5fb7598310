"""Settings `segments run` refuses before anything is locked or written."""

import pytest

from customer_segmentation.run_plan import UsageError, check_target


def test_a_target_segments_cannot_run_is_refused_in_one_line(tmp_path):
    with pytest.raises(UsageError) as refused:
        check_target("databricks", tmp_path)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("DBT_TARGET=databricks: ")
    assert "docs/spark.md" in message


def test_a_spark_target_needs_its_environment(tmp_path):
    with pytest.raises(UsageError, match=r"\.venv-spark is missing; run make spark"):
        check_target("spark_local", tmp_path)
    (tmp_path / ".venv-spark" / "bin").mkdir(parents=True)
    (tmp_path / ".venv-spark" / "bin" / "dbt").write_text("")
    assert check_target("spark_local", tmp_path) == "spark_local"


@pytest.mark.parametrize("target", [None, "", "local"])
def test_the_duckdb_target_or_none_is_run(target, tmp_path):
    assert check_target(target, tmp_path) == "local"
