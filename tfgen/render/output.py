"""Writing a rendering: files recorded in `.tfgen-manifest.json` (path -> sha256), so that tfgen
only replaces or removes files it wrote and refuses to touch one that was edited since (unless
`force`); `check` writes nothing and reports what is stale."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tfgen.errors import TfgenError

MANIFEST = ".tfgen-manifest.json"


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


def read_manifest(out: Path) -> dict[str, str]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text()).get("files", {})
    except (OSError, ValueError, AttributeError) as error:
        raise TfgenError(f"{path}: unreadable manifest ({error}); remove it or render with --force") from None
    if not isinstance(files, dict):
        raise TfgenError(f"{path}: unreadable manifest; remove it or render with --force")
    return {str(k): str(v) for k, v in files.items()}


def manifest_bytes(files: dict[str, bytes]) -> bytes:
    document = {"generator": "tfgen", "files": {path: sha256(data) for path, data in sorted(files.items())}}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_rendering(name: str, source: str, files: dict[str, bytes], out: Path, *, check: bool = False, force: bool = False) -> RenderResult:
    """Write `files` into `out` as the rendering of blueprint `name` (file `source`). See the module docstring."""
    result = RenderResult(name, out)
    manifest = read_manifest(out)
    wanted = {**files, MANIFEST: manifest_bytes(files)}

    edited: list[str] = []  # ours, changed by someone since we wrote it
    foreign: list[str] = []  # not ours, in the way of a file we would write
    to_write: list[str] = []
    for rel, data in wanted.items():
        current = _current(out / rel)
        if current == data:
            result.unchanged.append(rel)
            continue
        to_write.append(rel)
        if current is None or rel == MANIFEST:
            continue
        if rel in manifest:
            if sha256(current) != manifest[rel]:
                edited.append(rel)
        else:
            foreign.append(rel)
    to_remove = []
    for rel, digest in sorted(manifest.items()):
        if rel in wanted:
            continue
        current = _current(out / rel)
        if current is None:
            continue
        to_remove.append(rel)
        if sha256(current) != digest:
            edited.append(rel)

    if check:
        result.stale = sorted(set(to_write + to_remove))
        if result.stale and not out.exists():
            raise TfgenError(f"{name}: {out} has not been rendered yet (run `tfgen render {source}`)")
        if result.stale:
            lines = [
                f"{out / rel}: "
                + (
                    "edited since tfgen wrote it"
                    if rel in edited
                    else "not written by tfgen"
                    if rel in foreign
                    else "would be removed"
                    if rel in to_remove
                    else "stale"
                )
                for rel in result.stale
            ]
            raise TfgenError(f"{name}: rendered code is out of date (run `tfgen render`):\n" + "\n".join(lines))
        return result
    if (edited or foreign) and not force:
        lines = [f"{out / rel}: edited since tfgen wrote it" for rel in sorted(edited)]
        lines += [f"{out / rel}: exists and was not written by tfgen" for rel in sorted(foreign)]
        raise TfgenError("refusing to overwrite files (use --force to overwrite them):\n" + "\n".join(lines))

    for rel in to_write:
        if rel != MANIFEST:
            write_atomic(out / rel, wanted[rel])
            result.written.append(rel)
    for rel in to_remove:
        (out / rel).unlink(missing_ok=True)
        result.removed.append(rel)
        _remove_empty_parents(out / rel, out)
    if MANIFEST in to_write:
        write_atomic(out / MANIFEST, wanted[MANIFEST])
    return result


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


