"""Each fitted model's parameters a step up and a step down along the
directions of their uncertainty: what the intervals of the lifetime-value
figures are read from.

The logic lives in customer_segmentation.lifetime_value.components.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.lifetime_value.components import parameter_shifts


def model(dbt, session):
    dbt.config(materialized="table")
    shifts = parameter_shifts(rows_of(dbt.ref("int_clv_models_fitted")).arrow())
    return for_engine(shifts, session)
