"""The services of a blueprint: the fields every type has (``ServiceBase``) and each type's own.
Which Terraform module renders a type, and how, is its descriptor's business (``tfgen.services``)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from tfgen.blueprint import aws_rules
from tfgen.blueprint.fargate import fargate_problem
from tfgen.blueprint.fields import (
    LOG_RETENTION_DAYS,
    SERVICE_NAME_PATTERN,
    CapacityStrategy,
    EnvVarName,
    KmsKeyArn,
    Port,
    SecretArn,
    Strict,
    WritablePath,
    _check_cidr,
)
from tfgen.blueprint.schedule import normalize_schedule

# --- services ----------------------------------------------------------------------------------


class Scaling(Strict):
    """A task count range with target-tracking policies."""

    min: Annotated[int, Field(ge=0)] = 1
    """minimum number of tasks"""
    max: Annotated[int, Field(ge=1)]
    """maximum number of tasks"""
    cpu: Annotated[int, Field(ge=1, le=100, description="target average CPU, percent")] | None = None
    """scale to keep average CPU at this percent"""
    memory: Annotated[int, Field(ge=1, le=100, description="target average memory, percent")] | None = None
    """scale to keep average memory at this percent"""
    requests: Annotated[int, Field(ge=1, description="target ALB requests per task (web-service)")] | None = None
    """scale to keep ALB requests per task at this number (web-service)"""

    @model_validator(mode="after")
    def _range(self) -> Scaling:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class WorkerScaling(Scaling):
    """A worker's task count range; it scales on queue backlog per task, down to zero."""

    min: Annotated[int, Field(ge=0)] = 0
    """minimum number of tasks (0 scales to zero when the queue is empty)"""
    backlog_per_task: Annotated[int, Field(ge=1)] = 100
    """target visible messages per running task"""


TaskCount = Annotated[int, Field(ge=0, le=5000)]


class HealthCheck(Strict):
    """Target group health check of a web-service."""

    path: Annotated[str, StringConstraints(pattern=r"^/")] = "/"
    """HTTP path the load balancer requests"""
    port: Port | None = None
    """port to check; the service's port when absent"""
    success_codes: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}([,-][0-9]{3})*$")] = "200-399"
    """HTTP codes meaning healthy, e.g. 200 or 200-399"""
    interval: Annotated[int, Field(ge=5, le=300)] = 30
    """seconds between checks"""
    timeout: Annotated[int, Field(ge=2, le=120)] = 5
    """seconds to wait for a response"""
    healthy_threshold: Annotated[int, Field(ge=2, le=10)] = 3
    """consecutive successes before healthy"""
    unhealthy_threshold: Annotated[int, Field(ge=2, le=10)] = 3
    """consecutive failures before unhealthy"""
    grace_period: Annotated[int, Field(ge=0, le=2147483647)] = 60
    """seconds ECS ignores failing health checks after a task starts"""

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheck:
        if self.timeout >= self.interval:
            raise ValueError(f"timeout ({self.timeout}) must be less than interval ({self.interval})")
        return self


HostName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9*?][a-z0-9.*?-]*$", max_length=aws_rules.ALB_HOST_HEADER_LENGTH)]


class Http(Strict):
    """How the load balancer routes to a web-service."""

    path: Annotated[str, StringConstraints(pattern=r"^/")] = "/*"
    """listener rule path pattern, e.g. /api/*"""
    alias: HostName | Annotated[list[HostName], Field(min_length=1)] | None = Field(
        None,
        description=(
            "host name(s) of the listener rule (host header), e.g. vote.example.com or [vote.example.com, www.vote.example.com]; "
            "with load_balancer.hosted_zone each gets an alias record to the load balancer"
        ),
    )
    healthcheck: Annotated[str, StringConstraints(pattern=r"^/")] | HealthCheck = "/"
    """health check path, or {path, port, success_codes, interval, timeout, healthy_threshold, unhealthy_threshold, grace_period}"""
    priority: Annotated[int, Field(ge=1, le=50000)] | None = Field(None, description="listener rule priority; derived when absent")

    @field_validator("alias")
    @classmethod
    def _distinct_aliases(cls, value: str | list[str] | None) -> str | list[str] | None:
        # a repeat would take one more of the rule's five condition values, for nothing
        return _distinct(value, "alias") if isinstance(value, list) else value

    def aliases(self) -> list[str]:
        """The host names of the rule, in the order written (none: any host)."""
        if self.alias is None:
            return []
        return [self.alias] if isinstance(self.alias, str) else list(self.alias)

    def health(self) -> HealthCheck:
        return HealthCheck(path=self.healthcheck) if isinstance(self.healthcheck, str) else self.healthcheck


class Build(Strict):
    """Image built from a directory: an ECR repository and an image_tag variable."""

    build: str
    """directory with the Dockerfile, relative to the blueprint"""


