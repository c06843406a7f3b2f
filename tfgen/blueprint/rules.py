"""The rules across fields of a blueprint: what AWS or tfgen's design refuses although every field
is valid on its own. They run on the validated base and on every environment's merged blueprint
(`cross_findings`), once on the base (`base_findings`), and on the parts of an invalid blueprint
that are valid on their own (`partial_cross_findings`), so that one typo does not hide them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from tfgen.blueprint import aws_rules
from tfgen.blueprint.findings import Finding, suggest
from tfgen.blueprint.model import (
    MAIN_CONTAINER,
    SERVICE_TYPES,
    Blueprint,
    CapacityStrategy,
    Cluster,
    Ec2Capacity,
    ExistingVpc,
    NewVpc,
    ScheduledJob,
    Service,
    WebService,
    WorkerScaling,
    WorkerService,
)
from tfgen.blueprint.overrides import mapping_at
from tfgen.blueprint.validation import guessed_type
from tfgen.blueprint.yaml_positions import Path
from tfgen.naming import (
    ROOT_MODULES,
    ROOT_VARIABLES,
    TARGET_GROUP_NAME_START,
    capacity_provider_name,
    repository_name,
    resource_name,
    service_identifiers,
    short_name,
)

T = TypeVar("T")


@cache
def _service_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Service)


# "<app>-<env>-<service>" prefixes each service's IAM roles ("-exec", "-task", "-events"), whose
# names have at most 64 characters; modules/ecs-task validates the same limit.
MAX_SERVICE_RESOURCE_NAME = 54


def cross_findings(blueprint: Blueprint, environment: str | None = None) -> list[Finding]:
    """Rules across fields, checked on a valid model: Fargate sizes, capacity providers the
    cluster lacks, request-based scaling without a load balancer, the number of tags; with
    `environment` (the blueprint as that environment deploys it), what depends on its account
    and region too (certificates)."""
    findings: list[Finding] = []
    if environment is not None:
        findings.extend(certificate_findings(blueprint, environment))
        findings.extend(notify_findings(blueprint, environment))
        findings.extend(permission_partition_findings(blueprint, environment))
        findings.extend(env_file_partition_findings(blueprint, environment))
    findings.extend(tag_count_findings(blueprint))
    if blueprint.network.placement == "public":
        if blueprint.network.vpc != "default":
            findings.append(
                Finding(
                    ("network", "placement"),
                    "placement: public is for a default VPC without private subnets; this network has private subnets for the tasks",
                    "remove network.placement",
                )
            )
        if blueprint.ec2_capacity() is not None:
            findings.append(
                Finding(
                    ("network", "placement"),
                    "EC2 capacity needs private subnets: its instances get no public IPs",
                    "use Fargate capacity, or a VPC with private subnets",
                )
            )
    findings.extend(_https_findings(blueprint))
    findings.extend(priority_findings(blueprint))
    findings.extend(alias_findings(blueprint))
    findings.extend(route_findings(blueprint))
    findings.extend(capacity_findings(blueprint))
    findings.extend(container_insights_findings(blueprint))
    findings.extend(sends_to_findings(blueprint))
    findings.extend(platform_findings(blueprint))
    findings.extend(storage_findings(blueprint))
    findings.extend(permission_quota_findings(blueprint))
    for name, service in blueprint.services.items():
        findings.extend(depends_on_findings(name, service))
        findings.extend(sidecar_port_findings(name, service))
        findings.extend(reservation_findings(name, service))
    for name, service in blueprint.services.items():
        problem = service.check_size(blueprint.cluster.capacity)
        if problem:
            findings.append(_size_finding(name, problem))
        count = getattr(service, "count", None)
        if not isinstance(service, WebService) and getattr(count, "requests", None) is not None:
            findings.append(
                Finding(("services", name, "count", "requests"), "scaling on requests per task needs the load balancer, which only web-services have", at="key")
            )
    return findings


def notify_findings(blueprint: Blueprint, environment: str) -> list[Finding]:
    """A scheduled job's failure notices go to a topic in the environment's region: the state
    machine's sns:publish calls SNS there (aws_rules, SNS topics)."""
    if environment not in blueprint.environments:
        return []
    region = blueprint.environments[environment].region or blueprint.region
    findings = []
    for name, service in blueprint.services.items():
        if not isinstance(service, ScheduledJob):
            continue
        notify = service.notification()
        topic_region = aws_rules.sns_topic_region(notify.topic) if notify else None
        if notify and topic_region != region:
            path = ("services", name, "notify") if isinstance(service.notify, str) else ("services", name, "notify", "topic")
            findings.append(
                Finding(
                    path,
                    f"the topic is in {topic_region}, the job runs in {region}: Step Functions publishes to topics of its own region",
                    f"use a topic in {region}, or override notify for environment '{environment}'",
                )
            )
    return findings


