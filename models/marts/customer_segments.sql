with

customers as (

    select
        customer_id,
        gender,
        age,
        age_band,
        annual_income_k,
        spending_score,
        income_to_spend_ratio
    from {{ ref('int_customers_featurized') }}

),

clusters as (

    select
        customer_id,
        cluster_id,
        segment_name
    from {{ ref('int_customers_clustered') }}

),

segmented as (

    select
        customers.customer_id,
        customers.gender,
        customers.age,
        customers.age_band,
        customers.annual_income_k,
        customers.spending_score,
        customers.income_to_spend_ratio,
        clusters.cluster_id,
        clusters.segment_name
    from customers
    inner join clusters
        on customers.customer_id = clusters.customer_id

)

select * from segmented
