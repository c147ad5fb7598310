{% macro contract_columns(mart) -%}
    {#- A mart's contract columns, in order: the one list of a table's
        columns, read by the models that union the saved history with this
        run's rows and by the staging of that history (Python reads the same
        contracts, schemas.py). dbt parses before it has the graph; the
        columns are filled in when the model is compiled. -#}
    {%- if execute -%}
        {%- set contract = graph.nodes['model.' ~ project_name ~ '.' ~ mart] -%}
        {{ contract.columns.keys() | join(',\n    ') }}
    {%- else -%}
        *
    {%- endif -%}
{%- endmacro %}
