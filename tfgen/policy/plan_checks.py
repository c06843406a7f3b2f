"""tfgen's plan-level checks: promises that span several resources, which a checkov resource check
(one resource at a time) cannot judge. They run in tfgen's process on the plan JSON (already
loaded to validate it, so they cost a few milliseconds) and produce the same records as checkov.

- CKV_TFG_3: the security group of every ECS service admits only other security groups (the load
  balancer's or the application's services'), never CIDR blocks or prefix lists. Service security
  groups are found by following each `aws_ecs_service`'s `network_configuration.security_groups`
  references in the plan's configuration (through module variables up to the module that creates
  the group); ingress is read from inline `ingress` blocks and from `aws_vpc_security_group_ingress_rule`
  and `aws_security_group_rule` (type ingress) resources whose `security_group_id` refers to it.
- CKV_TFG_4: when a load balancer has an HTTPS listener, its HTTP listeners redirect to HTTPS
  (default action `redirect` with protocol HTTPS) and no listener rule forwards on them.
  Listeners are grouped by load balancer (its ARN when known, else the resource their
  `load_balancer_arn` refers to, else their module).

The lifecycle rules read what the plan *does* (``resource_changes``: actions, before and after;
``prior_state`` for what a -target plan leaves out; the configuration's references), so they
judge any configuration, hand-edited ones too. Each refuses what AWS (or the provider) would
refuse halfway through an apply. Sources: the error shapes of the AWS API models (elbv2
DeleteTargetGroup ResourceInUse, CreateTargetGroup DuplicateTargetGroupName, CreateRule and
SetRulePriorities PriorityInUse; iam DeleteRole DeleteConflict, CreateRole EntityAlreadyExists;
sqs CreateQueue QueueNameExists), EC2's error codes (DeleteSecurityGroup DependencyViolation)
and hashicorp/terraform-provider-aws
(``resourceListenerRuleUpdate`` sends SetRulePriorities with this one rule; ``deleteRole``
removes the role from its instance profiles first).

- CKV_TFG_10: a replacement AWS refuses. Delete-then-create (``["delete", "create"]``, Terraform's
  default) of a resource AWS will not delete while something uses it (``_IN_USE``: a target group
  a listener or rule forwards to, a security group tasks or other groups use, ...), while a
  resource the plan keeps (update or no-op) still refers to it: its current values hold the
  replaced one's ARN or id, or, when those are not known, its configuration refers to it. Terraform
  updates that user only after the successor exists, so the delete comes first and fails.
  And create-before-destroy (``["create", "delete"]``) of a resource whose name is unique
  (``_UNIQUE_NAMES``) while the name stays the same: the create fails because the old one still
  exists. The message names the AWS error and the fix (``name_prefix`` + ``create_before_destroy``).
- CKV_TFG_11: listener rule priorities. The provider moves a rule's priority with
  SetRulePriorities for that rule alone, one rule after another, so a rule whose priority changes
  (or a new rule) onto a priority another rule of the same listener holds now fails with
  PriorityInUse, whatever that other rule does in the same apply (a swap always fails). Two rules
  of one listener planned at the same priority fail too. Rules are grouped by listener: its ARN
  (matched to the listener resource that has it), else the listener their ``listener_arn``
  refers to in the configuration.
- CKV_TFG_12: a delete or replacement of a resource that holds data (``_STATEFUL``: queues, log
  groups, repositories, buckets, tables, databases, ...) in a protected environment; how it
  relates to `--allow-destroy` is in ``check_stateful_deletes``.

CKV_TFG_10 and CKV_TFG_11 report only the changes they judge (replacements of the listed types;
rules with a known priority), CKV_TFG_12 every data-holding resource of a protected plan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tfgen.policy.results import FAILED, PASSED, CheckRecord

GUIDELINE = "https://github.com/tfgen/tfgen#policy-checks"
NAMES = {
    "CKV_TFG_3": "ECS service security groups admit only security groups (load balancer or the application's services), no CIDR ingress",
    "CKV_TFG_4": "HTTP listeners redirect to HTTPS when the load balancer has an HTTPS listener",
    "CKV_TFG_10": "A replacement does not delete a resource still in use, nor create a second one under a unique name that stays",
    "CKV_TFG_11": "A listener rule does not move onto a priority another rule of its listener holds, and no two rules share one",
    "CKV_TFG_12": "Resources holding data are not deleted or replaced in protected environments",
}

_MODULE_PART = re.compile(r'module\.([^.\[]+)(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?')
_RESOURCE_REF = re.compile(r"^(?!var\.|local\.|module\.|data\.|each\.|count\.|path\.|self\.|terraform\.)([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_MODULE_OUTPUT_REF = re.compile(r"^module\.([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
_RULE_TYPES = ("aws_lb_listener_rule", "aws_alb_listener_rule")


class PlanIndex:
    """Resources of a plan by address, with their module and configuration expressions."""

    def __init__(self, plan: dict[str, Any]):
        self.resources: dict[str, dict[str, Any]] = {}
        self.module_of: dict[str, str] = {}
        root = (plan.get("planned_values") or {}).get("root_module") or {}
        for module_address, resource in _walk(root, ""):
            if resource.get("mode", "managed") != "managed" or "address" not in resource:
                continue
            self.resources[resource["address"]] = resource
            self.module_of[resource["address"]] = module_address
        self.config_root = (plan.get("configuration") or {}).get("root_module") or {}
        self.by_base: dict[str, list[str]] = {}  # address without its instance key -> addresses
        for address in self.resources:
            base = address[:-1].rsplit("[", 1)[0] if address.endswith("]") else address
            self.by_base.setdefault(base, []).append(address)

    def of_type(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for address, resource in self.resources.items():
            if resource.get("type") in types:
                yield address, resource

    def values(self, address: str) -> dict[str, Any]:
        return self.resources[address].get("values") or {}

    def expressions(self, address: str) -> dict[str, Any]:
        resource = self.resources[address]
        config = _config_module(self.config_root, self.module_of[address])
        wanted = f"{resource['type']}.{resource['name']}"
        for item in (config or {}).get("resources") or []:
            if item.get("address") == wanted and item.get("mode", "managed") == "managed":
                return item.get("expressions") or {}
        return {}

    def resolve(self, module_address: str, references: list[str], depth: int = 0) -> set[str]:
        """Resource addresses that ``references`` (made inside ``module_address``) point to."""
        found: set[str] = set()
        if depth > 20:
            return found
        for reference in references or []:
            if reference.startswith("var."):
                name = reference.split(".")[1]
                parent, call = _parent(module_address)
                if call is None:
                    continue
                call_config = ((_config_module(self.config_root, parent) or {}).get("module_calls") or {}).get(call) or {}
                expression = (call_config.get("expressions") or {}).get(name) or {}
                found |= self.resolve(parent, _references(expression), depth + 1)
                continue
            output = _MODULE_OUTPUT_REF.match(reference)
            if output:
                found |= self._resolve_output(module_address, output[1], output[2], depth)
                continue
            match = _RESOURCE_REF.match(reference)
            if not match:
                continue
            prefix = f"{module_address}.{match[1]}.{match[2]}" if module_address else f"{match[1]}.{match[2]}"
            found.update(self.by_base.get(prefix, ()))
        return found


    def origin(self, module_address: str, references: list[str], depth: int = 0) -> str | None:
        """Where ``references`` lead once module variables are followed up: "MODULE: REFERENCE"
        of the first ones that are not variables (a local, which plan JSON does not describe), or None."""
        if depth > 20 or not references:
            return None
        variables = [r for r in references if r.startswith("var.")]
        if len(variables) < len(references):
            return f"{module_address}: {' '.join(sorted(r for r in references if not r.startswith('var.')))}"
        parent, call = _parent(module_address)
        if call is None:
            return None
        call_config = ((_config_module(self.config_root, parent) or {}).get("module_calls") or {}).get(call) or {}
        expression = (call_config.get("expressions") or {}).get(variables[0].split(".")[1]) or {}
        return self.origin(parent, _references(expression), depth + 1)

    def _resolve_output(self, module_address: str, call: str, output: str, depth: int) -> set[str]:
        """What output `output` of child module `call` (of `module_address`) refers to."""
        call_config = ((_config_module(self.config_root, module_address) or {}).get("module_calls") or {}).get(call) or {}
        expression = (((call_config.get("module") or {}).get("outputs") or {}).get(output) or {}).get("expression") or {}
        child = f"{module_address}.module.{call}" if module_address else f"module.{call}"
        return self.resolve(child, _references(expression), depth + 1)


def _walk(module: dict[str, Any], address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield address, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk(child, child.get("address", ""))


def _config_module(root: dict[str, Any], module_address: str) -> dict[str, Any] | None:
    config: dict[str, Any] | None = root
    for match in _MODULE_PART.finditer(module_address or ""):
        config = (((config or {}).get("module_calls") or {}).get(match[1]) or {}).get("module")
        if config is None:
            return None
    return config


def _parent(module_address: str) -> tuple[str, str | None]:
    parts = list(_MODULE_PART.finditer(module_address or ""))
    if not parts:
        return "", None
    last = parts[-1]
    return module_address[: last.start()].rstrip("."), last[1]


def _references(expression: Any) -> list[str]:
    """Every reference anywhere in a configuration expression (nested blocks included)."""
    found: list[str] = []
    if isinstance(expression, dict):
        found.extend(expression.get("references") or [])
        for key, value in expression.items():
            if key != "references" and isinstance(value, (dict, list)):
                found.extend(_references(value))
    elif isinstance(expression, list):
        for item in expression:
            found.extend(_references(item))
    return found


def _nonempty(value: Any) -> bool:
    return value not in (None, "", [], {})


def _record(check_id: str, result: str, resource: str, plan_file: str, details: str | None = None) -> CheckRecord:
    return CheckRecord(
        check_id=check_id, name=NAMES[check_id], result=result, resource=resource, file=plan_file, guideline=GUIDELINE, source="tfgen", details=details
    )


# --- CKV_TFG_3 ---------------------------------------------------------------------------------


def service_security_groups(index: PlanIndex) -> set[str]:
    """The security groups the plan's ECS services put their tasks in (followed through module
    variables and outputs to the module that creates each group)."""
    groups: set[str] = set()
    for address, _ in index.of_type("aws_ecs_service"):
        refs = _references(index.expressions(address).get("network_configuration"))
        groups |= {a for a in index.resolve(index.module_of[address], refs) if index.resources[a].get("type") == "aws_security_group"}
    return groups


def check_service_ingress(index: PlanIndex, plan_file: str) -> list[CheckRecord]:
    service_groups = service_security_groups(index)
    problems: dict[str, list[str]] = defaultdict(list)
    for group in service_groups:
        for number, rule in enumerate(index.values(group).get("ingress") or []):
            if any(_nonempty(rule.get(key)) for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids")):
                problems[group].append(f"inline ingress #{number + 1} admits {_sources(rule, ('cidr_blocks', 'ipv6_cidr_blocks', 'prefix_list_ids'))}")
    rule_kinds = {
        "aws_vpc_security_group_ingress_rule": ("cidr_ipv4", "cidr_ipv6", "prefix_list_id"),
        "aws_security_group_rule": ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"),
    }
    for address, resource in index.of_type(*rule_kinds):
        values = resource.get("values") or {}
        if resource["type"] == "aws_security_group_rule" and values.get("type") != "ingress":
            continue
        keys = rule_kinds[resource["type"]]
        if not any(_nonempty(values.get(key)) for key in keys):
            continue
        refs = _references(index.expressions(address).get("security_group_id"))
        for group in index.resolve(index.module_of[address], refs) & service_groups:
            problems[group].append(f"{address} admits {_sources(values, keys)}")
    return [
        _record("CKV_TFG_3", FAILED if problems.get(group) else PASSED, group, plan_file, "; ".join(problems[group]) or None)
        for group in sorted(service_groups)
    ]


def _sources(values: dict[str, Any], keys: tuple[str, ...]) -> str:
    items: list[str] = []
    for key in keys:
        value = values.get(key)
        if isinstance(value, list):
            items.extend(str(v) for v in value)
        elif _nonempty(value):
            items.append(str(value))
    return ", ".join(items)


# --- CKV_TFG_4 ---------------------------------------------------------------------------------


def check_http_redirect(index: PlanIndex, plan_file: str) -> list[CheckRecord]:
    groups: dict[str, list[str]] = defaultdict(list)
    for address, _ in index.of_type(*_LISTENER_TYPES):
        groups[_load_balancer_key(index, address)].append(address)
    records: list[CheckRecord] = []
    forwarding_rules: dict[str, list[str]] = defaultdict(list)
    for address, resource in index.of_type(*_RULE_TYPES):
        actions = (resource.get("values") or {}).get("action") or []
        if not any(a.get("type") == "forward" for a in actions if isinstance(a, dict)):
            continue
        refs = _references(index.expressions(address).get("listener_arn"))
        for listener in index.resolve(index.module_of[address], refs):
            forwarding_rules[listener].append(address)
    for _key, listeners in sorted(groups.items()):
        https = [a for a in listeners if _protocol(index.values(a)) == "HTTPS"]
        if not https:
            continue  # no certificate on this load balancer: nothing to redirect to
        for listener in sorted(a for a in listeners if _protocol(index.values(a)) == "HTTP"):
            problems: list[str] = []
            if not _redirects_to_https(index.values(listener)):
                problems.append("default action is not a redirect to HTTPS")
            if forwarding_rules.get(listener):
                problems.append("listener rules forward plain HTTP: " + ", ".join(sorted(forwarding_rules[listener])))
            records.append(_record("CKV_TFG_4", FAILED if problems else PASSED, listener, plan_file, "; ".join(problems) or None))
    return records


def _protocol(values: dict[str, Any]) -> str:
    protocol = values.get("protocol")
    if protocol:
        return str(protocol).upper()
    if values.get("certificate_arn"):
        return "HTTPS"
    return "HTTP" if values.get("port") == 80 else ""


def _redirects_to_https(values: dict[str, Any]) -> bool:
    for action in values.get("default_action") or []:
        if not isinstance(action, dict) or action.get("type") != "redirect":
            continue
        for redirect in action.get("redirect") or []:
            if str(redirect.get("protocol", "")).upper() == "HTTPS":
                return True
    return False


def _load_balancer_key(index: PlanIndex, listener: str) -> str:
    arn = index.values(listener).get("load_balancer_arn")
    if arn:
        return f"arn:{arn}"
    refs = _references(index.expressions(listener).get("load_balancer_arn"))
    targets = sorted(index.resolve(index.module_of[listener], refs))
    if targets:
        return f"resource:{targets[0]}"
    return f"module:{index.module_of[listener]}"


# --- lifecycle rules: what the plan does (resource_changes) --------------------------------------


@dataclass(frozen=True)
class PlannedChange:
    """One managed resource change of a plan, read defensively (hand-edited plans included)."""

    address: str
    type: str
    actions: tuple[str, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    after_unknown: dict[str, Any]
    forced_by: tuple[str, ...]  # the attributes whose change forces the replacement (replace_paths)
    listed: bool = True  # False: only in prior_state (a -target plan, a trimmed plan), untouched


    @property
    def kept(self) -> bool:
        """The resource exists before and after, as the same object (updated in place or untouched)."""
        return self.actions in (("update",), ("no-op",))

    def unknown(self, attribute: str) -> bool:
        return self.after_unknown.get(attribute) is True


def _changes(plan: dict[str, Any]) -> list[PlannedChange]:
    found: list[PlannedChange] = []
    for item in plan.get("resource_changes") or []:
        if not isinstance(item, dict) or item.get("mode", "managed") != "managed" or item.get("deposed"):
            continue  # a deposed object is the leftover of an interrupted replacement, at the same address
        change = item.get("change")
        if not isinstance(item.get("address"), str) or not isinstance(change, dict):
            continue
        unknown, paths, actions = change.get("after_unknown"), change.get("replace_paths"), change.get("actions")
        found.append(
            PlannedChange(
                address=item["address"],
                type=str(item.get("type", "")),
                actions=tuple(a for a in actions if isinstance(a, str)) if isinstance(actions, list) else (),
                before=_object(change.get("before")),
                after=_object(change.get("after")),
                after_unknown=unknown if isinstance(unknown, dict) else {},
                forced_by=tuple(str(p[0]) for p in paths if isinstance(p, list) and p) if isinstance(paths, list) else (),
            )
        )
    # What the plan leaves out still exists: a resource of prior_state without a change (a plan
    # with -target, a trimmed or hand-written one) holds its names, priorities and references.
    listed = {c.address for c in found}
    prior = _object((_object((_object(plan.get("prior_state")) or {}).get("values")) or {}).get("root_module")) or {}
    for _module, resource in _walk(prior, ""):
        address, values = resource.get("address"), _object(resource.get("values"))
        if resource.get("mode", "managed") == "managed" and isinstance(address, str) and address not in listed and values is not None:
            listed.add(address)
            found.append(PlannedChange(address, str(resource.get("type", "")), ("no-op",), values, values, {}, (), listed=False))
    return found


def _object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _forced(change: PlannedChange) -> str:
    return f" (forced by {', '.join(sorted(set(change.forced_by)))})" if change.forced_by else ""


def _leaf_strings(value: Any) -> Iterator[str]:
    """Every string inside a resource's values, tags left out (a tag may repeat a name)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("tags", "tags_all"):
                yield from _leaf_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaf_strings(item)


