"""Durable writes: a file is written whole to a new temporary file beside it, flushed to disk and renamed
over the old one, so a kill, a full disk or a crash leaves either the old file or the new one, never half
of either. The temporary file is created exclusively under a random name (`mkstemp`), so a planted file or
symlink is never opened or followed. `build_lock` keeps two builds out of one directory.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import KgError


def write_atomic(path: str | Path, chunks: Iterable[str], *, encoding: str = "utf-8") -> Path:
    """Write the concatenated `chunks` to `path` atomically. An `OSError` (no space, read-only
    directory) is a `KgError` naming the file; the old file, if any, is untouched."""
    with replacing(path) as tmp, tmp.open("w", encoding=encoding, newline="\n") as fh:
        for chunk in chunks:
            fh.write(chunk)
    return Path(path)


def _parent_dir(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        # mkdir's "File exists" would read as if `path` itself were in the way.
        raise KgError(f"{path}: cannot write ({path.parent} is not a directory)") from None
    except OSError as err:
        raise KgError(f"{path}: cannot write ({err.strerror or err})") from None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A new, empty temporary file beside `path`, for writers that want a file name (networkx's GraphML,
    a CSV writer): when the block ends without error it is flushed to disk and renamed over `path`;
    otherwise it is removed and `path` is untouched. `OSError`s become a `KgError` naming `path`."""
    path = Path(path)
    _parent_dir(path)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as err:
        raise KgError(f"{path}: cannot write ({err.strerror or err})") from None
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these are the user's files
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise KgError(f"{path}: cannot write ({err.strerror or err})") from None
        raise


@contextlib.contextmanager
def staged_files(out: str | Path, *, last: str) -> Iterator[Path]:
    """A private staging directory inside `out` for a set of files that belong together (CSV files and
    the script that imports them). When the block ends without error each staged file replaces its
    namesake in `out` by rename; `last` (the file that makes the set usable) is removed first and renamed
    in last, so a kill between renames leaves no script pointing at a mix of old and new files. Files of
    `out` that the new set does not name are left alone. On error nothing in `out` changes."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=out, prefix=".kg-stage-"))
    except OSError as err:
        raise KgError(f"{out}: cannot write ({err.strerror or err})") from None
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir())
        for name in names:
            _fsync(stage / name)
            os.chmod(stage / name, 0o755 if name == last else 0o644)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out / last)
        for name in sorted(names, key=lambda n: n == last):
            os.replace(stage / name, out / name)
        _fsync(out)
    except OSError as err:
        raise KgError(f"{out}: cannot write ({err.strerror or err})") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def build_lock(out: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on `out` for one build; a second build into it fails at once with a
    one-line error instead of interleaving its files with ours. The lock goes with the process, so a
    killed build never leaves a stale one."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / ".kg-build.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise KgError(f"{out}: cannot lock the build directory ({err.strerror or err})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise KgError(f"{out}: another kg build is writing here; wait for it to finish or give "
                              "another --out") from None
            raise KgError(f"{out}: cannot lock the build directory ({err.strerror or err})") from None
        yield out
    finally:
        os.close(fd)
