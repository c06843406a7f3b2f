"""The services of a blueprint: the fields every type has (``ServiceBase``) and each type's own.
Which Terraform module renders a type, and how, is its descriptor's business (``tfgen.services``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from tfgen.blueprint import aws_rules
from tfgen.blueprint.fargate import fargate_problem
from tfgen.blueprint.fields import LOG_RETENTION_DAYS, CapacityStrategy, EnvVarName, KmsKeyArn, Port, SecretArn, Strict, WritablePath
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
    command: list[str] | None = None
    """container command, overriding the image"""
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
