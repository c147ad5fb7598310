"""The page: one self-contained HTML file with the Vega libraries and the data
inlined, and a PNG of every chart."""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Callable
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path

import vl_convert

from customer_segmentation.dashboard.charts import CHARTS, chart_specs
from customer_segmentation.dashboard.data import DashboardData, load_data
from customer_segmentation.publishing.ownership import (
    Manifest,
    digest_bytes,
    is_unchanged,
    read_manifest,
)
from customer_segmentation.publishing.publish_folder import (
    CHARTS_FOLDER,
    DASHBOARD_FILE,
)

PNG_WIDTH = 480
VEGA_LITE_VERSION = "6.4"
TEMPLATE = Path(__file__).parent / "template.html"
# Chart images kept between runs: a repeat run on the same data draws none.
CACHED_CHARTS = 200
CACHE_MANIFEST = ".customer-segmentation-manifest"
CACHE_OWNER = "customer-segmentation chart cache"


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


def cache_folder() -> Path:
    """The product's own folder in the user's cache (XDG_CACHE_HOME)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "customer-segmentation"


def bundle_cache_path() -> Path:
    """Where the Vega bundle for these versions is kept between runs."""
    converter = version("vl-convert-python")
    return cache_folder() / f"vega-lite-{VEGA_LITE_VERSION}-vl-convert-{converter}.js"


def write_whole(path: Path, content: bytes) -> None:
    """Write a cache file whole, then rename, so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(content)
    partial.replace(path)


def chart_png(filled: dict) -> bytes:
    """The PNG of a spec with its data, drawn once per spec, data and versions.

    Drawing the charts was most of the dashboard's time on a repeat run; the
    image depends only on the spec with its data and the two versions, so it
    is kept in the cache folder under their hash. The cache's manifest lists
    what it wrote: only a listed, unchanged image is read back or deleted.
    """
    text = json.dumps(filled, sort_keys=True, default=float)
    key = f"{VEGA_LITE_VERSION}/{version('vl-convert-python')}/{text}"
    name = f"{hashlib.sha256(key.encode()).hexdigest()}.png"
    charts = cache_folder() / "charts"
    cached = read_manifest(charts, CACHE_MANIFEST, CACHE_OWNER)
    listed = dict(cached.files) if cached else {}
    if name in listed and is_unchanged(charts, name, listed[name]):
        return (charts / name).read_bytes()
    png = vl_convert.vegalite_to_png(filled, vl_version=VEGA_LITE_VERSION, scale=2)
    # no cache: the next run draws the chart again, nothing worse
    with suppress(OSError):
        write_whole(charts / name, png)
        listed[name] = digest_bytes(png)
        kept = prune(charts, listed)
        manifest = Manifest(CACHE_OWNER, kept).to_text()
        write_whole(charts / CACHE_MANIFEST, manifest.encode("utf-8"))
    return png


def prune(
    charts: Path, listed: dict[str, tuple[int, str]]
) -> dict[str, tuple[int, str]]:
    """The newest CACHED_CHARTS listed images, the older ones deleted. A
    listed image that changed or went is no longer the cache's: unlisted,
    never deleted."""
    ours = sorted(
        (name for name, digest in listed.items() if is_unchanged(charts, name, digest)),
        key=lambda name: (charts / name).stat().st_mtime,
    )
    for old in ours[:-CACHED_CHARTS]:
        (charts / old).unlink()
    return {name: listed[name] for name in ours[-CACHED_CHARTS:]}


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
    # no cache: the next run builds the bundle again, nothing worse
    with suppress(OSError):
        write_whole(cache, library.encode("utf-8"))
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
        "hasClv": data.has_clv,
        "hasHoldout": bool(data.clv_holdout),
        "hasTracking": bool(data.clv_tracking),
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
        path = folder / f"{name}.png"
        path.write_bytes(chart_png(with_data(spec, data)))
        written.append(path)
        if on_chart is not None:
            on_chart(total=len(specs))
    return written


def planned_files() -> list[str]:
    """What build_dashboard writes, relative to its folder."""
    return [DASHBOARD_FILE, *(f"{CHARTS_FOLDER}/{name}.png" for name in CHARTS)]


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
