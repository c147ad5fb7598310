{% macro trim_white_space(text) -%}
    {#- The text without spaces, tabs, line feeds, vertical tabs, form feeds
        and carriage returns at either end. -#}
    {{ return(adapter.dispatch('trim_white_space')(text)) }}
{%- endmacro %}

{% macro duckdb__trim_white_space(text) -%}
    trim({{ text }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))
{%- endmacro %}

{% macro spark__trim_white_space(text) -%}
    regexp_replace({{ text }}, '^[ \\t\\n\\x0B\\f\\r]+|[ \\t\\n\\x0B\\f\\r]+$', '')
{%- endmacro %}