class Logging(Strict):
    """CloudWatch Logs settings."""

    retention: int = 365
    """CloudWatch Logs retention, days (default one year, what audits usually ask)"""

    @field_validator("retention")
    @classmethod
    def _allowed(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"retention must be one of CloudWatch's values: {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value


class Queue(Strict):
    """The SQS queue of a worker-service (a dead-letter queue comes with it)."""

    visibility_timeout: Annotated[int, Field(ge=0, le=43200)] = 30
    """seconds a received message stays invisible"""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 3
    """receives before a message goes to the dead-letter queue"""
    retention: Annotated[int, Field(ge=60, le=1209600, description="message retention, seconds")] = 345600


MANAGED_POLICY_SCHEMA_PATTERN = r"^arn:[a-z-]+:iam::(aws|[0-9]{12}):policy/"
ManagedPolicyArn = Annotated[str, Field(json_schema_extra={"pattern": MANAGED_POLICY_SCHEMA_PATTERN}), AfterValidator(aws_rules.check_managed_policy_arn)]
IamAction = Annotated[str, Field(json_schema_extra={"pattern": r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$"}), AfterValidator(aws_rules.check_action)]
IamResource = Annotated[str, Field(json_schema_extra={"pattern": r"^(\*|arn:)"}), AfterValidator(aws_rules.check_resource)]


class PolicyCondition(Strict):
    """A condition of a policy statement (IAM JSON policy elements: Condition)."""

    test: Annotated[str, AfterValidator(aws_rules.check_condition_operator)]
    """condition operator, e.g. StringEquals, ArnLike, ForAnyValue:StringLike, BoolIfExists"""
    variable: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9:/_.-]*$")]
    """condition key, e.g. aws:SourceVpc or s3:prefix"""
    values: Annotated[list[str], Field(min_length=1)]
    """values the key is compared with (any of them matches)"""


class PolicyStatement(Strict):
    """A statement of the task role's inline policy."""

    actions: Annotated[list[IamAction], Field(min_length=1)]
    """IAM actions, SERVICE:Action (wildcards * and ? in the action name); a `*` action fails the policy checks (CKV_TFG_7)"""
    resources: Annotated[list[IamResource], Field(min_length=1)]
    """resource ARNs (wildcards allowed), or *"""
    effect: Literal["Allow", "Deny"] = "Allow"
    """Allow (default) or Deny"""
    conditions: list[PolicyCondition] = Field(default_factory=list)
    """conditions under which the statement applies (all must hold)"""


Permission = ManagedPolicyArn | PolicyStatement


SECURITY_GROUP_ID = r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$"


def _security_group_id(value: str) -> str:
    # EC2 API reference, SecurityGroupIdentifier / GroupId: sg- and 8 or 17 hexadecimal digits.
    if not re.fullmatch(SECURITY_GROUP_ID, value):
        raise aws_rules.Refused(f"'{value[:80]}' is not a security group ID", "write sg- and 8 or 17 hexadecimal digits, e.g. sg-0123456789abcdef0")
    return value


SecurityGroupId = Annotated[str, Field(json_schema_extra={"pattern": SECURITY_GROUP_ID}), AfterValidator(_security_group_id)]
# ECS API reference, AwsVpcConfiguration.securityGroups: "a limit of 5 security groups"; every
# task has its own group and the application's services group.
MAX_EXTRA_SECURITY_GROUPS = 3


def _ipv4_cidr(value: str) -> str:
    _check_cidr(value)
    if ipaddress.ip_network(value).version != 4:
        raise aws_rules.Refused(f"'{value}' is an IPv6 block: the tasks' egress rules are IPv4", "write an IPv4 block such as 10.20.0.0/16")
    return value


class EgressRule(Strict):
    """Outbound TCP from the service's tasks, to a CIDR block or to a security group."""

    cidr: Annotated[str, Field(description="destination IPv4 CIDR block, e.g. 10.20.0.0/16"), AfterValidator(_ipv4_cidr)] | None = None
    """destination IPv4 CIDR block, e.g. 10.20.0.0/16"""
    security_group: SecurityGroupId | None = None
    """destination security group, e.g. sg-0fedcba9876543210 (a database's or a cache's)"""
    ports: Annotated[list[Port], Field(min_length=1)]
    """TCP ports, e.g. [5432]"""

    @model_validator(mode="after")
    def _one_destination(self) -> EgressRule:
        if (self.cidr is None) == (self.security_group is None):
            raise ValueError("an egress rule has one destination: cidr or security_group" + (", not both" if self.cidr else ""))
        repeated = sorted({port for port in self.ports if self.ports.count(port) > 1})
        if repeated:
            raise ValueError(f"ports repeats {', '.join(map(str, repeated))}")
        return self

    def destination(self) -> str:
        return self.cidr or self.security_group or ""


class ServiceNetwork(Strict):
    """The service's own network access, on top of the defaults (HTTPS out, the application's services)."""

    security_groups: Annotated[list[SecurityGroupId], Field(max_length=MAX_EXTRA_SECURITY_GROUPS)] = Field(default_factory=list)
    """extra security groups on the tasks (e.g. a database's client group); ECS allows 5 per task, tfgen uses 2"""
    egress: list[EgressRule] = Field(default_factory=list)
    """more outbound TCP: [{cidr or security_group, ports}]"""

    @model_validator(mode="after")
    def _distinct(self) -> ServiceNetwork:
        repeated = sorted({g for g in self.security_groups if self.security_groups.count(g) > 1})
        if repeated:
            raise ValueError(f"security_groups repeats {', '.join(repeated)}")
        seen: set[tuple[str, int]] = set()
        for rule in self.egress:
            for port in rule.ports:
                if (rule.destination(), port) in seen:
                    raise ValueError(f"egress names {rule.destination()} port {port} twice")
                seen.add((rule.destination(), port))
        return self


class ContainerHealthCheck(Strict):
    """The container's own health check (ECS API reference, HealthCheck; ECS's ranges and defaults)."""

    command: Annotated[list[str], Field(min_length=2)]
    """CMD then the command and its arguments, or CMD-SHELL then a shell command, e.g. [CMD-SHELL, "curl -fs http://localhost/ || exit 1"]"""
    interval: Annotated[int, Field(ge=5, le=300)] = 30
    """seconds between checks (5-300)"""
    timeout: Annotated[int, Field(ge=2, le=60)] = 5
    """seconds a check may take before it counts as failed (2-60)"""
    retries: Annotated[int, Field(ge=1, le=10)] = 3
    """failed checks in a row before the container is unhealthy (1-10)"""
    start_period: Annotated[int, Field(ge=0, le=300)] | None = None
    """seconds after start during which failures do not count (0-300); off when absent"""

    @field_validator("command")
    @classmethod
    def _command_form(cls, value: list[str]) -> list[str]:
        if value and value[0] not in ("CMD", "CMD-SHELL"):
            example = 'e.g. [CMD-SHELL, "curl -fs http://localhost/ || exit 1"]'
            hint = f"did you mean '{value[0].upper()}'?" if value[0].upper() in ("CMD", "CMD-SHELL") else example
            raise aws_rules.Refused(f"a health check command starts with CMD or CMD-SHELL, not '{value[0][:40]}'", hint)
        return value


# --- storage: task storage and EFS volumes -------------------------------------------------------
# ECS API reference: EphemeralStorage.sizeInGiB 21-200 (Fargate only); EFSVolumeConfiguration (with an
# access point, rootDirectory omitted or "/"; IAM authorization needs transit encryption; rootDirectory
# at most 4,096 characters); Volume.name letters, digits, hyphens and underscores.

MIN_EPHEMERAL_GIB = 21
MAX_EPHEMERAL_GIB = 200
NFS_PORT = 2049
FILE_SYSTEM_ID = r"^fs-[0-9a-f]{8,40}$"
ACCESS_POINT_ID = r"^fsap-[0-9a-f]{8,40}$"
VOLUME_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
# modules/ecs-task names its scratch volumes (writable_paths, ECS Exec) scratch-0, scratch-1, ...,
# and a sidecar's <sidecar>-scratch-0, ...
SCRATCH_VOLUME = re.compile(r"^(?:.+-)?scratch-[0-9]+$")
ROOT_DIRECTORY_PATTERN = r"^/([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$"
# The SSM agent of ECS Exec writes here (modules/ecs-task: exec_paths) when the root is read-only.
EXEC_PATHS = ("/var/lib/amazon", "/var/log/amazon")


def _efs_id(pattern: str, what: str, example: str) -> AfterValidator:
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            prefix = example.split("-")[0]
            raise aws_rules.Refused(f"'{value[:80]}' is not an EFS {what} ID", f"write {prefix}- and 8 to 40 hexadecimal digits, e.g. {example}")
        return value

    return AfterValidator(check)


FileSystemId = Annotated[str, Field(json_schema_extra={"pattern": FILE_SYSTEM_ID}), _efs_id(FILE_SYSTEM_ID, "file system", "fs-0123456789abcdef0")]
AccessPointId = Annotated[str, Field(json_schema_extra={"pattern": ACCESS_POINT_ID}), _efs_id(ACCESS_POINT_ID, "access point", "fsap-0123456789abcdef0")]


def _root_directory(value: str) -> str:
    if len(value) > 4096 or not re.fullmatch(ROOT_DIRECTORY_PATTERN, value):
        raise aws_rules.Refused(f"'{value[:80]}' is not a directory of the file system", "write an absolute path such as /uploads, or / for its root")
    for bad in ("..", "."):
        if bad in value.split("/")[1:]:
            raise aws_rules.Refused(f"'{value[:80]}' has a '{bad}' segment", "write the directory itself, e.g. /uploads")
    return value


class Efs(Strict):
    """An EFS file system mounted with transit encryption and IAM authorization (the task role may mount it)."""

    id: FileSystemId
    """file system ID, e.g. fs-0123456789abcdef0 (in the environment's account and region)"""
    access_point: AccessPointId | None = None
    """access point ID, e.g. fsap-0123456789abcdef0: the task mounts its directory as its user (recommended)"""
    root_directory: Annotated[str, Field(json_schema_extra={"pattern": ROOT_DIRECTORY_PATTERN}), AfterValidator(_root_directory)] | None = None
    """directory of the file system to mount (default /); with an access point, omitted or / (the access point's directory)"""
    security_group: SecurityGroupId | None = None
    """the mount targets' security group: NFS (TCP 2049) goes out to it only; the VPC's CIDR block when absent"""

    @field_validator("root_directory")
    @classmethod
    def _root_with_access_point(cls, value: str | None, info: ValidationInfo) -> str | None:
        access_point = info.data.get("access_point")
        if access_point is not None and value not in (None, "/"):
            raise aws_rules.Refused(
                f"root_directory {value} with access point {access_point}: ECS mounts the access point's own directory, and refuses another root directory",
                "drop root_directory (set the directory on the access point), or drop access_point",
            )
        return value


class Volume(Strict):
    """A volume mounted into the container."""

    path: WritablePath
    """absolute directory in the container where the volume is mounted, e.g. /var/uploads (writable with a read-only root filesystem)"""
    read_only: bool = False
    """mount it read-only (the task role may then mount, not write)"""
    efs: Efs
    """the EFS file system: {id, access_point, root_directory, security_group}"""


def _volume_name(value: str) -> str:
    if SCRATCH_VOLUME.match(value):
        raise aws_rules.Refused(
            f"'{value}' is the name of one of tfgen's scratch volumes (writable_paths, a sidecar's too)", "choose another name, e.g. uploads"
        )
    return value


VolumeName = Annotated[str, StringConstraints(pattern=VOLUME_NAME_PATTERN), AfterValidator(_volume_name)]


class Storage(Strict):
    """The task's storage: its ephemeral storage and the volumes mounted into the container."""

    ephemeral: Annotated[int, Field(ge=MIN_EPHEMERAL_GIB, le=MAX_EPHEMERAL_GIB)] | None = None
    """GiB of task storage on Fargate (21-200; Fargate's default 20 when absent); EC2 tasks use the instance's disk"""
    volumes: dict[VolumeName, Volume] = Field(default_factory=dict)
    """volumes by name: {path, read_only, efs: {id, access_point, root_directory, security_group}}"""

    def paths(self) -> dict[str, str]:
        """Volume name -> mount path."""
        return {name: volume.path for name, volume in self.volumes.items()}


PLATFORMS = ("linux/x86_64", "linux/arm64")
# Other spellings of the two (Docker's and Copilot's names), for the hint.
PLATFORM_SPELLINGS = {"amd64": "linux/x86_64", "x86-64": "linux/x86_64", "x64": "linux/x86_64", "aarch64": "linux/arm64", "arm": "linux/arm64"}


def _platform(value: str) -> str:
    if value in PLATFORMS:
        return value
    arch = value.lower().removeprefix("linux/")
    meant = PLATFORM_SPELLINGS.get(arch) or next((p for p in PLATFORMS if p.lower() == f"linux/{arch}"), None)
    raise aws_rules.Refused(f"'{value[:40]}' is not a platform tfgen renders: linux/x86_64 or linux/arm64", f"did you mean '{meant}'?" if meant else None)


Platform = Annotated[str, Field(json_schema_extra={"enum": list(PLATFORMS)}), AfterValidator(_platform)]


# --- sidecars ----------------------------------------------------------------------------------

MAIN_CONTAINER = "app"  # modules/ecs-task's container_name: the service's own container
MAX_SIDECARS = 9  # ECS service quotas: 10 containers per task definition, the service's one of them
DependencyCondition = Literal["START", "HEALTHY", "COMPLETE", "SUCCESS"]  # ECS ContainerDependency.condition


def _sidecar_name(value: str) -> str:
    if value == MAIN_CONTAINER:
        raise aws_rules.Refused(f"'{MAIN_CONTAINER}' is the name of the service's own container", "give the sidecar another name, e.g. otel or proxy")
    return aws_rules.check_name_end(value)


# The language of service names, spelled apart so that messages name what a bad one is.
SIDECAR_NAME_PATTERN = r"^[a-z][-a-z0-9]{0,31}$"
SidecarName = Annotated[str, StringConstraints(pattern=SIDECAR_NAME_PATTERN), AfterValidator(_sidecar_name)]
EnvFileArn = Annotated[str, Field(json_schema_extra={"pattern": r"^arn:[a-z-]+:s3:::[^/]+/.+\.env$"}), AfterValidator(aws_rules.check_env_file_arn)]


def _distinct(value: list[str], what: str) -> list[str]:
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise ValueError(f"{what} repeats {', '.join(repeated)}")
    return value


class Sidecar(Strict):
    """A container beside the service's own in every task (a collector, a proxy, a log router)."""

    image: Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
    """image reference, e.g. public.ecr.aws/aws-observability/aws-otel-collector:latest"""
    essential: bool = True
    """the task stops when this container stops (ECS's default, true); false for a helper that may exit"""
    port: Port | None = None
    """the port it listens on inside the task; every container shares the task's network (awsvpc), so ports differ"""
    variables: dict[EnvVarName, str] = Field(default_factory=dict)
    """environment variables of the sidecar"""
    secrets: dict[EnvVarName, SecretArn] = Field(default_factory=dict)
    """environment variables read from Secrets Manager or SSM Parameter Store, in the forms of the service's `secrets`"""
    command: list[str] | None = None
    """container command, overriding the image's"""
    healthcheck: ContainerHealthCheck | None = None
    """the sidecar's health check {command, interval, timeout, retries, start_period}; depends_on HEALTHY needs it"""
    cpu: Annotated[int, Field(ge=1)] | None = None
    """CPU units reserved for the sidecar (container cpu); the service's own container shares the rest of the task's"""
    memory: Annotated[int, Field(ge=aws_rules.MIN_CONTAINER_MEMORY)] | None = None
    """MiB reserved for the sidecar (container memoryReservation: a soft limit, it may use free task memory); at least 6"""
    writable_paths: Annotated[list[WritablePath], Field(max_length=10)] = Field(default_factory=list)
    """directories the sidecar writes to: task-scoped scratch volumes of its own (its root filesystem is read-only)"""

    @field_validator("writable_paths")
    @classmethod
    def _distinct_paths(cls, value: list[str]) -> list[str]:
        return _distinct(value, "writable_paths")


def queue_url_variable(worker: str) -> str:
    """The environment variable of a worker's queue URL in the services that send to it."""
    return worker.upper().replace("-", "_") + "_QUEUE_URL"
# --- deployments (ECS native deployment strategies) ----------------------------------------------
# Ranges of the ECS API reference (botocore's ecs model: DeploymentConfiguration, CanaryConfiguration,
# LinearConfiguration): percents are multiples of 0.1, canary 0.1-100, linear steps 3-100; bake times
# 0-1440 minutes.

MAX_BAKE_MINUTES = 1440
STRATEGIES = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}
ROLLING_DEFAULTS = {"min_healthy_percent": 100, "max_percent": 200}
DEFAULT_BAKE_TIME = 10


def _tenths(value: float, low: float, what: str) -> float:
    if not (low <= value <= 100.0 and abs(round(value * 10) - value * 10) < 1e-9):
        raise aws_rules.Refused(f"{what} is {value:g}: ECS takes multiples of 0.1 from {low:g} to 100", f"write a percent such as {max(low, 10.0):g}")
    return value


class Canary(Strict):
    """Canary traffic shift: `percent` of production traffic first, the rest after `interval` minutes."""

    percent: float = 5.0
    """percent of traffic the new revision gets first (0.1-100, multiples of 0.1; ECS's default 5)"""
    interval: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] = 10
    """minutes before the remaining traffic shifts (ECS's default 10)"""

    @field_validator("percent")
    @classmethod
    def _percent(cls, value: float) -> float:
        return _tenths(value, 0.1, "a canary percent")


class Linear(Strict):
    """Linear traffic shift: `percent` more of production traffic every `interval` minutes."""

    percent: float = 10.0
    """percent of traffic shifted per step (3-100, multiples of 0.1; ECS's default 10)"""
    interval: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] = 6
    """minutes between steps (ECS's default 6)"""

    @field_validator("percent")
    @classmethod
    def _percent(cls, value: float) -> float:
        return _tenths(value, 3.0, "a linear step percent")


