"""backend-service: no load balancer; the application's services reach it through Service Connect."""

from __future__ import annotations

from tfgen.blueprint import model as m
from tfgen.services.descriptor import TARGET_TRACKING_SCALING_TYPE, Output, ServiceType, no_values, target_tracking_scaling


def _arguments(name: str, variable: str) -> dict[str, str]:
    # Other services reach it as http://<blueprint name>:<port> through Service Connect.
    return {"discovery_name": f'"{name}"'}


BACKEND_SERVICE = ServiceType(
    name="backend-service",
    model=m.BackendService,
    module="backend-service",
    summary="reachable from the application's other services",
    scaling_type=TARGET_TRACKING_SCALING_TYPE,
    scaling_values=target_tracking_scaling,
    own_fields=(),
    own_values=no_values,
    own_arguments=_arguments,
    outputs=(Output("service_names", "ECS service name of each service of the blueprint.", "service_name"),),
    runs_as="ecs-service",
)
