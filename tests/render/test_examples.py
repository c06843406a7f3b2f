"""Every example blueprint renders, is `terraform fmt` clean, passes `terraform validate`, and its
offline plan (real Terraform + the offline provider) carries the promises, per environment.

Assertions read the plan JSON (`terraform show -json`), never the template text. Plans are made
once per module (per xdist worker) and shared by the tests."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.render import render
from tfgen.services.web import derived_priority

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT_ROOT / "blueprints"
IMAGE_TAGS = {"single-web": {"storefront_image_tag": "v1"}}  # built images have no default tag
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

pytestmark = pytest.mark.slow


class Plan:
    """The plan JSON of one environment, with lookups by address and type."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.changes = {rc["address"]: rc for rc in document.get("resource_changes", []) if rc.get("mode") == "managed"}

    def after(self, address: str) -> dict[str, Any]:
        assert address in self.changes, f"{address} is not in the plan; planned: {sorted(self.changes)}"
        return self.changes[address]["change"]["after"]

    def unknown(self, address: str) -> dict[str, Any]:
        return self.changes[address]["change"].get("after_unknown") or {}

    def of_type(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {a: rc["change"]["after"] for a, rc in self.changes.items() if rc["type"] == type_name}

    def addresses(self, prefix: str = "") -> list[str]:
        return sorted(a for a in self.changes if a.startswith(prefix))

    def variable(self, name: str) -> Any:
        return self.document["variables"][name]["value"]


@pytest.fixture(scope="module")
def terraform_class():
    return pytest.importorskip("tfgen.terraform", reason="tfgen.terraform (the runner) is not there yet").Terraform


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("examples")


@pytest.fixture(scope="module")
def rendered(workspace: Path) -> dict[str, Path]:
    roots = {}
    for name in EXAMPLE_NAMES:
        roots[name] = workspace / name
        render(load_blueprint(EXAMPLES / f"{name}.yaml"), roots[name])
    return roots


class Plans:
    """Offline plans, made on first use and kept for the module."""

    def __init__(self, terraform_class, rendered: dict[str, Path], workspace: Path):
        self.terraform_class = terraform_class
        self.rendered = rendered
        self.workspace = workspace
        self.cache: dict[tuple[str, str], Plan] = {}
        self.applied: dict[tuple[str, str], dict[str, Any]] = {}

    def terraform(self, name: str, env: str):
        return self.terraform_class(self.rendered[name], self.workspace / ".tfgen" / name / env, offline=True)

    def plan_file(self, name: str, env: str) -> Path:
        return self.workspace / ".tfgen" / name / env / "plan.tfplan"

    def __call__(self, name: str, env: str) -> Plan:
        key = (name, env)
        if key not in self.cache:
            terraform = self.terraform(name, env)
            terraform.init()
            out = self.plan_file(name, env)
            tags = IMAGE_TAGS.get(name, {})
            terraform.plan(out, var_files=[self.rendered[name] / "env" / f"{env}.tfvars.json"], variables=tags, on_event=lambda event: None)
            self.cache[key] = Plan(terraform.show_json(out))
        return self.cache[key]

    def applied_state(self, name: str, env: str) -> dict[str, dict[str, Any]]:
        """Resources (address -> values) after an offline apply of the saved plan: values that
        are unknown at plan time (JSON built from ARNs) are concrete here."""
        key = (name, env)
        if key not in self.applied:
            self(name, env)
            terraform = self.terraform(name, env)
            terraform.apply(self.plan_file(name, env), on_event=lambda event: None)
            state = json.loads(terraform.run(["show", "-json", "-no-color"], capture=True).stdout)
            self.applied[key] = dict(_state_resources(state["values"]["root_module"]))
        return self.applied[key]


def _state_resources(module: dict[str, Any]):
    for resource in module.get("resources", []):
        yield resource["address"], resource["values"]
    for child in module.get("child_modules", []):
        yield from _state_resources(child)


@pytest.fixture(scope="module")
def plans(terraform_class, rendered, workspace) -> Plans:
    return Plans(terraform_class, rendered, workspace)


# --- every example ------------------------------------------------------------------------------


def test_examples_are_fmt_clean(rendered: dict[str, Path]):
    terraform = shutil.which("terraform") or shutil.which("tofu")
    if terraform is None:
        pytest.skip("no terraform executable")
    for name, root in rendered.items():
        result = subprocess.run([terraform, "fmt", "-check", "-recursive", "-no-color", str(root)], capture_output=True, text=True)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_validates(name: str, plans: Plans):
    plans.terraform(name, "validate").validate()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_common_promises(name: str, env: str, plans: Plans):
    plan = plans(name, env)
    services = plan.of_type("aws_ecs_service")
    assert services, "no ECS service planned"
    for address, service in services.items():
        network = service["network_configuration"][0]
        assert network["assign_public_ip"] is False, address
        assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}], address
        assert service["capacity_provider_strategy"], address
    for address, task in plan.of_type("aws_ecs_task_definition").items():
        assert task["network_mode"] == "awsvpc", address
    groups = plan.of_type("aws_cloudwatch_log_group")
    assert groups
    for address, group in groups.items():
        # one year by default; vote's dev API keeps 30 days (an override, skipped in its policy)
        shortened = name == "vote" and env == "dev" and address.startswith("module.vote_api.")
        assert group["retention_in_days"] == (30 if shortened else 365), address
    lb = plan.after("module.alb.aws_lb.this")
    assert lb["drop_invalid_header_fields"] is True
    assert lb["enable_deletion_protection"] is (env == "prod")
    assert len(lb["name"]) <= 32
    outputs = plan.document["output_changes"]
    assert {"load_balancer_dns_name", "service_names", "queue_urls"} <= set(outputs)
    cluster = plan.after("module.cluster.aws_ecs_cluster.this")
    assert cluster["name"] == f"{name}-{env}"
    assert {"name": "containerInsights", "value": "enabled"} in cluster["setting"]
    assert plan.variable("tags")["ManagedBy"] == "tfgen"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_example_passes_policy(name: str, env: str, plans: Plans, workspace: Path):
    """checkov (built-ins + tfgen's pack) and tfgen's plan checks find nothing in the examples;
    whatever is skipped carries its reason and none of tfgen's own checks is skipped."""
    from tfgen.policy import run_policy
    from tfgen.policy.declared import environment_policy

    plan_json = workspace / f"{name}-{env}.plan.json"
    plan_json.write_text(json.dumps(plans(name, env).document))
    policy = environment_policy(load_blueprint(EXAMPLES / f"{name}.yaml"), env)
    result = run_policy(plan_json, skips=policy.skips, protected=policy.protected, declared=policy.declared, use_cache=False)
    assert [(r.check_id, r.resource) for r in result.failed] == []
    assert all(r.skip_reason and len(r.skip_reason) > 20 for r in result.skipped)
    assert not [r for r in result.skipped if r.check_id.startswith("CKV_TFG_")]
    tfgen_checks = {r.check_id for r in result.passed_records if r.check_id.startswith("CKV_TFG_")}
    assert len(tfgen_checks) >= 6, tfgen_checks
    if policy.protected:
        assert {"CKV_TFG_8", "CKV_TFG_9"} <= tfgen_checks
    # CKV_TFG_3 follows every ECS service to its own security group (through module outputs)
    services = [a for a in plans(name, env).addresses("") if a.endswith(".module.service.aws_ecs_service.this")]
    ingress_checked = sorted(r.resource for r in result.records if r.check_id == "CKV_TFG_3")
    assert ingress_checked == sorted(a.replace(".aws_ecs_service.this", ".module.security_group.aws_security_group.this") for a in services)


