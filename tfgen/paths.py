"""Where tfgen keeps its files: the user's cache folder (shared between runs and projects)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "TFGEN_CACHE_DIR"


def cache_dir() -> Path:
    """``$TFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/tfgen``, else ``~/.cache/tfgen``."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base).expanduser() / "tfgen"
