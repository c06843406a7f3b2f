"""backend-service: no load balancer; the application's services reach it through Service Connect,
anything in the VPC (scheduled jobs included) by its Cloud Map DNS name."""

from __future__ import annotations

from tfgen.blueprint import model as m
from tfgen.services.descriptor import SERVICE_NAMES, Output, ServiceType


def _arguments(name: str, variable: str) -> dict[str, str]:
    # Other services reach it as http://<blueprint name>:<port> through Service Connect, anything
    # in the VPC as <blueprint name>.<app>.<env>.internal (the cluster's private DNS namespace).
    return {"discovery_name": f'"{name}"', "dns_namespace": "module.cluster.dns_namespace"}


BACKEND_SERVICE = ServiceType(
    name="backend-service",
    model=m.BackendService,
    summary="reachable from the application's other services",
    own_arguments=_arguments,
    outputs=(
        SERVICE_NAMES,
        Output("backend_dns_names", "DNS name (<service>.<app>.<env>.internal) of each backend-service with a port, for anything in the VPC.", "dns_name"),
    ),
)
