"""web-service: behind the application's load balancer (a target group and a listener rule each)."""

from __future__ import annotations

import hashlib
from typing import Any

from tfgen.blueprint import model as m
from tfgen.naming import TARGET_GROUP_NAME_START, short_name
from tfgen.services.descriptor import Environment, ServiceType
from tfgen.terraform_types import TypeSpec

HEALTH_CHECK_TYPE: TypeSpec = (
    "object",
    [
        ("path", "string"),
        ("port", "number"),
        ("success_codes", "string"),
        ("interval", "number"),
        ("timeout", "number"),
        ("healthy_threshold", "number"),
        ("unhealthy_threshold", "number"),
        ("grace_period", "number"),
    ],
)
HTTP_TYPE: TypeSpec = (
    "object",
    [
        ("target_group_name", "string"),
        ("path_pattern", "string"),
        ("host_headers", ("list", "string")),
        ("priority", "number"),
        ("health_check", HEALTH_CHECK_TYPE),
    ],
)


# Derived listener rule priorities: each web service's own value, from its routing and its name,
# so adding, removing or changing one service never moves another's rule (the provider moves one
# rule at a time, and a move onto a priority in use fails with PriorityInUse). The ALB tries rules
# from the lowest priority up, so more specific routes get lower numbers: host rules first, then
# longer literal path prefixes, exact paths before wildcards, more literal text after the first
# wildcard; a hash of the name spreads services of equal specificity over 19 slots.
FIRST_DERIVED_PRIORITY = 1000  # explicit priorities below it never meet a derived one
_HOST_GROUP = 24_500
_PREFIX_LEVELS = 64
_LEVEL = 190
_TAIL_LEVELS = 10
_SLOTS = _LEVEL // _TAIL_LEVELS
MAX_PRIORITY = 50_000


def _slot(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % _SLOTS


def shifts_traffic(service: m.WebService) -> bool:
    """Blue-green, canary, linear: ECS shifts traffic between two target groups on a production rule."""
    return service.deployment is not None and service.deployment.strategy != "rolling"


def derived_priority(name: str, service: m.WebService) -> int:
    """The priority a web service gets when `http.priority` is not set (before collisions)."""
    path = service.http.path
    wildcard = min((i for i in (path.find("*"), path.find("?")) if i >= 0), default=len(path))
    exact = wildcard == len(path)
    prefix = min(wildcard, _PREFIX_LEVELS - 1)
    tail = min(len(path) - wildcard - path.count("*") - path.count("?"), _TAIL_LEVELS - 1)
    level = (_PREFIX_LEVELS * 2 - 1) - (prefix * 2 + int(exact))
    slot = _slot(name)
    if shifts_traffic(service):
        # The production rule of blue-green, canary and linear deployments is another rule than the
        # rolling one: it takes another slot of the same specificity, so a switch between the two
        # creates the new rule while the old one still holds its priority (Terraform orders
        # neither first), and AWS accepts both.
        shifted = _slot(name + "/shifted")
        slot = shifted if shifted != slot else (slot + 1) % _SLOTS
    group = 0 if service.http.alias else _HOST_GROUP
    return FIRST_DERIVED_PRIORITY + group + level * _LEVEL + (_TAIL_LEVELS - 1 - tail) * _SLOTS + slot


def listener_priorities(web_services: dict[str, m.WebService]) -> dict[str, int]:
    """Listener rule priority per web service: `http.priority` when set, else derived_priority; a
    derived value another service holds moves up to the next free one (services in name order)."""
    explicit = {name: s.http.priority for name, s in web_services.items() if s.http.priority is not None}
    taken = set(explicit.values())
    result = dict(explicit)
    for name in sorted(n for n in web_services if n not in explicit):
        candidate = derived_priority(name, web_services[name])
        while candidate in taken:
            candidate = candidate + 1 if candidate < MAX_PRIORITY else FIRST_DERIVED_PRIORITY
        taken.add(candidate)
        result[name] = candidate
    return dict(sorted(result.items()))


def _priorities(env: Environment) -> dict[str, int]:
    if "priorities" not in env.memo:
        env.memo["priorities"] = listener_priorities(env.blueprint.web_services())
    return env.memo["priorities"]


def _values(name: str, service: m.WebService, env: Environment) -> dict[str, Any]:
    health = service.http.health()
    return {
        "http": {
            "target_group_name": short_name(env.resource_name(name), TARGET_GROUP_NAME_START),
            "path_pattern": service.http.path,
            "host_headers": service.http.aliases(),
            "priority": _priorities(env)[name],
            "health_check": health.model_dump(),
        }
    }


def _arguments(name: str, variable: str) -> dict[str, str]:
    return {"load_balancer": "local.load_balancer", "http": f"{variable}.http"}


WEB_SERVICE = ServiceType(
    name="web-service",
    model=m.WebService,
    summary="behind the application load balancer",
    own_fields=(("http", HTTP_TYPE),),
    own_values=_values,
    own_arguments=_arguments,
)