# --- CKV_TFG_10 --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _InUse:
    """A type AWS will not delete while something uses it."""

    code: str  # the AWS error code
    why: str
    keys: tuple[str, ...] = ("arn", "id")  # attributes of the current object by which others hold it
    holders: tuple[str, ...] | None = None  # the types whose use blocks the delete (None: any)
    detached: tuple[str, ...] = ()  # types the provider detaches itself before deleting


# The provider's own delete handles the rest: it removes an IAM role from its instance profiles
# (and detaches its policies with force_detach_policies); an ECS service or Auto Scaling group
# that registers targets does not stop DeleteTargetGroup, only listener actions do.
_IN_USE: dict[str, _InUse] = {
    "aws_lb_target_group": _InUse("ResourceInUse", "a listener or listener rule forwards to it", holders=_LISTENER_TYPES + _RULE_TYPES),
    "aws_alb_target_group": _InUse("ResourceInUse", "a listener or listener rule forwards to it", holders=_LISTENER_TYPES + _RULE_TYPES),
    "aws_security_group": _InUse("DependencyViolation", "network interfaces or other groups' rules use it"),
    "aws_ecs_capacity_provider": _InUse("ClientException", "a service's strategy or the cluster still names it", ("arn", "id", "name")),
    "aws_ecs_cluster": _InUse("ClusterContainsServicesException", "services still run in it"),
    "aws_iam_role": _InUse(
        "DeleteConflict", "policies are still attached to it", ("arn", "id", "name"), detached=("aws_iam_instance_profile",)
    ),
    "aws_iam_policy": _InUse("DeleteConflict", "it is still attached"),
}
# Types whose name is unique (per account and region; security groups per VPC): the error
# CreateX answers while the old one still exists.
_UNIQUE_NAMES: dict[str, str] = {
    "aws_lb_target_group": "DuplicateTargetGroupName",
    "aws_alb_target_group": "DuplicateTargetGroupName",
    "aws_lb": "DuplicateLoadBalancerName",
    "aws_alb": "DuplicateLoadBalancerName",
    "aws_iam_role": "EntityAlreadyExists",
    "aws_iam_policy": "EntityAlreadyExists",
    "aws_iam_instance_profile": "EntityAlreadyExists",
    "aws_cloudwatch_log_group": "ResourceAlreadyExistsException",
    "aws_ecs_capacity_provider": "ClientException: the capacity provider already exists",
    "aws_sqs_queue": "QueueNameExists; with the same attributes CreateQueue hands back the old queue, which the delete then removes",
    "aws_security_group": "InvalidGroup.Duplicate",
    "aws_sfn_state_machine": "StateMachineAlreadyExists",
    "aws_ecr_repository": "RepositoryAlreadyExistsException",
    "aws_scheduler_schedule": "ConflictException",
}
_NAME_SCOPE = {"aws_security_group": "vpc_id"}  # a name is unique within this attribute's value
_WITHOUT_NAME_PREFIX = frozenset({"aws_ecs_capacity_provider", "aws_ecs_cluster", "aws_ecr_repository"})


