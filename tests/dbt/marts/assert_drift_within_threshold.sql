{#- Warns (does not fail) when this run's customers sit farther from their
    centroids than max_drift_ratio times the distance at fit: the model may
    no longer describe them, and `segments run` then suggests `make refit`. -#}
{{ config(severity='warn') }}

with

runs as (

    select
        run_id,
        drift_ratio
    from {{ ref('segment_runs') }}

),

latest_run as (

    select max(run_id) as run_id
    from runs

),

this_run as (

    select runs.*
    from runs
    inner join latest_run
        on runs.run_id = latest_run.run_id

)

select
    run_id,
    drift_ratio
from this_run
where drift_ratio > {{ var('max_drift_ratio') }}
