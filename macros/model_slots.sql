{#- Helpers of int_customers_scored: the model's centroids pivoted into slots
    1..n (one column group per slot) and each customer's distance to every
    slot, so nearest-centroid scoring needs no join and no sort. -#}

{% macro model_slots(segment_model, max_k=30) -%}
    {#- Slots 1..k for the k active clusters of the model, read when the
        scoring model runs (the model table is built by then), so each
        customer is compared with k centroids, not max_k. At parse time, in
        a unit test (its fixture is no table), or if the table cannot be
        read, all max_k slots (settings.MAX_K): the result is the same, only
        slower. -#}
    {%- set active = none -%}
    {%- if execute and segment_model.schema
        and load_relation(segment_model) is not none -%}
        {%- set counted = run_query(
            "select count(*) from " ~ segment_model
            ~ " where cluster_status = 'active'"
        ) -%}
        {%- set active = counted.columns[0].values()[0] | int -%}
    {%- endif -%}
    {%- if active is none or active < 1 or active > max_k -%}
        {%- set active = max_k -%}
    {%- endif -%}
    {{ return(range(1, active + 1)) }}
{%- endmacro %}

{% macro pivot_slots(slots) -%}
    {#- Each slot's cluster id, name, radius and scaled centroid as columns
        suffixed with the slot number (empty when there is no such slot). -#}
    {%- for slot in slots %}
        max(case when slot = {{ slot }} then cluster_id end) as cluster_id_{{ slot }},
        max(case when slot = {{ slot }} then segment_name end) as segment_name_{{ slot }},
        max(case when slot = {{ slot }} then radius end) as radius_{{ slot }},
        {%- for feature in segment_feature_names() %}
        max(case when slot = {{ slot }} then {{ feature }}_centroid_z end)
            as {{ feature }}_z_{{ slot }}{{ ',' if not loop.last }}
        {%- endfor %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro squared_distances_to_slots(slots) -%}
    {#- squared_distance_<slot>: empty when the slot holds no cluster. A
        feature the model does not use is null on both sides and adds 0. -#}
    {%- for slot in slots %}
        case
            when cluster_id_{{ slot }} is not null
                then
                {%- for feature in segment_feature_names() %}
                    coalesce(power({{ feature }}_z - {{ feature }}_z_{{ slot }}, 2), 0)
                    {{- ' +' if not loop.last }}
                {%- endfor %}
        end as squared_distance_{{ slot }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro slot_columns(prefix, slots) -%}
    {%- for slot in slots -%}
        {{ prefix }}_{{ slot }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro nearest_slot_value(column, slots) -%}
    {#- The column's value in the nearest slot; on an exact tie, the lower
        slot (the lower cluster id) wins. -#}
    case
        {%- for slot in slots %}
            when squared_distance_{{ slot }} = nearest_squared_distance
                then {{ column }}_{{ slot }}
        {%- endfor %}
    end
{%- endmacro %}