def capacity_findings(blueprint: Blueprint) -> list[Finding]:
    """The strategies ECS refuses (aws_rules.strategy_problems), in the cluster's default and each
    service's own; and one Auto Scaling group per application: every `ec2` entry that describes
    it (instance type, size, target) describes the same one."""
    strategies: list[tuple[Path, CapacityStrategy]] = [(("cluster", "capacity"), blueprint.cluster.capacity)]
    strategies += [(("services", name, "capacity"), service.capacity) for name, service in blueprint.services.items() if service.capacity]
    findings = []
    for path, strategy in strategies:
        providers = {name: (provider.base, provider.weight) for name, provider in strategy.providers().items()}
        findings += [Finding(path, problem, hint, at="key") for problem, hint in aws_rules.strategy_problems(providers)]
    group = blueprint.ec2_capacity()
    for path, strategy in strategies:
        differing = _differing_group_settings(strategy.ec2, group) if strategy.ec2 and group else []
        if differing:
            findings.append(
                Finding(
                    (*path, "ec2"),
                    f"the application has one EC2 Auto Scaling group: this ec2 entry describes another one ({', '.join(differing)} differ)",
                    "give the group's settings once (cluster.capacity.ec2) and only base and weight elsewhere",
                    at="key",
                )
            )
    return findings


def container_insights_findings(blueprint: Blueprint) -> list[Finding]:
    """A worker that scales counts its running tasks with Container Insights' RunningTaskCount
    (ECS/ContainerInsights): without Container Insights the metric is missing, backlog per task
    is never computed and the from-zero alarm adds a task every minute up to max."""
    if blueprint.cluster.container_insights:
        return []
    scaling = [
        name for name, s in blueprint.services.items() if isinstance(s, WorkerService) and isinstance(s.count, WorkerScaling) and s.count.min < s.count.max
    ]
    if not scaling:
        return []
    return [
        Finding(
            ("cluster", "container_insights"),
            f"worker services that scale ({', '.join(scaling)}) count their tasks with Container Insights' RunningTaskCount; "
            "without it they scale up to max and stay there",
            "set cluster.container_insights: true, or give those workers a fixed count",
        )
    ]


def permission_quota_findings(blueprint: Blueprint) -> list[Finding]:
    """IAM's quotas on one role: managed policies attached (aws_rules.MANAGED_POLICIES_PER_ROLE_MAX,
    the most AWS grants) and the inline policies' characters (the statements of `permissions`, as
    the module renders them; the type's own policies are small and not counted)."""
    findings = []
    for name, service in blueprint.services.items():
        arns = service.managed_policy_arns()
        if len(arns) > aws_rules.MANAGED_POLICIES_PER_ROLE_MAX:
            findings.append(
                Finding(
                    ("services", name, "permissions"),
                    f"{len(arns)} managed policies: IAM attaches at most {aws_rules.MANAGED_POLICIES_PER_ROLE_MAX} to a role (10 unless the quota was raised)",
                    "merge policies, or write statements",
                    at="key",
                )
            )
        statements = [
            {
                "Effect": s.effect,
                "Action": s.actions,
                "Resource": s.resources,
                **({"Condition": {c.test: {c.variable: c.values} for c in s.conditions}} if s.conditions else {}),
            }
            for s in service.policy_statements()
        ]
        size = aws_rules.policy_characters({"Version": "2012-10-17", "Statement": statements}) if statements else 0
        if size > aws_rules.ROLE_INLINE_POLICY_CHARACTERS:
            findings.append(
                Finding(
                    ("services", name, "permissions"),
                    f"the statements are {size} characters of policy: IAM allows {aws_rules.ROLE_INLINE_POLICY_CHARACTERS} of inline policy per role",
                    "attach a managed policy instead, or use wildcards in resources",
                    at="key",
                )
            )
    return findings


def platform_findings(blueprint: Blueprint) -> list[Finding]:
    """An arm64 service placed on the EC2 capacity needs Graviton instances (ECS finds no
    instance for an ARM64 task on x86 ones); Fargate runs either."""
    group = blueprint.ec2_capacity()
    if group is None or aws_rules.is_arm64_instance_type(group.instance_type):
        return []
    findings = []
    for name, service in blueprint.services.items():
        strategy = service.capacity or blueprint.cluster.capacity
        if service.platform == "linux/arm64" and strategy.ec2 is not None:
            findings.append(
                Finding(
                    ("services", name, "platform"),
                    f"linux/arm64 tasks on the EC2 capacity need Graviton instances; {group.instance_type} is x86_64",
                    "use a Graviton instance type (e.g. t4g.medium, m7g.large) in cluster.capacity.ec2.instance_type, "
                    "or run this service on Fargate (services.NAME.capacity)",
                )
            )
    return findings


