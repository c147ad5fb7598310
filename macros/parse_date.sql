{% macro parse_date(column, date_order) -%}
    {{ return(adapter.dispatch('parse_date')(column, date_order)) }}
{%- endmacro %}

{% macro duckdb__parse_date(column, date_order) -%}
    {#- Date text to a date, the date as written whatever time or zone
        follows it: ISO (2024-03-31, with or without a time), YYYYMMDD, and
        day/month dates (31/03/2024, 3/31/2024 8:26, 31.03.24) in the
        file's order, `date_order` being an SQL expression: day_first,
        month_first or null (see input_format). Casts first: on ten million
        rows a regular expression per row cost 15 s, the casts 1.5 s. -#}
    {#- Two-digit years first: %Y also reads 24 as the year 24, while %y
        never reads four digits. -#}
    {%- set day_first = [
        '%d/%m/%y %H:%M:%S', '%d/%m/%y %H:%M', '%d/%m/%y',
        '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
    ] -%}
    {%- set month_first = [
        '%m/%d/%y %H:%M:%S', '%m/%d/%y %H:%M', '%m/%d/%y',
        '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
    ] -%}
    coalesce(
        try_cast({{ column }} as date),
        case
            when length({{ column }}) = 8
                then cast(try_strptime({{ column }}, '%Y%m%d') as date)
            when substr({{ column }}, 11, 1) in (' ', 'T')
                then try_cast(left({{ column }}, 10) as date)
        end,
        case {{ date_order }}
            when 'day_first'
                then cast(
                    try_strptime(
                        replace(replace({{ column }}, '-', '/'), '.', '/'),
                        {{ day_first }}
                    ) as date
                )
            when 'month_first'
                then cast(
                    try_strptime(
                        replace(replace({{ column }}, '-', '/'), '.', '/'),
                        {{ month_first }}
                    ) as date
                )
        end
    )
{%- endmacro %}

{% macro spark__parse_date(column, date_order) -%}
    {#- DuckDB's reading, the reference, in Spark's functions: Spark's cast
        also takes 2024 or 2024-03 as a date, so only a full year-month-day
        reaches it; a two-digit year of 69 or more is in the 1900s, as
        DuckDB's %y has it. -#}
    {%- set slashed = "replace(replace(" ~ column ~ ", '-', '/'), '.', '/')" -%}
    coalesce(
        case
            when {{ column }} rlike '^[0-9]{4}([-/])[0-9]{1,2}\\1[0-9]{1,2}([ T].*)?$'
                then try_cast(
                    replace(substring_index(substring_index(
                        {{ column }}, ' ', 1), 'T', 1), '/', '-')
                    as date
                )
            when length({{ column }}) = 8
                then to_date(try_to_timestamp({{ column }}, 'yyyyMMdd'))
        end,
        case {{ date_order }}
            when 'day_first'
                then {{ spark_date_from_patterns(slashed, 'd/M') }}
            when 'month_first'
                then {{ spark_date_from_patterns(slashed, 'M/d') }}
        end
    )
{%- endmacro %}

{% macro spark_date_from_patterns(text, day_and_month) -%}
    coalesce(
        {%- for time in [' H:m:s', ' H:m', ''] %}
        add_months(
            to_date(try_to_timestamp({{ text }}, '{{ day_and_month }}/yy{{ time }}')),
            case
                when year(try_to_timestamp({{ text }}, '{{ day_and_month }}/yy{{ time }}')) >= 2069
                    then -1200
                else 0
            end
        ),
        {%- endfor %}
        {%- for time in [' H:m:s', ' H:m', ''] %}
        to_date(try_to_timestamp({{ text }}, '{{ day_and_month }}/yyyy{{ time }}')){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
