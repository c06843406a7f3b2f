"""Reading blueprint files: YAML with positions, validation with located problems, environments.

Public API:
    load_blueprint(path) -> LoadedBlueprint          InputError (exit 2) listing every problem
    validate_blueprints(paths) -> list[LoadedBlueprint]   one InputError for all files
    LoadedBlueprint.path / .raw / .blueprint         file, plain data, validated base Blueprint
    LoadedBlueprint.environment_names()              in file order
    LoadedBlueprint.for_environment(env) -> Blueprint    overrides merged and validated
    LoadedBlueprint.raw_environment_values(env) -> dict  the merged plain data
    LoadedBlueprint.environment(env) -> Environment      account, region, state, protected, policy
    LoadedBlueprint.region_of(env) -> str                the environment's region or the blueprint's
    LoadedBlueprint.network_for(env) -> ResolvedNetwork  VPC and subnets (reads tfgen.context.json)
    LoadedBlueprint.problem(path, message, hint) -> Problem   a Problem located in this file

Every environment is merged and validated when the file is loaded, so `load_blueprint` reports
the problems of all environments at once; `network_for` reads the discovery context lazily
(rendering needs it, validation of the file does not).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tfgen.blueprint.context import CONTEXT_FILE, default_vpc
from tfgen.blueprint.findings import suggest
from tfgen.blueprint.model import Blueprint, Environment, ExistingVpc, NewVpc
from tfgen.blueprint.overrides import EnvironmentLocator, deep_merge, overrides_prefix, problem_key, structural_findings
from tfgen.blueprint.rules import alias_record_collisions, base_findings, cross_findings, mount_target_conflicts, partial_cross_findings
from tfgen.blueprint.validation import locate, validation_findings
from tfgen.blueprint.warnings import warning_findings
from tfgen.blueprint.yaml_positions import Path as DataPath
from tfgen.blueprint.yaml_positions import YamlDocument, clean, dotted, parse_yaml, within
from tfgen.errors import InputError, Problem
from tfgen.files import MiB, read_text

__all__ = ["LoadedBlueprint", "ResolvedNetwork", "deep_merge", "load_blueprint", "validate_blueprints"]


@dataclass(frozen=True)
class ResolvedNetwork:
    """The network an environment deploys into.

    kind "default": the account's default VPC, from tfgen.context.json (`tfgen discover`);
    kind "existing": the VPC and subnets the blueprint names;
    kind "new": created by the vpc module, so vpc_id and the subnet ids are None (the blueprint's
    network.vpc has cidr, azs and nat).
    """

    kind: str
    vpc_id: str | None
    public_subnet_ids: tuple[str, ...] | None
    private_subnet_ids: tuple[str, ...] | None
    vpc_cidr_block: str | None = None


@dataclass
class LoadedBlueprint:
    """A valid blueprint file: the base, and every environment with its overrides merged."""

    path: Path
    raw: dict[str, Any]
    blueprint: Blueprint
    document: YamlDocument | None = field(default=None, repr=False)
    environments: dict[str, Blueprint] = field(default_factory=dict, repr=False)
    environment_raw: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    warnings: list[Problem] = field(default_factory=list, repr=False)  # located; see tfgen.blueprint.warnings

    @property
    def name(self) -> str:
        return self.blueprint.name

    def environment_names(self) -> list[str]:
        return list(self.blueprint.environments)

    def environment(self, env: str) -> Environment:
        self._check_environment(env)
        return self.blueprint.environments[env]

    def region_of(self, env: str) -> str:
        return self.environment(env).region or self.blueprint.region

    def for_environment(self, env: str) -> Blueprint:
        """The blueprint as environment `env` deploys it (its overrides merged and validated)."""
        self._check_environment(env)
        if env not in self.environments:  # LoadedBlueprint built by hand
            merged = self.raw_environment_values(env)
            self.environments[env] = Blueprint.model_validate(merged)
        return self.environments[env]

    def raw_environment_values(self, env: str) -> dict[str, Any]:
        """The merged plain data of environment `env` (a copy)."""
        self._check_environment(env)
        if env not in self.environment_raw:
            overrides = (self.raw.get("environments", {}).get(env) or {}).get("overrides") or {}
            self.environment_raw[env] = deep_merge(self.raw, overrides)
        return copy.deepcopy(self.environment_raw[env])

    def network_for(self, env: str) -> ResolvedNetwork:
        """VPC and subnets of `env`; InputError (located at network.vpc) when the default VPC was not discovered."""
        blueprint = self.for_environment(env)
        vpc = blueprint.network.vpc
        if isinstance(vpc, ExistingVpc):
            return ResolvedNetwork("existing", vpc.id, tuple(vpc.public_subnets), tuple(vpc.private_subnets))
        if isinstance(vpc, NewVpc):
            return ResolvedNetwork("new", None, None, None, vpc.cidr)
        account = self.blueprint.environments[env].account
        region = self.region_of(env)
        found = default_vpc(self.path, account, region)
        if found is None:
            raise InputError(
                [
                    self.problem(
                        ("network", "vpc"),
                        f"run `tfgen discover {self.path} -e {env}` to look up the default VPC of account {account} in region {region}",
                        f"it is recorded in {CONTEXT_FILE} next to the blueprint",
                    )
                ]
            )
        if blueprint.network.placement == "private" and not found.private_subnet_ids:
            raise InputError(
                [
                    self.problem(
                        ("network", "vpc"),
                        f"the default VPC {found.vpc_id} of account {account} in {region} has no private subnets ({CONTEXT_FILE}): "
                        "tasks without public IPs could not reach ECR or the internet there",
                        "set `network.placement: public` (tasks get public IPs; only the load balancer's security group reaches them), "
                        "or let tfgen create a VPC: `network.vpc: {cidr: 10.0.0.0/16}`",
                    )
                ]
            )
        return ResolvedNetwork("default", found.vpc_id, found.public_subnet_ids, found.private_subnet_ids, found.vpc_cidr_block)

    def problem(self, path: DataPath | str, message: str, hint: str | None = None, *, at: str = "value") -> Problem:
        """A Problem located at `path` (a tuple or a dotted string) of this file, for other commands to report."""
        if isinstance(path, str):
            path = tuple(path.split(".")) if path else ()
        if self.document is None:
            return Problem(str(self.path), 1, 1, ".".join(map(str, path)), message, hint)
        return self.document.problem(tuple(path), message, hint, at=at)

    def _check_environment(self, env: str) -> None:
        if env in self.blueprint.environments:
            return
        known = list(self.blueprint.environments)
        hint = suggest(env, known)
        raise InputError(
            [self.problem(("environments",), f"no environment '{env}' in the blueprint (known: {', '.join(known)})", hint, at="key")]
        )


def load_blueprint(path: Path | str) -> LoadedBlueprint:
    """Read, validate and merge every environment of one blueprint; InputError lists every problem."""
    path = Path(path)
    document = _read(path)
    if document.data is None:
        raise InputError(_sorted(document.problems))
    problems = list(document.problems)
    data: dict[str, Any] = document.data

    base: Blueprint | None = None
    try:
        base = Blueprint.model_validate(data)
    except ValidationError as error:
        problems.extend(locate(validation_findings(error, data), document))
        problems.extend(locate(partial_cross_findings(data), document))
    else:
        problems.extend(locate(cross_findings(base) + base_findings(base), document))
    known = {problem_key(p) for p in problems}

    environments: dict[str, Blueprint] = {}
    environment_raw: dict[str, dict[str, Any]] = {}
    locators: dict[str, EnvironmentLocator] = {}
    structural_paths: set[str] = set()
    structural_problems: list[Problem] = []
    warnings: list[Problem] = []
    for env, overrides in _overrides_by_environment(data):
        structural = structural_findings(data, env, overrides)
        if structural:
            located = locate(structural, document)
            structural_paths.update(p.path for p in located)
            structural_problems.extend(located)
            overrides = _without(overrides, [f.path[len(overrides_prefix(env)) :] for f in structural])
        merged = deep_merge(data, overrides if isinstance(overrides, dict) else {})
        locator = locators[env] = EnvironmentLocator(document, env, overrides, known)
        try:
            blueprint = Blueprint.model_validate(merged)
        except ValidationError as error:
            problems.extend(locate(validation_findings(error, merged), locator))
            problems.extend(locate(partial_cross_findings(merged), locator))
            continue
        env_problems = locate(cross_findings(blueprint, env), locator)
        problems.extend(env_problems)
        if not env_problems and not structural:
            environments[env] = blueprint
            environment_raw[env] = merged
            warnings += [w for w in locate(warning_findings(blueprint, env), locator) if w not in warnings]

    for env, finding in alias_record_collisions(environments) + mount_target_conflicts(environments):
        problems.extend(locate([finding], locators[env]))

    # a structural rule says best what is wrong there: drop the model's messages about the same path
    problems = [p for p in problems if p.path not in structural_paths] + structural_problems
    # a value with an unknown YAML tag (`!Ref x`) is reported as such, not as the text it holds
    tagged = [dotted(path) for path in document.tagged]
    problems = [p for p in problems if p in document.problems or not any(within(p.path, t) for t in tagged)]
    if problems or base is None:
        raise InputError(_sorted(problems))
    return LoadedBlueprint(path, data, base, document, environments, environment_raw, _sorted(warnings))


def validate_blueprints(paths: Iterable[Path | str]) -> list[LoadedBlueprint]:
    """Load every blueprint; one InputError with the problems of all files (in the order given)."""
    loaded: list[LoadedBlueprint] = []
    problems: list[Problem] = []
    names: dict[str, LoadedBlueprint] = {}
    for path in paths:
        try:
            blueprint = load_blueprint(path)
        except InputError as error:
            problems.extend(error.problems or [Problem(str(path), 1, 1, "", str(error))])
            continue
        first = names.get(blueprint.name)
        if first is not None:
            problems.append(
                blueprint.problem(
                    ("name",),
                    f"'{blueprint.name}' is also the name of {first.path}: both would render into build/{blueprint.name}/",
                    "give each application its own name",
                )
            )
            continue
        names[blueprint.name] = blueprint
        loaded.append(blueprint)
    if problems:
        raise InputError(problems)
    return loaded


def _without(overrides: Any, paths: list[DataPath]) -> Any:
    """A copy of `overrides` without the entries at `paths` (those a structural rule rejected)."""
    pruned = copy.deepcopy(overrides)
    for path in paths:
        chain = [pruned]
        for part in path[:-1]:
            chain.append(chain[-1].get(part) if isinstance(chain[-1], dict) else None)
        if not path or not isinstance(chain[-1], dict):
            continue
        chain[-1].pop(path[-1], None)
        # drop mappings the pruning emptied, so that `capacity: {}` does not replace the base's
        for depth in range(len(chain) - 1, 0, -1):
            if chain[depth] == {} and isinstance(chain[depth - 1], dict):
                chain[depth - 1].pop(path[depth - 1], None)
            else:
                break
    return pruned


BLUEPRINT_LIMIT = 8 * MiB  # a blueprint is a page of YAML; anything near this is not one


def _read(path: Path) -> YamlDocument:
    try:
        text = read_text(path, "the blueprint", BLUEPRINT_LIMIT)
    except InputError as error:
        return YamlDocument(str(path), problems=error.problems)
    return parse_yaml(text, str(path))


def _overrides_by_environment(data: dict[str, Any]) -> list[tuple[str, Any]]:
    environments = data.get("environments")
    if not isinstance(environments, dict):
        return []
    result = []
    for env, values in environments.items():
        overrides = values.get("overrides") if isinstance(values, dict) else None
        result.append((env, overrides if overrides is not None else {}))
    return result


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique: dict[tuple, Problem] = {}
    for problem in map(clean, problems):
        unique.setdefault((problem.file, problem.line, problem.column, problem.path, problem.message, problem.hint), problem)
    return sorted(unique.values(), key=lambda p: (p.line, p.column, p.path, p.message))
