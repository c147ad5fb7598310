{#- Customers by their chance of still being active, in tenths (grain:
    p_alive_band): how much of the base is likely lost, and the value that
    sits in each band. Empty when no customer has a P(alive). -#}

with

valued as (

    select
        p_alive,
        clv
    from {{ ref('customer_clv') }}
    where p_alive is not null

),

band_numbers as (

    select {{ integers_between(0, 9) }} as band_number

),

bands as (

    select
        cast(band_number as integer) as band_order,
        cast(band_number * 10 as string) || '-'
        || cast(band_number * 10 + 10 as string) || '%' as p_alive_band
    from band_numbers

),

per_band as (

    -- P(alive) = 1 (no repeat purchase yet) falls in the top band
    select
        least(cast(floor(p_alive * 10) as integer), 9) as band_order,
        count(*) as customers,
        sum(clv) as total_clv
    from valued
    group by least(cast(floor(p_alive * 10) as integer), 9)

),

final as (

    select
        bands.p_alive_band,
        bands.band_order,
        coalesce(per_band.customers, 0) as customers,
        per_band.total_clv
    from bands
    left join per_band on bands.band_order = per_band.band_order
    where exists (select 1 from valued)

)

select * from final
