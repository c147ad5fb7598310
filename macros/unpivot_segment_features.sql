{% macro unpivot_segment_features(relation) -%}
    {#- The wide model rows of int_segment_model_selected (four columns per declared
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
