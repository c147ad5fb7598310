{#- Every run the publish folder saved. -#}

with

source as (

    select {{ contract_columns('segment_runs') }}
    from {{ source('last_publish', 'segment_runs') }}

)

select * from source
