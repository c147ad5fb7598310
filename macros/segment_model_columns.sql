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

{% macro unpivot_segment_features(relation) -%}
    {#- The wide model rows of int_segment_model (four columns per declared
        feature) as segment_model_features rows: one per segment and feature
        the model uses (a feature it does not use has no centroid). -#}
    {%- for feature in segment_feature_names() %}
        select
            model_run_id,
            cluster_id,
            '{{ feature }}' as feature,
            {{ feature }}_mean as fitted_mean,
            {{ feature }}_sd as fitted_sd,
            {{ feature }}_centroid as centroid,
            {{ feature }}_centroid_z as centroid_z
        from {{ relation }}
        where {{ feature }}_centroid_z is not null
        {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
