"""The page: one self-contained HTML file with the Vega libraries and the data
inlined, and a PNG of every chart."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import vl_convert

from customer_segmentation.dashboard.charts import chart_specs
from customer_segmentation.dashboard.data import DashboardData, load_data
from customer_segmentation.publish_folder import CHARTS_FOLDER, DASHBOARD_FILE

PNG_WIDTH = 480
VEGA_LITE_VERSION = "6.4"
TEMPLATE = Path(__file__).parent / "template.html"


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
    template = TEMPLATE.read_text(encoding="utf-8")
    insights = "\n".join(f"<li>{html.escape(s)}</li>" for s in data.insights)
    return (
        template.replace("/*VEGA_BUNDLE*/", library.replace("</script", "<\\/script"))
        .replace("/*DASHBOARD_DATA*/", script_json(payload))
        .replace("<!--INSIGHTS-->", insights)
    )


def write_pngs(
    data: DashboardData,
    specs: dict[str, dict],
    folder: Path,
    on_chart: Callable[..., None] | None = None,
) -> list[Path]:
    """A PNG of every chart; ``on_chart(total=n)`` after each, for progress."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in specs.items():
        png = vl_convert.vegalite_to_png(
            with_data(spec, data), vl_version=VEGA_LITE_VERSION, scale=2
        )
        path = folder / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
        if on_chart is not None:
            on_chart(total=len(specs))
    return written


def build_dashboard(
    folder: Path, serving: Path, on_chart: Callable[..., None] | None = None
) -> Path:
    """Write dashboard.html and charts/*.png into ``folder``."""
    data = load_data(serving)
    specs = chart_specs(data)
    page = folder / DASHBOARD_FILE
    page.write_text(render_html(data, specs), encoding="utf-8")
    write_pngs(data, specs, folder / CHARTS_FOLDER, on_chart)
    return page
