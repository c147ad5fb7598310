{#- One row per group of calibration repeat purchases (0 to 6, then 7+)
    when the calibration ends before the data do: customers against the
    model's histogram, holdout purchases against the forecast. Empty without
    a holdout (see the doc block clv_method). -#}

with

valued as (

    select
        repeat_purchases,
        holdout_repeat_purchases,
        expected_holdout_purchases,
        calibration_repeat_probabilities
    from {{ ref('int_clv_customers_valued') }}
    -- no holdout, or no purchase model used: nothing to compare
    where
        holdout_end_date is not null
        and calibration_repeat_probabilities is not null

),

group_numbers as (

    select {{ integers_between(0, 7) }} as group_number

),

groups as (

    select
        cast(group_number as integer) as group_order,
        case
            when group_number < 7 then cast(group_number as string) else '7+'
        end as repeat_purchases_group
    from group_numbers

),

customers as (

    select
        least(repeat_purchases, 7) as group_order,
        holdout_repeat_purchases,
        expected_holdout_purchases,
        calibration_repeat_probabilities
    from valued

),

per_group as (

    select
        group_order,
        count(*) as customers,
        cast(sum(holdout_repeat_purchases) as bigint)
            as actual_holdout_purchases,
        sum(expected_holdout_purchases) as predicted_holdout_purchases
    from customers
    group by group_order

),

histogram as (

    -- the model's count of customers in each group: each customer's chance
    -- of that many calibration repeat purchases, summed
    select
        groups.group_order,
        sum(
            case
                when groups.group_order < 7
                    then {{ array_element(
                        'customers.calibration_repeat_probabilities',
                        'groups.group_order + 1'
                    ) }}
                else
                    1 - {{ array_sum(
                        'customers.calibration_repeat_probabilities'
                    ) }}
            end
        ) as predicted_customers
    from groups
    cross join customers
    group by groups.group_order

),

final as (

    select
        groups.repeat_purchases_group,
        groups.group_order,
        coalesce(per_group.customers, 0) as customers,
        histogram.predicted_customers,
        coalesce(per_group.actual_holdout_purchases, 0)
            as actual_holdout_purchases,
        coalesce(per_group.predicted_holdout_purchases, 0)
            as predicted_holdout_purchases,
        per_group.actual_holdout_purchases
        / per_group.customers as actual_mean_holdout_purchases,
        per_group.predicted_holdout_purchases
        / per_group.customers as predicted_mean_holdout_purchases
    from groups
    inner join histogram on groups.group_order = histogram.group_order
    left join per_group on groups.group_order = per_group.group_order

)

select * from final
