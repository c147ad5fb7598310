with

age_bands as (

    select
        age_band,
        age_band_order,
        min_age,
        max_age
    from {{ ref('age_bands') }}

)

select * from age_bands
