{#- The registered customer file, or the demo seed (see customer_input). -#}
{%- set input = customer_input() -%}

with

source as (

    select * from {{ input }}

),

numbered as (

    -- file order: scans keep insertion order, so this is the data row number
    select
        *,
        row_number() over () as source_row_number
    from source

),

trimmed as (

    select
        source_row_number,
        source_file,
        {{ raw_text('customer_id') }} as raw_customer_id,
        {{ raw_text('gender') }} as raw_gender,
        {{ raw_text('age') }} as raw_age,
        {{ raw_text('annual_income_k') }} as raw_annual_income,
        {{ raw_text('spending_score') }} as raw_spending_score
    from numbered

),

id_format as (

    -- zero-padded ids (0007) mean customer 7 only when every id is a whole
    -- number written as one: `1.5` or `2.17e2` would otherwise be rounded
    -- into another customer's id. A second scan of the id column alone:
    -- reading `trimmed` here would make the database hold every row in
    -- memory until the check is done.
    select
        bool_and(
            {{ raw_text('customer_id') }} is null
            or (
                regexp_full_match({{ raw_text('customer_id') }}, '[+-]?[0-9]+')
                and try_cast(
                    {{ raw_text('customer_id') }} as hugeint
                ) is not null
            )
        ) as has_numeric_ids
    from {{ input }}

),

renamed as (

    select
        -- ids
        trimmed.source_row_number,
        case
            when id_format.has_numeric_ids
                -- hugeint (DuckDB's 128-bit integer) holds ids of 38 digits
                then cast(
                    cast(trimmed.raw_customer_id as hugeint)
                    as {{ dbt.type_string() }}
                )
            else trimmed.raw_customer_id
        end as customer_id,

        -- strings
        trimmed.source_file,
        {{ normalize_gender('trimmed.raw_gender') }} as gender,
        trimmed.raw_customer_id,
        trimmed.raw_gender,
        trimmed.raw_age,
        trimmed.raw_annual_income,
        trimmed.raw_spending_score,

        -- numerics
        {{ parse_number('trimmed.raw_age') }} as age,
        {{ parse_number('trimmed.raw_annual_income') }} as annual_income_k,
        {{ parse_number('trimmed.raw_spending_score') }} as spending_score

    from trimmed
    cross join id_format

)

select * from renamed
