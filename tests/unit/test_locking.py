import os
import subprocess
import sys
import time

import pytest

import customer_segmentation.publishing.locking as locking
from customer_segmentation.publishing.locking import (
    LockBusy,
    exclusive,
    lock_file_for,
    lock_timeout,
    run_locks,
)

HOLD = """
import sys, time
from pathlib import Path
from customer_segmentation.publishing.locking import exclusive
with exclusive(Path(sys.argv[1]), "folder", 0, print):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    released = time.time()
print(released, flush=True)
"""


def hold_in_other_process(path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_a_second_run_gives_up_after_the_timeout_naming_the_holder(tmp_path):
    holder = hold_in_other_process(tmp_path / "publish", 30)
    said = []
    try:
        with (
            pytest.raises(
                LockBusy, match=rf"in use by another run \(pid {holder.pid}\)"
            ),
            exclusive(tmp_path / "publish", "publish folder", 0.5, said.append),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert said and f"pid {holder.pid}" in said[0]


def test_a_waiting_run_goes_on_when_the_holder_finishes(tmp_path):
    holder = hold_in_other_process(tmp_path / "publish", 1)
    said = []
    with exclusive(tmp_path / "publish", "publish folder", 30, said.append):
        acquired = time.time()
    released = float(holder.stdout.readline())
    holder.wait()
    assert acquired >= released, "the lock was held by both runs at once"
    assert len(said) == 1 and "Waiting for another run" in said[0]


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path):
    holder = hold_in_other_process(tmp_path / "publish", 60)
    holder.kill()
    holder.wait()
    # the dead run could not remove its lock file, and it names a dead pid
    assert lock_file_for(tmp_path / "publish").read_text().strip() == str(holder.pid)

    with exclusive(tmp_path / "publish", "publish folder", 0, print):
        assert lock_file_for(tmp_path / "publish").read_text().strip() == str(
            os.getpid()
        )
    assert not lock_file_for(tmp_path / "publish").exists()


def test_locks_are_taken_in_one_order_so_two_runs_cannot_deadlock(
    tmp_path, monkeypatch
):
    first, second = tmp_path / "a", tmp_path / "b"
    order = []

    def recording(path, what, timeout, say):
        order.append(path)
        return exclusive(path, what, timeout, say)

    monkeypatch.setattr(locking, "exclusive", recording)
    with run_locks({second: "b", first: "a"}, 0, print):
        pass
    assert order == [first, second]


@pytest.mark.parametrize("raw", ["-1", "soon", "inf"])
def test_a_bad_timeout_is_refused(raw):
    with pytest.raises(LockBusy, match="SEGMENTS_LOCK_TIMEOUT"):
        lock_timeout(raw)


def test_the_timeout_defaults_when_unset():
    assert lock_timeout(None) == lock_timeout("") > 0
    assert lock_timeout("0") == 0
    assert lock_timeout("2.5") == 2.5
