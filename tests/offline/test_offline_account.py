"""The stand-in's simulated account: names, listener rule priorities and deletes of resources in use,
refused with AWS's error codes; then real Terraform applying through it."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from tfgen.errors import InputError
from tfgen.offline import ACCOUNT_ENV, ACCOUNT_FILE, ACCOUNT_ID
from tfgen.offline.account import Account, AccountRefusal, Record, record_of
from tfgen.offline.account_file import AccountStore, prepare_account, read_account
from tfgen.offline.planning import ProviderSettings
from tfgen.offline.rehearse import apply_rehearsed
from tfgen.offline.values import UNKNOWN
from tfgen.terraform import Terraform, TerraformError

REGION = "eu-west-1"
TG_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/main/1/2"


def rec(type_name: str, region: str = REGION, **state: Any) -> Record:
    record = record_of(type_name, state, ACCOUNT_ID, region)
    assert record is not None
    return record


def created(account: Account, type_name: str, **state: Any) -> Record:
    record = rec(type_name, **state)
    account.create(record, state)
    return record


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(AccountRefusal) as caught:
        call(*args)
    return str(caught.value)


# --- names ---------------------------------------------------------------------------------------


def test_a_second_target_group_of_the_same_name_is_refused_as_aws_does():
    account = Account()
    created(account, "aws_lb_target_group", id=TG_ARN, arn=TG_ARN, name="web")
    again = {"id": TG_ARN + "x", "arn": TG_ARN + "x", "name": "web"}
    message = refused(account.create, rec("aws_lb_target_group", **again), again)
    assert message == "creating ELBv2 Target Group (web): DuplicateTargetGroupName: A target group with the specified name already exists"
    assert len(account.records) == 1  # a refusal records nothing


def test_the_same_name_in_another_region_is_another_target_group():
    account = Account()
    created(account, "aws_lb_target_group", id="a", name="web")
    other = {"id": "b", "name": "web", "region": "us-west-2"}
    account.create(rec("aws_lb_target_group", **other), other)
    assert len(account.records) == 2


@pytest.mark.parametrize(
    ("type_name", "first", "second", "expected"),
    [
        ("aws_iam_role", "TaskRole", "taskrole", "creating IAM Role (taskrole): EntityAlreadyExists: Role with name taskrole already exists."),
        (
            "aws_iam_policy",
            "Read",
            "READ",
            "creating IAM Policy (READ): EntityAlreadyExists: A policy called READ already exists. Duplicate names are not allowed.",
        ),
        ("aws_lb", "main", "main", "creating ELBv2 Load Balancer (main): DuplicateLoadBalancerName: A load balancer with the specified name already exists"),
        (
            "aws_cloudwatch_log_group",
            "/ecs/web",
            "/ecs/web",
            "creating CloudWatch Logs Log Group (/ecs/web): ResourceAlreadyExistsException: The specified log group already exists",
        ),
        ("aws_ecs_capacity_provider", "ec2", "ec2", "creating ECS Capacity Provider (ec2): ClientException: The specified capacity provider already exists."),
        (
            "aws_sfn_state_machine",
            "job",
            "job",
            "creating Step Functions State Machine (job): StateMachineAlreadyExists: State Machine Already Exists: 'arn:first'",
        ),
        (
            "aws_scheduler_schedule",
            "nightly",
            "nightly",
            "creating EventBridge Scheduler Schedule (nightly): ConflictException: Schedule nightly already exists.",
        ),
    ],
)
def test_each_named_type_refuses_a_duplicate_with_its_own_code(type_name, first, second, expected):
    account = Account()
    created(account, type_name, id="first", arn="arn:first", name=first)
    state = {"id": "second", "arn": "arn:second", "name": second}
    assert refused(account.create, rec(type_name, **state), state).startswith(expected)


def test_iam_names_are_account_wide_and_other_names_are_per_region():
    account = Account()
    created(account, "aws_iam_role", id="task", name="task")
    elsewhere = {"id": "task2", "name": "task", "region": "us-west-2"}
    assert "EntityAlreadyExists" in refused(account.create, rec("aws_iam_role", **elsewhere), elsewhere)


def test_service_names_are_unique_per_cluster_whether_named_by_name_or_arn():
    account = Account()
    created(account, "aws_ecs_service", id="s1", name="web", cluster="arn:aws:ecs:eu-west-1:123456789012:cluster/main")
    same = {"id": "s2", "name": "web", "cluster": "main"}
    message = refused(account.create, rec("aws_ecs_service", **same), same)
    assert message == "creating ECS Service (web): InvalidParameterException: Creation of service was not idempotent."
    other = {"id": "s3", "name": "web", "cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}
    account.create(rec("aws_ecs_service", **other), other)


def test_schedules_are_unique_per_group_and_security_groups_per_vpc():
    account = Account()
    created(account, "aws_scheduler_schedule", id="default/nightly", name="nightly", group_name="default")
    other_group = {"id": "jobs/nightly", "name": "nightly", "group_name": "jobs"}
    account.create(rec("aws_scheduler_schedule", **other_group), other_group)
    created(account, "aws_security_group", id="sg-1", name="web", vpc_id="vpc-1")
    same_vpc = {"id": "sg-2", "name": "WEB", "vpc_id": "vpc-1"}
    message = refused(account.create, rec("aws_security_group", **same_vpc), same_vpc)
    assert message == "creating Security Group (WEB): InvalidGroup.Duplicate: The security group 'WEB' already exists for VPC 'vpc-1'"
    other_vpc = {"id": "sg-3", "name": "web", "vpc_id": "vpc-2"}
    account.create(rec("aws_security_group", **other_vpc), other_vpc)


def test_a_record_set_is_unique_by_name_and_type_per_zone():
    account = Account()
    created(account, "aws_route53_record", id="Z1_vote.example.com_A", zone_id="Z1", name="vote.example.com", type="A")
    again = {"id": "Z1_Vote.example.com._A", "zone_id": "Z1", "name": "Vote.example.com.", "type": "A"}
    assert refused(account.create, rec("aws_route53_record", **again), again) == (
        "creating Route53 Record (Vote.example.com.): InvalidChangeBatch: "
        "[Tried to create resource record set [name='Vote.example.com.', type='A'] but it already exists]"
    )
    for other in (
        {"id": "Z1_vote.example.com_AAAA", "zone_id": "Z1", "name": "vote.example.com", "type": "AAAA"},  # another type
        {"id": "Z2_vote.example.com_A", "zone_id": "Z2", "name": "vote.example.com", "type": "A"},  # another zone
        {"id": "Z1_vote.example.com_A2", "zone_id": "Z1", "name": "vote.example.com", "type": "A", "allow_overwrite": True},  # UPSERT
    ):
        account.create(rec("aws_route53_record", **other), other)
    assert len(account.records) == 4


def test_a_queue_of_the_same_name_is_idempotent_only_with_the_same_attributes():
    account = Account()
    created(account, "aws_sqs_queue", id="q1", name="jobs", visibility_timeout_seconds=30)
    same = {"id": "q2", "name": "jobs", "visibility_timeout_seconds": 30}
    account.create(rec("aws_sqs_queue", **same), same)
    differs = {"id": "q3", "name": "jobs", "visibility_timeout_seconds": 60}
    message = refused(account.create, rec("aws_sqs_queue", **differs), differs)
    assert message == (
        "creating SQS Queue (jobs): QueueAlreadyExists: "
        "A queue already exists with the same name and a different value for attribute(s) visibility_timeout_seconds"
    )


def test_create_before_destroy_meets_the_old_name_and_destroy_then_create_does_not():
    account = Account()
    old = created(account, "aws_lb_target_group", id="tg-80", arn="tg-80", name="web", port=80)
    new_state = {"id": "tg-8080", "arn": "tg-8080", "name": "web", "port": 8080}
    assert "DuplicateTargetGroupName" in refused(account.create, rec("aws_lb_target_group", **new_state), new_state)
    account.delete(old)
    account.create(rec("aws_lb_target_group", **new_state), new_state)
    assert [r.id for r in account.records] == ["tg-8080"]


def test_an_update_renames_the_record_and_frees_the_old_name():
    account = Account()
    old = created(account, "aws_cloudwatch_log_group", id="/ecs/a", name="/ecs/a")
    created(account, "aws_cloudwatch_log_group", id="/ecs/c", name="/ecs/c")
    renamed = {"id": "/ecs/a", "name": "/ecs/b"}
    account.update(account.find(old.type, old.id), rec("aws_cloudwatch_log_group", **renamed), renamed)
    onto = {"id": "/ecs/a", "name": "/ecs/c"}
    held = account.find(old.type, old.id)
    assert "ResourceAlreadyExistsException" in refused(account.update, held, rec("aws_cloudwatch_log_group", **onto), onto)
    fresh = {"id": "/ecs/a2", "name": "/ecs/a"}
    account.create(rec("aws_cloudwatch_log_group", **fresh), fresh)
    assert sorted(r.name or "" for r in account.records) == ["/ecs/a", "/ecs/b", "/ecs/c"]


# --- listener rule priorities --------------------------------------------------------------------


def rule(identity: str, priority: int, listener: str = LISTENER, **more: Any) -> dict[str, Any]:
    return {"id": identity, "arn": identity, "listener_arn": listener, "priority": priority, **more}


def test_a_priority_is_unique_per_listener():
    account = Account()
    created(account, "aws_lb_listener_rule", **rule("r1", 10))
    message = refused(account.create, rec("aws_lb_listener_rule", **rule("r2", 10)), rule("r2", 10))
    assert message == "creating ELBv2 Listener Rule: PriorityInUse: Priority '10' is currently in use"
    account.create(rec("aws_lb_listener_rule", **rule("r3", 10, listener=LISTENER + "x")), rule("r3", 10))


def test_swapping_two_priorities_fails_one_rule_at_a_time_and_a_move_to_a_free_one_works():
    account = Account()
    created(account, "aws_lb_listener_rule", **rule("r1", 10))
    created(account, "aws_lb_listener_rule", **rule("r2", 20))
    for identity, target in (("r1", 20), ("r2", 10)):
        held = account.find("aws_lb_listener_rule", identity)
        message = refused(account.update, held, rec("aws_lb_listener_rule", **rule(identity, target)), rule(identity, target))
        assert message == f"updating ELBv2 Listener Rule ({identity}): setting priority: PriorityInUse: Priority '{target}' is currently in use"
    held = account.find("aws_lb_listener_rule", "r1")
    account.update(held, rec("aws_lb_listener_rule", **rule("r1", 30)), rule("r1", 30))
    assert account.next_priority(LISTENER) == 31


# --- deletes of resources in use -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "state"),
    [
        ("aws_lb_listener", {"id": "l1", "default_action": [{"type": "forward", "target_group_arn": TG_ARN}]}),
        ("aws_lb_listener", {"id": "l1", "default_action": [{"type": "forward", "forward": [{"target_group": [{"arn": TG_ARN}]}]}]}),
        ("aws_lb_listener_rule", rule("r1", 10, action=[{"type": "forward", "target_group_arn": TG_ARN}])),
        ("aws_ecs_service", {"id": "s1", "name": "web", "cluster": "main", "load_balancer": [{"target_group_arn": TG_ARN}]}),
    ],
)
def test_a_target_group_in_use_is_not_deleted(type_name, state):
    account = Account()
    group = created(account, "aws_lb_target_group", id=TG_ARN, arn=TG_ARN, name="web")
    user = created(account, type_name, **state)
    message = refused(account.delete, group)
    assert message == f"deleting ELBv2 Target Group ({TG_ARN}): ResourceInUse: Target group '{TG_ARN}' is currently in use by a listener or a rule"
    account.delete(user)
    account.delete(group)
    assert account.records == []


@pytest.mark.parametrize(
    ("type_name", "state"),
    [
        ("aws_vpc_security_group_ingress_rule", {"id": "sgr-1", "security_group_id": "sg-svc", "referenced_security_group_id": "sg-lb"}),
        ("aws_security_group_rule", {"id": "sgrule-1", "security_group_id": "sg-svc", "source_security_group_id": "sg-lb"}),
        ("aws_security_group", {"id": "sg-svc", "name": "svc", "ingress": [{"security_groups": ["sg-lb"]}]}),
        ("aws_ecs_service", {"id": "s1", "name": "web", "network_configuration": [{"security_groups": ["sg-lb"]}]}),
    ],
)
def test_a_security_group_still_referenced_is_a_dependency_violation(type_name, state):
    account = Account()
    group = created(account, "aws_security_group", id="sg-lb", name="lb")
    user = created(account, type_name, **state)
    assert refused(account.delete, group) == "deleting Security Group (sg-lb): DependencyViolation: resource sg-lb has a dependent object"
    account.delete(user)
    account.delete(group)
    assert account.records == []


def test_a_group_whose_own_rules_name_itself_is_deleted():
    account = Account()
    group = created(account, "aws_security_group", id="sg-1", name="self", ingress=[{"security_groups": ["sg-1"]}])
    created(account, "aws_vpc_security_group_ingress_rule", id="sgr-1", security_group_id="sg-1", referenced_security_group_id="sg-1")
    account.delete(group)
    assert [r.id for r in account.records] == ["sgr-1"]


# --- the account on disk, and applying through it ------------------------------------------------

_BLOCK = {
    "attributes": {
        name: {"type": kind, "optional": True, "computed": computed}
        for name, kind, computed in [
            ("id", "string", True),
            ("arn", "string", True),
            ("name", "string", True),
            ("name_prefix", "string", False),
            ("port", "number", False),
            ("listener_arn", "string", False),
            ("priority", "number", True),
        ]
    }
}


def test_the_account_file_is_written_atomically_private_and_read_back_through_its_model(tmp_path):
    path = tmp_path / ACCOUNT_FILE
    store = AccountStore(path)
    settings = ProviderSettings(region=REGION)
    state = apply_rehearsed(store, "aws_lb_target_group", _BLOCK, None, {"name": "web", "port": 80, "id": UNKNOWN, "arn": UNKNOWN}, settings)
    assert state is not None and state["arn"].startswith("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [r.name for r in read_account(path).records] == ["web"]
    with pytest.raises(AccountRefusal, match="DuplicateTargetGroupName"):
        apply_rehearsed(AccountStore(path), "aws_lb_target_group", _BLOCK, None, {"name": "web", "port": 81, "id": UNKNOWN, "arn": UNKNOWN}, settings)
    assert apply_rehearsed(store, "aws_lb_target_group", _BLOCK, state, None, settings) is None
    assert read_account(path).records == []


def test_an_environment_applied_before_the_account_was_kept_is_seeded_from_its_state(tmp_path):
    state_path, account_path = tmp_path / "terraform.tfstate", tmp_path / ACCOUNT_FILE
    group = {"id": TG_ARN, "arn": TG_ARN, "name": "web", "region": REGION}
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 3,
        "lineage": "x",
        "resources": [
            {"mode": "data", "type": "aws_vpc", "name": "default", "instances": [{"attributes": {"id": "vpc-1"}}]},
            {"mode": "managed", "type": "aws_lb_target_group", "name": "web", "instances": [{"attributes": group}]},
            {"mode": "managed", "type": "aws_iam_role", "name": "task", "instances": [{"deposed": "0a1b", "attributes": {"id": "task", "name": "task"}}]},
        ],
    }
    state_path.write_text(json.dumps(state))
    prepare_account(account_path, state_path)
    account = read_account(account_path)
    assert [(r.type, r.name) for r in account.records] == [("aws_lb_target_group", "web"), ("aws_iam_role", "task")]
    again = {"id": "other", "name": "web", "region": REGION}
    assert "DuplicateTargetGroupName" in refused(account.create, rec("aws_lb_target_group", **again), again)
    account_path.write_text(Account().model_dump_json())
    prepare_account(account_path, state_path)  # an existing account is the account: never reseeded
    assert read_account(account_path).records == []
    state_path.unlink()
    prepare_account(account_path, state_path)  # no state: nothing exists yet
    assert not account_path.exists()


def test_a_broken_account_file_is_a_worded_input_error(tmp_path):
    path = tmp_path / ACCOUNT_FILE
    path.write_text(json.dumps({"version": 1, "records": [{"type": "aws_lb", "id": 3}]}))
    with pytest.raises(InputError, match=r"records\.0\.id.*offline account.*delete it"):
        read_account(path)
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "x", "resources": []}))
    with pytest.raises(InputError, match=ACCOUNT_FILE):
        prepare_account(path, state)


def test_a_generated_name_is_drawn_again_when_taken_and_an_unset_priority_is_the_highest_plus_one():
    store = AccountStore(None)
    settings = ProviderSettings(region=REGION)
    planned = {"name": UNKNOWN, "name_prefix": "web-", "port": 80, "id": UNKNOWN, "arn": UNKNOWN}
    first = apply_rehearsed(store, "aws_lb_target_group", _BLOCK, None, dict(planned), settings)
    second = apply_rehearsed(store, "aws_lb_target_group", _BLOCK, None, dict(planned), settings)
    assert first and second and first["name"].startswith("web-") and second["name"].startswith("web-")
    assert first["name"] != second["name"]
    rules = [
        apply_rehearsed(
            store, "aws_lb_listener_rule", _BLOCK, None, {"listener_arn": LISTENER, "priority": p, "id": UNKNOWN, "arn": UNKNOWN, "port": n}, settings
        )
        for n, p in enumerate([5, UNKNOWN, UNKNOWN])
    ]
    assert [r["priority"] for r in rules if r] == [5, 6, 7]


def test_concurrent_changes_from_two_stores_of_one_file_all_land(tmp_path):
    path = tmp_path / ACCOUNT_FILE
    settings = ProviderSettings(region=REGION)
    stores = [AccountStore(path), AccountStore(path)]

    def create(index: int) -> None:
        state = {"name": f"group-{index}", "port": 80, "id": UNKNOWN, "arn": UNKNOWN}
        apply_rehearsed(stores[index % 2], "aws_lb_target_group", _BLOCK, None, state, settings)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(read_account(path).records) == 12


# --- real Terraform through the stand-in ---------------------------------------------------------

_PROVIDER = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
}
provider "aws" { region = "eu-west-1" }
"""

