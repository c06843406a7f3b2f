"""ECS native deployments (issue 15): each strategy planned and applied offline through the service
modules, the way the renderer calls them; the plan JSON shows what AWS receives."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.modules.test_service_modules import TAGS, TASK, Planned, Raw, _placement, _write_root
from tfgen.policy.plan_checks import run_plan_checks
from tfgen.terraform import Terraform

LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/vote/0abc/0def"
EXISTING_ALARM = "vote-dev-api-latency"


def _deployment(strategy: str, create: bool, names: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "strategy": strategy, "min_healthy_percent": 100, "max_percent": 200, "bake_time": None if strategy == "ROLLING" else 10,
        "canary": None, "linear": None, "alarms": {"create": create, "names": names or []}, **fields,
    }


def _web(name: str, priority: int, deployment: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": "./modules/web-service",
        "name": f"vote-dev-{name}",
        "placement": _placement(("FARGATE", 1, 1)),
        "task": {**TASK, "image": "public.ecr.aws/aws-containers/hello-app-runner:latest", "port": 8000},
        "scaling": {"min": 1, "max": 4, "desired": 1, "cpu": 70},
        "deployment": deployment,
        "load_balancer": {"listener_arn": LISTENER, "security_group_id": Raw("aws_security_group.alb.id"), "arn_suffix": "app/vote/0abc"},
        "http": {"target_group_name": f"vote-dev-{name}", "path_pattern": f"/{name}/*", "priority": priority},
        "tags": TAGS,
    }


CALLS = {
    "green": _web("green", 100, _deployment("BLUE_GREEN", True)),
    "canary": _web("canary", 110, _deployment("CANARY", False, [EXISTING_ALARM], bake_time=5, canary={"percent": 12.5, "interval": 7})),
    "linear": _web("linear", 120, _deployment("LINEAR", False, linear={"percent": 20, "interval": 3})),
    "rolling": _web("rolling", 130, _deployment("ROLLING", True, min_healthy_percent=50, max_percent=150)),
    "worker": {
        "source": "./modules/worker-service",
        "name": "vote-dev-worker",
        "placement": _placement(("FARGATE_SPOT", 0, 1)),
        "task": {**TASK, "image": "public.ecr.aws/docker/library/busybox:stable", "port": None},
        "scaling": {"min": 1, "max": 1, "desired": 1, "backlog_per_task": 100},
        "deployment": _deployment("BLUE_GREEN", True, bake_time=0),
        "queue": {"visibility_timeout": 60, "max_receive_count": 5, "retention": 345600},
        "tags": TAGS,
    },
    "backend": {
        "source": "./modules/backend-service",
        "name": "vote-dev-results",
        "discovery_name": "results",
        "placement": _placement(("FARGATE", 0, 1)),
        "task": {**TASK, "image": "public.ecr.aws/docker/library/nginx:stable", "port": 8080},
        "scaling": {"min": 1, "max": 1, "desired": 1},
        "deployment": _deployment("CANARY", False, canary={"percent": 5, "interval": 10}),
        "tags": TAGS,
    },
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deployments")


@pytest.fixture(scope="module")
def deployed(base: Path) -> tuple[dict, Planned]:
    """The plan JSON (resource changes by address) and the applied state of every strategy."""
    _write_root(base / "root", CALLS, cluster="vote-dev")
    terraform = Terraform(base / "root", base / "data", offline=True)
    terraform.init()
    plan = base / "plan.tfplan"
    terraform.plan(plan, on_event=lambda event: None)
    changes = {c["address"]: c["change"] for c in terraform.show_json(plan)["resource_changes"]}
    terraform.apply(plan, on_event=lambda event: None)
    return changes, Planned(json.loads(terraform.run(["show", "-json", "-no-color"], capture=True).stdout), key="values")


def _service(state: Planned, label: str) -> dict:
    return state[f"module.{label}.module.service.aws_ecs_service.this"]


def test_blue_green_web_service_shifts_traffic_between_two_target_groups(deployed: tuple[dict, Planned]) -> None:
    changes, state = deployed
    service = _service(state, "green")
    assert service["deployment_configuration"] == [
        {"strategy": "BLUE_GREEN", "bake_time_in_minutes": "10", "canary_configuration": [], "linear_configuration": [], "lifecycle_hook": []}
    ]
    primary, alternate = state["module.green.aws_lb_target_group.this"], state["module.green.aws_lb_target_group.alternate[0]"]
    digest = hashlib.sha1(json.dumps([8000, "HTTP", "ip", primary["vpc_id"], "alternate"], separators=(",", ":")).encode()).hexdigest()[:6]
    assert alternate["name"] == f"vote-dev-green-{digest}" != primary["name"] and len(alternate["name"]) <= 32
    assert (alternate["port"], alternate["target_type"], alternate["health_check"]) == (primary["port"], "ip", primary["health_check"])
    rule = state["module.green.aws_lb_listener_rule.shifted[0]"]
    assert "module.green.aws_lb_listener_rule.this[0]" not in state and rule["priority"] == 100
    (action,) = rule["action"]
    weights = {group["arn"]: group["weight"] for group in action["forward"][0]["target_group"]}
    assert action["type"] == "forward" and weights == {primary["arn"]: 100, alternate["arn"]: 0}
    role = state["module.green.module.infrastructure_role[0].aws_iam_role.this"]
    trust = json.loads(role["assume_role_policy"])["Statement"]
    assert [(s["Principal"], s["Action"]) for s in trust] == [({"Service": "ecs.amazonaws.com"}, "sts:AssumeRole")]
    attachment = state['module.green.module.infrastructure_role[0].aws_iam_role_policy_attachment.this["load-balancers"]']
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
    (balancer,) = service["load_balancer"]
    assert balancer["target_group_arn"] == primary["arn"]
    assert balancer["advanced_configuration"] == [
        {"alternate_target_group_arn": alternate["arn"], "production_listener_rule": rule["arn"], "role_arn": role["arn"], "test_listener_rule": None}
    ]
    # the circuit breaker stays on; the alarms of both target groups and the CPU one roll back
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    assert service["alarms"] == [{
        "alarm_names": sorted(
            f"vote-dev-green-{a}" for a in ("5xx-rate-primary", "5xx-rate-alternate", "unhealthy-primary", "unhealthy-alternate", "cpu-high")
        ),
        "enable": True, "rollback": True,
    }]
    # ECS moves the weights: Terraform leaves the action alone, and a replaced group replaces the rule
    shifted = changes["module.green.aws_lb_listener_rule.shifted[0]"]
    assert shifted["actions"] == ["create"]
    assert service["force_new_deployment"] is True and service["wait_for_steady_state"] is True


def test_rollback_alarms_watch_both_target_groups_and_the_cpu(deployed: tuple[dict, Planned]) -> None:
    _, state = deployed
    groups = {"primary": state["module.green.aws_lb_target_group.this"], "alternate": state["module.green.aws_lb_target_group.alternate[0]"]}
    for key, group in groups.items():
        errors = state[f'module.green.aws_cloudwatch_metric_alarm.errors["{key}"]']
        assert (errors["threshold"], errors["comparison_operator"], errors["evaluation_periods"], errors["treat_missing_data"]) == (
            5, "GreaterThanOrEqualToThreshold", 3, "notBreaching")
        queries = {q["id"]: q for q in errors["metric_query"]}
        assert queries["rate"]["expression"] == "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)" and queries["rate"]["return_data"]
        for query, metric in (("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount")):
            (spec,) = queries[query]["metric"]
            assert (spec["namespace"], spec["metric_name"], spec["stat"], spec["period"]) == ("AWS/ApplicationELB", metric, "Sum", 60)
            assert spec["dimensions"] == {"LoadBalancer": "app/vote/0abc", "TargetGroup": group["arn_suffix"]}
        unhealthy = state[f'module.green.aws_cloudwatch_metric_alarm.unhealthy["{key}"]']
        assert (unhealthy["metric_name"], unhealthy["statistic"], unhealthy["threshold"], unhealthy["evaluation_periods"]) == (
            "UnHealthyHostCount", "Maximum", 1, 2)
        assert unhealthy["dimensions"] == {"LoadBalancer": "app/vote/0abc", "TargetGroup": group["arn_suffix"]}
    cpu = state["module.green.module.service.aws_cloudwatch_metric_alarm.cpu[0]"]
    assert (cpu["namespace"], cpu["metric_name"], cpu["statistic"], cpu["threshold"], cpu["comparison_operator"], cpu["evaluation_periods"]) == (
        "AWS/ECS", "CPUUtilization", "Average", 90, "GreaterThanThreshold", 3)
    assert cpu["dimensions"] == {"ClusterName": "vote-dev", "ServiceName": "vote-dev-green"}


def test_canary_and_linear_configurations(deployed: tuple[dict, Planned]) -> None:
    _, state = deployed
    canary = _service(state, "canary")
    assert canary["deployment_configuration"][0] | {"lifecycle_hook": []} == {
        "strategy": "CANARY", "bake_time_in_minutes": "5", "linear_configuration": [], "lifecycle_hook": [],
        "canary_configuration": [{"canary_percent": 12.5, "canary_bake_time_in_minutes": "7"}],
    }
    # existing alarms only: tfgen creates none
    assert canary["alarms"] == [{"alarm_names": [EXISTING_ALARM], "enable": True, "rollback": True}]
    assert not [a for a in state.by_address if a.startswith("module.canary.") and "metric_alarm" in a]
    linear = _service(state, "linear")
    assert linear["deployment_configuration"][0]["strategy"] == "LINEAR"
    assert linear["deployment_configuration"][0]["linear_configuration"] == [{"step_percent": 20, "step_bake_time_in_minutes": "3"}]
    assert linear["deployment_configuration"][0]["canary_configuration"] == []
    assert linear["alarms"] == []  # rollback_alarms: []
    alternate = state["module.linear.aws_lb_target_group.alternate[0]"]["arn"]
    assert linear["load_balancer"][0]["advanced_configuration"][0]["alternate_target_group_arn"] == alternate


def test_rolling_keeps_one_target_group_and_its_rule(deployed: tuple[dict, Planned]) -> None:
    changes, state = deployed
    service = _service(state, "rolling")
    assert (service["deployment_minimum_healthy_percent"], service["deployment_maximum_percent"]) == (50, 150)
    # no deployment_configuration block: the provider keeps ECS's ROLLING (computed)
    assert changes["module.rolling.module.service.aws_ecs_service.this"]["after"]["deployment_configuration"] == []
    assert "module.rolling.aws_lb_target_group.alternate[0]" not in state and "module.rolling.aws_lb_listener_rule.shifted[0]" not in state
    assert not [a for a in state.by_address if a.startswith("module.rolling.module.infrastructure_role")]
    rule = state["module.rolling.aws_lb_listener_rule.this[0]"]
    assert rule["action"][0]["target_group_arn"] == state["module.rolling.aws_lb_target_group.this"]["arn"]
    assert service["load_balancer"][0]["advanced_configuration"] == []
    assert service["alarms"][0]["alarm_names"] == sorted(f"vote-dev-rolling-{a}" for a in ("5xx-rate-primary", "unhealthy-primary", "cpu-high"))


def test_headless_and_service_connect_deployments(deployed: tuple[dict, Planned]) -> None:
    _, state = deployed
    worker = _service(state, "worker")
    assert worker["deployment_configuration"][0]["strategy"] == "BLUE_GREEN" and worker["deployment_configuration"][0]["bake_time_in_minutes"] == "0"
    assert worker["load_balancer"] == [] and worker["alarms"][0]["alarm_names"] == ["vote-dev-worker-cpu-high"]
    backend = _service(state, "backend")
    assert backend["deployment_configuration"][0]["canary_configuration"] == [{"canary_percent": 5, "canary_bake_time_in_minutes": "10"}]
    assert backend["service_connect_configuration"][0]["service"][0]["discovery_name"] == "results"
    assert backend["alarms"] == []



def _replan(base: Path, name: str, calls: dict[str, dict[str, Any]]) -> tuple[Terraform, Path, dict]:
    """A plan of `calls` from the state the fixture applied (then that state is this root's)."""
    _write_root(base / name, calls, cluster="vote-dev")
    terraform = Terraform(base / name, base / f"{name}-data", offline=True)
    terraform.state_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(Terraform(base / "root", base / "data", offline=True).state_path, terraform.state_path)
    terraform.init()
    plan = base / f"{name}.tfplan"
    terraform.plan(plan, on_event=lambda event: None)
    return terraform, plan, terraform.show_json(plan)


def test_replacing_the_target_groups_of_a_blue_green_service_is_refused_at_plan_time(deployed: tuple[dict, Planned], base: Path) -> None:
    """A port change replaces both target groups, and with them the production rule, created
    before the old one is deleted (Terraform makes it create-before-destroy like the groups): at
    the same priority AWS refuses it, so the gate does; through a free priority it applies."""
    calls = copy.deepcopy(CALLS)
    calls["green"]["task"]["port"] = 8001
    _, _, plan = _replan(base, "port", calls)
    actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    assert actions["module.green.aws_lb_listener_rule.shifted[0]"] == ["create", "delete"]
    failed = [r for r in run_plan_checks(plan, "plan.json") if r.result == "failed"]
    assert [(r.check_id, r.resource) for r in failed] == [("CKV_TFG_11", "module.green.aws_lb_listener_rule.shifted[0]")]
    calls["green"]["http"]["priority"] = 105
    terraform, saved, plan = _replan(base, "port-and-priority", calls)
    assert [r for r in run_plan_checks(plan, "plan.json") if r.result == "failed"] == []
    terraform.apply(saved, on_event=lambda event: None)
