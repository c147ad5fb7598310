{#- Clean customers with the derived features: age band (from the age_bands
    seed, so users can change the bands) and income-to-spend ratio. -#}

{#- A table, not a view: the clustering, the scoring, the marts and their
    tests all read it. -#}
{{ config(materialized='table') }}

with

customers as (

    select * from {{ ref('int_customers_cleaned') }}

),

age_bands as (

    select
        age_band,
        age_band_order,
        min_age,
        max_age
    from {{ ref('age_bands') }}

),

band_of_age as (

    -- one row per whole age a band covers (ages are whole numbers by now),
    -- so each customer finds its band by an equality join: a range join
    -- costs seconds per ten million customers
    select
        unnest(range(min_age, max_age + 1)) as age,
        age_band,
        age_band_order
    from age_bands

),

banded as (

    select
        customers.customer_id,
        customers.gender,
        customers.age,
        band_of_age.age_band,
        band_of_age.age_band_order,
        customers.annual_income_k,
        customers.spending_score
    from customers
    left join band_of_age
        on customers.age = band_of_age.age

),

with_ratio as (

    select
        *,
        -- k$ of income per spending-score point; a zero score (rejected
        -- upstream) would give null, not an error
        annual_income_k / nullif(spending_score, 0) as income_to_spend_ratio
    from banded

)

select * from with_ratio
