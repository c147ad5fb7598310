"""The dashboard's inlined Vega libraries are built once per version, then cached."""

import vl_convert

from customer_segmentation.dashboard.page import (
    VEGA_LITE_VERSION,
    bundle_cache_path,
    vega_bundle,
)


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
