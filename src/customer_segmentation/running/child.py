"""Child processes (dbt) that hold the run's locks and die with it.

A `segments` process killed outright (``kill -9``, a closed terminal) must
not leave dbt running with the warehouse open, or the next run fails on
DuckDB's own lock. Two things see to it:

- the child inherits the descriptors of the run's lock files; a ``flock``
  lock belongs to the open file, so it is released only when every process
  holding it is gone: the next run waits for the child instead of failing;
- on Linux the kernel sends the child SIGKILL when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), so that wait is short.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence

PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> Callable[[], None] | None:
    """What the child runs before it starts: ask for SIGKILL when ``parent`` dies."""
    if sys.platform != "linux":
        return None
    # Looked up here, not between fork and exec, where as little as
    # possible should run.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    kill = int(signal.SIGKILL)

    def arrange() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arrange


def run_child(
    command: Sequence[str],
    env: dict[str, str],
    locks: Sequence[int] = (),
    on_line: Callable[[str], None] | None = None,
) -> int:
    """Run ``command`` to its end holding ``locks`` (descriptors); its exit code.

    With ``on_line``, the child's output (stdout and stderr) goes there line
    by line instead of to this process's stdout. An interrupt (Ctrl-C) kills
    the child and waits for it before it propagates, so the locks are free
    when this process lets them go.
    """
    with subprocess.Popen(
        list(command),
        env=env,
        pass_fds=tuple(locks),
        preexec_fn=die_with(os.getpid()),
        stdout=subprocess.PIPE if on_line else None,
        stderr=subprocess.STDOUT if on_line else None,
        text=True,
        errors="replace",
    ) as child:
        try:
            if on_line is not None:
                for line in child.stdout:
                    on_line(line)
            return child.wait()
        except BaseException:
            child.kill()
            child.wait()
            raise
