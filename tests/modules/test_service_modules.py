"""The service modules (modules/ecs-task, ecs-service, web-service, backend-service,
worker-service, scheduled-job): conventions, `terraform fmt`, real `terraform validate`, and real
offline plans (and an apply, for values known only then) asserting the promises of SPEC §4/§5.

Terraform runs for real against tfgen's offline stand-in for hashicorp/aws.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tfgen.services import SERVICE_MODULES
from tfgen.services import SERVICE_TYPES as REGISTRY
from tfgen.terraform import Terraform, TerraformError, find_terraform

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODULES_DIR = PROJECT_ROOT / "modules"
BUILDING_BLOCKS = list(SERVICE_MODULES)
SERVICE_TYPES = [descriptor.module for descriptor in REGISTRY.values()]
MODULES = BUILDING_BLOCKS + SERVICE_TYPES

# modules/README.md: the outputs each service module promises the renderer.
README_OUTPUTS = {
    "ecs-task": {
        "task_definition_arn",
        "task_definition_family_arn",
        "family",
        "container_name",
        "port_name",
        "execution_role_arn",
        "task_role_arn",
        "task_role_name",
        "log_group_name",
        "enable_execute_command",
        "log_retention_days",
    },
    "ecs-service": {"service_name", "service_arn", "security_group_id", "scaling_resource_id"},
    "task-security-group": {"id"},
    "iam-role": {"arn", "name", "id"},
    "web-service": {"service_name", "target_group_arn", "security_group_id", "task_role_arn"},
    "backend-service": {"service_name", "security_group_id", "discovery_name", "dns_name"},
    "worker-service": {"service_name", "queue_url", "queue_arn", "dead_letter_queue_url"},
    "scheduled-job": {"schedule_name", "task_definition_arn", "state_machine_arn"},
}
# modules/README.md: the one module interface of the four service-type modules.
SHARED_INPUTS = {"name", "placement", "task", "tags"}
TYPE_INPUTS = {
    "web-service": {"scaling", "deployment", "load_balancer", "http"},
    "backend-service": {"scaling", "deployment", "discovery_name", "dns_namespace"},
    "worker-service": {"scaling", "deployment", "queue"},
    "scheduled-job": {"schedule"},
}


def _ignore(_directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n.startswith(".terraform") or n == ".tfgen"}


def _unquote(value: Any) -> Any:
    """python-hcl2 (v7+) keeps the quotes of string literals: drop them."""
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _load(module: str) -> dict[str, dict]:
    return {path.name: _unquote(hcl2.loads(path.read_text())) for path in sorted((MODULES_DIR / module).glob("*.tf"))}


def _blocks(parsed: dict[str, dict], kind: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for document in parsed.values():
        for block in document.get(kind, []):
            found.update(block)
    return found


# --- conventions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_module_layout_and_documentation(module: str) -> None:
    directory = MODULES_DIR / module
    assert sorted(p.name for p in directory.glob("*.tf")) == ["main.tf", "outputs.tf", "variables.tf", "versions.tf"]
    parsed = _load(module)

    versions = parsed["versions.tf"]["terraform"][0]
    assert versions["required_version"] == ">= 1.6"
    aws = versions["required_providers"][0]["aws"]
    # ecs-service sets CANARY and LINEAR deployment strategies, which provider 6.21 added
    assert aws["source"] == "hashicorp/aws" and aws["version"] == (">= 6.21" if module == "ecs-service" else ">= 6.0")

    variables = _blocks(parsed, "variable")
    assert variables, module
    for name, body in variables.items():
        assert body.get("type"), f"{module}: variable {name} has no type"
        assert body.get("description", "").strip(), f"{module}: variable {name} has no description"
    outputs = _blocks(parsed, "output")
    for name, body in outputs.items():
        assert body.get("description", "").strip(), f"{module}: output {name} has no description"
    assert README_OUTPUTS[module] <= set(outputs), f"{module}: missing outputs {README_OUTPUTS[module] - set(outputs)}"
    if module in SERVICE_TYPES:
        expected = SHARED_INPUTS | TYPE_INPUTS[module]
        assert expected <= set(variables), f"{module}: missing inputs {expected - set(variables)}"


@pytest.mark.parametrize("module", SERVICE_TYPES)
def test_service_types_compose_the_building_blocks(module: str) -> None:
    calls = _blocks(_load(module), "module")
    assert calls["task"]["source"] == "../ecs-task"
    if module != "scheduled-job":
        assert calls["service"]["source"] == "../ecs-service"


def test_count_only_switches_optional_pieces() -> None:
    """`count` is only ever the `cond ? 1 : 0` switch of an optional piece, never arithmetic."""
    for module in MODULES:
        for path in (MODULES_DIR / module).glob("*.tf"):
            for line in path.read_text().splitlines():
                match = re.match(r"\s*count\s*=\s*(.+)$", line)
                if match:
                    assert re.fullmatch(r".+\?\s*[01]\s*:\s*[01]", match.group(1)), f"{path}: {line.strip()}"


@pytest.mark.parametrize("module", MODULES)
def test_fmt_clean(module: str) -> None:
    result = subprocess.run(
        [*find_terraform(), "fmt", "-check", "-recursive", "-diff"],
        cwd=MODULES_DIR / module,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- terraform validate, each module on its own ---------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_validate_standalone(module: str, tmp_path: Path) -> None:
    """`terraform init` + `validate` of the module directory itself (every input unknown).

    Offline, Terraform runs in ``<data_dir>/offline-root``; with the copied modules directory as
    the data directory, that is a sibling of the modules and ``../ecs-task`` still resolves."""
    tree = tmp_path / "modules"
    shutil.copytree(MODULES_DIR, tree, ignore=_ignore)
    Terraform(tree / module, tree, offline=True).validate()


# --- offline plans of every service type ----------------------------------------------------------

class Raw(str):
    """An HCL expression, written as is."""


# What the renderer's root passes comes from other modules: unknown until apply, as here.
PRELUDE = """
resource "aws_ecs_cluster" "this" {
  name = "%(cluster)s"
}

resource "aws_service_discovery_http_namespace" "this" {
  name = "%(cluster)s"
}

resource "aws_security_group" "services" {
  name        = "%(cluster)s-services"
  description = "shared services group"
  vpc_id      = "vpc-0abc1234"
}

resource "aws_security_group" "alb" {
  name        = "%(cluster)s-alb"
  description = "load balancer"
  vpc_id      = "vpc-0abc1234"
}

