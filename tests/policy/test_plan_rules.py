"""The lifecycle plan rules (CKV_TFG_10 replacements AWS refuses, CKV_TFG_11 listener rule
priorities, CKV_TFG_12 data in protected environments) on hand-written plan JSON documents of
several shapes (ARNs known or not, references through modules, for_each instances), and on one
plan of real Terraform with the offline provider."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tfgen.policy.plan_checks import run_plan_checks

_ADDRESS = re.compile(r'^((?:module\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?\.)*)([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])?)$')
RULE = "aws_lb_listener_rule"
TG = "aws_lb_target_group"
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/vote/50dc6c495c0c9188/f2f7dc8efc522ab2"


def change(address: str, actions: list[str], before: dict | None = None, after: dict | None = None, *,
           unknown: dict | None = None, refs: dict[str, list[str]] | None = None, replace: list[str] | None = None) -> dict[str, Any]:
    """One resource: its resource_changes entry, its planned values (unless deleted) and the
    references of its configuration (attribute -> references)."""
    match = _ADDRESS.match(address)
    assert match, address
    module = match[1].rstrip(".")
    item: dict[str, Any] = {
        "address": address, "module_address": module or None, "mode": "managed", "type": match[2], "name": match[3],
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {}},
    }
    if replace:
        item["change"]["replace_paths"] = [[name] for name in replace]
    return {"item": item, "module": module, "config_address": f"{match[2]}.{match[3]}", "refs": refs or {}}


def plan_of(*resources: dict[str, Any], calls: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A plan JSON of ``resources``; ``calls``: module address -> {"inputs": {var: refs}, "outputs": {name: refs}}."""
    root: dict[str, Any] = {"resources": [], "module_calls": {}}
    planned: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()

    def config_module(module: str) -> dict[str, Any]:
        node = root
        for name in re.findall(r"module\.([A-Za-z_][\w-]*)", module):
            call = node["module_calls"].setdefault(name, {"expressions": {}, "module": {"resources": [], "module_calls": {}, "outputs": {}}})
            node = call["module"]
        return node

    for resource in resources:
        item = resource["item"]
        if item["change"]["actions"] != ["delete"]:
            values = {k: v for k, v in (item["change"]["after"] or {}).items()}
            planned.setdefault(resource["module"], []).append(
                {"address": item["address"], "mode": "managed", "type": item["type"], "name": item["name"], "values": values}
            )
        key = (resource["module"], resource["config_address"])
        if key not in seen:
            seen.add(key)
            expressions = {name: {"references": refs} for name, refs in resource["refs"].items()}
            config_module(resource["module"])["resources"].append(
                {"address": resource["config_address"], "mode": "managed", "type": item["type"], "name": item["name"], "expressions": expressions}
            )
    for module, call in (calls or {}).items():
        parent, name = module.rsplit(".module.", 1) if ".module." in module else ("", module.removeprefix("module."))
        node = config_module(parent)["module_calls"][name] if parent else root["module_calls"][name]
        node["expressions"].update({var: {"references": refs} for var, refs in call.get("inputs", {}).items()})
        node["module"]["outputs"].update({out: {"expression": {"references": refs}} for out, refs in call.get("outputs", {}).items()})
    return {
        "format_version": "1.2",
        "terraform_version": "1.15.0",
        "planned_values": {
            "root_module": {
                "resources": planned.pop("", []),
                "child_modules": [{"address": module, "resources": items} for module, items in planned.items()],
            }
        },
        "resource_changes": [r["item"] for r in resources],
        "configuration": {"root_module": root},
    }


def records(plan: dict[str, Any], check_id: str, *, protected: bool = False) -> dict[str, tuple[str, str | None]]:
    return {r.resource: (r.result, r.details) for r in run_plan_checks(plan, "plan.json", protected=protected) if r.check_id == check_id}


def tg_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/{name}/73e2d6bc24d8a067"


def target_group(address: str, actions: list[str], name: str = "vote-api", *, new_name: str | None = None, port: int = 8000,
                 new_port: int = 8080, known: bool = True, **extra: Any) -> dict[str, Any]:
    before = {"name": name, "port": port, "arn": tg_arn(name), "id": tg_arn(name)} if known else {"name": name, "port": port}
    after = {"name": new_name or name, "port": new_port}
    return change(address, actions, before, after, unknown={"arn": True, "id": True}, replace=["port"], **extra)


