"""`tfgen run` against state machines, EventBridge rules and Scheduler schedules created in a real
moto_server on loopback.

What moto's Step Functions model does (moto 5.2.5): by default an execution stays RUNNING until it
is stopped (then ABORTED); with `execute_state_machine` set in its configuration (a server of its
own here, since that setting survives /moto-api/reset) it runs the definition: a Pass state
SUCCEEDS, a Fail state FAILS with its error and cause. moto cannot run the module's
`ecs:runTask.sync` definition to success, so the waits use Pass and Fail definitions.
"""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest
from click.testing import CliRunner

from tests.conftest import _answers_http, _running_moto_server
from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.commands.run import JobRunner

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:shop-dev-nightly"
RUN_INPUT = {"cluster": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop-dev", "task_definition": "shop-dev-nightly:3", "subnets": ["subnet-1"]}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/shop-dev-nightly-runs"
RUN_TASK = {"StartAt": "RunTask", "States": {"RunTask": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}}}
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "Failed", "States": {"Failed": {"Type": "Fail", "Error": "JobFailed", "Cause": "exit code 3"}}}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def deploy(definition: dict, *, rule: bool = True, schedule: bool = False) -> None:
    """The job as the scheduled-job module leaves it: state machine and the schedule that starts it."""
    arn = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="shop-dev-nightly", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    assert arn == ARN
    target = {"Arn": arn, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/shop-dev-nightly-events", "Input": json.dumps(RUN_INPUT)}
    if rule:
        events = boto3.client("events", region_name=REGION)
        events.put_rule(Name="shop-dev-nightly", ScheduleExpression="rate(1 hour)")
        events.put_targets(Rule="shop-dev-nightly", Targets=[{"Id": "run-task", **target}])
    if schedule:
        boto3.client("scheduler", region_name=REGION).create_schedule(
            Name="shop-dev-nightly", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target
        )


def execution(arn: str) -> dict:
    return boto3.client("stepfunctions", region_name=REGION).describe_execution(executionArn=arn)


def test_run_starts_the_state_machine_with_the_schedules_input(aws_env, aws_blueprint):
    deploy(RUN_TASK)

    result = run("run", str(aws_blueprint), "nightly", "-e", "dev")

    assert result.exit_code == 0, result.output
    arn = result.stdout.strip()
    assert arn.startswith(f"arn:aws:states:{REGION}:{ACCOUNT}:execution:shop-dev-nightly:tfgen-run-")
    described = execution(arn)
    assert described["stateMachineArn"] == ARN
    assert json.loads(described["input"]) == RUN_INPUT
    assert described["status"] == "RUNNING"  # moto's default backend: until stopped


def test_run_takes_the_input_of_a_scheduler_schedule(aws_env, aws_blueprint):
    deploy(RUN_TASK, rule=False, schedule=True)

    result = run("run", str(aws_blueprint), "nightly", "-e", "dev")

    assert result.exit_code == 0, result.output
    assert json.loads(execution(result.stdout.strip())["input"]) == RUN_INPUT


def test_wait_until_the_run_is_stopped(aws_env, aws_blueprint):
    deploy(RUN_TASK)
    runner = JobRunner(load_blueprint(aws_blueprint), "dev", "nightly")
    started = runner.start()
    polls: list[str] = []

    def stop_it(interval: float) -> None:
        polls.append("poll")
        boto3.client("stepfunctions", region_name=REGION).stop_execution(executionArn=started.arn, error="Manual", cause="stopped by the test")

    ended = runner.wait(started, interval=0.1, sleep=stop_it)

    assert polls == ["poll"]
    assert (ended.status, ended.succeeded) == ("ABORTED", False)
    assert ended.describe() == "ABORTED"  # moto keeps no error or cause of a stop


def test_wait_gives_up_after_the_timeout(aws_env, aws_blueprint):
    deploy(RUN_TASK)

    result = run("run", str(aws_blueprint), "nightly", "-e", "dev", "--wait", "--interval", "0.1", "--timeout", "0.3")

    assert result.exit_code == 1
    arn = result.stdout.splitlines()[0]
    assert result.stdout.splitlines()[1] == "RUNNING"
    assert f"error: still RUNNING after 0.3s: {arn}" in result.stderr
    assert "waiting (" in result.stderr


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ("web", "web is a web-service, not a scheduled job (scheduled jobs: nightly)"),
        ("nigthly", "no scheduled job 'nigthly' in environment 'dev' (did you mean 'nightly'? scheduled jobs: nightly)"),
    ],
)
def test_only_a_scheduled_job_runs(aws_env, aws_blueprint, job: str, message: str):
    result = run("run", str(aws_blueprint), job, "-e", "dev")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_job_not_deployed_says_to_apply_first(aws_env, aws_blueprint):
    result = run("run", str(aws_blueprint), "nightly", "-e", "dev")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the state machine shop-dev-nightly of scheduled job 'nightly' not found in 'dev' (eu-west-1): "
        "apply the environment first (tfgen plan/apply BLUEPRINT -e dev)"
    )


def test_a_job_without_its_schedule_is_not_started(aws_env, aws_blueprint):
    deploy(RUN_TASK, rule=False)
    result = run("run", str(aws_blueprint), "nightly", "-e", "dev")
    assert result.exit_code == 1
    assert "the schedule (EventBridge rule or Scheduler schedule shop-dev-nightly) of scheduled job 'nightly' not found" in result.stderr
    assert boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=ARN)["executions"] == []


# --- runs that end: a moto_server of its own that executes definitions ---------------------------


@pytest.fixture(scope="module")
def executing_server():
    with _running_moto_server("moto_server (executing state machines)", _answers_http) as endpoint:
        request = urllib.request.Request(
            f"{endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request)
        yield endpoint


@pytest.fixture
def executing_env(aws_env, executing_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", executing_server)
    urllib.request.urlopen(urllib.request.Request(f"{executing_server}/moto-api/reset", method="POST"))


def test_wait_exits_0_when_the_run_succeeded(executing_env, aws_blueprint):
    deploy(PASS)

    result = run("run", str(aws_blueprint), "nightly", "-e", "dev", "--wait", "--interval", "0.1")

    assert result.exit_code == 0, result.output
    arn, status = result.stdout.splitlines()
    assert status == "SUCCEEDED"
    assert execution(arn)["status"] == "SUCCEEDED"


def test_wait_exits_1_and_says_why_when_the_run_failed(executing_env, aws_blueprint):
    deploy(FAIL)

    result = run("run", str(aws_blueprint), "nightly", "-e", "dev", "--wait", "--interval", "0.1")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == "FAILED: JobFailed: exit code 3"
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("region", "partition"), [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_the_state_machine_arn_takes_the_regions_partition(aws_env, region: str, partition: str):
    from tfgen.aws import Aws
    from tfgen.commands.run import state_machine_arn

    arn = state_machine_arn(Aws().partition(region), region, ACCOUNT, "shop-dev-nightly")
    assert arn == f"arn:{partition}:states:{region}:{ACCOUNT}:stateMachine:shop-dev-nightly"
