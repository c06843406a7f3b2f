"""`tfgen status`: what is deployed for each service of a blueprint in one environment.

For every service: the ECS service ``<app>-<env>-<service>`` on cluster ``<app>-<env>``, its
desired/running/pending task counts, the rollout state of its primary deployment and its last
events; for web services the health of the target groups the ECS service is attached to (looked
up from its ``loadBalancers``, not by name). Scheduled jobs have no ECS service: their EventBridge
Scheduler schedule ``<app>-<env>-<service>`` (in the ``default`` group), its expression, time zone
and state are shown; an environment last applied before tfgen moved jobs to Scheduler still has
an EventBridge rule of that name, which is shown instead.

A service's deployment strategy is ECS's deploymentConfiguration.strategy; a blue/green, canary
or linear one also shows both target groups' health and how its production listener rule weighs
them now (during a deployment ECS moves the weights). A job shows its last run: the newest
execution of its state machine.

A service is steady when it exists and is ACTIVE, runs as many tasks as it desires, and its
primary deployment's rollout is COMPLETED; a scheduled job when its schedule (or rule) is ENABLED.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from tfgen.aws import Aws, Target, aws_errors, error_code
from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.naming import resource_name, state_machine_arn
from tfgen.services import service_type

EVENTS_SHOWN = 3
DEFAULT_INTERVAL = 5.0
DESCRIBE_BATCH = 10  # ECS DescribeServices takes at most 10 services


@dataclass
class TargetGroupHealth:
    arn: str
    healthy: int = 0
    unhealthy: int = 0
    other: int = 0  # initial, draining, unused, unavailable
    missing: bool = False

    @property
    def name(self) -> str:
        parts = self.arn.split(":targetgroup/")
        return parts[1].split("/")[0] if len(parts) == 2 else self.arn


@dataclass
class ServiceStatus:
    name: str
    type: str
    resource: str  # the ECS service name, or the rule/schedule name of a scheduled job
    found: bool = False
    status: str | None = None
    desired: int | None = None
    running: int | None = None
    pending: int | None = None
    rollout_state: str | None = None
    rollout_reason: str | None = None
    deployments: int | None = None
    events: list[dict[str, str]] = field(default_factory=list)
    target_groups: list[TargetGroupHealth] = field(default_factory=list)
    schedule: str | None = None
    schedule_timezone: str | None = None
    schedule_state: str | None = None
    last_run: str | None = None  # the newest execution of the job's state machine: "STATUS at START"
    strategy: str | None = None  # ECS's deploymentConfiguration.strategy (ROLLING, BLUE_GREEN, CANARY, LINEAR)
    traffic: dict[str, int] = field(default_factory=dict)  # target group name -> weight of the production rule
    production_rules: list[str] = field(default_factory=list, repr=False)  # blue/green, canary, linear
    problems: list[str] = field(default_factory=list)

    @property
    def steady(self) -> bool:
        return not self.problems

    @property
    def scheduled(self) -> bool:
        """Runs on a schedule (no ECS service to describe): the type's descriptor says so."""
        return service_type(self.type).runs_as == "schedule"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["steady"] = self.steady
        data["target_groups"] = [{**asdict(tg), "name": tg.name} for tg in self.target_groups]
        data.pop("production_rules")
        if not self.scheduled:
            for key in ("schedule", "schedule_timezone", "schedule_state", "last_run"):
                data.pop(key)
        else:
            data.pop("strategy")
            data.pop("traffic")
        return data


@dataclass
class StatusReport:
    application: str
    environment: str
    account: str
    region: str
    cluster: str
    services: list[ServiceStatus]

    @property
    def steady(self) -> bool:
        return all(service.steady for service in self.services)

    def not_steady(self) -> list[ServiceStatus]:
        return [service for service in self.services if not service.steady]

    def summary(self) -> str:
        return "; ".join(f"{s.name}: {', '.join(s.problems)}" for s in self.not_steady())

    def to_json(self) -> dict[str, Any]:
        return {
            "application": self.application,
            "environment": self.environment,
            "account": self.account,
            "region": self.region,
            "cluster": self.cluster,
            "steady": self.steady,
            "services": [service.to_json() for service in self.services],
        }


SCHEDULE_GROUP = "default"  # the schedule group of every scheduled job (modules/scheduled-job)


def cluster_name(application: str, environment: str) -> str:
    """The rendered ECS cluster's name (see tfgen.render)."""
    return resource_name(application, environment)


