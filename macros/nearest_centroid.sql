{#- Helpers of int_customers_scored: the model's centroids pivoted into slots
    1..n (one column group per slot) and each customer's distance to every
    slot, so nearest-centroid scoring needs no join and no sort. -#}

{% macro pivot_slots(slots) -%}
    {#- Each slot's cluster id, name, radius and scaled centroid as columns
        suffixed with the slot number (empty when there is no such slot). -#}
    {%- for slot in slots %}
        max(case when slot = {{ slot }} then cluster_id end) as cluster_id_{{ slot }},
        max(case when slot = {{ slot }} then segment_name end) as segment_name_{{ slot }},
        max(case when slot = {{ slot }} then radius end) as radius_{{ slot }},
        {%- for feature in _clustering_features() %}
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
                {%- for feature in _clustering_features() %}
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

{% macro _clustering_features() -%}
    {#- settings.KNOWN_FEATURES: every feature a model can cluster on. -#}
    {{ return(['annual_income_k', 'spending_score', 'age', 'income_to_spend_ratio']) }}
{%- endmacro %}
