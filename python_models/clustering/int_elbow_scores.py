"""Elbow curve: inertia and quality metrics for every candidate k, k chosen."""

from customer_segmentation.settings import parse_settings
from customer_segmentation.tables import elbow_table, read_features


def model(dbt, session):
    dbt.config(materialized="table")
    settings = parse_settings(dbt.config.get("meta"))
    customers = read_features(dbt.ref("int_customers_featurized"), settings.features)
    return elbow_table(customers, settings)
