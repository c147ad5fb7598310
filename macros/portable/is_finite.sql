{% macro is_finite(number) -%}
    {#- True for a double that is neither NaN nor infinite. -#}
    {{ return(adapter.dispatch('is_finite')(number)) }}
{%- endmacro %}

{% macro duckdb__is_finite(number) -%}
    isfinite({{ number }})
{%- endmacro %}

{% macro spark__is_finite(number) -%}
    {#- Spark orders NaN above every number, so one comparison rules out
        NaN and both infinities (and the expression is written once). -#}
    (abs({{ number }}) <= 1.7976931348623157e308)
{%- endmacro %}
