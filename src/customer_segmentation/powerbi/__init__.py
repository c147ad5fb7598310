"""Generate the Power BI projects (PBIP) in powerbi/ from dbt's manifest and catalog.

Tables, columns, types and descriptions come from the mart contracts
(manifest.json), checked against what the warehouse really holds
(catalog.json), so the semantic models cannot drift from the published
tables: a test regenerates this folder and fails if it differs from the
committed one.

    segments powerbi --out powerbi   (python -m customer_segmentation.powerbi)

Three projects share one report definition and one star schema:

- ``CustomerSegments`` imports the published Parquet files (folder in the
  ``ParquetFolder`` parameter); no driver needed.
- ``CustomerSegmentsDirectQuery`` reads ``segments.duckdb`` (path in the
  ``DuckDbFile`` parameter) through the DuckDB connector: the customer table
  in DirectQuery, the dimensions in Dual, and ``segment_cube`` imported as an
  aggregation of the customer table, so cards and bars never scan it.
- ``CustomerSegmentsDatabricks`` reads the marts `dbt build --target
  databricks` built (host, HTTP path, catalog and schema parameters)
  through Power BI's Databricks connector, in the same storage modes.

Slicers, axes and drill-through read the dimensions (``dim_segment``,
``dim_gender``, ``dim_age_band``), which filter every fact in one direction;
every number a visual shows is an explicit measure.

The package, one module per job: ``semantic_model`` (tables, dimensions,
relationships, measures: what the models hold), ``tmdl`` (writing them as
TMDL), ``visuals`` (report building blocks), ``pages`` (one function per
report page), ``project`` (the PBIP files, the manifest, writing, the
command line).

May import: messages, publishing.
"""