def storage_findings(blueprint: Blueprint) -> list[Finding]:
    """Ephemeral storage is Fargate's (ECS refuses it on EC2); a volume's path is its own (not another
    mount's: a scratch volume of writable_paths or ECS Exec); NFS egress needs a destination tfgen knows."""
    findings: list[Finding] = []
    for name, service in blueprint.services.items():
        storage = service.storage
        strategy = service.capacity or blueprint.cluster.capacity
        if storage.ephemeral is not None and not (strategy.fargate or strategy.fargate_spot):
            findings.append(
                Finding(
                    ("services", name, "storage", "ephemeral"),
                    "ephemeral storage is Fargate's: this service runs on EC2 capacity only, where tasks use the instance's disk",
                    "drop storage.ephemeral, or run the service on Fargate (services.NAME.capacity: {fargate: {weight: 1}})",
                    at="key",
                )
            )
        findings.extend(_volume_path_findings(name, service.scratch_paths(), service.writable_paths, storage.paths()))
        if isinstance(blueprint.network.vpc, ExistingVpc):
            findings.extend(_nfs_destination_findings(name, blueprint.network.vpc.id, storage.volumes))
    return findings


def mount_target_conflicts(environments: dict[str, Blueprint]) -> list[tuple[str, Finding]]:
    """(environment, finding): a file system mounted by two environments that each create their VPC,
    in one account and region. Its mount targets are all in one VPC (CreateMountTarget answers
    MountTargetConflict for another), and each created VPC is an environment's own. Located at the
    later environment's efs.id (its override when the value comes from one)."""

    def claims() -> Iterator[tuple[str, Hashable, tuple[str, str, str, str, str]]]:
        for env, blueprint in environments.items():
            if not isinstance(blueprint.network.vpc, NewVpc) or env not in blueprint.environments:
                continue
            target = blueprint.environments[env]
            region = target.region or blueprint.region
            for name, service in blueprint.services.items():
                for volume, config in service.storage.volumes.items():
                    yield env, (target.account, region, config.efs.id), (name, volume, config.efs.id, target.account, region)

    return [
        (
            env,
            Finding(
                ("services", name, "storage", "volumes", volume, "efs", "id"),
                f"{file_system} is mounted in environments '{other}' and '{env}', which each create their VPC in account "
                f"{account} in {region}: a file system's mount targets are all in one VPC (MountTargetConflict)",
                f"give '{env}' a file system of its own in environments.{env}.overrides.services.{name}.storage.volumes.{volume}.efs",
            ),
        )
        for env, other, (name, volume, file_system, account, region) in later_claims(claims())
    ]


def later_claims(claims: Iterable[tuple[str, Hashable, T]]) -> Iterator[tuple[str, str, T]]:
    """What an environment claims that only one environment may have (a record name in a zone, a file
    system's VPC): (environment, the environment that claimed it first, what) for each later claim."""
    first: dict[Hashable, str] = {}
    for environment, key, what in claims:
        other = first.setdefault(key, environment)
        if other != environment:
            yield environment, other, what


def _volume_path_findings(service: str, scratch: list[str], writable: list[str], volumes: dict[str, str]) -> list[Finding]:
    """Volume name -> path: each path mounts one volume (ECS refuses a second mount point there)."""
    findings = []
    seen: dict[str, str] = {}
    for volume, path in volumes.items():
        where = ("services", service, "storage", "volumes", volume, "path")
        if path in seen:
            message = f"volume {seen[path]} is mounted at {path} too: two volumes cannot be mounted at one path"
            findings.append(Finding(where, message, "give each volume its own path"))
        elif path in scratch:
            clash = "writable_paths" if path in writable else "ECS Exec's agent directories (exec: true with a read-only root)"
            hint = "mount the volume at another path" + (", or remove the path from writable_paths (the volume is writable)" if path in writable else "")
            findings.append(Finding(where, f"{path} is also in {clash}: two volumes cannot be mounted at one path", hint))
        seen.setdefault(path, volume)
    return findings


def _nfs_destination_findings(service: str, vpc_id: str, volumes: dict[str, Any]) -> list[Finding]:
    return [
        Finding(
            ("services", service, "storage", "volumes", volume, "efs"),
            f"tfgen does not know the CIDR block of {vpc_id}, where the tasks reach the file system on TCP 2049",
            "name the mount targets' security group: efs: {id, security_group: sg-...}",
            at="key",
        )
        for volume, config in volumes.items()
        if config.efs.security_group is None
    ]


def sends_to_findings(blueprint: Blueprint) -> list[Finding]:
    """`sends_to` names worker-services of the application (their SQS queues); the queue URL
    variables it adds do not meet the service's own variables and secrets."""
    workers = [name for name, s in blueprint.services.items() if isinstance(s, WorkerService)]
    findings = []
    for name, service in blueprint.services.items():
        for index, target in enumerate(service.sends_to):
            path = ("services", name, "sends_to", index)
            if target in workers:
                continue
            hint = suggest(target, workers) or (f"worker-services: {', '.join(workers)}" if workers else "the application has no worker-service")
            if target in blueprint.services:
                what = blueprint.services[target].type
                findings.append(Finding(path, f"'{target}' is a {what}: sends_to names worker-services (their SQS queues)", hint))
            else:
                findings.append(Finding(path, f"'{target}' is not a service of the application", hint))
        for index, (variable, target) in enumerate(service.send_queue_variables().items()):
            taken = "variables" if variable in service.variables else "secrets" if variable in service.secrets else None
            if taken:
                findings.append(
                    Finding(
                        ("services", name, "sends_to", index),
                        f"sending to '{target}' sets {variable}, which {taken}.{variable} sets too",
                        f"remove {taken}.{variable}: tfgen sets it to the queue's URL",
                    )
                )
    return findings