def listener_rule(address: str, actions: list[str], priority: int | None, new_priority: int | None, *, listener: str | None = LISTENER_ARN,
                  new_listener: str | None = LISTENER_ARN, group: str | None = None, refs: dict[str, list[str]] | None = None) -> dict[str, Any]:
    before = None if actions == ["create"] else {"listener_arn": listener, "priority": priority, "action": [{"type": "forward", "target_group_arn": group}]}
    after = None if actions == ["delete"] else {"priority": new_priority, "action": [{"type": "forward"}]}
    unknown: dict[str, Any] = {"action": [{"target_group_arn": True}]}
    if after is not None:
        if new_listener:
            after["listener_arn"] = new_listener
        else:
            unknown["listener_arn"] = True
    return change(address, actions, before, after, unknown=unknown, refs=refs)


# --- CKV_TFG_10: replacements AWS refuses -----------------------------------------------------------


def test_target_group_deleted_first_while_a_kept_rule_forwards_to_it_fails_with_resource_in_use():
    plan = plan_of(
        target_group("module.api.aws_lb_target_group.this", ["delete", "create"]),
        listener_rule("module.alb.aws_lb_listener_rule.api", ["update"], 100, 100, group=tg_arn("vote-api")),
        change("module.alb.aws_lb_listener.https", ["no-op"], {"arn": LISTENER_ARN}, {"arn": LISTENER_ARN}),
    )
    assert records(plan, "CKV_TFG_10") == {
        "module.api.aws_lb_target_group.this": (
            "failed",
            "replaced by deleting it first (forced by port) while module.alb.aws_lb_listener_rule.api still uses it: AWS refuses "
            "the delete (ResourceInUse: a listener or listener rule forwards to it); give it name_prefix instead of name and "
            "lifecycle { create_before_destroy = true }, so the successor exists under a new name before the old one goes",
        )
    }


def test_target_group_whose_users_go_first_passes():
    """A rule that is itself replaced is deleted before the group it depends on: nothing holds it."""
    plan = plan_of(
        target_group("module.api.aws_lb_target_group.this", ["delete", "create"]),
        listener_rule("module.alb.aws_lb_listener_rule.api", ["delete", "create"], 100, 100, group=tg_arn("vote-api")),
        listener_rule("module.alb.aws_lb_listener_rule.other", ["update"], 200, 200, group=tg_arn("vote-other")),
    )
    assert records(plan, "CKV_TFG_10") == {"module.api.aws_lb_target_group.this": ("passed", None)}


def test_unknown_identity_falls_back_to_configuration_references_through_module_outputs():
    """A hand-written plan without ARNs: the listener rule in module.alb refers to the group made in
    module.api through the root module's call (var.target_group_arn <- module.api.target_group_arn)."""
    calls = {"module.alb": {"inputs": {"target_group_arn": ["module.api.target_group_arn", "module.api"]}},
             "module.api": {"outputs": {"target_group_arn": ["aws_lb_target_group.this.arn", "aws_lb_target_group.this"]}}}
    rule = change("module.alb.aws_lb_listener_rule.api", ["update"], {"priority": 10}, {"priority": 10}, refs={"action": ["var.target_group_arn"]})
    failing = plan_of(target_group("module.api.aws_lb_target_group.this", ["delete", "create"], known=False), rule, calls=calls)
    result, details = records(failing, "CKV_TFG_10")["module.api.aws_lb_target_group.this"]
    assert result == "failed" and "while module.alb.aws_lb_listener_rule.api still uses it" in details and "(ResourceInUse:" in details
    unrelated = change("module.alb.aws_lb_listener_rule.api", ["update"], {"priority": 10}, {"priority": 10}, refs={"listener_arn": ["var.listener"]})
    passing = plan_of(target_group("module.api.aws_lb_target_group.this", ["delete", "create"], known=False), unrelated, calls=calls)
    assert records(passing, "CKV_TFG_10") == {"module.api.aws_lb_target_group.this": ("passed", None)}


def test_services_registering_targets_do_not_stop_a_target_group_delete():
    """DeleteTargetGroup is refused only while listener actions forward to the group."""
    plan = plan_of(
        target_group("aws_lb_target_group.api", ["delete", "create"]),
        change("aws_ecs_service.api", ["update"], {"load_balancer": [{"target_group_arn": tg_arn("vote-api")}]}, {"load_balancer": [{}]}),
    )
    assert records(plan, "CKV_TFG_10") == {"aws_lb_target_group.api": ("passed", None)}


