"""BG/NBD, Pareto/NBD and Gamma-Gamma fitted by maximum likelihood on the
calibration summaries: one row per model and parameter, with which
purchase model customer_clv uses and why (clv_choice).

The logic lives in customer_segmentation.clv_tables and .clv.
"""

from customer_segmentation.clv_tables import PurchaseWindow, fitted_models
from customer_segmentation.engine_rows import for_engine, rows_of


def model(dbt, session):
    dbt.config(materialized="table")
    window = PurchaseWindow.of(
        rows_of(dbt.ref("int_transactions_aggregated_to_customers")),
        dbt.config.get("meta"),
    )
    fitted = fitted_models(rows_of(dbt.ref("int_clv_summaries")), window)
    return for_engine(fitted, session)
