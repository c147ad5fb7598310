{#- One row per customer with a usable transaction (grain: customer_id):
    recency, frequency and monetary value, their 1-5 scores, the R/F/M cell,
    the named segment of the rfm_segments seed, and a spending score derived
    from the amounts. See the doc block rfm_method for every definition.

    A table: the marts, the clustering and their tests read it. -#}
{{ config(materialized='table') }}

{#- Each metric ordered worst to best, then the other two metrics (the
    ntile method's tie-break). -#}
{%- set orders = {
    'recency_days': ('recency_days desc', 'frequency, monetary'),
    'frequency': ('frequency', 'monetary, recency_days desc'),
    'monetary': ('monetary', 'frequency, recency_days desc'),
} -%}

with

checked_rows as (

    select
        customer_id,
        order_id,
        purchase_date,
        amount
    from {{ ref('int_transaction_rows_checked') }}
    -- anonymous purchases belong to no customer: counted in the audit only
    where reject_reason is null and not is_anonymous

),

as_of as (

    select as_of_date from {{ ref('int_rfm_as_of_date_chosen') }}

),

cells as (

    select
        r_score,
        f_score,
        rfm_segment
    from {{ ref('int_rfm_segments_expanded_to_cells') }}

),

used_rows as (

    -- purchases before the as-of date; later ones are outside the window
    select checked_rows.*
    from checked_rows
    cross join as_of
    where checked_rows.purchase_date < as_of.as_of_date

),

per_customer as (

    -- a purchase occasion is an order (or, without order ids, a day) with
    -- a positive line: a return or a free line alone is not a purchase
    select
        customer_id,
        coalesce(
            min(purchase_date) filter (where amount > 0), min(purchase_date)
        ) as first_purchase_date,
        coalesce(
            max(purchase_date) filter (where amount > 0), max(purchase_date)
        ) as last_purchase_date,
        count(distinct order_id) filter (where amount > 0)
        + count(distinct purchase_date) filter (
            where amount > 0 and order_id is null
        ) as frequency,
        -- decimal(38, 4) on every engine (Spark widens a sum by 10 digits)
        cast(sum(amount) as decimal(38, 4)) as monetary
    from used_rows
    group by customer_id

),

measured as (

    select
        per_customer.customer_id,
        as_of.as_of_date,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        cast(
            {{ dbt.datediff(
                "per_customer.last_purchase_date", "as_of.as_of_date", "day"
            ) }}
            as integer
        ) as recency_days,
        per_customer.frequency,
        per_customer.monetary,
        cast(per_customer.monetary as double)
        / nullif(per_customer.frequency, 0) as avg_order_value
    from per_customer
    cross join as_of

),

ranked as (

    select
        *,
        {%- for metric, (worst_first, tie_breaks) in orders.items() %}
            {{ rfm_score(metric, worst_first, tie_breaks) }}
                as {{ metric }}_rank_score,
        {%- endfor %}
        cast(ceil(100 * cume_dist() over (order by monetary)) as integer)
            as spending_score
    from measured

),

scored as (

    -- customers alike on all three metrics share every score
    select
        *,
        cast(min(recency_days_rank_score) over alike as integer) as r_score,
        cast(min(frequency_rank_score) over alike as integer) as f_score,
        cast(min(monetary_rank_score) over alike as integer) as m_score
    from ranked
    window alike as (partition by recency_days, frequency, monetary)

),

named as (

    select
        scored.customer_id,
        scored.as_of_date,
        scored.first_purchase_date,
        scored.last_purchase_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.avg_order_value,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        cast(scored.r_score as string)
        || cast(scored.f_score as string)
        || cast(scored.m_score as string) as rfm_cell,
        cells.rfm_segment,
        scored.spending_score
    from scored
    left join cells
        on scored.r_score = cells.r_score and scored.f_score = cells.f_score

)

select * from named
