"""The offline dashboard, opened and clicked in a real browser."""

import re
import time
from html import unescape

import pytest
from browser import OUTPUT_DIR, launch
from customer_files import read_rows, write_csv
from pipeline_runs import PipelineRun, require_success, run_pipeline
from playwright.sync_api import sync_playwright

from customer_segmentation.powerbi.semantic_model import MEASURES

CARDS = (
    "customers",
    "segments",
    "avg-income",
    "avg-score",
    "ratio",
    "female-share",
    "male-share",
)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_dashboard(browser, run: PipelineRun):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in {"error", "warning"}
            else None
        ),
    )
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    started = time.perf_counter()
    page.goto((run.publish_dir / "dashboard.html").as_uri())
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    print(f"\ndashboard ready in {time.perf_counter() - started:.2f} s")
    return page, problems, requests


def wait_until_ready(page) -> None:
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)


def read_cards(page) -> dict[str, str]:
    return {name: page.inner_text(f'[data-card="{name}"]') for name in CARDS}


def expected_cards(run: PipelineRun, where: str = "true") -> dict[str, str]:
    """The cards, computed straight from customer_segments."""
    [(customers, segments, income, score, female, male)] = run.query(
        f"""
        select count(*), count(distinct segment_name), avg(annual_income_k),
            avg(spending_score),
            avg((gender = 'Female')::int), avg((gender = 'Male')::int)
        from customer_segments where {where}
        """
    )
    return {
        "customers": f"{customers:,}",
        "segments": f"{segments:,}",
        "avg-income": f"{income:.2f}",
        "avg-score": f"{score:.2f}",
        "ratio": f"{income / score:.2f}",
        "female-share": f"{round(female * 100)}%",
        "male-share": f"{round(male * 100)}%",
    }


def overview_cards(run: PipelineRun) -> dict[str, str]:
    """The cards as segment_overview, the SQL home of the headline metrics,
    defines them."""
    [(customers, segments, income, score, ratio, female, male)] = run.query(
        "select customers, segments, avg_annual_income_k, avg_spending_score,"
        " income_to_spend_ratio, female_share, male_share from segment_overview"
    )
    return {
        "customers": f"{customers:,}",
        "segments": f"{segments:,}",
        "avg-income": f"{income:.2f}",
        "avg-score": f"{score:.2f}",
        "ratio": f"{ratio:.2f}",
        "female-share": f"{round(female * 100)}%",
        "male-share": f"{round(male * 100)}%",
    }


def test_slicers_and_drill_down_in_a_real_browser(browser, demo_run):
    page, problems, requests = open_dashboard(browser, demo_run)

    assert read_cards(page) == overview_cards(demo_run) == expected_cards(demo_run)

    page.select_option("#filter-gender", "Female")
    wait_until_ready(page)
    female_cards = read_cards(page)
    assert female_cards == expected_cards(demo_run, "gender = 'Female'")
    assert female_cards["female-share"] == "100%"

    page.locator("#chart-spending svg path[role=graphics-symbol]").first.click()
    wait_until_ready(page)
    segment = page.input_value("#filter-segment")
    assert segment, "clicking a bar should select its segment"
    shown = page.locator("#customer-table tbody tr").all_inner_texts()
    expected_ids = {
        cid
        for (cid,) in demo_run.query(
            "select customer_id from customer_segments"
            f" where gender = 'Female' and segment_name = '{segment}'"
        )
    }
    assert {row.split("\t")[0] for row in shown} == expected_ids
    assert all(f"\t{segment}\t" in row for row in shown)
    assert read_cards(page)["segments"] == "1"

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard_drill_down.png"), full_page=True)

    page.click("#clear-filters")
    wait_until_ready(page)
    assert read_cards(page) == expected_cards(demo_run)
    assert page.locator("#selected-customers").is_hidden()

    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests


# The dashboard's cards and the Power BI measures they mirror.
CARD_MEASURES = {
    "customers": "Customers",
    "segments": "Segments",
    "avg-income": "Average Income (k$)",
    "avg-score": "Average Spending Score",
    "ratio": "Income-to-Spend Ratio",
    "female-share": "Female Share",
    "male-share": "Male Share",
}


def power_bi_text(value: float, format_string: str) -> str:
    """How Power BI shows a value under the format strings the model uses."""
    if format_string == "0%":
        return f"{round(value * 100)}%"
    decimals = {"#,0": 0, "#,0.0": 1, "#,0.00": 2}[format_string]
    return f"{value:,.{decimals}f}"


