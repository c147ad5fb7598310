{#- One row per customer in the lifetime-value calibration (grain:
    customer_id): the "buy till you die" summary x, t_x, T and the mean
    repeat spend, plus the repeat purchases of the holdout when the
    calibration ends before the data do. See the doc block clv_method.

    A purchase is a day: a customer's lines of one day are summed, and a
    later day counts as a repeat purchase when its sum is positive (the
    papers' CDNow convention: the first day starts the customer whatever
    its amount). A table: the fit, the expectations and the marts read it. -#}
{{ config(materialized='table') }}

{%- set calibration_end = var('clv_calibration_end', none) -%}

with

checked_rows as (

    select
        customer_id,
        purchase_date,
        amount
    from {{ ref('int_transaction_rows_checked') }}
    where reject_reason is null and not is_anonymous

),

as_of as (

    select as_of_date from {{ ref('int_rfm_as_of_date_chosen') }}

),

periods as (

    -- the data end the day before the as-of date (RFM's window); a
    -- calibration end set later than that is the data's end
    select
        cast(as_of_date - 1 as date) as holdout_end_date,
        {% if calibration_end -%}
            least(
                cast({{ dbt.string_literal(calibration_end) }} as date),
                cast(as_of_date - 1 as date)
            )
        {%- else -%}
            cast(as_of_date - 1 as date)
        {%- endif %} as calibration_end_date
    from as_of

),

customer_days as (

    select
        checked_rows.customer_id,
        checked_rows.purchase_date,
        sum(checked_rows.amount) as day_amount
    from checked_rows
    cross join periods
    where checked_rows.purchase_date <= periods.holdout_end_date
    group by checked_rows.customer_id, checked_rows.purchase_date

),

first_days as (

    select
        customer_id,
        min(purchase_date) as first_purchase_date
    from customer_days
    group by customer_id

),

calibration_customers as (

    -- a customer whose first day falls after the calibration has no summary
    select
        first_days.customer_id,
        first_days.first_purchase_date,
        periods.calibration_end_date,
        periods.holdout_end_date
    from first_days
    cross join periods
    where first_days.first_purchase_date <= periods.calibration_end_date

),

repeat_days as (

    select
        customer_days.customer_id,
        customer_days.purchase_date,
        customer_days.day_amount,
        customer_days.purchase_date
        <= calibration_customers.calibration_end_date as is_in_calibration
    from customer_days
    inner join calibration_customers
        on customer_days.customer_id = calibration_customers.customer_id
    where
        customer_days.purchase_date > calibration_customers.first_purchase_date
        and customer_days.day_amount > 0

),

summarised as (

    select
        calibration_customers.customer_id,
        calibration_customers.first_purchase_date,
        calibration_customers.calibration_end_date,
        calibration_customers.holdout_end_date,
        count(*) filter (
            where repeat_days.is_in_calibration
        ) as repeat_purchases,
        coalesce(
            max(repeat_days.purchase_date) filter (
                where repeat_days.is_in_calibration
            ),
            calibration_customers.first_purchase_date
        ) as last_purchase_date,
        avg(repeat_days.day_amount) filter (
            where repeat_days.is_in_calibration
        ) as mean_repeat_spend,
        count(*) filter (
            where not repeat_days.is_in_calibration
        ) as holdout_repeat_purchases
    from calibration_customers
    left join repeat_days
        on calibration_customers.customer_id = repeat_days.customer_id
    group by
        calibration_customers.customer_id,
        calibration_customers.first_purchase_date,
        calibration_customers.calibration_end_date,
        calibration_customers.holdout_end_date

),

in_weeks as (

    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        repeat_purchases,
        date_diff('day', first_purchase_date, last_purchase_date)
        / 7.0 as weeks_to_last_purchase,
        date_diff('day', first_purchase_date, calibration_end_date)
        / 7.0 as weeks_observed,
        cast(mean_repeat_spend as double) as mean_repeat_spend,
        -- no holdout when the calibration runs to the end of the data
        case
            when holdout_end_date > calibration_end_date then holdout_end_date
        end as holdout_end_date,
        case
            when holdout_end_date > calibration_end_date
                then holdout_repeat_purchases
        end as holdout_repeat_purchases
    from summarised

)

select * from in_weeks
