"""The segment model this run scores with: a new fit, or the saved one.

A fit returns the new model run's rows (centroids, scaling, sizes, radii),
with ids carried over from the previous run where centroids match; a scoring
run returns the latest saved run unchanged. Rows are wide (four columns per
declared feature); the marts publish them as segment and feature rows.
"""

from datetime import UTC, datetime

from customer_segmentation.model_store import read_id_floor, run_mode, saved_model
from customer_segmentation.schemas import widen
from customer_segmentation.settings import settings_from_vars


def model(dbt, session):
    dbt.config(materialized="table")
    history = widen(
        dbt.ref("stg_last_publish__segment_model_history").to_arrow_table(),
        dbt.ref("stg_last_publish__segment_model_features").to_arrow_table(),
    )
    if run_mode(dbt.ref("stg_run__run_context").to_arrow_table()) == "score":
        return saved_model(history)
    # imported only to fit: scikit-learn takes over a second to import
    from customer_segmentation.model_tables import fit_model_table

    return fit_model_table(
        dbt.ref("int_customers_featurized"),
        dbt.ref("int_k_candidates_scored").to_arrow_table(),
        history,
        dbt.ref("stg_last_publish__segment_runs").to_arrow_table(),
        settings_from_vars(dbt.config.get("meta")),
        fitted_at=datetime.now(UTC).replace(tzinfo=None),
        id_floor=read_id_floor(dbt.ref("stg_run__id_floor").to_arrow_table()),
    )
