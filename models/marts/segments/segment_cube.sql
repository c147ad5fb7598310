{#- Additive totals per segment x gender x age band: every average is a
    total divided by the customers with a value (avg() skips empty values,
    and buyers without a customer record have no age or income), so any
    slice of the cube re-aggregates exactly. A few hundred rows whatever the number of customers, which is
    what Power BI imports as an aggregation over the customer table. -#}

with

customer_segments as (

    select
        cluster_id,
        gender,
        age_band,
        age,
        annual_income_k,
        spending_score,
        recency_days,
        frequency,
        monetary,
        p_alive,
        clv,
        is_outlier
    from {{ ref('customer_segments') }}

),

per_cell as (

    select
        cluster_id,
        gender,
        age_band,
        count(*) as customers,
        cast(sum(age) as {{ dbt.type_bigint() }}) as total_age,
        count(age) as customers_with_age,
        sum(annual_income_k) as total_annual_income_k,
        count(annual_income_k) as customers_with_annual_income_k,
        cast(sum(spending_score) as {{ dbt.type_bigint() }})
            as total_spending_score,
        count(spending_score) as customers_with_spending_score,
        cast(sum(recency_days) as {{ dbt.type_bigint() }})
            as total_recency_days,
        count(recency_days) as customers_with_recency_days,
        cast(sum(frequency) as {{ dbt.type_bigint() }}) as total_frequency,
        count(frequency) as customers_with_frequency,
        sum(monetary) as total_monetary,
        sum(p_alive) as total_p_alive,
        count(p_alive) as customers_with_p_alive,
        sum(clv) as total_clv,
        count(clv) as customers_with_clv,
        count(*) filter (where is_outlier) as outliers
    from customer_segments
    group by cluster_id, gender, age_band

)

select * from per_cell