def _fix(resource_type: str) -> str:
    if resource_type in _WITHOUT_NAME_PREFIX:
        name = "a name that changes with what forces the replacement (e.g. a short hash of those arguments)"
    else:
        name = "name_prefix instead of name"
    return f"give it {name} and lifecycle {{ create_before_destroy = true }}, so the successor exists under a new name before the old one goes"


def _holders(index: PlanIndex, changes: list[PlannedChange], replaced: PlannedChange) -> list[str]:
    """Resources the plan keeps that use ``replaced`` now: their current values hold its ARN or id
    (or name, for types held by name); where either side's values are not known, their
    configuration refers to it."""
    rule = _IN_USE[replaced.type]
    before = replaced.before or {}
    if replaced.type == "aws_iam_role" and before.get("force_detach_policies") is True:
        return []
    identities = {v for k, v in before.items() if k in rule.keys and isinstance(v, str) and v}
    holders: list[str] = []
    for other in changes:
        if other.address == replaced.address or not other.kept or other.type in rule.detached:
            continue
        if rule.holders is not None and other.type not in rule.holders:
            continue
        if identities and other.before is not None:
            if identities & set(_leaf_strings(other.before)):
                holders.append(other.address)
        elif other.address in index.resources:
            refs = _references(index.expressions(other.address))
            if replaced.address in index.resolve(index.module_of[other.address], refs):
                holders.append(other.address)
    return sorted(holders)


