"""`tfgen render`: a blueprint becomes one Terraform root module plus a var file and a backend file
per environment.

Structure is decided here, once, from the base blueprint: which module blocks exist (one per
service, by type; `vpc` for a created VPC; `ec2_capacity` for EC2 capacity; `alb` when a
web-service exists; `<service>_repository` for `image: {build: DIR}`). Everything an environment
may change is a root variable whose value sits in `env/<env>.tfvars.json`, so the root module is
byte-for-byte the same for every environment.

Files are written atomically and recorded in `.tfgen-manifest.json` (path -> sha256). tfgen only
replaces or removes files it wrote, and refuses to touch one that was edited since (unless
`force`); `check` writes nothing and reports what is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

import jinja2

from tfgen.blueprint import model as m
from tfgen.errors import InputError, Problem, TfgenError
from tfgen.naming import resource_name, short_name, snake

MANIFEST = ".tfgen-manifest.json"
BUILD_DIR = Path("build")
DEFAULT_WEB_CPU_TARGET = 70
AUTO_PRIORITY_STEP = 10
MODULE_DIRS = {
    "web-service": "web-service",
    "backend-service": "backend-service",
    "worker-service": "worker-service",
    "scheduled-job": "scheduled-job",
}
# Service modules compose these building blocks through `../ecs-task` and `../ecs-service`.
SERVICE_BUILDING_BLOCKS = ("ecs-task", "ecs-service")
CAPACITY_PROVIDER_NAMES = {"fargate": "FARGATE", "fargate_spot": "FARGATE_SPOT"}
ROOT_VARIABLES = ("account_id", "cluster", "environment", "load_balancer", "network", "protected", "region", "tags")
ROOT_MODULES = ("alb", "cluster", "ec2_capacity", "vpc")


# --- finding the modules ------------------------------------------------------------------------


def modules_dir() -> Path:
    """The Terraform modules: `tfgen/_modules/` in an installed wheel (see setup.py), else the
    source tree's `modules/` (editable install, checkout)."""
    packaged = Path(str(resources.files("tfgen"))) / "_modules"
    if (packaged / "ecs-cluster" / "main.tf").is_file():
        return packaged
    repo = Path(__file__).resolve().parent.parent / "modules"
    if (repo / "ecs-cluster" / "main.tf").is_file():
        return repo
    raise TfgenError("tfgen's Terraform modules are missing from this installation (reinstall tfgen)")


def default_output_dir(name: str) -> Path:
    """`build/<name>/`, relative to the working directory."""
    return BUILD_DIR / name


def image_tag_variable(service: str) -> str:
    """The root variable a pipeline sets to deploy a built image: `<service_snake>_image_tag`."""
    return f"{snake(service)}_image_tag"


def service_variable(service: str) -> str:
    """The root variable that holds a service's per-environment values."""
    return snake(service)


# --- HCL emitter (terraform fmt's layout) -------------------------------------------------------


class Raw(str):
    """An HCL expression, written as is."""


