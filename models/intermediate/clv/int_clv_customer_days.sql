{#- One row per customer and purchase day in the lifetime-value window
    (grain: customer_id, purchase_date): a customer's lines of one day
    summed, to the data's end, with the calibration's and the holdout's last
    days. The one home of "a purchase is a day" for int_clv_summaries and
    the weekly tracking (clv_tracking). See the doc block clv_method. -#}

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

final as (

    select
        customer_days.customer_id,
        customer_days.purchase_date,
        customer_days.day_amount,
        periods.calibration_end_date,
        periods.holdout_end_date
    from customer_days
    cross join periods

)

select * from final
