{#- One row per lifetime-value model and parameter, with the model's fit
    (see the doc block clv_method). -#}

with

fitted as (

    select * from {{ ref('int_clv_models_fitted') }}

),

calibration as (

    select max(calibration_end_date) as calibration_end_date
    from {{ ref('int_clv_summaries') }}

),

final as (

    select
        fitted.model,
        fitted.parameter,
        fitted.value,
        fitted.log_likelihood,
        fitted.customers,
        fitted.converged,
        -- the two models customer_clv's figures come from
        fitted.model in ('bg_nbd', 'gamma_gamma') as is_used_in_clv,
        calibration.calibration_end_date
    from fitted
    cross join calibration

)

select * from final
