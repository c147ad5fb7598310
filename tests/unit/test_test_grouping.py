"""The suite's slow tiers share one cluster run because pytest-xdist keeps
every test marked xdist_group("spark-cluster") on one worker
(--dist=loadgroup). pytest 9.2 silently broke that (pytest-xdist issue
1386: the group suffix xdist writes into the node id no longer takes): the
cluster's tests were split over both workers, and one waited 12 minutes on
the other's fixture. This runs xdist as the suite does, on four grouped
tests in two files."""

import re
import subprocess
import sys


def test_grouped_tests_run_on_one_worker(tmp_path):
    for name in ("test_first.py", "test_second.py"):
        (tmp_path / name).write_text(
            "import pytest\n"
            'pytestmark = pytest.mark.xdist_group("together")\n'
            "def test_one():\n    pass\n"
            "def test_two():\n    pass\n"
        )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-n", "2", "--dist=loadgroup",
         "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    passed = re.findall(r"\[(gw\d)\] .*PASSED (\S+)", run.stdout)
    assert len(passed) == 4, run.stdout
    assert {worker for worker, _ in passed} in ({"gw0"}, {"gw1"}), run.stdout
    assert all(test.endswith("@together") for _, test in passed), run.stdout
