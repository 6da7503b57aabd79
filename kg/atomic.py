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
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import KgError


def write_atomic(path: str | Path, chunks: Iterable[str], *, encoding: str = "utf-8") -> Path:
    """Write the concatenated `chunks` to `path` atomically. An `OSError` (no space, read-only
    directory) is a `KgError` naming the file; the old file, if any, is untouched."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        # mkdir's "File exists" would read as if `path` itself were in the way.
        raise KgError(f"{path}: cannot write ({path.parent} is not a directory)") from None
    except OSError as err:
        raise KgError(f"{path}: cannot write ({err.strerror or err})") from None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise KgError(f"{path}: cannot write ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these are the user's files
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise KgError(f"{path}: cannot write ({err.strerror or err})") from None
        raise
    return path


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
