"""What a blueprint may say but a careful engineer would not do unknowingly: located warnings,
printed by render, validate and plan, never a refusal (exit code unchanged).

- A secret in another account than its environment: ECS reads it only when the secret's resource
  policy admits this environment's execution role and its customer managed KMS key (kms_keys)
  lets that role decrypt; secrets under AWS managed keys cannot be shared at all.
- More tasks on EC2 capacity than its instances' network interfaces hold: each awsvpc task takes
  one interface (the primary one is the instance's), so the rest stay PENDING (RESOURCE:ENI).
- A public hosted zone for an internal load balancer (`public: false`): its alias records publish
  the load balancer's private addresses to the internet's resolvers.
- Scaling on ALB requests per task (`count.requests`) with a blue-green, canary or linear
  deployment: the scaling policy reads one target group, and ECS moves production traffic to the
  other one on a deployment, so the policy may read the idle group and scale in.
"""

from __future__ import annotations

import re

from tfgen.blueprint.findings import Finding
from tfgen.blueprint.model import Blueprint, Scaling, Service
from tfgen.blueprint.yaml_positions import Path

# Maximum network interfaces by instance size, of the general purpose, compute and memory
# families tfgen's users run ECS on (EC2 DescribeInstanceTypes NetworkInfo.MaximumNetworkInterfaces;
# Amazon ECS Developer Guide, "Elastic network interface trunking"): t3/t4g/m5-m7/c5-c7/r5-r7.
# Other sizes and families are not judged. awsvpcTrunking (an account-wide setting tfgen does
# not change) raises the limit on supported non-burstable types.
_INTERFACES_BY_SIZE = {"nano": 2, "micro": 2, "small": 3, "medium": 3, "large": 3, "xlarge": 4, "2xlarge": 4, "4xlarge": 8, "8xlarge": 8}
_GRAVITON_MEDIUM = 2  # m6g/m7g/c6g/c7g/r6g.medium
_JUDGED_FAMILY = re.compile(r"^(t3a?|t4g|[mcr][5-7][a-z]*)\.")


def interfaces_of(instance_type: str) -> int | None:
    """Network interfaces an instance of this type has, when tfgen knows it."""
    if not _JUDGED_FAMILY.match(instance_type):
        return None
    family, size = instance_type.split(".", 1)
    if size == "medium" and not family.startswith("t") and "g" in family[2:]:
        return _GRAVITON_MEDIUM
    return _INTERFACES_BY_SIZE.get(size)


def warning_findings(blueprint: Blueprint, environment: str) -> list[Finding]:
    """The warnings of the blueprint as `environment` deploys it."""
    return (
        _cross_account_secrets(blueprint, environment)
        + _interface_density(blueprint)
        + _requests_with_shifted_traffic(blueprint)
        + _public_records_of_an_internal_load_balancer(blueprint)
    )


def _public_records_of_an_internal_load_balancer(blueprint: Blueprint) -> list[Finding]:
    lb = blueprint.load_balancer
    if lb is None or lb.public or lb.hosted_zone is None:
        return []
    return [
        Finding(
            ("load_balancer", "hosted_zone"),
            f"the load balancer is internal (public: false), and {lb.hosted_zone} is looked up as a public zone: its alias records "
            "publish the load balancer's private addresses to anyone who resolves the names",
            "leave hosted_zone out and register the names in your private zone, or make the load balancer public",
        )
    ]


def _requests_with_shifted_traffic(blueprint: Blueprint) -> list[Finding]:
    findings = []
    for name, service in blueprint.web_services().items():
        deployment, count = service.deployment, service.count
        if deployment is not None and deployment.strategy != "rolling" and isinstance(count, Scaling) and count.requests is not None:
            findings.append(
                Finding(
                    ("services", name, "count", "requests"),
                    f"scaling on requests per task reads the service's first target group, and a {deployment.strategy} deployment moves "
                    "production traffic to the other one: after a deployment the policy may read the idle group and scale in",
                    "scale on cpu or memory, or deploy with strategy: rolling",
                )
            )
    return findings


def _cross_account_secrets(blueprint: Blueprint, environment: str) -> list[Finding]:
    account = blueprint.environments[environment].account
    findings = []
    for name, service in blueprint.services.items():
        secrets: list[tuple[Path, str]] = [(("services", name, "secrets", key), value) for key, value in service.secrets.items()]
        for sidecar, container in service.sidecars.items():
            secrets += [(("services", name, "sidecars", sidecar, "secrets", key), value) for key, value in container.secrets.items()]
        for path, value in secrets:
            parts = value.split(":")
            if value.startswith("arn:") and len(parts) > 4 and parts[4] != account:
                findings.append(
                    Finding(
                        path,
                        f"the secret is in account {parts[4]}, not in {environment}'s account {account}: ECS reads it only if the secret's "
                        "resource policy admits this environment's execution role and its customer managed KMS key lets that role decrypt",
                        f"give {environment} its own secret in environments.{environment}.overrides, or share this one and list its key in kms_keys",
                    )
                )
    return findings


def _interface_density(blueprint: Blueprint) -> list[Finding]:
    group = blueprint.ec2_capacity()
    interfaces = interfaces_of(group.instance_type) if group else None
    if group is None or interfaces is None:
        return []
    on_ec2 = {name: _max_tasks(service) for name, service in blueprint.services.items() if _runs_on_ec2(blueprint, service)}
    capacity = group.max * (interfaces - 1)
    if sum(on_ec2.values()) <= capacity:
        return []
    listed = ", ".join(f"{name} {count}" for name, count in sorted(on_ec2.items()))
    path = ("cluster", "capacity", "ec2") if blueprint.cluster.capacity.ec2 else next(("services", n, "capacity", "ec2") for n in on_ec2)
    return [
        Finding(
            (*path, "max"),
            f"{group.max} instances of {group.instance_type} hold {capacity} awsvpc tasks ({interfaces - 1} network interfaces each besides "
            f"the primary), and the services on them may run {sum(on_ec2.values())} ({listed}): the rest stay PENDING",
            "raise max or the instance size, or enable awsvpcTrunking for the account (ECS account setting; not on burstable types)",
        )
    ]


def _runs_on_ec2(blueprint: Blueprint, service: Service) -> bool:
    strategy = service.capacity or blueprint.cluster.capacity
    return strategy.ec2 is not None


def _max_tasks(service: Service) -> int:
    count = getattr(service, "count", 1)
    return count.max if isinstance(count, Scaling) else int(count)
