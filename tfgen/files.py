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

from tfgen.errors import InputError, TfgenError

PRIVATE = 0o600
PUBLIC = 0o644
EXECUTABLE = 0o755
MiB = 1024 * 1024
DEFAULT_LIMIT = 64 * MiB


def read_input(path: Path | str, what: str, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of regular file `path` (`what` names it in messages: "the blueprint", "the plan JSON")."""
    path = Path(path)
    try:
        with open(path, "rb", buffering=0) as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise InputError(f"{path}: is a directory, not {what}")
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{path}: is not a regular file (a pipe, socket or device), not {what}")
            if info.st_size > limit:
                raise InputError(f"{path}: {what} is {info.st_size // MiB} MiB, more than tfgen reads ({limit // MiB} MiB)")
            data = stream.read(limit + 1)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not {what}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read {what}: {error.strerror or error}") from None
    if len(data) > limit:
        raise InputError(f"{path}: {what} is larger than tfgen reads ({limit // MiB} MiB)")
    return data


def read_text(path: Path | str, what: str, limit: int = DEFAULT_LIMIT) -> str:
    data = read_input(path, what, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} is not UTF-8 text") from None


def write_file(path: Path | str, data: bytes | str, *, mode: int = PRIVATE) -> None:
    """Write `data` to `path` atomically with file mode `mode` (see the module docstring)."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
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
