{#- One row when the calibration ends before the data do: how the
    forecast of the holdout compares with what happened. Empty without a
    holdout (see the doc block clv_method). -#}

with

customers as (

    select
        calibration_end_date,
        holdout_end_date,
        repeat_purchases,
        holdout_repeat_purchases,
        expected_holdout_purchases,
        -- purchases expected from the first purchase to the holdout's end,
        -- unconditionally: the cumulative tracking
        expected_purchases_to_holdout_end
    from {{ ref('int_clv_customers_valued') }}
    where
        holdout_end_date is not null
        and expected_purchases_to_holdout_end is not null

),

total_components as (

    -- the totals' components: their customers' summed before squaring
    select
        model,
        direction,
        {{ order_free_sum('expected_holdout_purchases') }} as holdout,
        {{ order_free_sum('expected_purchases_to_holdout_end') }} as cumulative
    from {{ ref('int_clv_value_components') }}
    where model != 'gamma_gamma'
    group by model, direction

),

half_widths as (

    select
        sqrt({{ order_free_sum('holdout * holdout') }}) as holdout_half_width,
        sqrt({{ order_free_sum('cumulative * cumulative') }})
            as cumulative_half_width
    from total_components
    having count(*) > 0

),

histogram as (

    select
        sum(
            (customers - predicted_customers)
            * (customers - predicted_customers)
            / predicted_customers
        ) as histogram_chi_square
    from {{ ref('clv_holdout') }}

),

totals as (

    select
        any_value(calibration_end_date) as calibration_end_date,
        any_value(holdout_end_date) as holdout_end_date,
        cast(
            {{ dbt.datediff(
                "any_value(calibration_end_date)",
                "any_value(holdout_end_date)",
                "day",
            ) }} as double
        ) / 7 as holdout_weeks,
        count(*) as customers,
        cast(sum(repeat_purchases) as bigint)
            as calibration_repeat_purchases,
        cast(sum(holdout_repeat_purchases) as bigint)
            as actual_holdout_purchases,
        sum(expected_holdout_purchases) as predicted_holdout_purchases,
        corr(expected_holdout_purchases, holdout_repeat_purchases)
            as holdout_correlation,
        sum(expected_purchases_to_holdout_end)
            as predicted_cumulative_repeat_purchases,
        cast(sum(repeat_purchases + holdout_repeat_purchases) as bigint)
            as actual_cumulative_repeat_purchases
    from customers
    having count(*) > 0

),

final as (

    select
        totals.calibration_end_date,
        totals.holdout_end_date,
        totals.holdout_weeks,
        totals.customers,
        totals.calibration_repeat_purchases,
        totals.actual_holdout_purchases,
        totals.predicted_holdout_purchases,
        {{ interval_bound(
            'totals.predicted_holdout_purchases',
            'half_widths.holdout_half_width'
            ' / nullif(totals.predicted_holdout_purchases, 0)', 'low',
        ) }} as predicted_holdout_purchases_low,
        {{ interval_bound(
            'totals.predicted_holdout_purchases',
            'half_widths.holdout_half_width'
            ' / nullif(totals.predicted_holdout_purchases, 0)', 'high',
        ) }} as predicted_holdout_purchases_high,
        totals.holdout_correlation,
        totals.actual_cumulative_repeat_purchases,
        totals.predicted_cumulative_repeat_purchases,
        {{ interval_bound(
            'totals.predicted_cumulative_repeat_purchases',
            'half_widths.cumulative_half_width'
            ' / nullif(totals.predicted_cumulative_repeat_purchases, 0)', 'low',
        ) }} as predicted_cumulative_repeat_purchases_low,
        {{ interval_bound(
            'totals.predicted_cumulative_repeat_purchases',
            'half_widths.cumulative_half_width'
            ' / nullif(totals.predicted_cumulative_repeat_purchases, 0)', 'high',
        ) }} as predicted_cumulative_repeat_purchases_high,
        totals.predicted_cumulative_repeat_purchases
        / totals.actual_cumulative_repeat_purchases
        - 1 as cumulative_tracking_error,
        histogram.histogram_chi_square
    from totals
    cross join histogram
    left join half_widths on true

)

select * from final
