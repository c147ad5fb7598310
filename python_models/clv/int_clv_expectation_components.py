"""How much each expectation of a distinct calibration summary, from the
purchase model used, moves along each direction of that model's
uncertainty: the components the intervals are summed from.

The logic lives in customer_segmentation.lifetime_value.components.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.lifetime_value.components import expectation_components
from customer_segmentation.lifetime_value.tables import settings_from_meta


def model(dbt, session):
    dbt.config(materialized="table")
    components = expectation_components(
        rows_of(dbt.ref("int_clv_summaries")),
        rows_of(dbt.ref("int_clv_models_fitted")).arrow(),
        rows_of(dbt.ref("int_clv_parameter_shifts")).arrow(),
        settings_from_meta(dbt.config.get("meta")),
    )
    return for_engine(components, session)