@pytest.mark.reference
def test_the_dashboard_and_the_power_bi_cards_show_the_same_numbers(
    browser, reference_run
):
    page, problems, _ = open_dashboard(browser, reference_run)
    measures = {m.name: m for m in MEASURES}
    expected = {}
    for card, name in CARD_MEASURES.items():
        table, column = measures[name].mirrors
        [(value,)] = reference_run.query(f"select {column} from {table}")
        expected[card] = power_bi_text(value, measures[name].format_string)
    assert read_cards(page) == expected
    assert expected["customers"] == "200" and expected["female-share"] == "56%"
    assert problems == []


def test_numbers_carry_thousands_separators(browser, demo_run):
    """At 10 million customers the cards read 10,000,000, not 10000000."""
    page, problems, _ = open_dashboard(browser, demo_run)
    shown = page.evaluate(
        "[dashboardFormat.count(10000000), dashboardFormat.number(4001962.5, 2),"
        " dashboardFormat.percent(0.2)]"
    )
    assert shown == ["10,000,000", "4,001,962.50", "20%"]
    assert problems == []


def test_the_segment_table_shows_each_description_from_sql(browser, demo_run):
    page, problems, _ = open_dashboard(browser, demo_run)
    rows = page.locator("#cluster-table tbody tr").all_inner_texts()
    descriptions = demo_run.query(
        "select segment_name, segment_description from cluster_summary"
        " order by cluster_id"
    )
    assert len(rows) == len(descriptions)
    for row, (name, description) in zip(rows, descriptions, strict=True):
        cells = row.split("\t")
        assert (cells[0], cells[-1]) == (name, description)
    assert problems == []


def insights(run: PipelineRun) -> list[str]:
    html = (run.publish_dir / "dashboard.html").read_text(encoding="utf-8")
    block = html.split('<ul class="insights" id="insights">', 1)[1].split("</ul>", 1)[0]
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", block)]


def test_insights_match_the_marts(demo_run):
    sentences = insights(demo_run)
    [(name, customers)] = demo_run.query(
        "select segment_name, customers from cluster_summary"
        " order by customers desc limit 1"
    )
    [(top, score)] = demo_run.query(
        "select segment_name, avg_spending_score from cluster_summary"
        " order by avg_spending_score desc limit 1"
    )
    [(ratio, female, male)] = demo_run.query(
        "select income_to_spend_ratio, female_share, male_share from segment_overview"
    )
    assert sentences[0].startswith(
        f"{name} is the largest segment, with {customers:,} customers"
    )
    assert sentences[1] == f"{top} has the highest average spending score, {score:.2f}."
    assert f"ratio is {ratio:.2f}" in sentences[2]
    assert sentences[3] == f"{female:.0%} of customers are female and {male:.0%} male."


@pytest.mark.reference
def test_insights_on_the_reference_data(reference_run):
    sentences = insights(reference_run)
    assert sentences[:5] == [
        "Average is the largest segment, with 81 customers (40%).",
        "High Income, High Spend has the highest average spending score, 82.13.",
        "The overall income-to-spend ratio is 1.21 (average income 60.56 k$ / "
        "average spending score 50.20).",
        "56% of customers are female and 44% male.",
        "31-40 is the largest age band with 60 customers; <=20 and 61+ are the "
        "smallest with 17 each.",
    ]
    assert sentences[5].startswith("Low Income, High Spend: 22 customers (11%)")


def test_text_from_the_input_shows_as_text_and_never_runs(
    browser, baseline_file, tmp_path
):
    header, rows = read_rows(baseline_file)
    hostile = [
        "</script><script>window.pwned = 1</script>",
        '<img src=x onerror="window.pwned = 2">',
        "\"'&amp;",
    ]
    for row, customer_id in zip(rows, hostile, strict=False):
        row[0] = customer_id
    path = write_csv(tmp_path / "hostile.csv", header, rows)
    run = require_success(run_pipeline(tmp_path / "run", path))

    page, problems, _ = open_dashboard(browser, run)
    assert page.evaluate("window.pwned") is None
    [(segment,)] = run.query(
        "select segment_name from customer_segments where customer_id = "
        "'</script><script>window.pwned = 1</script>'"
    )
    page.select_option("#filter-segment", segment)
    wait_until_ready(page)
    ids = [
        row.split("\t")[0]
        for row in page.locator("#customer-table tbody tr").all_inner_texts()
    ]
    assert hostile[0] in ids
    assert page.evaluate("window.pwned") is None
    assert problems == []