def test_iam_role_replaced_while_a_kept_attachment_holds_it_fails_with_delete_conflict():
    role = {"name": "vote-task", "id": "vote-task", "arn": "arn:aws:iam::111111111111:role/old/vote-task", "path": "/old/"}
    attachment = change("aws_iam_role_policy_attachment.task", ["no-op"], {"role": "vote-task", "policy_arn": "arn:aws:iam::aws:policy/X"}, {})
    profile = change("aws_iam_instance_profile.ec2", ["update"], {"role": "vote-task"}, {"role": "vote-task"})
    replaced = change("aws_iam_role.task", ["delete", "create"], role, {"name": "vote-task", "path": "/new/"}, unknown={"arn": True}, replace=["path"])
    result, details = records(plan_of(replaced, attachment, profile), "CKV_TFG_10")["aws_iam_role.task"]
    assert result == "failed"
    assert details.startswith("replaced by deleting it first (forced by path) while aws_iam_role_policy_attachment.task still uses it: "
                              "AWS refuses the delete (DeleteConflict: policies are still attached to it)")
    # the provider removes the role from its instance profiles itself, and detaches with force_detach_policies
    assert records(plan_of(replaced, profile), "CKV_TFG_10") == {"aws_iam_role.task": ("passed", None)}
    forced = change("aws_iam_role.task", ["delete", "create"], {**role, "force_detach_policies": True}, {"name": "vote-task"})
    assert records(plan_of(forced, attachment), "CKV_TFG_10") == {"aws_iam_role.task": ("passed", None)}


def test_for_each_instances_are_told_apart_by_the_values_they_hold():
    """Configuration references name every instance of a for_each; current values say which one."""
    refs = {"action": ['aws_lb_target_group.this', "each.key"]}
    plan = plan_of(
        target_group('aws_lb_target_group.this["a"]', ["delete", "create"], "vote-a"),
        target_group('aws_lb_target_group.this["b"]', ["no-op"], "vote-b"),
        listener_rule('aws_lb_listener_rule.this["a"]', ["update"], 10, 10, group=tg_arn("vote-a"), refs=refs),
        listener_rule('aws_lb_listener_rule.this["b"]', ["no-op"], 20, 20, group=tg_arn("vote-b"), refs=refs),
    )
    result, details = records(plan, "CKV_TFG_10")['aws_lb_target_group.this["a"]']
    assert result == "failed" and 'while aws_lb_listener_rule.this["a"] still uses it' in details
    assert 'this["b"]' not in details


def test_security_group_deleted_first_while_a_service_runs_in_it_fails_with_dependency_violation():
    plan = plan_of(
        change("aws_security_group.service", ["delete", "create"], {"id": "sg-0123", "arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0123",
               "name": "vote-api", "vpc_id": "vpc-1"}, {"name": "vote-api", "vpc_id": "vpc-2"}, unknown={"id": True}, replace=["vpc_id"]),
        change("aws_ecs_service.api", ["update"], {"network_configuration": [{"security_groups": ["sg-0123"]}], "tags": {"sg": "sg-0999"}},
               {"network_configuration": [{}]}),
        change("aws_lb.this", ["no-op"], {"security_groups": ["sg-0999"], "tags": {"group": "sg-0123"}}, {}),
    )
    result, details = records(plan, "CKV_TFG_10")["aws_security_group.service"]
    assert result == "failed"
    assert details.startswith(
        "replaced by deleting it first (forced by vpc_id) while aws_ecs_service.api still uses it: AWS refuses the delete (DependencyViolation")
    assert "aws_lb.this" not in details  # a tag repeating the id is not a use


