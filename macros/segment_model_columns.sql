{% macro segment_model_columns() -%}
    {#- The columns of a published segment model row (segment_model,
        segment_model_history and their staging view), in order;
        schemas.SEGMENT_MODEL_SCHEMA lists the same (a test checks). -#}
    model_run_id,
    fitted_at,
    settings_fingerprint,
    data_fingerprint,
    features,
    k,
    k_rule,
    customers_fitted,
    elbow_customers,
    previous_model_run_id,
    cluster_id,
    segment_name,
    cluster_status,
    centroid_shift,
    customers,
    radius,
    mean_distance
{%- endmacro %}

{% macro segment_model_feature_columns() -%}
    {#- The columns of a segment_model_features row, in order;
        schemas.FEATURE_SCHEMA lists the same (a test checks). -#}
    model_run_id,
    cluster_id,
    feature,
    fitted_mean,
    fitted_sd,
    centroid,
    centroid_z
{%- endmacro %}
