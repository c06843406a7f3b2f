"""The service-type registry: one descriptor per `type` of the blueprint (see ``descriptor``).

Render, status, the default policy skips, parity and the test tables read this registry. A new
service type is one descriptor here, one blueprint model, one Terraform module and its tests.
"""

from __future__ import annotations

from tfgen.services.backend import BACKEND_SERVICE
from tfgen.services.descriptor import Environment, Output, ServiceType
from tfgen.services.job import SCHEDULED_JOB
from tfgen.services.web import WEB_SERVICE
from tfgen.services.worker import WORKER_SERVICE

SERVICE_TYPES: dict[str, ServiceType] = {t.name: t for t in (WEB_SERVICE, BACKEND_SERVICE, WORKER_SERVICE, SCHEDULED_JOB)}
SERVICE_MODULES: tuple[str, ...] = ("ecs-task", "ecs-service", "task-security-group", "iam-role")  # building blocks of the service modules


def service_type(name: str) -> ServiceType:
    return SERVICE_TYPES[name]


def output_names() -> list[str]:
    """The root outputs services contribute to, in a stable order."""
    names: list[str] = []
    for descriptor in SERVICE_TYPES.values():
        for output in descriptor.outputs:
            if output.name not in names:
                names.append(output.name)
    return names


__all__ = ["SERVICE_MODULES", "SERVICE_TYPES", "Environment", "Output", "ServiceType", "output_names", "service_type"]