class Deployment(Strict):
    """How ECS deploys a new revision of the service (ECS native deployments)."""

    strategy: Literal["rolling", "blue-green", "canary", "linear"] = "rolling"
    """rolling (default) | blue-green | canary | linear"""
    min_healthy_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    """rolling: tasks that keep running during a deployment, percent of the count (default 100)"""
    max_percent: Annotated[int, Field(ge=100)] | None = None
    """rolling: tasks that may run during a deployment, percent of the count (default 200)"""
    bake_time: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] | None = None
    """blue-green, canary, linear: minutes both revisions run after all traffic shifted, before the old one is retired (default 10)"""
    canary: Canary | None = None
    """strategy canary: {percent, interval}"""
    linear: Linear | None = None
    """strategy linear: {percent, interval}"""
    rollback_alarms: Literal["default"] | list[Annotated[str, StringConstraints(min_length=1, max_length=255)]] = "default"
    """default: CloudWatch alarms tfgen creates for the service; or names of existing alarms; or [] (none). A deployment rolls back when one fires"""

    @model_validator(mode="after")
    def _fields_of_the_strategy(self) -> Deployment:
        rolling = self.strategy == "rolling"
        for name in ("min_healthy_percent", "max_percent"):
            if getattr(self, name) is not None and not rolling:
                raise aws_rules.Refused(
                    f"{name} applies to rolling deployments; a {self.strategy} deployment starts a whole new revision beside the old one",
                    f"drop {name}, or write strategy: rolling",
                )
        if rolling and self.bake_time is not None:
            raise aws_rules.Refused("bake_time applies to blue-green, canary and linear deployments", "drop bake_time, or write strategy: blue-green")
        for name in ("canary", "linear"):
            if getattr(self, name) is not None and self.strategy != name:
                raise aws_rules.Refused(f"{name} settings apply to strategy {name} only (this is {self.strategy})", f"drop {name}, or write strategy: {name}")
        low, high = self.minimum_healthy_percent(), self.maximum_percent()
        if rolling and high <= low:
            raise aws_rules.Refused(
                f"max_percent ({high}) must be greater than min_healthy_percent ({low}): ECS could neither start a new task nor stop an old one",
                "write, e.g., min_healthy_percent: 100 and max_percent: 200 (or 50 and 100 without spare capacity)",
            )
        return self

    def ecs_strategy(self) -> str:
        return STRATEGIES[self.strategy]

    def minimum_healthy_percent(self) -> int:
        return ROLLING_DEFAULTS["min_healthy_percent"] if self.min_healthy_percent is None else self.min_healthy_percent

    def maximum_percent(self) -> int:
        return ROLLING_DEFAULTS["max_percent"] if self.max_percent is None else self.max_percent


