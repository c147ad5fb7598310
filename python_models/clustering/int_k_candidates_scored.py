"""Elbow curve: inertia and quality metrics for every candidate k, k chosen.

A scoring run fits nothing: it carries the saved model's elbow forward.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.segment_model.settings import settings_from_vars
from customer_segmentation.segment_model.store import run_mode, saved_elbow


def model(dbt, session):
    dbt.config(materialized="table")
    if run_mode(rows_of(dbt.ref("stg_run__run_context")).arrow()) == "score":
        elbow = saved_elbow(rows_of(dbt.ref("stg_last_publish__elbow_curve")).arrow())
        return for_engine(elbow, session)
    # imported only to fit: scikit-learn takes over a second to import
    from customer_segmentation.segment_model.tables import elbow_table

    elbow = elbow_table(
        rows_of(dbt.ref("int_customers_featurized")),
        settings_from_vars(dbt.config.get("meta")),
    )
    return for_engine(elbow, session)
