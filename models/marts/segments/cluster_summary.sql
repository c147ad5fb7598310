with

customer_segments as (

    select
        customer_id,
        cluster_id,
        segment_name,
        gender,
        age,
        annual_income_k,
        spending_score,
        recency_days,
        frequency,
        monetary,
        p_alive,
        clv
    from {{ ref('customer_segments') }}

),

clv_components as (

    select
        customer_id,
        model,
        direction,
        clv
    from {{ ref('int_clv_value_components') }}

),

segment_clv_components as (

    -- a total's components are its customers' summed before squaring
    select
        customer_segments.cluster_id,
        clv_components.model,
        clv_components.direction,
        {{ order_free_sum('clv_components.clv') }} as clv
    from customer_segments
    inner join clv_components
        on customer_segments.customer_id = clv_components.customer_id
    group by
        customer_segments.cluster_id,
        clv_components.model,
        clv_components.direction

),

segment_clv_half_widths as (

    select
        cluster_id,
        sqrt({{ order_free_sum('clv * clv') }}) as total_clv_half_width
    from segment_clv_components
    group by cluster_id
    having bool_or(model != 'gamma_gamma') and bool_or(model = 'gamma_gamma')

),

population as (

    select
        avg(age) as avg_age,
        stddev_pop(age) as sd_age,
        avg(annual_income_k) as avg_annual_income_k,
        stddev_pop(annual_income_k) as sd_annual_income_k,
        avg(spending_score) as avg_spending_score,
        stddev_pop(spending_score) as sd_spending_score,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        cast(avg(monetary) as double) as avg_monetary,
        avg(case when gender = 'Female' then 1 else 0 end) as female_share,
        bool_or(gender != 'Unknown') as has_known_genders
    from customer_segments

),

per_cluster as (

    select
        cluster_id,
        segment_name,
        count(*) as customers,
        avg(age) as avg_age,
        avg(annual_income_k) as avg_annual_income_k,
        avg(spending_score) as avg_spending_score,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        cast(avg(monetary) as double) as avg_monetary,
        avg(p_alive) as avg_p_alive,
        avg(clv) as avg_clv,
        sum(clv) as total_clv,
        avg(case when gender = 'Female' then 1 else 0 end) as female_share
    from customer_segments
    group by cluster_id, segment_name

),

summarised as (

    select
        per_cluster.cluster_id,
        per_cluster.segment_name,
        per_cluster.customers,
        per_cluster.customers / sum(per_cluster.customers) over ()
            as customer_share,
        per_cluster.avg_age,
        per_cluster.avg_annual_income_k,
        per_cluster.avg_spending_score,
        -- a ratio of averages, not an average of per-customer ratios
        per_cluster.avg_annual_income_k / per_cluster.avg_spending_score
            as income_to_spend_ratio,
        per_cluster.avg_recency_days,
        per_cluster.avg_frequency,
        per_cluster.avg_monetary,
        per_cluster.avg_p_alive,
        per_cluster.avg_clv,
        per_cluster.total_clv,
        {{ interval_bound(
            'per_cluster.total_clv',
            'segment_clv_half_widths.total_clv_half_width'
            ' / nullif(per_cluster.total_clv, 0)', 'low',
        ) }} as total_clv_low,
        {{ interval_bound(
            'per_cluster.total_clv',
            'segment_clv_half_widths.total_clv_half_width'
            ' / nullif(per_cluster.total_clv, 0)', 'high',
        ) }} as total_clv_high,
        per_cluster.female_share,
        count(*) over () as segments,
        rank() over (order by per_cluster.avg_age) as youngest_rank,
        rank() over (order by per_cluster.avg_age desc) as oldest_rank
    from per_cluster
    left join segment_clv_half_widths
        on per_cluster.cluster_id = segment_clv_half_widths.cluster_id

),

described as (

    -- plain words from where the segment sits against everyone, each with
    -- the overall figure beside it so the reader can judge the gap; a
    -- clause whose figures the inputs lack (no ages without a customer
    -- file, no purchases without transactions) is left out
    select
        summarised.*,
        concat_ws(
            '; ',
            case
                when summarised.avg_age is null then null
                when summarised.segments > 1 and summarised.youngest_rank = 1
                    then 'Youngest segment'
                when summarised.segments > 1 and summarised.oldest_rank = 1
                    then 'Oldest segment'
                else 'Age ' || {{ relative_position(
                    'summarised.avg_age', 'population.avg_age',
                    'population.sd_age') }}
            end
            || ' (average ' || {{ number_text('summarised.avg_age', 0) }}
            || ' vs ' || {{ number_text('population.avg_age', 0) }}
            || ' overall)',
            'income ' || {{ relative_position(
                'summarised.avg_annual_income_k',
                'population.avg_annual_income_k',
                'population.sd_annual_income_k') }}
            || ' (' || {{ number_text('summarised.avg_annual_income_k', 0) }}
            || ' k$ vs '
            || {{ number_text('population.avg_annual_income_k', 0) }}
            || ' k$)',
            'spending ' || {{ relative_position(
                'summarised.avg_spending_score', 'population.avg_spending_score',
                'population.sd_spending_score') }}
            || ' (score '
            || {{ number_text('summarised.avg_spending_score', 0) }}
            || ' vs ' || {{ number_text('population.avg_spending_score', 0) }}
            || ')',
            'last bought '
            || {{ number_text('summarised.avg_recency_days', 0) }}
            || ' days ago on average ('
            || {{ number_text('population.avg_recency_days', 0) }}
            || ' overall)',
            {{ number_text('summarised.avg_frequency', 1) }} || ' purchases ('
            || {{ number_text('population.avg_frequency', 1) }} || '), '
            || {{ number_text('summarised.avg_monetary', 0) }} || ' spent ('
            || {{ number_text('population.avg_monetary', 0) }} || ')',
            case
                when population.has_known_genders
                    then
                        {{ number_text('100 * summarised.female_share', 0) }}
                        || '% female ('
                        || {{ number_text('100 * population.female_share', 0) }}
                        || '% overall)'
            end
        )
        || '.' as segment_description
    from summarised
    cross join population

),

final as (

    select
        cluster_id,
        segment_name,
        customers,
        customer_share,
        avg_age,
        avg_annual_income_k,
        avg_spending_score,
        income_to_spend_ratio,
        avg_recency_days,
        avg_frequency,
        avg_monetary,
        avg_p_alive,
        avg_clv,
        total_clv,
        total_clv_low,
        total_clv_high,
        segment_description
    from described

)

select * from final
