"""`deployment` (SPEC §3.1, issue 15): what ECS refuses is refused first, located, with a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.blueprint.test_aws_rules import errors_of, write
from tfgen.blueprint.loader import load_blueprint
from tfgen.render import render_files

BLUEPRINT = """\
name: shop
region: eu-west-1
network: {{vpc: {{cidr: 10.0.0.0/16, azs: 2, nat: single}}}}
load_balancer: {{protocol: http}}
services:
  api:
    type: {type}
    image: busybox
{fields}
    deployment: {deployment}
environments:
  dev:
    account: "111111111111"
    state: {{bucket: shop-tfstate-dev}}
"""
RANGE = "ECS takes multiples of 0.1 from {low} to 100 (write a percent such as 10)"
FIELDS = {"web-service": "    port: 8000", "backend-service": "    port: 8080", "worker-service": "    count: 1", "scheduled-job": "    schedule: '@daily'"}


def blueprint(tmp_path: Path, deployment: str, type: str = "web-service", fields: str | None = None) -> Path:
    return write(tmp_path, BLUEPRINT.format(type=type, fields=FIELDS[type] if fields is None else fields, deployment=deployment))


def deployment_errors(tmp_path: Path, deployment: str, type: str = "web-service", fields: str | None = None) -> list[str]:
    return errors_of(blueprint(tmp_path, deployment, type, fields))


def values(tmp_path: Path, deployment: str, type: str = "web-service", fields: str | None = None) -> dict:
    files = render_files(load_blueprint(blueprint(tmp_path, deployment, type, fields)))
    return json.loads(files["env/dev.tfvars.json"])["api"]["deployment"]


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ("{strategy: rolling}", {"strategy": "ROLLING", "min_healthy_percent": 100, "max_percent": 200, "bake_time": None, "canary": None, "linear": None,
                                 "alarms": {"create": True, "names": []}}),
        ("{strategy: rolling, min_healthy_percent: 50, max_percent: 150, rollback_alarms: []}",
         {"strategy": "ROLLING", "min_healthy_percent": 50, "max_percent": 150, "bake_time": None, "canary": None, "linear": None,
          "alarms": {"create": False, "names": []}}),
        ("{strategy: blue-green}", {"strategy": "BLUE_GREEN", "min_healthy_percent": 100, "max_percent": 200, "bake_time": 10, "canary": None, "linear": None,
                                    "alarms": {"create": True, "names": []}}),
        ("{strategy: canary, bake_time: 0, rollback_alarms: [b-alarm, a-alarm, b-alarm]}",
         {"strategy": "CANARY", "min_healthy_percent": 100, "max_percent": 200, "bake_time": 0, "canary": {"percent": 5.0, "interval": 10}, "linear": None,
          "alarms": {"create": False, "names": ["a-alarm", "b-alarm"]}}),
        ("{strategy: linear, linear: {percent: 33.3, interval: 2}}",
         {"strategy": "LINEAR", "min_healthy_percent": 100, "max_percent": 200, "bake_time": 10, "canary": None, "linear": {"percent": 33.3, "interval": 2},
          "alarms": {"create": True, "names": []}}),
    ],
    ids=["rolling", "rolling-percents", "blue-green", "canary-defaults", "linear"],
)
def test_deployment_values(tmp_path: Path, deployment: str, expected: dict) -> None:
    assert values(tmp_path, deployment) == expected


def test_without_deployment_services_render_as_before(tmp_path: Path) -> None:
    path = write(tmp_path, BLUEPRINT.format(type="web-service", fields=FIELDS["web-service"], deployment="null"))
    rendered = json.loads(render_files(load_blueprint(path))["env/dev.tfvars.json"])["api"]["deployment"]
    assert rendered == {"strategy": "ROLLING", "min_healthy_percent": 100, "max_percent": 200, "bake_time": None, "canary": None, "linear": None,
                        "alarms": {"create": False, "names": []}}


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ("{strategy: canary, canary: {percent: 0.05}}",
         "FILE:10:54: services.api.deployment.canary.percent: a canary percent is 0.05: " + RANGE.format(low="0.1")),
        ("{strategy: canary, canary: {percent: 12.34}}",
         "FILE:10:54: services.api.deployment.canary.percent: a canary percent is 12.34: " + RANGE.format(low="0.1")),
        ("{strategy: linear, linear: {percent: 2}}",
         "FILE:10:54: services.api.deployment.linear.percent: a linear step percent is 2: " + RANGE.format(low="3")),
        ("{strategy: linear, linear: {interval: 1441}}", "FILE:10:55: services.api.deployment.linear.interval: must be at most 1440, got 1441"),
        ("{strategy: blue-green, bake_time: -1}", "FILE:10:51: services.api.deployment.bake_time: must be at least 0, got -1"),
        ("{strategy: blue-grene}",
         "FILE:10:28: services.api.deployment.strategy: expected one of 'rolling', 'blue-green', 'canary', 'linear', got 'blue-grene' "
         "(did you mean 'blue-green'?)"),
    ],
    ids=["canary-too-small", "canary-not-tenths", "linear-too-small", "interval-too-long", "negative-bake", "unknown-strategy"],
)
def test_ecs_ranges_are_checked_where_they_are_written(tmp_path: Path, deployment: str, expected: str) -> None:
    assert deployment_errors(tmp_path, deployment) == [expected]


@pytest.mark.parametrize(
    ("deployment", "message", "hint"),
    [
        ("{strategy: blue-green, max_percent: 150}", "max_percent applies to rolling deployments", "drop max_percent, or write strategy: rolling"),
        ("{bake_time: 5}", "bake_time applies to blue-green, canary and linear deployments", "drop bake_time, or write strategy: blue-green"),
        ("{strategy: blue-green, canary: {percent: 10}}", "canary settings apply to strategy canary only (this is blue-green)",
         "drop canary, or write strategy: canary"),
        ("{min_healthy_percent: 100, max_percent: 100}", "max_percent (100) must be greater than min_healthy_percent (100)",
         "write, e.g., min_healthy_percent: 100"),
    ],
    ids=["percent-with-blue-green", "bake-with-rolling", "canary-with-blue-green", "no-room"],
)
def test_fields_of_another_strategy_are_refused(tmp_path: Path, deployment: str, message: str, hint: str) -> None:
    (line,) = deployment_errors(tmp_path, deployment)
    assert line.startswith("FILE:10:17: services.api.deployment: ") and message in line and f"({hint}" in line


@pytest.mark.parametrize(
    ("type", "fields", "what"),
    [("worker-service", None, "a worker-service"), ("backend-service", "    count: 1", "a backend-service without a port")],
)
@pytest.mark.parametrize("strategy", ["canary", "linear"])
def test_headless_services_refuse_canary_and_linear(tmp_path: Path, type: str, fields: str | None, what: str, strategy: str) -> None:
    (line,) = deployment_errors(tmp_path, f"{{strategy: {strategy}}}", type, fields)
    shifts = f"a {strategy} deployment shifts traffic through a load balancer or Service Connect, and {what} has neither"
    assert line.startswith(f"FILE:10:17: services.api.deployment: {shifts}")
    assert "(write strategy: blue-green" in line


def test_headless_blue_green_and_service_connect_canary_are_allowed(tmp_path: Path) -> None:
    assert values(tmp_path, "{strategy: blue-green}", "worker-service")["strategy"] == "BLUE_GREEN"
    assert values(tmp_path, "{strategy: blue-green}", "backend-service", "    count: 1")["strategy"] == "BLUE_GREEN"
    assert values(tmp_path, "{strategy: canary}", "backend-service")["canary"] == {"percent": 5.0, "interval": 10}


def test_scheduled_jobs_have_no_deployment(tmp_path: Path) -> None:
    (line,) = deployment_errors(tmp_path, "{strategy: rolling}", "scheduled-job")
    assert line.startswith("FILE:10:5: services.api.deployment: unknown key 'deployment'")


def test_the_production_rule_takes_another_priority_of_the_same_specificity(tmp_path: Path) -> None:
    """A switch between rolling and blue-green deletes one rule and creates the other in one apply,
    in no set order: the two never share a priority, and the route's specificity level stays."""
    from tfgen.services.web import _SLOTS, derived_priority

    for name in ("api", "vote-api", "shop", "a", "web-1"):
        rolling = load_blueprint(blueprint(tmp_path, "{strategy: rolling}")).blueprint.services["api"]
        shifted = load_blueprint(blueprint(tmp_path, "{strategy: canary}")).blueprint.services["api"]
        one, other = derived_priority(name, rolling), derived_priority(name, shifted)  # type: ignore[arg-type]
        assert one != other and abs(one - other) < _SLOTS  # another slot of the same specificity


def test_scaling_on_requests_with_shifted_traffic_is_a_located_warning(tmp_path: Path) -> None:
    fields = "    port: 8000\n    count: {min: 1, max: 3, requests: 100}"
    path = blueprint(tmp_path, "{strategy: blue-green}", fields=fields)
    (warning,) = [str(w).replace(str(path), "FILE") for w in load_blueprint(path).warnings]
    assert warning.startswith("FILE:10:39: services.api.count.requests: in environment 'dev': scaling on requests per task reads")
    assert "a blue-green deployment moves production traffic to the other one" in warning and "(scale on cpu or memory" in warning
    assert load_blueprint(blueprint(tmp_path, "{strategy: rolling}", fields=fields)).warnings == []
