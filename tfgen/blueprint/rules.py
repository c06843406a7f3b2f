"""The rules across fields of a blueprint: what AWS or tfgen's design refuses although every field
is valid on its own. They run on the validated base and on every environment's merged blueprint
(`cross_findings`), once on the base (`base_findings`), and on the parts of an invalid blueprint
that are valid on their own (`partial_cross_findings`), so that one typo does not hide them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tfgen.blueprint.findings import Finding
from tfgen.blueprint.model import SERVICE_TYPES, Blueprint, Cluster, Service, WebService
from tfgen.blueprint.overrides import mapping_at
from tfgen.blueprint.validation import guessed_type
from tfgen.naming import ROOT_MODULES, ROOT_VARIABLES, resource_name, service_identifiers


@cache
def _service_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Service)



# "<app>-<env>-<service>" prefixes each service's IAM roles ("-exec", "-task", "-events"), whose
# names have at most 64 characters; modules/ecs-task validates the same limit.
MAX_SERVICE_RESOURCE_NAME = 54


def cross_findings(blueprint: Blueprint) -> list[Finding]:
    """Rules across fields, checked on a valid model: Fargate sizes, capacity providers the
    cluster lacks, request-based scaling without a load balancer."""
    findings: list[Finding] = []
    if blueprint.network.placement == "public":
        if blueprint.network.vpc != "default":
            findings.append(
                Finding(
                    ("network", "placement"),
                    "placement: public is for a default VPC without private subnets; this network has private subnets for the tasks",
                    "remove network.placement",
                )
            )
        if blueprint.cluster.capacity.ec2 is not None:
            findings.append(
                Finding(
                    ("network", "placement"),
                    "EC2 capacity needs private subnets: its instances get no public IPs",
                    "use Fargate capacity, or a VPC with private subnets",
                )
            )
    findings.extend(_https_findings(blueprint))
    findings.extend(priority_findings(blueprint))
    cluster_providers = blueprint.cluster.capacity.providers()
    for name, service in blueprint.services.items():
        problem = service.check_size(blueprint.cluster.capacity)
        if problem:
            findings.append(_size_finding(name, problem))
        if service.capacity is not None:
            for provider in service.capacity.providers():
                if provider not in cluster_providers:
                    findings.append(
                        Finding(
                            ("services", name, "capacity", provider),
                            f"capacity provider '{provider}' is not in cluster.capacity ({', '.join(cluster_providers)})",
                            "a service can only use the cluster's capacity providers",
                            at="key",
                        )
                    )
        count = getattr(service, "count", None)
        if not isinstance(service, WebService) and getattr(count, "requests", None) is not None:
            findings.append(
                Finding(("services", name, "count", "requests"), "scaling on requests per task needs the load balancer, which only web-services have", at="key")
            )
    return findings


def _https_findings(blueprint: Blueprint) -> list[Finding]:
    """A load balancer serves HTTPS, with a certificate, unless the blueprint says `protocol: http`."""
    if not blueprint.web_services():
        return []
    lb = blueprint.load_balancer
    if lb is not None and (lb.protocol == "http" or lb.certificate_arns()):
        return []
    return [
        Finding(
            ("load_balancer",),
            "the load balancer serves HTTPS and needs a certificate",
            "set load_balancer.certificate: arn:aws:acm:REGION:ACCOUNT:certificate/ID, "
            "or serve plain HTTP on purpose with load_balancer.protocol: http",
            at="key",
        )
    ]


def base_findings(blueprint: Blueprint) -> list[Finding]:
    """Rules checked once, on the base (environments cannot add services or rename them)."""
    return name_length_findings(blueprint) + identifier_findings(blueprint)


def identifier_findings(blueprint: Blueprint) -> list[Finding]:
    """Services whose Terraform identifiers (`vote-api` -> variable and module `vote_api`) collide
    with the root module's own or with another service's."""
    taken: dict[str, str] = {name: "a root variable" for name in ROOT_VARIABLES} | {name: "a root module" for name in ROOT_MODULES}
    findings = []
    for name, service in sorted(blueprint.services.items()):
        for identifier in service_identifiers(name, service.builds_image()).values():
            if identifier in taken:
                findings.append(
                    Finding(("services", name), f"service name '{name}' collides with {taken[identifier]} ('{identifier}')", "rename the service", at="key")
                )
            taken[identifier] = f"service '{name}'"
    return findings


def priority_findings(blueprint: Blueprint) -> list[Finding]:
    """Explicit listener rule priorities are unique on the one listener all web services share."""
    by_priority: dict[int, list[str]] = {}
    for name, service in blueprint.web_services().items():
        if service.http.priority is not None:
            by_priority.setdefault(service.http.priority, []).append(name)
    findings = []
    for priority, names in sorted(by_priority.items()):
        for name in names[1:]:
            findings.append(
                Finding(
                    ("services", name, "http", "priority"),
                    f"services '{names[0]}' and '{name}' both have listener rule priority {priority}: priorities are unique on the load balancer's listener",
                    "give one of them another http.priority (1-50000), or leave it out for a derived one",
                )
            )
    return findings


def name_length_findings(blueprint: Blueprint) -> list[Finding]:
    """Services whose "<app>-<env>-<service>" prefix is too long for AWS in some environment
    (checked once, on the base: environments cannot add services)."""
    longest_environment = max(blueprint.environments, key=len, default="")
    findings = []
    for name in blueprint.services:
        full_name = resource_name(blueprint.name, longest_environment, name)
        if len(full_name) > MAX_SERVICE_RESOURCE_NAME:
            findings.append(
                Finding(
                    ("services", name),
                    f"'{full_name}' (application-environment-service) has {len(full_name)} characters; "
                    f"AWS names of the service's IAM roles allow at most {MAX_SERVICE_RESOURCE_NAME} before '-exec'",
                    "shorten the service, application or environment name",
                    at="key",
                )
            )
    return findings


def _size_finding(name: str, problem: str) -> Finding:
    first, second = ("memory", "cpu") if problem.startswith("memory") else ("cpu", "memory")
    return Finding(("services", name, first), problem, at="key", alternatives=(("services", name, second),))


def _repaired(raw: Any) -> Any:
    """A service with a misspelled `type` key or value as the type it most likely meant (its other
    problems are reported at the typo)."""
    guess = guessed_type(raw, SERVICE_TYPES) if isinstance(raw, dict) else None
    if guess is None:
        return raw
    key, tag = guess
    return {**{k: v for k, v in raw.items() if k != key}, "type": tag}


def partial_cross_findings(data: dict[str, Any]) -> list[Finding]:
    """Fargate sizes of the services that are valid on their own, when the whole blueprint is not
    (so that one typo elsewhere does not hide a wrong cpu/memory pair)."""
    cluster_data = mapping_at(data, "cluster")
    try:
        cluster = Cluster.model_validate(cluster_data)
    except ValidationError:
        cluster = Cluster()
    services = mapping_at(data, "services")
    findings = []
    for name, raw in services.items():
        try:
            service = _service_adapter().validate_python(_repaired(raw))
        except ValidationError:
            continue
        problem = service.check_size(cluster.capacity)
        if problem:
            findings.append(_size_finding(name, problem))
    return findings