_TARGET_GROUP = """variable "port" { type = number }
resource "aws_lb_target_group" "web" {
  %s
  port     = var.port
  protocol = "HTTP"
  vpc_id   = "vpc-0123456789abcdef0"
  lifecycle { create_before_destroy = true }
}
resource "aws_lb_listener_rule" "web" {
  listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/main/1/2"
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
  condition {
    path_pattern { values = ["/*"] }
  }
}
"""

_RULES = """variable "swap" { type = bool }
resource "aws_lb" "main" {
  name    = "fixture"
  subnets = ["subnet-1", "subnet-2"]
}
resource "aws_lb_target_group" "web" {
  name     = "fixture-web"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-0123456789abcdef0"
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}
resource "aws_lb_listener_rule" "a" {
  listener_arn = aws_lb_listener.http.arn
  priority     = var.swap ? 20 : 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
  condition {
    path_pattern { values = ["/a/*"] }
  }
}
resource "aws_lb_listener_rule" "b" {
  listener_arn = aws_lb_listener.http.arn
  priority     = var.swap ? 10 : 20
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
  condition {
    path_pattern { values = ["/b/*"] }
  }
}
"""

_QUIET = {"on_event": lambda event: None}


def offline(tmp_path: Path, text: str) -> Terraform:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(_PROVIDER + text)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    return terraform


