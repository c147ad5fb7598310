{% macro segment_model_columns() -%}
    {#- The columns of a segment model row, in order: listed once for the
        segment_model and segment_model_history marts, which must match. -#}
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
    mean_distance,
    {% for feature in clustering_features() -%}
        {{ feature }}_mean,
        {{ feature }}_sd,
        {{ feature }}_centroid,
        {{ feature }}_centroid_z{{ ',' if not loop.last }}
    {% endfor %}
{%- endmacro %}
