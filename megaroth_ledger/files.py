"""Private files: everything megaroth writes holds tax data.

- Files are created ``0600`` and folders ``0700`` whatever the umask (the mode is set with
  ``fchmod``/``chmod`` after creation, which the umask does not touch).
- A file is only ever *created* with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a symlink at that
  name, dangling or not, is never followed to create a file somewhere else.
- Whole-file outputs (workbooks, CSV) are written to ``NAME.part`` beside the target,
  flushed and ``fsync``-ed, then renamed over the target (:func:`atomic_output`): a reader
  sees the old file or the new one, never half of one.
- An ``OSError`` on a path the user gave becomes one line naming the path and what to do
  (:func:`os_error`), a :class:`~megaroth_ledger.errors.UserError`.

Sources: POSIX ``open()`` (O_EXCL with O_CREAT fails if the path exists, "including a
symbolic link"), ``rename()`` (atomic replacement), ``fsync()``; OpenSSH's StrictModes
(keys readable by others are refused) is the model for tightening an existing ledger.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError

FILE_MODE = 0o600
DIR_MODE = 0o700

_WHAT_TO_DO = {
    errno.ENOENT: "the folder does not exist; create it first or give another path",
    errno.ENOTDIR: "a part of the path is not a folder; give another path",
    errno.EACCES: "permission denied; give a path in a folder you can write to",
    errno.EPERM: "permission denied; give a path in a folder you can write to",
    errno.EROFS: "the file system is read-only; give a path on a writable disk",
    errno.ENOSPC: "the disk is full; free some space and try again",
    errno.EDQUOT: "the disk quota is exceeded; free some space and try again",
    errno.EISDIR: "it is a folder; give a file path",
    errno.ENAMETOOLONG: "the name is too long; give a shorter path",
    errno.ELOOP: "it is a symbolic link; give the real path",
    errno.EEXIST: "it already exists",
}


def os_error(exc: OSError, path: Path | str, doing: str) -> UserError:
    """One line for an ``OSError`` on ``path``: ``cannot DOING PATH: reason; what to do``."""
    hint = _WHAT_TO_DO.get(exc.errno or 0)
    reason = exc.strerror or str(exc)
    return UserError(f"cannot {doing} {path}: {reason}" + (f" ({hint})" if hint else ""))


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each new one ``0700`` (existing ones untouched)."""
    missing = []
    p = folder
    while not p.exists():
        if p.is_symlink():  # a dangling symlink in the way: never create through it
            raise UserError(
                f"cannot create folder {p}: it is a dangling symbolic link; remove it or give another path"
            )
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, DIR_MODE)


def create_private_file(path: Path) -> bool:
    """Create an empty ``0600`` file at ``path`` if nothing is there; True if it was created.

    Missing folders are created ``0700``. A symbolic link at ``path`` (dangling or not) is not
    followed: an existing target is left to the caller, a dangling one is refused.
    """
    if path.is_symlink() and not path.exists():
        raise UserError(
            f"{path} is a dangling symbolic link; megaroth does not create files "
            "through one: remove it or give the real path"
        )
    make_private_dirs(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def readable_by_others(path: Path) -> bool:
    try:
        return bool(os.stat(path).st_mode & 0o077)
    except OSError:
        return False


def tighten(path: Path) -> bool:
    """Make an existing file ``0600`` if group or others may read it; True if it was changed."""
    if not readable_by_others(path):
        return False
    try:
        os.chmod(path, FILE_MODE)
    except OSError:
        return False
    return True


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def open_private_part(target: Path) -> Path:
    """Create (empty, ``0600``) the ``.part`` file beside ``target``, replacing a stale one left
    by an earlier crash. Never follows a symlink. Raises a one-line UserError on OS errors."""
    if target.is_dir():
        raise UserError(f"cannot write {target}: it is a folder; give a file path")
    if target.is_symlink() and not target.exists():
        raise UserError(
            f"{target} is a dangling symbolic link; megaroth does not create files "
            "through one: remove it or give the real path"
        )
    part = part_path(target)
    try:
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(target.parent))
        if part.is_symlink() or part.exists():
            part.unlink()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, target, "write") from None
    return part


def commit_part(part: Path, target: Path) -> None:
    """fsync ``part`` and rename it over ``target`` (atomic), then fsync the folder."""
    try:
        fd = os.open(part, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(part, FILE_MODE)
        os.replace(part, target)
    except OSError as exc:
        try:
            part.unlink()
        except OSError:
            pass
        raise os_error(exc, target, "write") from None
    fsync_dir(target.parent)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a private ``.part`` path to write; on success it replaces ``target`` atomically,
    on any error it is removed and ``target`` is left as it was."""
    part = open_private_part(target)
    try:
        yield part
    except BaseException:
        try:
            part.unlink()
        except OSError:
            pass
        raise
    commit_part(part, target)


def write_private_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` privately and atomically (``atomic_output``)."""
    with atomic_output(target) as part:
        try:
            with open(part, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
        except OSError as exc:
            raise os_error(exc, target, "write") from None
