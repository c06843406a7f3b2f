"""Names of the things tfgen creates: Terraform identifiers and AWS names that must be short.

AWS limits load balancer and target group names to 32 characters (letters, digits, hyphens; no
leading or trailing hyphen). Longer names are shortened to a stable form: a truncated prefix, a
hyphen and six hex characters of the SHA-256 of the full name, so different long names stay
distinct and the same name always gives the same short name.
"""

from __future__ import annotations

import hashlib
import re

AWS_SHORT_LIMIT = 32
HASH_LENGTH = 6
TARGET_GROUP_NAME_START = 25  # web-service ends the name with "-" and a 6-character digest: 32 in all


def snake(name: str) -> str:
    """A Terraform identifier for a blueprint name: `vote-api` -> `vote_api`."""
    identifier = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return identifier if re.match(r"^[A-Za-z_]", identifier) else f"_{identifier}"


# Root variables and modules of the root module tfgen renders: a service's own identifiers
# (`service_identifiers`) must not take them.
ROOT_VARIABLES = ("account_id", "cluster", "environment", "load_balancer", "network", "protected", "region", "tags")
ROOT_MODULES = ("alb", "cluster", "ec2_capacity", "vpc")


def service_identifiers(service: str, builds_image: bool) -> dict[str, str]:
    """The root module identifiers of one service: its variable (and module), and for a built
    image the image tag variable and the repository module."""
    identifiers = {"variable": snake(service)}
    if builds_image:
        identifiers.update(
            image_tag_variable=f"{snake(service)}_image_tag",
            repository_module=f"{snake(service)}_repository",
            repository_variable=f"{snake(service)}_image_repository",
        )
    return identifiers


def repository_name(application: str, service: str) -> str:
    """The ECR repository of a service: one per application (`<app>/<service>`, as AWS Copilot
    names them), in the first environment's account; every environment pulls the same image."""
    return f"{application}/{service}"


def resource_name(application: str, environment: str, *parts: str) -> str:
    """`<app>-<env>[-<part>...]`: the prefix of every AWS name of an environment."""
    return "-".join((application, environment, *parts))


def short_name(name: str, limit: int = AWS_SHORT_LIMIT) -> str:
    """`name` when it fits in `limit` characters, else a stable shortened form that does."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    prefix = name[: limit - HASH_LENGTH - 1].rstrip("-")
    return f"{prefix}-{digest}"


# ECS CreateCapacityProvider, name: it "can't be prefixed with 'aws', 'ecs', or 'fargate'".
RESERVED_CAPACITY_PROVIDER_PREFIXES = ("aws", "ecs", "fargate")


def capacity_provider_name(application: str, environment: str) -> str:
    """The EC2 capacity provider's name: `<app>-<env>-ec2`, or `cp-<app>-<env>-ec2` when the
    application's name begins with a prefix ECS reserves (an app named `ecs-demo`)."""
    name = resource_name(application, environment, "ec2")
    return f"cp-{name}" if name.startswith(RESERVED_CAPACITY_PROVIDER_PREFIXES) else name


def state_machine_arn(partition: str, region: str, account: str, name: str) -> str:
    """The ARN of a scheduled job's Step Functions state machine (named like the job's resources)."""
    return f"arn:{partition}:states:{region}:{account}:stateMachine:{name}"
