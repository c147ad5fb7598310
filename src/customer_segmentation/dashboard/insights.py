"""The dashboard's sentences: computed from the marts at build time, never
written by hand."""

from __future__ import annotations

import duckdb


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