def service_name(application: str, environment: str, service: str) -> str:
    """The rendered ECS service's name, and a scheduled job's EventBridge Scheduler schedule name."""
    return resource_name(application, environment, service)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def collect(loaded: LoadedBlueprint, environment: str, aws: Aws | None = None) -> StatusReport:
    """One look at every service of the blueprint in the environment."""
    target = Target.of(loaded, environment)
    aws = aws or Aws()
    account = aws.require_account(target.account, environment, target.region)
    app = target.blueprint.name
    cluster = cluster_name(app, environment)
    statuses = [
        ServiceStatus(name, service.type, service_name(app, environment, name))
        for name, service in target.blueprint.services.items()
    ]
    with aws_errors():
        _describe_services(aws.client("ecs", target.region), cluster, [s for s in statuses if not s.scheduled])
        elbv2 = aws.client("elbv2", target.region)
        for status in statuses:
            for tg in status.target_groups:
                _target_health(elbv2, tg)
                if tg.missing:
                    status.problems.append(f"target group {tg.name} not found")
            _traffic_split(elbv2, status)
        partition = aws.partition(target.region)
        for status in statuses:
            if status.scheduled:
                _describe_schedule(aws, target.region, status)
                _last_run(aws.client("stepfunctions", target.region), state_machine_arn(partition, target.region, account, status.resource), status)
    return StatusReport(app, environment, account, target.region, cluster, statuses)


def _describe_services(ecs: Any, cluster: str, statuses: list[ServiceStatus]) -> None:
    by_name = {s.resource: s for s in statuses}
    names = list(by_name)
    for start in range(0, len(names), DESCRIBE_BATCH):
        batch = names[start : start + DESCRIBE_BATCH]
        try:
            answer = ecs.describe_services(cluster=cluster, services=batch)
        except ClientError as error:
            if error_code(error) != "ClusterNotFoundException":
                raise
            for name in batch:
                by_name[name].problems.append(f"cluster {cluster} not found")
            continue
        for service in answer.get("services", []):
            status = by_name.get(service["serviceName"])
            if status is not None:
                _fill_service(status, service)
        for failure in answer.get("failures", []):
            name = failure.get("arn", "").rsplit("/", 1)[-1]
            if name in by_name and not by_name[name].found:
                reason = failure.get("reason", "MISSING")
                by_name[name].problems.append("ECS service not found" if reason == "MISSING" else f"ECS service: {reason}")
    for status in statuses:
        if not status.found and not status.problems:
            status.problems.append("ECS service not found")


def _fill_service(status: ServiceStatus, service: dict[str, Any]) -> None:
    status.found = True
    status.status = service.get("status")
    status.desired = service.get("desiredCount", 0)
    status.running = service.get("runningCount", 0)
    status.pending = service.get("pendingCount", 0)
    deployments = service.get("deployments", [])
    status.deployments = len(deployments)
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if primary is not None:
        status.rollout_state = primary.get("rolloutState")
        status.rollout_reason = primary.get("rolloutStateReason")
    status.events = [
        {"at": _iso(event.get("createdAt", "")), "message": event.get("message", "")}
        for event in sorted(service.get("events", []), key=lambda e: e.get("createdAt") or datetime.min, reverse=True)[:EVENTS_SHOWN]
    ]
    status.strategy = (service.get("deploymentConfiguration") or {}).get("strategy")
    seen: set[str] = set()
    for balancer in service.get("loadBalancers", []):
        advanced = balancer.get("advancedConfiguration") or {}
        for arn in (balancer.get("targetGroupArn"), advanced.get("alternateTargetGroupArn")):
            if arn and arn not in seen:
                seen.add(arn)
                status.target_groups.append(TargetGroupHealth(arn))
        if advanced.get("productionListenerRule"):
            status.production_rules.append(advanced["productionListenerRule"])

    if status.status != "ACTIVE":
        status.problems.append(f"ECS service is {status.status}")
        return
    if status.running != status.desired:
        status.problems.append(f"running {status.running} of {status.desired}")
    if status.rollout_state is not None:
        if status.rollout_state != "COMPLETED":
            status.problems.append(f"rollout {status.rollout_state}")
    elif status.deployments != 1:
        status.problems.append(f"{status.deployments} deployments in progress")


def _traffic_split(elbv2: Any, status: ServiceStatus) -> None:
    """How the production listener rule of a blue/green, canary or linear service weighs its two
    target groups now: during a deployment ECS moves the weights from one to the other."""
    if not status.production_rules:
        return
    try:
        rules = elbv2.describe_rules(RuleArns=status.production_rules)["Rules"]
    except ClientError as error:
        if error_code(error) != "RuleNotFound":
            raise
        status.problems.append("production listener rule not found")
        return
    for rule in rules:
        for action in rule.get("Actions", []):
            for group in (action.get("ForwardConfig") or {}).get("TargetGroups", []):
                status.traffic[TargetGroupHealth(group["TargetGroupArn"]).name] = int(group.get("Weight", 0))


def _last_run(sfn: Any, arn: str, status: ServiceStatus) -> None:
    """The newest execution of a scheduled job's state machine (each run of the job is one)."""
    try:
        executions = sfn.list_executions(stateMachineArn=arn, maxResults=1).get("executions", [])
    except ClientError as error:
        if error_code(error) not in ("StateMachineDoesNotExist", "ResourceNotFoundException"):
            raise
        return
    if executions:
        newest = executions[0]
        status.last_run = f"{newest.get('status')} at {_iso(newest.get('startDate', ''))}"


