"""The `tfgen-check` pre-commit hook: offline plan + policy checks of every environment of each
blueprint named on the command line. Exit 0 all passed, 1 a check failed or a plan failed,
2 a blueprint is invalid (every problem listed, no traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tfgen.errors import InputError, TfgenError


def check_blueprint(path: Path) -> bool:
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.policy import run_policy, write_policy_result
    from tfgen.policy.declared import environment_policy
    from tfgen.policy.formats import to_table
    from tfgen.workflow import plan_environment

    loaded = load_blueprint(path)
    ok = True
    for env in loaded.environment_names():
        click.echo(f"== {path} -e {env} (offline)", err=True)
        outcome = plan_environment(loaded, env, offline=True, run_policy_checks=False)
        policy = environment_policy(loaded, env)
        result = run_policy(Path(outcome.paths.plan_json), skips=policy.skips, protected=policy.protected, declared=policy.declared)
        write_policy_result(result, Path(outcome.paths.policy_json))
        click.echo(to_table(result), nl=False)
        ok = ok and result.passed
    return ok


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    code = 0
    for path in paths:
        try:
            if not check_blueprint(path):
                code = max(code, 1)
        except InputError as error:
            click.echo(str(error), err=True)
            code = 2
        except TfgenError as error:
            click.echo(f"error: {path}: {error}", err=True)
            code = max(code, 1)
    return code


if __name__ == "__main__":
    sys.exit(main())
