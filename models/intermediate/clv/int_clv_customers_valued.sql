{#- One row per customer in the lifetime-value calibration: the summary the
    models read, P(alive), purchases and spend expected, and the discounted
    value over the horizon (see the doc block clv_method). customer_clv
    publishes it, the holdout marts read the evaluation columns too, and
    int_customers_featurized takes clv from it: the one place customers
    meet the expectations of their summary.

    Ephemeral: a join that its readers fuse into their own queries. -#}
{{ config(materialized='ephemeral') }}

with

summaries as (

    select * from {{ ref('int_clv_summaries') }}

),

expectations as (

    select * from {{ ref('int_clv_expectations') }}

),

spend_model as (

    -- one row, empty values when Gamma-Gamma has no converged fit
    select
        max(value) filter (where parameter = 'p') as p,
        max(value) filter (where parameter = 'q') as q,
        max(value) filter (where parameter = 'gamma') as gamma
    from {{ ref('int_clv_models_fitted') }}
    where model = 'gamma_gamma' and converged

),

expected as (

    select
        summaries.*,
        expectations.p_alive,
        expectations.horizon_weeks,
        expectations.expected_purchases,
        expectations.discounted_expected_purchases,
        expectations.expected_holdout_purchases,
        expectations.expected_purchases_to_holdout_end,
        expectations.discounted_residual_purchases,
        expectations.calibration_repeat_probabilities,
        {{ gamma_gamma_spend(
            'spend_model.p', 'spend_model.q', 'spend_model.gamma',
            'summaries.repeat_purchases', 'summaries.mean_repeat_spend',
        ) }}
            as expected_spend
    from summaries
    left join expectations
        on
            summaries.repeat_purchases = expectations.repeat_purchases
            and summaries.weeks_to_last_purchase
            = expectations.weeks_to_last_purchase
            and summaries.weeks_observed = expectations.weeks_observed
    cross join spend_model

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
        discounted_expected_purchases,
        discounted_expected_purchases * expected_spend as clv,
        discounted_residual_purchases * expected_spend as residual_clv,
        holdout_end_date,
        holdout_repeat_purchases,
        expected_purchases_to_holdout_end,
        calibration_repeat_probabilities,
        expected_holdout_purchases
    from expected

)

select * from final
