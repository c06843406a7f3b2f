"""`tfgen run`: start a scheduled job now. The job's Step Functions state machine
``<app>-<env>-<job>`` (modules/scheduled-job) is started with the input its schedule gives it (the
cluster, task definition, capacity and network, read from the schedule's target: the EventBridge
rule ``<app>-<env>-<job>``, else the EventBridge Scheduler schedule of that name), so a run by
hand is the run the schedule would make. ``--wait`` polls DescribeExecution until it ends.

The state machine's ARN is spelled from the partition of the region (botocore's partition data),
the environment's account and region and the name, as the module spells it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from tfgen.aws import Aws, AwsError, Target, aws_errors, error_code
from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.commands.lookup import known_service
from tfgen.naming import resource_name, state_machine_arn
from tfgen.services import SERVICE_TYPES

DEFAULT_INTERVAL = 5.0
FINISHED_OK = "SUCCEEDED"
SCHEDULED_TYPES = tuple(name for name, descriptor in SERVICE_TYPES.items() if descriptor.runs_as == "schedule")


@dataclass
class Execution:
    arn: str
    status: str = "RUNNING"
    error: str | None = None
    cause: str | None = None

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"

    @property
    def succeeded(self) -> bool:
        return self.status == FINISHED_OK

    def describe(self) -> str:
        detail = ": ".join(part for part in (self.error, self.cause) if part)
        return f"{self.status}: {detail}" if detail else self.status


class JobRunner:
    """Starts and watches the state machine of one scheduled job of one environment."""

    def __init__(self, loaded: LoadedBlueprint, environment: str, job: str, aws: Aws | None = None):
        self.job = known_service(loaded, environment, job, kind="scheduled job", types=SCHEDULED_TYPES)
        target = Target.of(loaded, environment)
        self.aws = aws or Aws()
        self.account = self.aws.require_account(target.account, environment, target.region)
        self.environment = environment
        self.region = target.region
        self.name = resource_name(target.blueprint.name, environment, self.job)
        self.arn = state_machine_arn(self.aws.partition(self.region), self.region, self.account, self.name)
        self.sfn = self.aws.client("stepfunctions", self.region)

    def _not_deployed(self, what: str) -> AwsError:
        return AwsError(
            f"{what} of scheduled job '{self.job}' not found in '{self.environment}' ({self.region}): "
            f"apply the environment first (tfgen plan/apply BLUEPRINT -e {self.environment})"
        )

    def schedule_input(self) -> str:
        """The input the job's schedule starts the state machine with."""
        with aws_errors():
            try:
                targets = self.aws.client("events", self.region).list_targets_by_rule(Rule=self.name)["Targets"]
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
            else:
                for target in targets:
                    if target.get("Arn") == self.arn and "Input" in target:
                        return str(target["Input"])
                raise AwsError(f"the EventBridge rule {self.name} of scheduled job '{self.job}' has no target starting {self.arn} with an input")
            try:
                schedule = self.aws.client("scheduler", self.region).get_schedule(Name=self.name)
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
                raise self._not_deployed(f"the schedule (EventBridge rule or Scheduler schedule {self.name})") from None
        target = schedule.get("Target", {})
        if target.get("Arn") != self.arn or "Input" not in target:
            raise AwsError(f"the schedule {self.name} of scheduled job '{self.job}' does not start {self.arn} with an input")
        return str(target["Input"])

    def start(self) -> Execution:
        with aws_errors():
            try:
                self.sfn.describe_state_machine(stateMachineArn=self.arn)
            except ClientError as error:
                if error_code(error) != "StateMachineDoesNotExist":
                    raise
                raise self._not_deployed(f"the state machine {self.name}") from None
            run_input = self.schedule_input()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            answer = self.sfn.start_execution(stateMachineArn=self.arn, name=f"tfgen-run-{stamp}-{secrets.token_hex(4)}", input=run_input)
        return Execution(answer["executionArn"])

    def describe(self, execution: Execution) -> Execution:
        with aws_errors():
            answer: dict[str, Any] = self.sfn.describe_execution(executionArn=execution.arn)
        return Execution(execution.arn, str(answer.get("status", "RUNNING")), answer.get("error"), answer.get("cause"))

    def wait(
        self,
        execution: Execution,
        interval: float = DEFAULT_INTERVAL,
        timeout: float | None = None,
        progress: Callable[[Execution, float], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Execution:
        """Poll until the execution is no longer RUNNING, or `timeout` seconds passed (then it is still RUNNING)."""
        started = clock()
        while True:
            execution = self.describe(execution)
            elapsed = clock() - started
            if not execution.running or (timeout is not None and elapsed >= timeout):
                return execution
            if progress is not None:
                progress(execution, elapsed)
            sleep(interval if timeout is None else max(0.0, min(interval, timeout - elapsed)))
