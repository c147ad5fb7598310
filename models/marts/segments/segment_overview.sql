with

customer_segments as (

    select
        cluster_id,
        gender,
        annual_income_k,
        spending_score
    from {{ ref('customer_segments') }}

),

overview as (

    select
        count(*) as customers,
        count(distinct cluster_id) as segments,
        avg(annual_income_k) as avg_annual_income_k,
        avg(spending_score) as avg_spending_score,
        -- a ratio of averages, as in cluster_summary
        avg(annual_income_k) / avg(spending_score) as income_to_spend_ratio,
        avg(case when gender = 'Female' then 1 else 0 end) as female_share,
        avg(case when gender = 'Male' then 1 else 0 end) as male_share
    from customer_segments

)

select * from overview
