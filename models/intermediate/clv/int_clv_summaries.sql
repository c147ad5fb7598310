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
    where
        reject_reason is null and not is_anonymous
        -- var lifetime_value false: nothing read, every CLV table empty
        and {{ 'true' if var('lifetime_value') else 'false' }}

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

per_customer as (

    -- one pass over the customer-days: the first day, and the positive days
    -- of the calibration and of the holdout; the first day is taken back
    -- out below (it starts the customer, it is not a repeat purchase)
    select
        customer_days.customer_id,
        min(customer_days.purchase_date) as first_purchase_date,
        min_by(customer_days.day_amount, customer_days.purchase_date)
            as first_day_amount,
        any_value(periods.calibration_end_date) as calibration_end_date,
        any_value(periods.holdout_end_date) as holdout_end_date,
        count(*) filter (
            where
            customer_days.day_amount > 0
            and customer_days.purchase_date <= periods.calibration_end_date
        ) as positive_days,
        max(customer_days.purchase_date) filter (
            where
            customer_days.day_amount > 0
            and customer_days.purchase_date <= periods.calibration_end_date
        ) as last_positive_date,
        sum(customer_days.day_amount) filter (
            where
            customer_days.day_amount > 0
            and customer_days.purchase_date <= periods.calibration_end_date
        ) as positive_amount,
        count(*) filter (
            where
            customer_days.day_amount > 0
            and customer_days.purchase_date > periods.calibration_end_date
        ) as holdout_repeat_purchases
    from customer_days
    cross join periods
    group by customer_days.customer_id

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