def hcl_string(value: str) -> str:
    """A quoted HCL string literal; `${` and `%{` are escaped so nothing is interpolated."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("${", "$${").replace("%{", "%%{")


def hcl_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl_literal(v) for v in value) + "]"
    raise TypeError(f"no single-line HCL for {value!r}")


@dataclass
class Attr:
    key: str
    value: Any  # Raw / literal (one line), Obj or TypeSpec (several lines)


@dataclass
class Obj:
    """An object constructor written over several lines."""

    items: list[Any]


@dataclass
class Block:
    type: str
    labels: tuple[str, ...] = ()
    items: list[Any] = field(default_factory=list)


BLANK = object()

# Terraform type constraints: "string" | ("object", [(name, spec)...]) | ("list", spec) | ("map", spec)
TypeSpec = Union[str, tuple]


def _type_one_line(spec: TypeSpec) -> str | None:
    if isinstance(spec, str):
        return spec
    kind, inner = spec
    if kind in ("list", "map", "set"):
        text = _type_one_line(inner)
        return None if text is None else f"{kind}({text})"
    return None


def _type_lines(spec: TypeSpec, indent: int) -> list[str]:
    """A multi-line object type: first line without indentation, last line closing it."""
    kind, inner = spec
    if kind in ("list", "map", "set"):
        lines = _type_lines(inner, indent)
        return [f"{kind}({lines[0]}", *lines[1:-1], lines[-1] + ")"]
    assert kind == "object"
    items = [Attr(name, Raw(t) if isinstance(t, str) else TypeValue(t)) for name, t in inner]
    for item in items:
        if isinstance(item.value, TypeValue) and _type_one_line(item.value.spec) is not None:
            item.value = Raw(_type_one_line(item.value.spec))
    return ["object({", *_body(items, indent + 2), " " * indent + "})"]


@dataclass
class TypeValue:
    spec: TypeSpec


def _single_line(value: Any) -> bool:
    return not isinstance(value, (Obj, TypeValue, Block))


def _body(items: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    group: list[Attr] = []

    def flush() -> None:
        if group:
            width = max(len(a.key) for a in group)
            lines.extend(f"{pad}{a.key.ljust(width)} = {hcl_literal(a.value)}" for a in group)
            group.clear()

    for item in items:
        if item is BLANK:
            flush()
            lines.append("")
        elif isinstance(item, Attr) and _single_line(item.value):
            group.append(item)
        else:
            flush()
            if isinstance(item, Block):
                lines.extend(_block(item, indent))
            elif isinstance(item.value, Obj):
                lines.append(f"{pad}{item.key} = {{")
                lines.extend(_body(item.value.items, indent + 2))
                lines.append(pad + "}")
            else:
                type_lines = _type_lines(item.value.spec, indent)
                lines.append(f"{pad}{item.key} = {type_lines[0]}")
                lines.extend(type_lines[1:])
    flush()
    return lines


def _block(block: Block, indent: int = 0) -> list[str]:
    pad = " " * indent
    head = " ".join([block.type, *(hcl_string(label) for label in block.labels)])
    if not block.items:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{", *_body(block.items, indent + 2), pad + "}"]


def hcl_file(header: str, blocks: Iterable[Block]) -> str:
    parts = ["\n".join(_block(b)) for b in blocks]
    return header + "\n" + "\n\n".join(parts) + "\n"


def type_attr(spec: TypeSpec) -> Attr:
    one_line = _type_one_line(spec)
    return Attr("type", Raw(one_line) if one_line is not None else TypeValue(spec))


# --- templates ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _jinja() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tfgen", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["hcl"] = hcl_literal
    return env


def _template(name: str, **values: Any) -> str:
    return _jinja().get_template(name).render(**values)


# --- the plan of a rendering: structure + per-environment values --------------------------------


STRATEGY_TYPE: TypeSpec = ("list", ("object", [("capacity_provider", "string"), ("base", "number"), ("weight", "number")]))
SCALING_TYPE: TypeSpec = (
    "object",
    [("min", "number"), ("max", "number"), ("desired", "number"), ("cpu", "number"), ("memory", "number"), ("requests", "number")],
)
HEALTH_CHECK_TYPE: TypeSpec = (
    "object",
    [
        ("path", "string"),
        ("port", "number"),
        ("success_codes", "string"),
        ("interval", "number"),
        ("timeout", "number"),
        ("healthy_threshold", "number"),
        ("unhealthy_threshold", "number"),
        ("grace_period", "number"),
    ],
)
QUEUE_TYPE: TypeSpec = ("object", [("visibility_timeout", "number"), ("max_receive_count", "number"), ("retention", "number")])


@dataclass
class ServicePlan:
    """One service: its structure (type, built image) and its values per environment."""

    name: str
    type: str
    builds_image: bool
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # env -> variable value

    @property
    def variable(self) -> str:
        return service_variable(self.name)

    @property
    def module(self) -> str:
        return snake(self.name)

    @property
    def repository_module(self) -> str:
        return f"{snake(self.name)}_repository"

    def fields(self) -> list[tuple[str, TypeSpec]]:
        """The attributes of the service's root variable, in order."""
        common: list[tuple[str, TypeSpec]] = [("name", "string")]
        if not self.builds_image:
            common.append(("image", "string"))
        common += [
            ("cpu", "number"),
            ("memory", "number"),
            ("port", "number"),
            ("command", ("list", "string")),
            ("environment", ("map", "string")),
            ("secrets", ("map", "string")),
            ("readonly_root_filesystem", "bool"),
            ("writable_paths", ("list", "string")),
            ("enable_execute_command", "bool"),
            ("log_retention_days", "number"),
            ("capacity_provider_strategy", STRATEGY_TYPE),
        ]
        if self.type != "scheduled-job":
            common.append(("scaling", SCALING_TYPE))
        if self.type == "web-service":
            common += [
                ("short_name", "string"),
                ("path_pattern", "string"),
                ("host_header", "string"),
                ("listener_rule_priority", "number"),
                ("health_check", HEALTH_CHECK_TYPE),
            ]
        elif self.type == "worker-service":
            common += [("queue", QUEUE_TYPE), ("backlog_per_task", "number")]
        elif self.type == "scheduled-job":
            common += [("schedule_expression", "string"), ("timeout", "number")]
        return common


@dataclass
class RenderPlan:
    """Everything rendering needs, from the blueprint; no file is written."""

    name: str
    source: str
    created_vpc: bool
    ec2_capacity: bool
    load_balancer: bool
    services: list[ServicePlan]
    environments: list[str]
    values: dict[str, dict[str, Any]]  # env -> root variable -> value (services included)
    backends: dict[str, dict[str, str]]

    def modules_used(self) -> list[str]:
        used = {"ecs-cluster"}
        if self.created_vpc:
            used.add("vpc")
        if self.ec2_capacity:
            used.add("ec2-capacity")
        if self.load_balancer:
            used.add("alb")
        for service in self.services:
            used.add(MODULE_DIRS[service.type])
            used.update(SERVICE_BUILDING_BLOCKS)
            if service.builds_image:
                used.add("ecr-repository")
        return sorted(used)


