{#- The customers to segment, with the derived features: age band (from
    the age_bands seed, so users can change the bands), income-to-spend
    ratio, and the clustering features declared with SQL of their own (from
    a transactions file, purchase behaviour on a log scale).

    Without transactions these are the customer file's clean customers.
    With them, they are the customers who bought (int_transactions_aggregated_to_customers),
    with their customer-file record where there is one (else unknown
    gender, no age or income); the spending score is the file's where it
    has one, else the one derived from the amounts. Customer-file customers
    who never bought are counted in transaction_audit. -#}

{#- A table, not a view: the clustering, the scoring, the marts and their
    tests all read it. -#}
{{ config(materialized='table') }}

with

customers as (

    select * from {{ ref('int_customers_cleaned') }}

),

aggregated as (

    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        rfm_segment,
        spending_score
    from {{ ref('int_transactions_aggregated_to_customers') }}

),

valued as (

    select
        customer_id,
        p_alive,
        expected_purchases,
        clv
    from {{ ref('int_clv_customers_valued') }}

),

behaviour as (

    select
        aggregated.*,
        valued.p_alive,
        valued.expected_purchases,
        valued.clv
    from aggregated
    left join valued
        on aggregated.customer_id = valued.customer_id

),

population as (

    {% if transactions_given() -%}
        select
            behaviour.customer_id,
            coalesce(customers.gender, 'Unknown') as gender,
            customers.age,
            customers.annual_income_k,
            coalesce(
                customers.spending_score, behaviour.spending_score
            ) as spending_score,
            behaviour.recency_days,
            behaviour.frequency,
            behaviour.monetary,
            behaviour.p_alive,
            behaviour.expected_purchases,
            behaviour.clv,
            behaviour.rfm_segment
        from behaviour
        left join customers
            on behaviour.customer_id = customers.customer_id
    {%- else -%}
        -- no transactions: behaviour has no rows, so every customer's is empty
        select
            customers.customer_id,
            customers.gender,
            customers.age,
            customers.annual_income_k,
            customers.spending_score,
            behaviour.recency_days,
            behaviour.frequency,
            behaviour.monetary,
            behaviour.p_alive,
            behaviour.expected_purchases,
            behaviour.clv,
            behaviour.rfm_segment
        from customers
        left join behaviour
            on customers.customer_id = behaviour.customer_id
    {%- endif %}

),

age_bands as (

    select
        age_band,
        age_band_order,
        min_age,
        max_age
    from {{ ref('age_bands') }}

),

band_of_age as (

    -- one row per whole age a band covers (ages are whole numbers by now),
    -- so each customer finds its band by an equality join: a range join
    -- costs seconds per ten million customers
    select
        {{ integers_between('min_age', 'max_age') }} as age,
        age_band,
        age_band_order
    from age_bands

),

banded as (

    select
        population.customer_id,
        population.gender,
        population.age,
        -- no age (a buyer without a customer-file record): the band the
        -- age band dimension adds for them
        coalesce(band_of_age.age_band, 'Unknown') as age_band,
        coalesce(
            band_of_age.age_band_order,
            (select max(age_bands.age_band_order) + 1 from age_bands)
        ) as age_band_order,
        population.annual_income_k,
        population.spending_score,
        population.recency_days,
        population.frequency,
        population.monetary,
        population.p_alive,
        population.expected_purchases,
        population.clv,
        population.rfm_segment
    from population
    left join band_of_age
        on population.age = band_of_age.age

),

with_ratio as (

    select
        *,
        -- k$ of income per spending-score point; a zero score (rejected
        -- upstream) would give null, not an error
        annual_income_k / nullif(spending_score, 0) as income_to_spend_ratio
    from banded

),

with_features as (

    -- the clustering features computed by SQL of their own, as declared in
    -- dbt_project.yml (var segment_features); the others are columns above
    select
        *,
    {%- for feature in segment_features() if feature.sql %}
        {{ feature.sql }} as {{ feature.name }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from with_ratio

)

select * from with_features
