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
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from tfgen.policy.results import FAILED, PASSED, CheckRecord

GUIDELINE = "https://github.com/tfgen/tfgen#policy-checks"
NAMES = {
    "CKV_TFG_3": "ECS service security groups admit only security groups (load balancer or the application's services), no CIDR ingress",
    "CKV_TFG_4": "HTTP listeners redirect to HTTPS when the load balancer has an HTTPS listener",
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


    def _resolve_output(self, module_address: str, call: str, output: str, depth: int) -> set[str]:
        """What output `output` of child module `call` (of `module_address`) refers to."""
        call_config = ((_config_module(self.config_root, module_address) or {}).get("module_calls") or {}).get(call) or {}
        expression = (((call_config.get("module") or {}).get("outputs") or {}).get(output) or {}).get("expression") or {}
        child = f"{module_address}.module.{call}" if module_address else f"module.{call}"
        return self.resolve(child, _references(expression), depth + 1)


def _walk(module: dict[str, Any], address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for resource in module.get("resources") or []:
        yield address, resource
    for child in module.get("child_modules") or []:
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


def run_plan_checks(plan: dict[str, Any], plan_file: str) -> list[CheckRecord]:
    index = PlanIndex(plan)
    return check_service_ingress(index, plan_file) + check_http_redirect(index, plan_file)
