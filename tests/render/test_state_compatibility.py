"""State applied with an earlier layout of the modules plans as no-op with today's: the `moved`
blocks carry every resource to its new address (issue 12's module interface change).

`tests/data/legacy/vote/` is `blueprints/vote.yaml` rendered by tfgen before the service modules
took typed `task`/`placement` objects and the task security group moved into its own module.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tfgen.blueprint.loader import load_blueprint
from tfgen.render import render, render_model
from tfgen.render.moves import moves
from tfgen.terraform import Terraform

ROOT = Path(__file__).resolve().parents[2]
LEGACY = Path(__file__).parents[1] / "data" / "legacy" / "vote"
QUIET = {"on_event": lambda event: None}
# Fields the examples gained after the legacy rendering (issue 14): each adds resources or
# changes a container, deliberately; the layout change this test pins is the one without them.
LATER_FIELDS = ("permissions", "sends_to", "network", "entrypoint", "healthcheck", "platform", "env_file", "sidecars", "depends_on", "storage")
# http.alias and load_balancer.hosted_zone (issue 14) are later too; the backend's Cloud Map DNS
# name is not a field: an upgraded environment gains it (created, and the service updated in place).


def _vote_as_rendered_then(tmp_path: Path) -> Path:
    """blueprints/vote.yaml without the fields added after the legacy rendering."""
    yaml = YAML()
    document = yaml.load((ROOT / "blueprints" / "vote.yaml").read_text())
    services = [document["services"]] + [env.get("overrides", {}).get("services", {}) for env in document["environments"].values()]
    for group in services:
        for service in group.values():
            if "entrypoint" in service:  # then the command said both
                service["command"] = [*service["entrypoint"], *service.get("command", [])]
            for field in LATER_FIELDS:
                service.pop(field, None)
            if isinstance(service.get("http"), dict):
                service["http"].pop("alias", None)
    overridden = [env.get("overrides", {}).get("load_balancer") or {} for env in document["environments"].values()]
    for load_balancer in [document.get("load_balancer") or {}, *overridden]:
        load_balancer.pop("hosted_zone", None)
    path = tmp_path / "vote.yaml"
    with path.open("w") as stream:
        yaml.dump(document, stream)
    return path


def _declared(old: str, new: str, declared: list[tuple[str, str]]) -> bool:
    """An instance move that one moved block explains (a block may move a whole resource, keys and all)."""
    for source, target in declared:
        if old == source and new == target:
            return True
        if old.startswith(source + "[") and new == target + old[len(source) :]:
            return True
    return False


def _changed_keys(change: dict) -> set[str]:
    before, after = change["before"] or {}, change["after"] or {}
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


@pytest.mark.slow
def test_state_of_the_legacy_layout_plans_as_no_op(tmp_path: Path):
    legacy = tmp_path / "legacy"
    shutil.copytree(LEGACY, legacy)
    old = Terraform(legacy, tmp_path / "old", offline=True)
    old.init()
    old.plan(tmp_path / "old.tfplan", [legacy / "env" / "dev.tfvars.json"], **QUIET)
    old.apply(tmp_path / "old.tfplan", **QUIET)

    current = tmp_path / "current"
    blueprint = _vote_as_rendered_then(tmp_path)
    render(load_blueprint(blueprint), current)
    new = Terraform(current, tmp_path / "new", offline=True)
    new.state_path.parent.mkdir(parents=True)
    shutil.copy(old.state_path, new.state_path)
    new.init()
    new.plan(tmp_path / "new.tfplan", [current / "env" / "dev.tfvars.json"], **QUIET)
    plan = new.show_json(tmp_path / "new.tfplan")

    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    assert len(changes) == 94 + 9 + 2  # + vote-api's blue-green resources and rollback alarms, the backend's DNS name (below)
    # Nothing stateful is destroyed. The changes are deliberate, and AWS accepts each:
    # - task definitions keep their previous revision registered (skip_destroy, a flag of state);
    # - services deploy anew on a strategy change and wait for steady state (issue 13);
    # - the target group's name ends with a digest of what replaces it, so its successor is
    #   created first, the listener rule and the service move to it in place (and the rule to its
    #   derived priority), then the old one is deleted;
    # - the load balancer's egress is the web service's port to its tasks, not the VPC's CIDR;
    # - the scheduled job moved from an EventBridge rule to EventBridge Scheduler (issue 15: time
    #   zones): a new schedule is created and the rule and its target are deleted (nothing else
    #   refers to them; both start the same state machine, which stays), the schedule's role is
    #   the rule's role with Scheduler as its trusted service (IAM updates the trust in place), and
    #   the state machine's definition gains the blueprint's `retries: 2` (UpdateStateMachine);
    # - vote-api deploys blue-green with default rollback alarms (issue 15): the rolling rule
    #   (moved to `this[0]`) is deleted and the production rule `shifted[0]` is created at another
    #   derived priority (no PriorityInUse whatever the order), forwarding to the target group and
    #   its new alternate, created first with its own name; the ECS infrastructure role and its
    #   managed policy are created, and so are the 5xx-rate and unhealthy-target alarms of both
    #   groups and the CPU alarm; the service gains deployment_configuration (BLUE_GREEN),
    #   advanced_configuration and alarms in place (UpdateService takes all three);
    # - the backend gains its DNS name (issue 14): the private DNS namespace and its Cloud Map
    #   service are created, the ECS service gains service_registries in place (UpdateService takes
    #   serviceRegistries; provider 6.x no longer forces a new service for it).
    changed = {c["address"]: (c["change"]["actions"], _changed_keys(c["change"])) for c in changes if c["change"]["actions"] != ["no-op"]}
    assert changed == {
        **{f"module.{s}.module.task.aws_ecs_task_definition.this": (["update"], {"skip_destroy"}) for s in ("results", "tally", "vote_api", "vote_worker")},
        "module.results.module.service.aws_ecs_service.this": (["update"], {"force_new_deployment", "wait_for_steady_state", "service_registries"}),
        "module.vote_worker.module.service.aws_ecs_service.this": (["update"], {"force_new_deployment", "wait_for_steady_state"}),
        "module.cluster.aws_service_discovery_private_dns_namespace.this[0]": (
            ["create"],
            changed["module.cluster.aws_service_discovery_private_dns_namespace.this[0]"][1],
        ),
        "module.results.aws_service_discovery_service.this[0]": (["create"], changed["module.results.aws_service_discovery_service.this[0]"][1]),
        "module.vote_api.module.service.aws_ecs_service.this": (
            ["update"],
            {"force_new_deployment", "wait_for_steady_state", "load_balancer", "deployment_configuration", "alarms"},
        ),
        "module.vote_api.aws_lb_listener_rule.this[0]": (["delete"], changed["module.vote_api.aws_lb_listener_rule.this[0]"][1]),
        "module.vote_api.aws_lb_listener_rule.shifted[0]": (["create"], changed["module.vote_api.aws_lb_listener_rule.shifted[0]"][1]),
        "module.vote_api.aws_lb_target_group.alternate[0]": (["create"], changed["module.vote_api.aws_lb_target_group.alternate[0]"][1]),
        **{
            address: (["create"], changed[address][1])
            for address in (
                "module.vote_api.module.infrastructure_role[0].aws_iam_role.this",
                'module.vote_api.module.infrastructure_role[0].aws_iam_role_policy_attachment.this["load-balancers"]',
                "module.vote_api.module.service.aws_cloudwatch_metric_alarm.cpu[0]",
                *(f'module.vote_api.aws_cloudwatch_metric_alarm.{alarm}["{group}"]' for alarm in ("errors", "unhealthy") for group in ("primary", "alternate")),
            )
        },
        "module.vote_api.aws_lb_target_group.this": (["create", "delete"], changed["module.vote_api.aws_lb_target_group.this"][1]),
        "module.alb.aws_vpc_security_group_egress_rule.targets": (["delete"], changed["module.alb.aws_vpc_security_group_egress_rule.targets"][1]),
        "module.tally.aws_cloudwatch_event_rule.this": (["delete"], changed["module.tally.aws_cloudwatch_event_rule.this"][1]),
        "module.tally.aws_cloudwatch_event_target.this": (["delete"], changed["module.tally.aws_cloudwatch_event_target.this"][1]),
        "module.tally.aws_scheduler_schedule.this": (["create"], changed["module.tally.aws_scheduler_schedule.this"][1]),
        "module.tally.module.events_role.aws_iam_role.this": (["update"], {"assume_role_policy", "description"}),
        "module.tally.aws_sfn_state_machine.this": (["update"], {"definition"}),
        'module.vote_api.module.service.module.security_group.aws_vpc_security_group_egress_rule.source["load_balancer"]': (
            ["create"],
            changed['module.vote_api.module.service.module.security_group.aws_vpc_security_group_egress_rule.source["load_balancer"]'][1],
        ),
    }
    assert "name" in changed["module.vote_api.aws_lb_target_group.this"][1]
    rules = {c["address"]: c for c in changes if c["type"] == "aws_lb_listener_rule"}
    old_rule, new_rule = rules["module.vote_api.aws_lb_listener_rule.this[0]"], rules["module.vote_api.aws_lb_listener_rule.shifted[0]"]
    assert old_rule["previous_address"] == "module.vote_api.aws_lb_listener_rule.this"  # the module's moved block
    assert old_rule["change"]["before"]["priority"] != new_rule["change"]["after"]["priority"]
    reasons = {c["address"]: c.get("action_reason") for c in changes}
    for gone in ("aws_cloudwatch_event_rule.this", "aws_cloudwatch_event_target.this"):
        assert reasons[f"module.tally.{gone}"] == "delete_because_no_resource_config"
    after = {c["address"]: c["change"]["after"] for c in changes}
    assert "scheduler.amazonaws.com" in after["module.tally.module.events_role.aws_iam_role.this"]["assume_role_policy"]
    assert after["module.tally.aws_scheduler_schedule.this"]["schedule_expression_timezone"] == "Europe/Dublin"
    moved = {c["previous_address"]: c["address"] for c in changes if c.get("previous_address")}
    groups = {old: new for old, new in moved.items() if old.endswith("aws_security_group.this")}
    assert groups == {
        "module.results.module.service.aws_security_group.this": "module.results.module.service.module.security_group.aws_security_group.this",
        "module.vote_api.module.service.aws_security_group.this": "module.vote_api.module.service.module.security_group.aws_security_group.this",
        "module.vote_worker.module.service.aws_security_group.this": "module.vote_worker.module.service.module.security_group.aws_security_group.this",
        "module.tally.aws_security_group.this": "module.tally.module.security_group.aws_security_group.this",
    }
    # every move is one that moved.tf declares (tfgen.render.moves), and each of them happened:
    # 4 groups and their 10 rules; 4 execution roles, their attachments, vote-api's secrets
    # policy, 4 task roles and the worker's queue policy; the job's 2 roles and 2 policies;
    # the VPC's flow-logs role and policy; and web-service's own moved block: its rolling rule
    # to `this[0]` (then deleted, vote-api deploys blue-green)
    declared = moves(render_model(load_blueprint(blueprint)))
    declared.append(("module.vote_api.aws_lb_listener_rule.this", "module.vote_api.aws_lb_listener_rule.this[0]"))
    assert [old for old, new in moved.items() if not _declared(old, new, declared)] == []
    assert len(moved) == (4 + 10) + (4 + 4 + 1 + 4 + 1) + 4 + 2 + 1
    # and the plan applies (the offline account refuses a priority in use, a group in use deleted)
    new.apply(tmp_path / "new.tfplan", **QUIET)
