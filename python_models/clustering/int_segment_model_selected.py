"""The segment model this run scores with: a new fit, or the saved one.

A fit returns the new model run's rows (centroids, scaling, sizes, radii),
with ids carried over from the previous run where centroids match; a scoring
run returns the latest saved run unchanged. Rows are wide (four columns per
declared feature); the marts publish them as segment and feature rows.
"""

from datetime import UTC, datetime

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.segment_model.schemas import widen
from customer_segmentation.segment_model.settings import settings_from_vars
from customer_segmentation.segment_model.store import (
    read_id_floor,
    run_mode,
    saved_model,
)


def model(dbt, session):
    dbt.config(materialized="table")
    history = widen(
        rows_of(dbt.ref("stg_last_publish__segment_model_history")).arrow(),
        rows_of(dbt.ref("stg_last_publish__segment_model_features")).arrow(),
    )
    if run_mode(rows_of(dbt.ref("stg_run__run_context")).arrow()) == "score":
        return for_engine(saved_model(history), session)
    # imported only to fit: scikit-learn takes over a second to import
    from customer_segmentation.segment_model.tables import fit_model_table

    fitted = fit_model_table(
        rows_of(dbt.ref("int_customers_featurized")),
        rows_of(dbt.ref("int_k_candidates_scored")).arrow(),
        history,
        rows_of(dbt.ref("stg_last_publish__segment_runs")).arrow(),
        settings_from_vars(dbt.config.get("meta")),
        fitted_at=datetime.now(UTC).replace(tzinfo=None),
        id_floor=read_id_floor(rows_of(dbt.ref("stg_run__id_floor")).arrow()),
    )
    return for_engine(fitted, session)
