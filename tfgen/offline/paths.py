"""Where tfgen keeps files shared between runs (TLS key, trimmed schemas)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$TFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/tfgen``, else ``~/.cache/tfgen``."""
    configured = os.environ.get("TFGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tfgen"
