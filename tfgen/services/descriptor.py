"""What a service type is, for everything that is not its blueprint model: the Terraform module
that renders it, the root variable it needs and how its values come from the blueprint, the module
arguments, the outputs, and how `tfgen status` and the default policy skips see it.

A descriptor holds plain data (HCL expressions as strings, Terraform types as nested tuples), so
this package depends on the blueprint model only; `tfgen.render` turns it into HCL.

Every service's root variable has the same frame: ``name``, ``capacity_provider_strategy`` and
``task`` (image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention:
one `task` object that the modules pass through to ecs-task, the one place where its fields are
declared), then ``scaling`` when the type scales, then the type's own attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tfgen.blueprint import model as m
from tfgen.blueprint.service_model import DEFAULT_BAKE_TIME
from tfgen.naming import resource_name
from tfgen.terraform_types import TypeSpec

STRATEGY_TYPE: TypeSpec = ("list", ("object", [("capacity_provider", "string"), ("base", "number"), ("weight", "number")]))
CONTAINER_HEALTH_CHECK_TYPE: TypeSpec = (
    "object",
    [("command", ("list", "string")), ("interval", "number"), ("timeout", "number"), ("retries", "number"), ("start_period", "number")],
)
SIDECAR_TYPE: TypeSpec = (
    "object",
    [
        ("image", "string"),
        ("essential", "bool"),
        ("port", "number"),
        ("environment", ("map", "string")),
        ("secrets", ("map", "string")),
        ("command", ("list", "string")),
        ("healthcheck", CONTAINER_HEALTH_CHECK_TYPE),
        ("cpu", "number"),
        ("memory_reservation", "number"),
        ("writable_paths", ("list", "string")),
    ],
)
POLICY_STATEMENT_TYPE: TypeSpec = (
    "object",
    [
        ("effect", "string"),
        ("actions", ("list", "string")),
        ("resources", ("list", "string")),
        ("conditions", ("list", ("object", [("test", "string"), ("variable", "string"), ("values", ("list", "string"))]))),
    ],
)
VOLUME_TYPE: TypeSpec = (
    "object",
    [("path", "string"), ("read_only", "bool"), ("file_system_id", "string"), ("access_point_id", "string"), ("root_directory", "string")],
)
TASK_FIELDS: tuple[tuple[str, TypeSpec], ...] = (
    ("image", "string"),
    ("cpu", "number"),
    ("memory", "number"),
    ("port", "number"),
    ("cpu_architecture", "string"),
    ("entrypoint", ("list", "string")),
    ("command", ("list", "string")),
    ("healthcheck", CONTAINER_HEALTH_CHECK_TYPE),
    ("environment", ("map", "string")),
    ("secrets", ("map", "string")),
    ("kms_keys", ("list", "string")),
    ("readonly_root_filesystem", "bool"),
    ("writable_paths", ("list", "string")),
    ("enable_execute_command", "bool"),
    ("log_retention_days", "number"),
    ("managed_policy_arns", ("list", "string")),
    ("sends_to", ("map", "string")),
    ("policy_statements", ("list", POLICY_STATEMENT_TYPE)),
    ("ephemeral_storage", "number"),
    ("volumes", ("map", VOLUME_TYPE)),
    ("env_file", "string"),
    ("sidecars", ("map", SIDECAR_TYPE)),
    ("depends_on", ("map", "string")),
)
NETWORK_TYPE: TypeSpec = (
    "object",
    [
        ("security_group_ids", ("list", "string")),
        ("egress", ("list", ("object", [("cidr_ipv4", "string"), ("security_group_id", "string"), ("ports", ("list", "number"))]))),
    ],
)
TARGET_TRACKING_SCALING_TYPE: TypeSpec = (
    "object",
    [("min", "number"), ("max", "number"), ("desired", "number"), ("cpu", "number"), ("memory", "number"), ("requests", "number")],
)
DEFAULT_CPU_TARGET = 70  # a count range without targets scales on average CPU
SHIFT_TYPE: TypeSpec = ("object", [("percent", "number"), ("interval", "number")])
DEPLOYMENT_TYPE: TypeSpec = (
    "object",
    [
        ("strategy", "string"),
        ("min_healthy_percent", "number"),
        ("max_percent", "number"),
        ("bake_time", "number"),
        ("canary", SHIFT_TYPE),
        ("linear", SHIFT_TYPE),
        ("alarms", ("object", [("create", "bool"), ("names", ("list", "string"))])),
    ],
)


@dataclass
class Environment:
    """What a descriptor may read to compute one environment's values."""

    application: str
    environment: str
    blueprint: m.Blueprint  # as this environment deploys it (overrides merged)
    vpc_cidr: str | None = None  # the VPC's CIDR block, when tfgen knows it (a created or the default VPC)
    # tfgen creates the mount targets of the volumes without efs.security_group (a created VPC):
    # the root module adds the tasks' NFS egress to their group, not to the VPC's CIDR block.
    efs_mount_targets: bool = False
    memo: dict[str, Any] = field(default_factory=dict)  # what descriptors compute once per environment

    def resource_name(self, service: str) -> str:
        return resource_name(self.application, self.environment, service)