class _Problems:
    """Structural problems of a blueprint, located in its file."""

    def __init__(self, loaded: Any):
        self.loaded = loaded
        self.items: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str, hint: str | None = None) -> None:
        self.items.append(self.loaded.problem(path, message, hint))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


def _count_scaling(count: Any, service: m.ServiceBase, default_cpu: int | None) -> dict[str, Any]:
    if isinstance(count, int):
        return {"min": count, "max": count, "desired": count, "cpu": None, "memory": None, "requests": None}
    cpu, memory, requests = count.cpu, count.memory, count.requests
    if default_cpu is not None and cpu is None and memory is None and requests is None:
        cpu = default_cpu
    return {"min": count.min, "max": count.max, "desired": count.min, "cpu": cpu, "memory": memory, "requests": requests}


def _strategy(capacity: m.CapacityStrategy) -> list[dict[str, Any]]:
    return [{"capacity_provider": key, "base": value.base, "weight": value.weight} for key, value in capacity.providers().items()]


def _health_check(http: m.Http) -> dict[str, Any]:
    health = http.health()
    return {
        "path": health.path,
        "port": health.port,
        "success_codes": health.success_codes,
        "interval": health.interval,
        "timeout": health.timeout,
        "healthy_threshold": health.healthy_threshold,
        "unhealthy_threshold": health.unhealthy_threshold,
        "grace_period": health.grace_period,
    }


def _specificity(name: str, service: m.WebService) -> tuple:
    """Sort key: host rules first, then fewer wildcards, longer paths, then the name."""
    path = service.http.path
    wildcards = path.count("*") + path.count("?")
    return (0 if service.http.alias else 1, wildcards, -len(path), name)


def listener_priorities(web_services: dict[str, m.WebService]) -> dict[str, int]:
    """Listener rule priority per web-service: `http.priority` when set, else by specificity
    (most specific first), multiples of 10 that skip the explicit ones. Deterministic."""
    explicit = {name: s.http.priority for name, s in web_services.items() if s.http.priority is not None}
    taken = set(explicit.values())
    result = dict(explicit)
    candidate = 0
    for name in sorted((n for n in web_services if n not in explicit), key=lambda n: _specificity(n, web_services[n])):
        candidate += AUTO_PRIORITY_STEP
        while candidate in taken:
            candidate += AUTO_PRIORITY_STEP
        taken.add(candidate)
        result[name] = candidate
    return dict(sorted(result.items()))


def _service_values(app: str, env: str, name: str, service: Any, blueprint: m.Blueprint, priorities: dict[str, int]) -> dict[str, Any]:
    full_name = resource_name(app, env, name)
    values: dict[str, Any] = {"name": full_name}
    if not service.builds_image():
        values["image"] = service.image
    values.update(
        cpu=service.cpu,
        memory=service.memory,
        port=getattr(service, "port", None),
        command=service.command,
        environment=dict(sorted(service.variables.items())),
        secrets=dict(sorted(service.secrets.items())),
        readonly_root_filesystem=service.readonly_root_filesystem,
        writable_paths=service.writable_paths,
        enable_execute_command=service.exec,
        log_retention_days=service.logging.retention,
        capacity_provider_strategy=_strategy(service.capacity or blueprint.cluster.capacity),
    )
    if isinstance(service, m.WebService):
        values["scaling"] = _count_scaling(service.count, service, DEFAULT_WEB_CPU_TARGET)
        values.update(
            short_name=short_name(full_name),
            path_pattern=service.http.path,
            host_header=service.http.alias,
            listener_rule_priority=priorities[name],
            health_check=_health_check(service.http),
        )
    elif isinstance(service, m.BackendService):
        values["scaling"] = _count_scaling(service.count, service, DEFAULT_WEB_CPU_TARGET)
    elif isinstance(service, m.WorkerService):
        values["scaling"] = _count_scaling(service.count, service, None)
        values["queue"] = service.queue.model_dump()
        values["backlog_per_task"] = service.count.backlog_per_task if isinstance(service.count, m.WorkerScaling) else m.WorkerScaling.model_fields["backlog_per_task"].default
    elif isinstance(service, m.ScheduledJob):
        values["schedule_expression"] = service.schedule_expression()
        values["timeout"] = service.timeout
    return values


def network_for(loaded: Any, env: str) -> dict[str, Any] | None:
    """The existing network of an environment (`vpc_id`, subnets), or None when tfgen creates it.

    The default VPC comes from tfgen.context.json (`tfgen discover`, InputError when missing, or
    when it has no private subnets and the blueprint did not choose `network.placement: public`).
    Tasks run in ``task_subnet_ids``: the private subnets, or the public ones with public IPs."""
    found = loaded.network_for(env)
    if found.kind == "new" or found.vpc_id is None:
        return None
    public_placement = loaded.for_environment(env).network.placement == "public"
    public = list(found.public_subnet_ids or ())
    private = list(found.private_subnet_ids or ()) or public
    return {
        "vpc_id": found.vpc_id,
        "public_subnet_ids": public,
        "private_subnet_ids": private,
        "task_subnet_ids": public if public_placement else private,
        "assign_public_ip": public_placement,
    }


