"""The dashboard's sentences at a size the demo never reaches."""

import duckdb

from customer_segmentation.dashboard.insights import key_insights


def test_insight_counts_carry_thousands_separators():
    con = duckdb.connect()
    con.execute(
        """
        create table cluster_summary as
        select * from (values
            (1, 'Average', 4001962, 0.4, 60.0, 50.0),
            (2, 'Low Income, High Spend', 1100000, 0.11, 25.0, 79.0)
        ) t(cluster_id, segment_name, customers, customer_share,
            avg_annual_income_k, avg_spending_score)
        """
    )
    con.execute(
        "create table segment_overview as select 60.5 as avg_annual_income_k,"
        " 50.2 as avg_spending_score, 1.21 as income_to_spend_ratio,"
        " 0.56 as female_share, 0.44 as male_share"
    )
    con.execute(
        """
        create table age_groups as
        select * from (values ('<=20', 1, 1700000), ('21-30', 2, 6000000))
        t(age_band, age_band_order, customers)
        """
    )
    sentences = key_insights(con)
    assert sentences[0] == (
        "Average is the largest segment, with 4,001,962 customers (40%)."
    )
    assert sentences[4] == (
        "21-30 is the largest age band with 6,000,000 customers; <=20 is the "
        "smallest with 1,700,000."
    )
    assert sentences[5].startswith("Low Income, High Spend: 1,100,000 customers")
