{#- Each customer's segment as last published. -#}

with

source as (

    select
        customer_id,
        cluster_id,
        segment_name
    from {{ source('last_publish', 'customer_segments') }}

)

select * from source
