"""What each AWS resource type holds in an account and what the API answers when it collides.

A *claim* is a name (or a listener rule priority) that at most one live object may hold in its
namespace; the namespace spells out AWS's scope (account, region, cluster, VPC, listener). A
*reference* is the id or ARN of a target group or security group that an object uses, which AWS
refuses to delete while it is used. Error codes and texts are AWS's own (the
API models' error shapes, as collected for issue 13); the "creating X (name):" wording is the provider's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NameRule:
    """A resource type whose name AWS keeps unique within a scope."""

    label: str  # the provider's name for the type in its messages
    scope: str  # "account", "region", or a further attribute of the object
    code: str
    text: str  # may use {name}, {arn}, {scope}
    fold_case: bool = False


NAME_RULES: dict[str, NameRule] = {
    "aws_iam_role": NameRule("IAM Role", "account", "EntityAlreadyExists", "Role with name {name} already exists.", fold_case=True),
    "aws_iam_policy": NameRule(
        "IAM Policy", "account", "EntityAlreadyExists", "A policy called {name} already exists. Duplicate names are not allowed.", fold_case=True
    ),
    "aws_lb_target_group": NameRule("ELBv2 Target Group", "region", "DuplicateTargetGroupName", "A target group with the specified name already exists"),
    "aws_lb": NameRule("ELBv2 Load Balancer", "region", "DuplicateLoadBalancerName", "A load balancer with the specified name already exists"),
    "aws_cloudwatch_log_group": NameRule("CloudWatch Logs Log Group", "region", "ResourceAlreadyExistsException", "The specified log group already exists"),
    "aws_ecs_service": NameRule("ECS Service", "cluster", "InvalidParameterException", "Creation of service was not idempotent."),
    "aws_sqs_queue": NameRule(
        "SQS Queue", "region", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute(s) {attributes}"
    ),
    "aws_ecs_capacity_provider": NameRule(
        "ECS Capacity Provider",
        "region",
        "ClientException",
        "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
    ),
    "aws_sfn_state_machine": NameRule("Step Functions State Machine", "region", "StateMachineAlreadyExists", "State Machine Already Exists: '{arn}'"),
    "aws_scheduler_schedule": NameRule("EventBridge Scheduler Schedule", "group_name", "ConflictException", "Schedule {name} already exists."),
    "aws_security_group": NameRule(
        "Security Group", "vpc_id", "InvalidGroup.Duplicate", "The security group '{name}' already exists for VPC '{scope}'", fold_case=True
    ),
    # A record set is its name and type in its zone (ChangeResourceRecordSets CREATE; DNS names
    # are case-insensitive); allow_overwrite makes the provider UPSERT, which takes any.
    "aws_route53_record": NameRule(
        "Route53 Record",
        "zone_id",
        "InvalidChangeBatch",
        "[Tried to create resource record set [name='{name}.', type='{type}'] but it already exists]",
        fold_case=True,
    ),
}

# Not aws_cloudwatch_event_rule: the provider creates a rule with PutRule, which creates or
# overwrites, so AWS takes a duplicate name without a word (the second rule replaces the first).

# CreateQueue with the same name is idempotent unless one of these attributes differs.
SQS_ATTRIBUTES = (
    "content_based_deduplication",
    "deduplication_scope",
    "delay_seconds",
    "fifo_queue",
    "fifo_throughput_limit",
    "kms_data_key_reuse_period_seconds",
    "kms_master_key_id",
    "max_message_size",
    "message_retention_seconds",
    "policy",
    "receive_wait_time_seconds",
    "redrive_allow_policy",
    "redrive_policy",
    "sqs_managed_sse_enabled",
    "visibility_timeout_seconds",
)

PRIORITY_LABEL = "ELBv2 Listener Rule"


@dataclass(frozen=True)
class InUseRule:
    """A resource type AWS refuses to delete while another object references it."""

    label: str
    code: str
    text: str  # may use {id}


IN_USE_RULES: dict[str, InUseRule] = {
    "aws_lb_target_group": InUseRule("ELBv2 Target Group", "ResourceInUse", "Target group '{id}' is currently in use by a listener or a rule"),
    "aws_security_group": InUseRule("Security Group", "DependencyViolation", "resource {id} has a dependent object"),
}


# CreateMountTarget: one mount target of a file system per availability zone, and all of them in
# one VPC. The account keeps where subnets and mount targets are (PLACED_TYPES) to tell.
MOUNT_TARGET_CONFLICT = "MountTargetConflict"
PLACED_TYPES: dict[str, tuple[str, ...]] = {
    "aws_subnet": ("vpc_id", "availability_zone"),
    "aws_efs_mount_target": ("file_system_id", "subnet_id"),
}


def placement(type_name: str, state: dict[str, Any]) -> dict[str, str]:
    return {key: value for key in PLACED_TYPES.get(type_name, ()) if (value := _text(state.get(key)))}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value or [] if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [item for item in value or [] if isinstance(item, str) and item] if isinstance(value, list) else []


def object_region(state: dict[str, Any], default: str) -> str:
    return _text(state.get("region")) or default


def name_scope(type_name: str, state: dict[str, Any], account: str, region: str) -> str:
    """The namespace a type's name is unique in, e.g. ``aws_lb_target_group:123456789012:eu-west-1``."""
    rule = NAME_RULES[type_name]
    where = f"{type_name}:{account}"
    if rule.scope == "account":
        return where
    where = f"{where}:{region}"
    if rule.scope == "cluster":
        # `cluster` is a name or an ARN (…:cluster/NAME): the same cluster either way.
        cluster = _text(state.get("cluster")) or "default"
        return f"{where}:{cluster.rsplit('/', 1)[-1]}"
    if rule.scope == "region":
        return where
    return f"{where}:{_text(state.get(rule.scope)) or 'default'}"


