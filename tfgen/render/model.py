"""The render model: everything the root module needs, computed from a loaded blueprint.

Structure is decided once, from the base blueprint (which module blocks exist: one per service, by
type; `vpc` for a created VPC; `ec2_capacity` for EC2 capacity; `alb` when a web-service exists;
`<service>_repository` for `image: {build: DIR}`); everything an environment may change is a root
variable value. A pure transform: the blueprint layer has already decided the blueprint is
acceptable (`tfgen.blueprint.rules`); only the default VPC is looked up here (`tfgen.context.json`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfgen.blueprint import model as m
from tfgen.blueprint.aws_rules import dns_suffix
from tfgen.blueprint.loader import LoadedBlueprint, ResolvedNetwork
from tfgen.errors import InputError
from tfgen.naming import capacity_provider_name, repository_name, resource_name, service_identifiers, short_name, snake
from tfgen.services import SERVICE_MODULES, ServiceType, service_type
from tfgen.services.descriptor import Environment, strategy

STATE_KEY = "{application}/{environment}.tfstate"


@dataclass(frozen=True)
class ServiceRendering:
    """One service: its name, type and whether it builds its image (the same in every environment)."""

    name: str
    type: ServiceType
    builds_image: bool
    sends: bool = False  # sends_to names a worker in some environment: its task gets the queues
    networked: bool = False  # network sets security groups or egress (or storage mounts EFS: NFS egress) in some environment
    efs_client: bool = False  # mounts a file system through the mount targets tfgen creates (EFS_MOUNT_TARGETS) in some environment

    @property
    def is_worker(self) -> bool:
        return self.type.model is m.WorkerService

    @property
    def variable(self) -> str:
        return service_identifiers(self.name, self.builds_image)["variable"]

    @property
    def module(self) -> str:
        return snake(self.name)

    @property
    def image_tag_variable(self) -> str:
        return service_identifiers(self.name, True)["image_tag_variable"]

    @property
    def repository_module(self) -> str:
        return service_identifiers(self.name, True)["repository_module"]

    @property
    def repository_variable(self) -> str:
        return service_identifiers(self.name, True)["repository_variable"]


@dataclass
class RenderModel:
    name: str
    source: str  # the blueprint's file name, for the generated files' header
    created_vpc: bool
    ec2_capacity: bool
    load_balancer: bool
    services: list[ServiceRendering]
    environments: list[str]
    values: dict[str, dict[str, Any]]  # env -> root variable -> value (services included)
    backends: dict[str, dict[str, str]]  # env -> S3 backend settings
    alias_records: bool = False  # some environment has a hosted zone: load_balancer.dns exists
    backend_dns: bool = False  # a backend-service with a port exists: the cluster has a private DNS namespace
    efs_mount_targets: bool = False  # a created VPC and, in some environment, a service mounting EFS without efs.security_group

    def modules_used(self) -> list[str]:
        used = self._modules_used()
        if self.efs_mount_targets:
            used.append("efs-mount-targets")
        return sorted(used)

    def _modules_used(self) -> list[str]:
        used = {"ecs-cluster"}
        if self.created_vpc:
            used.update(("vpc", "iam-role"))
        if self.ec2_capacity:
            used.update(("ec2-capacity", "iam-role"))
        if self.load_balancer:
            used.add("alb")
        for service in self.services:
            used.add(service.type.module)
            used.update(SERVICE_MODULES)
            if service.builds_image:
                used.add("ecr-repository")
        return sorted(used)


def efs_clients(blueprint: m.Blueprint) -> dict[str, list[str]]:
    """On a VPC tfgen creates, the services that mount file systems without naming their mount
    targets' security group, and those file systems: tfgen creates the mount targets (one per
    private subnet) and their group (EFS_MOUNT_TARGETS). Empty on an existing or default VPC."""
    if not isinstance(blueprint.network.vpc, m.NewVpc):
        return {}
    clients = {}
    for name, service in sorted(blueprint.services.items()):
        ids = sorted({volume.efs.id for volume in service.storage.volumes.values() if volume.efs.security_group is None})
        if ids:
            clients[name] = ids
    return clients


def render_model(loaded: LoadedBlueprint) -> RenderModel:
    """The model of `loaded`; InputError when the default VPC of an environment was not discovered."""
    base = loaded.blueprint
    senders = {name for env in base.environments for name, svc in loaded.for_environment(env).services.items() if svc.sends_to}
    senders |= {name for name, svc in base.services.items() if svc.sends_to}
    merged = [base.services] + [loaded.for_environment(env).services for env in base.environments]
    networked = {
        name for services in merged for name, svc in services.items() if svc.network.security_groups or svc.network.egress or svc.storage.volumes
    }
    clients = {name for env in base.environments for name in efs_clients(loaded.for_environment(env))}
    services = [
        ServiceRendering(
            name, service_type(svc.type), svc.builds_image(), sends=name in senders, networked=name in networked, efs_client=name in clients
        )
        for name, svc in sorted(base.services.items())
    ]
    alias_records = any(_hosted_zone(loaded.for_environment(env)) for env in base.environments)
    values: dict[str, dict[str, Any]] = {}
    problems = []
    for env in base.environments:
        try:
            values[env] = _environment_values(loaded, env, services, alias_records, bool(clients))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return RenderModel(
        name=base.name,
        source=Path(loaded.path).name,
        created_vpc=isinstance(base.network.vpc, m.NewVpc),
        ec2_capacity=base.ec2_capacity() is not None,
        load_balancer=base.has_load_balancer(),
        services=services,
        environments=list(base.environments),
        values=values,
        backends={env: _backend(loaded, env) for env in base.environments},
        alias_records=alias_records,
        backend_dns=any(isinstance(svc, m.BackendService) and svc.port is not None for svc in base.services.values()),
        efs_mount_targets=bool(clients),
    )


def _hosted_zone(blueprint: m.Blueprint) -> str | None:
    return blueprint.load_balancer.hosted_zone if blueprint.load_balancer and blueprint.has_load_balancer() else None


def _environment_values(
    loaded: LoadedBlueprint, env: str, services: list[ServiceRendering], alias_records: bool, efs_mount_targets: bool
) -> dict[str, Any]:
    blueprint = loaded.for_environment(env)
    environment = blueprint.environments[env]
    app = blueprint.name
    prefix = resource_name(app, env)
    resolved = loaded.network_for(env)
    values: dict[str, Any] = {
        "account_id": environment.account,
        "environment": env,
        "protected": environment.protected,
        "region": loaded.region_of(env),
        "tags": dict(sorted({**blueprint.tags, "Application": app, "Environment": env, "ManagedBy": "tfgen"}.items())),
        "cluster": _cluster(blueprint, prefix, app, env),
        "network": _network(resolved, blueprint, prefix),
    }
    if blueprint.has_load_balancer() and blueprint.load_balancer is not None:  # the blueprint rules require it
        values["load_balancer"] = _load_balancer(blueprint.load_balancer, prefix)
        if alias_records:
            values["load_balancer"]["dns"] = _alias_records(blueprint)
    clients = efs_clients(blueprint)
    if efs_mount_targets:
        ids = sorted({fs for fs_ids in clients.values() for fs in fs_ids})
        values["efs_mount_targets"] = {"name": f"{prefix}-efs", "file_system_ids": ids, "services": sorted(clients)}
    context = Environment(app, env, blueprint, vpc_cidr=resolved.vpc_cidr_block, efs_mount_targets=bool(clients))
    for service in services:
        values[service.variable] = service.type.values(service.name, blueprint.services[service.name], context)
        if service.builds_image:
            values[service.repository_variable] = _repository(loaded, env, service.name)
    return values


def _repository(loaded: LoadedBlueprint, env: str, service: str) -> dict[str, Any]:
    """Where a built image lives: the repository of the first environment (its account and region),
    which the other environments' accounts may pull from; every environment deploys the same image."""
    home = loaded.environment_names()[0]
    account, region = loaded.environment(home).account, loaded.region_of(home)
    name = repository_name(loaded.name, service)
    others = sorted({loaded.environment(e).account for e in loaded.environment_names()} - {account})
    return {
        "create": env == home,
        "name": name,
        "url": f"{account}.dkr.ecr.{region}.{dns_suffix(region)}/{name}",
        "pull_account_ids": others if env == home else [],
    }


