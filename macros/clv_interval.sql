{% macro interval_bound(figure, half_width, side) -%}
    {#- One end of a positive figure's 90% interval from its half-width (the
        square root of its summed squared components): symmetric on the log
        scale, as clv_intervals.bounds has it. The figure itself where it is
        not positive; empty where the half-width is. -#}
    {%- set sign = '-' if side == 'low' else '' -%}
    case
        when {{ half_width }} is null then null
        when {{ figure }} > 0
            then {{ figure }} * exp({{ sign }}{{ half_width }} / {{ figure }})
        else {{ figure }}
    end
{%- endmacro %}

{% macro gamma_gamma_spend(p, q, gamma, repeat_purchases, mean_repeat_spend) -%}
    {#- Gamma-Gamma's expected spend per purchase given x repeat purchases
        averaging m_x (Fader & Hardie 2013, equation 5); the population's
        p gamma / (q - 1) for a customer without repeats. -#}
    {{ p }}
    * ({{ gamma }} + coalesce({{ mean_repeat_spend }}, 0) * {{ repeat_purchases }})
    / ({{ p }} * {{ repeat_purchases }} + {{ q }} - 1)
{%- endmacro %}
