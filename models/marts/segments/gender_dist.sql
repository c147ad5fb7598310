with

customer_segments as (

    select
        cluster_id,
        segment_name,
        gender
    from {{ ref('customer_segments') }}

),

per_gender as (

    select
        cluster_id,
        segment_name,
        gender,
        count(*) as customers
    from customer_segments
    group by cluster_id, segment_name, gender

),

with_share as (

    select
        cluster_id,
        segment_name,
        gender,
        customers,
        customers
        / sum(customers) over (partition by cluster_id) as share_of_segment
    from per_gender

)

select * from with_share