def apply(terraform: Terraform, *variables: str) -> None:
    args = [arg for variable in variables for arg in ("-var", variable)]
    terraform.run(["apply", "-auto-approve", "-input=false", "-json", *args], **_QUIET)


def account_of(terraform: Terraform) -> Account:
    assert terraform.environment()[ACCOUNT_ENV] == str(terraform.account_path)
    return read_account(terraform.account_path)


@pytest.mark.parametrize("naming", ['name = "fixture-web"', 'name_prefix = "web-"'])
def test_a_target_group_replaced_before_destroy_meets_its_fixed_name(tmp_path, naming):
    terraform = offline(tmp_path, _TARGET_GROUP % naming)
    apply(terraform, "port=80")
    if naming.startswith("name ="):
        with pytest.raises(TerraformError) as caught:
            apply(terraform, "port=8080")
        assert "creating ELBv2 Target Group (fixture-web): DuplicateTargetGroupName" in str(caught.value)
        assert [r.name for r in account_of(terraform).records if r.type == "aws_lb_target_group"] == ["fixture-web"]
    else:
        # The new group is created, the rule moves to it, then the old one (no longer used) is deleted.
        apply(terraform, "port=8080")
        records = {r.type: r for r in account_of(terraform).records}
        assert sorted(records) == ["aws_lb_listener_rule", "aws_lb_target_group"]
        state = json.loads(terraform.state_path.read_text())
        group = next(r for r in state["resources"] if r["type"] == "aws_lb_target_group")["instances"]
        assert len(group) == 1 and group[0]["attributes"]["port"] == 8080
        assert records["aws_lb_listener_rule"].references == [records["aws_lb_target_group"].arn] == [group[0]["attributes"]["arn"]]


