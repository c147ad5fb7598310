{#- One row per customer in the lifetime-value calibration (from
    int_clv_customers_valued; see the doc block clv_method). -#}

with

valued as (

    select * from {{ ref('int_clv_customers_valued') }}

),

components as (

    select * from {{ ref('int_clv_value_components') }}

),

half_widths as (

    -- a figure's interval needs every model it depends on to have
    -- directions: without Gamma-Gamma's the value's would be too narrow
    select
        customer_id,
        case
            when bool_or(model = 'bg_nbd')
                then sqrt(sum(expected_purchases * expected_purchases))
        end as expected_purchases_half_width,
        case
            when bool_or(model = 'bg_nbd') and bool_or(model = 'gamma_gamma')
                then sqrt(sum(clv * clv))
        end as clv_half_width
    from components
    group by customer_id

),

bounded as (

    select
        valued.*,
        {{ interval_bound(
            'valued.expected_purchases',
            'half_widths.expected_purchases_half_width', 'low',
        ) }} as expected_purchases_low,
        {{ interval_bound(
            'valued.expected_purchases',
            'half_widths.expected_purchases_half_width', 'high',
        ) }} as expected_purchases_high,
        {{ interval_bound('valued.clv', 'half_widths.clv_half_width', 'low') }}
            as clv_low,
        {{ interval_bound('valued.clv', 'half_widths.clv_half_width', 'high') }}
            as clv_high
    from valued
    left join half_widths
        on valued.customer_id = half_widths.customer_id

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
        expected_purchases_low,
        expected_purchases_high,
        expected_spend,
        clv,
        clv_low,
        clv_high,
        residual_clv,
        holdout_end_date,
        holdout_repeat_purchases,
        expected_holdout_purchases
    from bounded

)

select * from final
