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
        -- the two models customer_clv's figures come from
        fitted.model in ('bg_nbd', 'gamma_gamma') as is_used_in_clv,
        calibration.calibration_end_date
    from fitted
    cross join calibration

)

select * from final
