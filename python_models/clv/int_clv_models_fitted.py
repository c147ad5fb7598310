"""BG/NBD, Pareto/NBD and Gamma-Gamma fitted by maximum likelihood on the
calibration summaries: one row per model and parameter.

The logic lives in customer_segmentation.clv_tables and .clv.
"""

from customer_segmentation.clv_tables import fitted_models


def model(dbt, session):
    dbt.config(materialized="table")
    return fitted_models(dbt.ref("int_clv_summaries"))
