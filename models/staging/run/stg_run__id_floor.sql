{#- The highest ids the publish folder's manifest vouches for: one row. -#}

with

source as (

    select
        run_id,
        model_run_id,
        cluster_id
    from {{ source('run', 'id_floor') }}

)

select * from source
