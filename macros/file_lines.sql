{% macro file_lines(input, checked) -%}
    {#- The input's rows with their line number (source_row_number), when
        some row of its row checks was rejected; else none, and the file is
        not scanned. Numbered directly over the scan, the one place DuckDB
        keeps a file's order; a window in file order runs on one thread, so
        a clean file never pays for it. -#}
    {%- if rows_exist(checked, 'reject_reason is not null') %}
    select
        {{ file_row_number() }} as source_row_number,
        *
    from {{ input }}
    {%- else %}
    select
        cast(null as bigint) as source_row_number,
        *
    from {{ input }}
    where false
    {%- endif %}
{%- endmacro %}
