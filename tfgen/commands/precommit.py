"""The `tfgen-check` pre-commit hook: offline plan + policy checks of every environment of each
blueprint named on the command line. Exit 0 all passed, 1 a check failed or a plan failed,
2 a blueprint is invalid (every problem listed, no traceback).

A hook must not change the repository it checks: the rendering and the plans go to a workspace
of the blueprint under the cache folder (``<cache>/precommit/<digest of its path>/``), never into
the committed ``build/`` (whose freshness is the `tfgen-render` hook's business)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import InputError, TfgenError
from tfgen.paths import cache_dir
from tfgen.policy.formats import to_table
from tfgen.workflow import plan_environment


def check_blueprint(path: Path) -> bool:
    loaded = load_blueprint(path)
    ok = True
    for env in loaded.environment_names():
        click.echo(f"== {path} -e {env} (offline)", err=True)
        outcome = plan_environment(loaded, env, offline=True, out=workspace(path) / loaded.blueprint.name)
        assert outcome.policy is not None
        click.echo(to_table(outcome.policy), nl=False)
        ok = ok and outcome.policy.passed
    return ok


def workspace(path: Path) -> Path:
    """Where the hook renders and plans `path` (the same folder every run, so init is reused)."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "precommit" / digest


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
