"""The segment model this run scores with: a new fit, or the saved one.

A fit returns the new model run's rows (centroids, scaling, sizes, radii),
with ids carried over from the previous run where centroids match; a scoring
run returns the latest saved run unchanged.
"""

from datetime import UTC, datetime

from customer_segmentation.fitting import fit_model_table, saved_model
from customer_segmentation.model_store import read_id_floor, run_mode
from customer_segmentation.settings import parse_settings


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    history = dbt.source("last_publish", "segment_model_history").to_arrow_table()
    if run_mode(dbt.source("run", "run_context").to_arrow_table()) == "score":
        return saved_model(history)
    return fit_model_table(
        dbt.ref("int_customers_featurized"),
        dbt.ref("int_elbow_scores").to_arrow_table(),
        history,
        dbt.source("last_publish", "segment_runs").to_arrow_table(),
        parse_settings(meta),
        fitted_at=datetime.now(UTC).replace(tzinfo=None),
        id_floor=read_id_floor(dbt.source("run", "id_floor").to_arrow_table()),
    )