def test_chart_images_are_written_beside_the_page(demo_run):
    charts = sorted((demo_run.publish_dir / "charts").glob("*.png"))
    assert [c.stem for c in charts] == [
        "age",
        "clv_alive",
        "clv_holdout",
        "clv_tracking",
        "clv_value",
        "elbow",
        "gender",
        "rfm_grid",
        "rfm_revenue",
        "scatter",
        "spending",
    ]
    for chart in charts:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert chart.stat().st_size > 10_000


def test_the_value_and_the_tracking_show_their_intervals(browser, transactions_run):
    """Each segment's value has its 90% interval drawn across the bar, and
    the weekly tracking's expectation its band (doc clv_intervals)."""
    page, problems, _ = open_dashboard(browser, transactions_run)
    spans = [
        high - low
        for low, high in transactions_run.query(
            "select total_clv_low, total_clv_high from cluster_summary"
            " where total_clv_low < total_clv_high"
        )
    ]
    widths = page.evaluate(
        """[...document.querySelectorAll('#chart-clv_value g.mark-rule.role-mark line')]
            .map((line) => line.getBBox().width)"""
    )
    # one rule per segment, each as long as its interval on the value axis
    assert len(spans) > 1 and len(widths) == len(spans)
    assert max(widths) > 1
    assert sorted(w / max(widths) for w in widths) == pytest.approx(
        sorted(span / max(spans) for span in spans), abs=0.01
    )
    bands = page.evaluate(
        """[...document.querySelectorAll(
                '#chart-clv_tracking g.mark-area.role-mark path'
            )].map((band) => band.getBBox().height)"""
    )
    assert len(bands) == 1 and bands[0] > 1
    assert "Value over the next 52 weeks" in page.inner_text("#chart-clv_value")
    assert problems == []
    page.close()


def test_the_page_is_self_contained(demo_run):
    html = (demo_run.publish_dir / "dashboard.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", html)


@pytest.mark.parametrize("kind", ["demo_run", "transactions_run"])
def test_the_page_fits_a_laptop_and_shows_only_what_the_run_has(browser, request, kind):
    """At 1366 px nothing scrolls sideways; a run shows the cards, columns
    and charts it has data for, and says once what it leaves out."""
    run = request.getfixturevalue(kind)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((run.publish_dir / "dashboard.html").as_uri())
    wait_until_ready(page)
    page.screenshot(path=str(OUTPUT_DIR / f"dashboard_1366_{kind}.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shown = page.evaluate(
        """[...document.querySelectorAll('[data-card], #cluster-table td')]
            .filter((e) => e.offsetParent !== null).map((e) => e.textContent)"""
    )
    assert shown and "\u2013" not in shown, shown  # the page's "no value" dash
    visible = {
        name: page.is_visible(selector)
        for name, selector in {
            "income card": '[data-card="avg-income"]',
            "female card": '[data-card="female-share"]',
            "gender chart": "#chart-gender",
            "age chart": "#chart-age",
            "age column": "#cluster-table th:nth-child(4)",
            "rfm grid": "#chart-rfm_grid",
            "lifetime value": "#chart-clv_value",
            "p alive": "#chart-clv_alive",
            "holdout": "#chart-clv_holdout",
            "tracking": "#chart-clv_tracking",
            "note": "#demographics-note",
            "behaviour note": "#behaviour-note",
        }.items()
    }
    demographics = kind == "demo_run"
    assert visible == {
        "income card": demographics,
        "female card": demographics,
        "gender chart": demographics,
        "age chart": demographics,
        "age column": demographics,
        "rfm grid": not demographics,
        "lifetime value": not demographics,
        "p alive": not demographics,
        "holdout": False,  # neither run holds data out (clv_calibration_end)
        "tracking": not demographics,  # weeks to the data's end all the same
        "note": not demographics,
        "behaviour note": demographics,
    }
    text = page.inner_text("body")
    assert text.count("No demographics in this run") == (0 if demographics else 1)
    assert text.count("No purchase behaviour in this run") == (1 if demographics else 0)
    page.close()
