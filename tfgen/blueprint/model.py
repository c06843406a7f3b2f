"""The blueprint model (SPEC §3). One pydantic model gives validation, error locations and the
JSON Schema printed by `tfgen schema`; nothing else describes the format.

Per-environment values come from `environments.<env>.overrides`, a partial blueprint merged onto
the base (see `tfgen.blueprint.overrides`); the merged document is validated with this same model.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from tfgen.blueprint.fargate import fargate_problem
from tfgen.blueprint.schedule import normalize_schedule

APP_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,19}$"
SERVICE_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

AppName = Annotated[str, StringConstraints(pattern=APP_NAME_PATTERN)]
ServiceName = Annotated[str, StringConstraints(pattern=SERVICE_NAME_PATTERN)]
EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,15}$")]
AccountId = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")]
Arn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:")]
Port = Annotated[int, Field(ge=1, le=65535)]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
WRITABLE_PATH_PATTERN = r"^/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"
WritablePath = Annotated[str, StringConstraints(pattern=WRITABLE_PATH_PATTERN)]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must never be silently ignored)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_attribute_docstrings=True)


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"'{value}' is not a CIDR block ({error})") from None
    return value


Cidr = Annotated[str, Field(description="CIDR block, e.g. 10.0.0.0/16")]


# --- network -----------------------------------------------------------------------------------


class ExistingVpc(Strict):
    """An existing VPC and its subnets."""

    id: Annotated[str, StringConstraints(pattern=r"^vpc-[0-9a-f]+$")]
    """VPC id, e.g. vpc-0abc123"""
    public_subnets: Annotated[list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]+$")]], Field(min_length=2)]
    """at least two public subnet ids (load balancer)"""
    private_subnets: Annotated[list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]+$")]], Field(min_length=2)]
    """at least two private subnet ids (tasks)"""


class NewVpc(Strict):
    """A VPC that tfgen creates: public and private subnets per AZ, internet gateway, NAT, routes."""

    cidr: Cidr
    azs: Annotated[int, Field(ge=2, le=6)] = 2
    """number of availability zones (2-6)"""
    nat: Literal["single", "per-az"] = "single"
    """'single' NAT gateway, or one 'per-az'"""

    _cidr = field_validator("cidr")(_check_cidr)

    @field_validator("cidr")
    @classmethod
    def _big_enough(cls, value: str) -> str:
        if ipaddress.ip_network(value).prefixlen > 24:
            raise ValueError(f"'{value}' is too small: use a /24 or larger so every AZ gets two subnets")
        return value


class Network(Strict):
    """Where the application runs: the default VPC, an existing VPC, or a new one."""

    vpc: Literal["default"] | ExistingVpc | NewVpc = Field(
        "default", description="'default' (looked up by `tfgen discover`), {id, public_subnets, private_subnets} or {cidr, azs, nat}"
    )
    placement: Literal["private", "public"] = Field(
        "private",
        description=(
            "'private': tasks in private subnets without public IPs; "
            "'public': tasks in public subnets with public IPs (a default VPC that has no private subnets)"
        ),
    )


# --- cluster and capacity ----------------------------------------------------------------------


class FargateCapacity(Strict):
    """Weight and base of a Fargate capacity provider in a strategy."""

    base: Annotated[int, Field(ge=0, le=100000)] = 0
    """tasks placed on this provider before weights apply"""
    weight: Annotated[int, Field(ge=0, le=1000)] = 1
    """relative share of tasks"""


class Ec2Capacity(FargateCapacity):
    """An Auto Scaling group capacity provider with managed scaling."""

    instance_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")] = "t3.medium"
    """EC2 instance type, e.g. t3.medium"""
    min: Annotated[int, Field(ge=0)] = 0
    """minimum instances of the Auto Scaling group"""
    max: Annotated[int, Field(ge=1)] = 10
    """maximum instances of the Auto Scaling group"""
    target_capacity: Annotated[int, Field(ge=1, le=100, description="managed scaling target, percent")] = 100

    @model_validator(mode="after")
    def _range(self) -> Ec2Capacity:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class CapacityStrategy(Strict):
    """Capacity providers and their weights; at least one."""

    fargate: FargateCapacity | None = None
    """AWS Fargate"""
    fargate_spot: FargateCapacity | None = None
    """AWS Fargate Spot (interruptible, cheaper)"""
    ec2: Ec2Capacity | None = None
    """EC2 Auto Scaling group capacity provider with managed scaling"""

    @model_validator(mode="after")
    def _not_empty(self) -> CapacityStrategy:
        if not self.providers():
            raise ValueError("name at least one capacity provider: fargate, fargate_spot or ec2")
        return self

    def providers(self) -> dict[str, FargateCapacity]:
        return {name: value for name, value in (("fargate", self.fargate), ("fargate_spot", self.fargate_spot), ("ec2", self.ec2)) if value}



class Cluster(Strict):
    """The ECS cluster and its default capacity provider strategy."""

    container_insights: bool = True
    """CloudWatch Container Insights"""
    capacity: CapacityStrategy = Field(default_factory=lambda: CapacityStrategy(fargate=FargateCapacity(weight=1)))
    """capacity providers and the default strategy; default {fargate: {weight: 1}}"""


# --- load balancer -----------------------------------------------------------------------------


class AccessLogs(Strict):
    """ALB access logs to an existing S3 bucket."""

    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    """existing S3 bucket for access logs"""
    prefix: str = ""
    """key prefix in the bucket"""


class LoadBalancer(Strict):
    """One application load balancer shared by every web-service."""

    public: bool = True
    """internet-facing (true) or internal (false)"""
    protocol: Literal["https", "http"] = "https"
    """'https' (default: needs a certificate; HTTP redirects to HTTPS) or 'http': plain HTTP on port 80, said explicitly"""
    certificate: Arn | None = Field(None, description="ACM certificate ARN: HTTPS listener and HTTP->HTTPS redirect")
    certificates: Annotated[list[Arn], Field(min_length=1, max_length=26)] | None = Field(
        None, description="ACM certificate ARNs: the first is the HTTPS listener's default, the others are listener certificates (SNI)"
    )
    allowed_source_ips: Annotated[list[Annotated[str, AfterValidator(_check_cidr)]], Field(min_length=1)] = Field(default_factory=lambda: ["0.0.0.0/0"])
    """CIDR blocks allowed to reach the listeners"""
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """TLS policy of the HTTPS listener"""
    idle_timeout: Annotated[int, Field(ge=1, le=4000)] = 60
    """seconds"""
    access_logs: AccessLogs | None = None
    """ALB access logs to S3"""
    waf_acl_arn: Arn | None = Field(None, description="WAFv2 web ACL to associate with the load balancer")

    @model_validator(mode="after")
    def _certificates(self) -> LoadBalancer:
        if self.certificate is not None and self.certificates is not None:
            raise ValueError("give either certificate (one ARN) or certificates (a list), not both")
        if self.protocol == "http" and self.certificate_arns():
            raise ValueError("protocol: http serves plain HTTP, so it takes no certificate: remove the certificate, or remove protocol: http")
        return self

    def certificate_arns(self) -> list[str]:
        """The listener's certificates, its default first."""
        if self.certificates:
            return list(self.certificates)
        return [self.certificate] if self.certificate else []


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