@dataclass(frozen=True)
class Output:
    """A root output that maps every service of the type to one of its module's outputs."""

    name: str
    description: str
    module_output: str


def strategy(capacity: m.CapacityStrategy) -> list[dict[str, Any]]:
    return [{"capacity_provider": key, "base": value.base, "weight": value.weight} for key, value in capacity.providers().items()]


def task_values(service: m.ServiceBase) -> dict[str, Any]:
    values: dict[str, Any] = {} if service.builds_image() else {"image": service.image}
    return {
        **values,
        "cpu": service.cpu,
        "memory": service.memory,
        "port": getattr(service, "port", None),
        "cpu_architecture": service.cpu_architecture(),
        "entrypoint": service.entrypoint,
        "command": service.command,
        "healthcheck": service.healthcheck.model_dump() if service.healthcheck else None,
        "environment": dict(sorted(service.variables.items())),
        "secrets": dict(sorted(service.secrets.items())),
        "kms_keys": service.kms_keys,
        "readonly_root_filesystem": service.readonly_root_filesystem,
        "writable_paths": service.writable_paths,
        "enable_execute_command": service.exec,
        "log_retention_days": service.logging.retention,
        "managed_policy_arns": service.managed_policy_arns(),
        "sends_to": dict(sorted(service.send_queue_variables().items())),
        "policy_statements": [
            {"effect": s.effect, "actions": s.actions, "resources": s.resources, "conditions": [c.model_dump() for c in s.conditions]}
            for s in service.policy_statements()
        ],
        "ephemeral_storage": service.storage.ephemeral,
        "volumes": {name: volume_values(volume) for name, volume in sorted(service.storage.volumes.items())},
        "env_file": service.env_file,
        "sidecars": {name: sidecar_values(sidecar) for name, sidecar in sorted(service.sidecars.items())},
        "depends_on": dict(sorted(service.depends_on.items())),
    }


def sidecar_values(sidecar: m.Sidecar) -> dict[str, Any]:
    return {
        "image": sidecar.image,
        "essential": sidecar.essential,
        "port": sidecar.port,
        "environment": dict(sorted(sidecar.variables.items())),
        "secrets": dict(sorted(sidecar.secrets.items())),
        "command": sidecar.command,
        "healthcheck": sidecar.healthcheck.model_dump() if sidecar.healthcheck else None,
        "cpu": sidecar.cpu,
        # a soft limit: the sidecar may use the task's free memory, and is not killed at its reservation
        "memory_reservation": sidecar.memory,
        "writable_paths": sidecar.writable_paths,
    }


def volume_values(volume: m.Volume) -> dict[str, Any]:
    efs = volume.efs
    return {
        "path": volume.path,
        "read_only": volume.read_only,
        "file_system_id": efs.id,
        "access_point_id": efs.access_point,
        # ECS's default, spelled out; with an access point "/" is its directory (the only root ECS takes).
        "root_directory": efs.root_directory or "/",
    }


def network_values(service: m.ServiceBase, vpc_cidr: str | None = None, efs_mount_targets: bool = False) -> dict[str, Any]:
    network = service.network
    egress = [{"cidr_ipv4": rule.cidr, "security_group_id": rule.security_group, "ports": list(rule.ports)} for rule in network.egress]
    nfs = nfs_egress(service, None if efs_mount_targets else vpc_cidr, egress)
    return {"security_group_ids": list(network.security_groups), "egress": egress + nfs}


