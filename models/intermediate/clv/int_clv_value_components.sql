{#- One row per customer in the lifetime-value calibration and direction of
    the parameters' uncertainty (grain: customer_id, model, direction): how
    much each of the customer's figures moves along it (see the doc block
    clv_intervals). customer_clv squares and sums them per customer; the
    segment and holdout totals sum them over their customers first.

    A view: three marts read it, and writing its rows (seven per customer)
    cost more than their three reads (10M order lines). -#}
{{ config(materialized='view') }}

with

valued as (

    select
        customer_id,
        repeat_purchases,
        weeks_to_last_purchase,
        weeks_observed,
        mean_repeat_spend,
        expected_spend,
        discounted_expected_purchases
    from {{ ref('int_clv_customers_valued') }}

),

purchase_components as (

    select * from {{ ref('int_clv_expectation_components') }}

),

spend_shifts as (

    -- Gamma-Gamma's parameters a step either side of each direction
    select
        direction,
        max(step) as step,
        max(value_up) filter (where parameter = 'p') as p_up,
        max(value_up) filter (where parameter = 'q') as q_up,
        max(value_up) filter (where parameter = 'gamma') as gamma_up,
        max(value_down) filter (where parameter = 'p') as p_down,
        max(value_down) filter (where parameter = 'q') as q_down,
        max(value_down) filter (where parameter = 'gamma') as gamma_down
    from {{ ref('int_clv_parameter_shifts') }}
    where model = 'gamma_gamma'
    group by direction

),

along_purchases as (

    -- the purchase model used moves the purchases; the value moves with
    -- them at the spend
    select
        valued.customer_id,
        purchase_components.model,
        purchase_components.direction,
        purchase_components.expected_purchases,
        purchase_components.discounted_expected_purchases
        * valued.expected_spend as clv,
        purchase_components.expected_holdout_purchases,
        purchase_components.expected_purchases_to_holdout_end
    from valued
    inner join purchase_components
        on
            valued.repeat_purchases = purchase_components.repeat_purchases
            and valued.weeks_to_last_purchase
            = purchase_components.weeks_to_last_purchase
            and valued.weeks_observed = purchase_components.weeks_observed

),

along_spend as (

    -- Gamma-Gamma moves the spend, not the purchases
    select
        valued.customer_id,
        'gamma_gamma' as model,  -- noqa: RF04
        spend_shifts.direction,
        0.0 as expected_purchases,
        valued.discounted_expected_purchases
        * (
            {{ gamma_gamma_spend(
                'spend_shifts.p_up', 'spend_shifts.q_up',
                'spend_shifts.gamma_up', 'valued.repeat_purchases',
                'valued.mean_repeat_spend',
            ) }}
            - {{ gamma_gamma_spend(
                'spend_shifts.p_down', 'spend_shifts.q_down',
                'spend_shifts.gamma_down', 'valued.repeat_purchases',
                'valued.mean_repeat_spend',
            ) }}
        )
        / (2 * spend_shifts.step) as clv,
        0.0 as expected_holdout_purchases,
        0.0 as expected_purchases_to_holdout_end
    from valued
    cross join spend_shifts

),

final as (

    select * from along_purchases
    union all
    select * from along_spend

)

select * from final
