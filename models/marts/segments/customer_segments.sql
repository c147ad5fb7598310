{#- The one customer-grain table: int_customers_scored (a view) is computed
    once, here, as rows are inserted and checked by the contract's
    constraints; every other mart reads this table. -#}

with

scored as (

    select
        customer_id,
        gender,
        age,
        age_band,
        annual_income_k,
        spending_score,
        income_to_spend_ratio,
        recency_days,
        frequency,
        monetary,
        p_alive,
        expected_purchases,
        clv,
        rfm_segment,
        cluster_id,
        segment_name,
        distance_to_centroid,
        is_outlier
    from {{ ref('int_customers_scored') }}

)

select * from scored