def plan_rendering(loaded: Any) -> RenderPlan:
    """Structure from the base blueprint, values from every environment; InputError on a
    blueprint whose environments would need different structures."""
    base: m.Blueprint = loaded.blueprint
    app = base.name
    problems = _Problems(loaded)
    services = [ServicePlan(name, svc.type, svc.builds_image()) for name, svc in sorted(base.services.items())]
    created_vpc = isinstance(base.network.vpc, m.NewVpc)
    ec2 = base.cluster.capacity.ec2 is not None
    has_lb = base.has_load_balancer()

    taken: dict[str, str] = {name: "a root variable" for name in ROOT_VARIABLES} | {name: "a root module" for name in ROOT_MODULES}
    for service in services:
        for identifier in [service.variable] + ([image_tag_variable(service.name), service.repository_module] if service.builds_image else []):
            if identifier in taken:
                problems.add(("services", service.name), f"service name '{service.name}' collides with {taken[identifier]} ('{identifier}'): rename the service")
            taken[identifier] = f"service '{service.name}'"
    problems.raise_if_any()

    values: dict[str, dict[str, Any]] = {}
    backends: dict[str, dict[str, str]] = {}
    for env in base.environments:
        blueprint: m.Blueprint = loaded.for_environment(env)
        environment = blueprint.environments[env]
        region = environment.region or blueprint.region
        where = ("environments", env, "overrides")
        if isinstance(blueprint.network.vpc, m.NewVpc) != created_vpc:
            problems.add(where + ("network",), "an environment cannot switch between a created VPC and an existing one (the root module is the same for every environment)")
        if (blueprint.cluster.capacity.ec2 is not None) != ec2:
            problems.add(where + ("cluster",), "cluster.capacity.ec2 must be declared in the base blueprint and kept in every environment (it decides whether the EC2 capacity module exists)")
        for name, svc in blueprint.services.items():
            if svc.builds_image() != base.services[name].builds_image():
                problems.add(where + ("services", name, "image"), "an environment cannot switch between a built image ({build: DIR}) and an image reference")
            strategy = svc.capacity or blueprint.cluster.capacity
            if strategy.ec2 is not None and not ec2:
                problems.add(("services", name, "capacity", "ec2"), "this service asks for EC2 capacity but the cluster has none: add cluster.capacity.ec2")
        webs = blueprint.web_services()
        explicit = [s.http.priority for s in webs.values() if s.http.priority is not None]
        if len(explicit) != len(set(explicit)):
            problems.add(where + ("services",), "two web-services have the same http.priority")
        if problems.items:
            continue
        priorities = listener_priorities(webs)
        prefix = resource_name(app, env)
        env_values: dict[str, Any] = {
            "account_id": environment.account,
            "environment": env,
            "protected": environment.protected,
            "region": region,
            "tags": dict(sorted({**blueprint.tags, "Application": app, "Environment": env, "ManagedBy": "tfgen"}.items())),
        }
        cluster: dict[str, Any] = {
            "name": prefix,
            "container_insights": blueprint.cluster.container_insights,
            "default_capacity_provider_strategy": _strategy(blueprint.cluster.capacity),
        }
        if ec2:
            ec2_capacity = blueprint.cluster.capacity.ec2
            cluster["ec2"] = {
                "name": resource_name(app, env, "ec2"),
                "instance_type": ec2_capacity.instance_type,
                "min_size": ec2_capacity.min,
                "max_size": ec2_capacity.max,
                "target_capacity": ec2_capacity.target_capacity,
            }
        env_values["cluster"] = cluster
        if created_vpc:
            vpc = blueprint.network.vpc
            env_values["network"] = {"name": prefix, "cidr": vpc.cidr, "azs": vpc.azs, "nat": vpc.nat}
        else:
            try:
                env_values["network"] = network_for(loaded, env)
            except InputError as error:
                problems.items.extend(error.problems or [Problem(str(loaded.path), 1, 1, "network.vpc", str(error))])
                continue
        if has_lb:
            lb = blueprint.load_balancer or m.LoadBalancer()
            env_values["load_balancer"] = {
                "name": short_name(prefix),
                "internal": not lb.public,
                "certificate_arn": (lb.certificate_arns() or [None])[0],
                "additional_certificate_arns": lb.certificate_arns()[1:],
                "allowed_source_ips": list(lb.allowed_source_ips),
                "ssl_policy": lb.ssl_policy,
                "idle_timeout": lb.idle_timeout,
                "access_logs": lb.access_logs.model_dump() if lb.access_logs else None,
                "waf_acl_arn": lb.waf_acl_arn,
            }
        for service in services:
            svc = blueprint.services[service.name]
            service.values[env] = _service_values(app, env, service.name, svc, blueprint, priorities)
            env_values[service.variable] = service.values[env]
        values[env] = env_values
        state = environment.state
        backends[env] = {"bucket": state.bucket, "key": f"{app}/{env}.tfstate", "region": state.region or region}
    problems.raise_if_any()
    return RenderPlan(
        name=app,
        source=Path(loaded.path).name,
        created_vpc=created_vpc,
        ec2_capacity=ec2,
        load_balancer=has_lb,
        services=services,
        environments=list(base.environments),
        values=values,
        backends=backends,
    )


