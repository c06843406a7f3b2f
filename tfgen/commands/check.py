"""The body of `tfgen check`: find the plan, run the checks, print or write the chosen format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import InputError
from tfgen.files import PUBLIC, write_file
from tfgen.paths import BuildLayout
from tfgen.policy import run_policy
from tfgen.policy.declared import environment_policy
from tfgen.policy.formats import render
from tfgen.workflow import plan_environment

if TYPE_CHECKING:
    from tfgen.policy import PolicyResult
    from tfgen.policy.declared import EnvironmentPolicy


def check_command(blueprint: Path | None, environment: str | None, offline: bool, plan_json: Path | None, output_format: str, output: Path | None) -> int:
    """Exit code: 0 every check passed (or was skipped), 1 a check failed; InputError for bad input."""
    if plan_json is not None:
        if blueprint is not None or environment:
            raise InputError("give either BLUEPRINT -e ENV or --plan-json FILE, not both")
        _refuse_output_over_input(output, plan_json)
        result = run_policy(plan_json, skips={}, protected=False)
    else:
        if blueprint is None or not environment:
            raise InputError("usage: tfgen check BLUEPRINT -e ENV [--offline] | tfgen check --plan-json FILE")
        path, policy = _environment_plan(blueprint, environment, offline)
        result = run_policy(path, skips=policy.skips, protected=policy.protected, declared=policy.declared)

    subject = str(blueprint) if plan_json is None else None
    color = output is None and output_format == "table" and sys.stdout.isatty()
    text = render(result, output_format, color=color, blueprint=subject, environment=environment if plan_json is None else None)
    if output is not None:
        write_file(output, text if output_format != "table" else render(result, "table"), mode=PUBLIC)
        click.echo(render(result, "table") if output_format == "table" else _summary_line(result), err=True, nl=False)
    else:
        click.echo(text, nl=False)
    return 0 if result.passed else 1


def _refuse_output_over_input(output: Path | None, plan_json: Path) -> None:
    if output is not None and plan_json.exists() and output.exists() and output.resolve() == plan_json.resolve():
        raise InputError(f"-o {output} is the plan being checked: the report would overwrite it; write the report elsewhere")


def _summary_line(result: PolicyResult) -> str:
    summary = result.summary()
    verdict = "PASSED" if result.passed else "FAILED"
    return f"{verdict} {result.plan}: {summary['failed']} failed, {summary['skipped']} skipped, {summary['passed']} passed\n"


def _environment_plan(blueprint: Path, environment: str, offline: bool) -> tuple[Path, EnvironmentPolicy]:
    """The environment's plan JSON (planning first when there is none) and its policy inputs."""
    loaded = load_blueprint(blueprint)
    environments = loaded.blueprint.environments
    if environment not in environments:
        raise InputError(f"{blueprint}: environment '{environment}' is not in the blueprint (environments: {', '.join(environments)})")
    policy = environment_policy(loaded, environment)
    plan_path = BuildLayout.default().environment(loaded.name, environment).plan_json
    if not plan_path.is_file():
        click.echo(f"no plan for '{environment}' yet: planning{' offline' if offline else ''}", err=True)
        outcome = plan_environment(loaded, environment, offline=offline, run_policy_checks=False)
        plan_path = Path(outcome.paths.plan_json)
    return plan_path, policy
