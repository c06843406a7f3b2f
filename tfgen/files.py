"""Reading and writing the files tfgen touches, one way each.

``read_input``: only regular files (a FIFO, a device or ``/dev/zero`` would hang or never end),
at most ``limit`` bytes, every OS error turned into a one-line ``InputError`` naming the file.

``write_file``: atomic and private by default. The data goes to an unpredictable temporary name in
the target's folder (created with ``O_EXCL``, so a symlink planted there is never followed), is
given its mode explicitly (a pre-existing file's looser mode is not kept), flushed to disk, and
renamed over the target. A reader sees the old file or the new one, never half of one. Plan JSON,
saved plans and state hold sensitive values in clear text: 0600 is the default.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from tfgen.errors import InputError, Problem, TfgenError

PRIVATE = 0o600
PUBLIC = 0o644
EXECUTABLE = 0o755
MiB = 1024 * 1024
DEFAULT_LIMIT = 64 * MiB


def read_input(path: Path | str, what: str, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of regular file `path` (`what` names it in messages: "the blueprint", "the plan JSON").

    Refusals are ``InputError``s with one problem located at the file (``FILE:1:1: <root>: ...``).
    """
    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever before fstat can refuse it.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with open(descriptor, "rb", buffering=0) as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise _refusal(path, f"is a directory, not {what}")
            if not stat.S_ISREG(info.st_mode):
                raise _refusal(path, f"is not a regular file (a pipe, socket or device), not {what}")
            if info.st_size > limit:
                raise _refusal(path, f"{what} is {info.st_size // MiB} MiB, more than tfgen reads ({limit // MiB} MiB)")
            os.set_blocking(descriptor, True)
            data = stream.read(limit + 1) or b""
    except IsADirectoryError:
        raise _refusal(path, f"is a directory, not {what}") from None
    except OSError as error:
        raise _refusal(path, f"cannot read {what}: {error.strerror or error}") from None
    if len(data) > limit:
        raise _refusal(path, f"{what} is larger than tfgen reads ({limit // MiB} MiB)")
    return data


def read_text(path: Path | str, what: str, limit: int = DEFAULT_LIMIT) -> str:
    data = read_input(path, what, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise InputError([Problem(str(path), line, column, "", f"{what} is not UTF-8 text")]) from None


def _refusal(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), 1, 1, "", message)])


def write_file(path: Path | str, data: bytes | str, *, mode: int = PRIVATE) -> None:
    """Write `data` to `path` atomically with file mode `mode` (see the module docstring)."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        existing = path.lstat()
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise TfgenError(f"cannot write {path}: {error.strerror or error}") from None
    if existing is not None and not (stat.S_ISREG(existing.st_mode) or stat.S_ISLNK(existing.st_mode)):
        raise TfgenError(f"cannot write {path}: it exists and is not a regular file (a folder, device or pipe)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise TfgenError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise TfgenError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
