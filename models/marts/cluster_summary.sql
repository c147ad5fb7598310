with

customer_segments as (

    select
        cluster_id,
        segment_name,
        age,
        annual_income_k,
        spending_score
    from {{ ref('customer_segments') }}

),

per_cluster as (

    select
        cluster_id,
        segment_name,
        count(*) as customers,
        avg(age) as avg_age,
        avg(annual_income_k) as avg_annual_income_k,
        avg(spending_score) as avg_spending_score
    from customer_segments
    group by cluster_id, segment_name

),

summarised as (

    select
        cluster_id,
        segment_name,
        customers,
        customers / sum(customers) over () as customer_share,
        avg_age,
        avg_annual_income_k,
        avg_spending_score,
        -- a ratio of averages, not an average of per-customer ratios
        avg_annual_income_k / avg_spending_score as income_to_spend_ratio
    from per_cluster

)

select * from summarised
