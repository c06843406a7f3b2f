"""backend-service: no load balancer; the application's services reach it through Service Connect."""

from __future__ import annotations

from tfgen.blueprint import model as m
from tfgen.services.descriptor import ServiceType


def _arguments(name: str, variable: str) -> dict[str, str]:
    # Other services reach it as http://<blueprint name>:<port> through Service Connect.
    return {"discovery_name": f'"{name}"'}


BACKEND_SERVICE = ServiceType(
    name="backend-service",
    model=m.BackendService,
    summary="reachable from the application's other services",
    own_arguments=_arguments,
)
