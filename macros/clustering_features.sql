{% macro clustering_features() -%}
    {#- Every feature a segment model can cluster on: settings.KNOWN_FEATURES,
        the home of the list. The segment model's columns (one group per
        feature) follow it in SQL as in schemas.MODEL_SCHEMA, and a test
        checks the segment_model contract against that schema. -#}
    {{ return([
        'annual_income_k', 'spending_score', 'age', 'income_to_spend_ratio',
        'log_recency_days', 'log_frequency', 'log_monetary',
    ]) }}
{%- endmacro %}
