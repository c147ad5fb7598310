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
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import altair as alt
import duckdb
import vl_convert

from customer_segmentation.publish import CHARTS_FOLDER, DASHBOARD_FILE

MAX_CUSTOMERS = 5_000
PNG_WIDTH = 480
VEGA_LITE_VERSION = "6.4"


@dataclass(frozen=True)
class DashboardData:
    segments: list[dict]
    cube: list[dict]
    customers: list[dict]
    customers_total: int
    centroids: list[dict]
    elbow: list[dict]
    age_bands: list[str]
    insights: list[str]
    rfm_grid: list[dict]
    rfm_summary: list[dict]
    has_demographics: bool
    has_transactions: bool


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    relation = con.sql(sql)
    return [
        dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()
    ]


def load_data(serving: Path) -> DashboardData:
    """Read everything the page shows from the published serving database."""
    with duckdb.connect(str(serving), read_only=True) as con:
        segments = rows(
            con,
            "select cluster_id, segment_name, segment_description"
            " from cluster_summary order by cluster_id",
        )
        cube = rows(
            con,
            """
            select
                dim_segment.segment_name,
                segment_cube.gender,
                segment_cube.age_band,
                segment_cube.customers,
                segment_cube.total_age as age_sum,
                segment_cube.customers_with_age as age_n,
                segment_cube.total_annual_income_k as income_sum,
                segment_cube.customers_with_annual_income_k as income_n,
                segment_cube.total_spending_score as score_sum,
                segment_cube.customers_with_spending_score as score_n
            from segment_cube
            join dim_segment using (cluster_id)
            order by all
            """,
        )
        customers = rows(
            con,
            f"""
            select
                customer_id, segment_name, gender, age, age_band,
                annual_income_k, spending_score,
                round(income_to_spend_ratio, 2) as income_to_spend_ratio,
                recency_days, cast(monetary as double) as monetary
            from customer_segments
            order by hash(customer_id), customer_id
            limit {MAX_CUSTOMERS}
            """,
        )
        (customers_total,) = con.sql(
            "select count(*) from customer_segments"
        ).fetchone()
        centroids = rows(
            con,
            """
            select segment_name, avg_annual_income_k, avg_spending_score
            from cluster_summary order by cluster_id
            """,
        )
        elbow = rows(
            con,
            "select k, inertia, silhouette, is_chosen from elbow_curve order by k",
        )
        age_bands = [
            band
            for (band,) in con.sql(
                "select age_band from age_groups"
                " group by age_band, age_band_order order by age_band_order"
            ).fetchall()
        ]
        rfm_grid = rows(
            con,
            "select r_score, f_score, rfm_segment, customers,"
            " cast(revenue as double) as revenue from rfm_grid order by all",
        )
        rfm_summary = rows(
            con,
            "select rfm_segment, customers, cast(revenue as double) as revenue,"
            " coalesce(revenue_share, 0) as revenue_share"
            " from rfm_segment_summary order by rfm_segment_order",
        )
        (has_demographics,) = con.sql(
            "select count(age) > 0 from customer_segments"
        ).fetchone()
        has_transactions = any(row["customers"] for row in rfm_summary)
        insights = [
            *key_insights(con),
            *(rfm_insights(rfm_summary) if has_transactions else []),
        ]
    return DashboardData(
        segments,
        cube,
        customers,
        customers_total,
        centroids,
        elbow,
        age_bands,
        insights,
        rfm_grid,
        rfm_summary,
        bool(has_demographics),
        has_transactions,
    )


