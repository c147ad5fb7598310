"""The dashboard's inlined Vega libraries and its chart images are built once,
then read from the user's cache."""

import os

import vl_convert

from customer_segmentation.dashboard.page import (
    CACHED_CHARTS,
    VEGA_LITE_VERSION,
    bundle_cache_path,
    chart_png,
    prune,
    vega_bundle,
)
from customer_segmentation.publishing.ownership import digest_file


def test_the_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    built = vega_bundle()

    cache = bundle_cache_path()
    assert cache.is_relative_to(tmp_path)
    assert built == vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    assert cache.read_text(encoding="utf-8") == built
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]
    # what the next run gets is what the cache holds, not a fresh build
    cache.write_text("/* cached */", encoding="utf-8")
    assert vega_bundle() == "/* cached */"


def test_a_cache_that_cannot_be_written_still_gives_the_bundle(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))

    assert vega_bundle() == vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    assert not_a_folder.read_text(encoding="utf-8") == ""


SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
    "mark": "point",
    "encoding": {"x": {"field": "x", "type": "quantitative"}},
}


def test_a_chart_is_drawn_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    drawn = []
    draw = vl_convert.vegalite_to_png

    def counting(spec, **options):
        drawn.append(spec)
        return draw(spec, **options)

    monkeypatch.setattr(vl_convert, "vegalite_to_png", counting)

    first = chart_png(SPEC)
    again = chart_png(SPEC)
    other = chart_png({**SPEC, "mark": "bar"})

    assert first == again and first[:8] == b"\x89PNG\r\n\x1a\n"
    assert other != first
    assert len(drawn) == 2

    # an image changed in the cache is not the cache's: drawn again, not read
    charts = tmp_path / "customer-segmentation" / "charts"
    [cached] = [p for p in charts.glob("*.png") if p.read_bytes() == first]
    cached.write_bytes(b"not a chart")
    assert chart_png(SPEC) == first
    assert len(drawn) == 3


def test_the_cache_deletes_only_old_images_it_listed_unchanged(tmp_path):
    charts = tmp_path / "charts"
    charts.mkdir()
    names = [f"{i:064x}.png" for i in range(CACHED_CHARTS + 3)]
    for age, name in enumerate(names):
        (charts / name).write_bytes(b"png %d" % age)
        os.utime(charts / name, (age, age))
    listed = {name: digest_file(charts / name) for name in names}
    # a listed image changed since (now someone else's), and files never listed
    (charts / names[0]).write_bytes(b"edited")
    (charts / f"{999:064x}.png").write_bytes(b"not written by the cache")
    (charts / "mine.png").write_bytes(b"a user's file")

    kept = prune(charts, listed)

    assert sorted(kept) == names[3:]
    assert sorted(p.name for p in charts.iterdir()) == sorted(
        [names[0], *names[3:], f"{999:064x}.png", "mine.png"]
    )
