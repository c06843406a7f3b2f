"""Environment overrides: a partial blueprint merged onto the base.

Merge rule: mappings merge key by key (recursively); lists and scalars replace; an override value
of null replaces too (e.g. `certificate: null` in dev).

Structural rule: an environment changes values, never the shape of the application. Overrides may
not
- name a service the base does not have, remove a service (null), or change a service's `type`;
- add a volume to a service's `storage.volumes` that the base does not have, or remove one;
- add a capacity provider to `cluster.capacity` that the base does not have, or remove one;
- switch `network.vpc` between default, an existing VPC and a new VPC;
- add a `load_balancer` when the base has none, or remove the base's;
- add a sidecar to a service or remove one (`services.NAME.sidecars`).
Keys that do not exist in the model are reported by validating the merged document, located at
the override's own position in the file.
"""

from __future__ import annotations

import copy
from typing import Any

from tfgen.blueprint.findings import Finding, suggest
from tfgen.blueprint.yaml_positions import Path, YamlDocument
from tfgen.errors import Problem

CAPACITY_PROVIDERS = ("fargate", "fargate_spot", "ec2")
DEFAULT_CAPACITY = ("fargate",)


def mapping_at(data: Any, key: str) -> dict[str, Any]:
    """`data[key]` when both are mappings, else an empty one (for reading documents not yet valid)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` merged onto a copy of `base` (mappings merge, everything else replaces)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def overrides_prefix(environment: str) -> Path:
    return ("environments", environment, "overrides")


def origin(path: Path, overrides: Any, environment: str) -> Path:
    """Where the value at `path` of the merged document was written: in the override or in the base."""
    node = overrides
    for index, part in enumerate(path):
        if not isinstance(node, dict):
            return (*overrides_prefix(environment), *path) if index else tuple(path)
        if part not in node:
            return tuple(path)
        node = node[part]
    return (*overrides_prefix(environment), *path)


def vpc_kind(value: Any) -> str | None:
    """'default', 'existing' or 'new' for a network.vpc value; None when it is none of them."""
    if value == "default":
        return "default"
    if isinstance(value, dict):
        keys = set(value)
        if keys & {"id", "public_subnets", "private_subnets"}:
            return "existing"
        if keys & {"cidr", "azs", "nat"}:
            return "new"
    return None


def structural_findings(data: dict[str, Any], environment: str, overrides: Any) -> list[Finding]:
    """What the overrides of `environment` may not do (see the module docstring). Paths are file paths."""
    if not isinstance(overrides, dict):
        return []
    prefix = overrides_prefix(environment)
    findings: list[Finding] = []

    base_services = mapping_at(data, "services")
    services = overrides.get("services")
    if isinstance(services, dict):
        for name, value in services.items():
            where = (*prefix, "services", name)
            if name not in base_services:
                hint = suggest(name, list(base_services)) or (f"services: {', '.join(base_services)}" if base_services else None)
                findings.append(Finding(where, f"service '{name}' is not in the blueprint: overrides change values, they cannot add services", hint, at="key"))
                continue
            if value is None:
                findings.append(Finding(where, f"an environment cannot remove service '{name}'", "give it count: 0 instead", at="key"))
                continue
            base = base_services.get(name)
            if isinstance(value, dict) and "type" in value and isinstance(base, dict) and value["type"] != base.get("type"):
                findings.append(
                    Finding((*where, "type"), f"an environment cannot change the type of service '{name}' ({base.get('type')} in the base blueprint)")
                )
            if isinstance(value, dict) and "image" in value and isinstance(base, dict) and _builds(value["image"]) != _builds(base.get("image")):
                findings.append(
                    Finding(
                        (*where, "image"),
                        f"an environment cannot switch service '{name}' between a built image ({{build: DIR}}) and an image reference",
                        "the repository exists in every environment or in none: change the tag, or the reference",
                    )
                )
            if isinstance(value, dict) and isinstance(base, dict):
                if "sidecars" in value:
                    findings.extend(_entry_findings((*where, "sidecars"), name, "sidecar", value["sidecars"], base.get("sidecars")))
                storage = value.get("storage")
                if isinstance(storage, dict) and "volumes" in storage:
                    base_volumes = mapping_at(base, "storage").get("volumes")
                    findings.extend(_entry_findings((*where, "storage", "volumes"), name, "volume", storage["volumes"], base_volumes))

    cluster = overrides.get("cluster")
    if isinstance(cluster, dict) and "capacity" in cluster:
        base_cluster = mapping_at(data, "cluster")
        base_capacity = base_cluster.get("capacity")
        providers = tuple(base_capacity) if isinstance(base_capacity, dict) else DEFAULT_CAPACITY
        capacity = cluster["capacity"]
        where = (*prefix, "cluster", "capacity")
        if capacity is None:
            findings.append(Finding(where, "an environment cannot remove the cluster's capacity providers", at="key"))
        elif isinstance(capacity, dict):
            for name, value in capacity.items():
                if name not in CAPACITY_PROVIDERS:
                    continue  # reported as an unknown key when the merged document is validated
                if name not in providers:
                    findings.append(
                        Finding(
                            (*where, name),
                            f"capacity provider '{name}' is not in the base blueprint: an environment cannot add one",
                            f"declare it in cluster.capacity (base: {', '.join(providers)}) and change its weights per environment",
                            at="key",
                        )
                    )
                elif value is None:
                    findings.append(
                        Finding((*where, name), f"an environment cannot remove capacity provider '{name}'", "set its weight to 0 instead", at="key")
                    )

    network = overrides.get("network")
    if isinstance(network, dict) and "vpc" in network:
        base_network = mapping_at(data, "network")
        base_kind = vpc_kind(base_network.get("vpc", "default"))
        new_kind = vpc_kind(network["vpc"])
        if base_kind and new_kind and base_kind != new_kind:
            findings.append(
                Finding(
                    (*prefix, "network", "vpc"),
                    f"an environment cannot switch network.vpc from {_vpc_words(base_kind)} to {_vpc_words(new_kind)}",
                    "every environment deploys the same configuration: change ids or sizes, not the kind of network",
                )
            )

    if "load_balancer" in overrides:
        base_lb = data.get("load_balancer")
        if base_lb is None and overrides["load_balancer"] is not None:
            findings.append(
                Finding(
                    (*prefix, "load_balancer"),
                    "the base blueprint has no load_balancer: an environment cannot add one",
                    "declare load_balancer in the base blueprint and change its values per environment",
                    at="key",
                )
            )
        elif base_lb is not None and overrides["load_balancer"] is None:
            findings.append(Finding((*prefix, "load_balancer"), "an environment cannot remove the load_balancer", at="key"))
    return findings


def _entry_findings(where: Path, service: str, kind: str, entries: Any, base: Any) -> list[Finding]:
    """Sidecars and volumes are part of the shape (containers of the task definition, its volumes and
    the task role's file systems): an environment changes their values, never which there are."""
    names = [str(name) for name in base] if isinstance(base, dict) else []
    if entries is None:
        return [Finding(where, f"an environment cannot remove the {kind}s of service '{service}'", "change their values instead", at="key")]
    if not isinstance(entries, dict):
        return []  # reported when the merged document is validated
    findings = []
    for entry, value in entries.items():
        at = (*where, entry)
        if entry not in names:
            hint = suggest(str(entry), names) or "declare it in the base blueprint and change its values per environment"
            message = f"{kind} '{entry}' is not in service '{service}' of the base blueprint: an environment cannot add one"
            findings.append(Finding(at, message, hint, at="key"))
        elif value is None:
            findings.append(Finding(at, f"an environment cannot remove {kind} '{entry}' of service '{service}'", "change its values instead", at="key"))
    return findings


def _value_at(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _builds(image: Any) -> bool:
    return isinstance(image, dict) and "build" in image


def _vpc_words(kind: str) -> str:
    return {"default": "the default VPC", "existing": "an existing VPC", "new": "a new VPC"}[kind]


class EnvironmentLocator:
    """Locates problems of an environment's merged document: in the override when the value came
    from it, else in the base (then the message says which environment it concerns).

    Problems located in the base that the base's own validation already reported are dropped."""

    def __init__(self, document: YamlDocument, environment: str, overrides: Any, known: set[tuple]):
        self.document = document
        self.environment = environment
        self.overrides = overrides
        self.known = known

    def source(self, path: Path) -> str | None:
        return self.document.source(origin(path, self.overrides, self.environment))

    def quoted_tag(self, path: Path) -> str | None:
        return self.document.quoted_tag(origin(path, self.overrides, self.environment))

    def choose(self, paths: tuple[Path, ...]) -> Path:
        """The first of `paths` whose value this environment's override wrote, else the first."""
        for path in paths:
            if self._in_override(origin(path, self.overrides, self.environment)):
                return path
        return paths[0]

    def _in_override(self, where: Path) -> bool:
        prefix = overrides_prefix(self.environment)
        return tuple(where[: len(prefix)]) == prefix

    def problem(self, path: Path, message: str, hint: str | None = None, *, at: str = "value") -> Problem | None:
        where = origin(path, self.overrides, self.environment)
        if at == "parent" and isinstance(_value_at(self.document.data, path), dict):
            # a key missing from the merged mapping is missing from the base's too (an override
            # cannot remove keys): the base's problem, reported once, not again per environment
            where = tuple(path)
        problem = self.document.problem(where, message, hint, at=at)
        if self._in_override(where):
            return problem
        if problem_key(problem) in self.known:
            return None
        return Problem(problem.file, problem.line, problem.column, problem.path, f"in environment '{self.environment}': {message}", hint)


def problem_key(problem: Problem) -> tuple:
    return (problem.line, problem.column, problem.path, problem.message)
