{% macro interval_bound(figure, log_half_width, side) -%}
    {#- One end of a positive figure's 90% interval, symmetric on the log
        scale as lifetime_value.intervals.bounds has it: the figure times
        exp(-+ log_half_width), the half-width over the figure. The figure
        itself where it is not positive; empty where the half-width is. -#}
    {%- set sign = '-' if side == 'low' else '' -%}
    case
        when {{ log_half_width }} is null then null
        when {{ figure }} > 0
            then {{ figure }} * exp({{ sign }}{{ log_half_width }})
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

{% macro order_free_sum(expression) -%}
    {#- The sum of a double column as exact decimals (18 places): the same
        to the last bit whatever order the rows arrive in, on any engine, so
        the same input publishes the same intervals. A double sum is not:
        its rounding follows the order the engine adds in. -#}
    cast(sum(cast({{ expression }} as decimal(38, 18))) as double)
{%- endmacro %}
