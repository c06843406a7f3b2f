"""State applied with an earlier layout of the modules plans as no-op with today's: the `moved`
blocks carry every resource to its new address (issue 12's module interface change).

`tests/data/legacy/vote/` is `blueprints/vote.yaml` rendered by tfgen before the service modules
took typed `task`/`placement` objects and the task security group moved into its own module.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.render import render, render_model
from tfgen.render.moves import moves
from tfgen.terraform import Terraform

ROOT = Path(__file__).resolve().parents[2]
LEGACY = Path(__file__).parents[1] / "data" / "legacy" / "vote"
QUIET = {"on_event": lambda event: None}


def _declared(old: str, new: str, declared: list[tuple[str, str]]) -> bool:
    """An instance move that one moved block explains (a block may move a whole resource, keys and all)."""
    for source, target in declared:
        if old == source and new == target:
            return True
        if old.startswith(source + "[") and new == target + old[len(source) :]:
            return True
    return False


@pytest.mark.slow
def test_state_of_the_legacy_layout_plans_as_no_op(tmp_path: Path):
    legacy = tmp_path / "legacy"
    shutil.copytree(LEGACY, legacy)
    old = Terraform(legacy, tmp_path / "old", offline=True)
    old.init()
    old.plan(tmp_path / "old.tfplan", [legacy / "env" / "dev.tfvars.json"], **QUIET)
    old.apply(tmp_path / "old.tfplan", **QUIET)

    current = tmp_path / "current"
    render(load_blueprint(ROOT / "blueprints" / "vote.yaml"), current)
    new = Terraform(current, tmp_path / "new", offline=True)
    new.state_path.parent.mkdir(parents=True)
    shutil.copy(old.state_path, new.state_path)
    new.init()
    new.plan(tmp_path / "new.tfplan", [current / "env" / "dev.tfvars.json"], **QUIET)
    plan = new.show_json(tmp_path / "new.tfplan")

    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    assert len(changes) == 92
    # Nothing is created, destroyed or replaced. The one update is deliberate and in place: task
    # definitions keep their previous revision registered now (skip_destroy), a flag of state only.
    updates = {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["no-op"]}
    assert updates == {f"module.{service}.module.task.aws_ecs_task_definition.this": ["update"] for service in ("results", "tally", "vote_api", "vote_worker")}
    for change in changes:
        if change["address"] in updates:
            before, after = change["change"]["before"], change["change"]["after"]
            assert {key for key in after if after[key] != before.get(key)} == {"skip_destroy"}
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
    # the VPC's flow-logs role and policy
    declared = moves(render_model(load_blueprint(ROOT / "blueprints" / "vote.yaml")))
    assert [old for old, new in moved.items() if not _declared(old, new, declared)] == []
    assert len(moved) == (4 + 10) + (4 + 4 + 1 + 4 + 1) + 4 + 2