def depends_on_findings(name: str, service: Service) -> list[Finding]:
    """`depends_on` names sidecars of the service, with a condition ECS accepts for each (ECS API
    reference, ContainerDependency: HEALTHY needs the sidecar's health check; COMPLETE and SUCCESS
    wait for an exit, which ECS refuses on an essential container)."""
    findings = []
    for target, condition in service.depends_on.items():
        path = ("services", name, "depends_on", target)
        sidecar = service.sidecars.get(target)
        if sidecar is None:
            sidecars = list(service.sidecars)
            hint = suggest(target, sidecars) or (f"sidecars: {', '.join(sidecars)}" if sidecars else f"declare it in services.{name}.sidecars")
            what = f"not a sidecar of service '{name}'"
            if target == MAIN_CONTAINER:
                what = "the service's own container: depends_on names the sidecars it waits for"
            findings.append(Finding(path, f"'{target}' is {what}", hint, at="key"))
        elif condition == "HEALTHY" and sidecar.healthcheck is None:
            message = f"HEALTHY waits for the health check of sidecar '{target}', which has none"
            findings.append(Finding(path, message, f"give sidecars.{target} a healthcheck, or write START"))
        elif condition in ("COMPLETE", "SUCCESS") and sidecar.essential:
            default = "" if "essential" in sidecar.model_fields_set else " (the default)"
            findings.append(
                Finding(
                    path,
                    f"{condition} waits for sidecar '{target}' to exit, and it is essential{default}: "
                    "ECS refuses COMPLETE and SUCCESS on an essential container, whose exit stops the task",
                    f"set sidecars.{target}.essential: false, or write START",
                    alternatives=(("services", name, "sidecars", target, "essential"),),
                )
            )
    return findings


def sidecar_port_findings(name: str, service: Service) -> list[Finding]:
    """The containers of a task share its network namespace (awsvpc): no two listen on one port."""
    main = getattr(service, "port", None)
    owners: dict[int, str] = {main: "the service's own container"} if main is not None else {}
    findings = []
    for sidecar_name, sidecar in service.sidecars.items():
        if sidecar.port is None:
            continue
        owner = owners.setdefault(sidecar.port, f"sidecar '{sidecar_name}'")
        if owner != f"sidecar '{sidecar_name}'":
            findings.append(
                Finding(
                    ("services", name, "sidecars", sidecar_name, "port"),
                    f"port {sidecar.port} is the port of {owner}: the containers of a task share its network (awsvpc), so their ports differ",
                    "give the sidecar another port",
                )
            )
    return findings


def reservation_findings(name: str, service: Service) -> list[Finding]:
    """The sidecars' cpu and memory reservations stay below the task's (ECS API reference,
    ContainerDefinition cpu and memory: the containers' total is lower than the task's); the
    service's own container has no reservation and shares what is left."""
    findings = []
    for field, task_size, unit in (("cpu", service.cpu, "CPU units"), ("memory", service.memory, "MiB")):
        reserving = [(sidecar_name, getattr(sidecar, field)) for sidecar_name, sidecar in service.sidecars.items() if getattr(sidecar, field) is not None]
        total = sum(value for _, value in reserving)
        if reserving and total >= task_size:
            findings.append(
                Finding(
                    ("services", name, "sidecars", reserving[-1][0], field),
                    f"the sidecars reserve {total} {unit} of the task's {task_size}: the containers' reservations must stay below the task's "
                    "(the service's own container runs on the rest)",
                    f"raise services.{name}.{field}, or reserve less",
                    alternatives=(("services", name, field),),
                )
            )
    return findings


def env_file_partition_findings(blueprint: Blueprint, environment: str) -> list[Finding]:
    """A service's env_file is an S3 object in the partition of the environment's region."""
    if environment not in blueprint.environments:
        return []
    region = blueprint.environments[environment].region or blueprint.region
    partition = aws_rules.partition_of(region)
    findings = []
    for name, service in blueprint.services.items():
        found = aws_rules.arn_partition(service.env_file) if service.env_file else None
        if partition is not None and found is not None and found != partition:
            findings.append(
                Finding(
                    ("services", name, "env_file"),
                    f"'{service.env_file}' is in partition '{found}', but {region} is in partition '{partition}'",
                    f"write arn:{partition}:s3:::...",
                )
            )
    return findings


GROUP_SETTINGS = ("instance_type", "ami", "min", "max", "target_capacity")


def _differing_group_settings(entry: Ec2Capacity, group: Ec2Capacity) -> list[str]:
    """The group settings an ec2 entry spells out that differ from the group's (unset ones follow it)."""
    return [name for name in GROUP_SETTINGS if name in entry.model_fields_set and getattr(entry, name) != getattr(group, name)]