def test_create_before_destroy_under_the_same_name_fails_with_duplicate_name():
    plan = plan_of(
        target_group("module.api.aws_lb_target_group.this", ["create", "delete"]),
        change("aws_ecs_capacity_provider.ec2", ["create", "delete"], {"name": "vote-ec2"}, {"name": "vote-ec2"}, replace=["auto_scaling_group_provider"]),
        change("aws_iam_role.task", ["create", "delete"], {"name": "vote-task"}, {"name": "vote-task-v2"}, replace=["name"]),
        change("aws_lb_target_group.prefixed", ["create", "delete"], {"name": "vote-20260101", "name_prefix": "vote-"}, {"name_prefix": "vote-"},
               unknown={"name": True}),
        change("aws_sqs_queue.jobs", ["create", "delete"], {"name": "vote-jobs"}, {"name": "vote-jobs"}),
    )
    found = records(plan, "CKV_TFG_10")
    assert "(QueueNameExists; with the same attributes CreateQueue hands back the old queue, which the delete then removes)" in found[
        "aws_sqs_queue.jobs"][1]
    assert found["module.api.aws_lb_target_group.this"] == (
        "failed",
        "replaced with create_before_destroy (forced by port) under the same name 'vote-api': AWS refuses to create the successor "
        "while the old one exists (DuplicateTargetGroupName); give it name_prefix instead of name and lifecycle "
        "{ create_before_destroy = true }, so the successor exists under a new name before the old one goes",
    )
    result, details = found["aws_ecs_capacity_provider.ec2"]
    assert result == "failed" and "(ClientException: the capacity provider already exists)" in details
    assert "give it a name that changes with what forces the replacement" in details  # no name_prefix for capacity providers
    assert found["aws_iam_role.task"] == ("passed", None)
    assert found["aws_lb_target_group.prefixed"] == ("passed", None)


def test_security_group_names_are_unique_per_vpc_only():
    moved = change("aws_security_group.a", ["create", "delete"], {"name": "vote", "vpc_id": "vpc-1"}, {"name": "vote"}, unknown={"vpc_id": True})
    same_vpc = change("aws_security_group.b", ["create", "delete"], {"name": "vote-b", "vpc_id": "vpc-1"}, {"name": "vote-b", "vpc_id": "vpc-1"})
    found = records(plan_of(moved, same_vpc), "CKV_TFG_10")
    assert found["aws_security_group.a"] == ("passed", None)
    assert found["aws_security_group.b"][0] == "failed" and "(InvalidGroup.Duplicate)" in found["aws_security_group.b"][1]


def test_only_replacements_of_the_listed_types_are_reported():
    plan = plan_of(
        target_group("aws_lb_target_group.updated", ["update"]),
        change("aws_ecs_task_definition.this", ["delete", "create"], {"family": "a"}, {"family": "a"}),
        change("aws_sqs_queue.jobs", ["delete"], {"name": "jobs"}, None),
    )
    assert records(plan, "CKV_TFG_10") == {}


# --- CKV_TFG_11: listener rule priorities ---------------------------------------------------------


def test_a_swap_of_two_priorities_fails_for_both_rules():
    plan = plan_of(
        listener_rule("module.alb.aws_lb_listener_rule.api", ["update"], 10, 20),
        listener_rule("module.alb.aws_lb_listener_rule.web", ["update"], 20, 10),
        listener_rule("module.alb.aws_lb_listener_rule.docs", ["no-op"], 30, 30),
    )
    found = records(plan, "CKV_TFG_11")
    assert found["module.alb.aws_lb_listener_rule.api"] == (
        "failed",
        "moves from priority 10 to 20, which module.alb.aws_lb_listener_rule.web holds now (moves to 10 in the same apply, in no set "
        "order): the provider changes one rule at a time (SetRulePriorities for this rule alone), so AWS refuses it (PriorityInUse); "
        "move it through a free priority in two applies, or keep priorities stable",
    )
    assert found["module.alb.aws_lb_listener_rule.web"][0] == "failed"
    assert "moves from priority 20 to 10, which module.alb.aws_lb_listener_rule.api holds now" in found["module.alb.aws_lb_listener_rule.web"][1]
    assert found["module.alb.aws_lb_listener_rule.docs"] == ("passed", None)


def test_a_move_to_a_free_priority_passes_and_rules_of_other_listeners_do_not_count():
    other = LISTENER_ARN.replace("f2f7dc8efc522ab2", "0000000000000000")
    plan = plan_of(
        listener_rule("aws_lb_listener_rule.api", ["update"], 10, 15),
        listener_rule("aws_lb_listener_rule.web", ["update"], 20, 10),
        listener_rule("aws_lb_listener_rule.http", ["no-op"], 15, 15, listener=other, new_listener=other),
    )
    found = records(plan, "CKV_TFG_11")
    assert found["aws_lb_listener_rule.api"] == ("passed", None)
    assert found["aws_lb_listener_rule.http"] == ("passed", None)
    # web moves onto 10 while api leaves it: Terraform runs both updates in no set order
    assert found["aws_lb_listener_rule.web"][0] == "failed"
    assert "which aws_lb_listener_rule.api holds now (moves to 15 in the same apply, in no set order)" in found["aws_lb_listener_rule.web"][1]