def _target_health(elbv2: Any, health: TargetGroupHealth) -> None:
    try:
        descriptions = elbv2.describe_target_health(TargetGroupArn=health.arn)["TargetHealthDescriptions"]
    except ClientError as error:
        if error_code(error) not in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
            raise
        health.missing = True
        return
    for description in descriptions:
        state = description.get("TargetHealth", {}).get("State")
        if state == "healthy":
            health.healthy += 1
        elif state == "unhealthy":
            health.unhealthy += 1
        else:
            health.other += 1


def _describe_schedule(aws: Any, region: str, status: ServiceStatus) -> None:
    """The EventBridge Scheduler schedule of a scheduled job, else (applied by an earlier tfgen) its
    EventBridge rule."""
    try:
        schedule = aws.client("scheduler", region).get_schedule(Name=status.resource, GroupName=SCHEDULE_GROUP)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
    else:
        status.found = True
        status.schedule, status.schedule_state = schedule.get("ScheduleExpression"), schedule.get("State")
        status.schedule_timezone = schedule.get("ScheduleExpressionTimezone")
        _schedule_problems(status, "schedule")
        return
    try:
        rule = aws.client("events", region).describe_rule(Name=status.resource)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        status.problems.append("EventBridge Scheduler schedule not found")
        return
    status.found = True
    status.schedule, status.schedule_state = rule.get("ScheduleExpression"), rule.get("State")
    _schedule_problems(status, "EventBridge rule")


def _schedule_problems(status: ServiceStatus, kind: str) -> None:
    if status.schedule_state != "ENABLED":
        status.problems.append(f"{kind} is {status.schedule_state}")


def wait(
    loaded: LoadedBlueprint,
    environment: str,
    timeout: float,
    interval: float = DEFAULT_INTERVAL,
    aws: Aws | None = None,
    progress: Callable[[StatusReport, float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> StatusReport:
    """Poll until every service is steady or the timeout passes; returns the last report."""
    aws = aws or Aws()
    start = clock()
    while True:
        report = collect(loaded, environment, aws)
        elapsed = clock() - start
        if report.steady or elapsed >= timeout:
            return report
        if progress is not None:
            progress(report, elapsed)
        sleep(max(0.0, min(interval, timeout - elapsed)))


# --- presentation ------------------------------------------------------------------------------


def _counts(status: ServiceStatus) -> tuple[str, str, str]:
    if status.desired is None:
        return ("-", "-", "-")
    return (str(status.desired), str(status.running), str(status.pending))


def _targets(status: ServiceStatus) -> str:
    if not status.target_groups:
        return "-"
    parts = []
    for tg in status.target_groups:
        if tg.missing:
            parts.append(f"{tg.name}: not found")
        else:
            extra = f", {tg.other} other" if tg.other else ""
            parts.append(f"{tg.name}: {tg.healthy} healthy, {tg.unhealthy} unhealthy{extra}")
    return "\n".join(parts)


def _strategy(status: ServiceStatus) -> str:
    """The deployment strategy and, for the load-balanced ones, the production traffic split."""
    lines = [status.strategy.lower().replace("_", "-")] if status.strategy else []
    lines += [f"traffic {name} {weight}%" for name, weight in status.traffic.items()]
    return "\n".join(lines)


def render_table(report: StatusReport, console: Any) -> None:
    """The report as a rich table plus each service's last events."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{report.application} / {report.environment} ({report.account}, {report.region}) cluster {report.cluster}")
    for column in ("service", "type", "desired", "running", "pending", "rollout", "targets", "state"):
        table.add_column(column, justify="right" if column in ("desired", "running", "pending") else "left")
    for status in report.services:
        desired, running, pending = _counts(status)
        if status.scheduled:
            zone = status.schedule_timezone if status.schedule_timezone not in (None, "UTC") else ""
            rollout = " ".join(part for part in (status.schedule or "-", zone, status.schedule_state or "") if part) if status.found else "-"
            rollout += f"\nlast run {status.last_run or 'none yet'}" if status.found else ""
        else:
            rollout = "\n".join(part for part in (status.rollout_state or "-", _strategy(status)) if part)
        state = "[green]steady[/green]" if status.steady else "[red]NOT STEADY[/red]\n" + escape("\n".join(status.problems))
        table.add_row(status.name, status.type, desired, running, pending, rollout, _targets(status), state)
    console.print(table)
    for status in report.services:
        if status.events:
            console.print(f"[bold]{status.name}[/bold] last events:")
            for event in status.events:
                console.print(f"  {event['at']}  {event['message']}", markup=False, highlight=False)
    if report.steady:
        console.print(f"all {len(report.services)} services steady")
    else:
        console.print(f"{len(report.not_steady())} of {len(report.services)} services not steady")