def _https_findings(blueprint: Blueprint) -> list[Finding]:
    """A load balancer serves HTTPS, with a certificate, unless the blueprint says `protocol: http`."""
    if not blueprint.web_services():
        return []
    lb = blueprint.load_balancer
    if lb is not None and (lb.protocol == "http" or lb.certificate_arns()):
        return []
    return [
        Finding(
            ("load_balancer",),
            "the load balancer serves HTTPS and needs a certificate",
            "set load_balancer.certificate: arn:aws:acm:REGION:ACCOUNT:certificate/ID, or serve plain HTTP on purpose with load_balancer.protocol: http",
            at="key",
        )
    ]


def base_findings(blueprint: Blueprint) -> list[Finding]:
    """Rules checked once, on the base (environments cannot add services or rename them, nor
    change their accounts and regions)."""
    return (
        name_length_findings(blueprint)
        + identifier_findings(blueprint)
        + listener_rule_quota_findings(blueprint)
        + service_name_collisions(blueprint)
        + environment_name_collisions(blueprint)
    )


# --- AWS's rules across values (tfgen.blueprint.aws_rules) ---------------------------------------


def certificate_findings(blueprint: Blueprint, environment: str) -> list[Finding]:
    """The load balancer's certificates are in the environment's region and account."""
    lb = blueprint.load_balancer
    if lb is None or not blueprint.has_load_balancer() or environment not in blueprint.environments:
        return []
    target = blueprint.environments[environment]
    region = target.region or blueprint.region
    paths = [("load_balancer", "certificates", index) for index in range(len(lb.certificates))] if lb.certificates else [("load_balancer", "certificate")]
    findings = []
    for path, arn in zip(paths, lb.certificate_arns(), strict=False):
        problem = aws_rules.certificate_mismatch(arn, region, target.account)
        if problem:
            findings.append(
                Finding(
                    path,
                    problem,
                    f"give '{environment}' a certificate of its own in environments.{environment}.overrides.load_balancer",
                )
            )
    return findings


def permission_partition_findings(blueprint: Blueprint, environment: str) -> list[Finding]:
    """The ARNs of a service's permissions are in the partition of the environment's region (an
    aws-cn ARN in eu-west-1 names nothing the role can reach)."""
    if environment not in blueprint.environments:
        return []
    region = blueprint.environments[environment].region or blueprint.region
    partition = aws_rules.partition_of(region)
    if partition is None:
        return []
    findings = []
    for name, service in blueprint.services.items():
        for index, item in enumerate(service.permissions):
            arns = [((index,), item)] if isinstance(item, str) else [((index, "resources", i), r) for i, r in enumerate(item.resources)]
            for path, arn in arns:
                found = aws_rules.arn_partition(arn)
                if found is not None and found != partition:
                    findings.append(
                        Finding(
                            ("services", name, "permissions", *path),
                            f"'{arn[:80]}' is in partition '{found}', but {region} is in partition '{partition}'",
                            f"write arn:{partition}:...",
                        )
                    )
    return findings


# tags tfgen sets itself (provider default_tags and the modules), which count against AWS's limit
TFGEN_TAG_KEYS = frozenset({"Application", "Environment", "ManagedBy", "Service", "Name", "Tier"})


def tag_count_findings(blueprint: Blueprint) -> list[Finding]:
    keys = set(blueprint.tags) | TFGEN_TAG_KEYS
    if len(keys) <= aws_rules.MAX_TAGS:
        return []
    own = len(keys - TFGEN_TAG_KEYS)
    return [
        Finding(
            ("tags",),
            f"{own} tags and the {len(TFGEN_TAG_KEYS)} tfgen sets ({', '.join(sorted(TFGEN_TAG_KEYS))}) are more than the "
            f"{aws_rules.MAX_TAGS} AWS allows on a resource",
            f"keep at most {aws_rules.MAX_TAGS - len(TFGEN_TAG_KEYS)} tags of your own",
            at="key",
        )
    ]


def listener_rule_quota_findings(blueprint: Blueprint) -> list[Finding]:
    """Every web service is one listener rule of the one load balancer."""
    web = list(blueprint.web_services())
    if len(web) <= aws_rules.ALB_RULES_QUOTA:
        return []
    first_over = web[aws_rules.ALB_RULES_QUOTA]
    return [
        Finding(
            ("services", first_over),
            f"{len(web)} web services need {len(web)} listener rules on the one load balancer; AWS allows "
            f"{aws_rules.ALB_RULES_QUOTA} rules per Application Load Balancer (service '{first_over}' is rule {aws_rules.ALB_RULES_QUOTA + 1})",
            "split the application into blueprints of at most 100 web services each",
            at="key",
        )
    ]


@dataclass(frozen=True)
class AwsName:
    """A name an environment gives an AWS resource: what it names, the name, whose it is."""

    kind: str  # a key of aws_rules.NAME_SCOPES
    name: str
    service: str | None  # None: the environment's own (cluster, load balancer, ...)
    what: str  # "the queue of service 'jobs'"


