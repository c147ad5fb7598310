"""BG/NBD, Pareto/NBD and Gamma-Gamma fitted by maximum likelihood on the
calibration summaries: one row per model and parameter, with which
purchase model customer_clv uses and why (lifetime_value.choice).

The logic lives in customer_segmentation.lifetime_value.tables and .fitting.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.lifetime_value.tables import PurchaseWindow, fitted_models


def model(dbt, session):
    dbt.config(materialized="table")
    window = PurchaseWindow.of(
        rows_of(dbt.ref("int_transactions_aggregated_to_customers")),
        dbt.config.get("meta"),
    )
    fitted = fitted_models(rows_of(dbt.ref("int_clv_summaries")), window)
    return for_engine(fitted, session)