class Http(Strict):
    """How the load balancer routes to a web-service."""

    path: Annotated[str, StringConstraints(pattern=r"^/")] = "/*"
    """listener rule path pattern, e.g. /api/*"""
    alias: Annotated[str, StringConstraints(pattern=r"^[a-z0-9*][a-z0-9.*-]*$")] | None = Field(None, description="host header, e.g. vote.example.com")
    healthcheck: Annotated[str, StringConstraints(pattern=r"^/")] | HealthCheck = "/"
    """health check path, or {path, port, success_codes, interval, timeout, healthy_threshold, unhealthy_threshold, grace_period}"""
    priority: Annotated[int, Field(ge=1, le=50000)] | None = Field(None, description="listener rule priority; derived when absent")

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


class ServiceBase(Strict):
    """Fields every service type has."""

    image: str | Build = Field(description="image reference, or {build: DIR} for an ECR repository")
    cpu: Annotated[int, Field(ge=128)] = 256
    """task CPU units (256 = 0.25 vCPU); Fargate cpu/memory pairs are checked"""
    memory: Annotated[int, Field(ge=128)] = 512
    """task memory, MiB"""
    command: list[str] | None = None
    """container command, overriding the image"""
    variables: dict[EnvVarName, str] = Field(default_factory=dict)
    """environment variables of the container"""
    secrets: dict[EnvVarName, Arn] = Field(default_factory=dict)
    """environment variables read from Secrets Manager or SSM Parameter Store ARNs"""
    capacity: CapacityStrategy | None = None
    """this service's capacity provider strategy; the cluster's when absent"""
    exec: bool = Field(False, description="ECS Exec")
    readonly_root_filesystem: bool = True
    """read-only root filesystem for the container"""
    writable_paths: Annotated[list[WritablePath], Field(max_length=10)] = Field(default_factory=list)
    """directories the container writes to (e.g. /tmp, /var/cache/nginx): task-scoped scratch volumes, so the root filesystem stays read-only"""
    logging: Logging = Field(default_factory=Logging)
    """CloudWatch Logs settings"""

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


