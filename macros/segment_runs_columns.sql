{% macro segment_runs_columns() -%}
    {#- The columns of a segment_runs row, in order: the runs read back from
        the publish folder and this run's row are unioned on them. The
        contract and schemas.RUNS_SCHEMA list the same (a test checks). -#}
    run_id,
    run_at,
    model_mode,
    model_mode_reason,
    model_run_id,
    customers,
    outliers,
    customers_in_both_runs,
    customers_changed_segment,
    changed_segment_share,
    mean_distance_at_fit,
    mean_distance_now,
    drift_ratio,
    mean_centroid_shift
{%- endmacro %}
