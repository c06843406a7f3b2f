"""The building blocks of the blueprint model: strict models (unknown keys are errors), the
patterns and constrained types that several models share."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from tfgen.blueprint import aws_rules

APP_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,19}$"
SERVICE_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

ENVIRONMENT_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,15}$"
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
SECRET_PATTERN = r"^(arn:aws[a-z-]*:(secretsmanager|ssm):|/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$)"
REGION_SCHEMA_PATTERN = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$"  # the schema's; the model checks botocore's list of regions

AppName = Annotated[str, StringConstraints(pattern=APP_NAME_PATTERN), AfterValidator(aws_rules.check_application_name)]
ServiceName = Annotated[str, StringConstraints(pattern=SERVICE_NAME_PATTERN), AfterValidator(aws_rules.check_name_end)]
EnvironmentName = Annotated[str, StringConstraints(pattern=ENVIRONMENT_NAME_PATTERN), AfterValidator(aws_rules.check_name_end)]
AccountId = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
Region = Annotated[str, Field(json_schema_extra={"pattern": REGION_SCHEMA_PATTERN}), AfterValidator(aws_rules.check_region)]
Arn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:")]
CertificateArn = Annotated[Arn, AfterValidator(aws_rules.check_certificate_arn)]
SecretArn = Annotated[str, StringConstraints(pattern=SECRET_PATTERN), AfterValidator(aws_rules.check_secret_arn)]
KmsKeyArn = Annotated[str, StringConstraints(pattern=aws_rules.KMS_KEY_ARN.pattern)]
BucketName = Annotated[str, StringConstraints(pattern=BUCKET_PATTERN), AfterValidator(aws_rules.check_bucket_name)]
TagKey = Annotated[str, AfterValidator(aws_rules.check_tag_key)]
TagValue = Annotated[str, AfterValidator(aws_rules.check_tag_value)]
Port = Annotated[int, Field(ge=1, le=65535)]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
WRITABLE_PATH_PATTERN = r"^/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"
WritablePath = Annotated[str, StringConstraints(pattern=WRITABLE_PATH_PATTERN), AfterValidator(aws_rules.check_writable_path)]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must never be silently ignored).

    A field is described by the docstring under it. pydantic would read those docstrings from the
    source when each class is created (``use_attribute_docstrings``), which costs every command
    most of its start-up; only `tfgen schema` needs them, so ``tfgen.blueprint.schema`` reads them
    then. Validators are built on first use (``defer_build``), for the same reason.

    Values are never coerced (``strict``): `count: true` is not 1 and `port: "80"` is not 80 (in
    lax mode pydantic takes a boolean for an integer and "yes" or 1 for a boolean)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True, strict=True)


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise aws_rules.Refused(f"'{value}' is not a CIDR block such as 10.0.0.0/16 or 0.0.0.0/0") from None
        message = f"'{value}' is not a CIDR block: its address has bits set beyond the /{network.prefixlen}"
        raise aws_rules.Refused(message, f"did you mean '{network}'?") from None
    return value


Cidr = Annotated[str, Field(description="CIDR block, e.g. 10.0.0.0/16")]


# --- capacity: the cluster's default strategy and a service's own --------------------------------


class FargateCapacity(Strict):
    """Weight and base of a Fargate capacity provider in a strategy."""

    base: Annotated[int, Field(ge=0, le=100000)] = 0
    """tasks placed on this provider before weights apply"""
    weight: Annotated[int, Field(ge=0, le=1000)] = 1
    """relative share of tasks"""


class Ec2Capacity(FargateCapacity):
    """An Auto Scaling group capacity provider with managed scaling."""

    instance_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")] = "t3.medium"
    """EC2 instance type, e.g. t3.medium (Graviton types such as m7g.large get the arm64 AMI)"""
    ami: Annotated[str, StringConstraints(pattern=r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")] | None = None
    """pinned AMI ID; unset: the latest ECS-optimized Amazon Linux 2023 AMI, so every AMI release refreshes the instances"""
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
