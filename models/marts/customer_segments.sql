{#- A view: int_customers_scored already holds these columns, and copying
    ten million rows into a second table would only cost time. -#}
{{ config(materialized='view') }}

with

segmented as (

    select
        customer_id,
        gender,
        age,
        age_band,
        annual_income_k,
        spending_score,
        income_to_spend_ratio,
        cluster_id,
        segment_name
    from {{ ref('int_customers_scored') }}

)

select * from segmented