def test_plain_http_is_skipped_by_its_declaration_and_fails_when_protected(plans: Plans, workspace: Path, tmp_path: Path):
    """single-web's dev serves plain HTTP by `load_balancer.protocol: http`: checkov's HTTPS checks
    show as skipped with a reason naming the field. The same plan judged as a protected
    environment fails CKV_TFG_9, which only the blueprint's own skip turns off."""
    from tfgen.policy import run_policy
    from tfgen.policy.declared import environment_policy

    plan_json = workspace / "single-web-dev-http.plan.json"
    plan_json.write_text(json.dumps(plans("single-web", "dev").document))
    policy = environment_policy(load_blueprint(EXAMPLES / "single-web.yaml"), "dev")
    result = run_policy(plan_json, skips=policy.skips, declared=policy.declared, use_cache=False)
    skipped = {r.check_id: r.skip_reason for r in result.skipped}
    for check_id in ("CKV2_AWS_20", "CKV_AWS_2", "CKV_AWS_103"):
        assert skipped[check_id].startswith("load_balancer.protocol: http"), check_id
    assert result.passed
    bare = run_policy(plan_json, skips={}, use_cache=False)
    assert {"CKV2_AWS_20", "CKV_AWS_2", "CKV_AWS_103"} <= {r.check_id for r in bare.failed}

    protected = run_policy(plan_json, skips=policy.skips, declared=policy.declared, protected=True, use_cache=False)
    assert [r.resource for r in protected.failed if r.check_id == "CKV_TFG_9"] == ["module.alb.aws_lb_listener.http"]
    accepted = run_policy(
        plan_json,
        skips={**policy.skips, "CKV_TFG_9": "internal tool, reachable only from the office range"},
        declared=policy.declared,
        protected=True,
        use_cache=False,
    )
    assert "CKV_TFG_9" not in {r.check_id for r in accepted.failed}
    assert {r.skip_reason for r in accepted.skipped if r.check_id == "CKV_TFG_9"} == {"internal tool, reachable only from the office range"}


WILDCARD_BLUEPRINT = """\
name: wild
region: eu-west-1
network: {vpc: {cidr: 10.0.0.0/16, azs: 2, nat: single}}
services:
  api:
    type: backend-service
    image: public.ecr.aws/docker/library/nginx:stable
    permissions: [{actions: ["s3:*"], resources: ["*"]}, {actions: [s3:GetObject], resources: ["arn:aws:s3:::b/*"]}]
environments:
  dev: {account: "111111111111", state: {bucket: wild-dev}}
"""


def test_a_wildcard_permission_renders_and_fails_the_gate(terraform_class, workspace: Path, tmp_path: Path):
    """`permissions` accepts `s3:*` (valid IAM), and CKV_TFG_7 (no wildcard actions in task roles)
    fails the plan on the task role's inline policy."""
    from tfgen.policy import run_policy

    blueprint = tmp_path / "wild.yaml"
    blueprint.write_text(WILDCARD_BLUEPRINT)
    root = workspace / "wild"
    render(load_blueprint(blueprint), root)
    terraform = terraform_class(root, workspace / ".tfgen" / "wild" / "dev", offline=True)
    terraform.init()
    plan = workspace / ".tfgen" / "wild" / "dev" / "plan.tfplan"
    terraform.plan(plan, var_files=[root / "env" / "dev.tfvars.json"], on_event=lambda event: None)
    plan_json = workspace / "wild-dev.plan.json"
    plan_json.write_text(json.dumps(terraform.show_json(plan)))
    result = run_policy(plan_json, skips={}, use_cache=False)
    failed = sorted(r.resource for r in result.failed if r.check_id == "CKV_TFG_7")
    assert failed and all("module.api.module.task" in r and "permissions" in r for r in failed), failed