def key_insights(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Sentences computed from the marts at build time, never written by hand."""
    largest_name, largest_n, largest_share = con.sql(
        "select segment_name, customers, customer_share from cluster_summary"
        " order by customers desc, cluster_id limit 1"
    ).fetchone()
    top_name, top_score = con.sql(
        "select segment_name, avg_spending_score from cluster_summary"
        " order by avg_spending_score desc, cluster_id limit 1"
    ).fetchone()
    income, score, ratio, female, male = con.sql(
        "select avg_annual_income_k, avg_spending_score, income_to_spend_ratio,"
        " female_share, male_share from segment_overview"
    ).fetchone()
    bands = con.sql(
        "select age_band, sum(customers) as n from age_groups"
        " where age_band != 'Unknown'"
        " group by age_band, age_band_order order by age_band_order"
    ).fetchall()
    if ratio is None or not bands:
        # transactions alone: nothing to say about incomes, genders or ages
        # (the page's note says so, once)
        return [
            f"{largest_name} is the largest segment, with {largest_n:,} customers "
            f"({largest_share:.0%}).",
            f"{top_name} has the highest average spending score, {top_score:.2f}.",
        ]
    return [
        f"{largest_name} is the largest segment, with {largest_n:,} customers "
        f"({largest_share:.0%}).",
        f"{top_name} has the highest average spending score, {top_score:.2f}.",
        f"The overall income-to-spend ratio is {ratio:.2f} (average income "
        f"{income:.2f} k$ / average spending score {score:.2f}).",
        f"{female:.0%} of customers are female and {male:.0%} male.",
        age_band_sentence(bands),
        *low_income_high_spend_notes(con),
    ]


def rfm_insights(summary: list[dict]) -> list[str]:
    """Where the revenue sits among the named RFM segments."""
    top = max(summary, key=lambda row: row["revenue"])
    champions = next((r for r in summary if r["rfm_segment"] == "Champions"), None)
    lines = [
        f"{top['rfm_segment']} bring the most revenue: {top['revenue']:,.2f} "
        f"({top['revenue_share']:.0%}) from {top['customers']:,} customers."
    ]
    if champions and champions["customers"]:
        lines.append(
            f"Champions are {champions['customers']:,} customers with "
            f"{champions['revenue_share']:.0%} of revenue."
        )
    return lines


def age_band_sentence(bands: list[tuple[str, int]]) -> str:
    """'31-40 is the largest age band with 60 customers; <=20 and 61+ are the
    smallest with 17 each.'"""
    most = max(n for _, n in bands)
    fewest = min(n for _, n in bands)
    largest = [band for band, n in bands if n == most]
    smallest = [band for band, n in bands if n == fewest]
    several = len(smallest) > 1
    return (
        f"{join_names(largest)} {'are' if len(largest) > 1 else 'is'} the largest "
        f"age band{'s' if len(largest) > 1 else ''} with {most:,} customers"
        f"{' each' if len(largest) > 1 else ''}; {join_names(smallest)} "
        f"{'are' if several else 'is'} the smallest with {fewest:,}"
        f"{' each' if several else ''}."
    )


def low_income_high_spend_notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    low_high = con.sql(
        "select segment_name, customers, customer_share, avg_annual_income_k,"
        " avg_spending_score from cluster_summary"
        " where segment_name like 'Low Income, High Spend%' order by cluster_id"
    ).fetchall()
    return [
        f"{name}: {n:,} customers ({share:.0%}) spend heavily on low incomes "
        f"(average score {seg_score:.2f} on {seg_income:.2f} k$), a group to "
        "reward for loyalty but to watch for overspending."
        for name, n, share, seg_income, seg_score in low_high
    ]


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def segment_color(data: DashboardData) -> alt.Color:
    names = [s["segment_name"] for s in data.segments]
    return alt.Color(
        "segment_name:N",
        title="Segment",
        scale=alt.Scale(domain=names, scheme="tableau10"),
        sort=names,
    )


def chart_specs(data: DashboardData) -> dict[str, dict]:
    """Vega-Lite specs; `cube` and `customers` are named datasets the page refills."""
    color = segment_color(data)
    names = [s["segment_name"] for s in data.segments]
    cube = alt.Data(name="cube")
    width = "container"  # the page's panel; PNGs get a fixed PNG_WIDTH

    if data.has_demographics:
        x = alt.X("annual_income_k:Q", title="Annual income (k$)")
        y = alt.Y("spending_score:Q", title="Spending score (1-100)")
        scatter_title = "Income vs spending score (crosses: centroids)"
    else:
        # transactions alone: behaviour is what the segments were fitted on
        x = alt.X("recency_days:Q", title="Days since last purchase")
        y = alt.Y("monetary:Q", title="Total spent", scale=alt.Scale(type="symlog"))
        scatter_title = "Recency vs money spent"
    points = (
        alt.Chart(alt.Data(name="customers"))
        .mark_circle(size=45, opacity=0.75)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=["customer_id:N", "segment_name:N", x.shorthand, y.shorthand],
        )
    )
    centroids = (
        alt.Chart(alt.Data(values=data.centroids))
        .mark_point(shape="cross", size=220, filled=True, color="black")
        .encode(
            x="avg_annual_income_k:Q",
            y="avg_spending_score:Q",
            tooltip=["segment_name:N", "avg_annual_income_k:Q", "avg_spending_score:Q"],
        )
    )
    scatter = (points + centroids if data.has_demographics else points).properties(
        width=width, height=300, title=scatter_title
    )

    spending = (
        alt.Chart(cube)
        .transform_aggregate(
            score_sum="sum(score_sum)",
            score_n="sum(score_n)",
            groupby=["segment_name"],
        )
        # over the customers with a score, as avg() in the marts
        .transform_calculate(avg_spending_score="datum.score_sum / datum.score_n")
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", sort=names, title=None),
            x=alt.X("avg_spending_score:Q", title="Average spending score"),
            color=color,
            tooltip=[
                "segment_name:N",
                alt.Tooltip("avg_spending_score:Q", format=".2f"),
                "customers:Q",
            ],
        )
        .properties(width=width, height=200, title="Average spending score by segment")
    )

    gender = (
        alt.Chart(cube)
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", sort=names, title=None),
            x=alt.X("sum(customers):Q", stack="normalize", title="Share of segment"),
            color=alt.Color(
                "gender:N",
                title="Gender",
                scale=alt.Scale(scheme="set2"),
                legend=alt.Legend(labelLimit=200),
            ),
            detail="segment_name:N",
            tooltip=[
                "segment_name:N",
                "gender:N",
                alt.Tooltip("sum(customers):Q", title="customers"),
            ],
        )
        .properties(
            width=width,
            height=200,
            title="Gender distribution by segment"
            + ("" if data.has_demographics else " (no demographics: all Unknown)"),
        )
    )

    age = (
        alt.Chart(cube)
        .mark_bar()
        .encode(
            x=alt.X(
                "age_band:N",
                sort=data.age_bands,
                title="Age band",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("sum(customers):Q", title="Customers"),
            color=color,
            tooltip=[
                "age_band:N",
                "segment_name:N",
                alt.Tooltip("sum(customers):Q", title="customers"),
            ],
        )
        .properties(
            width=width,
            height=240,
            title="Customers by age band and segment"
            + ("" if data.has_demographics else " (no demographics: no ages)"),
        )
    )

    elbow = (
        alt.Chart(alt.Data(values=data.elbow))
        .mark_line(point=True)
        .encode(
            x=alt.X("k:O", title="Number of segments (k)"),
            y=alt.Y("inertia:Q", title="Inertia"),
            tooltip=[
                "k:O",
                alt.Tooltip("inertia:Q", format=".1f"),
                alt.Tooltip("silhouette:Q", format=".3f"),
            ],
        )
    )
    chosen = (
        alt.Chart(alt.Data(values=[p for p in data.elbow if p["is_chosen"]]))
        .mark_point(size=300, color="crimson", strokeWidth=3)
        .encode(x="k:O", y="inertia:Q")
    )
    elbow_chart = (elbow + chosen).properties(
        width=width, height=240, title="Elbow curve (circled: chosen k)"
    )
    return {
        "scatter": scatter.to_dict(),
        "spending": spending.to_dict(),
        "gender": gender.to_dict(),
        "age": age.to_dict(),
        "elbow": elbow_chart.to_dict(),
        **rfm_chart_specs(data, width),
    }


def rfm_chart_specs(data: DashboardData, width: str) -> dict[str, dict]:
    """The R x F heat map and revenue share by named RFM segment."""
    missing = "" if data.has_transactions else " (no transactions in this run)"
    cells = alt.Chart(alt.Data(values=data.rfm_grid)).encode(
        x=alt.X("f_score:O", title="Frequency score (5 = most purchases)"),
        y=alt.Y(
            "r_score:O", sort="descending", title="Recency score (5 = most recent)"
        ),
    )
    heat = cells.mark_rect().encode(
        color=alt.Color(
            "customers:Q", title="Customers", scale=alt.Scale(scheme="blues")
        ),
        tooltip=[
            "rfm_segment:N",
            "r_score:O",
            "f_score:O",
            alt.Tooltip("customers:Q", format=","),
            alt.Tooltip("revenue:Q", format=",.2f"),
        ],
    )
    labels = cells.mark_text(fontSize=9, lineBreak=" ").encode(text="rfm_segment:N")
    grid = (heat + labels).properties(
        width=width,
        height=260,
        title=f"Customers per recency x frequency cell{missing}",
    )
    order = [row["rfm_segment"] for row in data.rfm_summary]
    revenue = (
        alt.Chart(alt.Data(values=data.rfm_summary))
        .mark_bar()
        .encode(
            y=alt.Y("rfm_segment:N", sort=order, title=None),
            x=alt.X(
                "revenue_share:Q", title="Share of revenue", axis=alt.Axis(format="%")
            ),
            tooltip=[
                "rfm_segment:N",
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("revenue:Q", format=",.2f"),
                alt.Tooltip("revenue_share:Q", format=".1%"),
            ],
        )
        .properties(
            width=width, height=260, title=f"Revenue share by RFM segment{missing}"
        )
    )
    return {"rfm_grid": grid.to_dict(), "rfm_revenue": revenue.to_dict()}


def with_data(spec: dict, data: DashboardData) -> dict:
    """The spec with its named datasets filled and a fixed width, for a PNG."""
    filled = json.loads(json.dumps(spec))
    filled["width"] = PNG_WIDTH
    filled["datasets"] = {
        **filled.get("datasets", {}),
        "cube": data.cube,
        "customers": data.customers,
    }
    return filled


def script_json(value: object) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element."""
    text = json.dumps(value, default=float, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def bundle_cache_path() -> Path:
    """Where the Vega bundle for these versions is kept between runs."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    converter = version("vl-convert-python")
    return (
        root
        / "customer-segmentation"
        / f"vega-lite-{VEGA_LITE_VERSION}-vl-convert-{converter}.js"
    )


def vega_bundle() -> str:
    """The Vega libraries as one script, for the page to work offline.

    vl-convert assembles the bundle anew in every process (most of a small
    run's dashboard time when measured), yet its text depends only on the two
    versions, so it is kept in the user's cache folder once built. The file
    is written whole and then renamed, so a reader never sees half of it.
    """
    cache = bundle_cache_path()
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    library = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}.{os.getpid()}")
        partial.write_text(library, encoding="utf-8")
        partial.replace(cache)
    except OSError:
        pass  # no cache: the next run builds the bundle again, nothing worse
    return library


