"""web-service: behind the application's load balancer (a target group and a listener rule each)."""

from __future__ import annotations

from typing import Any

from tfgen.blueprint import model as m
from tfgen.naming import short_name
from tfgen.services.descriptor import Environment, ServiceType
from tfgen.terraform_types import TypeSpec

AUTO_PRIORITY_STEP = 10
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
    [("target_group_name", "string"), ("path_pattern", "string"), ("host_header", "string"), ("priority", "number"), ("health_check", HEALTH_CHECK_TYPE)],
)


def _specificity(name: str, service: m.WebService) -> tuple[int, int, int, str]:
    """Sort key: host rules first, then fewer wildcards, longer paths, then the name."""
    path = service.http.path
    wildcards = path.count("*") + path.count("?")
    return (0 if service.http.alias else 1, wildcards, -len(path), name)


def listener_priorities(web_services: dict[str, m.WebService]) -> dict[str, int]:
    """Listener rule priority per web-service: `http.priority` when set, else by specificity
    (most specific first), multiples of 10 that skip the explicit ones. Deterministic."""
    explicit = {name: s.http.priority for name, s in web_services.items() if s.http.priority is not None}
    taken = set(explicit.values())
    result = dict(explicit)
    candidate = 0
    for name in sorted((n for n in web_services if n not in explicit), key=lambda n: _specificity(n, web_services[n])):
        candidate += AUTO_PRIORITY_STEP
        while candidate in taken:
            candidate += AUTO_PRIORITY_STEP
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
            "target_group_name": short_name(env.resource_name(name)),
            "path_pattern": service.http.path,
            "host_header": service.http.alias,
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
