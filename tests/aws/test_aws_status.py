"""`tfgen status` against services created in a real moto_server on loopback.

What moto allows: a service created with desiredCount N > 0 has runningCount 0, pendingCount N
and a PRIMARY deployment whose rolloutState is IN_PROGRESS (unless the server runs with
MOTO_ECS_SERVICE_RUNNING); UpdateService(desiredCount) sets runningCount to it but leaves the
deployment as it was. So a steady service is created with desiredCount 0 (rollout COMPLETED) and
then scaled up; a service created with desiredCount 2 stays in progress with nothing running.
moto reports every registered target healthy and records no service events.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest
from click.testing import CliRunner

from tfgen.cli import cli

REGION = "eu-west-1"


def run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env or None)


class Deployed:
    """ECS cluster shop-dev, its task definitions and services, a target group, a rule: in moto."""

    def __init__(self):
        self.ecs = boto3.client("ecs", region_name=REGION)
        self.elbv2 = boto3.client("elbv2", region_name=REGION)
        self.events = boto3.client("events", region_name=REGION)
        self.ecs.create_cluster(clusterName="shop-dev")
        vpc = boto3.client("ec2", region_name=REGION).describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
        self.target_group = self.elbv2.create_target_group(
            Name="shop-dev-web", Protocol="HTTP", Port=80, VpcId=vpc["VpcId"], TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]

    def task_definition(self, service: str) -> str:
        return self.ecs.register_task_definition(
            family=f"shop-dev-{service}",
            containerDefinitions=[{"name": service, "image": "nginx", "memory": 512}],
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
        )["taskDefinition"]["taskDefinitionArn"]

    def service(self, service: str, desired: int, *, steady: bool = True, load_balanced: bool = False) -> None:
        """steady: created at 0 (rollout COMPLETED) then scaled to `desired` (running = desired).
        Not steady: created at `desired`: nothing running, rollout IN_PROGRESS."""
        extra = {}
        if load_balanced:
            extra["loadBalancers"] = [{"targetGroupArn": self.target_group, "containerName": service, "containerPort": 80}]
        self.ecs.create_service(
            cluster="shop-dev",
            serviceName=f"shop-dev-{service}",
            taskDefinition=self.task_definition(service),
            desiredCount=0 if steady else desired,
            **extra,
        )
        if steady:
            self.ecs.update_service(cluster="shop-dev", service=f"shop-dev-{service}", desiredCount=desired)

    def targets(self, *ips: str) -> None:
        self.elbv2.register_targets(TargetGroupArn=self.target_group, Targets=[{"Id": ip, "Port": 80} for ip in ips])

    def rule(self, state: str = "ENABLED") -> None:
        """What tfgen rendered for a scheduled job before EventBridge Scheduler."""
        self.events.put_rule(Name="shop-dev-nightly", ScheduleExpression="rate(1 hour)", State=state)

    def schedule(self, state: str = "ENABLED", expression: str = "rate(1 hour)", **extra: str) -> None:
        boto3.client("scheduler", region_name=REGION).create_schedule(
            Name="shop-dev-nightly",
            GroupName="default",
            ScheduleExpression=expression,
            State=state,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:shop-dev-nightly",
                "RoleArn": "arn:aws:iam::123456789012:role/shop-dev-nightly-events",
            },
            **extra,
        )

    def all_steady(self) -> Deployed:
        self.service("web", 2, load_balanced=True)
        self.targets("172.31.0.10", "172.31.16.10")
        self.service("api", 1)
        self.schedule()
        return self


@pytest.fixture
def deployed(aws_env) -> Deployed:
    return Deployed()


def test_status_table_when_every_service_is_steady(deployed, aws_blueprint):
    deployed.all_steady()

    result = run("status", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "shop / dev (123456789012, eu-west-1) cluster shop-dev" in out
    rows = {
        line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[1:-1]]
        for line in out.splitlines()
        if line.startswith("│") and line.split("│")[1].strip()
    }
    assert rows["web"][:6] == ["web", "web-service", "2", "2", "0", "COMPLETED"]
    assert rows["web"][6] == "shop-dev-web: 2 healthy, 0 unhealthy"
    assert rows["web"][7] == "steady"
    assert rows["api"][:6] == ["api", "backend-service", "1", "1", "0", "COMPLETED"]
    assert rows["nightly"][1] == "scheduled-job" and rows["nightly"][5] == "rate(1 hour) ENABLED" and rows["nightly"][7] == "steady"
    assert "all 3 services steady" in out
    assert result.stderr == ""


def test_status_json_when_every_service_is_steady(deployed, aws_blueprint):
    deployed.all_steady()

    result = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # stdout holds one JSON document and nothing else
    assert document["steady"] is True
    assert (document["application"], document["environment"], document["cluster"]) == ("shop", "dev", "shop-dev")
    assert (document["account"], document["region"]) == ("123456789012", "eu-west-1")
    services = {s["name"]: s for s in document["services"]}
    assert list(services) == ["web", "api", "nightly"]  # blueprint order
    web = services["web"]
    assert (web["resource"], web["status"], web["desired"], web["running"], web["pending"]) == ("shop-dev-web", "ACTIVE", 2, 2, 0)
    assert web["rollout_state"] == "COMPLETED" and web["steady"] is True and web["problems"] == []
    assert web["events"] == []
    assert web["target_groups"] == [
        {"arn": deployed.target_group, "name": "shop-dev-web", "healthy": 2, "unhealthy": 0, "other": 0, "missing": False}
    ]
    assert services["api"]["target_groups"] == []
    nightly = services["nightly"]
    assert (nightly["schedule"], nightly["schedule_state"], nightly["last_run"], nightly["steady"]) == ("rate(1 hour)", "ENABLED", None, True)


def test_status_exits_1_when_a_service_runs_fewer_tasks_than_desired(deployed, aws_blueprint):
    deployed.service("web", 2, steady=False, load_balanced=True)
    deployed.service("api", 1)
    deployed.schedule()

    table = run("status", str(aws_blueprint), "-e", "dev")
    as_json = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    assert table.exit_code == 1
    web_lines = [line for line in table.stdout.splitlines() if "running 0 of 2" in line or "│ web " in line]
    assert "NOT STEADY" in web_lines[0] and "running 0 of 2" in web_lines[1] and "rollout IN_PROGRESS" in table.stdout
    assert "1 of 3 services not steady" in table.stdout
    assert table.stderr.strip() == "error: not steady: web: running 0 of 2, rollout IN_PROGRESS"
    assert as_json.exit_code == 1
    web = next(s for s in json.loads(as_json.stdout)["services"] if s["name"] == "web")
    assert (web["desired"], web["running"], web["pending"], web["rollout_state"], web["steady"]) == (2, 0, 2, "IN_PROGRESS", False)
    assert web["problems"] == ["running 0 of 2", "rollout IN_PROGRESS"]


def test_status_exits_1_while_a_rollout_is_in_progress(deployed, aws_blueprint):
    deployed.all_steady()
    deployed.service("other", 2, steady=False)  # unrelated services are not reported
    deployed.ecs.delete_service(cluster="shop-dev", service="shop-dev-api", force=True)
    deployed.service("api", 2, steady=False)
    deployed.ecs.update_service(cluster="shop-dev", service="shop-dev-api", desiredCount=2)  # running = desired, rollout still IN_PROGRESS

    result = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    assert result.exit_code == 1
    services = {s["name"]: s for s in json.loads(result.stdout)["services"]}
    assert services["api"]["running"] == services["api"]["desired"] == 2
    assert services["api"]["problems"] == ["rollout IN_PROGRESS"]
    assert [s["name"] for s in services.values() if not s["steady"]] == ["api"]
    assert "error: not steady: api: rollout IN_PROGRESS" in result.stderr


def test_status_reports_missing_services_rules_and_clusters(aws_env, aws_blueprint):
    no_cluster = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    deployed = Deployed()
    deployed.service("web", 1, load_balanced=True)
    deployed.schedule("DISABLED")
    partly = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    assert no_cluster.exit_code == 1
    problems = {s["name"]: s["problems"] for s in json.loads(no_cluster.stdout)["services"]}
    assert problems == {
        "web": ["cluster shop-dev not found"],
        "api": ["cluster shop-dev not found"],
        "nightly": ["EventBridge Scheduler schedule not found"],
    }
    assert partly.exit_code == 1
    problems = {s["name"]: s["problems"] for s in json.loads(partly.stdout)["services"]}
    assert problems == {"web": [], "api": ["ECS service not found"], "nightly": ["schedule is DISABLED"]}


def test_status_shows_the_schedules_time_zone(deployed, aws_blueprint):
    deployed.service("web", 1, load_balanced=True)
    deployed.service("api", 1)
    deployed.schedule(expression="cron(0 3 * * ? *)", ScheduleExpressionTimezone="Europe/Berlin")

    as_json = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")
    table = run("status", str(aws_blueprint), "-e", "dev")

    assert as_json.exit_code == 0, as_json.output
    nightly = next(s for s in json.loads(as_json.stdout)["services"] if s["name"] == "nightly")
    assert (nightly["schedule"], nightly["schedule_timezone"], nightly["schedule_state"]) == ("cron(0 3 * * ? *)", "Europe/Berlin", "ENABLED")
    assert "cron(0 3 * * ? *) Europe/Berlin ENABLED" in table.stdout


def test_status_still_finds_the_eventbridge_rule_of_an_earlier_rendering(deployed, aws_blueprint):
    """An environment last applied before jobs moved to EventBridge Scheduler has a rule instead."""
    deployed.service("web", 1, load_balanced=True)
    deployed.service("api", 1)
    deployed.rule("DISABLED")

    result = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")

    nightly = next(s for s in json.loads(result.stdout)["services"] if s["name"] == "nightly")
    assert (nightly["schedule"], nightly["schedule_state"], nightly["problems"]) == ("rate(1 hour)", "DISABLED", ["EventBridge rule is DISABLED"])


def test_status_reports_a_deleted_target_group(deployed, aws_blueprint):
    deployed.all_steady()
    deployed.elbv2.delete_target_group(TargetGroupArn=deployed.target_group)

    result = run("status", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 1
    assert "shop-dev-web: not found" in result.stdout
    assert "error: not steady: web: target group shop-dev-web not found" in result.stderr


def test_status_wait_times_out_quickly_on_a_service_that_is_not_steady(deployed, aws_blueprint):
    deployed.service("web", 2, steady=False, load_balanced=True)
    deployed.service("api", 1)
    deployed.schedule()

    started = time.monotonic()
    result = run("status", str(aws_blueprint), "-e", "dev", "--wait", "--timeout", "1", "--format", "json", TFGEN_STATUS_INTERVAL="0.2")
    elapsed = time.monotonic() - started

    assert result.exit_code == 1
    assert elapsed < 10
    assert json.loads(result.stdout)["steady"] is False  # one document, after the wait
    for line in result.stderr.strip().splitlines()[:-1]:  # progress while polling (none when one poll took the whole second)
        assert line.startswith("waiting (") and line.endswith("web: running 0 of 2, rollout IN_PROGRESS")
    assert result.stderr.strip().splitlines()[-1] == "error: still not steady after 1s: web: running 0 of 2, rollout IN_PROGRESS"


def test_status_wait_with_the_default_interval_still_honours_a_short_timeout(deployed, aws_blueprint):
    deployed.service("web", 2, steady=False, load_balanced=True)

    started = time.monotonic()
    result = run("status", str(aws_blueprint), "-e", "dev", "--wait", "--timeout", "1")

    assert result.exit_code == 1
    assert time.monotonic() - started < 10
    assert "still not steady after 1s" in result.stderr


def test_status_wait_returns_once_steady(deployed, aws_blueprint):
    deployed.all_steady()

    result = run("status", str(aws_blueprint), "-e", "dev", "--wait", "--timeout", "30")

    assert result.exit_code == 0, result.output
    assert "waiting" not in result.stderr
    assert "all 3 services steady" in result.stdout


def test_status_wait_sees_a_service_become_steady(deployed, aws_blueprint):
    """The poll loop itself: a missing service appears, steady, between two polls."""
    from tfgen import status as service_status
    from tfgen.aws import Aws
    from tfgen.blueprint.loader import load_blueprint

    deployed.service("web", 1, load_balanced=True)
    deployed.schedule()
    polls = []

    def progress(report, elapsed):
        polls.append(report.summary())
        deployed.service("api", 1)  # appears, steady, before the next poll

    report = service_status.wait(load_blueprint(aws_blueprint), "dev", timeout=30, interval=0.1, aws=Aws(), progress=progress)

    assert report.steady
    assert polls == ["api: ECS service not found"]


def test_status_shows_the_production_traffic_split_of_a_blue_green_service(deployed, aws_blueprint):
    """The production listener rule's weights (moto keeps them); moto does not keep a service's
    deploymentConfiguration, so its strategy is not known there and shows as nothing."""
    deployed.all_steady()
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    green = deployed.elbv2.create_target_group(Name="shop-dev-web-green", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0][
        "TargetGroupArn"
    ]
    balancer = deployed.elbv2.create_load_balancer(Name="shop-dev", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    listener = deployed.elbv2.create_listener(
        LoadBalancerArn=balancer, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
    )["Listeners"][0]["ListenerArn"]
    weights = [{"TargetGroupArn": deployed.target_group, "Weight": 90}, {"TargetGroupArn": green, "Weight": 10}]
    rule = deployed.elbv2.create_rule(
        ListenerArn=listener, Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/*"]}],
        Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": weights}}],
    )["Rules"][0]["RuleArn"]  # fmt: skip
    deployed.ecs.delete_service(cluster="shop-dev", service="shop-dev-web", force=True)
    advanced = {"alternateTargetGroupArn": green, "productionListenerRule": rule, "roleArn": "arn:aws:iam::123456789012:role/shop-dev-web-ecs-lb"}
    deployed.ecs.create_service(
        cluster="shop-dev", serviceName="shop-dev-web", taskDefinition=deployed.task_definition("web"), desiredCount=0,
        loadBalancers=[{"targetGroupArn": deployed.target_group, "containerName": "web", "containerPort": 80, "advancedConfiguration": advanced}],
    )  # fmt: skip

    document = json.loads(run("status", str(aws_blueprint), "-e", "dev", "--format", "json").stdout)
    table = run("status", str(aws_blueprint), "-e", "dev").stdout

    web = next(s for s in document["services"] if s["name"] == "web")
    assert web["traffic"] == {"shop-dev-web": 90, "shop-dev-web-green": 10}
    assert [tg["name"] for tg in web["target_groups"]] == ["shop-dev-web", "shop-dev-web-green"]  # both groups' health
    assert web["strategy"] is None
    cells = [line.split("│")[6].strip() for line in table.splitlines() if line.startswith("│") and len(line.split("│")) > 6]
    assert "traffic shop-dev-web 90%" in cells and "traffic shop-dev-web-green 10%" in cells


def test_status_shows_the_last_run_of_a_scheduled_job(deployed, aws_blueprint):
    deployed.all_steady()
    before = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(
        name="shop-dev-nightly", definition=json.dumps({"StartAt": "Run", "States": {"Run": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/shop-dev-nightly-runs",
    )["stateMachineArn"]  # fmt: skip
    sfn.start_execution(stateMachineArn=machine, name="first")
    sfn.start_execution(stateMachineArn=machine, name="second")

    after = run("status", str(aws_blueprint), "-e", "dev", "--format", "json")
    table = run("status", str(aws_blueprint), "-e", "dev").stdout

    assert next(s for s in json.loads(before.stdout)["services"] if s["name"] == "nightly")["last_run"] is None
    newest = sfn.list_executions(stateMachineArn=machine, maxResults=1)["executions"][0]
    last_run = next(s for s in json.loads(after.stdout)["services"] if s["name"] == "nightly")["last_run"]
    assert last_run == f"{newest['status']} at {newest['startDate'].isoformat()}"
    assert f"last run {newest['status']} at" in table
    assert {s["name"] for s in json.loads(after.stdout)["services"] if "last_run" in s} == {"nightly"}
    assert {s["name"] for s in json.loads(after.stdout)["services"] if "traffic" in s} == {"web", "api"}
