"""Reading, writing and deleting below an owned folder without following a link.

A manifest lists paths relative to its folder. Before this module, a listed
``charts/a.png`` was checked with ``is_symlink()`` on its last part only, so
a ``charts`` folder replaced by a link to somebody's pictures led a clean
into them. Here every part of a relative path is opened in turn from the
folder's own descriptor with ``O_NOFOLLOW`` (a directory also with
``O_DIRECTORY``), so a path that passes through a link anywhere below the
folder is never read, written or deleted: it belongs to somebody else.

Where the platform has no ``dir_fd`` support (Windows), each part is
checked with ``lstat`` instead, which leaves a window between the check and
the use; Linux and macOS have no such window.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
BINARY = getattr(os, "O_BINARY", 0)
HAS_DIR_FD = {os.open, os.unlink, os.rmdir, os.mkdir, os.stat} <= os.supports_dir_fd


class ThroughLink(OSError):
    """A part of the path is a link (or not a folder): not the owner's."""


def parts_of(relative: str) -> list[str]:
    return list(PurePosixPath(relative).parts)


def _open_dir(name: str, parent: int | None) -> int:
    try:
        return os.open(name, os.O_RDONLY | DIRECTORY | NO_FOLLOW, dir_fd=parent)
    except OSError as error:
        # ELOOP (Linux) or ENOTDIR: a link, or a file where a folder should be
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise ThroughLink(error.errno, error.strerror, name) from None
        raise


@contextmanager
def parent_of(folder: Path, relative: str, create: bool = False) -> Iterator[int]:
    """The descriptor of the folder that holds ``relative``, reached from
    ``folder`` through real folders only (made when ``create``)."""
    if not HAS_DIR_FD:
        yield from _checked_parent(folder, relative, create)
        return
    descriptor = _open_dir(str(folder), None)
    try:
        for part in parts_of(relative)[:-1]:
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=descriptor)
            inner = _open_dir(part, descriptor)
            os.close(descriptor)
            descriptor = inner
        yield descriptor
    finally:
        os.close(descriptor)


def _checked_parent(folder: Path, relative: str, create: bool) -> Iterator[int]:
    """Windows: each part checked by lstat; yields no descriptor (None)."""
    path = folder
    for part in parts_of(relative)[:-1]:
        path = path / part
        if create and not os.path.lexists(path):
            path.mkdir()
        if path.is_symlink() or not path.is_dir():
            raise ThroughLink(f"{path} is a link or not a folder")
    yield None  # type: ignore[misc]


def _name(relative: str) -> str:
    return parts_of(relative)[-1]


def _at(folder: Path, relative: str, parent: int | None) -> str:
    """The last part relative to ``parent``, or the whole path without one."""
    return _name(relative) if parent is not None else str(folder / relative)


def through_link(folder: Path, relative: str) -> bool:
    """True when ``relative`` passes through a link, or is one."""
    try:
        with parent_of(folder, relative) as parent:
            found = os.stat(
                _at(folder, relative, parent), dir_fd=parent, follow_symlinks=False
            )
    except ThroughLink:
        return True
    except FileNotFoundError:
        return False
    return stat.S_ISLNK(found.st_mode)


def file_digest(folder: Path, relative: str) -> tuple[int, str] | None:
    """Size and SHA-256 of a plain file reached without a link; None for
    anything else (missing, a link, a folder, a part of the way a link)."""
    try:
        with parent_of(folder, relative) as parent:
            return _digest_at(_at(folder, relative, parent), parent)[0]
    except (ThroughLink, FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno in (errno.ELOOP,):
            return None
        raise


def _digest_at(name: str, parent: int | None) -> tuple[tuple[int, str] | None, tuple]:
    descriptor = os.open(name, os.O_RDONLY | NO_FOLLOW | BINARY, dir_fd=parent)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None, ()
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return (info.st_size, digest), (info.st_dev, info.st_ino)
    finally:
        os.close(descriptor)


def unlink_if_unchanged(folder: Path, relative: str, listed: tuple[int, str]) -> bool:
    """Delete a plain file reached without a link when its bytes are still
    ``listed`` (size, SHA-256); True if deleted."""
    try:
        with parent_of(folder, relative) as parent:
            name = _at(folder, relative, parent)
            digest, identity = _digest_at(name, parent)
            if digest != listed:
                return False
            found = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if (found.st_dev, found.st_ino) != identity:
                return False  # replaced between the hash and now
            os.unlink(name, dir_fd=parent)
            return True
    except (ThroughLink, FileNotFoundError):
        return False
    except OSError as error:
        if error.errno == errno.ELOOP:
            return False
        raise


def _remove_if(
    folder: Path,
    relative: str,
    is_kind: Callable[[int], bool],
    remove: Callable[..., None],
) -> bool:
    """Remove ``relative`` when it is of the kind ``is_kind`` tells (itself,
    not what a link leads to); True if removed."""
    with parent_of(folder, relative) as parent:
        name = _at(folder, relative, parent)
        if not is_kind(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
            return False
        remove(name, dir_fd=parent)
        return True


def unlink_listed(folder: Path, relative: str) -> bool:
    """Delete a plain file (not a link, not reached through one); True if deleted."""
    try:
        return _remove_if(folder, relative, stat.S_ISREG, os.unlink)
    except (ThroughLink, FileNotFoundError):
        return False


def rmdir_if_empty(folder: Path, relative: str) -> bool:
    """Remove an empty real folder below ``folder``; True if removed."""
    try:
        return _remove_if(folder, relative, stat.S_ISDIR, os.rmdir)
    except (ThroughLink, OSError):
        return False


def write_file(folder: Path, relative: str, data: bytes) -> None:
    """Write ``data`` to ``relative``, making its folders, following no link:
    a link on the way (or in the file's place) raises ThroughLink."""
    with parent_of(folder, relative, create=True) as parent:
        name = _at(folder, relative, parent)
        try:
            descriptor = os.open(
                name,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NO_FOLLOW | BINARY,
                0o666,
                dir_fd=parent,
            )
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise ThroughLink(error.errno, error.strerror, relative) from None
            raise
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)


def plain_entries(folder: Path) -> list[str]:
    """Every entry below ``folder``, as relative POSIX paths, folders included;
    a link is listed but never entered."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root).relative_to(folder)
        for name in dirs + files:
            found.append((base / name).as_posix())
    return sorted(found)
