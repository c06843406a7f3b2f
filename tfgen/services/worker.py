"""worker-service: an SQS queue with its dead-letter queue; scales on backlog per task, to zero."""

from __future__ import annotations

from typing import Any

from tfgen.blueprint import model as m
from tfgen.services.descriptor import SERVICE_NAMES, Environment, Output, ServiceType
from tfgen.terraform_types import TypeSpec

SCALING_TYPE: TypeSpec = ("object", [("min", "number"), ("max", "number"), ("desired", "number"), ("backlog_per_task", "number")])
QUEUE_TYPE: TypeSpec = ("object", [("visibility_timeout", "number"), ("max_receive_count", "number"), ("retention", "number")])


def _scaling(service: m.WorkerService) -> dict[str, Any]:
    count = service.count
    if isinstance(count, int):
        return {"min": count, "max": count, "desired": count, "backlog_per_task": m.WorkerScaling.model_fields["backlog_per_task"].default}
    return {"min": count.min, "max": count.max, "desired": count.min, "backlog_per_task": count.backlog_per_task}


def _values(name: str, service: m.WorkerService, env: Environment) -> dict[str, Any]:
    return {"queue": service.queue.model_dump()}


def _arguments(name: str, variable: str) -> dict[str, str]:
    return {"queue": f"{variable}.queue"}


WORKER_SERVICE = ServiceType(
    name="worker-service",
    model=m.WorkerService,
    summary="consumes its SQS queue",
    scaling_type=SCALING_TYPE,
    scaling_values=_scaling,
    own_fields=(("queue", QUEUE_TYPE),),
    own_values=_values,
    own_arguments=_arguments,
    outputs=(SERVICE_NAMES, Output("queue_urls", "SQS queue URL of each worker-service.", "queue_url")),
)
