{% macro whole_number_type() -%}
    {#- The type an id of up to 38 digits is read as, to drop its zeros and
        sign: DuckDB's 128-bit hugeint, or a decimal of 38 digits. -#}
    {{ return(adapter.dispatch('whole_number_type')()) }}
{%- endmacro %}

{% macro duckdb__whole_number_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__whole_number_type() -%}
    decimal(38, 0)
{%- endmacro %}
