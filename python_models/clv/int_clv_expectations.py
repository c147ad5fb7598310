"""The fitted BG/NBD's expectations for every distinct calibration summary
(x, t_x, T): P(alive), purchases over the horizon and in the holdout.

The logic lives in customer_segmentation.clv_tables and .clv.
"""

from customer_segmentation.clv_tables import expectations, settings_from_meta


def model(dbt, session):
    dbt.config(materialized="table")
    return expectations(
        dbt.ref("int_clv_summaries"),
        dbt.ref("int_clv_models_fitted").to_arrow_table(),
        settings_from_meta(dbt.config.get("meta")),
    )
