"""`tfgen destroy`: a saved destroy plan (`terraform plan -destroy -out`), the same summary as
`plan`, the same protection as `apply` (a protected environment needs --allow-destroy), a
confirmation (or --yes), then the saved destroy plan is applied, and only that plan.

What a destroy keeps is said in the output: the state bucket `tfgen bootstrap` created (with the
state and its lock file) is not in the configuration, and task definition revisions are kept
registered (the modules set skip_destroy). In unprotected environments the ECR repositories are
force-deleted with their images (`force_delete = !protected`); in a protected one they are not,
and the load balancer has deletion protection on, which AWS enforces.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from rich.console import Console

from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.errors import InputError, TfgenError
from tfgen.render.model import STATE_KEY
from tfgen.summary import PlanSummary, print_summary_table
from tfgen.workflow import EventHandler, PlanOutcome, apply_environment, clear_plan, plan_environment, refuse_protected_destroy

KEPT_REVISIONS = "aws_ecs_task_definition"


@dataclass
class DestroyResult:
    environment: str
    destroyed: int = 0
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False


def interactive() -> bool:
    """Whether a person can answer the confirmation (stdin and stderr are terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask_environment_name(env: str) -> bool:
    """The confirmation: the person types the environment's name."""
    answer = click.prompt(f"destroy every resource above in '{env}'? type the environment name to confirm", default="", show_default=False, err=True)
    return str(answer).strip() == env


def kept_and_notes(loaded: LoadedBlueprint, env: str, summary: PlanSummary, offline: bool, state_dir: str) -> tuple[list[str], list[str]]:
    """What the destroy leaves in place, and what a protected environment's AWS refuses."""
    environment = loaded.blueprint.environments[env]
    kept: list[str] = []
    if offline:
        kept.append(f"the offline state and simulated account under {state_dir}/")
    else:
        key = STATE_KEY.format(application=loaded.name, environment=env)
        region = environment.state.region or environment.region or loaded.blueprint.region
        kept.append(f"the state bucket {environment.state.bucket} ({region}) with the state {key} and its lock file {key}.tflock")
    revisions = sorted(c.address for c in summary.changes if c.resource_type == KEPT_REVISIONS and c.kind == "delete")
    if revisions:
        kept.append(f"the task definition revisions ({len(revisions)} families): ECS keeps them registered (skip_destroy); they cost nothing")
    notes: list[str] = []
    if environment.protected:
        types = {c.resource_type for c in summary.changes}
        if "aws_ecr_repository" in types:
            notes.append("protected: the ECR repositories are not force-deleted; AWS refuses to delete one that still holds images")
        if "aws_lb" in types:
            notes.append("protected: the load balancer has deletion protection on; AWS refuses to delete it until an apply turns it off")
    return kept, notes


def destroy_environment(
    loaded: LoadedBlueprint,
    env: str,
    *,
    offline: bool = False,
    allow_destroy: bool = False,
    yes: bool = False,
    lock_timeout: str | None = None,
    on_event: EventHandler | None = None,
    console: Console | None = None,
    confirm: Callable[[str], bool] = ask_environment_name,
) -> DestroyResult:
    """Plan the destroy, show it, refuse or confirm, apply it. The saved destroy plan never
    outlives a refusal or a "no": `tfgen apply` cannot pick it up later."""
    console = console or Console()
    resolved = loaded.for_environment(env)
    outcome: PlanOutcome = plan_environment(
        loaded, env, offline=offline, lock_timeout=lock_timeout, on_event=on_event, run_policy_checks=False, destroy=True
    )
    result = DestroyResult(env)
    try:
        summary = outcome.summary
        result.kept, result.notes = kept_and_notes(loaded, env, summary, offline, str(outcome.paths.data_dir))
        if not summary.changes:
            console.print(f"nothing to destroy: the state of '{env}' holds no resources")
            return result
        print_summary_table(summary, env, console, title=f"destroy plan for {env}")
        refuse_protected_destroy(env, resolved.environments[env].protected, outcome.meta.destructive, allow_destroy, "destroy")
        for line in (*(f"kept: {k}" for k in result.kept), *(f"note: {n}" for n in result.notes)):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if not yes:
            if not interactive():
                raise InputError(f"destroy of '{env}' needs a confirmation and there is no terminal to ask: pass --yes to destroy without asking")
            if not confirm(env):
                raise TfgenError(f"destroy of '{env}' cancelled: nothing was changed")
        apply_environment(loaded, env, offline=offline, allow_destroy=allow_destroy, lock_timeout=lock_timeout, on_event=on_event, destroy=True)
        result.applied = True
        result.destroyed = summary.totals["delete"]
        return result
    finally:
        if not result.applied:
            clear_plan(outcome.paths)