def render_html(data: DashboardData, specs: dict[str, dict]) -> str:
    library = vega_bundle()
    payload = {
        "segments": data.segments,
        "cube": data.cube,
        "customers": data.customers,
        "customersTotal": data.customers_total,
        "ageBands": data.age_bands,
        "hasDemographics": data.has_demographics,
        "hasTransactions": data.has_transactions,
        "specs": specs,
    }
    template = (Path(__file__).parent / "dashboard_template.html").read_text(
        encoding="utf-8"
    )
    insights = "\n".join(f"<li>{escape(s)}</li>" for s in data.insights)
    return (
        template.replace("/*VEGA_BUNDLE*/", library.replace("</script", "<\\/script"))
        .replace("/*DASHBOARD_DATA*/", script_json(payload))
        .replace("<!--INSIGHTS-->", insights)
    )


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def write_pngs(data: DashboardData, specs: dict[str, dict], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in specs.items():
        png = vl_convert.vegalite_to_png(
            with_data(spec, data), vl_version=VEGA_LITE_VERSION, scale=2
        )
        path = folder / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    return written


def build_dashboard(folder: Path, serving: Path) -> Path:
    """Write dashboard.html and charts/*.png into ``folder``."""
    data = load_data(serving)
    specs = chart_specs(data)
    page = folder / DASHBOARD_FILE
    page.write_text(render_html(data, specs), encoding="utf-8")
    write_pngs(data, specs, folder / CHARTS_FOLDER)
    return page
