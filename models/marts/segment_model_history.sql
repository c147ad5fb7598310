{#- Every model run of this publish folder, retired segments included: the
    saved history, plus this run's model when this run fitted one. -#}

with

saved_runs as (

    select {{ segment_model_columns() }}
    from {{ source('last_publish', 'segment_model_history') }}

),

this_run as (

    select {{ segment_model_columns() }}
    from {{ ref('int_segment_model') }}

),

latest_saved_run as (

    select coalesce(max(model_run_id), 0) as model_run_id
    from saved_runs

),

new_run as (

    -- a scoring run's model is the latest saved run, already in the history
    select this_run.*
    from this_run
    cross join latest_saved_run
    where this_run.model_run_id > latest_saved_run.model_run_id

),

history as (

    select * from saved_runs
    union all
    select * from new_run

)

select * from history
