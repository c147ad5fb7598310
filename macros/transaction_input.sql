{% macro transaction_input() -%}
    {#- The transaction rows the run reads, as text columns customer_id,
        purchase_date, amount, order_id, quantity, unit_price and
        source_file: the file `segments run` registered (source
        transaction_file), or no rows when none is registered (a run on the
        customer file alone, or a unit test). -#}
    {%- set transaction_file = source('transaction_file', 'transactions') -%}
    {#- A unit test's fixture has no schema: it takes the no-rows branch. -#}
    {%- if transaction_file.schema and transactions_given() -%}
        {{ return(transaction_file) }}
    {%- endif -%}
    {{ return(no_transactions()) }}
{%- endmacro %}

{% macro transactions_given() -%}
    {#- True when `segments run` registered a transactions file: decided when
        the model is compiled, so a run without one reads no file at all.
        The view is looked up by name, not through source(), so models that
        only ask whether it exists (and their unit tests) do not depend on
        it. -#}
    {#- A unit test runs on its fixtures alone: no file, whatever the
        warehouse holds. -#}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set view = adapter.get_relation(
        database=target.database, schema='run_input', identifier='transactions'
    ) -%}
    {{ return(view is not none) }}
{%- endmacro %}

{% macro no_transactions() -%}
    (
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_string() }}) as purchase_date,
            cast(null as {{ dbt.type_string() }}) as amount,
            cast(null as {{ dbt.type_string() }}) as order_id,
            cast(null as {{ dbt.type_string() }}) as quantity,
            cast(null as {{ dbt.type_string() }}) as unit_price,
            cast(null as {{ dbt.type_string() }}) as source_file
        where false
    )
{%- endmacro %}
