"""What the purchase model used (BG/NBD or Pareto/NBD, clv_model's
is_used_in_clv) expects of every distinct calibration summary (x, t_x, T):
P(alive), purchases over the horizon and in the holdout.

The logic lives in customer_segmentation.lifetime_value.expectation_table.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.lifetime_value.expectation_table import expectations
from customer_segmentation.lifetime_value.tables import settings_from_meta


def model(dbt, session):
    dbt.config(materialized="table")
    expected = expectations(
        rows_of(dbt.ref("int_clv_summaries")),
        rows_of(dbt.ref("int_clv_models_fitted")).arrow(),
        settings_from_meta(dbt.config.get("meta")),
    )
    return for_engine(expected, session)