resource "aws_service_discovery_private_dns_namespace" "internal" {
  name = "%(cluster)s.internal"
  vpc  = "vpc-0abc1234"
}
"""

PLACEMENT = {
    "cluster_arn": Raw("aws_ecs_cluster.this.arn"),
    "cluster_name": Raw("aws_ecs_cluster.this.name"),
    "vpc_id": "vpc-0abc1234",
    "subnet_ids": ["subnet-0aaa", "subnet-0bbb"],
    "services_security_group_id": Raw("aws_security_group.services.id"),
    "service_connect_namespace_arn": Raw("aws_service_discovery_http_namespace.this.arn"),
}
TASK = {
    "cpu": 256,
    "memory": 512,
    "command": None,
    "environment": {},
    "secrets": {},
    "readonly_root_filesystem": True,
    "enable_execute_command": False,
    "log_retention_days": 30,
}
TAGS = {"team": "voting"}
DB_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
API_PARAMETER = "arn:aws:ssm:eu-west-1:111111111111:parameter/vote/api-key"
KMS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OPS_TOPIC = "arn:aws:sns:eu-west-1:111111111111:ops"
OPS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


# Issue 14's fields, on prod's backend (and the job's egress): what the renderer passes for them.
SEND_QUEUE = {"arn": "arn:aws:sqs:eu-west-1:111111111111:vote-prod-jobs", "url": "https://sqs.eu-west-1.amazonaws.com/111111111111/vote-prod-jobs"}
TABLE = "arn:aws:dynamodb:eu-west-1:111111111111:table/votes"
ISSUE_14_TASK = {
    "cpu_architecture": "ARM64",
    "entrypoint": ["/docker-entrypoint.sh"],
    "command": ["nginx", "-g", "daemon off;"],
    "healthcheck": {"command": ["CMD-SHELL", "curl -fs http://localhost/ || exit 1"], "interval": 10, "timeout": 5, "retries": 3, "start_period": 30},
    "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    "policy_statements": [
        {"effect": "Allow", "actions": ["dynamodb:GetItem"], "resources": [TABLE], "conditions": []},
        {
            "effect": "Deny",
            "actions": ["dynamodb:DeleteTable"],
            "resources": [TABLE],
            "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
        },
    ],
    "send_queues": {"JOBS_QUEUE_URL": SEND_QUEUE},
    # EFS: uploads through an access point (root directory left to the default "/"), reports read-only from a directory.
    "volumes": {
        "uploads": {"path": "/var/uploads", "file_system_id": "fs-0123456789abcdef0", "access_point_id": "fsap-0123456789abcdef0"},
        "reports": {"path": "/srv/reports", "read_only": True, "file_system_id": "fs-0fedcba9876543210", "root_directory": "/reports"},
    },
    "env_file": "arn:aws:s3:::vote-config/results.env",
    # otel: essential (the default), waited for until healthy; migrate: runs once, waited for until it succeeds
    "sidecars": {
        "otel": {
            "image": "public.ecr.aws/aws-observability/aws-otel-collector:latest",
            "port": 4317,
            "environment": {"AWS_REGION": "eu-west-1"},
            "secrets": {"OTEL_TOKEN": "/vote/otel-token", "DB_PASSWORD": DB_SECRET + ":password::"},
            "healthcheck": {"command": ["CMD", "/healthcheck"], "interval": 5, "timeout": 2, "retries": 3, "start_period": None},
            "cpu": 64,
            "memory_reservation": 128,
            "writable_paths": ["/tmp"],
        },
        "migrate": {"image": "public.ecr.aws/docker/library/busybox:stable", "essential": False, "command": ["sh", "-c", "echo migrated"]},
    },
    "depends_on": {"otel": "HEALTHY", "migrate": "SUCCESS"},
}
ENV_FILE = "arn:aws:s3:::vote-config/results.env"
SERVICE_NETWORK = {
    "security_group_ids": ["sg-0123456789abcdef0"],
    # the renderer adds NFS to the VPC's CIDR block (or the mount targets' group) for the EFS volumes
    "egress": [{"cidr_ipv4": "10.20.0.0/16", "security_group_id": None, "ports": [5432, 5433]}, {"cidr_ipv4": "10.0.0.0/16", "ports": [2049]}],
}
JOB_EGRESS = {"cidr_ipv4": None, "security_group_id": "sg-0fedcba9876543210", "ports": [6379]}


def _placement(*providers: tuple[str, int, int]) -> dict[str, Any]:
    return {**PLACEMENT, "capacity_provider_strategy": [{"capacity_provider": p, "base": base, "weight": weight} for p, base, weight in providers]}


def _calls(env: str) -> dict[str, dict[str, Any]]:
    """Module calls as the renderer writes them: prod with ranges and every option, dev minimal."""
    prod = env == "prod"
    name = f"vote-{env}"
    web = {
        "name": f"{name}-vote-api",
        "placement": _placement(("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)),
        "task": {
            **TASK,
            "image": "public.ecr.aws/aws-containers/hello-app-runner:latest",
            "port": 8000,
            "environment": {"LOG_LEVEL": "info"},
            "secrets": {"DB_PASSWORD": DB_SECRET + ":password::", "API_KEY": API_PARAMETER} if prod else {},
            "enable_execute_command": prod,
            # /var/lib/amazon is also one of ECS Exec's directories: one volume for it, not two
            "writable_paths": ["/tmp", "/var/lib/amazon"] if prod else [],
            # with ECS Exec a sidecar's agent directories are scratch volumes of its own too
            "sidecars": {"envoy": {"image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod", "writable_paths": ["/tmp"]}} if prod else {},
        },
        "scaling": {"min": 3, "max": 20, "desired": 3, "cpu": 70, "memory": 80, "requests": 1000} if prod else {"min": 1, "max": 1, "desired": 1},
        "load_balancer": {
            "listener_arn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/vote/0abc/0def",
            "security_group_id": Raw("aws_security_group.alb.id"),
            "arn_suffix": "app/vote/0abc",
        },
        "http": {
            "target_group_name": f"{name}-vote-api",
            "path_pattern": "/api/*",
            "host_headers": ["vote.example.com", "www.vote.example.com"] if prod else [],
            "priority": 100,
            "health_check": {
                "path": "/health", "port": 8081 if prod else None, "success_codes": "200-299", "interval": 15, "timeout": 5,
                "healthy_threshold": 2, "unhealthy_threshold": 3, "grace_period": 90,
            },
        },
    }
    backend = {
        "name": f"{name}-results",
        "discovery_name": "results",
        "placement": {**_placement((f"{name}-ec2", 0, 1)), **SERVICE_NETWORK} if prod else _placement(("FARGATE", 0, 1)),
        "task": {**TASK, "image": "public.ecr.aws/docker/library/nginx:stable", "port": 8080, **(ISSUE_14_TASK if prod else {})},
        "scaling": {"min": 2, "max": 6, "desired": 2, "cpu": 60} if prod else {"min": 1, "max": 1, "desired": 1},
    }
    if prod:  # dev: no namespace, the backend is reached through Service Connect only
        backend["dns_namespace"] = {
            "id": Raw("aws_service_discovery_private_dns_namespace.internal.id"),
            "name": Raw("aws_service_discovery_private_dns_namespace.internal.name"),
        }
    worker = {
        "name": f"{name}-vote-worker",
        "placement": _placement(("FARGATE_SPOT", 0, 1)),
        "task": {**TASK, "image": "public.ecr.aws/docker/library/busybox:stable", "port": None, "command": ["sh", "-c", "while true; do sleep 60; done"]},
        "scaling": {"min": 0, "max": 20, "desired": 0, "backlog_per_task": 100} if prod else {"min": 1, "max": 1, "desired": 1, "backlog_per_task": 100},
        "queue": {"visibility_timeout": 60, "max_receive_count": 5, "retention": 345600},
    }
    job = {
        "name": f"{name}-tally",
        "placement": {**_placement(("FARGATE", 0, 1)), "egress": [JOB_EGRESS]} if prod else _placement(("FARGATE", 0, 1)),
        "task": {
            **TASK,
            "image": "public.ecr.aws/docker/library/busybox:stable",
            "port": None,
            # a bare parameter name is one of the environment's own account and region
            "secrets": {"DB_PASSWORD": DB_SECRET, "API_TOKEN": "/vote/api-token"} if prod else {},
            "kms_keys": [KMS_KEY] if prod else [],
            "ephemeral_storage": 50 if prod else None,
        },
        "schedule": {
            "expression": "cron(0 * * * ? *)",
            "timezone": "Europe/Berlin" if prod else None,
            "timeout": 600 if prod else None,
            "retries": {"max_attempts": 2, "interval_seconds": 30, "backoff_rate": 1.5} if prod else None,
            "notify": {"topic_arn": OPS_TOPIC, "kms_key_arn": OPS_KEY} if prod else None,
        },
    }
    return {
        label: {"source": f"./modules/{module}", **arguments, "tags": TAGS}
        for label, module, arguments in (
            ("web", "web-service", web),
            ("backend", "backend-service", backend),
            ("worker", "worker-service", worker),
            ("job", "scheduled-job", job),
        )
    }


def _hcl(value: Any) -> str:
    # JSON is valid HCL for strings, numbers, bools, null, lists and objects; Raw expressions go in as they are.
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return json.dumps(value)


def _write_root(root: Path, calls: dict[str, dict[str, Any]], cluster: str) -> None:
    root.mkdir(parents=True)
    shutil.copytree(MODULES_DIR, root / "modules", ignore=_ignore)
    lines = ['provider "aws" {', '  region = "eu-west-1"', "}", PRELUDE % {"cluster": cluster}]
    for label, arguments in calls.items():
        lines.append(f'module "{label}" {{')
        lines.extend(f"  {key} = {_hcl(value)}" for key, value in arguments.items())
        lines += ["}", ""]
    (root / "main.tf").write_text("\n".join(lines))


def _resources(module: dict) -> Iterator[dict]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


class Planned:
    """The planned (or applied) resources of a plan/state JSON, by address."""

    def __init__(self, document: dict, key: str = "planned_values") -> None:
        self.by_address = {r["address"]: r for r in _resources(document[key]["root_module"]) if r["mode"] == "managed"}

    def __getitem__(self, address: str) -> dict:
        return self.by_address[address]["values"]

    def __contains__(self, address: str) -> bool:
        return address in self.by_address

    def of_type(self, type_name: str, prefix: str = "") -> dict[str, dict]:
        return {a: r["values"] for a, r in self.by_address.items() if r["type"] == type_name and a.startswith(prefix)}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Planned]:
    """Every service type, per environment, planned offline (``<env>-plan``: the plan, where
    unknown inputs must not upset any count or for_each) and applied (``<env>``: the state, where
    every value, policy JSON included, is known)."""
    results: dict[str, Planned] = {}
    for env in ("dev", "prod"):
        base = tmp_path_factory.mktemp(f"services-{env}")
        _write_root(base / "root", _calls(env), cluster=f"vote-{env}")
        terraform = Terraform(base / "root", base / "data", offline=True)
        terraform.init()
        plan = base / "plan.tfplan"
        terraform.plan(plan, on_event=lambda event: None)
        results[f"{env}-plan"] = Planned(terraform.show_json(plan))
        terraform.apply(plan, on_event=lambda event: None)
        results[env] = Planned(json.loads(terraform.run(["show", "-json", "-no-color"], capture=True).stdout), key="values")
    return results


def _id(plan: Planned, address: str) -> str:
    return plan[address]["id"]


def _policy(document: str) -> list[dict]:
    statements = json.loads(document)["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_service_is_private_and_rolls_back(planned: dict[str, Planned], env: str) -> None:
    plan = planned[env]
    services = plan.of_type("aws_ecs_service")
    assert len(services) == 3
    for address, service in services.items():
        network = service["network_configuration"][0]
        assert network["assign_public_ip"] is False, address
        assert sorted(network["subnets"]) == ["subnet-0aaa", "subnet-0bbb"]
        assert _id(plan, "aws_security_group.services") in network["security_groups"], address
        assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}], address
        assert service["propagate_tags"] == "SERVICE" and service["enable_ecs_managed_tags"] is True
        assert service["wait_for_steady_state"] is True and service["force_new_deployment"] is True
        assert service["capacity_provider_strategy"], address
        connect = service["service_connect_configuration"][0]
        assert connect["enabled"] is True and connect["namespace"] == plan["aws_service_discovery_http_namespace.this"]["arn"]
    web = plan["module.web.module.service.aws_ecs_service.this"]
    assert web["health_check_grace_period_seconds"] == 90
    assert web["load_balancer"][0]["container_name"] == "app" and web["load_balancer"][0]["container_port"] == 8000
    backend = plan["module.backend.module.service.aws_ecs_service.this"]
    assert backend["health_check_grace_period_seconds"] is None and backend["load_balancer"] == []
    server = backend["service_connect_configuration"][0]["service"]
    assert [(s["port_name"], s["discovery_name"], s["client_alias"][0]["dns_name"], s["client_alias"][0]["port"]) for s in server] == [
        ("app", "results", "results", 8080)
    ]
    assert plan["module.worker.module.service.aws_ecs_service.this"]["service_connect_configuration"][0]["service"] == []
    assert plan["module.web.module.service.aws_ecs_service.this"]["enable_execute_command"] is (env == "prod")


def test_scheduled_job_runs_privately(planned: dict[str, Planned]) -> None:
    plan = planned["prod"]
    schedule = plan["module.job.aws_scheduler_schedule.this"]
    assert (schedule["name"], schedule["group_name"], schedule["state"]) == ("vote-prod-tally", "default", "ENABLED")
    assert (schedule["schedule_expression"], schedule["schedule_expression_timezone"]) == ("cron(0 * * * ? *)", "Europe/Berlin")
    assert schedule["flexible_time_window"] == [{"maximum_window_in_minutes": None, "mode": "OFF"}]
    assert planned["dev"]["module.job.aws_scheduler_schedule.this"]["schedule_expression_timezone"] == "UTC"
    assert not plan.of_type("aws_cloudwatch_event_rule") and not plan.of_type("aws_cloudwatch_event_target")
    # The schedule starts a state machine that runs the task and stops it at the job's timeout; its
    # definition is known at plan time (what the policy checks read).
    assert json.loads(planned["prod-plan"]["module.job.aws_sfn_state_machine.this"]["definition"]) == json.loads(
        plan["module.job.aws_sfn_state_machine.this"]["definition"]
    )
    machine = plan["module.job.aws_sfn_state_machine.this"]
    definition = json.loads(machine["definition"])
    state = definition["States"][definition["StartAt"]]
    assert state["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    assert state["TimeoutSeconds"] == 600
    assert state["Parameters"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert machine["logging_configuration"][0]["include_execution_data"] is True
    assert machine["tracing_configuration"] == [{"enabled": True}]
    assert plan["module.job.aws_cloudwatch_log_group.runs"]["retention_in_days"] == 30


def test_scheduled_job_retries_and_notifies(planned: dict[str, Planned]) -> None:
    """A failed task is retried with backoff (not a timeout); what still fails is published to the
    topic, then the execution fails with the run's own error."""
    definition = json.loads(planned["prod-plan"]["module.job.aws_sfn_state_machine.this"]["definition"])
    assert set(definition["States"]) == {"RunTask", "NotifyFailure", "RunFailed"}
    run = definition["States"]["RunTask"]
    assert run["Retry"] == [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 1.5}]
    assert run["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "NotifyFailure"}]
    assert run["End"] is True
    notify = definition["States"]["NotifyFailure"]
    assert (notify["Type"], notify["Resource"], notify["Next"]) == ("Task", "arn:aws:states:::sns:publish", "RunFailed")
    assert notify["ResultPath"] is None  # the run's error passes on to the Fail state
    assert notify["Parameters"]["TopicArn"] == OPS_TOPIC
    assert notify["Parameters"]["Subject"] == "vote-prod-tally: scheduled run failed"
    message = notify["Parameters"]["Message.$"]
    assert message.startswith("States.Format('The scheduled job vote-prod-tally failed with {}: {} (execution {})'")
    assert message.endswith("$.error.Error, $.error.Cause, $$.Execution.Id)")
    assert definition["States"]["RunFailed"] == {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}


def test_scheduled_job_without_timeout_runs_until_the_task_ends(planned: dict[str, Planned]) -> None:
    definition = json.loads(planned["dev-plan"]["module.job.aws_sfn_state_machine.this"]["definition"])
    assert list(definition["States"]) == ["RunTask"]
    run = definition["States"]["RunTask"]
    assert "TimeoutSeconds" not in run and "Retry" not in run and "Catch" not in run
    assert definition["Comment"] == "Runs one task of vote-dev-tally"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_task_definitions(planned: dict[str, Planned], env: str) -> None:
    plan = planned[env]
    definitions = plan.of_type("aws_ecs_task_definition")
    assert len(definitions) == 4
    for address, definition in definitions.items():
        assert definition["network_mode"] == "awsvpc", address
        assert definition["cpu"] == "256" and definition["memory"] == "512"
    assert plan["module.web.module.task.aws_ecs_task_definition.this"]["requires_compatibilities"] == ["FARGATE"]
    backend = plan["module.backend.module.task.aws_ecs_task_definition.this"]["requires_compatibilities"]
    assert backend == (["EC2"] if env == "prod" else ["FARGATE"])

    container, *sidecars = json.loads(plan["module.web.module.task.aws_ecs_task_definition.this"]["container_definitions"])
    assert [sidecar["name"] for sidecar in sidecars] == (["envoy"] if env == "prod" else [])
    assert container["essential"] is True and container["readonlyRootFilesystem"] is True
    assert "privileged" not in container
    assert container["portMappings"] == [{"name": "app", "containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {"awslogs-group": f"/ecs/vote-{env}-vote-api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs"},
    }
    assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    if env == "prod":
        assert container["secrets"] == [
            {"name": "API_KEY", "valueFrom": API_PARAMETER},
            {"name": "DB_PASSWORD", "valueFrom": DB_SECRET + ":password::"},
        ]
        assert container["linuxParameters"] == {"initProcessEnabled": True}
        # The declared writable paths and ECS Exec's agent directories are task scratch volumes; the
        # root stays read-only.
        assert sorted((m["sourceVolume"], m["containerPath"], m["readOnly"]) for m in container["mountPoints"]) == [
            ("scratch-0", "/tmp", False),
            ("scratch-1", "/var/lib/amazon", False),
            ("scratch-2", "/var/log/amazon", False),
        ]
        (envoy,) = sidecars
        assert envoy["linuxParameters"] == {"initProcessEnabled": True} and envoy["readonlyRootFilesystem"] is True
        assert [(m["sourceVolume"], m["containerPath"], m["readOnly"]) for m in envoy["mountPoints"]] == [
            ("envoy-scratch-0", "/tmp", False),
            ("envoy-scratch-1", "/var/lib/amazon", False),
            ("envoy-scratch-2", "/var/log/amazon", False),
        ]
        volumes = plan["module.web.module.task.aws_ecs_task_definition.this"]["volume"]
        assert sorted(v["name"] for v in volumes) == ["envoy-scratch-0", "envoy-scratch-1", "envoy-scratch-2", "scratch-0", "scratch-1", "scratch-2"]
        assert all(v["host_path"] is None for v in volumes)
    else:
        assert container["secrets"] == [] and "linuxParameters" not in container and "mountPoints" not in container
        assert plan["module.web.module.task.aws_ecs_task_definition.this"]["volume"] == []
    assert "command" not in container
    for address, group in plan.of_type("aws_cloudwatch_log_group").items():
        assert group["retention_in_days"] == 30, address
        if ".module.task." in address:  # container logs; the job's run history goes to /aws/vendedlogs/states/
            assert group["name"].startswith(f"/ecs/vote-{env}-"), address


def test_issue_14_fields_reach_the_resources(planned: dict[str, Planned]) -> None:
    """prod's backend: ARM64 runtime platform, entry point, command and health check in the
    container, the permissions on its task role, the queue it sends to, extra groups and egress;
    dev's backend (none of them) renders as before."""
    applied = planned["prod"]
    definition = applied["module.backend.module.task.aws_ecs_task_definition.this"]
    assert definition["runtime_platform"] == [{"operating_system_family": "LINUX", "cpu_architecture": "ARM64"}]
    container, *_sidecars = json.loads(definition["container_definitions"])
    assert (container["entryPoint"], container["command"]) == (["/docker-entrypoint.sh"], ["nginx", "-g", "daemon off;"])
    check = {"command": ["CMD-SHELL", "curl -fs http://localhost/ || exit 1"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 30}
    assert container["healthCheck"] == check
    assert {"name": "JOBS_QUEUE_URL", "value": SEND_QUEUE["url"]} in container["environment"]
    role = "module.backend.module.task.module.task_role"
    (attachment,) = applied.of_type("aws_iam_role_policy_attachment", role).values()
    assert (attachment["policy_arn"], attachment["role"]) == ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "vote-prod-results-task")
    permissions = _policy(applied[f'{role}.aws_iam_role_policy.this["permissions"]']["policy"])
    assert permissions == [
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE},
        {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": TABLE, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]
    (send,) = _policy(applied[f'{role}.aws_iam_role_policy.this["send-queues"]']["policy"])
    assert (send["Action"], send["Resource"]) == (["sqs:GetQueueUrl", "sqs:SendMessage"], SEND_QUEUE["arn"])
    (network,) = applied["module.backend.module.service.aws_ecs_service.this"]["network_configuration"]
    assert len(network["security_groups"]) == 3 and "sg-0123456789abcdef0" in network["security_groups"]
    egress = {
        a: (r["cidr_ipv4"], r["referenced_security_group_id"], r["from_port"])
        for a, r in applied.of_type("aws_vpc_security_group_egress_rule").items()
        if ".declared[" in a
    }
    assert egress == {
        'module.backend.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["10.20.0.0/16:5432"]': ("10.20.0.0/16", None, 5432),
        'module.backend.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["10.20.0.0/16:5433"]': ("10.20.0.0/16", None, 5433),
        'module.backend.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["10.0.0.0/16:2049"]': ("10.0.0.0/16", None, 2049),
        'module.job.module.security_group.aws_vpc_security_group_egress_rule.declared["sg-0fedcba9876543210:6379"]': (None, "sg-0fedcba9876543210", 6379),
    }
    dev = planned["dev"]
    assert dev["module.backend.module.task.aws_ecs_task_definition.this"]["runtime_platform"] == []
    assert not dev.of_type("aws_iam_role_policy_attachment", role) and not [a for a in dev.of_type("aws_vpc_security_group_egress_rule") if ".declared[" in a]


def test_storage_reaches_the_resources(planned: dict[str, Planned]) -> None:
    """prod's backend mounts two EFS volumes (transit encryption, IAM authorization), its task role may
    mount exactly those file systems (write only the writable one, through its access point), NFS goes
    out on 2049; prod's job has 50 GiB of task storage. dev's (neither) render as before."""
    ENCRYPTED = {"transit_encryption": "ENABLED", "transit_encryption_port": None}
    for env, key in (("prod-plan", "plan"), ("prod", "state")):
        definition = planned[env]["module.backend.module.task.aws_ecs_task_definition.this"]
        efs = {v["name"]: v["efs_volume_configuration"] for v in definition["volume"] if v["efs_volume_configuration"]}
        assert efs == {
            "uploads": [{**ENCRYPTED, "file_system_id": "fs-0123456789abcdef0", "root_directory": "/",
                         "authorization_config": [{"access_point_id": "fsap-0123456789abcdef0", "iam": "ENABLED"}]}],
            "reports": [{**ENCRYPTED, "file_system_id": "fs-0fedcba9876543210", "root_directory": "/reports",
                         "authorization_config": [{"access_point_id": None, "iam": "ENABLED"}]}],
        }, key
        container = json.loads(definition["container_definitions"])[0]  # the service's, before its sidecars
        # The root stays read-only (CKV_AWS_336); the EFS paths are writable unless read_only.
        assert container["readonlyRootFilesystem"] is True
        assert container["mountPoints"] == [
            {"sourceVolume": "reports", "containerPath": "/srv/reports", "readOnly": True},
            {"sourceVolume": "uploads", "containerPath": "/var/uploads", "readOnly": False},
        ], key
        assert definition["ephemeral_storage"] == [], key
        job = planned[env]["module.job.module.task.aws_ecs_task_definition.this"]
        assert job["ephemeral_storage"] == [{"size_in_gib": 50}], key
    applied = planned["prod"]
    account = applied["module.backend.module.task.module.task_role.aws_iam_role.this"]["arn"].split(":")[4]
    prefix = f"arn:aws:elasticfilesystem:eu-west-1:{account}"
    policy = _policy(applied['module.backend.module.task.module.task_role.aws_iam_role_policy.this["efs-volumes"]']["policy"])
    assert sorted(policy, key=lambda s: s["Resource"]) == [
        {
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": f"{prefix}:file-system/fs-0123456789abcdef0",
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": f"{prefix}:access-point/fsap-0123456789abcdef0"}},
        },
        {"Effect": "Allow", "Action": "elasticfilesystem:ClientMount", "Resource": f"{prefix}:file-system/fs-0fedcba9876543210"},
    ]
    rule = applied['module.backend.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["10.0.0.0/16:2049"]']
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == ("tcp", 2049, 2049, "10.0.0.0/16")
    assert rule["security_group_id"] == applied["module.backend.module.service.module.security_group.aws_security_group.this"]["id"]
    dev = planned["dev"]
    for module in ("backend", "job"):
        definition = dev[f"module.{module}.module.task.aws_ecs_task_definition.this"]
        assert (definition["volume"], definition["ephemeral_storage"]) == ([], []), module
        assert "mountPoints" not in json.loads(definition["container_definitions"])[0]
    assert 'module.backend.module.task.module.task_role.aws_iam_role_policy.this["efs-volumes"]' not in dev


def test_backend_registers_in_the_dns_namespace_it_is_given(planned: dict[str, Planned]) -> None:
    prod, dev = planned["prod"], planned["dev"]
    namespace = prod["aws_service_discovery_private_dns_namespace.internal"]
    discovery = prod["module.backend.aws_service_discovery_service.this[0]"]
    assert (discovery["name"], discovery["force_destroy"]) == ("results", True)
    assert discovery["dns_config"] == [{"namespace_id": namespace["id"], "routing_policy": "MULTIVALUE", "dns_records": [{"ttl": 10, "type": "A"}]}]
    service = prod["module.backend.module.service.aws_ecs_service.this"]
    assert service["service_registries"] == [{"registry_arn": discovery["arn"], "container_name": None, "container_port": None, "port": None}]
    assert service["service_connect_configuration"][0]["service"][0]["discovery_name"] == "results"
    # without a namespace nothing registers, and no other service type ever does
    assert dev.of_type("aws_service_discovery_service") == {}
    assert dev["module.backend.module.service.aws_ecs_service.this"]["service_registries"] == []
    assert list(prod.of_type("aws_service_discovery_service")) == ["module.backend.aws_service_discovery_service.this[0]"]


def test_sidecars_and_env_file(planned: dict[str, Planned]) -> None:
    """prod's backend: the service's container first, waiting for its sidecars (HEALTHY, SUCCESS)
    and reading its env file; each sidecar logs to the service's group under its own prefix, with
    a read-only root filesystem and its own scratch volume; the plan knows the definitions."""
    for key in ("prod-plan", "prod"):
        definition = planned[key]["module.backend.module.task.aws_ecs_task_definition.this"]
        main, migrate, otel = json.loads(definition["container_definitions"])
        assert [c["name"] for c in (main, migrate, otel)] == ["app", "migrate", "otel"]
        assert main["essential"] is True
        assert main["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}, {"containerName": "otel", "condition": "HEALTHY"}]
        assert main["environmentFiles"] == [{"value": ENV_FILE, "type": "s3"}]
        assert main["portMappings"] == [{"name": "app", "containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
        group = "/ecs/vote-prod-results"
        assert otel == {
            "name": "otel",
            "image": "public.ecr.aws/aws-observability/aws-otel-collector:latest",
            "essential": True,
            "cpu": 64,
            "memoryReservation": 128,
            "healthCheck": {"command": ["CMD", "/healthcheck"], "interval": 5, "timeout": 2, "retries": 3},
            "readonlyRootFilesystem": True,
            "portMappings": [{"name": "otel", "containerPort": 4317, "hostPort": 4317, "protocol": "tcp"}],
            "environment": [{"name": "AWS_REGION", "value": "eu-west-1"}],
            "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": DB_SECRET + ":password::"},
                {"name": "OTEL_TOKEN", "valueFrom": otel["secrets"][1]["valueFrom"]},
            ],
            "mountPoints": [{"sourceVolume": "otel-scratch-0", "containerPath": "/tmp", "readOnly": False}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": group, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "otel"},
            },
        }
        assert migrate == {
            "name": "migrate",
            "image": "public.ecr.aws/docker/library/busybox:stable",
            "essential": False,
            "command": ["sh", "-c", "echo migrated"],
            "readonlyRootFilesystem": True,
            "portMappings": [],
            "environment": [],
            "secrets": [],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": group, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "migrate"},
            },
        }
        assert sorted(v["name"] for v in definition["volume"]) == ["otel-scratch-0", "reports", "uploads"]  # the sidecar's scratch, then EFS
    # a bare parameter name is one of the environment's own account and region
    (token,) = [s["valueFrom"] for s in otel["secrets"] if s["name"] == "OTEL_TOKEN"]
    assert re.fullmatch(r"arn:aws:ssm:eu-west-1:[0-9]{12}:parameter/vote/otel-token", token)
    dev, = json.loads(planned["dev"]["module.backend.module.task.aws_ecs_task_definition.this"]["container_definitions"])
    assert "dependsOn" not in dev and "environmentFiles" not in dev


def test_env_file_is_read_by_the_execution_role_only(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    execution = "module.backend.module.task.module.execution_role"
    statements = _policy(applied[f'{execution}.aws_iam_role_policy.this["env-file"]']["policy"])
    assert statements == [
        {"Sid": "ReadEnvironmentFile", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ENV_FILE},
        {"Sid": "LocateEnvironmentFileBucket", "Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::vote-config"},
    ]
    for address, policy in applied.of_type("aws_iam_role_policy").items():
        if address.startswith(f"{execution}."):
            continue
        for statement in _policy(policy["policy"]):
            assert not {"s3:GetObject", "s3:GetBucketLocation"} & set(_as_list(statement["Action"])), address
            assert "vote-config" not in json.dumps(statement["Resource"]), address
    assert not [a for a in planned["dev"].of_type("aws_iam_role_policy") if a.endswith('["env-file"]')]


def test_worker_container_gets_its_queue(planned: dict[str, Planned]) -> None:
    (container,) = json.loads(planned["prod"]["module.worker.module.task.aws_ecs_task_definition.this"]["container_definitions"])
    queue_url = planned["prod"]["module.worker.aws_sqs_queue.this"]["url"]
    assert {"name": "QUEUE_URL", "value": queue_url} in container["environment"]
    assert container["command"] == ["sh", "-c", "while true; do sleep 60; done"]
    assert container["portMappings"] == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_security_groups_admit_only_their_sources(planned: dict[str, Planned], env: str) -> None:
    plan = planned[env]
    for group in plan.of_type("aws_security_group").values():
        assert group["description"].strip()
    ingress = plan.of_type("aws_vpc_security_group_ingress_rule")
    by_module: dict[str, list[tuple]] = {}
    for address, rule in ingress.items():
        assert rule["description"].strip(), address
        module = address.split(".")[1]
        by_module.setdefault(module, []).append(
            (rule["referenced_security_group_id"], rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["cidr_ipv4"])
        )
    alb, services = _id(plan, "aws_security_group.alb"), _id(plan, "aws_security_group.services")
    expected_web = [(alb, "tcp", 8000, 8000, None)] + ([(alb, "tcp", 8081, 8081, None)] if env == "prod" else [])
    assert sorted(by_module.pop("web")) == sorted(expected_web)
    assert by_module.pop("backend") == [(services, "tcp", 8080, 8080, None)]
    assert by_module == {}, "workers and jobs admit nothing"
    for address, rule in plan.of_type("aws_vpc_security_group_egress_rule").items():
        assert rule["description"].strip(), address
        assert rule["ip_protocol"] == "tcp", f"{address}: egress on every protocol"
        if rule["cidr_ipv4"] == "0.0.0.0/0":
            assert (rule["from_port"], rule["to_port"]) == (443, 443), address


def test_execution_roles_read_only_declared_secrets(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    policies = applied.of_type("aws_iam_role_policy")
    secrets = {a: p for a, p in policies.items() if a.endswith('aws_iam_role_policy.this["declared-secrets"]')}
    web_secrets, job_secrets, backend_secrets = (
        f'module.{m}.module.task.module.execution_role.aws_iam_role_policy.this["declared-secrets"]' for m in ("web", "job", "backend")
    )
    assert set(secrets) == {web_secrets, job_secrets, backend_secrets}
    # the backend's secrets are its sidecar's: the secret (not its JSON key) and the parameter of a bare name
    backend = {s["Sid"]: (s["Action"], s["Resource"]) for s in _policy(secrets[backend_secrets]["policy"])}
    assert backend == {
        "ReadDeclaredSecrets": ("secretsmanager:GetSecretValue", DB_SECRET),
        "ReadDeclaredParameters": ("ssm:GetParameters", backend["ReadDeclaredParameters"][1]),
    }
    assert re.fullmatch(r"arn:aws:ssm:eu-west-1:[0-9]{12}:parameter/vote/otel-token", backend["ReadDeclaredParameters"][1])
    web = {s["Sid"]: (s["Action"], s["Resource"]) for s in _policy(secrets[web_secrets]["policy"])}
    assert web == {"ReadDeclaredSecrets": ("secretsmanager:GetSecretValue", DB_SECRET), "ReadDeclaredParameters": ("ssm:GetParameters", API_PARAMETER)}
    job = {s["Sid"]: s for s in _policy(secrets[job_secrets]["policy"])}
    parameter = job["ReadDeclaredParameters"]["Resource"]
    assert re.fullmatch(r"arn:aws:ssm:eu-west-1:[0-9]{12}:parameter/vote/api-token", parameter)
    assert (job["ReadDeclaredSecrets"]["Action"], job["ReadDeclaredSecrets"]["Resource"]) == ("secretsmanager:GetSecretValue", DB_SECRET)
    # customer managed keys: decrypt only through Secrets Manager and Parameter Store of the region
    assert job["DecryptDeclaredSecrets"]["Action"] == "kms:Decrypt" and job["DecryptDeclaredSecrets"]["Resource"] == KMS_KEY
    via = ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]
    assert job["DecryptDeclaredSecrets"]["Condition"] == {"StringEquals": {"kms:ViaService": via}}
    assert set(job) == {"ReadDeclaredSecrets", "ReadDeclaredParameters", "DecryptDeclaredSecrets"}
    definition = json.loads(applied["module.job.module.task.aws_ecs_task_definition.this"]["container_definitions"])
    assert {s["name"]: s["valueFrom"] for s in definition[0]["secrets"]} == {"API_TOKEN": parameter, "DB_PASSWORD": DB_SECRET}
    assert not planned["dev"].of_type("aws_iam_role_policy", 'module.web.module.task.module.execution_role.aws_iam_role_policy.this["declared-secrets"]')
    attachments = {a: r for a, r in applied.of_type("aws_iam_role_policy_attachment").items() if ".execution_role." in a}
    assert len(attachments) == 4
    for attachment in attachments.values():
        assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        assert attachment["role"].endswith("-exec")


def test_roles_are_separate_and_named(planned: dict[str, Planned]) -> None:
    roles = planned["prod"].of_type("aws_iam_role")
    names = sorted(r["name"] for r in roles.values())
    assert names == sorted(
        [f"vote-prod-{s}-{k}" for s in ("vote-api", "results", "vote-worker", "tally") for k in ("exec", "task")]
        + ["vote-prod-tally-events", "vote-prod-tally-runs"]
    )
    definition = planned["prod"]["module.web.module.task.aws_ecs_task_definition.this"]
    assert definition["execution_role_arn"] != definition["task_role_arn"]


def test_no_wildcard_actions_in_any_policy(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    for address, policy in applied.of_type("aws_iam_role_policy").items():
        for statement in _policy(policy["policy"]):
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{address}: {action}"
    exec_policy = _policy(applied['module.web.module.task.module.task_role.aws_iam_role_policy.this["ecs-exec"]']["policy"])
    assert sorted(exec_policy[0]["Action"]) == [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    ]  # fmt: skip
    assert 'module.backend.module.task.module.task_role.aws_iam_role_policy.this["ecs-exec"]' not in applied


def test_worker_consumes_only_its_queue(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    queue = applied["module.worker.aws_sqs_queue.this"]
    dead_letter = applied["module.worker.aws_sqs_queue.dead_letter"]
    assert queue["sqs_managed_sse_enabled"] is True and dead_letter["sqs_managed_sse_enabled"] is True
    assert queue["visibility_timeout_seconds"] == 60
    assert json.loads(queue["redrive_policy"]) == {"deadLetterTargetArn": dead_letter["arn"], "maxReceiveCount": 5}
    allow = json.loads(applied["module.worker.aws_sqs_queue_redrive_allow_policy.dead_letter"]["redrive_allow_policy"])
    assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [queue["arn"]]}
    (statement,) = _policy(applied['module.worker.module.task.module.task_role.aws_iam_role_policy.this["consume-queue"]']["policy"])
    assert sorted(statement["Action"]) == ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert statement["Resource"] == queue["arn"]


def test_schedule_role_runs_only_its_task(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    machine = applied["module.job.aws_sfn_state_machine.this"]
    scheduler_role = applied["module.job.module.events_role.aws_iam_role.this"]
    (start,) = _policy(applied['module.job.module.events_role.aws_iam_role_policy.this["start-run"]']["policy"])
    assert (start["Action"], start["Resource"]) == ("states:StartExecution", machine["arn"])
    (trust,) = _policy(scheduler_role["assume_role_policy"])
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    statements = {s["Sid"]: s for s in _policy(applied['module.job.module.state_machine_role.aws_iam_role_policy.this["run-task"]']["policy"])}
    definition = applied["module.job.module.task.aws_ecs_task_definition.this"]
    run = statements["RunThisTaskDefinition"]
    assert run["Action"] == "ecs:RunTask"
    assert run["Resource"] == re.sub(r":[0-9]+$", "", definition["arn"]) + ":*"
    assert ":task-definition/vote-prod-tally" in run["Resource"]
    assert run["Condition"] == {"ArnEquals": {"ecs:cluster": applied["aws_ecs_cluster.this"]["arn"]}}
    passing = statements["PassTheTaskRoles"]
    assert passing["Action"] == "iam:PassRole"
    assert sorted(passing["Resource"]) == sorted([definition["execution_role_arn"], definition["task_role_arn"]])
    assert statements["WatchAndStopItsTasks"]["Condition"] == {"ArnEquals": {"ecs:cluster": applied["aws_ecs_cluster.this"]["arn"]}}
    assert statements["ManagedRuleForTaskEvents"]["Resource"].endswith(":rule/StepFunctionsGetEventsForECSTaskRule")
    # failures go to exactly the notify topic, encrypted with exactly its key (through SNS only)
    assert (statements["PublishFailures"]["Action"], statements["PublishFailures"]["Resource"]) == ("sns:Publish", OPS_TOPIC)
    kms = statements["EncryptFailureNotices"]
    assert (sorted(kms["Action"]), kms["Resource"]) == (["kms:Decrypt", "kms:GenerateDataKey"], OPS_KEY)
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "sns.eu-west-1.amazonaws.com"}}
    assert set(statements) == {
        "RunThisTaskDefinition", "PassTheTaskRoles", "TagTheTasksItRuns", "WatchAndStopItsTasks", "ManagedRuleForTaskEvents",
        "PublishFailures", "EncryptFailureNotices", "DeliverRunLogs", "SendRunTraces",
    }  # fmt: skip
    dev = {s["Sid"] for s in _policy(planned["dev"]['module.job.module.state_machine_role.aws_iam_role_policy.this["run-task"]']["policy"])}
    assert dev == set(statements) - {"PublishFailures", "EncryptFailureNotices"}
    assert machine["role_arn"] == applied["module.job.module.state_machine_role.aws_iam_role.this"]["arn"]
    (target,) = applied["module.job.aws_scheduler_schedule.this"]["target"]
    assert (target["arn"], target["role_arn"]) == (machine["arn"], scheduler_role["arn"])
    run = json.loads(target["input"])
    assert run["task_definition"] == definition["arn"] and run["cluster"] == applied["aws_ecs_cluster.this"]["arn"]
    assert sorted(run["subnets"]) == ["subnet-0aaa", "subnet-0bbb"]
    assert run["capacity_provider_strategy"] == [{"CapacityProvider": "FARGATE", "Base": 0, "Weight": 1}]
    assert len(run["security_groups"]) == 2


def test_web_routing(planned: dict[str, Planned]) -> None:
    for env in ("dev", "prod"):
        plan = planned[env]
        group = plan["module.web.aws_lb_target_group.this"]
        # the name ends with a digest of what replaces the group, so a successor gets a new name
        digest = hashlib.sha1(json.dumps([8000, "HTTP", "ip", group["vpc_id"]], separators=(",", ":")).encode()).hexdigest()[:6]
        assert (group["name"], group["target_type"], group["protocol"], group["port"]) == (f"vote-{env}-vote-api-{digest}", "ip", "HTTP", 8000)
        assert group["deregistration_delay"] == "30"
        check = group["health_check"][0]
        assert (check["path"], check["matcher"], check["interval"], check["healthy_threshold"]) == ("/health", "200-299", 15, 2)
        assert check["port"] == ("8081" if env == "prod" else "traffic-port")
        rule = plan["module.web.aws_lb_listener_rule.this[0]"]
        assert rule["priority"] == 100 and rule["action"][0]["type"] == "forward"
        conditions = {key: value[0]["values"] for condition in rule["condition"] for key, value in condition.items() if value}
        hosts = {"host_header": ["vote.example.com", "www.vote.example.com"]} if env == "prod" else {}
        assert conditions == {"path_pattern": ["/api/*"], **hosts}


def test_scaling(planned: dict[str, Planned]) -> None:
    dev, prod = planned["dev"], planned["prod"]
    targets = {a.split(".")[1]: (t["min_capacity"], t["max_capacity"], t["resource_id"]) for a, t in prod.of_type("aws_appautoscaling_target").items()}
    assert targets == {
        "web": (3, 20, "service/vote-prod/vote-prod-vote-api"),
        "backend": (2, 6, "service/vote-prod/vote-prod-results"),
        "worker": (0, 20, "service/vote-prod/vote-prod-vote-worker"),
    }
    assert {(t["min_capacity"], t["max_capacity"]) for t in dev.of_type("aws_appautoscaling_target").values()} == {(1, 1)}
    assert prod["module.web.module.service.aws_ecs_service.this"]["desired_count"] == 3
    assert dev["module.web.module.service.aws_ecs_service.this"]["desired_count"] == 1

    def tracking(plan: Planned) -> dict[str, tuple]:
        found = {}
        for address, policy in plan.of_type("aws_appautoscaling_policy").items():
            if policy["policy_type"] != "TargetTrackingScaling":
                continue
            configuration = policy["target_tracking_scaling_policy_configuration"][0]
            predefined = configuration["predefined_metric_specification"]
            found[address] = (predefined[0]["predefined_metric_type"] if predefined else "custom", configuration["target_value"])
        return found

    assert tracking(prod) == {
        'module.web.module.service.aws_appautoscaling_policy.target_tracking["cpu"]': ("ECSServiceAverageCPUUtilization", 70),
        'module.web.module.service.aws_appautoscaling_policy.target_tracking["memory"]': ("ECSServiceAverageMemoryUtilization", 80),
        'module.web.module.service.aws_appautoscaling_policy.target_tracking["requests"]': ("ALBRequestCountPerTarget", 1000),
        'module.backend.module.service.aws_appautoscaling_policy.target_tracking["cpu"]': ("ECSServiceAverageCPUUtilization", 60),
        "module.worker.aws_appautoscaling_policy.backlog": ("custom", 100),
    }
    assert set(tracking(dev)) == {"module.worker.aws_appautoscaling_policy.backlog"}

    applied = planned["prod"]
    label = applied['module.web.module.service.aws_appautoscaling_policy.target_tracking["requests"]']["target_tracking_scaling_policy_configuration"][0]
    group_suffix = applied["module.web.aws_lb_target_group.this"]["arn_suffix"]
    assert label["predefined_metric_specification"][0]["resource_label"] == f"app/vote/0abc/{group_suffix}"


def test_worker_scales_on_backlog_and_from_zero(planned: dict[str, Planned]) -> None:
    applied = planned["prod"]
    backlog = applied["module.worker.aws_appautoscaling_policy.backlog"]["target_tracking_scaling_policy_configuration"][0]
    metrics = {m["id"]: m for m in backlog["customized_metric_specification"][0]["metrics"]}
    assert metrics["backlog_per_task"]["expression"] == "visible / running" and metrics["backlog_per_task"]["return_data"] is True
    visible = metrics["visible"]["metric_stat"][0]["metric"][0]
    assert (visible["namespace"], visible["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert visible["dimensions"] == [{"name": "QueueName", "value": "vote-prod-vote-worker"}]
    running = metrics["running"]["metric_stat"][0]["metric"][0]
    assert running["metric_name"] == "RunningTaskCount"

    step = applied["module.worker.aws_appautoscaling_policy.from_zero"]
    assert step["policy_type"] == "StepScaling"
    adjustment = step["step_scaling_policy_configuration"][0]["step_adjustment"]
    assert [(a["metric_interval_lower_bound"], a["scaling_adjustment"]) for a in adjustment] == [("0", 1)]
    alarm = applied["module.worker.aws_cloudwatch_metric_alarm.from_zero"]
    assert alarm["alarm_actions"] == [step["arn"]] and alarm["actions_enabled"] is True
    queries = {q["id"]: q for q in alarm["metric_query"]}
    assert queries["visible"]["metric"][0]["metric_name"] == "ApproximateNumberOfMessagesVisible"
    assert queries["visible"]["metric"][0]["dimensions"] == {"QueueName": "vote-prod-vote-worker"}
    assert "visible > 0" in queries["start_first_task"]["expression"]


# --- inputs the modules refuse ----------------------------------------------------------------------


BAD_INPUTS = {
    "name too long": (lambda calls: calls["web"].update(name="x" * 55), "at most 54 characters"),
    "requests without a load balancer": (
        lambda calls: calls["backend"].update(scaling={"min": 1, "max": 3, "desired": 1, "requests": 100}),
        "Scaling on requests per target needs a load balancer target group",
    ),
    "secret not an ARN or a name": (
        lambda calls: calls["worker"]["task"].update(secrets={"TOKEN": "my token"}),
        "an SSM parameter ARN or an SSM parameter name",
    ),
    "health check command": (
        lambda calls: calls["backend"]["task"].update(healthcheck={"command": ["curl", "http://localhost/"], "interval": 30}),
        "A health check command starts with CMD or CMD-SHELL",
    ),
    "cpu architecture": (lambda calls: calls["backend"]["task"].update(cpu_architecture="arm64"), "The CPU architecture is X86_64 or ARM64."),
    "egress with two destinations": (
        lambda calls: calls["job"]["placement"].update(egress=[{"cidr_ipv4": "10.0.0.0/8", "security_group_id": "sg-0123456789abcdef0", "ports": [1]}]),
        "Every egress rule has one destination",
    ),
    "policy statement effect": (
        lambda calls: calls["backend"]["task"].update(policy_statements=[{"effect": "allow", "actions": ["s3:GetObject"], "resources": ["*"]}]),
        "Every policy statement has the effect Allow or Deny",
    ),
    "ephemeral storage below Fargate's 21 GiB": (lambda calls: calls["job"]["task"].update(ephemeral_storage=20), "Ephemeral storage is 21-200 GiB"),
    "root directory with an access point": (
        lambda calls: calls["job"]["task"].update(
            volumes={"u": {"path": "/u", "file_system_id": "fs-0123456789abcdef0", "access_point_id": "fsap-0123456789abcdef0", "root_directory": "/sub"}}
        ),
        "with an access point the root directory /",
    ),
    "two volumes at one path": (
        lambda calls: calls["job"]["task"].update(
            volumes={name: {"path": "/u", "file_system_id": "fs-0123456789abcdef0"} for name in ("a", "b")}
        ),
        "Every volume is mounted at its own path.",
    ),
    "schedule shorthand": (lambda calls: calls["job"]["schedule"].update(expression="@hourly"), "cron(...) or rate(...)"),
    "too many retries": (lambda calls: calls["job"]["schedule"].update(retries={"max_attempts": 11}), "Retries: max_attempts 0 to 10"),
    "env file not .env": (lambda calls: calls["backend"]["task"].update(env_file="arn:aws:s3:::b/config.txt"), "key ends in .env"),
    "sidecar named app": (lambda calls: calls["backend"]["task"].update(sidecars={"app": {"image": "busybox"}}), "and not app"),
    "sidecar port clash": (
        lambda calls: calls["backend"]["task"].update(sidecars={"otel": {"image": "busybox", "port": 8080}}),
        "listen on different ports",
    ),
    "COMPLETE on an essential sidecar": (
        lambda calls: calls["backend"]["task"].update(sidecars={"init": {"image": "busybox"}}, depends_on={"init": "COMPLETE"}),
        "COMPLETE/SUCCESS (a non-essential sidecar)",
    ),
    "HEALTHY without a health check": (
        lambda calls: calls["backend"]["task"].update(sidecars={"otel": {"image": "busybox"}}, depends_on={"otel": "HEALTHY"}),
        "HEALTHY (a sidecar with a health check)",
    ),
    "sidecar reservations": (
        lambda calls: calls["backend"]["task"].update(sidecars={"otel": {"image": "busybox", "memory_reservation": 512}}),
        "reservations stay below the task's",
    ),
    "FIFO notify topic": (lambda calls: calls["job"]["schedule"].update(notify={"topic_arn": OPS_TOPIC + ".fifo"}), "ARN of a standard SNS topic"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_inputs_are_refused(case: str, tmp_path: Path) -> None:
    calls = _calls("dev")
    change, message = BAD_INPUTS[case]
    change(calls)
    _write_root(tmp_path / "root", calls, cluster="vote-dev")
    terraform = Terraform(tmp_path / "root", tmp_path / "data", offline=True)
    terraform.init()
    with pytest.raises(TerraformError) as raised:
        terraform.plan(tmp_path / "plan.tfplan", on_event=lambda event: None)
    assert message in str(raised.value)
