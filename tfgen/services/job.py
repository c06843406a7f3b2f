"""scheduled-job: a Step Functions run of one task, started by an EventBridge Scheduler schedule
(the run stops the task at its timeout, retries a failed task, and publishes what still fails)."""

from __future__ import annotations

from typing import Any

from tfgen.blueprint import model as m
from tfgen.services.descriptor import Environment, Output, ServiceType
from tfgen.terraform_types import TypeSpec

RETRIES_TYPE: TypeSpec = ("object", [("max_attempts", "number"), ("interval_seconds", "number"), ("backoff_rate", "number")])
NOTIFY_TYPE: TypeSpec = ("object", [("topic_arn", "string"), ("kms_key_arn", "string")])
SCHEDULE_TYPE: TypeSpec = (
    "object",
    [("expression", "string"), ("timezone", "string"), ("timeout", "number"), ("retries", RETRIES_TYPE), ("notify", NOTIFY_TYPE)],
)


def _values(name: str, service: m.ScheduledJob, env: Environment) -> dict[str, Any]:
    retries, notify = service.retry_policy(), service.notification()
    return {
        "schedule": {
            "expression": service.schedule_expression(),
            "timezone": service.schedule_timezone(),
            "timeout": service.timeout,
            "retries": None if retries is None else {"max_attempts": retries.count, "interval_seconds": retries.interval, "backoff_rate": retries.backoff},
            "notify": None if notify is None else {"topic_arn": notify.topic, "kms_key_arn": notify.kms_key},
        }
    }


def _arguments(name: str, variable: str) -> dict[str, str]:
    return {"schedule": f"{variable}.schedule"}


SCHEDULED_JOB = ServiceType(
    name="scheduled-job",
    model=m.ScheduledJob,
    summary="a task run on a schedule",
    scaling_type=None,
    scaling_values=None,
    own_fields=(("schedule", SCHEDULE_TYPE),),
    own_values=_values,
    own_arguments=_arguments,
    outputs=(Output("schedule_names", "EventBridge Scheduler schedule name of each scheduled-job.", "schedule_name"),),
    runs_as="schedule",
    # Its group reaches the tasks through the state machine's run input, which checkov's graph does not read.
    unattached_security_groups=("module.security_group.aws_security_group.this",),
    building_blocks=(("task", "ecs-task"),),
)
