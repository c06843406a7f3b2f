"""tfgen's command line (click). Commands are thin: they parse flags, call one module, and map
errors to exit codes (0 ok, 1 problem found, 2 bad input) without tracebacks."""

from __future__ import annotations

import errno
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from tfgen.cli_options import GoDuration, Seconds, seconds
from tfgen.errors import InputError, TfgenError

BLUEPRINT = click.Path(path_type=Path, dir_okay=False)
MAX_WAIT = 24 * 3600.0  # --timeout and TFGEN_STATUS_INTERVAL, seconds
MIN_POLL = 0.1  # below this, --wait would hammer the ECS and ELB APIs


class NonEmptyPath(click.Path):
    """A path option that refuses the empty string (which would mean the current folder)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path is not a folder: give one, or leave the option out", param, ctx)
        return super().convert(value, param, ctx)


def echo_warnings(loaded: Any) -> None:
    """A blueprint's located warnings on stderr: `FILE:LINE:COL: path: warning: message (hint)`."""
    for warning in loaded.warnings:
        click.echo(str(replace(warning, message=f"warning: {warning.message}")), err=True)


class TfgenGroup(click.Group):
    """Turns tfgen's exceptions into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(str(error), err=True)
            ctx.exit(2)
        except TfgenError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except OSError as error:
            if error.errno not in _OUTPUT_ERRORS:
                raise
            # stdout is full, closed or gone (`> /dev/full`, `| head`): say so once, on stderr.
            _silence_stdout()
            if error.errno != errno.EPIPE:
                click.echo(f"error: cannot write the output: {error.strerror}", err=True)
            ctx.exit(1)


_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EBADF})


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=TfgenGroup)
@click.version_option(package_name="tfgen")
def cli() -> None:
    """Render ECS application blueprints into Terraform, plan them per environment, gate them with policy checks."""


# --- render / validate / schema (blueprint and rendering) -------------------------------------


@cli.command()
@click.argument("blueprints", nargs=-1, required=True, type=BLUEPRINT)
@click.option("-o", "--out", type=NonEmptyPath(path_type=Path, file_okay=False), help="Output directory (one blueprint only); default build/<name>/.")
@click.option("--check", is_flag=True, help="Exit 1 and name the files that are stale or were edited; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite generated files even when someone edited them.")
def render(blueprints: tuple[Path, ...], out: Path | None, check: bool, force: bool) -> None:
    """Render BLUEPRINT... into Terraform under build/<name>/."""
    from tfgen.blueprint.loader import validate_blueprints
    from tfgen.render import render as render_blueprint

    if out is not None and len(blueprints) > 1:
        raise InputError(f"-o/--out takes one blueprint, got {len(blueprints)}: render them one at a time or drop -o")
    stale: list[str] = []
    for loaded in validate_blueprints(blueprints):
        echo_warnings(loaded)
        try:
            result = render_blueprint(loaded, out, check=check, force=force)
        except TfgenError as error:
            if not check or isinstance(error, InputError):
                raise
            stale.append(str(error))
            continue
        click.echo(result.summary())
    if stale:
        raise TfgenError("\n".join(stale))


@cli.command()
@click.argument("blueprints", nargs=-1, required=True, type=BLUEPRINT)
def validate(blueprints: tuple[Path, ...]) -> None:
    """Validate blueprints and run real `terraform validate` on their rendering, offline."""
    from tfgen.blueprint.loader import validate_blueprints
    from tfgen.commands.validate import validate_offline

    for loaded in validate_blueprints(blueprints):
        echo_warnings(loaded)
        for line in validate_offline(loaded):
            click.echo(line)


@cli.command()
def schema() -> None:
    """Print the blueprint JSON Schema."""
    import json

    from tfgen.blueprint.schema import blueprint_json_schema

    click.echo(json.dumps(blueprint_json_schema(), indent=2, sort_keys=True))


# --- plan / apply (workflow) -------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True, help="Environment name from the blueprint.")
@click.option("--offline", is_flag=True, help="Use the offline AWS provider and local state.")
@click.option("--set", "settings", multiple=True, metavar="PATH=VALUE", help="e.g. services.api.image_tag=abc123")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "markdown"]), default="table")
@click.option("--lock-timeout", type=GoDuration(), default=None, help="How long terraform waits for the state lock, e.g. 60s or 5m.")
@click.option("--progress/--no-progress", default=None, help="Resource-by-resource progress on stderr (default: when it is a terminal).")
def plan(
    blueprint: Path, environment: str, offline: bool, settings: tuple[str, ...], output_format: str, lock_timeout: str | None, progress: bool | None
) -> None:
    """Plan one environment: render if stale, init, plan, policy checks, summary."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.progress import progress_for
    from tfgen.summary import print_summary_table, summary_json
    from tfgen.workflow import plan_environment

    loaded = load_blueprint(blueprint)
    echo_warnings(loaded)
    outcome = plan_environment(
        loaded, environment, offline=offline, settings=settings, lock_timeout=lock_timeout, on_event=progress_for(progress)
    )
    policy_passed = outcome.meta.policy_passed
    if output_format == "json":
        click.echo(summary_json(outcome.summary, environment=environment, plan_json=str(outcome.paths.plan_json), policy_passed=policy_passed))
    elif output_format == "markdown":
        from tfgen.report_markdown import render_markdown

        click.echo(render_markdown(outcome.summary, outcome.policy, blueprint=str(blueprint), environment=environment), nl=False)
        click.echo(f"saved plan: {outcome.paths.plan_file}", err=True)
    else:
        print_summary_table(outcome.summary, environment)
        if outcome.policy is not None:
            from tfgen.policy import print_policy_summary

            print_policy_summary(outcome.policy)
        apply_command = shlex.join(["tfgen", "apply", str(blueprint), "-e", environment] + (["--offline"] if offline else []))
        click.echo(f"saved plan: {outcome.paths.plan_file} (apply with: {apply_command})")
    if policy_passed is False:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
