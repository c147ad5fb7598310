{#- Every run the publish folder saved. -#}

with

source as (

    select {{ segment_runs_columns() }}
    from {{ source('last_publish', 'segment_runs') }}

)

select * from source
