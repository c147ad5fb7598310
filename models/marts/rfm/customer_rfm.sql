{#- One row per customer who bought: recency, frequency, monetary value,
    their scores and named segment (from int_transactions_aggregated_to_customers). -#}

with

behaviour as (

    select * from {{ ref('int_transactions_aggregated_to_customers') }}

),

final as (

    select
        customer_id,
        as_of_date,
        first_purchase_date,
        last_purchase_date,
        recency_days,
        frequency,
        monetary,
        avg_order_value,
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_segment,
        spending_score
    from behaviour

)

select * from final
