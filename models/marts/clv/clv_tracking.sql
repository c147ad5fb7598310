{#- Repeat purchases week by week, from the first customer's first purchase
    to the data's end: what happened against what the purchase model used expected, each
    week and cumulatively (see the doc block clv_tracking). Empty without a
    usable purchase model. -#}

with

expected as (

    select * from {{ ref('int_clv_tracking_expected') }}

),

summaries as (

    select * from {{ ref('int_clv_summaries') }}

),

customer_days as (

    select * from {{ ref('int_clv_customer_days') }}

),

cohort_start as (

    select min(first_purchase_date) as start_date from summaries

),

calibration as (

    select max(calibration_end_date) as calibration_end_date from summaries

),

repeat_days as (

    -- the calibration's customers' positive days after their first: the
    -- purchases x and the holdout's repeat purchases count
    select customer_days.purchase_date
    from customer_days
    inner join summaries
        on customer_days.customer_id = summaries.customer_id
    where
        customer_days.purchase_date > summaries.first_purchase_date
        and customer_days.day_amount > 0

),

weekly_actual as (

    select
        cast(
            floor(
                {{ dbt.datediff(
                    "cohort_start.start_date", "repeat_days.purchase_date", "day"
                ) }} / 7
            ) as integer
        ) + 1 as week_number,
        count(*) as actual_repeat_purchases
    from repeat_days
    cross join cohort_start
    group by 1

),

final as (

    select
        expected.week_number,
        expected.week_start_date,
        expected.week_end_date,
        expected.week_end_date > calibration.calibration_end_date
            as is_holdout,
        cast(coalesce(weekly_actual.actual_repeat_purchases, 0) as bigint)
            as actual_repeat_purchases,
        cast(
            sum(coalesce(weekly_actual.actual_repeat_purchases, 0)) over (
                order by expected.week_number
                rows between unbounded preceding and current row
            ) as bigint
        ) as actual_cumulative_repeat_purchases,
        expected.expected_cumulative_repeat_purchases
        - coalesce(
            lag(expected.expected_cumulative_repeat_purchases) over (
                order by expected.week_number
            ),
            0
        ) as expected_repeat_purchases,
        expected.expected_cumulative_repeat_purchases,
        expected.expected_cumulative_low,
        expected.expected_cumulative_high
    from expected
    cross join calibration
    left join weekly_actual
        on expected.week_number = weekly_actual.week_number

)

select * from final