def scope_value(type_name: str, state: dict[str, Any]) -> str:
    """The scope as the API's message names it (the VPC of a security group)."""
    rule = NAME_RULES[type_name]
    if rule.scope in ("account", "region"):
        return ""
    return _text(state.get(rule.scope)) or "default"


def name_key(type_name: str, state: dict[str, Any]) -> str | None:
    name = _text(state.get("name"))
    if name is None:
        return None
    if type_name == "aws_route53_record":
        if state.get("allow_overwrite") is True:
            return None
        name = f"{name.removesuffix('.')} {_text(state.get('type')) or ''}"
    return name.casefold() if NAME_RULES[type_name].fold_case else name


def idempotence_attributes(type_name: str, state: dict[str, Any]) -> dict[str, str] | None:
    """The attributes a same-name create must match to succeed (None: any same name fails)."""
    if type_name != "aws_sqs_queue":
        return None
    return {name: json.dumps(state.get(name), sort_keys=True) for name in SQS_ATTRIBUTES}


def priority_scope(state: dict[str, Any]) -> str | None:
    listener = _text(state.get("listener_arn"))
    return f"aws_lb_listener_rule:{listener}" if listener else None


def _action_target_groups(actions: Any) -> Iterator[str]:
    for action in _items(actions):
        if arn := _text(action.get("target_group_arn")):
            yield arn
        for forward in _items(action.get("forward")):
            for group in _items(forward.get("target_group")):
                if arn := _text(group.get("arn")):
                    yield arn


def references(type_name: str, state: dict[str, Any]) -> list[str]:
    """Target group ARNs and security group ids this object uses, as AWS counts uses for deletes."""
    found: list[str] = []
    own_group = _text(state.get("security_group_id")) or _text(state.get("id"))
    if type_name == "aws_lb_listener":
        found.extend(_action_target_groups(state.get("default_action")))
    elif type_name == "aws_lb_listener_rule":
        found.extend(_action_target_groups(state.get("action")))
    elif type_name == "aws_ecs_service":
        found.extend(arn for lb in _items(state.get("load_balancer")) if (arn := _text(lb.get("target_group_arn"))))
        for network in _items(state.get("network_configuration")):
            found.extend(_strings(network.get("security_groups")))
    elif type_name == "aws_lb":
        found.extend(_strings(state.get("security_groups")))
    elif type_name == "aws_security_group":
        # A group's rules naming the group itself do not keep it from being deleted.
        for rule in _items(state.get("ingress")) + _items(state.get("egress")):
            found.extend(g for g in _strings(rule.get("security_groups")) if g != own_group)
    elif type_name in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        referenced = _text(state.get("referenced_security_group_id"))
        if referenced and referenced != own_group:
            found.append(referenced)
    elif type_name == "aws_security_group_rule":
        source = _text(state.get("source_security_group_id"))
        if source and source != own_group:
            found.append(source)
    return sorted(set(found))


TRACKED_TYPES = (
    frozenset(NAME_RULES)
    | frozenset(IN_USE_RULES)
    | frozenset(PLACED_TYPES)
    | {
        "aws_lb_listener",
        "aws_lb_listener_rule",
        "aws_ecs_service",
        "aws_lb",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_security_group_rule",
    }
)
