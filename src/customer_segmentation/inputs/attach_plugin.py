"""dbt-duckdb plugin: the database `segments run --attach` names, attached
read only in every connection dbt opens (profiles.yml, target ``local``),
so the run_input views over its tables resolve. Does nothing when no
database was named. The logic is inputs.tables'; this module only hands it
to dbt-duckdb, which looks for a class called ``Plugin``.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from customer_segmentation.inputs.tables import attach_read_only, attached_database


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        database = attached_database()
        if database is not None:
            attach_read_only(conn, database)
