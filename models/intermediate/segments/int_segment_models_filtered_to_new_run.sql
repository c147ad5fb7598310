{#- The model run this run fitted, in int_segment_model_selected's shape
    (one row per segment, four columns per feature); no rows in a scoring
    run, whose model is the latest saved run, already in the history. -#}

with

this_run as (

    select * from {{ ref('int_segment_model_selected') }}

),

saved_runs as (

    select model_run_id
    from {{ ref('stg_last_publish__segment_model_history') }}

),

latest_saved_run as (

    select coalesce(max(model_run_id), 0) as model_run_id
    from saved_runs

),

new_run as (

    -- every column of int_segment_model_selected, whatever the features
    select this_run.*
    from this_run
    cross join latest_saved_run
    where this_run.model_run_id > latest_saved_run.model_run_id

)

select * from new_run  -- noqa: AM04