# --- the root module ----------------------------------------------------------------------------


def _header(plan: RenderPlan, comment: str = "#") -> str:
    return f"{comment} Generated by tfgen from {plan.source}. Do not edit: change the blueprint and run `tfgen render`."


def _variable(name: str, description: str, spec: TypeSpec, default: Any = ..., nullable: bool | None = None) -> Block:
    items: list[Any] = [Attr("description", description), type_attr(spec)]
    if default is not ...:
        items.append(Attr("default", default))
    if nullable is False:
        items.append(Attr("nullable", False))
    return Block("variable", (name,), items)


def _variables_tf(plan: RenderPlan) -> str:
    blocks = [
        _variable("account_id", "AWS account the environment deploys to (the provider refuses any other).", "string"),
        _variable("cluster", "ECS cluster: name, Container Insights, default capacity provider strategy" + (", EC2 capacity." if plan.ec2_capacity else "."), _cluster_type(plan)),
        _variable("environment", "Name of the environment.", "string"),
    ]
    if plan.load_balancer:
        blocks.append(_variable("load_balancer", "Application load balancer shared by the web services.", LOAD_BALANCER_TYPE))
    blocks += [
        _variable("network", "VPC to create (name, cidr, azs, nat)." if plan.created_vpc else "Existing VPC, its public and private subnets, and where tasks run (task_subnet_ids, assign_public_ip).", NEW_NETWORK_TYPE if plan.created_vpc else EXISTING_NETWORK_TYPE),
        _variable("protected", "Protected environment: deletion protection on, destroys refused by tfgen apply.", "bool"),
        _variable("region", "AWS region of the environment.", "string"),
        _variable("tags", "Tags of every resource (provider default_tags).", ("map", "string")),
    ]
    for service in plan.services:
        blocks.append(_variable(service.variable, f"{service.type} '{service.name}': per-environment values.", ("object", service.fields())))
        if service.builds_image:
            blocks.append(_variable(image_tag_variable(service.name), f"Tag of the image of '{service.name}' in its ECR repository (set by the deployment pipeline).", "string", "latest", nullable=False))
    return hcl_file(_header(plan), blocks)


EXISTING_NETWORK_TYPE: TypeSpec = (
    "object",
    [
        ("vpc_id", "string"),
        ("public_subnet_ids", ("list", "string")),
        ("private_subnet_ids", ("list", "string")),
        ("task_subnet_ids", ("list", "string")),
        ("assign_public_ip", "bool"),
    ],
)
NEW_NETWORK_TYPE: TypeSpec = ("object", [("name", "string"), ("cidr", "string"), ("azs", "number"), ("nat", "string")])
LOAD_BALANCER_TYPE: TypeSpec = (
    "object",
    [
        ("name", "string"),
        ("internal", "bool"),
        ("certificate_arn", "string"),
        ("additional_certificate_arns", ("list", "string")),
        ("allowed_source_ips", ("list", "string")),
        ("ssl_policy", "string"),
        ("idle_timeout", "number"),
        ("access_logs", ("object", [("bucket", "string"), ("prefix", "string")])),
        ("waf_acl_arn", "string"),
    ],
)


def _cluster_type(plan: RenderPlan) -> TypeSpec:
    fields: list[tuple[str, TypeSpec]] = [("name", "string"), ("container_insights", "bool"), ("default_capacity_provider_strategy", STRATEGY_TYPE)]
    if plan.ec2_capacity:
        fields.append(("ec2", ("object", [("name", "string"), ("instance_type", "string"), ("min_size", "number"), ("max_size", "number"), ("target_capacity", "number")])))
    return ("object", fields)


def _strategy_expr(source: str) -> Raw:
    return Raw(f"[for s in {source} : {{ capacity_provider = local.capacity_providers[s.capacity_provider], base = s.base, weight = s.weight }}]")