def test_unknown_listener_arn_is_grouped_by_the_listener_its_configuration_refers_to():
    """A new rule whose listener_arn is unknown in the plan lands on a priority that a rule of the
    same listener (known by ARN, matched to the listener resource) holds now."""
    listener = change("module.alb.aws_lb_listener.https", ["no-op"], {"arn": LISTENER_ARN}, {"arn": LISTENER_ARN})
    refs = {"listener_arn": ["aws_lb_listener.https.arn", "aws_lb_listener.https"]}
    plan = plan_of(
        listener,
        change("module.alb.aws_lb_listener.http", ["no-op"], {"arn": "arn:http"}, {"arn": "arn:http"}),
        listener_rule("module.alb.aws_lb_listener_rule.new", ["create"], None, 10, new_listener=None, refs=refs),
        listener_rule("module.alb.aws_lb_listener_rule.old", ["update"], 10, 30),
        listener_rule("module.alb.aws_lb_listener_rule.http", ["create"], None, 30, new_listener=None,
                      refs={"listener_arn": ["aws_lb_listener.http.arn", "aws_lb_listener.http"]}),
    )
    found = records(plan, "CKV_TFG_11")
    assert found["module.alb.aws_lb_listener_rule.new"] == (
        "failed",
        "is created at priority 10, which module.alb.aws_lb_listener_rule.old holds now (moves to 30 in the same apply, in no set "
        "order): the provider changes one rule at a time (SetRulePriorities for this rule alone), so AWS refuses it (PriorityInUse); "
        "move it through a free priority in two applies, or keep priorities stable",
    )
    assert found["module.alb.aws_lb_listener_rule.old"] == ("passed", None)
    assert found["module.alb.aws_lb_listener_rule.http"] == ("passed", None)  # priority 30 of another listener


def test_two_rules_planned_at_one_priority_through_modules_fail():
    """Service modules get the listener through the root module (var.listener_arn <- module.alb.https_arn)."""
    calls = {
        "module.api": {"inputs": {"listener_arn": ["module.alb.https_arn", "module.alb"]}},
        "module.web": {"inputs": {"listener_arn": ["module.alb.https_arn", "module.alb"]}},
        "module.docs": {"inputs": {"listener_arn": ["module.alb.http_arn", "module.alb"]}},
        "module.alb": {"outputs": {"https_arn": ["aws_lb_listener.https.arn", "aws_lb_listener.https"],
                                   "http_arn": ["aws_lb_listener.http.arn", "aws_lb_listener.http"]}},
    }
    refs = {"listener_arn": ["var.listener_arn"]}
    plan = plan_of(
        change("module.alb.aws_lb_listener.https", ["create"], None, {"port": 443}, unknown={"arn": True}),
        change("module.alb.aws_lb_listener.http", ["create"], None, {"port": 80}, unknown={"arn": True}),
        *(listener_rule(f"module.{name}.aws_lb_listener_rule.this", ["create"], None, 100, new_listener=None, refs=refs) for name in ("api", "web", "docs")),
        calls=calls,
    )
    found = records(plan, "CKV_TFG_11")
    assert found["module.api.aws_lb_listener_rule.this"] == (
        "failed",
        "module.web.aws_lb_listener_rule.this is planned at priority 100 of the same listener too: AWS refuses the second (PriorityInUse)",
    )
    assert found["module.web.aws_lb_listener_rule.this"][0] == "failed"
    assert found["module.docs.aws_lb_listener_rule.this"] == ("passed", None)


def test_replacements_and_deletes_of_rules():
    plan = plan_of(
        listener_rule("aws_lb_listener_rule.cbd", ["create", "delete"], 10, 10),
        listener_rule("aws_lb_listener_rule.replaced", ["delete", "create"], 20, 20),
        listener_rule("aws_lb_listener_rule.gone", ["delete"], 30, None),
        listener_rule("aws_lb_listener_rule.renamed", ["create"], None, 30),
        listener_rule("aws_lb_listener_rule.unknown", ["update"], 40, None),
    )
    found = records(plan, "CKV_TFG_11")
    assert found["aws_lb_listener_rule.cbd"][0] == "failed"
    assert found["aws_lb_listener_rule.cbd"][1].startswith(
        "is created at priority 10, which its old rule still holds (create_before_destroy creates the new one first): ")
    assert found["aws_lb_listener_rule.replaced"] == ("passed", None)  # its old rule is deleted before the new one is made
    assert found["aws_lb_listener_rule.renamed"][0] == "failed"
    assert "which aws_lb_listener_rule.gone holds now (is deleted in the same apply, in no set order before it)" in found["aws_lb_listener_rule.renamed"][1]
    assert "aws_lb_listener_rule.gone" not in found and "aws_lb_listener_rule.unknown" not in found