class BackendService(ServiceBase):
    """A service without load balancer, reachable from the application's other services."""

    type: Literal["backend-service"]
    """a service reachable only from the application's other services"""
    port: Port | None = None
    """container port other services connect to"""
    count: TaskCount | Scaling = 1
    """number of tasks, or {min, max, cpu, memory} for autoscaling"""


class WorkerService(ServiceBase):
    """A queue consumer: SQS queue + DLQ, QUEUE_URL injected, scales on backlog per task."""

    type: Literal["worker-service"]
    """a queue consumer (SQS queue and dead-letter queue)"""
    queue: Queue = Field(default_factory=Queue)
    """the SQS queue"""
    count: TaskCount | WorkerScaling = 1
    """number of tasks, or {min, max, backlog_per_task} to scale on the queue"""


class ScheduledJob(ServiceBase):
    """A task that an EventBridge schedule runs."""

    type: Literal["scheduled-job"]
    """a task run on a schedule"""
    schedule: str = Field(description="cron(...), rate(...), @hourly, @daily, @weekly, @monthly")
    timeout: Annotated[int, Field(ge=60, le=86400, description="seconds before the task is stopped")] | None = None
    """seconds before the task is stopped"""

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        normalize_schedule(value)
        return value

    def schedule_expression(self) -> str:
        return normalize_schedule(self.schedule)


Service = Annotated[WebService | BackendService | WorkerService | ScheduledJob, Field(discriminator="type")]
SERVICE_TYPES = ("web-service", "backend-service", "worker-service", "scheduled-job")


# --- environments and policy -------------------------------------------------------------------


ReasonText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class Policy(Strict):
    """Policy checks skipped on purpose, each with its reason."""

    skip: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]+$")], ReasonText] = Field(default_factory=dict)
    """check id -> reason it does not apply, e.g. {CKV_AWS_91: \"access logs go to the shared bucket\"}"""


class StateBackend(Strict):
    """Where Terraform keeps this environment's state (S3, native lock file)."""

    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    """S3 bucket for the Terraform state"""
    region: Region | None = None
    """the bucket's region; the environment's when absent"""


class Overrides(Strict):
    """Per-environment values: a partial blueprint merged onto the base. Values only, never the set of services."""

    tags: dict[str, str] = Field(default_factory=dict)
    """extra tags for this environment"""
    network: dict[str, Any] | None = None
    """values of network"""
    cluster: dict[str, Any] | None = None
    """values of cluster"""
    load_balancer: dict[str, Any] | None = None
    """values of load_balancer"""
    services: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """service name -> values of that service (never its type)"""


class Environment(Strict):
    """One deployment target of the application."""

    account: AccountId
    """AWS account id (12 digits, quoted)"""
    region: Region | None = None
    """AWS region; the blueprint's when absent"""
    protected: bool = False
    """refuse destroys/replacements without --allow-destroy; deletion protection on"""
    state: StateBackend
    """Terraform state backend (S3, native locking)"""
    overrides: Overrides = Field(default_factory=Overrides)
    """a partial blueprint merged onto the base for this environment"""
    policy: Policy = Field(default_factory=Policy)
    """policy checks skipped in this environment only"""


class Blueprint(Strict):
    """An application: its services, the capacity they run on, and its environments."""

    name: AppName = Field(description="prefixes every AWS name")
    region: Region
    """default AWS region, e.g. eu-west-1"""
    tags: dict[str, str] = Field(default_factory=dict)
    """tags on every resource"""
    network: Network = Field(default_factory=Network)
    """the VPC the application runs in"""
    cluster: Cluster = Field(default_factory=Cluster)
    """the ECS cluster and its capacity"""
    load_balancer: LoadBalancer | None = None
    """the application load balancer shared by the web-services"""
    services: Annotated[dict[ServiceName, Service], Field(min_length=1)]
    """service name -> service"""
    environments: Annotated[dict[EnvironmentName, Environment], Field(min_length=1)]
    """environment name -> deployment target (account, state, overrides)"""
    policy: Policy = Field(default_factory=Policy)
    """policy checks skipped in every environment"""

    def web_services(self) -> dict[str, WebService]:
        return {n: s for n, s in self.services.items() if isinstance(s, WebService)}

    def has_load_balancer(self) -> bool:
        return bool(self.web_services())


def blueprint_json_schema() -> dict[str, Any]:
    """The JSON Schema of the blueprint format, from the same model that validates it."""
    schema = Blueprint.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tfgen blueprint"
    return schema
