"""scheduled-job: a Step Functions run of one task, started on a schedule (it stops the task at its timeout)."""

from __future__ import annotations

from typing import Any

from tfgen.blueprint import model as m
from tfgen.services.descriptor import Environment, Output, ServiceType
from tfgen.terraform_types import TypeSpec

SCHEDULE_TYPE: TypeSpec = ("object", [("expression", "string"), ("timeout", "number")])


def _values(name: str, service: m.ScheduledJob, env: Environment) -> dict[str, Any]:
    return {"schedule": {"expression": service.schedule_expression(), "timeout": service.timeout}}


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
    outputs=(Output("schedule_rule_names", "EventBridge rule name of each scheduled-job.", "rule_name"),),
    runs_as="schedule",
    # Its group reaches the tasks through the state machine's run input, which checkov's graph does not read.
    unattached_security_groups=("module.security_group.aws_security_group.this",),
    building_blocks=(("task", "ecs-task"),),
)
