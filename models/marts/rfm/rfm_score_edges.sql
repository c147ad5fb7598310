{#- The values each R/F/M score covers in this run (grain: metric, score):
    every score 1-5 of every metric, with the customers in it and the
    smallest and largest value it took, so the cut points are never hidden.
    An empty score has no customers and no values. -#}

with

behaviour as (

    select
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score
    from {{ ref('int_transactions_aggregated_to_customers') }}

),

metric_values as (

    select
        'recency_days' as metric,
        r_score as score,
        cast(recency_days as decimal(38, 4)) as metric_value
    from behaviour
    union all
    select
        'frequency' as metric,
        f_score as score,
        cast(frequency as decimal(38, 4)) as metric_value
    from behaviour
    union all
    select
        'monetary' as metric,
        m_score as score,
        monetary as metric_value
    from behaviour

),

grid as (

    select
        metrics.metric,
        metrics.metric_order,
        scores.score
    from (
        values ('recency_days', 1), ('frequency', 2), ('monetary', 3)
    ) as metrics (metric, metric_order)
    cross join (values (1), (2), (3), (4), (5)) as scores (score)

),

per_score as (

    select
        metric,
        score,
        count(*) as customers,
        min(metric_value) as min_value,
        max(metric_value) as max_value
    from metric_values
    group by metric, score

),

edges as (

    select
        grid.metric,
        grid.metric_order,
        cast(grid.score as integer) as score,
        case
            {%- for metric in ['recency_days', 'frequency', 'monetary'] %}
                when grid.metric = '{{ metric }}'
                    then '{{ rfm_score_method(metric) }}'
            {%- endfor %}
        end as score_method,
        coalesce(per_score.customers, 0) as customers,
        per_score.min_value,
        per_score.max_value
    from grid
    left join per_score
        on grid.metric = per_score.metric and grid.score = per_score.score

)

select * from edges
