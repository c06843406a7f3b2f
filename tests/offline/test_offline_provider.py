"""Real Terraform against the offline AWS provider: validate, plan, show -json, apply, re-plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.offline.datasources import policy_document
from tfgen.offline.install import scan_types, trimmed_schema
from tfgen.offline.schema import PACKAGED_SCHEMA, SchemaFileError, load_provider_schemas, version_from_path
from tfgen.terraform import Terraform, TerraformError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "terraform"
BLUEPRINTS = Path(__file__).parents[2] / "blueprints"


def copy_fixture(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / name, target)
    return target


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Terraform:
    """The `stack` fixture, initialized offline, planned and applied once per test worker."""
    root = copy_fixture("stack", tmp_path_factory.mktemp("offline"))
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    plan = terraform.data_dir / "first.tfplan"
    events: list[dict] = []
    terraform.plan(plan, on_event=events.append)
    # The tests below read the first plan from the fixture itself: attributes Terraform does not declare.
    terraform.first_plan_json = terraform.show_json(plan)  # type: ignore[attr-defined]
    terraform.first_plan_events = events  # type: ignore[attr-defined]
    terraform.apply(plan, on_event=lambda event: None)
    return terraform


def changes(plan_json: dict) -> dict[str, dict]:
    return {change["address"]: change["change"] for change in plan_json["resource_changes"]}


def data_values(plan_json: dict, address: str) -> dict:
    resources = plan_json["prior_state"]["values"]["root_module"]["resources"]
    return next(r["values"] for r in resources if r["address"] == address)


def test_plan_json_has_the_resources_and_their_arguments(stack):
    planned = changes(stack.first_plan_json)
    assert {"aws_sqs_queue.jobs", "aws_ecs_service.service", "aws_security_group.service"} <= set(planned)
    managed = [c for c in stack.first_plan_json["resource_changes"] if c["mode"] == "managed"]
    assert len(managed) == 10 and all(c["change"]["actions"] == ["create"] for c in managed)
    assert planned["data.aws_iam_policy_document.consume"]["actions"] == ["read"]  # needs the queue's ARN
    queue = planned["aws_sqs_queue.jobs"]
    assert queue["after"]["name"] == "fixture-jobs"
    assert queue["after"]["region"] == "eu-west-1"
    assert queue["after"]["tags_all"] == {"app": "fixture"}
    assert queue["after_unknown"]["arn"] is True and queue["after_unknown"]["url"] is True


def test_jsonencoded_arguments_are_planned_as_json(stack):
    planned = changes(stack.first_plan_json)
    redrive = planned["aws_sqs_queue.jobs"]["after_unknown"]["redrive_policy"]
    assert redrive is True  # depends on the dead-letter queue's ARN, known after apply
    state = stack.run(["show", "-json"], capture=True)
    resources = json.loads(state.stdout)["values"]["root_module"]["resources"]
    queue = next(r for r in resources if r["address"] == "aws_sqs_queue.jobs")["values"]
    assert json.loads(queue["redrive_policy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:fixture-jobs-dlq",
        "maxReceiveCount": 3,
    }
    task = next(r for r in resources if r["address"] == "aws_ecs_task_definition.service")["values"]
    container = json.loads(task["container_definitions"])[0]
    assert container["environment"] == [
        {"name": "QUEUE_URL", "value": "https://sqs.eu-west-1.amazonaws.com/123456789012/fixture-jobs"}
    ]


def test_nested_blocks_list_set_and_single(stack):
    planned = changes(stack.first_plan_json)
    service = planned["aws_ecs_service.service"]["after"]
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    assert service["network_configuration"][0]["assign_public_ip"] is False
    group = planned["aws_security_group.service"]["after"]
    assert [rule["from_port"] for rule in group["ingress"]] == [8080]
    assert group["ingress"][0]["cidr_blocks"] == ["10.0.0.0/16"]
    assert planned["aws_sqs_queue.jobs"]["after"]["timeouts"] == {"create": "5m", "delete": None, "update": None}


def test_iam_policy_document_renders_the_real_policy_json(stack):
    values = data_values(stack.first_plan_json, "data.aws_iam_policy_document.assume")
    assert json.loads(values["json"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcsTasks",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    assert json.loads(values["minified_json"]) == json.loads(values["json"])
    role = changes(stack.first_plan_json)["aws_iam_role.task"]["after"]
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Sid"] == "EcsTasks"


def test_data_sources_are_deterministic_and_known(stack):
    ami = data_values(stack.first_plan_json, "data.aws_ssm_parameter.ecs_ami")
    assert ami["value"].startswith("ami-")
    template = changes(stack.first_plan_json)["aws_launch_template.ec2"]["after"]
    assert template["image_id"] == ami["value"]
    subnets = data_values(stack.first_plan_json, "data.aws_subnets.default")
    assert len(subnets["ids"]) == 3 and all(s.startswith("subnet-") for s in subnets["ids"])
    identity = data_values(stack.first_plan_json, "data.aws_caller_identity.current")
    assert identity["account_id"] == "123456789012"


def test_apply_fills_aws_shaped_placeholders(stack):
    outputs = json.loads(stack.run(["output", "-json", "-no-color"], capture=True).stdout)
    assert outputs["queue_url"]["value"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/fixture-jobs"
    state = json.loads(stack.state_path.read_text())
    by_address = {f"{r['type']}.{r['name']}": r["instances"][0]["attributes"] for r in state["resources"] if r["mode"] == "managed"}
    assert by_address["aws_ecs_cluster.main"]["arn"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/fixture"
    assert by_address["aws_security_group.service"]["id"].startswith("sg-")
    assert by_address["aws_launch_template.ec2"]["name"].startswith("fixture-")


def test_second_plan_after_apply_is_empty(stack):
    result = stack.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], capture=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes." in result.stdout


def test_a_changed_name_plans_a_replacement(stack):
    plan = stack.data_dir / "rename.tfplan"
    stack.plan(plan, variables={"queue_name": "renamed", "security_group_name": "renamed-sg"}, on_event=lambda e: None)
    planned = changes(stack.show_json(plan))
    assert planned["aws_sqs_queue.jobs"]["actions"] == ["delete", "create"]
    assert planned["aws_security_group.service"]["actions"] == ["delete", "create"]
    assert planned["aws_cloudwatch_log_group.service"]["actions"] == ["no-op"]
    assert planned["aws_sqs_queue.jobs"]["replace_paths"] == [["name"]]


def test_plan_reports_progress_events(stack):
    types = {event.get("type") for event in stack.first_plan_events}
    assert {"planned_change", "change_summary"} <= types


@pytest.fixture(scope="module")
def invalid(tmp_path_factory) -> Terraform:
    root = copy_fixture("invalid", tmp_path_factory.mktemp("invalid"))
    return Terraform(root, root / ".tfgen" / "dev", offline=True)


def test_validate_reports_an_argument_typo_with_did_you_mean(invalid):
    with pytest.raises(TerraformError) as caught:
        invalid.validate()
    message = str(caught.value)
    assert 'An argument named "nmae" is not expected here. Did you mean "name"?' in message
    assert "main.tf line 11" in message
    summaries = {d["summary"] for d in caught.value.diagnostics}
    assert "Unsupported argument" in summaries


def test_validate_reports_a_wrong_type(invalid):
    with pytest.raises(TerraformError) as caught:
        invalid.validate()
    assert 'Inappropriate value for attribute "delay_seconds": a number is required.' in str(caught.value)


def test_trimmed_schema_holds_only_the_configurations_types(aws_schema_path, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    resources, data_sources = scan_types(FIXTURES / "stack")
    assert "aws_ecs_service" in resources and "aws_iam_policy_document" in data_sources
    trimmed = load_provider_schemas(trimmed_schema(aws_schema_path, resources, data_sources))
    assert set(trimmed["resource_schemas"]) == resources
    assert set(trimmed["data_source_schemas"]) == data_sources


def test_schema_errors_say_how_to_produce_one(tmp_path):
    with pytest.raises(SchemaFileError, match=r"terraform providers schema -json"):
        load_provider_schemas(tmp_path / "missing.json")
    broken = tmp_path / "aws-1.2.3.json"
    broken.write_text("{not json")
    with pytest.raises(SchemaFileError, match="cannot read"):
        load_provider_schemas(broken)
    assert version_from_path(broken) == "1.2.3"


def _schema_file(path: Path, provider: dict, resources: dict) -> Path:
    entry = {"provider": provider, "resource_schemas": resources, "data_source_schemas": {}}
    path.write_text(json.dumps({"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/aws": entry}}))
    return path


REGION = {"version": 0, "block": {"attributes": {"region": {"type": "string", "optional": True}}}}
QUEUE = {"version": 0, "block": {"attributes": {"name": {"type": "string", "optional": True}}}}


@pytest.mark.parametrize(
    "provider, resources, problem",
    [
        ({"version": 0, "block": {}}, {"aws_sqs_queue": QUEUE}, "its provider block has no `region` argument: it is not the schema of hashicorp/aws"),
        (
            REGION,
            {"aws_sqs_queue": {"version": 0, "block": {"attributes": [1, 2]}}},
            "resource_schemas.aws_sqs_queue.block.attributes: expected an object, got a list",
        ),
        (
            REGION,
            {"aws_sqs_queue": {"version": 0, "block": {"block_types": {"x": {"nesting_mode": "tree", "block": {}}}}}},
            'resource_schemas.aws_sqs_queue.block.block_types.x.nesting_mode: unexpected value "tree"',
        ),
        (REGION, {"aws_sqs_queue": {"version": "0", "block": {}}}, 'resource_schemas.aws_sqs_queue.version: expected an integer, got "0"'),
    ],
    ids=["not-aws", "attributes-a-list", "unknown-nesting", "version-a-string"],
)
def test_a_schema_of_the_wrong_shape_is_blamed_on_the_schema(tmp_path, monkeypatch, provider, resources, problem):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    schema = _schema_file(tmp_path / "aws.json", provider, resources)
    with pytest.raises(SchemaFileError) as caught:
        trimmed_schema(schema, {"aws_sqs_queue"}, set())
    assert str(caught.value).startswith(f"{schema} cannot serve this configuration: {problem}; produce one from the real provider")


def test_a_wrong_schema_fails_validate_as_a_schema_problem_not_as_bad_rendered_code(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    schema = _schema_file(tmp_path / "aws.json", {"version": 0, "block": {}}, {})
    monkeypatch.setenv("TFGEN_AWS_SCHEMA", str(schema))
    result = CliRunner().invoke(cli, ["validate", str(BLUEPRINTS / "single-web.yaml")])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {schema} cannot serve this configuration: its provider block has no `region` argument")


def test_a_schema_without_a_type_the_rendered_code_uses_is_named_as_the_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    full = load_provider_schemas(PACKAGED_SCHEMA)
    del full["resource_schemas"]["aws_lb_listener_rule"]
    schema = tmp_path / "aws-6.47.0.json"
    schema.write_text(json.dumps({"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/aws": full}}))
    monkeypatch.setenv("TFGEN_AWS_SCHEMA", str(schema))
    result = CliRunner().invoke(cli, ["validate", str(BLUEPRINTS / "single-web.yaml")])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"error: the AWS provider schema (hashicorp/aws 6.47.0 from {schema} (TFGEN_AWS_SCHEMA)) has no resource type aws_lb_listener_rule, "
        "which the rendered code uses: produce one from the real provider"
    )


def test_policy_document_merges_principals_conditions_and_single_values():
    document = policy_document(
        {
            "statement": [
                {
                    "sid": None,
                    "effect": "Deny",
                    "actions": ["s3:GetObject", "s3:PutObject"],
                    "not_actions": None,
                    "resources": ["arn:aws:s3:::b/*"],
                    "not_resources": None,
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "not_principals": [],
                    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
                }
            ]
        }
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::b/*",
                "Principal": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def test_in_place_update_then_destroy_leave_no_diff(tmp_path):
    root = copy_fixture("stack", tmp_path)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    quiet = {"on_event": lambda event: None}
    terraform.run(["apply", "-auto-approve", "-input=false", "-json"], **quiet)
    main_tf = root / "main.tf"
    main_tf.write_text(main_tf.read_text().replace("desired_count   = 2", "desired_count   = 3"))
    plan = terraform.data_dir / "update.tfplan"
    terraform.plan(plan, **quiet)
    actions = {c["address"]: c["change"]["actions"] for c in terraform.show_json(plan)["resource_changes"]}
    assert actions["aws_ecs_service.service"] == ["update"]
    terraform.apply(plan, **quiet)
    again = terraform.run(["plan", "-input=false", "-detailed-exitcode"], capture=True, check=False)
    assert again.returncode == 0, again.stdout
    terraform.run(["destroy", "-auto-approve", "-input=false", "-json"], **quiet)
    assert json.loads(terraform.state_path.read_text())["resources"] == []


def test_a_hosted_zone_is_answered_by_name_the_same_for_the_same_account():
    from tfgen.offline.datasources import read_data_source
    from tfgen.offline.planning import ProviderSettings

    block = load_provider_schemas(PACKAGED_SCHEMA)["data_source_schemas"]["aws_route53_zone"]["block"]
    settings = ProviderSettings()
    zone = read_data_source("aws_route53_zone", block, {"name": "Example.com.", "private_zone": False}, settings)
    assert read_data_source("aws_route53_zone", block, {"name": "example.com"}, settings)["zone_id"] == zone["zone_id"]
    assert (zone["name"], zone["private_zone"], zone["id"]) == ("example.com", False, zone["zone_id"])
    assert zone["arn"] == f"arn:aws:route53:::hostedzone/{zone['zone_id']}"
    assert len(zone["name_servers"]) == 4
    other = read_data_source("aws_route53_zone", block, {"name": "example.com"}, ProviderSettings(account="222222222222"))
    assert other["zone_id"] != zone["zone_id"]  # another account's zone of that name is another zone
    assert read_data_source("aws_route53_zone", block, {"name": "dev.example.com"}, settings)["zone_id"] != zone["zone_id"]
