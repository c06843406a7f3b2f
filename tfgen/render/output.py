"""Writing a rendering into its folder.

Every file tfgen writes is recorded in `.tfgen-manifest.json` (path -> sha256): tfgen replaces or
removes only files it wrote, refuses to touch one that was edited since (unless `force`), and
never touches a path outside the folder, whatever a manifest says (`check` writes nothing and
reports what is stale).

A render is all-or-nothing. Under a lock of the folder (so two renders do not interleave), every
new file is first written next to its target under a temporary name; only when all of them are
there are they renamed into place, with Ctrl-C held back for those milliseconds. The new manifest
is written first as `.tfgen-manifest.json.pending` and renamed last, so a render killed half-way
leaves files the next render still recognises as its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from tfgen.errors import InputError, TfgenError
from tfgen.files import PUBLIC, write_file
from tfgen.paths import BuildLayout
from tfgen.readback import read_model

MANIFEST = ".tfgen-manifest.json"
PENDING = MANIFEST + ".pending"
LOCK_TIMEOUT_SECONDS = 120.0
MANIFEST_LIMIT = 16 * 1024 * 1024
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Manifest(BaseModel):
    """What a rendering wrote: relative path -> sha256 of its content."""

    model_config = ConfigDict(extra="forbid")

    generator: str = "tfgen"
    # The blueprint, relative to the output folder: another blueprint of the same name must not
    # silently take the folder over.
    source: str | None = None
    files: dict[str, Digest]


@dataclass
class RenderResult:
    name: str
    out: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # check mode: what a render would change

    @property
    def root(self) -> Path:
        """The rendered root module directory (same as `out`)."""
        return self.out

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.stale)

    def summary(self) -> str:
        if self.stale:
            return f"{self.name}: {len(self.stale)} file(s) stale in {self.out}"
        if not (self.written or self.removed):
            return f"{self.name}: {self.out} is up to date"
        parts = [f"{len(self.written)} written"]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"{self.name}: rendered into {self.out} ({', '.join(parts)}, {len(self.unchanged)} unchanged)"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inside(out: Path, rel: str) -> Path | None:
    """`out / rel` when `rel` is a plain relative path that stays inside `out`, else None."""
    pure = PurePosixPath(rel)
    if not rel or pure.is_absolute() or "\\" in rel or any(part in ("..", ".", "") for part in rel.split("/")):
        return None
    return out / pure


def read_manifest(out: Path, name: str = MANIFEST) -> dict[str, str]:
    """The manifest's files ({} when there is none); InputError naming what is wrong with it."""
    return _manifest(out, name).files


def _manifest(out: Path, name: str = MANIFEST) -> Manifest:
    path = out / name
    if not path.exists() and not path.is_symlink():
        return Manifest(files={})
    fix = "delete it to render afresh; the files it listed will then count as not written by tfgen"
    manifest = read_model(path, Manifest, "a tfgen manifest", fix, MANIFEST_LIMIT)
    outside = sorted(rel for rel in manifest.files if inside(out, rel) is None)
    if outside:
        raise InputError(f"{path}: lists paths outside {out} ({', '.join(outside)}): tfgen only touches files inside its output folder; delete the manifest")
    return manifest


def manifest_bytes(files: dict[str, bytes], source: str | None = None) -> bytes:
    document = {"generator": "tfgen", "source": source, "files": {path: sha256(data) for path, data in sorted(files.items())}}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def source_of(blueprint: str, out: Path) -> str:
    """The blueprint's path as the manifest records it: relative to the output folder, so that
    moving the whole project does not change it."""
    return Path(os.path.relpath(Path(blueprint).resolve(), out.resolve())).as_posix()


def write_atomic(path: Path, data: bytes) -> None:
    """A rendered file: atomic, readable by everyone (it holds no secrets; the var files hold
    only what the blueprint says)."""
    write_file(path, data, mode=PUBLIC)


@dataclass
class _Plan:
    """What a render of `wanted` into `out` would do, and what stands in its way."""

    wanted: dict[str, bytes]
    taken_from: str | None = None  # the other blueprint this folder was rendered from
    to_write: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # ours, changed by someone since we wrote it
    foreign: list[str] = field(default_factory=list)  # not ours, in the way of a file we would write
    blocked: list[str] = field(default_factory=list)  # a folder or other non-file where a file goes

    def refusals(self, out: Path) -> list[str]:
        lines = [f"{out}: rendered from {self.taken_from}, not from this blueprint (render elsewhere with -o)"] if self.taken_from else []
        lines += [f"{out / rel}: edited since tfgen wrote it" for rel in sorted(self.edited)]
        lines += [f"{out / rel}: exists and was not written by tfgen" for rel in sorted(self.foreign)]
        return lines