# --- vote: HTTPS web API, worker, job, backend on a created VPC ----------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_https_and_redirect(env: str, plans: Plans):
    plan = plans("vote", env)
    http = plan.after("module.alb.aws_lb_listener.http")
    assert http["port"] == 80
    action = http["default_action"][0]
    assert action["type"] == "redirect"
    assert action["redirect"][0]["status_code"] == "HTTP_301"
    assert action["redirect"][0]["protocol"] == "HTTPS" and action["redirect"][0]["port"] == "443"
    https = plan.after("module.alb.aws_lb_listener.https[0]")
    assert https["protocol"] == "HTTPS" and https["port"] == 443
    assert https["ssl_policy"] == TLS_POLICY
    assert https["certificate_arn"].startswith("arn:aws:acm:eu-west-1:")
    # vote-api deploys blue-green: its production rule (at the blue-green slot of its derived
    # priority, among the host rules: it has aliases) forwards to both target groups, 100/0
    rule = plan.after("module.vote_api.aws_lb_listener_rule.shifted[0]")
    assert rule["priority"] == 23404
    assert sorted(group["weight"] for group in rule["action"][0]["forward"][0]["target_group"]) == [0, 100]
    for address in ("module.vote_api.aws_lb_target_group.this", "module.vote_api.aws_lb_target_group.alternate[0]"):
        target_group = plan.after(address)
        assert target_group["target_type"] == "ip"
        assert target_group["health_check"][0]["path"] == "/health"
    service = plan.after("module.vote_api.module.service.aws_ecs_service.this")
    assert service["deployment_configuration"][0]["strategy"] == "BLUE_GREEN" and service["deployment_configuration"][0]["bake_time_in_minutes"] == "10"
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    (alarms,) = service["alarms"]
    assert (alarms["enable"], alarms["rollback"], len(alarms["alarm_names"])) == (True, True, 5)
    assert service["load_balancer"][0]["advanced_configuration"][0]["role_arn"].endswith(f":role/vote-{env}-vote-api-ecs-lb")


def test_vote_dev_runs_one_task_prod_scales(plans: Plans):
    dev, prod = plans("vote", "dev"), plans("vote", "prod")
    api = "module.vote_api.module.service"
    assert dev.after(f"{api}.aws_ecs_service.this")["desired_count"] == 1
    dev_target = dev.after(f"{api}.aws_appautoscaling_target.this")
    assert (dev_target["min_capacity"], dev_target["max_capacity"]) == (1, 1)
    assert not dev.addresses(f"{api}.aws_appautoscaling_policy")
    assert prod.after(f"{api}.aws_ecs_service.this")["desired_count"] == 3
    prod_target = prod.after(f"{api}.aws_appautoscaling_target.this")
    assert (prod_target["min_capacity"], prod_target["max_capacity"]) == (3, 20)
    policies = {a: p for a, p in prod.of_type("aws_appautoscaling_policy").items() if a.startswith(api)}
    targets = {p["target_tracking_scaling_policy_configuration"][0]["target_value"] for p in policies.values()}
    assert targets == {60, 75}
    backend = prod.after("module.results.module.service.aws_ecs_service.this")
    assert backend["desired_count"] == 2
    # vote-api's RESULTS_URL is http://results:8080: Service Connect serves the backend under its
    # blueprint name, not under the prefixed ECS service name
    (connect,) = backend["service_connect_configuration"]
    (served,) = connect["service"]
    assert served["discovery_name"] == "results"
    assert [(alias["dns_name"], alias["port"]) for alias in served["client_alias"]] == [("results", 8080)]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_worker_queue(env: str, plans: Plans):
    plan = plans("vote", env)
    queue = plan.after("module.vote_worker.aws_sqs_queue.this")
    dead_letter = plan.after("module.vote_worker.aws_sqs_queue.dead_letter")
    assert queue["sqs_managed_sse_enabled"] is True and dead_letter["sqs_managed_sse_enabled"] is True
    assert queue["visibility_timeout_seconds"] == 60
    assert plan.unknown("module.vote_worker.aws_sqs_queue.this").get("redrive_policy") is True  # built from the DLQ's ARN
    worker = plan.after("module.vote_worker.module.service.aws_appautoscaling_target.this")
    assert worker["min_capacity"] == 0
    assert worker["max_capacity"] == (2 if env == "dev" else 20)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_api_permissions(env: str, plans: Plans):
    """services.vote-api.permissions: the managed policy attached to the task role, the statements
    in one inline policy (prod's override has its own table and a condition)."""
    plan = plans("vote", env)
    role = "module.vote_api.module.task.module.task_role"
    attachments = {a: r for a, r in plan.of_type("aws_iam_role_policy_attachment").items() if a.startswith(role)}
    assert [r["policy_arn"] for r in attachments.values()] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert [r["role"] for r in attachments.values()] == [f"vote-{env}-vote-api-task"]
    policy = json.loads(plan.after(f'{role}.aws_iam_role_policy.this["permissions"]')["policy"])
    account = "111111111111" if env == "dev" else "222222222222"
    statement = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": f"arn:aws:dynamodb:eu-west-1:{account}:table/votes"}
    if env == "prod":
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    assert policy["Statement"] == [statement]
    # the other services' task roles get nothing of it
    others = [a for a in plan.of_type("aws_iam_role_policy_attachment") if ".task_role." in a and not a.startswith(role)]
    assert others == []


def _containers(plan: Plan, module: str) -> list[dict[str, Any]]:
    return json.loads(plan.after(f"module.{module}.module.task.aws_ecs_task_definition.this")["container_definitions"])