def check_replacements(index: PlanIndex, changes: list[PlannedChange], plan_file: str) -> list[CheckRecord]:
    records: list[CheckRecord] = []
    for change in changes:
        problem: str | None = None
        if change.actions == ("delete", "create") and change.type in _IN_USE:
            in_use = _IN_USE[change.type]
            holders = _holders(index, changes, change)
            if holders:
                problem = (
                    f"replaced by deleting it first{_forced(change)} while {', '.join(holders)} still "
                    f"{'uses' if len(holders) == 1 else 'use'} it: AWS refuses the delete ({in_use.code}: {in_use.why}); {_fix(change.type)}"
                )
        elif change.actions == ("create", "delete") and change.type in _UNIQUE_NAMES:
            name = _same_name(change)
            if name is not None:
                problem = (
                    f"replaced with create_before_destroy{_forced(change)} under the same name {name!r}: AWS refuses to create "
                    f"the successor while the old one exists ({_UNIQUE_NAMES[change.type]}); {_fix(change.type)}"
                )
        else:
            continue
        records.append(_record("CKV_TFG_10", FAILED if problem else PASSED, change.address, plan_file, problem))
    return records


def _same_name(change: PlannedChange) -> str | None:
    """The name a create-before-destroy replacement keeps, when both are known and equal."""
    before, after = change.before or {}, change.after or {}
    name = after.get("name")
    if change.unknown("name") or not isinstance(name, str) or not name or before.get("name") != name:
        return None
    scope = _NAME_SCOPE.get(change.type)
    if scope and (change.unknown(scope) or before.get(scope) != after.get(scope)):
        return None
    return name