def aws_names(blueprint: Blueprint, environment: str) -> list[AwsName]:
    """The fixed names of the AWS resources `environment` creates, as the modules give them
    (modules/*/main.tf: `name = var.name`, `"${var.name}-exec"`, ...; names from `name_prefix`
    are unique by construction and not listed)."""
    app = blueprint.name
    prefix = resource_name(app, environment)
    names = [AwsName("ECS cluster", prefix, None, "the cluster"), AwsName("security group", f"{prefix}-services", None, "the services' security group")]
    if blueprint.has_load_balancer():
        names += [
            AwsName("load balancer", short_name(prefix), None, "the load balancer"),
            AwsName("security group", f"{prefix}-alb", None, "the load balancer's security group"),
        ]
    if blueprint.ec2_capacity() is not None:
        names += [
            AwsName("capacity provider", capacity_provider_name(app, environment), None, "the EC2 capacity provider"),
            AwsName("IAM role", f"{prefix}-ec2-instance", None, "the EC2 instances' role"),
            AwsName("security group", f"{prefix}-ec2-instance", None, "the EC2 instances' security group"),
        ]
    if isinstance(blueprint.network.vpc, NewVpc):
        names += [
            AwsName("IAM role", f"{prefix}-flow-logs", None, "the VPC flow logs' role"),
            AwsName("log group", f"/vpc/{prefix}/flow-logs", None, "the VPC flow logs"),
        ]
    for name, service in blueprint.services.items():
        full = resource_name(app, environment, name)
        of = f"of service '{name}'"
        names += [
            AwsName("task definition family", full, name, f"the task definition {of}"),
            AwsName("log group", f"/ecs/{full}", name, f"the log group {of}"),
            AwsName("IAM role", f"{full}-exec", name, f"the execution role {of}"),
            AwsName("IAM role", f"{full}-task", name, f"the task role {of}"),
        ]
        if service.builds_image() and environment == next(iter(blueprint.environments)):
            names.append(AwsName("ECR repository", repository_name(app, name), name, f"the image repository {of} (the first environment's)"))
        if isinstance(service, WebService):
            # The module ends the name with a digest of port and VPC: equal starts may collide.
            names.append(AwsName("target group", short_name(full, TARGET_GROUP_NAME_START), name, f"the target group {of}"))
        deployment = getattr(service, "deployment", None)
        if deployment is not None and deployment.strategy != "rolling" and isinstance(service, WebService):
            names.append(AwsName("IAM role", f"{full}-ecs-lb", name, f"the role ECS shifts the traffic {of} with"))
        if deployment is not None and deployment.rollback_alarms == "default":
            names.append(AwsName("CloudWatch alarm", f"{full}-cpu-high", name, f"the CPU rollback alarm {of}"))
            if isinstance(service, WebService):
                groups = ("primary", "alternate") if deployment.strategy != "rolling" else ("primary",)
                for group in groups:
                    names += [
                        AwsName("CloudWatch alarm", f"{full}-5xx-rate-{group}", name, f"the 5xx rollback alarm {of} ({group} target group)"),
                        AwsName("CloudWatch alarm", f"{full}-unhealthy-{group}", name, f"the unhealthy-target rollback alarm {of} ({group} target group)"),
                    ]
        if isinstance(service, WorkerService):
            names += [
                AwsName("SQS queue", full, name, f"the queue {of}"),
                AwsName("SQS queue", f"{full}-dlq", name, f"the dead-letter queue {of}"),
                AwsName("CloudWatch alarm", f"{full}-from-zero", name, f"the scale-from-zero alarm {of}"),
            ]
        if isinstance(service, ScheduledJob):
            names += [
                AwsName("state machine", full, name, f"the state machine {of}"),
                AwsName("log group", f"/aws/vendedlogs/states/{full}", name, f"the state machine's log group {of}"),
                AwsName("Scheduler schedule", full, name, f"the schedule {of}"),
                AwsName("IAM role", f"{full}-events", name, f"the schedule's role {of}"),
                AwsName("IAM role", f"{full}-runs", name, f"the state machine's role {of}"),
            ]
    return names


def service_name_collisions(blueprint: Blueprint) -> list[Finding]:
    """Two services of one environment whose AWS names are the same (a worker `jobs-dlq` has the
    queue `<app>-<env>-jobs-dlq`, the dead-letter queue of worker `jobs`): located at the later
    service, naming both. The same in every environment, so reported once."""
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    order = list(blueprint.services)
    for environment in blueprint.environments:
        first: dict[tuple[str, str], AwsName] = {}
        for named in aws_names(blueprint, environment):
            earlier = first.setdefault((named.kind, named.name), named)
            if earlier is named or earlier.service == named.service or named.service is None:
                continue
            later, other = (named, earlier) if earlier.service is None or order.index(named.service) > order.index(earlier.service) else (earlier, named)
            assert later.service is not None
            if (later.service, named.kind) in reported:
                continue
            reported.add((later.service, named.kind))
            findings.append(
                Finding(
                    ("services", later.service),
                    f"{later.what} is named '{named.name}' (in environment '{environment}'), the name of {other.what}: "
                    f"{named.kind} names are unique per account{'' if aws_rules.NAME_SCOPES[named.kind] == 'account' else ' and region'}",
                    f"rename service '{later.service}'",
                    at="key",
                )
            )
    return findings