def nfs_egress(service: m.ServiceBase, vpc_cidr: str | None, declared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """NFS (TCP 2049) to each file system's mount targets: their security group, else the VPC's CIDR
    block (the blueprint rules require one of them; None when tfgen creates the mount targets, whose
    group the root module adds); once per destination, and not where declared."""
    taken = {(rule["cidr_ipv4"], rule["security_group_id"]) for rule in declared if m.NFS_PORT in rule["ports"]}
    rules: list[dict[str, Any]] = []
    for volume in service.storage.volumes.values():
        group = volume.efs.security_group
        destination = (None if group else vpc_cidr, group)
        if destination not in taken and destination != (None, None):
            taken.add(destination)
            rules.append({"cidr_ipv4": destination[0], "security_group_id": group, "ports": [m.NFS_PORT]})
    return rules


def target_tracking_scaling(service: Any) -> dict[str, Any]:
    """{min, max, desired, cpu, memory, requests}: a fixed count n is n..n; a range without targets scales on CPU."""
    count = service.count
    if isinstance(count, int):
        return {"min": count, "max": count, "desired": count, "cpu": None, "memory": None, "requests": None}
    cpu, memory, requests = count.cpu, count.memory, count.requests
    if cpu is None and memory is None and requests is None:
        cpu = DEFAULT_CPU_TARGET
    return {"min": count.min, "max": count.max, "desired": count.min, "cpu": cpu, "memory": memory, "requests": requests}


def deployment_values(deployment: m.Deployment | None) -> dict[str, Any]:
    """The ECS deployment of a service: without `deployment`, rolling 100/200 and no alarms (what
    tfgen rendered before the field existed, so such services plan no change)."""
    if deployment is None:
        return {"strategy": "ROLLING", "min_healthy_percent": 100, "max_percent": 200, "bake_time": None, "canary": None, "linear": None,
                "alarms": {"create": False, "names": []}}
    rolling = deployment.strategy == "rolling"
    alarms = deployment.rollback_alarms
    return {
        "strategy": deployment.ecs_strategy(),
        "min_healthy_percent": deployment.minimum_healthy_percent(),
        "max_percent": deployment.maximum_percent(),
        "bake_time": None if rolling else (DEFAULT_BAKE_TIME if deployment.bake_time is None else deployment.bake_time),
        "canary": (deployment.canary or m.Canary()).model_dump() if deployment.strategy == "canary" else None,
        "linear": (deployment.linear or m.Linear()).model_dump() if deployment.strategy == "linear" else None,
        "alarms": {"create": alarms == "default", "names": [] if alarms == "default" else sorted(set(alarms))},
    }


def no_values(name: str, service: Any, env: Environment) -> dict[str, Any]:
    return {}


def no_arguments(name: str, variable: str) -> dict[str, str]:
    return {}


SERVICE_NAMES = Output("service_names", "ECS service name of each service of the blueprint.", "service_name")


@dataclass(frozen=True)
class ServiceType:
    """One service type (the way pre-commit registers a language): see the module docstring."""

    name: str  # the blueprint's `type`; also the module's directory under modules/
    model: type[m.ServiceBase]
    summary: str  # one line for the root variable's description
    # The root variable's `scaling` attribute and its value; None: the type does not scale.
    scaling_type: TypeSpec | None = TARGET_TRACKING_SCALING_TYPE
    scaling_values: Callable[[Any], dict[str, Any]] | None = target_tracking_scaling
    own_fields: tuple[tuple[str, TypeSpec], ...] = ()
    own_values: Callable[[str, Any, Environment], dict[str, Any]] = no_values  # (service name, model, environment) -> own attributes
    own_arguments: Callable[[str, str], dict[str, str]] = no_arguments  # (service name, root variable) -> module arguments (HCL)
    outputs: tuple[Output, ...] = (SERVICE_NAMES,)
    runs_as: Literal["ecs-service", "schedule"] = "ecs-service"  # what `tfgen status` looks for
    # Security groups (addresses inside the service's module) that checkov's plan graph cannot see
    # attached to anything: scoped skips of CKV2_AWS_5.
    unattached_security_groups: tuple[str, ...] = ()
    # Module calls inside the type's module: (call name, module directory).
    building_blocks: tuple[tuple[str, str], ...] = (("task", "ecs-task"), ("service", "ecs-service"))

    @property
    def deploys(self) -> bool:
        """An ECS service that deploys revisions (`deployment`): not a scheduled job."""
        return self.runs_as == "ecs-service"

    @property
    def module(self) -> str:
        return self.name

    def variable_fields(self, builds_image: bool) -> list[tuple[str, TypeSpec]]:
        """The attributes of a service's root variable, in order."""
        task = [(name, spec) for name, spec in TASK_FIELDS if not (builds_image and name == "image")]
        fields: list[tuple[str, TypeSpec]] = [
            ("name", "string"),
            ("capacity_provider_strategy", STRATEGY_TYPE),
            ("task", ("object", task)),
            ("network", NETWORK_TYPE),
        ]
        if self.scaling_type is not None:
            fields.append(("scaling", self.scaling_type))
        if self.deploys:
            fields.append(("deployment", DEPLOYMENT_TYPE))
        return fields + list(self.own_fields)

    def values(self, name: str, service: m.ServiceBase, env: Environment) -> dict[str, Any]:
        """A service's root variable value in one environment."""
        values: dict[str, Any] = {
            "name": env.resource_name(name),
            "capacity_provider_strategy": strategy(service.capacity or env.blueprint.cluster.capacity),
            "task": task_values(service),
            "network": network_values(service, env.vpc_cidr, env.efs_mount_targets),
        }
        if self.scaling_values is not None:
            values["scaling"] = self.scaling_values(service)
        if self.deploys:
            values["deployment"] = deployment_values(getattr(service, "deployment", None))
        return {**values, **self.own_values(name, service, env)}
