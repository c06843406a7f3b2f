"""Progress lines from Terraform's machine-readable UI events (`-json`), one per resource.

Lines go to stderr so that `--format json` keeps stdout to one JSON document.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

_VERBS = {
    "apply_start": "{action}...",
    "apply_complete": "{action} complete",
    "apply_errored": "{action} FAILED",
    "refresh_complete": "refreshed",
}
_PAST = {"create": "creating", "update": "updating", "delete": "destroying", "replace": "replacing", "read": "reading"}


@dataclass
class ProgressPrinter:
    """Turns Terraform UI events into `[  12.3s] address: creating...` lines."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    enabled: bool = True
    started: float = field(default_factory=time.monotonic)
    planned: int = 0

    def __call__(self, event: dict[str, Any]) -> None:
        if not self.enabled:
            return
        line = self.describe(event)
        if line:
            self.stream.write(f"[{time.monotonic() - self.started:7.1f}s] {line}\n")
            self.stream.flush()

    def describe(self, event: dict[str, Any]) -> str | None:
        kind = event.get("type", "")
        hook = event.get("hook") or {}
        if kind in _VERBS and hook.get("resource"):
            address = hook["resource"].get("addr", "?")
            action = _PAST.get(hook.get("action", ""), hook.get("action", ""))
            return f"{address}: {_VERBS[kind].format(action=action)}"
        if kind == "planned_change":
            self.planned += 1
            change = event.get("change") or {}
            return f"{change.get('resource', {}).get('addr', '?')}: will {change.get('action', '?')}"
        if kind == "change_summary":
            changes = event.get("changes") or {}
            return (
                f"{changes.get('operation', 'plan')}: {changes.get('add', 0)} to add, "
                f"{changes.get('change', 0)} to change, {changes.get('remove', 0)} to destroy"
            )
        return None


def progress_for(enabled: bool | None) -> Callable[[dict[str, Any]], None]:
    """A progress printer; `enabled=None` means: only when stderr is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return ProgressPrinter(enabled=enabled)
