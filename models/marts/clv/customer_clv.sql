{#- One row per customer in the lifetime-value calibration (from
    int_clv_customers_valued; see the doc block clv_method). -#}

with

valued as (

    select * from {{ ref('int_clv_customers_valued') }}

),

components as (

    select * from {{ ref('int_clv_value_components') }}

),

log_half_widths as (

    -- each component over its figure, so the sum keeps its digits for a
    -- customer whose figures are tiny; a figure's interval needs every
    -- model it depends on to have directions (without Gamma-Gamma's the
    -- value's would be too narrow)
    select
        components.customer_id,
        case
            when bool_or(components.model != 'gamma_gamma')
                then sqrt({{ order_free_sum(
                    'power(components.expected_purchases'
                    ' / nullif(valued.expected_purchases, 0), 2)'
                ) }})
        end as expected_purchases,
        case
            when
                bool_or(components.model != 'gamma_gamma')
                and bool_or(components.model = 'gamma_gamma')
                then sqrt({{ order_free_sum(
                    'power(components.clv / nullif(valued.clv, 0), 2)'
                ) }})
        end as clv
    from components
    inner join valued
        on components.customer_id = valued.customer_id
    group by components.customer_id

),

bounded as (

    select
        valued.*,
        {{ interval_bound(
            'valued.expected_purchases',
            'log_half_widths.expected_purchases', 'low',
        ) }} as expected_purchases_low,
        {{ interval_bound(
            'valued.expected_purchases',
            'log_half_widths.expected_purchases', 'high',
        ) }} as expected_purchases_high,
        {{ interval_bound('valued.clv', 'log_half_widths.clv', 'low') }}
            as clv_low,
        {{ interval_bound('valued.clv', 'log_half_widths.clv', 'high') }}
            as clv_high
    from valued
    left join log_half_widths
        on valued.customer_id = log_half_widths.customer_id

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
