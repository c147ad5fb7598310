{% macro file_row_number() -%}
    {#- The row's position in the file it is read from, counted from 1, as a
        window over the scan (see file_lines). -#}
    {{ return(adapter.dispatch('file_row_number')()) }}
{%- endmacro %}

{% macro duckdb__file_row_number() -%}
    {#- DuckDB numbers a scan in file order when the window has no order. -#}
    row_number() over ()
{%- endmacro %}

{% macro spark__file_row_number() -%}
    {#- Spark's ids grow with the split of the file a row is read from and
        its place in it: ordered by them, the rows are in file order. -#}
    cast(row_number() over (order by monotonically_increasing_id()) as bigint)
{%- endmacro %}
