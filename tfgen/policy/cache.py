"""A cache of checkov's results, so a second check of an unchanged plan answers in milliseconds.

Key: sha256 over the plan's bytes, the contents of tfgen's policy code and checks directory, the
`protected` flag (CKV_TFG_8, CKV_TFG_9 and CKV_TFG_12 read it) and the checkov installation (executable path, mtime, size
and dist-info name: cheaper than `checkov --version`, which takes seconds). Skips are *not* part
of the key: tfgen applies them after checkov ran (checkov always runs every check), so changing a
skip reason re-uses the cached run. Entries live in ``$XDG_CACHE_HOME/tfgen/policy/`` (default
``~/.cache/tfgen/policy/``; ``TFGEN_CACHE_DIR`` overrides), mode 0600; the oldest are pruned.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tfgen.errors import TfgenError
from tfgen.files import PRIVATE, write_file
from tfgen.paths import cache_dir as tfgen_cache_dir

MAX_ENTRIES = 256
_POLICY_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    return tfgen_cache_dir() / "policy"


def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_POLICY_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(_POLICY_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def cache_key(plan_bytes: bytes, *, protected: bool, checkov_identity: str) -> str:
    digest = hashlib.sha256()
    for part in (hashlib.sha256(plan_bytes).digest(), _code_digest(), b"protected" if protected else b"open", checkov_identity.encode()):
        digest.update(part + b"\0")
    return digest.hexdigest()


def load(key: str) -> dict[str, Any] | None:
    path = cache_dir() / f"{key}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def store(key: str, data: dict[str, Any]) -> None:
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_file(directory / f"{key}.json", json.dumps(data, separators=(",", ":")), mode=PRIVATE)
        _prune(directory)
    except (OSError, TfgenError):
        pass  # a cache that cannot be written is only slower


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
    for path in entries[: max(0, len(entries) - MAX_ENTRIES)]:
        path.unlink(missing_ok=True)
