{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- dbt-spark 1.11's own version pastes each value into the SQL between
        quotes without escaping them (its session connection formats the
        bindings with %), so a seed's apostrophe ends the string. This one
        writes every value as an escaped literal. Remove it when dbt-spark
        escapes its bindings. -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column_name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(
                        column_name,
                        adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    cast({{ spark_literal(value) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_literal(value) -%}
    {#- A seed value as a Spark SQL literal: null, a number as written, or
        text in quotes with backslashes and quotes escaped. -#}
    {%- if value is none -%}
        null
    {%- elif value is number and value is not sameas true
        and value is not sameas false -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
