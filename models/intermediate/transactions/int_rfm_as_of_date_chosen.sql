{#- The date recency is measured to (one row): the var rfm_as_of, or the day
    after the last usable purchase made by the day of the run: a line dated
    in the future (a typo such as 2099-12-31) cannot move everyone's
    recency. Purchases on or after it are left out of the behaviour and
    counted in transaction_audit (and the run warns). -#}
{%- set as_of = var('rfm_as_of', none) -%}

with

checked_rows as (

    select purchase_date
    from {{ ref('int_transaction_rows_checked') }}
    where reject_reason is null

),

run_date as (

    select cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date) as run_date

),

as_of as (

    select
        coalesce(
            {% if as_of -%}
                cast({{ dbt.string_literal(as_of) }} as date),
            {%- endif %}
            cast({{ dbt.dateadd(
                'day',
                1,
                'max(checked_rows.purchase_date) filter '
                ~ '(where checked_rows.purchase_date <= run_date.run_date)'
            ) }} as date),
            -- every purchase in the future: none is before the as-of date
            case
                when count(*) > 0
                    then cast({{
                        dbt.dateadd('day', 1, 'any_value(run_date.run_date)')
                    }} as date)
            end
        ) as as_of_date
    from checked_rows
    cross join run_date

)

select * from as_of
