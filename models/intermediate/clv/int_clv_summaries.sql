{#- One row per customer in the lifetime-value calibration (grain:
    customer_id): the "buy till you die" summary x, t_x, T and the mean
    repeat spend, plus the repeat purchases of the holdout when the
    calibration ends before the data do. See the doc block clv_method.

    A purchase is a day: a customer's lines of one day are summed, and a
    later day counts as a repeat purchase when its sum is positive (the
    papers' CDNow convention: the first day starts the customer whatever
    its amount). A table: the fit, the expectations and the marts read it. -#}
{{ config(materialized='table') }}

with

customer_days as (

    select * from {{ ref('int_clv_customer_days') }}

),

per_customer as (

    -- one pass over the customer-days: the first day, and the positive days
    -- of the calibration and of the holdout; the first day is taken back
    -- out below (it starts the customer, it is not a repeat purchase)
    select
        customer_id,
        min(purchase_date) as first_purchase_date,
        min_by(day_amount, purchase_date)
            as first_day_amount,
        any_value(calibration_end_date) as calibration_end_date,
        any_value(holdout_end_date) as holdout_end_date,
        count(*) filter (
            where
            day_amount > 0
            and purchase_date <= calibration_end_date
        ) as positive_days,
        max(purchase_date) filter (
            where
            day_amount > 0
            and purchase_date <= calibration_end_date
        ) as last_positive_date,
        sum(day_amount) filter (
            where
            day_amount > 0
            and purchase_date <= calibration_end_date
        ) as positive_amount,
        count(*) filter (
            where
            day_amount > 0
            and purchase_date > calibration_end_date
        ) as holdout_repeat_purchases
    from customer_days
    group by customer_id

),

summarised as (

    -- a customer whose first day falls after the calibration has no summary
    select
        customer_id,
        first_purchase_date,
        calibration_end_date,
        holdout_end_date,
        positive_days - cast(first_day_amount > 0 as integer)
            as repeat_purchases,
        greatest(
            coalesce(last_positive_date, first_purchase_date),
            first_purchase_date
        ) as last_purchase_date,
        (
            coalesce(positive_amount, 0)
            - case when first_day_amount > 0 then first_day_amount else 0 end
        )
        / nullif(positive_days - cast(first_day_amount > 0 as integer), 0)
            as mean_repeat_spend,
        holdout_repeat_purchases
    from per_customer
    where first_purchase_date <= calibration_end_date

),

in_weeks as (

    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        repeat_purchases,
        cast(
            {{ dbt.datediff(
                "first_purchase_date", "last_purchase_date", "day"
            ) }}
            as double
        ) / 7 as weeks_to_last_purchase,
        cast(
            {{ dbt.datediff(
                "first_purchase_date", "calibration_end_date", "day"
            ) }}
            as double
        ) / 7 as weeks_observed,
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