def test_two_listener_rules_swapping_priorities_fail_with_priority_in_use_and_destroy_empties_the_account(tmp_path):
    terraform = offline(tmp_path, _RULES)
    apply(terraform, "swap=false")
    with pytest.raises(TerraformError) as caught:
        apply(terraform, "swap=true")
    assert "PriorityInUse: Priority '" in str(caught.value) and "is currently in use" in str(caught.value)
    again = terraform.run(["plan", "-input=false", "-detailed-exitcode", "-var", "swap=false"], capture=True, check=False)
    assert again.returncode == 0, again.stdout  # the refused updates left both rules as they were
    terraform.run(["destroy", "-auto-approve", "-input=false", "-json", "-var", "swap=false"], **_QUIET)
    assert account_of(terraform).records == []


_IN_USE = """variable "port" { type = number }
resource "aws_lb_target_group" "web" {
  name     = "fixture-web"
  port     = var.port
  protocol = "HTTP"
  vpc_id   = "vpc-0123456789abcdef0"
}
resource "aws_lb_listener_rule" "web" {
  listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/main/1/2"
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
  condition {
    path_pattern { values = ["/*"] }
  }
}
"""


def test_a_target_group_replaced_destroy_first_is_still_in_use_by_its_rule(tmp_path):
    terraform = offline(tmp_path, _IN_USE)
    apply(terraform, "port=80")
    with pytest.raises(TerraformError) as caught:
        apply(terraform, "port=8080")
    assert "deleting ELBv2 Target Group (arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/fixture-web/" in str(caught.value)
    assert "ResourceInUse: Target group 'arn:aws:" in str(caught.value) and "is currently in use by a listener or a rule" in str(caught.value)
    assert sorted(r.type for r in account_of(terraform).records) == ["aws_lb_listener_rule", "aws_lb_target_group"]


