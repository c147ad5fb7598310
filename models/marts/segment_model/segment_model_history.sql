{#- Every model run of this publish folder, retired segments included: the
    saved history, plus this run's model when this run fitted one. -#}

with

saved_runs as (

    select {{ contract_columns('segment_model_history') }}
    from {{ ref('stg_last_publish__segment_model_history') }}

),

new_run as (

    select {{ contract_columns('segment_model_history') }}
    from {{ ref('int_segment_models_filtered_to_new_run') }}

),

history as (

    select * from saved_runs
    union all
    select * from new_run

)

select * from history