def _cluster(blueprint: m.Blueprint, prefix: str, app: str, env: str) -> dict[str, Any]:
    cluster: dict[str, Any] = {
        "name": prefix,
        "container_insights": blueprint.cluster.container_insights,
        "default_capacity_provider_strategy": strategy(blueprint.cluster.capacity),
    }
    ec2 = blueprint.ec2_capacity()
    if ec2 is not None:
        cluster["ec2"] = {
            "name": capacity_provider_name(app, env),
            "instance_type": ec2.instance_type,
            "min_size": ec2.min,
            "max_size": ec2.max,
            "target_capacity": ec2.target_capacity,
            "ami_id": ec2.ami,
        }
    return cluster


def _network(resolved: ResolvedNetwork, blueprint: m.Blueprint, prefix: str) -> dict[str, Any]:
    """A created VPC's settings, or an existing network: its VPC and subnets, and where the tasks
    run (``task_subnet_ids``: the private subnets, or the public ones with public IPs)."""
    vpc = blueprint.network.vpc
    if isinstance(vpc, m.NewVpc):
        return {"name": prefix, "cidr": vpc.cidr, "azs": vpc.azs, "nat": vpc.nat}
    public_placement = blueprint.network.placement == "public"
    public = list(resolved.public_subnet_ids or ())
    private = list(resolved.private_subnet_ids or ()) or public
    return {
        "vpc_id": resolved.vpc_id,
        "public_subnet_ids": public,
        "private_subnet_ids": private,
        "task_subnet_ids": public if public_placement else private,
        "assign_public_ip": public_placement,
    }


def _load_balancer(lb: m.LoadBalancer, prefix: str) -> dict[str, Any]:
    certificates = lb.certificate_arns()
    return {
        "name": short_name(prefix),
        "internal": not lb.public,
        "certificate_arn": certificates[0] if certificates else None,
        "additional_certificate_arns": certificates[1:],
        "allowed_source_ips": list(lb.allowed_source_ips),
        "ssl_policy": lb.ssl_policy,
        "idle_timeout": lb.idle_timeout,
        "access_logs": lb.access_logs.model_dump() if lb.access_logs else None,
        "waf_acl_arn": lb.waf_acl_arn,
    }


def _alias_records(blueprint: m.Blueprint) -> dict[str, Any] | None:
    """The hosted zone and the record names of every web service's aliases (null: no zone here)."""
    zone = _hosted_zone(blueprint)
    if zone is None:
        return None
    names = sorted({alias for service in blueprint.web_services().values() for alias in service.http.aliases()})
    return {"zone": zone, "names": names}


def _backend(loaded: LoadedBlueprint, env: str) -> dict[str, str]:
    state = loaded.blueprint.environments[env].state
    return {
        "bucket": state.bucket,
        "key": STATE_KEY.format(application=loaded.blueprint.name, environment=env),
        "region": state.region or loaded.region_of(env),
    }