def test_a_file_system_has_one_mount_target_per_zone_all_in_one_vpc():
    """CreateMountTarget answers MountTargetConflict for a second mount target of a file system in a
    subnet or availability zone that has one, or in another VPC; other file systems are free."""
    account = Account()
    created(account, "aws_subnet", id="subnet-a1", vpc_id="vpc-1", availability_zone="eu-west-1a")
    created(account, "aws_subnet", id="subnet-a2", vpc_id="vpc-1", availability_zone="eu-west-1a")
    created(account, "aws_subnet", id="subnet-b1", vpc_id="vpc-1", availability_zone="eu-west-1b")
    created(account, "aws_subnet", id="subnet-c9", vpc_id="vpc-9", availability_zone="eu-west-1c")
    first = created(account, "aws_efs_mount_target", id="fsmt-1", file_system_id="fs-1", subnet_id="subnet-a1")
    assert first.placement == {"file_system_id": "fs-1", "subnet_id": "subnet-a1"}
    for subnet in ("subnet-a1", "subnet-a2"):
        state = {"id": "fsmt-2", "file_system_id": "fs-1", "subnet_id": subnet}
        message = refused(account.create, rec("aws_efs_mount_target", **state), state)
        assert message == "creating EFS Mount Target (fs-1): MountTargetConflict: mount target already exists in this AZ (fsmt-1)"
    elsewhere = {"id": "fsmt-3", "file_system_id": "fs-1", "subnet_id": "subnet-c9"}
    assert refused(account.create, rec("aws_efs_mount_target", **elsewhere), elsewhere) == (
        "creating EFS Mount Target (fs-1): MountTargetConflict: the file system's mount targets are in vpc-1, not vpc-9: "
        "a file system has mount targets in one VPC only"
    )
    created(account, "aws_efs_mount_target", id="fsmt-4", file_system_id="fs-1", subnet_id="subnet-b1")
    created(account, "aws_efs_mount_target", id="fsmt-5", file_system_id="fs-2", subnet_id="subnet-c9")
    assert sorted(r.id for r in account.records if r.type == "aws_efs_mount_target") == ["fsmt-1", "fsmt-4", "fsmt-5"]
    account.delete(first)
    created(account, "aws_efs_mount_target", id="fsmt-6", file_system_id="fs-1", subnet_id="subnet-a2")
