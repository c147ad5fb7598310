{%- set new_run = ref('int_segment_models_filtered_to_new_run') -%}

{#- Every model run's feature values, one row per segment and feature: the
    saved ones, plus this run's when this run fitted a model. -#}

with

saved_runs as (

    select {{ contract_columns('segment_model_features') }}
    from {{ ref('stg_last_publish__segment_model_features') }}

),

new_run as (

    {{ unpivot_segment_features(new_run) }}

),

feature_rows as (

    select * from saved_runs
    union all
    select * from new_run

)

select * from feature_rows
