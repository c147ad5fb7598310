{#- Every model run the publish folder saved, one row per segment. -#}

with

source as (

    select {{ contract_columns('segment_model_history') }}
    from {{ source('last_publish', 'segment_model_history') }}

)

select * from source
