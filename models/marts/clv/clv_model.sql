{#- One row per lifetime-value model and parameter, with the model's fit
    (see the doc block clv_method). -#}

with

fitted as (

    select * from {{ ref('int_clv_models_fitted') }}

),

calibration as (

    -- a calibration end before the first purchase leaves no summary: the
    -- var, as given, is the calibration end the unfitted rows speak of
    {%- set calibration_end = var('clv_calibration_end', none) %}
    select
        coalesce(
            max(calibration_end_date)
            {%- if calibration_end %},
            cast({{ dbt.string_literal(calibration_end) }} as date)
            {%- endif %}
        ) as calibration_end_date
    from {{ ref('int_clv_summaries') }}

),

spend_frequency as (

    -- Gamma-Gamma assumes a customer's spend per purchase has nothing to
    -- do with how often they buy: the repeat buyers' correlation of the two,
    -- to 6 decimals (a parallel sum in another order differs in its last bit)
    select
        round(
            corr(cast(repeat_purchases as double), mean_repeat_spend), 6
        ) as spend_frequency_correlation
    from {{ ref('int_clv_summaries') }}
    where repeat_purchases > 0 and mean_repeat_spend > 0

),

final as (

    select
        fitted.model,
        fitted.parameter,
        fitted.value,
        fitted.standard_error,
        fitted.interval_low,
        fitted.interval_high,
        fitted.log_likelihood,
        fitted.customers,
        fitted.converged,
        fitted.fit_problem,
        fitted.is_used_in_clv,
        fitted.holdout_squared_error,
        fitted.model_choice,
        calibration.calibration_end_date,
        case
            when fitted.model = 'gamma_gamma'
                then spend_frequency.spend_frequency_correlation
        end as spend_frequency_correlation
    from fitted
    cross join calibration
    cross join spend_frequency

)

select * from final