@click.option("--offline", is_flag=True)
@click.option("--allow-destroy", is_flag=True, help="Allow destroys/replacements in a protected environment.")
@click.option("--set", "settings", multiple=True, metavar="PATH=VALUE", help="Must equal the --set values of the plan.")
@click.option("--lock-timeout", type=GoDuration(), default=None, help="How long terraform waits for the state lock, e.g. 60s or 5m.")
@click.option("--progress/--no-progress", default=None, help="Resource-by-resource progress on stderr (default: when it is a terminal).")
def apply(
    blueprint: Path, environment: str, offline: bool, allow_destroy: bool, settings: tuple[str, ...], lock_timeout: str | None, progress: bool | None
) -> None:
    """Apply the saved plan of one environment."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.progress import progress_for
    from tfgen.workflow import apply_environment

    loaded = load_blueprint(blueprint)
    apply_environment(
        loaded,
        environment,
        offline=offline,
        allow_destroy=allow_destroy,
        settings=settings,
        lock_timeout=lock_timeout,
        on_event=progress_for(progress),
    )
    click.echo(f"applied the saved plan of '{environment}'", err=True)


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True, help="Environment name from the blueprint.")
@click.option("--offline", is_flag=True, help="Use the offline AWS provider and local state.")
@click.option("--allow-destroy", is_flag=True, help="Required to destroy a protected environment.")
@click.option("--yes", is_flag=True, help="Destroy without asking (CI); without a terminal, destroy refuses otherwise.")
@click.option("--lock-timeout", type=GoDuration(), default=None, help="How long terraform waits for the state lock, e.g. 60s or 5m.")
@click.option("--progress/--no-progress", default=None, help="Resource-by-resource progress on stderr (default: when it is a terminal).")
def destroy(blueprint: Path, environment: str, offline: bool, allow_destroy: bool, yes: bool, lock_timeout: str | None, progress: bool | None) -> None:
    """Destroy one environment: a saved destroy plan, its summary, a confirmation, then apply it."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.commands.destroy import destroy_environment
    from tfgen.progress import progress_for

    result = destroy_environment(
        load_blueprint(blueprint),
        environment,
        offline=offline,
        allow_destroy=allow_destroy,
        yes=yes,
        lock_timeout=lock_timeout,
        on_event=progress_for(progress),
    )
    if result.applied:
        click.echo(f"destroyed '{environment}': {result.destroyed} resources; kept: " + "; ".join(result.kept), err=True)


