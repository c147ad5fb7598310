with

age_bands as (

    select
        age_band,
        age_band_order,
        min_age,
        max_age
    from {{ ref('age_bands') }}

),

unknown_band as (

    -- customers known only from transactions have no age: their band,
    -- last in order (int_customers_featurized gives them the same)
    select
        'Unknown' as age_band,
        max(age_band_order) + 1 as age_band_order,
        cast(null as integer) as min_age,
        cast(null as integer) as max_age
    from age_bands

),

bands as (

    select * from age_bands
    union all
    select * from unknown_band

)

select * from bands
