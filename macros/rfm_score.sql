{% macro rfm_score(metric, order_by, method, cut_points) -%}
    {#- A 1-5 score for `metric` (5 = best), before ties are evened out:
        - custom cut points (var rfm_cut_points, four increasing numbers):
          the number of points below the value, plus one (recency reversed,
          since fewer days is better);
        - percent_rank (default): 1 + floor(5 x percent rank), capped at 5,
          so tied values share a rank and a score;
        - ntile: ntile(5) over the value and then the other two metrics
          (`order_by`, best last); rows tied on all three are evened out by
          the caller, never split by id or file order. -#}
    {%- set points = cut_points.get(metric) if cut_points else none -%}
    {%- if points -%}
        {%- set above -%}
            {%- for point in points -%}
                cast({{ metric }} > {{ point | float }} as integer)
                {{- ' + ' if not loop.last }}
            {%- endfor -%}
        {%- endset -%}
        {%- if metric == 'recency_days' -%}
            5 - ({{ above }})
        {%- else -%}
            1 + {{ above }}
        {%- endif -%}
    {%- elif method == 'ntile' -%}
        ntile(5) over (order by {{ order_by }})
    {%- else -%}
        cast(least(
            5, 1 + floor(5 * percent_rank() over (order by {{ order_by.split(',')[0] }}))
        ) as integer)
    {%- endif -%}
{%- endmacro %}
