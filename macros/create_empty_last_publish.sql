{% macro create_empty_last_publish() -%}
    {#- The `last_publish` tables a fit reads, created empty where no
        `segments run` has loaded them (a plain `dbt build` in a fresh
        warehouse): each with the columns and types of the mart it is read
        back from, taken from that mart's contract, so the shape has one
        home. Run by the on-run-start hook; `if not exists` leaves a loaded
        history alone. One statement at a time: Spark runs no scripts. -#}
    {%- if execute -%}
        {%- do run_query("create schema if not exists last_publish") -%}
        {%- for source_node in graph.sources.values()
            if source_node.source_name == 'last_publish' -%}
            {%- set mart = graph.nodes[
                'model.' ~ project_name ~ '.' ~ source_node.name
            ] -%}
            {%- set columns = [] -%}
            {%- for name, column in mart.columns.items() -%}
                {%- do columns.append(
                    'cast(null as ' ~ column.data_type ~ ') as '
                    ~ adapter.quote(name)
                ) -%}
            {%- endfor -%}
            {%- do run_query(
                'create table if not exists last_publish.' ~ source_node.name
                ~ ' as select ' ~ columns | join(', ') ~ ' where false'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {#- the hook itself runs nothing more -#}
    select 1
{%- endmacro %}
