{#- Where the customers of the previous run went: one row per previous and
    current segment pair, for customers present in both runs. -#}

with

previous_segments as (

    select
        customer_id,
        cluster_id,
        segment_name
    from {{ ref('stg_last_publish__customer_segments') }}

),

current_segments as (

    select
        customer_id,
        cluster_id,
        segment_name
    from {{ ref('customer_segments') }}

),

moves as (

    select
        previous_segments.cluster_id as previous_cluster_id,
        previous_segments.segment_name as previous_segment_name,
        current_segments.cluster_id,
        current_segments.segment_name,
        count(*) as customers
    from previous_segments
    inner join current_segments
        on previous_segments.customer_id = current_segments.customer_id
    group by
        previous_segments.cluster_id,
        previous_segments.segment_name,
        current_segments.cluster_id,
        current_segments.segment_name

),

labelled as (

    select
        previous_cluster_id,
        previous_segment_name,
        cluster_id,
        segment_name,
        customers,
        previous_cluster_id = cluster_id as is_same_segment
    from moves

)

select * from labelled
