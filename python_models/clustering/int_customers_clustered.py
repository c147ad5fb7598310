"""Each clean customer's cluster id (ordered by centroid) and segment name."""

from customer_segmentation.settings import parse_settings
from customer_segmentation.tables import chosen_k, read_features, segments_table


def model(dbt, session):
    dbt.config(materialized="table")
    settings = parse_settings(dbt.config.get("meta"))
    k = chosen_k(dbt.ref("int_elbow_scores").fetch_arrow_table())
    customers = read_features(dbt.ref("int_customers_featurized"), settings.features)
    return segments_table(customers, k, settings)
