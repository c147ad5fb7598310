{% macro customer_input() -%}
    {#- The relation the run reads: the customer file, or the demo seed when
        no input path is set. Staging reads it and the accounting test
        counts it. Both are referenced every time so that lineage always
        shows both. -#}
    {%- set customer_file = source('customer_file', 'customers') -%}
    {%- set demo_customers = ref('demo_customers') -%}
    {{ return(customer_file if var('input_path') else demo_customers) }}
{%- endmacro %}
