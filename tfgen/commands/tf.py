"""`tfgen tf [--offline] [-e ENV] TARGET -- ARGS`: any Terraform command, wired as tfgen wires it
(data directory, backend file, var file, offline provider). TARGET is a blueprint, whose
rendering is in build/<name>/, or a directory of Terraform files."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import InputError
from tfgen.paths import BuildLayout, EnvironmentPaths
from tfgen.terraform import Terraform

# Commands that evaluate the configuration, so they take the environment's var file.
TAKES_VAR_FILES = frozenset({"plan", "destroy", "refresh", "console", "import"})
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
DEFAULT_ENVIRONMENT = "default"


def resolve_target(target: Path, environment: str | None) -> EnvironmentPaths:
    """Where `tfgen tf TARGET` runs: the blueprint's rendering (its environment checked against
    the blueprint, with a "did you mean"), or a directory of .tf files."""
    if target.is_dir():
        env = environment or DEFAULT_ENVIRONMENT
        if not ENVIRONMENT_NAME.fullmatch(env):
            raise InputError(f"-e {env}: an environment name is 1-16 characters: a-z, 0-9 and '-', starting with a letter")
        return EnvironmentPaths(target, env)
    if not target.exists():
        raise InputError(f"{target}: no such directory or blueprint")
    loaded = load_blueprint(target)
    env = environment or DEFAULT_ENVIRONMENT
    if environment is not None:
        loaded.environment(environment)  # InputError naming the known ones when it is not there
    paths = BuildLayout.default().environment(loaded.name, env)
    if not paths.root.is_dir():
        raise InputError(f"{target}: no rendered configuration at {paths.root}; run `tfgen render {target}` first")
    return paths


def split_tf_arguments(args: Sequence[str], offline: bool, environment: str | None) -> tuple[bool, str | None, list[str]]:
    """tfgen's own options written after TARGET (`tfgen tf BLUEPRINT -e dev -- plan`) and Terraform's
    arguments (after `--`). Without `--`, every argument is Terraform's."""
    arguments = list(args)
    if "--" not in arguments:
        return offline, environment, arguments
    split = arguments.index("--")
    own, terraform_args = arguments[:split], arguments[split + 1 :]
    while own:
        option = own.pop(0)
        if option == "--offline":
            offline = True
        elif option in ("-e", "--env") and own:
            environment = own.pop(0)
        elif option.startswith("--env="):
            environment = option.removeprefix("--env=")
        else:
            raise InputError(f"tf: {option} before -- is not an option of tfgen tf (-e ENV, --offline); terraform's arguments go after --")
    return offline, environment, terraform_args


def _takes_var_files(args: list[str]) -> bool:
    """Commands that evaluate the configuration; not `apply PLANFILE` (a saved plan has its values)."""
    if args[0] == "apply":
        return not any(not arg.startswith("-") for arg in args[1:])
    return args[0] in TAKES_VAR_FILES


def run_tf_command(target: Path, args: Sequence[str], *, offline: bool, environment: str | None) -> int:
    """Init as tfgen does (unless the command is init), then run ARGS; Terraform's exit code."""
    paths = resolve_target(target, environment)
    terraform = Terraform(paths.root, paths.data_dir, offline=offline)
    arguments = list(args)
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    backend = paths.backend_file if environment and not offline and paths.backend_file.is_file() else None
    if arguments[:1] == ["init"]:
        terraform.init(backend, extra_args=arguments[1:])
        print("Terraform has been successfully initialized.", file=sys.stderr)
        return 0
    if arguments[:1] != ["version"] and arguments:
        terraform.init(backend)
    if environment and paths.var_file.is_file() and arguments and _takes_var_files(arguments):
        arguments.insert(1, f"-var-file={paths.var_file.resolve()}")
    return terraform.run(arguments, check=False, passthrough=True).returncode