def environment_name_collisions(blueprint: Blueprint) -> list[Finding]:
    """Two environments in one account (and region) whose names collide: environments `a-b` and
    `a` with services `c` and `b-c` both name `<app>-a-b-c`. Located at the later environment."""
    findings: list[Finding] = []
    seen: dict[tuple[Any, ...], tuple[str, AwsName]] = {}
    reported: set[tuple[str, str]] = set()
    for environment, target in blueprint.environments.items():
        region = target.region or blueprint.region
        for named in aws_names(blueprint, environment):
            key = (named.kind, named.name, *aws_rules.name_scope(named.kind, target.account, region))
            other = seen.setdefault(key, (environment, named))
            if other[0] == environment or (other[0], environment) in reported:
                continue
            reported.add((other[0], environment))
            where = f"account {target.account}" if aws_rules.NAME_SCOPES[named.kind] == "account" else f"account {target.account} in {region}"
            findings.append(
                Finding(
                    ("environments", environment),
                    f"environments '{other[0]}' and '{environment}' are both in {where}, and their names collide: "
                    f"'{named.name}' is {other[1].what} in '{other[0]}' and {named.what} in '{environment}'",
                    "rename an environment or a service: AWS names are unique per account (IAM roles) and per region",
                    at="key",
                )
            )
    return findings


def identifier_findings(blueprint: Blueprint) -> list[Finding]:
    """Services whose Terraform identifiers (`vote-api` -> variable and module `vote_api`) collide
    with the root module's own or with another service's."""
    taken: dict[str, str] = {name: "a root variable" for name in ROOT_VARIABLES} | {name: "a root module" for name in ROOT_MODULES}
    findings = []
    for name, service in sorted(blueprint.services.items()):
        for identifier in service_identifiers(name, service.builds_image()).values():
            if identifier in taken:
                findings.append(
                    Finding(("services", name), f"service name '{name}' collides with {taken[identifier]} ('{identifier}')", "rename the service", at="key")
                )
            taken[identifier] = f"service '{name}'"
    return findings


def priority_findings(blueprint: Blueprint) -> list[Finding]:
    """Explicit listener rule priorities are unique on the one listener all web services share."""
    by_priority: dict[int, list[str]] = {}
    for name, service in blueprint.web_services().items():
        if service.http.priority is not None:
            by_priority.setdefault(service.http.priority, []).append(name)
    findings = []
    for priority, names in sorted(by_priority.items()):
        for name in names[1:]:
            findings.append(
                Finding(
                    ("services", name, "http", "priority"),
                    f"services '{names[0]}' and '{name}' both have listener rule priority {priority}: priorities are unique on the load balancer's listener",
                    "give one of them another http.priority (1-50000), or leave it out for a derived one",
                )
            )
    return findings


def _alias_path(name: str, service: WebService, index: int) -> Path:
    base: Path = ("services", name, "http", "alias")
    return base if isinstance(service.http.alias, str) else (*base, index)


def alias_findings(blueprint: Blueprint) -> list[Finding]:
    """A web service's host names fit its one listener rule (ALB's condition quotas) and, with a
    hosted zone, are names of records in that zone."""
    zone = blueprint.load_balancer.hosted_zone if blueprint.load_balancer else None
    findings = []
    for name, service in blueprint.web_services().items():
        findings.extend(_rule_quota_findings(name, service))
        if zone is not None:
            findings.extend(_zone_findings(name, service, zone))
    return findings


def _rule_quota_findings(name: str, service: WebService) -> list[Finding]:
    aliases = service.http.aliases()
    limit = aws_rules.ALB_RULE_CONDITION_VALUES
    if len(aliases) + 1 > limit:  # the path pattern is the rule's other condition value
        return [
            Finding(
                _alias_path(name, service, limit - 1),
                f"{len(aliases)} host names and the path pattern are {len(aliases) + 1} condition values; "
                f"AWS allows {limit} per listener rule",
                f"give the service at most {limit - 1} aliases (a wildcard such as *.example.com covers many)",
            )
        ]
    wildcards = [text.count("*") + text.count("?") for text in [service.http.path, *aliases]]
    if sum(wildcards) > aws_rules.ALB_RULE_WILDCARDS:
        # the first value that takes the count over: the path itself, or one of the names after it
        over = next(i for i in range(len(wildcards)) if sum(wildcards[: i + 1]) > aws_rules.ALB_RULE_WILDCARDS)
        where: Path = ("services", name, "http", "path") if over == 0 else _alias_path(name, service, over - 1)
        return [
            Finding(
                where,
                f"the path pattern and host names have {sum(wildcards)} wildcards ('*', '?'); AWS allows {aws_rules.ALB_RULE_WILDCARDS} per listener rule",
                "use fewer wildcards in http.alias and http.path",
            )
        ]
    return []


