{#- One row per run of this publish folder, fit or score: which model scored
    it, why, and how far the customers have drifted from it. -#}

with

run_context as (

    select
        model_mode,
        model_mode_reason
    from {{ ref('stg_run__run_context') }}

),

id_floor as (

    select run_id from {{ ref('stg_run__id_floor') }}

),

saved_runs as (

    select {{ contract_columns('segment_runs') }}
    from {{ ref('stg_last_publish__segment_runs') }}

),

model_run as (

    select
        model_run_id,
        sum(mean_distance * customers) / sum(customers) as mean_distance_at_fit,
        -- empty on a first fit: there is nothing to shift from
        avg(centroid_shift) as mean_centroid_shift
    from {{ ref('segment_model') }}
    group by model_run_id

),

scores as (

    select
        count(*) as customers,
        count(*) filter (where is_outlier) as outliers,
        avg(distance_to_centroid) as mean_distance_now
    from {{ ref('customer_segments') }}

),

migration as (

    select
        cast(
            coalesce(sum(customers), 0) as {{ dbt.type_bigint() }}
        ) as customers_in_both_runs,
        cast(
            coalesce(sum(customers) filter (where not is_same_segment), 0)
            as {{ dbt.type_bigint() }}
        ) as customers_changed_segment
    from {{ ref('segment_migration') }}

),

this_run as (

    select
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
            as run_at,
        run_context.model_mode,
        run_context.model_mode_reason,
        model_run.model_run_id,
        scores.customers,
        scores.outliers,
        migration.customers_in_both_runs,
        migration.customers_changed_segment,
        migration.customers_changed_segment
        / nullif(migration.customers_in_both_runs, 0) as changed_segment_share,
        model_run.mean_distance_at_fit,
        scores.mean_distance_now,
        scores.mean_distance_now
        / nullif(model_run.mean_distance_at_fit, 0) as drift_ratio,
        model_run.mean_centroid_shift
    from model_run
    cross join scores
    cross join migration
    cross join run_context

),

highest_saved_run as (

    select coalesce(max(run_id), 0) as run_id
    from saved_runs

),

next_run_id as (

    -- past the manifest's floor too: a deleted segment_runs file never
    -- makes a run id go back
    select
        greatest(
            highest_saved_run.run_id, coalesce(max(id_floor.run_id), 0)
        ) + 1 as run_id
    from highest_saved_run
    left join id_floor on true
    group by highest_saved_run.run_id

),

numbered as (

    select
        next_run_id.run_id,
        this_run.*
    from this_run
    cross join next_run_id

),

runs as (

    select * from saved_runs
    union all
    select {{ contract_columns('segment_runs') }}
    from numbered

)

select * from runs
