"""The ONE place where tfgen skips checkov built-in checks by default, each with its reason.

Keep this list short: a failing built-in check is fixed in the modules wherever AWS allows it,
and only what AWS or tfgen's design rules out is skipped here. A blueprint skip of the same id
(``policy.skip`` or ``environments.<env>.policy.skip``) replaces the reason. Every skip shows in
every output format with its reason; the README's policy section lists this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tfgen.policy.plan_checks import PlanIndex, service_security_groups
from tfgen.services import SERVICE_TYPES

DEFAULT_SKIPS: dict[str, str] = {
    # CloudWatch Logs encrypts every log group at rest with AWS-owned keys; a customer managed KMS
    # key per application (its key policy, rotation and cost) is a choice tfgen leaves to the account.
    "CKV_AWS_158": "log groups are encrypted at rest by CloudWatch Logs with AWS-owned keys; a customer managed KMS key is an account-level choice",
    # ALB access logs need an S3 bucket with a bucket policy for the regional ELB account: tfgen
    # configures them when the blueprint names a bucket (load_balancer.access_logs) and cannot
    # create one per application without owning its lifecycle.
    "CKV_AWS_91": "ALB access logs are enabled when the blueprint sets load_balancer.access_logs (an existing bucket); they cannot be on without one",
    # WAF is an optional association (load_balancer.waf_acl_arn): a web ACL is an account/organisation
    # resource with its own rules and cost.
    "CKV2_AWS_28": "a WAF web ACL is associated when the blueprint sets load_balancer.waf_acl_arn; web ACLs are managed outside the application",
    # TLS ends at the load balancer; the hop to the task stays inside the VPC, in security groups
    # that admit only the load balancer. HTTPS targets would need a certificate in every container.
    "CKV_AWS_378": "TLS ends at the load balancer; target groups speak HTTP to tasks inside the VPC, reachable only from the load balancer's security group",
}


@dataclass(frozen=True)
class PlanFacts:
    """What a scoped skip may depend on, besides the resource address."""

    protected: bool
    https_listener: bool  # the plan has an HTTPS listener (the blueprint sets a certificate)
    # Security groups tfgen's plan index found in an ECS service's network configuration.
    service_security_groups: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {"https_listener": self.https_listener, "service_security_groups": sorted(self.service_security_groups)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, protected: bool) -> PlanFacts:
        groups = data.get("service_security_groups")
        return cls(protected, bool(data.get("https_listener")), frozenset(str(g) for g in groups) if isinstance(groups, list) else frozenset())


def plan_facts(plan: dict[str, Any], *, protected: bool) -> PlanFacts:
    return PlanFacts(protected, has_https_listener(plan), frozenset(service_security_groups(PlanIndex(plan))))


@dataclass(frozen=True)
class ScopedSkip:
    """A default skip of one check on some resources only, and only where ``applies`` holds."""

    check_id: str
    resources: str  # regular expression the whole resource address must match
    reason: str
    applies: Callable[[PlanFacts], bool] = lambda facts: True
    attached_only: bool = False  # only groups tfgen found attached to an ECS service in the plan

    def matches(self, check_id: str, resource: str, facts: PlanFacts) -> bool:
        if check_id != self.check_id or re.fullmatch(self.resources, resource) is None or not self.applies(facts):
            return False
        return not self.attached_only or resource in facts.service_security_groups


SCOPED_SKIPS: tuple[ScopedSkip, ...] = (
    # checkov's plan graph does not follow a security group id through module outputs into
    # another module's aws_ecs_service, where this group is attached to every task.
    ScopedSkip(
        "CKV2_AWS_5",
        r"module\.cluster\.aws_security_group\.services",
        "the application's shared services group is attached to every ECS service (in the service modules); "
        "checkov's plan graph does not follow module outputs",
    ),
    # Each ECS service's own group comes from the task-security-group module; the service refers to
    # it through that module's output. Skipped only where tfgen's plan index followed the reference
    # from the aws_ecs_service to the group (tfgen.policy.plan_checks.service_security_groups).
    ScopedSkip(
        "CKV2_AWS_5",
        r"module\..+\.aws_security_group\.this",
        "attached to its ECS service through the task-security-group module's output (tfgen followed the reference in the plan); "
        "checkov's plan graph does not follow module outputs",
        attached_only=True,
    ),
    # A scheduled job's group reaches its tasks through the state machine's run input.
    *(
        ScopedSkip(
            "CKV2_AWS_5",
            rf"module\.[a-z0-9_]+\.{re.escape(address)}",
            "a scheduled job's group is attached to the tasks its state machine runs (through the run's input), which checkov's graph does not read",
        )
        for descriptor in SERVICE_TYPES.values()
        for address in descriptor.unattached_security_groups
    ),
    # A scheduled job's schedule holds only the run's input (cluster and task definition ARNs,
    # subnet and security group ids: no secret values), which Scheduler encrypts with an AWS owned
    # key; a customer managed key (its policy, rotation, cost) is an account-level choice.
    ScopedSkip(
        "CKV_AWS_297",
        r"module\.[a-z0-9_]+\.aws_scheduler_schedule\.this",
        "a scheduled job's schedule holds only ARNs and ids (no secret values), encrypted by EventBridge Scheduler with an AWS owned key; "
        "a customer managed key is an account-level choice",
    ),
    # An unprotected environment can be torn down in one `terraform destroy`; protected ones get
    # deletion protection, and CKV_TFG_8 fails when they do not.
    ScopedSkip(
        "CKV_AWS_150",
        r"module\.alb\.aws_lb\.this",
        "deletion protection is on in protected environments (CKV_TFG_8 enforces it); unprotected environments stay disposable",
        lambda facts: not facts.protected,
    ),
    # With a certificate, port 80 is open only so browsers reach the redirect to HTTPS (CKV_TFG_4
    # fails when the HTTP listener does anything else).
    ScopedSkip(
        "CKV_AWS_260",
        r"module\.alb\.aws_vpc_security_group_ingress_rule\.http(\[.*\])?",
        "with a certificate, port 80 only redirects to HTTPS (CKV_TFG_4 enforces it), so browsers typing http:// still arrive",
        lambda facts: facts.https_listener,
    ),
)


def scoped_skip_for(check_id: str, resource: str, facts: PlanFacts) -> ScopedSkip | None:
    return next((skip for skip in SCOPED_SKIPS if skip.matches(check_id, resource, facts)), None)


def has_https_listener(plan: dict[str, Any]) -> bool:
    return any(
        resource.get("type") == "aws_lb_listener" and (resource.get("values") or {}).get("protocol") == "HTTPS"
        for resource in _planned_resources((plan.get("planned_values") or {}).get("root_module") or {})
    )


def _planned_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _planned_resources(child)
