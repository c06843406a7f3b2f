"""tfgen's command line (click). Commands are thin: they parse flags, call one module, and map
errors to exit codes (0 ok, 1 problem found, 2 bad input) without tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tfgen.errors import InputError, TfgenError

BLUEPRINT = click.Path(path_type=Path, dir_okay=False)


class TfgenGroup(click.Group):
    """Turns tfgen's exceptions into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
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


@click.group(cls=TfgenGroup)
@click.version_option(package_name="tfgen")
def cli() -> None:
    """Render ECS application blueprints into Terraform, plan them per environment, gate them with policy checks."""


# --- render / validate / schema (blueprint and rendering) -------------------------------------


@cli.command()
@click.argument("blueprints", nargs=-1, required=True, type=BLUEPRINT)
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), help="Output directory (one blueprint only); default build/<name>/.")
@click.option("--check", is_flag=True, help="Exit 1 and name the files that are stale or were edited; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite generated files even when someone edited them.")
def render(blueprints: tuple[Path, ...], out: Path | None, check: bool, force: bool) -> None:
    """Render BLUEPRINT... into Terraform under build/<name>/."""
    raise TfgenError("render: not implemented yet")


@cli.command()
@click.argument("blueprints", nargs=-1, required=True, type=BLUEPRINT)
def validate(blueprints: tuple[Path, ...]) -> None:
    """Validate blueprints and run real `terraform validate` on their rendering, offline."""
    raise TfgenError("validate: not implemented yet")


@cli.command()
def schema() -> None:
    """Print the blueprint JSON Schema."""
    raise TfgenError("schema: not implemented yet")


# --- plan / apply (workflow) -------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True, help="Environment name from the blueprint.")
@click.option("--offline", is_flag=True, help="Use the offline AWS provider and local state.")
@click.option("--set", "settings", multiple=True, metavar="PATH=VALUE", help="e.g. services.api.image_tag=abc123")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--lock-timeout", default=None, help="Passed to terraform, e.g. 60s.")
def plan(blueprint: Path, environment: str, offline: bool, settings: tuple[str, ...], output_format: str, lock_timeout: str | None) -> None:
    """Plan one environment: render if stale, init, plan, policy checks, summary."""
    raise TfgenError("plan: not implemented yet")


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
@click.option("--offline", is_flag=True)
@click.option("--allow-destroy", is_flag=True, help="Allow destroys/replacements in a protected environment.")
@click.option("--lock-timeout", default=None)
def apply(blueprint: Path, environment: str, offline: bool, allow_destroy: bool, lock_timeout: str | None) -> None:
    """Apply the saved plan of one environment."""
    raise TfgenError("apply: not implemented yet")


# --- policy ------------------------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT, required=False)
@click.option("-e", "--env", "environment")
@click.option("--offline", is_flag=True)
@click.option("--plan-json", type=click.Path(path_type=Path, dir_okay=False), help="Check this plan JSON instead of planning.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "sarif", "junit"]), default="table")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
def check(blueprint: Path | None, environment: str | None, offline: bool, plan_json: Path | None, output_format: str, output: Path | None) -> None:
    """Policy checks (checkov + tfgen's pack) on a plan."""
    raise TfgenError("check: not implemented yet")


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def parity(blueprint: Path, output_format: str) -> None:
    """List every value that differs between the environments."""
    raise TfgenError("parity: not implemented yet")


# --- AWS ---------------------------------------------------------------------------------------


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
def bootstrap(blueprint: Path, environment: str) -> None:
    """Create the environment's state bucket (idempotent)."""
    raise TfgenError("bootstrap: not implemented yet")


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
def discover(blueprint: Path, environment: str) -> None:
    """Look up the default VPC and subnets into tfgen.context.json."""
    raise TfgenError("discover: not implemented yet")


@cli.command()
@click.argument("blueprint", type=BLUEPRINT)
@click.option("-e", "--env", "environment", required=True)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--wait", is_flag=True, help="Poll until every service is steady.")
@click.option("--timeout", type=float, default=600.0, show_default=True)
def status(blueprint: Path, environment: str, output_format: str, wait: bool, timeout: float) -> None:
    """Deployed services: desired/running, rollout state, events, target health."""
    raise TfgenError("status: not implemented yet")


# --- terraform passthrough ---------------------------------------------------------------------


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--offline", is_flag=True)
@click.option("-e", "--env", "environment")
@click.argument("target", type=click.Path(path_type=Path))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def tf(offline: bool, environment: str | None, target: Path, args: tuple[str, ...]) -> None:
    """Run terraform ARGS in the rendered directory, wired as tfgen wires it."""
    raise TfgenError("tf: not implemented yet")


def main() -> None:
    cli(prog_name="tfgen")


if __name__ == "__main__":
    sys.exit(main())