# --- CKV_TFG_11 --------------------------------------------------------------------------------


def _priority(values: dict[str, Any] | None) -> int | None:
    value = (values or {}).get("priority")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class _Listeners:
    """Which listener a rule belongs to, before and after: the listener resource that has its
    ``listener_arn`` (or, unknown until apply, that its configuration refers to), else the ARN."""

    def __init__(self, index: PlanIndex, changes: list[PlannedChange]):
        self.index = index
        self.by_arn: dict[str, str] = {}
        self.replaced: set[str] = set()
        for change in changes:
            if change.type not in _LISTENER_TYPES:
                continue
            for values in (change.before, change.after):
                arn = (values or {}).get("arn")
                if isinstance(arn, str) and arn:
                    self.by_arn[arn] = change.address
            if "delete" in change.actions:
                self.replaced.add(change.address)
        for address, resource in index.of_type(*_LISTENER_TYPES):
            arn = (resource.get("values") or {}).get("arn")
            if isinstance(arn, str) and arn:
                self.by_arn.setdefault(arn, address)

    def before(self, rule: PlannedChange) -> str | None:
        return self._known((rule.before or {}).get("listener_arn"))

    def after(self, rule: PlannedChange) -> str | None:
        known = self._known((rule.after or {}).get("listener_arn"))
        if known or rule.address not in self.index.resources:
            return known
        refs = _references(self.index.expressions(rule.address).get("listener_arn"))
        listeners = sorted(a for a in self.index.resolve(self.index.module_of[rule.address], refs) if self.index.resources[a].get("type") in _LISTENER_TYPES)
        # A reference that may be one of several listeners (HTTPS when there is a certificate, else
        # HTTP) names them all: rules that refer alike share the listener, whichever it is.
        # Through a local (not in plan JSON): rules whose listener_arn comes from the same place share it.
        return " or ".join(listeners) or self.index.origin(self.index.module_of[rule.address], refs)

    def _known(self, arn: Any) -> str | None:
        if not isinstance(arn, str) or not arn:
            return None
        return self.by_arn.get(arn, arn)