def _service_module(plan: RenderPlan, service: ServicePlan) -> Block:
    v = f"var.{service.variable}"
    image = Raw(f'"${{module.{service.repository_module}.repository_url}}:${{var.{image_tag_variable(service.name)}}}"') if service.builds_image else Raw(f"{v}.image")
    items: list[Any] = [
        Attr("source", f"./modules/{MODULE_DIRS[service.type]}"),
        BLANK,
        Attr("name", Raw(f"{v}.name")),
        Attr("region", Raw("var.region")),
        Attr("cluster_arn", Raw("module.cluster.cluster_arn")),
        Attr("cluster_name", Raw("module.cluster.cluster_name")),
        Attr("vpc_id", Raw("local.network.vpc_id")),
        Attr("subnet_ids", Raw("local.network.task_subnet_ids")),
        Attr("assign_public_ip", Raw("local.network.assign_public_ip")),
        Attr("services_security_group_id", Raw("module.cluster.services_security_group_id")),
        Attr("service_connect_namespace_arn", Raw("module.cluster.service_connect_namespace_arn")),
        Attr("capacity_provider_strategy", _strategy_expr(f"{v}.capacity_provider_strategy")),
        BLANK,
        Attr("image", image),
        Attr("cpu", Raw(f"{v}.cpu")),
        Attr("memory", Raw(f"{v}.memory")),
        Attr("port", Raw(f"{v}.port")),
        Attr("command", Raw(f"{v}.command")),
        Attr("environment", Raw(f"{v}.environment")),
        Attr("secrets", Raw(f"{v}.secrets")),
        Attr("readonly_root_filesystem", Raw(f"{v}.readonly_root_filesystem")),
        Attr("writable_paths", Raw(f"{v}.writable_paths")),
        Attr("enable_execute_command", Raw(f"{v}.enable_execute_command")),
        Attr("log_retention_days", Raw(f"{v}.log_retention_days")),
    ]
    if service.type != "scheduled-job":
        items.append(Attr("scaling", Raw(f"{v}.scaling")))
    if service.type == "web-service":
        items += [
            BLANK,
            Attr("short_name", Raw(f"{v}.short_name")),
            Attr("listener_arn", Raw("module.alb.listener_arn")),
            Attr("load_balancer_security_group_id", Raw("module.alb.security_group_id")),
            Attr("load_balancer_arn_suffix", Raw("module.alb.arn_suffix")),
            Attr("path_pattern", Raw(f"{v}.path_pattern")),
            Attr("host_header", Raw(f"{v}.host_header")),
            Attr("listener_rule_priority", Raw(f"{v}.listener_rule_priority")),
            Attr("health_check", Raw(f"{v}.health_check")),
        ]
    elif service.type == "backend-service":
        # Other services reach it as http://<service name>:<port> through Service Connect.
        items += [BLANK, Attr("discovery_name", service.name)]
    elif service.type == "worker-service":
        items += [BLANK, Attr("queue", Raw(f"{v}.queue")), Attr("backlog_per_task", Raw(f"{v}.backlog_per_task"))]
    elif service.type == "scheduled-job":
        items += [BLANK, Attr("schedule_expression", Raw(f"{v}.schedule_expression")), Attr("timeout", Raw(f"{v}.timeout"))]
    items += [BLANK, Attr("tags", Obj([Attr("Service", service.name)]))]
    return Block("module", (service.module,), items)


def _main_tf(plan: RenderPlan) -> str:
    providers: list[Any] = []
    if plan.ec2_capacity:
        providers.append(Attr("ec2", Raw("module.ec2_capacity.capacity_provider_name")))
    providers += [Attr(key, value) for key, value in CAPACITY_PROVIDER_NAMES.items()]
    if plan.created_vpc:
        network = Obj([
            Attr("vpc_id", Raw("module.vpc.vpc_id")),
            Attr("public_subnet_ids", Raw("module.vpc.public_subnet_ids")),
            Attr("private_subnet_ids", Raw("module.vpc.private_subnet_ids")),
            Attr("task_subnet_ids", Raw("module.vpc.private_subnet_ids")),
            Attr("assign_public_ip", False),
        ])
    else:
        network = Raw("var.network")
    blocks = [
        Block(
            "locals",
            (),
            [
                Attr("application", plan.name),
                BLANK,
                Attr("capacity_providers", Obj(providers)),
                BLANK,
                Attr("network", network),
            ],
        )
    ]
    if plan.created_vpc:
        blocks.append(
            Block(
                "module",
                ("vpc",),
                [
                    Attr("source", "./modules/vpc"),
                    BLANK,
                    Attr("name", Raw("var.network.name")),
                    Attr("cidr", Raw("var.network.cidr")),
                    Attr("azs", Raw("var.network.azs")),
                    Attr("nat", Raw("var.network.nat")),
                ],
            )
        )
    blocks.append(
        Block(
            "module",
            ("cluster",),
            [
                Attr("source", "./modules/ecs-cluster"),
                BLANK,
                Attr("name", Raw("var.cluster.name")),
                Attr("container_insights", Raw("var.cluster.container_insights")),
                Attr("capacity_providers", Raw("values(local.capacity_providers)")),
                Attr("default_capacity_provider_strategy", _strategy_expr("var.cluster.default_capacity_provider_strategy")),
                Attr("vpc_id", Raw("local.network.vpc_id")),
            ],
        )
    )
    if plan.ec2_capacity:
        blocks.append(
            Block(
                "module",
                ("ec2_capacity",),
                [
                    Attr("source", "./modules/ec2-capacity"),
                    BLANK,
                    Attr("name", Raw("var.cluster.ec2.name")),
                    Attr("cluster_name", Raw("module.cluster.cluster_name")),
                    Attr("instance_type", Raw("var.cluster.ec2.instance_type")),
                    Attr("min_size", Raw("var.cluster.ec2.min_size")),
                    Attr("max_size", Raw("var.cluster.ec2.max_size")),
                    Attr("target_capacity", Raw("var.cluster.ec2.target_capacity")),
                    Attr("vpc_id", Raw("local.network.vpc_id")),
                    Attr("subnet_ids", Raw("local.network.private_subnet_ids")),
                ],
            )
        )
    if plan.load_balancer:
        blocks.append(
            Block(
                "module",
                ("alb",),
                [
                    Attr("source", "./modules/alb"),
                    BLANK,
                    Attr("name", Raw("var.load_balancer.name")),
                    Attr("internal", Raw("var.load_balancer.internal")),
                    Attr("vpc_id", Raw("local.network.vpc_id")),
                    Attr("subnet_ids", Raw("var.load_balancer.internal ? local.network.private_subnet_ids : local.network.public_subnet_ids")),
                    Attr("allowed_source_ips", Raw("var.load_balancer.allowed_source_ips")),
                    Attr("certificate_arn", Raw("var.load_balancer.certificate_arn")),
                    Attr("additional_certificate_arns", Raw("var.load_balancer.additional_certificate_arns")),
                    Attr("ssl_policy", Raw("var.load_balancer.ssl_policy")),
                    Attr("idle_timeout", Raw("var.load_balancer.idle_timeout")),
                    Attr("deletion_protection", Raw("var.protected")),
                    Attr("access_logs", Raw("var.load_balancer.access_logs")),
                    Attr("waf_acl_arn", Raw("var.load_balancer.waf_acl_arn")),
                ],
            )
        )
    for service in plan.services:
        if service.builds_image:
            blocks.append(
                Block(
                    "module",
                    (service.repository_module,),
                    [Attr("source", "./modules/ecr-repository"), BLANK, Attr("name", Raw(f"var.{service.variable}.name")), BLANK, Attr("tags", Obj([Attr("Service", service.name)]))],
                )
            )
        blocks.append(_service_module(plan, service))
    return hcl_file(_header(plan), blocks)


