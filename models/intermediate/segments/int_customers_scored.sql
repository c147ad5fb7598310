{#- Every clean customer, with its features, assigned to the nearest active
    centroid of the model (a fit from this run or the saved one), features
    scaled by the model's saved means and sds. Plain SQL, so scoring runs at
    warehouse speed and would run unchanged on another adapter.

    The centroids are pivoted into one row with a column group per slot, so
    each customer is one row compared with every centroid, instead of a
    customer x centroid join followed by a per-customer sort. A feature the
    model does not use has no mean, so its scaled value is null and adds
    nothing to the distance.

    A view: customer_segments, the only model that reads it, materialises
    it once. -#}

{%- set slots = model_slots(ref('int_segment_model_selected')) -%}
{#- <feature>_mean and <feature>_sd for every feature a model may use -#}
{%- set scaling_columns = [] -%}
{%- for feature in segment_feature_names() -%}
    {%- do scaling_columns.extend([feature ~ '_mean', feature ~ '_sd']) -%}
{%- endfor -%}

with

customers as (

    -- the customer columns and every declared feature
    select *
    from {{ ref('int_customers_featurized') }}

),

active_clusters as (

    select *
    from {{ ref('int_segment_model_selected') }}
    where cluster_status = 'active'

),

scaling as (

    -- the same in every row of a run
    select
    {%- for column in scaling_columns %}
            max({{ column }}) as {{ column }}
            {{- ',' if not loop.last }}
    {%- endfor %}
    from active_clusters

),

slotted_clusters as (

    select
        *,
        row_number() over (order by cluster_id) as slot
    from active_clusters

),

centroid_row as (

    select {{ pivot_slots(slots) }}
    from slotted_clusters

),

scaled as (

    select
        customers.*,
    {%- for feature in segment_feature_names() %}
        (customers.{{ feature }} - scaling.{{ feature }}_mean)
        / scaling.{{ feature }}_sd as {{ feature }}_z
        {{- ',' if not loop.last }}
    {%- endfor %}
    from customers
    cross join scaling

),

squared_distances as (

    select
        scaled.*,
        centroid_row.*,
        {{ squared_distances_to_slots(slots) }}
    from scaled
    cross join centroid_row

),

nearest_distance as (

    select
        *,
        least({{ slot_columns('squared_distance', slots) }})
            as nearest_squared_distance
    from squared_distances

),

assigned as (

    select
        *,
        {{ nearest_slot_value('cluster_id', slots) }} as assigned_cluster_id,
        {{ nearest_slot_value('segment_name', slots) }} as assigned_name,
        {{ nearest_slot_value('radius', slots) }} as assigned_radius,
        sqrt(nearest_squared_distance) as distance_to_centroid
    from nearest_distance

),

flagged as (

    select
        customer_id,
        gender,
        age,
        age_band,
        annual_income_k,
        spending_score,
        income_to_spend_ratio,
        recency_days,
        frequency,
        monetary,
        p_alive,
        expected_purchases,
        clv,
        rfm_segment,
        assigned_cluster_id as cluster_id,
        assigned_name as segment_name,
        distance_to_centroid,
        distance_to_centroid
        > assigned_radius * {{ var('outlier_radius_multiple') }} as is_outlier
    from assigned

)

select * from flagged