def headless_deployment(deployment: Deployment | None, what: str) -> Deployment | None:
    """Canary and linear shift traffic through a load balancer or Service Connect; ECS documents blue-green
    (without managed traffic shifting) for services with neither, and nothing else."""
    if deployment is not None and deployment.strategy in ("canary", "linear"):
        raise aws_rules.Refused(
            f"a {deployment.strategy} deployment shifts traffic through a load balancer or Service Connect, and {what} has neither",
            "write strategy: blue-green (ECS runs the new revision beside the old one, bakes, then retires the old) or rolling",
        )
    return deployment


class ServiceBase(Strict):
    """Fields every service type has."""

    image: str | Build = Field(description="image reference, or {build: DIR} for an ECR repository")
    cpu: Annotated[int, Field(ge=128)] = 256
    """task CPU units (256 = 0.25 vCPU); Fargate cpu/memory pairs are checked"""
    memory: Annotated[int, Field(ge=128)] = 512
    """task memory, MiB"""
    platform: Platform = "linux/x86_64"
    """the task's OS and CPU architecture: linux/x86_64 (default) or linux/arm64 (Graviton; EC2 capacity must be a Graviton type)"""
    entrypoint: Annotated[list[str], Field(min_length=1)] | None = None
    """container entry point, overriding the image's (e.g. [/bin/app])"""
    command: list[str] | None = None
    """container command, overriding the image's (e.g. [serve, --port, "8000"])"""
    healthcheck: ContainerHealthCheck | None = None
    """the container's own health check {command, interval, timeout, retries, start_period} (http.healthcheck is the load balancer's)"""
    variables: dict[EnvVarName, str] = Field(default_factory=dict)
    """environment variables of the container"""
    secrets: dict[EnvVarName, SecretArn] = Field(default_factory=dict)
    """environment variables read from Secrets Manager (ARN, optionally ...:json-key::) or SSM Parameter Store
    (ARN, or a parameter name of the environment's account and region)"""
    kms_keys: list[KmsKeyArn] = Field(default_factory=list)
    """customer managed KMS keys (ARNs) that encrypt those secrets: the execution role may decrypt with them through Secrets Manager and SSM only"""
    capacity: CapacityStrategy | None = None
    """this service's capacity provider strategy; the cluster's when absent"""
    exec: bool = Field(False, description="ECS Exec")
    readonly_root_filesystem: bool = True
    """read-only root filesystem for the container"""
    writable_paths: Annotated[list[WritablePath], Field(max_length=10)] = Field(default_factory=list)
    """directories the container writes to (e.g. /tmp, /var/cache/nginx): task-scoped scratch volumes, so the root filesystem stays read-only"""
    logging: Logging = Field(default_factory=Logging)
    """CloudWatch Logs settings"""
    storage: Storage = Field(default_factory=Storage)
    """the task's storage: {ephemeral: GiB of Fargate task storage, volumes: EFS volumes by name, {path, read_only, efs}}"""
    permissions: list[Permission] = Field(default_factory=list)
    """the task role (what the application may do): managed policy ARNs, attached, and statements {actions, resources, effect, conditions}, one inline policy"""

    @field_validator("permissions")
    @classmethod
    def _distinct_policies(cls, value: list[str | PolicyStatement]) -> list[str | PolicyStatement]:
        arns = [item for item in value if isinstance(item, str)]
        repeated = sorted({arn for arn in arns if arns.count(arn) > 1})
        if repeated:
            raise ValueError(f"permissions repeats {', '.join(repeated)}")
        return value

    env_file: EnvFileArn | None = None
    """S3 object (arn:aws:s3:::BUCKET/KEY.env) with more environment variables of the container; only the execution role may read it"""
    sidecars: Annotated[dict[SidecarName, Sidecar], Field(max_length=MAX_SIDECARS)] = Field(default_factory=dict)
    """containers beside the service's own in every task (at most 9):
    {image, essential, port, variables, secrets, command, healthcheck, cpu, memory, writable_paths}"""
    depends_on: dict[Annotated[str, StringConstraints(pattern=SIDECAR_NAME_PATTERN)], DependencyCondition] = Field(default_factory=dict)
    """sidecars the service's container waits for, and until when: START | HEALTHY (needs its healthcheck) | COMPLETE or SUCCESS (non-essential sidecars)"""

    network: ServiceNetwork = Field(default_factory=ServiceNetwork)
    """the tasks' extra security groups and egress rules, on top of the defaults (HTTPS out, the application's services)"""
    sends_to: list[Annotated[str, StringConstraints(pattern=SERVICE_NAME_PATTERN)]] = Field(default_factory=list)
    """worker-services it sends to: sqs:SendMessage and sqs:GetQueueUrl on their queues, VOTE_WORKER_QUEUE_URL for vote-worker"""

    @field_validator("sends_to")
    @classmethod
    def _distinct_workers(cls, value: list[str]) -> list[str]:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"sends_to repeats {', '.join(repeated)}")
        return value

    def send_queue_variables(self) -> dict[str, str]:
        """Environment variable -> worker: vote-worker -> VOTE_WORKER_QUEUE_URL."""
        return {queue_url_variable(worker): worker for worker in self.sends_to}

    def scratch_paths(self) -> list[str]:
        """The directories that get scratch volumes: writable_paths, and ECS Exec's with a read-only root."""
        exec_paths = list(EXEC_PATHS) if self.exec and self.readonly_root_filesystem else []
        return list(dict.fromkeys([*self.writable_paths, *exec_paths]))

    def cpu_architecture(self) -> str:
        """ECS's RuntimePlatform.cpuArchitecture of the platform."""
        return "ARM64" if self.platform == "linux/arm64" else "X86_64"

    def managed_policy_arns(self) -> list[str]:
        return [item for item in self.permissions if isinstance(item, str)]

    def policy_statements(self) -> list[PolicyStatement]:
        return [item for item in self.permissions if isinstance(item, PolicyStatement)]

    @field_validator("writable_paths")
    @classmethod
    def _distinct_paths(cls, value: list[str]) -> list[str]:
        repeated = sorted({path for path in value if value.count(path) > 1})
        if repeated:
            raise ValueError(f"writable_paths repeats {', '.join(repeated)}")
        return value

    @field_validator("image")
    @classmethod
    def _image_not_empty(cls, value: str | Build) -> str | Build:
        if isinstance(value, str) and not value.strip():
            raise ValueError("image must not be empty")
        return value

    def builds_image(self) -> bool:
        return isinstance(self.image, Build)

    def check_size(self, cluster_capacity: CapacityStrategy) -> str | None:
        """Why cpu/memory cannot run here, or None. EC2-only services may use any size."""
        strategy = self.capacity or cluster_capacity
        if strategy.fargate or strategy.fargate_spot:
            return fargate_problem(self.cpu, self.memory)
        return None