def _container(plan: Plan, module: str) -> dict[str, Any]:
    """The service's own container (the first; sidecars follow)."""
    return _containers(plan, module)[0]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_api_sidecar_and_env_file(env: str, plans: Plans):
    """services.vote-api: the otel sidecar (non-essential, port 4317, logging under its own prefix,
    read-only root), vote-api waiting for it to start and reading its env file (prod's own), which
    only the execution role may read; the other services have one container."""
    plan = plans("vote", env)
    api, otel = _containers(plan, "vote_api")
    env_file = "arn:aws:s3:::vote-config/api.env" if env == "dev" else "arn:aws:s3:::vote-config-prod/api.env"
    assert (api["name"], api["essential"]) == ("app", True)
    assert api["dependsOn"] == [{"containerName": "otel", "condition": "START"}]
    assert api["environmentFiles"] == [{"value": env_file, "type": "s3"}]
    assert otel == {
        "name": "otel",
        "image": "public.ecr.aws/aws-observability/aws-otel-collector:latest",
        "essential": False,
        "readonlyRootFilesystem": True,
        "portMappings": [{"name": "otel", "containerPort": 4317, "hostPort": 4317, "protocol": "tcp"}],
        "environment": [{"name": "AWS_REGION", "value": "eu-west-1"}],
        "secrets": [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/vote-{env}-vote-api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "otel"},
        },
    }
    execution = "module.vote_api.module.task.module.execution_role"
    policy = json.loads(plan.after(f'{execution}.aws_iam_role_policy.this["env-file"]')["policy"])
    bucket = env_file.split("/")[0]
    assert policy["Statement"] == [
        {"Sid": "ReadEnvironmentFile", "Effect": "Allow", "Action": "s3:GetObject", "Resource": env_file},
        {"Sid": "LocateEnvironmentFileBucket", "Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": bucket},
    ]
    assert [a for a in plan.of_type("aws_iam_role_policy") if a.endswith('["env-file"]')] == [f'{execution}.aws_iam_role_policy.this["env-file"]']
    for address, role_policy in plan.of_type("aws_iam_role_policy").items():
        if ".task_role." in address:
            assert "vote-config" not in role_policy["policy"], address
    for module in ("results", "vote_worker", "tally"):
        assert len(_containers(plan, module)) == 1, module


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_api_sends_to_the_worker(env: str, plans: Plans):
    """services.vote-api.sends_to: [vote-worker]: the queue's URL in VOTE_WORKER_QUEUE_URL (known
    when planning), sqs:SendMessage and sqs:GetQueueUrl on exactly that queue."""
    plan = plans("vote", env)
    queue = f"vote-{env}-vote-worker"
    environment = {item["name"]: item["value"] for item in _container(plan, "vote_api")["environment"]}
    url = re.fullmatch(rf"https://sqs\.eu-west-1\.amazonaws\.com/([0-9]{{12}})/{queue}", environment["VOTE_WORKER_QUEUE_URL"])
    assert url, environment["VOTE_WORKER_QUEUE_URL"]
    account = url[1]  # the caller's account (the offline provider's is a placeholder)
    assert plan.after("module.vote_worker.aws_sqs_queue.this")["name"] == queue
    policy = json.loads(plan.after('module.vote_api.module.task.module.task_role.aws_iam_role_policy.this["send-queues"]')["policy"])
    send = {"Sid": "SendToDeclaredQueues", "Effect": "Allow", "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"]}
    assert policy["Statement"] == [{**send, "Resource": f"arn:aws:sqs:eu-west-1:{account}:{queue}"}]
    # nobody else sends: no other task role has the policy, no other container the variable
    senders = [a for a in plan.of_type("aws_iam_role_policy") if a.endswith('["send-queues"]')]
    assert senders == ['module.vote_api.module.task.module.task_role.aws_iam_role_policy.this["send-queues"]']
    for module in ("results", "vote_worker", "tally"):
        assert "VOTE_WORKER_QUEUE_URL" not in {item["name"] for item in _container(plan, module).get("environment", [])}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_entrypoint_command_and_container_healthcheck(env: str, plans: Plans):
    """entrypoint, command and healthcheck in the container definitions: ECS's defaults spelled
    out, startPeriod only when set; absent fields stay out of the definition."""
    plan = plans("vote", env)
    tally = _container(plan, "tally")
    assert (tally["entryPoint"], tally["command"]) == (["sh", "-c"], ["echo tallying"])
    assert "healthCheck" not in tally
    results = _container(plan, "results")
    check = {"command": ["CMD-SHELL", "curl -fs http://localhost/ || exit 1"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 30}
    assert results["healthCheck"] == check
    assert "entryPoint" not in results and "command" not in results
    worker = _container(plan, "vote_worker")
    assert "entryPoint" not in worker and worker["command"] == ["sh", "-c", "while true; do sleep 30; done"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_worker_runs_on_arm64(env: str, plans: Plans):
    """platform: linux/arm64 -> runtime_platform ARM64 (Fargate and Fargate Spot run it); x86_64,
    the default, keeps ECS's default (no block), as before."""
    plan = plans("vote", env)
    worker = plan.after("module.vote_worker.module.task.aws_ecs_task_definition.this")
    assert worker["runtime_platform"] == [{"operating_system_family": "LINUX", "cpu_architecture": "ARM64"}]
    for module in ("vote_api", "results", "tally"):
        assert plan.after(f"module.{module}.module.task.aws_ecs_task_definition.this")["runtime_platform"] == []


def _declared_egress(plan: Plan, module: str) -> list[tuple[Any, ...]]:
    prefix = f"module.{module}.module.security_group.aws_vpc_security_group_egress_rule.declared["
    rules = [r for a, r in plan.of_type("aws_vpc_security_group_egress_rule").items() if a.startswith(prefix)]
    return sorted((r["cidr_ipv4"] or "", r.get("referenced_security_group_id") or "", r["from_port"], r["to_port"], r["ip_protocol"]) for r in rules)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_service_egress(env: str, plans: Plans):
    """services.NAME.network.egress: one rule per destination and port beside the defaults (HTTPS
    out, the application's services); ingress stays only from the load balancer's group."""
    plan = plans("vote", env)
    assert _declared_egress(plan, "vote_api.module.service") == [("", "sg-0fedcba9876543210", 6379, 6379, "tcp"), ("10.20.0.0/16", "", 5432, 5432, "tcp")]
    assert _declared_egress(plan, "tally") == [("10.20.0.0/16", "", 5432, 5432, "tcp")]
    # results mounts EFS through the mount targets tfgen creates: NFS to their group (its id is
    # known after apply), not to the created VPC's CIDR block, nothing else
    assert _declared_egress(plan, "results.module.service") == [("", "", 2049, 2049, "tcp")]
    nfs = 'module.results.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["efs-mount-targets:2049"]'
    assert plan.unknown(nfs)["referenced_security_group_id"] is True and plan.after(nfs)["cidr_ipv4"] is None
    assert _declared_egress(plan, "vote_worker.module.service") == []
    group = "module.vote_api.module.service.module.security_group"
    defaults = [a for a in plan.of_type("aws_vpc_security_group_egress_rule") if a.startswith(f"{group}.aws_vpc_security_group_egress_rule.this[")]
    assert len(defaults) == 2
    ingress = [r for a, r in plan.of_type("aws_vpc_security_group_ingress_rule").items() if a.startswith(f"{group}.")]
    assert ingress and all(r.get("cidr_ipv4") is None and r.get("cidr_ipv6") is None for r in ingress)  # from the ALB's group only


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_results_mounts_its_environments_file_system(env: str, plans: Plans):
    """services.results.storage: the uploads volume on EFS (transit encryption, IAM through the access
    point), writable at /var/uploads beside a read-only root; prod mounts its own file system; the task
    role may mount and write exactly it; the tally job has 30 GiB of task storage, the others Fargate's default."""
    plan = plans("vote", env)
    fs, ap = ("fs-0123456789abcdef0", "fsap-0123456789abcdef0") if env == "dev" else ("fs-0fedcba9876543210", "fsap-0fedcba9876543210")
    definition = plan.after("module.results.module.task.aws_ecs_task_definition.this")
    (uploads,) = [v for v in definition["volume"] if v["name"] == "uploads"]
    assert uploads["efs_volume_configuration"] == [
        {"file_system_id": fs, "root_directory": "/", "transit_encryption": "ENABLED", "transit_encryption_port": None,
         "authorization_config": [{"access_point_id": ap, "iam": "ENABLED"}]}
    ]
    container = _container(plan, "results")
    assert container["readonlyRootFilesystem"] is True
    assert {"sourceVolume": "uploads", "containerPath": "/var/uploads", "readOnly": False} in container["mountPoints"]
    policy = json.loads(plan.after('module.results.module.task.module.task_role.aws_iam_role_policy.this["efs-volumes"]')["policy"])
    (statement,) = policy["Statement"]
    account = statement["Resource"].split(":")[4]  # the caller's account (the offline provider's is a placeholder)
    assert statement == {
        "Effect": "Allow",
        "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        "Resource": f"arn:aws:elasticfilesystem:eu-west-1:{account}:file-system/{fs}",
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": f"arn:aws:elasticfilesystem:eu-west-1:{account}:access-point/{ap}"}},
    }
    assert [a for a in plan.of_type("aws_iam_role_policy") if a.endswith('["efs-volumes"]')] == [
        'module.results.module.task.module.task_role.aws_iam_role_policy.this["efs-volumes"]'
    ]
    assert plan.after("module.tally.module.task.aws_ecs_task_definition.this")["ephemeral_storage"] == [{"size_in_gib": 30}]
    for module in ("vote_api", "vote_worker", "results"):
        assert plan.after(f"module.{module}.module.task.aws_ecs_task_definition.this")["ephemeral_storage"] == [], module


VOTE_FILE_SYSTEMS = {"dev": "fs-0123456789abcdef0", "prod": "fs-0fedcba9876543210"}
EFS = "module.efs_mount_targets[0]"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_creates_the_mount_targets_of_its_file_system(env: str, plans: Plans):
    """A created VPC has no mount targets of the file system the results service mounts: tfgen
    creates one per private subnet (prod's own file system there), in a group admitting NFS only
    from the application's services group; nothing else gets a mount target."""
    plan = plans("vote", env)
    fs = VOTE_FILE_SYSTEMS[env]
    targets = plan.of_type("aws_efs_mount_target")
    assert sorted(targets) == [f'{EFS}.aws_efs_mount_target.this["{fs}/0"]', f'{EFS}.aws_efs_mount_target.this["{fs}/1"]']
    for address, target in targets.items():
        assert target["file_system_id"] == fs
        assert plan.unknown(address)["subnet_id"] is True and plan.unknown(address)["security_groups"] == [True]
    group = plan.after(f"{EFS}.aws_security_group.this")
    assert (group["name"], group["tags"]["Name"]) == (f"vote-{env}-efs", f"vote-{env}-efs")
    assert plan.unknown(f"{EFS}.aws_security_group.this")["vpc_id"] is True  # the created VPC's
    (ingress,) = [a for a in plan.of_type("aws_vpc_security_group_ingress_rule") if a.startswith(f"{EFS}.")]
    rule = plan.after(ingress)
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == ("tcp", 2049, 2049, None)
    assert [a for a in plan.of_type("aws_vpc_security_group_egress_rule") if a.startswith(f"{EFS}.")] == []
    # the ingress rule's source: the cluster's services group, which every task joins
    calls = plan.document["configuration"]["root_module"]["module_calls"]
    assert calls["efs_mount_targets"]["expressions"]["client_security_group_id"]["references"][0] == "module.cluster.services_security_group_id"
    assert plan.variable("efs_mount_targets") == {"name": f"vote-{env}-efs", "file_system_ids": [fs], "services": ["results"]}


def test_vote_mount_targets_after_offline_apply(plans: Plans, workspace: Path):
    """After the apply: a mount target in each private subnet of the created VPC, with the efs group;
    the group admits 2049 from the services group, the results tasks' group sends 2049 to it; the
    results ECS service depends on the mount targets (Terraform creates them first), the others do not."""
    state = plans.applied_state("vote", "dev")
    private = sorted(state[f"module.vpc.aws_subnet.private[{i}]"]["id"] for i in range(2))
    group = state[f"{EFS}.aws_security_group.this"]
    assert group["vpc_id"] == state["module.vpc.aws_vpc.this"]["id"]
    targets = [values for address, values in state.items() if address.startswith(f"{EFS}.aws_efs_mount_target.this[")]
    assert sorted(t["subnet_id"] for t in targets) == private
    assert all(t["file_system_id"] == VOTE_FILE_SYSTEMS["dev"] and t["security_groups"] == [group["id"]] for t in targets)
    services = state["module.cluster.aws_security_group.services"]["id"]
    ingress = state[f"{EFS}.aws_vpc_security_group_ingress_rule.nfs"]
    nfs_in = (ingress["security_group_id"], ingress["referenced_security_group_id"], ingress["from_port"], ingress["to_port"])
    assert nfs_in == (group["id"], services, 2049, 2049)
    egress = state['module.results.module.service.module.security_group.aws_vpc_security_group_egress_rule.declared["efs-mount-targets:2049"]']
    results_group = state["module.results.module.service.module.security_group.aws_security_group.this"]["id"]
    nfs_out = (egress["security_group_id"], egress["referenced_security_group_id"], egress["from_port"], egress["cidr_ipv4"])
    assert nfs_out == (results_group, group["id"], 2049, None)
    raw = json.loads(plans.terraform("vote", "dev").run(["state", "pull"], capture=True).stdout)
    dependencies = {
        (r.get("module", ""), r["type"]): set(r["instances"][0].get("dependencies", [])) for r in raw["resources"] if r["mode"] == "managed"
    }
    mount_targets = "module.efs_mount_targets.aws_efs_mount_target.this"
    assert mount_targets in dependencies[("module.results.module.service", "aws_ecs_service")]
    assert mount_targets not in dependencies[("module.vote_api.module.service", "aws_ecs_service")]
    # the simulated account knows where they are (it refuses a second one per zone, or another VPC)
    account = json.loads((workspace / ".tfgen" / "vote" / "dev" / "offline-account.json").read_text())
    placed = sorted((r["placement"]["file_system_id"], r["placement"]["subnet_id"]) for r in account["records"] if r["type"] == "aws_efs_mount_target")
    assert placed == [(VOTE_FILE_SYSTEMS["dev"], subnet) for subnet in private]


def test_vote_service_security_groups_after_offline_apply(plans: Plans):
    """services.vote-api.network.security_groups: on the tasks, after their own group and the services group."""
    state = plans.applied_state("vote", "dev")
    (network,) = state["module.vote_api.module.service.aws_ecs_service.this"]["network_configuration"]
    assert len(network["security_groups"]) == 3 and "sg-0123456789abcdef0" in network["security_groups"]
    (results,) = state["module.results.module.service.aws_ecs_service.this"]["network_configuration"]
    assert len(results["security_groups"]) == 2


def test_vote_worker_redrive_after_offline_apply(plans: Plans):
    state = plans.applied_state("vote", "dev")
    redrive = json.loads(state["module.vote_worker.aws_sqs_queue.this"]["redrive_policy"])
    assert redrive["maxReceiveCount"] == 3
    assert redrive["deadLetterTargetArn"].endswith("vote-dev-vote-worker-dlq")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_nightly_job_and_network(env: str, plans: Plans):
    plan = plans("vote", env)
    assert plan.of_type("aws_cloudwatch_event_rule") == {}
    schedules = plan.of_type("aws_scheduler_schedule")
    assert [(s["schedule_expression"], s["schedule_expression_timezone"]) for s in schedules.values()] == [("cron(0 2 * * ? *)", "Europe/Dublin")]
    # the blueprint's timeout: 600 stops a run that takes longer; retries: 2 starts a failed one
    # again 60 s later, then 120 s; no notify: nothing to publish
    definition = json.loads(plan.after("module.tally.aws_sfn_state_machine.this")["definition"])
    run = definition["States"]["RunTask"]
    assert run["TimeoutSeconds"] == 600
    assert run["Retry"] == [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 60, "MaxAttempts": 2, "BackoffRate": 2}]
    assert "Catch" not in run and list(definition["States"]) == ["RunTask"]
    vpc = plan.after("module.vpc.aws_vpc.this")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    assert len(plan.addresses("module.vpc.aws_subnet.")) == 4
    assert len(plan.addresses("module.vpc.aws_nat_gateway.")) == 1
    for subnet in plan.of_type("aws_subnet").values():
        assert subnet["map_public_ip_on_launch"] is False
    default_sg = plan.after("module.vpc.aws_default_security_group.this")
    assert default_sg["ingress"] == [] and default_sg["egress"] == []
    flow_log = plan.after("module.vpc.aws_flow_log.this")
    assert (flow_log["traffic_type"], flow_log["log_destination_type"]) == ("ALL", "cloud-watch-logs")
    assert plan.after("module.vpc.aws_cloudwatch_log_group.flow_logs")["name"] == f"/vpc/vote-{env}/flow-logs"
    assert plan.after("module.vpc.module.flow_logs_role.aws_iam_role.this")["name"] == f"vote-{env}-flow-logs"


VOTE_ALIASES = {"dev": ("dev.vote.example.com", ["dev.vote.example.com"]), "prod": ("example.com", ["vote.example.com", "www.vote.example.com"])}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_alias_records_in_the_environments_zone(env: str, plans: Plans):
    plan = plans("vote", env)
    zone, names = VOTE_ALIASES[env]
    records = plan.of_type("aws_route53_record")
    assert sorted(records) == [f'module.alb.aws_route53_record.alias["{name}"]' for name in names]
    for name, record in zip(names, (records[a] for a in sorted(records)), strict=True):
        # A only: the load balancer has no IPv6 addresses (modules/alb sets no dualstack)
        assert (record["name"], record["type"]) == (name, "A")
        assert [alias["evaluate_target_health"] for alias in record["alias"]] == [True]
    assert plan.document["planned_values"]["outputs"]["load_balancer_aliases"]["value"] == names
    # the zone is read in the plan, offline too: the record's zone_id is the zone's
    (zone_data,) = [r for r in _data_sources(plan.document["prior_state"]["values"]["root_module"]) if r["type"] == "aws_route53_zone"]
    assert (zone_data["values"]["name"], zone_data["values"]["private_zone"]) == (zone, False)
    assert re.fullmatch(r"Z[0-9A-Z]{20}", zone_data["values"]["zone_id"])
    assert {record["zone_id"] for record in records.values()} == {zone_data["values"]["zone_id"]}
    # the rule routes exactly these host names (a host rule: a lower priority than path-only rules)
    rule = plan.after("module.vote_api.aws_lb_listener_rule.shifted[0]")
    hosts = [condition["host_header"][0]["values"] for condition in rule["condition"] if condition["host_header"]]
    assert hosts == [names]


def _data_sources(module: dict[str, Any]):
    for resource in module.get("resources", []):
        if resource["mode"] == "data":
            yield resource
    for child in module.get("child_modules", []):
        yield from _data_sources(child)


def test_vote_alias_records_point_at_the_load_balancer_after_offline_apply(plans: Plans):
    state = plans.applied_state("vote", "dev")
    lb = state["module.alb.aws_lb.this"]
    zone = state["module.alb.data.aws_route53_zone.this[0]"]
    record = state['module.alb.aws_route53_record.alias["dev.vote.example.com"]']
    assert record["zone_id"] == zone["zone_id"] and zone["name"] == "dev.vote.example.com"
    assert record["alias"] == [{"name": lb["dns_name"], "zone_id": lb["zone_id"], "evaluate_target_health": True}]
    assert lb["dns_name"].endswith(".eu-west-1.elb.amazonaws.com")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vote_backend_has_a_dns_name_in_the_private_namespace(env: str, plans: Plans):
    plan = plans("vote", env)
    namespace = plan.after("module.cluster.aws_service_discovery_private_dns_namespace.this[0]")
    assert namespace["name"] == f"vote.{env}.internal"
    assert plan.unknown("module.cluster.aws_service_discovery_private_dns_namespace.this[0]").get("vpc") is True  # the created VPC's id
    discovery = plan.after("module.results.aws_service_discovery_service.this[0]")
    assert discovery["name"] == "results"
    (dns,) = discovery["dns_config"]
    assert dns["routing_policy"] == "MULTIVALUE" and dns["dns_records"] == [{"type": "A", "ttl": 10}]
    assert discovery["health_check_custom_config"] == [{"failure_threshold": None}]  # ECS reports health; the threshold is deprecated
    assert plan.document["planned_values"]["outputs"]["backend_dns_names"]["value"] == {"results": f"results.vote.{env}.internal"}
    service = plan.after("module.results.module.service.aws_ecs_service.this")
    assert plan.unknown("module.results.module.service.aws_ecs_service.this")["service_registries"] == [{"registry_arn": True}]
    assert len(service["service_registries"]) == 1
    assert service["service_connect_configuration"][0]["enabled"] is True  # Service Connect stays: http://results:8080
    # only the backend registers: web, worker and job modules have no discovery service
    assert list(plan.of_type("aws_service_discovery_service")) == ["module.results.aws_service_discovery_service.this[0]"]


def test_vote_backend_registration_and_job_access_after_offline_apply(plans: Plans):
    state = plans.applied_state("vote", "dev")
    namespace = state["module.cluster.aws_service_discovery_private_dns_namespace.this[0]"]
    assert namespace["vpc"] == state["module.vpc.aws_vpc.this"]["id"] and namespace["name"] == "vote.dev.internal"
    discovery = state["module.results.aws_service_discovery_service.this[0]"]
    assert discovery["dns_config"][0]["namespace_id"] == namespace["id"]
    service = state["module.results.module.service.aws_ecs_service.this"]
    assert [registry["registry_arn"] for registry in service["service_registries"]] == [discovery["arn"]]
    # the nightly job reaches results.vote.dev.internal:8080: its tasks join the services group,
    # which the backend's group admits on its port (the VPC resolver is not filtered by groups)
    services_group = state["module.cluster.aws_security_group.services"]["id"]
    ingress = [r for a, r in state.items() if a.startswith("module.results.") and a.endswith("aws_vpc_security_group_ingress_rule.this[\"services\"]")]
    assert [(r["referenced_security_group_id"], r["from_port"], r["to_port"]) for r in ingress] == [(services_group, 8080, 8080)]
    (target,) = state["module.tally.aws_scheduler_schedule.this"]["target"]
    job_groups = json.loads(target["input"])["security_groups"]
    assert job_groups == [state["module.tally.module.security_group.aws_security_group.this"]["id"], services_group]


# --- single-web: existing VPC, HTTP only in dev, HTTPS in prod, image built into ECR --------------


def test_single_web_http_only_in_dev(plans: Plans):
    dev = plans("single-web", "dev")
    action = dev.after("module.alb.aws_lb_listener.http")["default_action"][0]
    assert action["type"] == "fixed-response"
    assert action["fixed_response"][0]["status_code"] == "404"
    assert not dev.addresses("module.alb.aws_lb_listener.https")
    ingress = dev.of_type("aws_vpc_security_group_ingress_rule")
    alb_ingress = {a: r for a, r in ingress.items() if a.startswith("module.alb.")}
    assert {(r["from_port"], r["cidr_ipv4"]) for r in alb_ingress.values()} == {(80, "203.0.113.0/24")}
    for rule in alb_ingress.values():
        assert rule["description"]


def test_single_web_https_in_prod(plans: Plans):
    prod = plans("single-web", "prod")
    action = prod.after("module.alb.aws_lb_listener.http")["default_action"][0]
    assert action["type"] == "redirect" and action["redirect"][0]["status_code"] == "HTTP_301"
    assert prod.after("module.alb.aws_lb_listener.https[0]")["ssl_policy"] == TLS_POLICY
    target = prod.after("module.storefront.module.service.aws_appautoscaling_target.this")
    assert (target["min_capacity"], target["max_capacity"]) == (2, 6)
    cpu = [p for a, p in prod.of_type("aws_appautoscaling_policy").items() if a.startswith("module.storefront.")]
    assert [p["target_tracking_scaling_policy_configuration"][0]["target_value"] for p in cpu] == [70]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_single_web_on_existing_vpc_with_ecr(env: str, plans: Plans):
    plan = plans("single-web", env)
    assert not plan.addresses("module.vpc")
    assert plan.after("module.alb.aws_security_group.this")["vpc_id"] == "vpc-0a1b2c3d4e5f60718"
    service = plan.after("module.storefront.module.service.aws_ecs_service.this")
    assert sorted(service["network_configuration"][0]["subnets"]) == ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
    assert service["enable_execute_command"] is (env == "dev")
    # One repository for the application, in the first environment's account (dev, 333333333333):
    # prod pulls the very image dev ran, without pushing it again.
    image = json.loads(plan.after("module.storefront.module.task.aws_ecs_task_definition.this")["container_definitions"])[0]["image"]
    assert image == "333333333333.dkr.ecr.eu-central-1.amazonaws.com/single-web/storefront:v1"
    if env == "prod":
        assert not plan.addresses("module.storefront_repository")
        return
    repository = plan.after("module.storefront_repository[0].aws_ecr_repository.this")
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert repository["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert repository["name"] == "single-web/storefront" and repository["force_delete"] is True  # dev is not protected
    pull = json.loads(plan.after("module.storefront_repository[0].aws_ecr_repository_policy.this[0]")["policy"])
    [statement] = pull["Statement"] if isinstance(pull["Statement"], list) else [pull["Statement"]]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::444444444444:root"}  # prod's account, pull only
    assert sorted(statement["Action"]) == ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    health = plan.after("module.storefront.aws_lb_target_group.this")["health_check"][0]
    assert health["path"] == "/healthz" and health["matcher"] == "200"


# --- ec2-app: EC2 capacity provider, scaling on CPU and requests --------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_ec2_capacity(env: str, plans: Plans):
    plan = plans("ec2-app", env)
    template = plan.after("module.ec2_capacity.aws_launch_template.this")
    assert template["metadata_options"][0]["http_tokens"] == "required"
    assert template["image_id"] == "ami-0abcdef1234567890"  # the offline provider's answer to the ECS AMI SSM parameter
    assert template["instance_type"] == ("t3.medium" if env == "dev" else "m6i.large")
    assert f"ECS_CLUSTER=ec2-app-{env}" in base64.b64decode(template["user_data"]).decode()
    assert template["block_device_mappings"][0]["ebs"][0]["encrypted"] == "true"
    group = plan.after("module.ec2_capacity.aws_autoscaling_group.this")
    assert group["protect_from_scale_in"] is True
    assert {"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True} in group["tag"]
    assert (group["min_size"], group["max_size"]) == ((0, 2) if env == "dev" else (1, 10))  # prod: room for 20 awsvpc tasks
    provider = plan.after("module.ec2_capacity.aws_ecs_capacity_provider.this")["auto_scaling_group_provider"][0]
    assert provider["managed_termination_protection"] == "ENABLED"
    assert provider["managed_draining"] == "ENABLED"
    assert provider["managed_scaling"][0]["status"] == "ENABLED"
    assert provider["managed_scaling"][0]["target_capacity"] == 90
    capacity = plan.after("module.cluster.aws_ecs_cluster_capacity_providers.this")
    assert f"ec2-app-{env}-ec2" in capacity["capacity_providers"]
    strategy = plan.after("module.reports_web.module.service.aws_ecs_service.this")["capacity_provider_strategy"]
    assert [s["capacity_provider"] for s in strategy] == [f"ec2-app-{env}-ec2"]
    assert len(plan.addresses("module.vpc.aws_nat_gateway.")) == 3


def test_ec2_app_scales_on_cpu_and_requests_in_prod(plans: Plans):
    prod, dev = plans("ec2-app", "prod"), plans("ec2-app", "dev")
    web = {a: p for a, p in prod.of_type("aws_appautoscaling_policy").items() if a.startswith("module.reports_web.")}
    configurations = [p["target_tracking_scaling_policy_configuration"][0] for p in web.values()]
    metrics = {c["predefined_metric_specification"][0]["predefined_metric_type"]: c["target_value"] for c in configurations}
    assert metrics == {"ECSServiceAverageCPUUtilization": 65, "ALBRequestCountPerTarget": 800}
    api = {a: p for a, p in prod.of_type("aws_appautoscaling_policy").items() if a.startswith("module.reports_api.")}
    assert len(api) == 3
    target = prod.after("module.reports_web.module.service.aws_appautoscaling_target.this")
    assert (target["min_capacity"], target["max_capacity"]) == (2, 12)
    assert dev.after("module.reports_web.module.service.aws_ecs_service.this")["desired_count"] == 1
    rules = prod.of_type("aws_lb_listener_rule")
    by_service = {a.split(".")[1]: r["priority"] for a, r in rules.items()}
    assert by_service["reports_api"] < by_service["reports_web"]  # host + /api/* before the catch-all
    services = load_blueprint(EXAMPLES / "ec2-app.yaml").blueprint.web_services()
    assert by_service == {name: derived_priority(name.replace("_", "-"), services[name.replace("_", "-")]) for name in by_service}


def test_cli_validate_every_example(terraform_class):
    from click.testing import CliRunner

    from tfgen.cli import cli

    paths = [str(EXAMPLES / f"{name}.yaml") for name in EXAMPLE_NAMES]
    result = CliRunner().invoke(cli, ["validate", *paths], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in EXAMPLE_NAMES:
        for env in ("dev", "prod"):
            assert f"{name}.yaml: {env}: ok" in result.output


def test_cli_validate_bad_blueprint_exits_2(tmp_path: Path):
    from click.testing import CliRunner

    from tfgen.cli import cli

    path = tmp_path / "bad.yaml"
    path.write_text((EXAMPLES / "vote.yaml").read_text().replace("type: worker-service", "type: worker-servic"))
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "services.vote-worker.type" in result.output
