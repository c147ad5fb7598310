"""How much each expectation of a distinct calibration summary, from the
purchase model used, moves along each direction of that model's
uncertainty: the components the intervals are summed from.

The logic lives in customer_segmentation.clv_components.
"""

from customer_segmentation.clv_components import expectation_components
from customer_segmentation.clv_tables import settings_from_meta
from customer_segmentation.engine_rows import for_engine, rows_of


def model(dbt, session):
    dbt.config(materialized="table")
    components = expectation_components(
        rows_of(dbt.ref("int_clv_summaries")),
        rows_of(dbt.ref("int_clv_models_fitted")).arrow(),
        rows_of(dbt.ref("int_clv_parameter_shifts")).arrow(),
        settings_from_meta(dbt.config.get("meta")),
    )
    return for_engine(components, session)