class WebService(ServiceBase):
    """A service behind the application load balancer."""

    type: Literal["web-service"]
    """a service behind the application load balancer"""
    port: Port = 80
    """container port"""
    count: TaskCount | Scaling = 1
    """number of tasks, or {min, max, cpu, memory, requests} for autoscaling"""
    http: Http = Field(default_factory=Http)
    """listener rule and health check"""
    deployment: Deployment | None = None
    """how ECS deploys: {strategy, min_healthy_percent, max_percent, bake_time, canary, linear, rollback_alarms}; rolling without alarms when absent"""


class BackendService(ServiceBase):
    """A service without load balancer, reachable from the application's other services."""

    type: Literal["backend-service"]
    """a service reachable only from the application's other services"""
    port: Port | None = None
    """container port other services connect to"""
    count: TaskCount | Scaling = 1
    """number of tasks, or {min, max, cpu, memory} for autoscaling"""
    deployment: Deployment | None = None
    """how ECS deploys: {strategy, min_healthy_percent, max_percent, bake_time, canary, linear, rollback_alarms}; rolling without alarms when absent.
    canary and linear shift Service Connect traffic, so they need a port"""

    @field_validator("deployment")
    @classmethod
    def _deployment_needs_a_port(cls, value: Deployment | None, info: ValidationInfo) -> Deployment | None:
        if "port" in info.data and info.data["port"] is None:
            return headless_deployment(value, "a backend-service without a port")
        return value