def check_rule_priorities(index: PlanIndex, changes: list[PlannedChange], plan_file: str) -> list[CheckRecord]:
    rules = [c for c in changes if c.type in _RULE_TYPES]
    listeners = _Listeners(index, changes)
    now: dict[tuple[str, int], list[PlannedChange]] = defaultdict(list)  # (listener, priority) -> rules holding it now
    planned: dict[tuple[str, int], list[str]] = defaultdict(list)
    placed: list[tuple[PlannedChange, str, int]] = []
    for rule in rules:
        before_listener, before_priority = listeners.before(rule), _priority(rule.before)
        if rule.actions != ("create",) and before_listener and before_priority is not None:
            now[(before_listener, before_priority)].append(rule)
        listener, priority = listeners.after(rule), _priority(rule.after)
        if rule.actions == ("delete",) or listener is None or priority is None or rule.unknown("priority"):
            continue
        placed.append((rule, listener, priority))
        planned[(listener, priority)].append(rule.address)
    records: list[CheckRecord] = []
    for rule, listener, priority in placed:
        if not rule.listed:
            continue
        problems: list[str] = []
        before = _priority(rule.before)
        moves = not rule.kept or before != priority
        holders = [h for h in now.get((listener, priority), []) if h is not rule or rule.actions == ("create", "delete")]
        if moves and holders and listener not in listeners.replaced:
            how = f"moves from priority {before} to {priority}" if rule.kept else f"is created at priority {priority}"
            problems.append(
                f"{how}, which {'; '.join(_holding(h, rule) for h in holders)}: the provider changes one rule at a time "
                "(SetRulePriorities for this rule alone), so AWS refuses it (PriorityInUse); move it through a free priority "
                "in two applies, or keep priorities stable"
            )
        others = [a for a in planned[(listener, priority)] if a != rule.address and a not in {h.address for h in holders}]
        if others:
            verb = "is" if len(others) == 1 else "are"
            problems.append(f"{', '.join(others)} {verb} planned at priority {priority} of the same listener too: AWS refuses the second (PriorityInUse)")
        records.append(_record("CKV_TFG_11", FAILED if problems else PASSED, rule.address, plan_file, "; ".join(problems) or None))
    return records