def test_resources_only_in_prior_state_still_hold_their_priority():
    """A plan made with -target lists only what it changes: the rule it leaves out still holds 20."""
    plan = plan_of(listener_rule("module.alb.aws_lb_listener_rule.api", ["update"], 10, 20))
    untouched = {"address": "module.alb.aws_lb_listener_rule.web", "mode": "managed", "type": RULE, "name": "web",
                 "values": {"listener_arn": LISTENER_ARN, "priority": 20}}
    plan["prior_state"] = {"values": {"root_module": {"child_modules": [{"address": "module.alb", "resources": [untouched, "junk"]}, 3]}}}
    found = records(plan, "CKV_TFG_11", protected=True)
    assert list(found) == ["module.alb.aws_lb_listener_rule.api"]
    assert found["module.alb.aws_lb_listener_rule.api"][1].startswith(
        "moves from priority 10 to 20, which module.alb.aws_lb_listener_rule.web holds now (keeps): ")


@pytest.mark.parametrize("broken", [
    {"resource_changes": {"a": 1}},
    {"resource_changes": [{"address": "aws_lb_listener_rule.a", "type": RULE, "change": {"actions": "update", "before": [], "after": 3}}]},
    {"resource_changes": [{"address": "aws_lb_listener_rule.a", "type": RULE, "change": {"actions": ["update"], "before": {"priority": True},
                                                                                          "after": {"priority": "10", "listener_arn": 5}}}]},
    {"prior_state": []}, {"prior_state": {"values": {"root_module": []}}}, {"prior_state": {"values": {"root_module": {"resources": [1]}}}},
])
def test_plans_of_odd_shapes_are_read_without_errors(broken: dict[str, Any]):
    plan = {"format_version": "1.2", "planned_values": {"root_module": {}}, "configuration": {"root_module": {}}, **broken}
    assert [r for r in run_plan_checks(plan, "p", protected=True) if r.result == "failed"] == []


# --- CKV_TFG_12: data in protected environments ---------------------------------------------------


def _stateful_plan() -> dict[str, Any]:
    return plan_of(
        change("module.worker.aws_sqs_queue.this", ["delete"], {"name": "vote-worker"}, None),
        change("module.api.aws_cloudwatch_log_group.this", ["create", "delete"], {"name": "/ecs/a"}, {"name": "/ecs/b"}, replace=["name"]),
        change("module.api.aws_ecr_repository.this", ["no-op"], {"name": "vote-api"}, {"name": "vote-api"}),
        change("module.api.aws_ecs_service.this", ["delete"], {"name": "vote-api"}, None),
    )


def test_stateful_deletes_fail_in_protected_environments():
    found = records(_stateful_plan(), "CKV_TFG_12", protected=True)
    assert found == {
        "module.worker.aws_sqs_queue.this": (
            "failed",
            "deleted in a protected environment: the messages in the queue would be lost, which --allow-destroy does not cover. If it "
            "is meant, skip CKV_TFG_12 with a reason under environments.<env>.policy.skip for this change (and remove the skip "
            "afterwards); to stop managing it without deleting it, a `removed` block with lifecycle { destroy = false }; for a new "
            "address of the same resource, a `moved` block",
        ),
        "module.api.aws_cloudwatch_log_group.this": (
            "failed",
            found["module.api.aws_cloudwatch_log_group.this"][1],
        ),
        "module.api.aws_ecr_repository.this": ("passed", None),
    }
    assert found["module.api.aws_cloudwatch_log_group.this"][1].startswith(
        "replaced (forced by name) in a protected environment: the group's log events would be lost")


def test_stateful_deletes_are_not_reported_in_unprotected_environments():
    assert records(_stateful_plan(), "CKV_TFG_12") == {}
    assert all(r.result == "passed" for r in run_plan_checks(_stateful_plan(), "p") if r.check_id.startswith("CKV_TFG_1"))


