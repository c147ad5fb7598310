{#- The date recency is measured to (one row): the var rfm_as_of, or the day
    after the last usable purchase. Purchases on or after it are left out of
    the behaviour and counted in transaction_audit. -#}
{%- set as_of = var('rfm_as_of', none) -%}

with

checked_rows as (

    select purchase_date
    from {{ ref('int_transaction_rows_checked') }}
    where reject_reason is null

),

as_of as (

    select
        coalesce(
            {% if as_of -%}
                cast({{ dbt.string_literal(as_of) }} as date),
            {%- endif %}
            cast({{ dbt.dateadd('day', 1, 'max(purchase_date)') }} as date)
        ) as as_of_date
    from checked_rows

)

select * from as_of