# --- policy ------------------------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT, required=False)
@click.option("-e", "--env", "environment")
@click.option("--offline", is_flag=True)
@click.option("--plan-json", type=click.Path(path_type=Path, dir_okay=False), help="Check this plan JSON instead of planning.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "sarif", "junit", "markdown"]), default="table")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
def check(blueprint: Path | None, environment: str | None, offline: bool, plan_json: Path | None, output_format: str, output: Path | None) -> None:
    """Policy checks (checkov + tfgen's pack) on a plan."""
    from tfgen.commands.check import check_command

    code = check_command(blueprint, environment, offline, plan_json, output_format, output)
    if code:
        click.get_current_context().exit(code)


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def parity(blueprint: Path, output_format: str) -> None:
    """List every value that differs between the environments."""
    from tfgen.parity import parity_command

    code = parity_command(blueprint, output_format)
    if code:
        click.get_current_context().exit(code)


# --- AWS ---------------------------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
def bootstrap(blueprint: Path, environment: str) -> None:
    """Create the environment's state bucket (idempotent)."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.bootstrap import bootstrap as bootstrap_state_bucket

    result = bootstrap_state_bucket(load_blueprint(blueprint), environment)
    click.echo("\n".join(result.lines()))


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
def discover(blueprint: Path, environment: str) -> None:
    """Look up the default VPC and subnets into tfgen.context.json."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.discover import discover as discover_default_vpc

    result = discover_default_vpc(load_blueprint(blueprint), environment)
    click.echo("\n".join(result.lines()))


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--wait", is_flag=True, help="Poll until every service is steady.")
@click.option("--timeout", type=Seconds(0, MAX_WAIT), default=600.0, show_default=True, help="Seconds to wait with --wait.")
def status(blueprint: Path, environment: str, output_format: str, wait: bool, timeout: float) -> None:
    """Deployed services: desired/running, rollout state, events, target health."""
    import json
    import os

    from rich.console import Console

    from tfgen import status as service_status
    from tfgen.aws import Aws
    from tfgen.blueprint.loader import load_blueprint

    loaded = load_blueprint(blueprint)
    if wait:
        configured = os.environ.get("TFGEN_STATUS_INTERVAL", "").strip()
        interval = seconds(configured, "TFGEN_STATUS_INTERVAL", MIN_POLL, MAX_WAIT) if configured else service_status.DEFAULT_INTERVAL

        def progress(report: service_status.StatusReport, elapsed: float) -> None:
            click.echo(f"waiting ({elapsed:.0f}s of {timeout:.0f}s): {report.summary()}", err=True)

        report = service_status.wait(loaded, environment, timeout, interval, Aws(), progress)
    else:
        report = service_status.collect(loaded, environment)
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        service_status.render_table(report, Console(width=None if sys.stdout.isatty() else 160))
    if not report.steady:
        waited = f"still not steady after {timeout:g}s" if wait else "not steady"
        raise TfgenError(f"{waited}: {report.summary()}")


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.argument("service")
@click.option("-e", "--env", "environment", required=True)
@click.option("--since", type=GoDuration(), default="10m", show_default=True, help="How far back to start, e.g. 90s, 10m, 1h30m.")
@click.option("--follow", is_flag=True, help="Keep polling for new lines until Ctrl-C.")
@click.option("--interval", type=Seconds(MIN_POLL, MAX_WAIT), default=2.0, show_default=True, help="Seconds between polls with --follow.")
@click.option("--max-polls", type=click.IntRange(0), default=None, hidden=True)
def logs(blueprint: Path, service: str, environment: str, since: str, follow: bool, interval: float, max_polls: int | None) -> None:
    """The service's CloudWatch logs, every task, newest last, each line prefixed with its task id."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.cli_options import duration_seconds
    from tfgen.commands.logs import LogReader, show_logs

    reader = LogReader(load_blueprint(blueprint), environment, service)
    show_logs(reader, duration_seconds(since), click.echo, follow=follow, interval=interval, max_polls=max_polls)


@cli.command(name="run")
@click.argument("blueprint", type=BLUEPRINT)
@click.argument("job")
@click.option("-e", "--env", "environment", required=True)
@click.option("--wait", is_flag=True, help="Poll until the run ends: exit 0 when it SUCCEEDED, 1 otherwise.")
@click.option("--interval", type=Seconds(MIN_POLL, MAX_WAIT), default=5.0, show_default=True, help="Seconds between polls with --wait.")
@click.option("--timeout", type=Seconds(0, MAX_WAIT), default=None, help="Stop waiting after this many seconds (the run goes on).")
def run_job(blueprint: Path, job: str, environment: str, wait: bool, interval: float, timeout: float | None) -> None:
    """Start a scheduled job now, with its schedule's input; print the execution ARN."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.commands.run import JobRunner

    runner = JobRunner(load_blueprint(blueprint), environment, job)
    execution = runner.start()
    click.echo(execution.arn)
    if not wait:
        return

    def progress(_: object, elapsed: float) -> None:
        click.echo(f"waiting ({elapsed:.0f}s): RUNNING", err=True)

    try:
        execution = runner.wait(execution, interval, timeout, progress)
    except KeyboardInterrupt:
        click.echo(f"stopped waiting; the run goes on: {execution.arn}", err=True)
        raise
    click.echo(execution.describe())
    if execution.running:
        raise TfgenError(f"still RUNNING after {timeout:g}s: {execution.arn}")
    if not execution.succeeded:
        raise click.exceptions.Exit(1)


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def doctor(output_format: str) -> None:
    """What tfgen will use: Terraform, checkov, the provider schema, the cache folder, the AWS identity."""
    from tfgen.doctor import diagnose, render_text, to_json_text

    report = diagnose()
    click.echo(to_json_text(report) if output_format == "json" else render_text(report), nl=False)
    if not report.ok:
        raise click.exceptions.Exit(1)


# --- terraform passthrough ---------------------------------------------------------------------


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--offline", is_flag=True)
@click.option("-e", "--env", "environment")
@click.argument("target", type=click.Path(path_type=Path))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def tf(offline: bool, environment: str | None, target: Path, args: tuple[str, ...]) -> None:
    """Run terraform ARGS in the rendered directory, wired as tfgen wires it."""
    from tfgen.commands.tf import run_tf_command, split_tf_arguments

    offline, environment, terraform_args = split_tf_arguments(args, offline, environment)
    if not terraform_args:
        raise InputError("tf: give the terraform command after --, e.g. `tfgen tf DIR -- plan`")
    sys.exit(run_tf_command(target, terraform_args, offline=offline, environment=environment))


def main() -> None:
    # pydantic looks up third-party plugins through every installed package's entry points before
    # it builds a model: a fifth of a render's start-up, for plugins tfgen never uses.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    cli(prog_name="tfgen")


if __name__ == "__main__":
    main()
