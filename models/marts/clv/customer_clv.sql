{#- One row per customer in the lifetime-value calibration (from
    int_clv_customers_valued; see the doc block clv_method). -#}

with

valued as (

    select * from {{ ref('int_clv_customers_valued') }}

),

final as (

    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        repeat_purchases,
        weeks_to_last_purchase,
        weeks_observed,
        mean_repeat_spend,
        p_alive,
        horizon_weeks,
        expected_purchases,
        expected_spend,
        clv,
        holdout_end_date,
        holdout_repeat_purchases,
        expected_holdout_purchases
    from valued

)

select * from final