def _outputs_tf(plan: RenderPlan) -> str:
    blocks = []
    if plan.load_balancer:
        blocks.append(Block("output", ("load_balancer_dns_name",), [Attr("description", "DNS name of the application load balancer."), Attr("value", Raw("module.alb.dns_name"))]))
    ecs_services = [s for s in plan.services if s.type != "scheduled-job"]
    workers = [s for s in plan.services if s.type == "worker-service"]
    jobs = [s for s in plan.services if s.type == "scheduled-job"]
    blocks.append(_map_output("service_names", "ECS service name of each service of the blueprint.", {s.name: f"module.{s.module}.service_name" for s in ecs_services}))
    blocks.append(_map_output("queue_urls", "SQS queue URL of each worker-service.", {s.name: f"module.{s.module}.queue_url" for s in workers}))
    if jobs:
        blocks.append(_map_output("schedule_rule_names", "EventBridge rule name of each scheduled-job.", {s.name: f"module.{s.module}.rule_name" for s in jobs}))
    repositories = [s for s in plan.services if s.builds_image]
    if repositories:
        blocks.append(_map_output("repository_urls", "ECR repository URL of each service built from a directory.", {s.name: f"module.{s.repository_module}.repository_url" for s in repositories}))
    blocks.append(Block("output", ("cluster_name",), [Attr("description", "Name of the ECS cluster."), Attr("value", Raw("module.cluster.cluster_name"))]))
    return hcl_file(_header(plan), blocks)


def _map_output(name: str, description: str, entries: dict[str, str]) -> Block:
    value: Any = Obj([Attr(hcl_string(key), Raw(expr)) for key, expr in entries.items()]) if entries else Raw("{}")
    return Block("output", (name,), [Attr("description", description), Attr("value", value)])


def render_files(loaded: Any) -> dict[str, bytes]:
    """Every file of the rendering: relative path -> content. Pure: nothing is written."""
    plan = plan_rendering(loaded)
    header = _header(plan)
    files: dict[str, str] = {
        "versions.tf": _template("versions.tf.j2", header=header),
        "providers.tf": _template("providers.tf.j2", header=header),
        "variables.tf": _variables_tf(plan),
        "main.tf": _main_tf(plan),
        "outputs.tf": _outputs_tf(plan),
    }
    for env in plan.environments:
        files[f"env/{env}.tfvars.json"] = json.dumps(plan.values[env], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        files[f"env/{env}.s3.tfbackend"] = _template("backend.s3.tfbackend.j2", header=header, **plan.backends[env])
    result = {path: text.encode() for path, text in files.items()}
    source = modules_dir()
    for module in plan.modules_used():
        directory = source / module
        if not directory.is_dir():
            raise TfgenError(f"module {module} is missing from {source}")
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix == ".tf" and ".terraform" not in path.parts:
                result[f"modules/{module}/{path.relative_to(directory).as_posix()}"] = path.read_bytes()
    return dict(sorted(result.items()))


# --- writing ------------------------------------------------------------------------------------


@dataclass
class RenderResult:
    name: str
    out: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # check mode: what a render would change

    @property
    def root(self) -> Path:
        """The rendered root module directory (same as `out`)."""
        return self.out

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.stale)

    def summary(self) -> str:
        if self.stale:
            return f"{self.name}: {len(self.stale)} file(s) stale in {self.out}"
        if not (self.written or self.removed):
            return f"{self.name}: {self.out} is up to date"
        parts = [f"{len(self.written)} written"]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"{self.name}: rendered into {self.out} ({', '.join(parts)}, {len(self.unchanged)} unchanged)"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict[str, str]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text()).get("files", {})
    except (OSError, ValueError, AttributeError) as error:
        raise TfgenError(f"{path}: unreadable manifest ({error}); remove it or render with --force") from None
    if not isinstance(files, dict):
        raise TfgenError(f"{path}: unreadable manifest; remove it or render with --force")
    return {str(k): str(v) for k, v in files.items()}


