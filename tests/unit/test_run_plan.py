"""Settings `segments run` refuses before anything is locked or written."""

import pytest

from customer_segmentation.run_plan import UsageError, check_target


def test_a_spark_target_is_refused_in_one_line_that_says_where_to_go():
    with pytest.raises(UsageError) as refused:
        check_target("spark_local")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("DBT_TARGET=spark_local: ")
    assert "docs/spark.md" in message


@pytest.mark.parametrize("target", [None, "", "local"])
def test_the_duckdb_target_or_none_is_run(target):
    check_target(target)
