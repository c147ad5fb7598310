"""One run at a time per publish folder, per dbt target folder and per warehouse.

Two runs that share any of these would corrupt each other: the warehouse
holds the history one run read, the publish folder is replaced whole. Each
is guarded by an exclusive lock on a lock file that holds the owner's pid
(``flock``; on Windows, ``msvcrt.locking`` on its first byte). The operating
system releases the lock when its owner exits or dies, so a lock left by a
killed run is taken over at once, and its file is reused.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from customer_segmentation.messages import setting

TIMEOUT_VARIABLE = "SEGMENTS_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 1800.0
POLL_SECONDS = 0.25
BUSY_ON_WINDOWS = {errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


class LockBusy(Exception):
    """Another run kept the lock for longer than this run would wait."""


def lock_timeout(raw: str | None) -> float:
    """Seconds to wait for a lock, from SEGMENTS_LOCK_TIMEOUT (0: do not wait)."""
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise LockBusy(
            f"{setting(TIMEOUT_VARIABLE)}={raw!r} is not usable; it takes the "
            "seconds to "
            "wait for another run, 0 or more"
        )
    return seconds


def lock_file_for(path: Path) -> Path:
    """The lock file of a folder or file: a hidden file beside it."""
    return path.with_name(f".{path.name}.lock")


def holder(lock_file: Path) -> str:
    try:
        pid = lock_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"


def _locked(descriptor: int) -> bool:
    """Lock the open file without waiting; False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        # msvcrt answers a locked region with EACCES or EDEADLOCK
        if sys.platform == "win32" and error.errno in BUSY_ON_WINDOWS:
            return False
        raise
    return True


def _try_lock(lock_file: Path) -> int | None:
    """The locked file's descriptor, or None if another process holds it."""
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    if not _locked(descriptor):
        os.close(descriptor)
        return None
    # The last owner removes the file as it leaves; a descriptor opened just
    # before that locks a file nobody else will ever see. Start again then.
    try:
        current = os.stat(lock_file).st_ino
    except FileNotFoundError:
        current = None
    if current != os.fstat(descriptor).st_ino:
        os.close(descriptor)
        return _try_lock(lock_file)
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
    return descriptor


@contextmanager
def exclusive(
    guarded: Path, what: str, timeout: float, say: Callable[[str], None]
) -> Iterator[int]:
    """Hold ``guarded``'s lock for the block, waiting up to ``timeout`` seconds.

    Yields the lock file's descriptor: a child process that inherits it
    holds the lock with this one, until both are gone (see running/child.py).
    """
    lock_file = lock_file_for(guarded)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    announced = False
    while (descriptor := _try_lock(lock_file)) is None:
        if time.monotonic() >= deadline:
            raise LockBusy(
                f"{what} {guarded} is in use by another run ({holder(lock_file)}); "
                f"waited {timeout:g} s ({setting(TIMEOUT_VARIABLE)}). Run again "
                "when it has finished."
            )
        if not announced:
            say(
                f"Waiting for another run ({holder(lock_file)}) to finish with "
                f"{what} {guarded} (up to {timeout:g} s, {setting(TIMEOUT_VARIABLE)})"
            )
            announced = True
        time.sleep(POLL_SECONDS)
    try:
        yield descriptor
    finally:
        # Windows cannot remove an open file: the next run reuses it there.
        with suppress(OSError):
            lock_file.unlink(missing_ok=True)
        os.close(descriptor)


@contextmanager
def run_locks(
    guarded: dict[Path, str], timeout: float, say: Callable[[str], None]
) -> Iterator[tuple[int, ...]]:
    """Hold every lock in ``guarded`` (path -> what it is) for the block.

    Taken in one order (sorted by path) by every command, so two that need
    the same two locks cannot each hold one and wait for the other. Yields
    the lock files' descriptors, for the child processes that must hold
    them too.
    """
    with ExitStack() as stack:
        yield tuple(
            stack.enter_context(exclusive(path, guarded[path], timeout, say))
            for path in sorted(guarded)
        )