def manifest_bytes(files: dict[str, bytes]) -> bytes:
    document = {"generator": "tfgen", "files": {path: sha256(data) for path, data in sorted(files.items())}}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render(loaded: Any, out: Path | None = None, *, check: bool = False, force: bool = False) -> RenderResult:
    """Render `loaded` into `out` (default build/<name>/). See the module docstring."""
    files = render_files(loaded)
    out = Path(out) if out is not None else default_output_dir(loaded.blueprint.name)
    result = RenderResult(loaded.blueprint.name, out)
    manifest = read_manifest(out)
    wanted = {**files, MANIFEST: manifest_bytes(files)}

    edited: list[str] = []  # ours, changed by someone since we wrote it
    foreign: list[str] = []  # not ours, in the way of a file we would write
    to_write: list[str] = []
    for rel, data in wanted.items():
        current = _current(out / rel)
        if current == data:
            result.unchanged.append(rel)
            continue
        to_write.append(rel)
        if current is None or rel == MANIFEST:
            continue
        if rel in manifest:
            if sha256(current) != manifest[rel]:
                edited.append(rel)
        else:
            foreign.append(rel)
    to_remove = []
    for rel, digest in sorted(manifest.items()):
        if rel in wanted:
            continue
        current = _current(out / rel)
        if current is None:
            continue
        to_remove.append(rel)
        if sha256(current) != digest:
            edited.append(rel)

    if check:
        result.stale = sorted(set(to_write + to_remove))
        if result.stale and not out.exists():
            raise TfgenError(f"{loaded.blueprint.name}: {out} has not been rendered yet (run `tfgen render {loaded.path}`)")
        if result.stale:
            lines = [f"{out / rel}: " + ("edited since tfgen wrote it" if rel in edited else "not written by tfgen" if rel in foreign else "would be removed" if rel in to_remove else "stale") for rel in result.stale]
            raise TfgenError(f"{loaded.blueprint.name}: rendered code is out of date (run `tfgen render`):\n" + "\n".join(lines))
        return result
    if (edited or foreign) and not force:
        lines = [f"{out / rel}: edited since tfgen wrote it" for rel in sorted(edited)]
        lines += [f"{out / rel}: exists and was not written by tfgen" for rel in sorted(foreign)]
        raise TfgenError("refusing to overwrite files (use --force to overwrite them):\n" + "\n".join(lines))

    for rel in to_write:
        if rel != MANIFEST:
            write_atomic(out / rel, wanted[rel])
            result.written.append(rel)
    for rel in to_remove:
        (out / rel).unlink(missing_ok=True)
        result.removed.append(rel)
        _remove_empty_parents(out / rel, out)
    if MANIFEST in to_write:
        write_atomic(out / MANIFEST, wanted[MANIFEST])
    return result


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def load_all(paths: Sequence[Path]) -> list[Any]:
    """Load every blueprint; every problem of every file in one InputError."""
    from tfgen.blueprint.loader import validate_blueprints

    return list(validate_blueprints(list(paths)))


def validate_offline(loaded: Any, work_dir: Path | None = None) -> list[str]:
    """Render into a temporary directory and run real `terraform validate` there through the
    offline provider; then check each environment's var file against the root variables.
    Returns one line per environment; TfgenError when Terraform finds a problem."""
    from tfgen.terraform import Terraform

    name = loaded.blueprint.name
    with tempfile.TemporaryDirectory(prefix=f"tfgen-validate-{name}-", dir=work_dir) as temporary:
        root = Path(temporary) / name
        files = render_files(loaded)
        for rel, data in files.items():
            write_atomic(root / rel, data)
        terraform = Terraform(root, Path(temporary) / ".tfgen" / "validate", offline=True)
        terraform.init()
        try:
            terraform.validate()
        except TfgenError as error:
            raise TfgenError(f"{loaded.path}: the rendered Terraform is not valid:\n{error}") from None
        declared = _declared_variables(files["variables.tf"].decode())
        lines = []
        for env in loaded.blueprint.environments:
            values = json.loads(files[f"env/{env}.tfvars.json"])
            unknown = sorted(set(values) - declared)
            if unknown:
                raise TfgenError(f"{loaded.path}: env/{env}.tfvars.json sets undeclared variables: {', '.join(unknown)}")
            lines.append(f"{loaded.path}: {env}: ok (blueprint valid, terraform validate passed)")
    return lines


def _declared_variables(text: str) -> set[str]:
    return {line.split('"')[1] for line in text.splitlines() if line.startswith('variable "')}