def test_the_gate_judges_stateful_deletes_by_the_environment(tmp_path: Path, monkeypatch):
    """run_policy passes `protected` on: the same plan fails protected and passes unprotected."""
    from tfgen.policy import run_policy

    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    plan = plan_of(
        change("aws_sqs_queue.jobs", ["delete"], {"name": "jobs"}, None),
        change("aws_cloudwatch_log_group.api", ["no-op"], {"name": "/ecs/api", "retention_in_days": 365}, {"name": "/ecs/api", "retention_in_days": 365}),
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    protected = run_policy(path, skips={}, protected=True)
    assert [(r.check_id, r.resource) for r in protected.failed if r.check_id.startswith("CKV_TFG_")] == [("CKV_TFG_12", "aws_sqs_queue.jobs")]
    assert not protected.passed
    unprotected = run_policy(path, skips={}, protected=False)  # another cache entry: the key holds `protected`
    assert not [r for r in unprotected.records if r.check_id == "CKV_TFG_12"]
    skipped = run_policy(path, skips={"CKV_TFG_12": "the jobs queue is retired, see ADR 7"}, protected=True)
    assert [(r.check_id, r.skip_reason) for r in skipped.skipped if r.check_id == "CKV_TFG_12"] == [
        ("CKV_TFG_12", "the jobs queue is retired, see ADR 7"), ("CKV_TFG_12", "the jobs queue is retired, see ADR 7")]


@pytest.mark.parametrize("check_id", ["CKV_TFG_10", "CKV_TFG_11", "CKV_TFG_12"])
def test_records_carry_name_guideline_and_source(check_id: str):
    plan = plan_of(
        target_group("aws_lb_target_group.a", ["create", "delete"]),
        listener_rule("aws_lb_listener_rule.a", ["update"], 1, 2),
        change("aws_sqs_queue.a", ["delete"], {"name": "a"}, None),
    )
    found = [r for r in run_plan_checks(plan, "plan.json", protected=True) if r.check_id == check_id]
    assert found and all(r.name and r.guideline and r.source == "tfgen" and r.file == "plan.json" for r in found)


# --- a plan of real Terraform (offline provider) ------------------------------------------------

STACK = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "priorities" {
  type = map(number)
}

variable "target_group" {
  type = object({ name = optional(string), name_prefix = optional(string) })
}

resource "aws_lb_target_group" "api" {
  name        = var.target_group.name
  name_prefix = var.target_group.name_prefix
  port        = 8000
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-0123456789abcdef0"
  LIFECYCLE
}

resource "aws_lb_listener_rule" "this" {
  for_each     = var.priorities
  listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/vote/50dc6c495c0c9188/f2f7dc8efc522ab2"
  priority     = each.value
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
  condition {
    path_pattern {
      values = ["/${each.key}/*"]
    }
  }
}
"""


@pytest.mark.slow
def test_real_terraform_plan_of_a_renamed_target_group_and_swapped_priorities(tmp_path: Path):
    """Applied once (offline), then planned with the target group renamed (a replacement that
    deletes first while both rules forward to it) and the two priorities swapped; then planned
    with the fix (name_prefix + create_before_destroy) and priorities moved onto free ones."""
    from tfgen.terraform import Terraform

    root = tmp_path / "stack"
    root.mkdir()
    (root / "main.tf").write_text(STACK.replace("LIFECYCLE", ""))
    terraform = Terraform(root, tmp_path / "data", offline=True)
    terraform.init()
    quiet = {"on_event": lambda event: None}

    def plan(name: str, **variables: Any) -> dict[str, Any]:
        out = tmp_path / f"{name}.tfplan"
        terraform.plan(out, variables={k: json.dumps(v) for k, v in variables.items()}, **quiet)
        return terraform.show_json(out)

    first = plan("first", priorities={"api": 10, "web": 20}, target_group={"name": "vote-api"})
    assert records(first, "CKV_TFG_10") == {} and {r for r, _ in records(first, "CKV_TFG_11").values()} == {"passed"}
    terraform.apply(tmp_path / "first.tfplan", **quiet)

    second = plan("second", priorities={"api": 20, "web": 10}, target_group={"name": "vote-api-v2"})
    assert records(second, "CKV_TFG_10") == {
        "aws_lb_target_group.api": (
            "failed",
            'replaced by deleting it first (forced by name) while aws_lb_listener_rule.this["api"], aws_lb_listener_rule.this["web"] '
            "still use it: AWS refuses the delete (ResourceInUse: a listener or listener rule forwards to it); give it name_prefix "
            "instead of name and lifecycle { create_before_destroy = true }, so the successor exists under a new name before the old one goes",
        )
    }
    swap = records(second, "CKV_TFG_11")
    assert sorted(swap) == ['aws_lb_listener_rule.this["api"]', 'aws_lb_listener_rule.this["web"]']
    assert swap['aws_lb_listener_rule.this["api"]'][0] == "failed"
    assert swap['aws_lb_listener_rule.this["api"]'][1].startswith(
        'moves from priority 10 to 20, which aws_lb_listener_rule.this["web"] holds now (moves to 10 in the same apply, in no set order)')

    (root / "main.tf").write_text(STACK.replace("LIFECYCLE", "lifecycle {\n    create_before_destroy = true\n  }"))
    fixed = plan("fixed", priorities={"api": 30, "web": 40}, target_group={"name_prefix": "api-"})
    tg = next(c for c in fixed["resource_changes"] if c["address"] == "aws_lb_target_group.api")
    assert tg["change"]["actions"] == ["create", "delete"]
    assert records(fixed, "CKV_TFG_10") == {"aws_lb_target_group.api": ("passed", None)}
    assert {r for r, _ in records(fixed, "CKV_TFG_11").values()} == {"passed"}


@pytest.mark.slow
def test_removing_a_service_from_a_protected_environment_needs_a_skip_and_allow_destroy(tmp_path: Path, monkeypatch):
    """The whole workflow, offline: prod applied, then a service removed. Its log group and image
    repository would go: the plan fails CKV_TFG_12, and apply refuses it for that reason alone
    (--allow-destroy does not help). With the decision recorded as a skip with a reason, the plan
    passes and apply still wants --allow-destroy for the destroy."""
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.errors import TfgenError
    from tfgen.workflow import apply_environment, plan_environment

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    shop = (Path(__file__).parents[1] / "data" / "workflow" / "shop.yaml").read_text().replace(
        "load_balancer: {protocol: http}",  # plain HTTP fails CKV_TFG_9 in a protected environment
        'load_balancer: {certificate: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1234-5678-9abc-def012345678"}',
    )
    blueprint = tmp_path / "shop.yaml"
    blueprint.write_text(shop)
    tag = ("services.web.image_tag=v1",)
    first = plan_environment(load_blueprint(blueprint), "prod", offline=True, settings=tag)
    assert first.policy is not None and first.policy.passed
    assert {r.result for r in first.policy.records if r.check_id == "CKV_TFG_12"} == {"passed"}
    apply_environment(load_blueprint(blueprint), "prod", offline=True, settings=tag)

    without_web = shop.replace("  web:\n    type: backend-service\n    image: {build: ./web}\n    port: 3000\n", "")
    blueprint.write_text(without_web)
    removed = plan_environment(load_blueprint(blueprint), "prod", offline=True)
    assert removed.policy is not None
    assert sorted(r.resource for r in removed.policy.failed) == [
        "module.web.module.task.aws_cloudwatch_log_group.this"]  # the repository is dev's (the first environment's)
    assert {r.check_id for r in removed.policy.failed} == {"CKV_TFG_12"}
    with pytest.raises(TfgenError, match=r"failed its policy checks") as refused:
        apply_environment(load_blueprint(blueprint), "prod", offline=True, allow_destroy=True)
    assert "--allow-destroy" not in str(refused.value)  # one reason, not the destroy list as well

    reason = "web is retired: its images and logs are archived (OPS-1234)"
    blueprint.write_text(without_web.replace("    protected: true\n", f"    protected: true\n    policy: {{skip: {{CKV_TFG_12: \"{reason}\"}}}}\n"))
    skipped = plan_environment(load_blueprint(blueprint), "prod", offline=True)
    assert skipped.policy is not None and skipped.policy.passed
    assert {(r.resource, r.skip_reason) for r in skipped.policy.skipped if r.check_id == "CKV_TFG_12"} >= {
        ("module.web.module.task.aws_cloudwatch_log_group.this", reason)}
    with pytest.raises(TfgenError, match=r"is protected and the plan destroys or replaces"):
        apply_environment(load_blueprint(blueprint), "prod", offline=True)
    apply_environment(load_blueprint(blueprint), "prod", offline=True, allow_destroy=True)