def _holding(holder: PlannedChange, rule: PlannedChange) -> str:
    if holder is rule:
        return "its old rule still holds (create_before_destroy creates the new one first)"
    after = _priority(holder.after)
    if "delete" in holder.actions:
        fate = "is deleted in the same apply, in no set order before it"
    elif after is not None and after != _priority(holder.before):
        fate = f"moves to {after} in the same apply, in no set order"
    else:
        fate = "keeps"
    return f"{holder.address} holds now ({fate})"


# --- CKV_TFG_12 --------------------------------------------------------------------------------

_STATEFUL: dict[str, str] = {
    "aws_sqs_queue": "the messages in the queue",
    "aws_cloudwatch_log_group": "the group's log events",
    "aws_ecr_repository": "the images in the repository",
    "aws_s3_bucket": "the objects in the bucket",
    "aws_dynamodb_table": "the items in the table",
    "aws_db_instance": "the database",
    "aws_rds_cluster": "the database",
    "aws_efs_file_system": "the files",
    "aws_elasticache_replication_group": "the cached data",
    "aws_elasticache_cluster": "the cached data",
    "aws_kinesis_stream": "the records in the stream",
    "aws_secretsmanager_secret": "the secret's value",
    "aws_kms_key": "every piece of data encrypted with the key (unreadable once it is deleted)",
}


