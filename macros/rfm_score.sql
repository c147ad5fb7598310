{% macro rfm_score_method(metric) -%}
    {#- How `metric` is scored this run: `cut_points` when var
        rfm_cut_points gives points for it, else var rfm_score_method. The
        scores (rfm_score) and the published edges (rfm_score_edges) both
        ask here. -#}
    {%- set cut_points = var('rfm_cut_points', none) or {} -%}
    {%- if cut_points.get(metric) -%}
        {{ return('cut_points') }}
    {%- endif -%}
    {{ return(var('rfm_score_method', 'percent_rank')) }}
{%- endmacro %}

{% macro rfm_score(metric, worst_first, tie_breaks) -%}
    {#- A 1-5 score for `metric` (5 = best), before ties are evened out.
        `worst_first` orders the metric from worst to best (`recency_days
        desc`: most days is worst); `tie_breaks` orders the other two
        metrics the same way.
        - cut_points: the number of points below the value, plus one
          (recency reversed, since fewer days is better);
        - percent_rank (default): 1 + floor(5 x percent rank), capped at 5,
          so tied values share a rank and a score;
        - ntile: ntile(5) over the value, then the tie-breaks; rows tied on
          all three are evened out by the caller, never split by id or file
          order. -#}
    {%- set method = rfm_score_method(metric) -%}
    {%- if method == 'cut_points' -%}
        {%- set above -%}
            {%- for point in var('rfm_cut_points')[metric] -%}
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
        ntile(5) over (order by {{ worst_first }}, {{ tie_breaks }})
    {%- else -%}
        cast(least(
            5, 1 + floor(5 * percent_rank() over (order by {{ worst_first }}))
        ) as integer)
    {%- endif -%}
{%- endmacro %}