def _zone_findings(name: str, service: WebService, zone: str) -> list[Finding]:
    findings = []
    for index, alias in enumerate(service.http.aliases()):
        path = _alias_path(name, service, index)
        wildcard = aws_rules.record_wildcard_problem(alias)
        if not aws_rules.in_zone(alias, zone):
            hint = f"use a name ending in .{zone}, or set another load_balancer.hosted_zone: an environment may override it"
            findings.append(Finding(path, f"'{alias}' is not in the hosted zone {zone}: its alias record cannot be created there", hint))
        elif wildcard:
            findings.append(Finding(path, f"'{alias}' has no alias record in {zone}: {wildcard}", "write *.NAME, or a name without wildcards"))
    return findings


def alias_record_collisions(blueprints: dict[str, Blueprint]) -> list[tuple[str, Finding]]:
    """Environments of one account that would each create the same alias record in the same hosted
    zone: Route 53 refuses the second (a record of that name and type exists), and the two states
    would fight over it. (environment, finding), located at the later environment's name."""

    def claims() -> Iterator[tuple[str, Hashable, tuple[str, WebService, int, str, str, str]]]:
        for environment, blueprint in blueprints.items():
            lb = blueprint.load_balancer
            if lb is None or lb.hosted_zone is None:
                continue
            account = blueprint.environments[environment].account
            for name, service in blueprint.web_services().items():
                for index, alias in enumerate(service.http.aliases()):
                    yield environment, (account, lb.hosted_zone, alias), (name, service, index, account, lb.hosted_zone, alias)

    return [
        (
            environment,
            Finding(
                _alias_path(name, service, index),
                f"environments '{other}' and '{environment}' both create the alias record {alias} in zone {zone} "
                f"of account {account}: Route 53 refuses the second, the record exists",
                f"give {environment} its own names (and zone) in environments.{environment}.overrides",
            ),
        )
        for environment, other, (name, service, index, account, zone, alias) in later_claims(claims())
    ]


def route_findings(blueprint: Blueprint) -> list[Finding]:
    """Two web services with the same path and a host in common (or both on any host) route the same
    requests: the rule with the higher priority never matches. AWS takes both rules without a word."""
    seen: list[tuple[str, str, set[str]]] = []
    findings = []
    for name, service in blueprint.web_services().items():
        hosts = set(service.http.aliases()) or {"*any*"}
        for other, path, other_hosts in seen:
            shared = hosts & other_hosts
            if path == service.http.path and shared:
                where = "any host" if shared == {"*any*"} else ", ".join(sorted(shared))
                findings.append(
                    Finding(
                        ("services", name),
                        f"services '{other}' and '{name}' both route path {path} on {where}: one of the two listener rules would never match",
                        "give one of them another http.path or http.alias",
                        at="key",
                    )
                )
                break
        seen.append((name, service.http.path, hosts))
    return findings


def name_length_findings(blueprint: Blueprint) -> list[Finding]:
    """Services whose "<app>-<env>-<service>" prefix is too long for AWS in some environment
    (checked once, on the base: environments cannot add services)."""
    longest_environment = max(blueprint.environments, key=len, default="")
    findings = []
    for name in blueprint.services:
        full_name = resource_name(blueprint.name, longest_environment, name)
        if len(full_name) > MAX_SERVICE_RESOURCE_NAME:
            findings.append(
                Finding(
                    ("services", name),
                    f"'{full_name}' (application-environment-service) has {len(full_name)} characters; "
                    f"AWS names of the service's IAM roles allow at most {MAX_SERVICE_RESOURCE_NAME} before '-exec'",
                    "shorten the service, application or environment name",
                    at="key",
                )
            )
    return findings


def _size_finding(name: str, problem: str) -> Finding:
    first, second = ("memory", "cpu") if problem.startswith("memory") else ("cpu", "memory")
    return Finding(("services", name, first), problem, at="key", alternatives=(("services", name, second),))


def _repaired(raw: Any) -> Any:
    """A service with a misspelled `type` key or value as the type it most likely meant (its other
    problems are reported at the typo)."""
    guess = guessed_type(raw, SERVICE_TYPES) if isinstance(raw, dict) else None
    if guess is None:
        return raw
    key, tag = guess
    return {**{k: v for k, v in raw.items() if k != key}, "type": tag}


def partial_cross_findings(data: dict[str, Any]) -> list[Finding]:
    """Fargate sizes of the services that are valid on their own, when the whole blueprint is not
    (so that one typo elsewhere does not hide a wrong cpu/memory pair)."""
    cluster_data = mapping_at(data, "cluster")
    try:
        cluster = Cluster.model_validate(cluster_data)
    except ValidationError:
        cluster = Cluster()
    services = mapping_at(data, "services")
    findings = []
    for name, raw in services.items():
        try:
            service = _service_adapter().validate_python(_repaired(raw))
        except ValidationError:
            continue
        problem = service.check_size(cluster.capacity)
        if problem:
            findings.append(_size_finding(name, problem))
    return findings
