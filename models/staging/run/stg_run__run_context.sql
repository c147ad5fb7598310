{#- How `segments run` asked this run to proceed: one row. -#}

with

source as (

    select
        model_mode,
        model_mode_reason
    from {{ source('run', 'run_context') }}

)

select * from source
