"""The blueprint model (SPEC §3). One pydantic model gives validation, error locations and the
JSON Schema printed by `tfgen schema`; nothing else describes the format. The services are in
``service_model``, the shared types in ``fields``; this module is the whole model's front door.

Per-environment values come from `environments.<env>.overrides`, a partial blueprint merged onto
the base (see `tfgen.blueprint.overrides`); the merged document is validated with this same model.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from tfgen.blueprint import aws_rules
from tfgen.blueprint.fields import (
    APP_NAME_PATTERN,
    BUCKET_PATTERN,
    ENVIRONMENT_NAME_PATTERN,
    LOG_RETENTION_DAYS,
    SECRET_PATTERN,
    SERVICE_NAME_PATTERN,
    WRITABLE_PATH_PATTERN,
    AccountId,
    AppName,
    Arn,
    BucketName,
    CapacityStrategy,
    CertificateArn,
    Cidr,
    Ec2Capacity,
    EnvironmentName,
    FargateCapacity,
    Region,
    ServiceName,
    Strict,
    TagKey,
    TagValue,
    _check_cidr,
)
from tfgen.blueprint.service_model import (
    MAIN_CONTAINER,
    NFS_PORT,
    SERVICE_TYPES,
    SIDECAR_NAME_PATTERN,
    BackendService,
    Build,
    Canary,
    Deployment,
    Efs,
    HealthCheck,
    Http,
    Linear,
    Logging,
    Notify,
    Queue,
    Retries,
    Scaling,
    Schedule,
    ScheduledJob,
    Service,
    ServiceBase,
    Sidecar,
    Storage,
    TaskCount,
    Volume,
    WebService,
    WorkerScaling,
    WorkerService,
)

# The whole model, for `from tfgen.blueprint import model as m` (m.WebService, m.NewVpc, ...).
__all__ = [
    "APP_NAME_PATTERN",
    "BUCKET_PATTERN",
    "ENVIRONMENT_NAME_PATTERN",
    "LOG_RETENTION_DAYS",
    "MAIN_CONTAINER",
    "NFS_PORT",
    "SECRET_PATTERN",
    "SERVICE_NAME_PATTERN",
    "SERVICE_TYPES",
    "SIDECAR_NAME_PATTERN",
    "WRITABLE_PATH_PATTERN",
    "AccessLogs",
    "BackendService",
    "Blueprint",
    "Build",
    "Canary",
    "CapacityStrategy",
    "Cluster",
    "Deployment",
    "Ec2Capacity",
    "Efs",
    "Environment",
    "ExistingVpc",
    "FargateCapacity",
    "HealthCheck",
    "Http",
    "Linear",
    "LoadBalancer",
    "Logging",
    "Network",
    "NewVpc",
    "Notify",
    "Overrides",
    "Policy",
    "Queue",
    "Retries",
    "Scaling",
    "Schedule",
    "ScheduledJob",
    "Service",
    "ServiceBase",
    "Sidecar",
    "StateBackend",
    "Storage",
    "TaskCount",
    "Volume",
    "WebService",
    "WorkerScaling",
    "WorkerService",
]

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
        aws_rules.check_vpc_cidr(value)
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


class Cluster(Strict):
    """The ECS cluster and its default capacity provider strategy."""

    container_insights: bool = True
    """CloudWatch Container Insights"""
    capacity: CapacityStrategy = Field(default_factory=lambda: CapacityStrategy(fargate=FargateCapacity(weight=1)))
    """capacity providers and the default strategy; default {fargate: {weight: 1}}"""


# --- load balancer -----------------------------------------------------------------------------


class AccessLogs(Strict):
    """ALB access logs to an existing S3 bucket."""

    bucket: BucketName
    """existing S3 bucket for access logs"""
    prefix: str = ""
    """key prefix in the bucket"""


HostedZone = Annotated[str, Field(json_schema_extra={"pattern": aws_rules.HOSTED_ZONE_PATTERN}), AfterValidator(aws_rules.check_hosted_zone)]


class LoadBalancer(Strict):
    """One application load balancer shared by every web-service."""

    public: bool = True
    """internet-facing (true) or internal (false)"""
    protocol: Literal["https", "http"] = "https"
    """'https' (default: needs a certificate; HTTP redirects to HTTPS) or 'http': plain HTTP on port 80, said explicitly"""
    certificate: CertificateArn | None = Field(None, description="ACM certificate ARN: HTTPS listener and HTTP->HTTPS redirect")
    certificates: Annotated[list[CertificateArn], Field(min_length=1, max_length=26)] | None = Field(
        None, description="ACM certificate ARNs: the first is the HTTPS listener's default, the others are listener certificates (SNI)"
    )
    allowed_source_ips: Annotated[list[Annotated[str, AfterValidator(_check_cidr), AfterValidator(aws_rules.check_ipv4_source)]], Field(min_length=1)] = Field(
        default_factory=lambda: ["0.0.0.0/0"]
    )
    """CIDR blocks allowed to reach the listeners"""
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """TLS policy of the HTTPS listener"""
    idle_timeout: Annotated[int, Field(ge=1, le=4000)] = 60
    """seconds"""
    access_logs: AccessLogs | None = None
    """ALB access logs to S3"""
    waf_acl_arn: Arn | None = Field(None, description="WAFv2 web ACL to associate with the load balancer")
    hosted_zone: HostedZone | None = None
    """public Route 53 hosted zone, looked up by name (e.g. example.com): an alias record (A) to the load balancer for every http.alias of every web-service"""

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


# --- environments and policy -------------------------------------------------------------------


ReasonText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class Policy(Strict):
    """Policy checks skipped on purpose, each with its reason."""

    skip: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]+$")], ReasonText] = Field(default_factory=dict)
    """check id -> reason it does not apply, e.g. {CKV_AWS_91: \"access logs go to the shared bucket\"}"""


class StateBackend(Strict):
    """Where Terraform keeps this environment's state (S3, native lock file)."""

    bucket: BucketName
    """S3 bucket for the Terraform state"""
    region: Region | None = None
    """the bucket's region; the environment's when absent"""


class Overrides(Strict):
    """Per-environment values: a partial blueprint merged onto the base. Values only, never the set of services."""

    tags: dict[TagKey, TagValue] = Field(default_factory=dict)
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
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)
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

    def ec2_capacity(self) -> Ec2Capacity | None:
        """The application's EC2 Auto Scaling group: as the cluster's default strategy names it,
        else as the first service that runs on it names it (the rules make the others agree)."""
        if self.cluster.capacity.ec2 is not None:
            return self.cluster.capacity.ec2
        return next((service.capacity.ec2 for service in self.services.values() if service.capacity and service.capacity.ec2), None)