class WorkerService(ServiceBase):
    """A queue consumer: SQS queue + DLQ, QUEUE_URL injected, scales on backlog per task."""

    type: Literal["worker-service"]
    """a queue consumer (SQS queue and dead-letter queue)"""
    queue: Queue = Field(default_factory=Queue)
    """the SQS queue"""
    count: TaskCount | WorkerScaling = 1
    """number of tasks, or {min, max, backlog_per_task} to scale on the queue"""
    deployment: Deployment | None = None
    """how ECS deploys: {strategy, min_healthy_percent, max_percent, bake_time, rollback_alarms}: rolling or blue-green; rolling without alarms when absent"""

    @field_validator("deployment")
    @classmethod
    def _headless(cls, value: Deployment | None) -> Deployment | None:
        return headless_deployment(value, "a worker-service")


class Schedule(Strict):
    """When a scheduled job runs: its expression, read in a time zone."""

    expression: str = Field(description="cron(...), rate(...), @hourly, @daily, @weekly, @monthly")
    timezone: str | None = None
    """IANA time zone the cron expression is read in (EventBridge Scheduler); UTC when absent"""

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        normalize_schedule(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        expression = info.data.get("expression")
        if isinstance(expression, str) and normalize_schedule(expression).startswith("rate("):
            raise aws_rules.Refused(
                f"a rate runs every interval whatever the time zone: timezone {value} says nothing here",
                "drop timezone, or write a cron such as cron(0 3 * * ? *) to run at a time of day",
            )
        return aws_rules.check_time_zone(value)


class Retries(Strict):
    """How a failed run is retried (Step Functions Retry on the run's task: States.TaskFailed)."""

    count: Annotated[int, Field(ge=0, le=aws_rules.MAX_RETRIES)]
    """retries after the first attempt (0: none)"""
    interval: Annotated[int, Field(ge=1, le=aws_rules.MAX_RETRY_INTERVAL)] = 60
    """seconds before the first retry"""
    backoff: Annotated[float, Field(ge=1.0, le=aws_rules.MAX_BACKOFF_RATE)] = 2.0
    """each further retry waits this many times longer"""


class Notify(Strict):
    """Where a scheduled job's failures are published."""

    topic: str
    """SNS topic ARN (standard, in the blueprint's region)"""
    kms_key: str | None = None
    """the customer managed KMS key the topic is encrypted with (the state machine may use it to publish)"""

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        return aws_rules.check_sns_topic_arn(value)

    @field_validator("kms_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return None if value is None else aws_rules.check_kms_key_arn(value)


class ScheduledJob(ServiceBase):
    """A task that an EventBridge Scheduler schedule runs, through a Step Functions state machine."""

    type: Literal["scheduled-job"]
    """a task run on a schedule"""
    schedule: str | Schedule = Field(description="cron(...), rate(...), @hourly, @daily, @weekly, @monthly; or {expression, timezone}")
    timeout: Annotated[int, Field(ge=60, le=86400, description="seconds before the task is stopped")] | None = None
    """seconds before the task is stopped (each attempt, when retried)"""
    retries: Annotated[int, Field(ge=0, le=aws_rules.MAX_RETRIES)] | Retries | None = None
    """retries of a failed run: a count (60 s, then doubling), or {count, interval, backoff}"""
    notify: str | Notify | None = None
    """SNS topic ARN (or {topic, kms_key}) where failures and timeouts are published"""

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | Schedule) -> str | Schedule:
        if isinstance(value, str):
            normalize_schedule(value)
        return value

    @field_validator("notify")
    @classmethod
    def _notify(cls, value: str | Notify | None) -> str | Notify | None:
        if isinstance(value, str):
            aws_rules.check_sns_topic_arn(value)
        return value

    def schedule_expression(self) -> str:
        return normalize_schedule(self.schedule if isinstance(self.schedule, str) else self.schedule.expression)

    def schedule_timezone(self) -> str | None:
        return None if isinstance(self.schedule, str) else self.schedule.timezone

    def retry_policy(self) -> Retries | None:
        """The retries, defaults filled in; None: a failed run is not retried."""
        retries = Retries(count=self.retries) if isinstance(self.retries, int) else self.retries
        return retries if retries is not None and retries.count > 0 else None

    def notification(self) -> Notify | None:
        return Notify(topic=self.notify) if isinstance(self.notify, str) else self.notify


Service = Annotated[WebService | BackendService | WorkerService | ScheduledJob, Field(discriminator="type")]
SERVICE_TYPES = ("web-service", "backend-service", "worker-service", "scheduled-job")
