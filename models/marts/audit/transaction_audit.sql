{#- One row for the run: where every transaction row went and what the
    used rows add up to (a count per code of transaction_reject_reasons).
    Without a transactions file every count is zero. -#}

with

input_file as (

    select source_file
    from {{ transaction_input() }}
    limit 1  -- noqa: AM09

),

checked_rows as (

    select
        customer_id,
        purchase_date,
        amount,
        reject_reason,
        is_anonymous,
        is_exact_duplicate
    from {{ ref('int_transaction_rows_checked') }}

),

as_of as (

    select as_of_date from {{ ref('int_rfm_as_of_date_chosen') }}

),

behaviour as (

    select
        customer_id,
        monetary
    from {{ ref('int_transactions_aggregated_to_customers') }}

),

-- read only beside a transactions file (below)
customer_file as (  -- noqa: ST03

    select customer_id from {{ ref('int_customers_cleaned') }}

),

dated_rows as (

    select
        checked_rows.amount,
        checked_rows.reject_reason,
        checked_rows.is_exact_duplicate,
        checked_rows.reject_reason is null
        and checked_rows.purchase_date < as_of.as_of_date
        and not checked_rows.is_anonymous as is_used,
        checked_rows.reject_reason is null
        and checked_rows.purchase_date < as_of.as_of_date
        and checked_rows.is_anonymous as is_anonymous_purchase,
        checked_rows.reject_reason is null
        and checked_rows.purchase_date >= as_of.as_of_date as is_after_as_of
    from checked_rows
    left join as_of on true

),

rows_by_kind as (

    select
        count(*) as rows_read,
        count(*) filter (where is_used) as rows_used,
        count(*) filter (where is_anonymous_purchase) as rows_anonymous,
        count(*) filter (where reject_reason is not null) as rows_rejected,
        count(*) filter (where is_after_as_of) as rows_after_as_of,
        count(*) filter (where is_used and amount = 0) as zero_amount_rows,
        count(*) filter (where is_used and amount < 0) as return_rows,
        count(*) filter (
            where is_used and is_exact_duplicate
        ) as exact_duplicate_rows,
        {{- reject_reason_counts(seed='transaction_reject_reasons') }}
        -- decimal(38, 4) on every engine (Spark widens a sum by 10 digits)
        cast(
            coalesce(sum(amount) filter (where is_used), 0) as decimal(38, 4)
        ) as amount_used,
        cast(
            coalesce(sum(amount) filter (where is_anonymous_purchase), 0)
            as decimal(38, 4)
        ) as amount_anonymous
    from dated_rows

),

customers as (

    select
        count(*) as customers,
        coalesce(sum(monetary), 0) as monetary_total,
        {% if transactions_given() -%}
            count(*) filter (
                where customer_id not in (
                    select customer_file.customer_id from customer_file
                )
            )
        {%- else -%}
            -- no buyers: the customer file is not read
            cast(0 as {{ dbt.type_bigint() }})
        {%- endif %} as customers_without_customer_record
    from behaviour

),

unbought as (

    -- customers of the customer file who never bought: not segmented on
    -- behaviour, counted here; without transactions there are no buyers to
    -- compare with, and reading the customer file to count none cost
    -- seconds on large files (benchmarks/notes.md)
    {% if transactions_given() -%}
        select count(*) as customer_file_customers_without_purchases
        from customer_file
        where customer_id not in (select behaviour.customer_id from behaviour)
    {%- else -%}
        select
            cast(
                0 as {{ dbt.type_bigint() }}
            ) as customer_file_customers_without_purchases
    {%- endif %}

),

audit as (

    select
        (select input_file.source_file from input_file) as source_file,
        (select as_of.as_of_date from as_of) as as_of_date,
        rows_by_kind.*,
        customers.customers,
        customers.monetary_total,
        customers.customers_without_customer_record,
        unbought.customer_file_customers_without_purchases
    from rows_by_kind
    cross join customers
    cross join unbought

)

select * from audit