def _current(path: Path) -> bytes | None:
    """The file's bytes; None when there is none. OSError for a folder or unreadable file in the way."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        raise IsADirectoryError(f"{path} is not a regular file")
    return path.read_bytes()


def _plan(out: Path, files: dict[str, bytes], source: str) -> _Plan:
    pending = read_manifest(out, PENDING)  # a killed render's files count as ours too
    current_manifest = _manifest(out)
    ours = {**pending, **current_manifest.files}
    plan = _Plan({**files, MANIFEST: manifest_bytes(files, source)})
    if current_manifest.source is not None and current_manifest.source != source:
        plan.taken_from = current_manifest.source
    for rel, data in plan.wanted.items():
        try:
            current = _current(out / rel)
        except OSError:
            plan.blocked.append(rel)
            continue
        if current == data:
            plan.unchanged.append(rel)
            continue
        plan.to_write.append(rel)
        if current is None or rel == MANIFEST:
            continue
        digest = sha256(current)
        if rel not in ours:
            plan.foreign.append(rel)
        elif digest != ours[rel] and digest != pending.get(rel):
            plan.edited.append(rel)
    for rel, digest in sorted(ours.items()):
        if rel in plan.wanted:
            continue
        target = inside(out, rel)
        try:
            current = _current(target) if target is not None else None
        except OSError:
            continue  # a folder now stands where our file was: leave it alone
        if current is None:
            continue
        plan.to_remove.append(rel)
        if sha256(current) not in (digest, pending.get(rel)):
            plan.edited.append(rel)
    return plan


def write_rendering(name: str, source: str, files: dict[str, bytes], out: Path, *, check: bool = False, force: bool = False) -> RenderResult:
    """Write `files` into `out` as the rendering of blueprint `name` (file `source`). See the module docstring."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder: tfgen renders into a folder of its own")
    unsafe = sorted(rel for rel in files if inside(out, rel) is None)
    if unsafe:
        raise TfgenError(f"tfgen would write outside {out}: {', '.join(unsafe)}")
    if check:
        return _check(name, source, files, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TfgenError(f"cannot create the output folder {out}: {error.strerror or error}") from None
    with _locked(out):
        return _write(name, source, files, out, force)


def _check(name: str, source: str, files: dict[str, bytes], out: Path) -> RenderResult:
    result = RenderResult(name, out)
    plan = _plan(out, files, source_of(source, out))
    result.unchanged = plan.unchanged
    result.stale = sorted(set(plan.to_write + plan.to_remove + plan.blocked))
    if result.stale and not out.exists():
        raise TfgenError(f"{name}: {out} has not been rendered yet (run `tfgen render {source}`)")
    if result.stale:
        reasons = {rel: "stale" for rel in plan.to_write}
        reasons.update({rel: "would be removed" for rel in plan.to_remove})
        reasons.update({rel: "not written by tfgen" for rel in plan.foreign})
        reasons.update({rel: "edited since tfgen wrote it" for rel in plan.edited})
        reasons.update({rel: "is not a regular file" for rel in plan.blocked})
        lines = [f"{out / rel}: {reasons[rel]}" for rel in result.stale]
        if plan.taken_from:
            lines.insert(0, f"{out}: rendered from {plan.taken_from}, not from this blueprint")
        raise TfgenError(f"{name}: rendered code is out of date (run `tfgen render`):\n" + "\n".join(lines))
    return result


def _write(name: str, source: str, files: dict[str, bytes], out: Path, force: bool) -> RenderResult:
    plan = _plan(out, files, source_of(source, out))
    if plan.blocked:
        listed = "\n".join(f"{out / rel}: is a folder or other non-file where tfgen writes a file; move it away" for rel in plan.blocked)
        raise TfgenError(f"cannot render into {out}:\n{listed}")
    refusals = plan.refusals(out)
    if refusals and not force:
        command = f"tfgen render --force {shlex.quote(source)}" + ("" if out == BuildLayout.default().root(name) else f" -o {shlex.quote(str(out))}")
        raise TfgenError(f"refusing to overwrite files (`{command}` overwrites them):\n" + "\n".join(refusals))
    result = RenderResult(name, out, unchanged=plan.unchanged)
    if not plan.to_write and not plan.to_remove:
        return result
    staged = _stage(out, plan)
    try:
        with _interrupts_held():
            for rel, temporary in staged.items():
                os.replace(temporary, out / rel)
                if rel not in (PENDING, MANIFEST):
                    result.written.append(rel)
            for rel in plan.to_remove:
                target = out / rel
                target.unlink(missing_ok=True)
                result.removed.append(rel)
                _remove_empty_parents(target, out)
            os.replace(out / PENDING, out / MANIFEST)
    except OSError as error:
        raise TfgenError(f"rendering into {out} failed half-way: {error.strerror or error}; render again") from None
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
    return result


def _stage(out: Path, plan: _Plan) -> dict[str, Path]:
    """Every new file under a temporary name next to its target (the pending manifest first, the
    final manifest never: it is the pending one renamed)."""
    order = [PENDING, *(rel for rel in plan.to_write if rel != MANIFEST)]
    contents = {PENDING: plan.wanted[MANIFEST], **plan.wanted}
    staged: dict[str, Path] = {}
    try:
        for rel in order:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged[rel] = Path(name)
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), PUBLIC)
                stream.write(contents[rel])
                stream.flush()
                os.fsync(stream.fileno())
    except BaseException as error:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise TfgenError(f"cannot write into {out}: {error.strerror or error}") from None
        raise
    # the pending manifest goes into place first: from then on, a killed render is recognised
    pending = staged.pop(PENDING)
    os.replace(pending, out / PENDING)
    return staged


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One render at a time per output folder (the lock file sits beside the folder)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(out.parent / f".{out.name}.tfgen-render.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
    except Timeout:
        raise TfgenError(f"another tfgen has been rendering into {out} for {LOCK_TIMEOUT_SECONDS:.0f}s ({lock.lock_file}); try again") from None
    except OSError as error:
        raise TfgenError(f"cannot lock {out} for rendering: {error.strerror or error}") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C waits for the block to finish (renaming staged files takes milliseconds)."""
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    try:
        previous: Any = signal.signal(signal.SIGINT, hold)
    except ValueError:  # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
