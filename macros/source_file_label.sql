{% macro source_file_label() -%}
    {#- The input file's path as a SQL literal, or the demo seed's label. -#}
    {{ sql_string_literal(var('input_path') or 'demo_customers (seed)') }}
{%- endmacro %}
