"""The offline dashboard: one self-contained HTML file, plus PNG charts.

Built from the published tables after every successful run, for people who
will never open Power BI. Charts are Vega-Lite specs made with Altair; the
Vega libraries are inlined from vl-convert's bundle, so the file works with no
network and no server. vl-convert also renders the PNG versions.

Filtering happens in the page: the data is inlined as a small cube of
customer counts and sums per segment x gender x age band (so cards, tables
and bar charts stay exact for any number of customers) plus the customers
themselves for the scatter and the customer list (a deterministic sample
above MAX_CUSTOMERS rows, said so on the page).

One module per job: ``data`` reads the published tables, ``insights`` writes
the sentences, ``charts`` makes one Vega-Lite spec per chart, ``page``
assembles the HTML and renders the PNGs.

May import: engines, publishing.
"""

from customer_segmentation.dashboard.page import build_dashboard, planned_files

__all__ = ["build_dashboard", "planned_files"]
