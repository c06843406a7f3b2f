"""What a saved plan does, grouped per service and per module, from Terraform's plan JSON.

Only addresses and action kinds are read: values (possibly sensitive) are never printed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

ACTION_KINDS = ("create", "update", "replace", "delete")

if TYPE_CHECKING:
    from rich.console import Console


# Replacing one of these adds a revision and keeps the previous one (the modules set skip_destroy):
# nothing is lost, so a protected environment applies it without --allow-destroy.
REVISIONED_TYPES = frozenset({"aws_ecs_task_definition"})


@dataclass(frozen=True)
class Change:
    """One resource change of a plan."""

    address: str
    module: str
    kind: str  # create | update | replace | delete
    resource_type: str = ""

    @property
    def is_destructive(self) -> bool:
        if self.kind == "replace" and self.resource_type in REVISIONED_TYPES:
            return False
        return self.kind in ("replace", "delete")


@dataclass
class GroupSummary:
    """Counts of change kinds for one service or module."""

    name: str
    counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {kind: self.counts.get(kind, 0) for kind in ACTION_KINDS}


@dataclass
class PlanSummary:
    """A plan's changes, by module and by service."""

    changes: list[Change]
    service_modules: dict[str, str]  # module name -> service name

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(change.kind for change in self.changes)
        return {kind: counts.get(kind, 0) for kind in ACTION_KINDS}

    @property
    def destructive(self) -> list[Change]:
        return [change for change in self.changes if change.is_destructive]

    def by_group(self) -> list[GroupSummary]:
        groups: dict[str, GroupSummary] = {}
        for change in self.changes:
            name = self.group_name(change.module)
            groups.setdefault(name, GroupSummary(name)).counts[change.kind] += 1
        return [groups[name] for name in sorted(groups)]

    def group_name(self, module: str) -> str:
        if module in self.service_modules:
            return f"service {self.service_modules[module]}"
        return f"module {module}" if module else "root"

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "groups": {group.name: group.as_dict() for group in self.by_group()},
            "destructive": [{"address": c.address, "action": c.kind} for c in self.destructive],
            "changes": [{"address": c.address, "action": c.kind} for c in self.changes],
        }


def action_kind(actions: Iterable[str]) -> str | None:
    """Terraform's `change.actions` list as one kind; None for no-op and read."""
    acts = list(actions)
    if "delete" in acts and "create" in acts:
        return "replace"
    for kind in ("create", "update", "delete"):
        if kind in acts:
            return kind
    return None


def top_module(address: str) -> str:
    """`module.api.module.task.aws_x.y` -> `api`; a root resource -> ''."""
    parts = address.split(".")
    if len(parts) > 2 and parts[0] == "module":
        return parts[1].split("[")[0]
    return ""


def summarize_plan(plan: dict[str, Any], service_modules: dict[str, str] | None = None) -> PlanSummary:
    """The changes in `plan` (Terraform plan JSON), grouped by top-level module."""
    changes = []
    for resource in plan.get("resource_changes", []):
        if resource.get("mode") == "data":
            continue
        kind = action_kind(resource.get("change", {}).get("actions", []))
        if kind:
            changes.append(Change(resource["address"], top_module(resource["address"]), kind, str(resource.get("type", ""))))
    changes.sort(key=lambda change: change.address)
    return PlanSummary(changes, dict(service_modules or {}))


def summary_json(summary: PlanSummary, **extra: Any) -> str:
    return json.dumps({**extra, **summary.as_dict()}, indent=2, sort_keys=True)


def print_summary_table(summary: PlanSummary, env: str, console: Console | None = None, title: str | None = None) -> None:
    """Per-service/module counts, with destroys and replacements highlighted."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=title or f"plan for {env}", title_justify="left")
    table.add_column("service / module")
    for kind, style in zip(ACTION_KINDS, ("green", "yellow", "bold magenta", "bold red"), strict=True):
        table.add_column(kind, justify="right", style=style)
    for group in summary.by_group():
        table.add_row(group.name, *(str(n) if n else "" for n in group.as_dict().values()))
    table.add_row("total", *(str(n) for n in summary.totals.values()), end_section=True)
    console.print(table)
    for change in summary.destructive:
        console.print(f"[bold red]{change.kind:>8}[/] {change.address}")
    if not summary.changes:
        console.print("No changes: the infrastructure matches the configuration.")
