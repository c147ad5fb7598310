"""What a run says while it works, on a terminal and in a log."""

import io

from customer_segmentation.running.progress import Progress

DBT_LINES = [
    "\x1b[0m05:48:17  1 of 3 START sql table model main.a ........ [RUN]\n",
    "\x1b[0m05:48:17  1 of 3 \x1b[32mOK\x1b[0m created sql table model main.a [OK]\n",
    "\x1b[0m05:48:17  2 of 3 PASS not_null_a_id ........ [PASS in 0.01s]\n",
]


def test_a_log_gets_one_line_as_each_stage_starts_and_ends():
    out = io.StringIO()
    progress = Progress(out, terminal=False)

    with progress.stage("dbt_build", unit="dbt nodes") as stage:
        for line in DBT_LINES:
            stage.dbt_line(line)
    with progress.stage("publish", unit="tables") as stage:
        stage.advance(total=24)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert [line.split("] ", 1)[1] for line in lines] == [
        "3/5 Building and testing with dbt ...",
        lines[1].split("] ", 1)[1],
        "4/5 Publishing the tables ...",
        lines[3].split("] ", 1)[1],
    ]
    assert lines[1].endswith(", 2 of 3 dbt nodes")
    assert "3/5 Building and testing with dbt: done in " in lines[1]
    assert lines[3].endswith(", 1 of 24 tables")
    assert set(progress.seconds) == {"dbt_build", "publish"}


def test_dbt_lines_pass_through_and_start_lines_do_not_count():
    out = io.StringIO()
    progress = Progress(out, terminal=False)
    with progress.stage("dbt_build", unit="dbt nodes") as stage:
        stage.dbt_line(DBT_LINES[0])
        assert (stage.done, stage.total) == (0, None)
        stage.dbt_line(DBT_LINES[1])
        assert (stage.done, stage.total) == (1, 3)
    assert DBT_LINES[1] in out.getvalue()


def test_a_terminal_gets_a_bar_with_the_count(capsys):
    out = io.StringIO()
    progress = Progress(out, terminal=True)
    with progress.stage("dashboard", unit="charts") as stage:
        for _ in range(7):
            stage.advance(total=7)
    shown = out.getvalue()
    assert "5/5 Drawing the dashboard" in shown
    assert "7/7" in shown
    assert "done in" not in shown


def test_a_timing_only_stage_says_nothing():
    out = io.StringIO()
    progress = Progress(out, terminal=False)
    with progress.stage("inspect_input", shown=False):
        pass
    assert out.getvalue() == ""
    assert "inspect_input" in progress.seconds