def check_stateful_deletes(changes: list[PlannedChange], plan_file: str, *, protected: bool) -> list[CheckRecord]:
    """CKV_TFG_12, in protected environments only (elsewhere it is not reported: deletes there are
    allowed, and a passed record would say nothing).

    How it relates to the other refusal: `tfgen apply` refuses any destroy or replacement in a
    protected environment unless `--allow-destroy` (``workflow._refuse_unsafe_apply``, from the
    summary's destructive list), which is a flag of one command line. Data loss needs more: this
    check fails the plan itself, and apply refuses a failed plan before it looks at
    `--allow-destroy`, so the user sees this one reason (not the destroy list as well) until the
    blueprint records the decision as a skip with a reason, reviewed with the code; then
    `--allow-destroy` is still needed for the destroy itself. Unprotected environments never fail.
    """
    if not protected:
        return []
    records: list[CheckRecord] = []
    for change in changes:
        if change.type not in _STATEFUL or not change.listed:
            continue
        problem = None
        if "delete" in change.actions:
            what = f"replaced{_forced(change)}" if "create" in change.actions else "deleted"
            problem = (
                f"{what} in a protected environment: {_STATEFUL[change.type]} would be lost, which --allow-destroy does not cover. "
                "If it is meant, skip CKV_TFG_12 with a reason under environments.<env>.policy.skip for this change (and remove "
                "the skip afterwards); to stop managing it without deleting it, a `removed` block with lifecycle { destroy = false }; "
                "for a new address of the same resource, a `moved` block"
            )
        records.append(_record("CKV_TFG_12", FAILED if problem else PASSED, change.address, plan_file, problem))
    return records


def run_plan_checks(plan: dict[str, Any], plan_file: str, *, protected: bool = False) -> list[CheckRecord]:
    """Every plan-level check; ``protected``: the environment is marked ``protected: true`` (CKV_TFG_12)."""
    index = PlanIndex(plan)
    changes = _changes(plan)
    return (
        check_service_ingress(index, plan_file)
        + check_http_redirect(index, plan_file)
        + check_replacements(index, changes, plan_file)
        + check_rule_priorities(index, changes, plan_file)
        + check_stateful_deletes(changes, plan_file, protected=protected)
    )
