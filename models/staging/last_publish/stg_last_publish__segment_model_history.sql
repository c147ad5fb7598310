{#- Every model run the publish folder saved, one row per segment. -#}

with

source as (

    select {{ segment_model_columns() }}
    from {{ source('last_publish', 'segment_model_history') }}

)

select * from source
