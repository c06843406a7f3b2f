"""The life of an environment, as a user lives it through the command line: plan, apply, plan again
(nothing to do, and the gate reaches the same verdict on the same configuration), change the
blueprint, plan, apply, plan again. For every example blueprint and each of its environments,
offline (real Terraform, the stand-in provider, local state)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfgen.cli import cli

pytestmark = pytest.mark.slow

BLUEPRINTS = Path(__file__).parents[2] / "blueprints"
NOTHING = {"create": 0, "update": 0, "replace": 0, "delete": 0}
# One edit per example that changes a running service: its task's memory (a new task definition
# revision, the service updated in place to use it).
CHANGES = {
    "vote": ("    memory: 512\n", "    memory: 1024\n"),
    "single-web": ("    memory: 1024\n", "    memory: 2048\n"),
    "ec2-app": ("    memory: 1024\n", "    memory: 2048\n"),
}
LIVES = [(name, env) for name in sorted(CHANGES) for env in ("dev", "prod")]


def _run(*argv: str) -> str:
    result = CliRunner().invoke(cli, list(argv))
    assert result.exit_code == 0, result.output
    return result.output


def _plan(blueprint: str, env: str) -> dict[str, Any]:
    summary = json.loads(_run("plan", blueprint, "-e", env, "--offline", "--format", "json"))
    assert summary["policy_passed"] is True
    return summary


def _verdict(project: Path, name: str, env: str) -> list[tuple[str, str, str]]:
    policy = json.loads((project / "build" / name / ".tfgen" / env / "policy.json").read_text())
    assert policy["passed"] is True and policy["summary"]["failed"] == 0
    return sorted((record["check_id"], record["resource"], record["result"]) for record in policy["results"])


def _state(project: Path, name: str, env: str) -> dict[str, Any]:
    path = project / "build" / name / ".tfgen" / env / "terraform.tfstate"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return json.loads(path.read_text())


def _instances(state: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        instance["attributes"]
        for resource in state["resources"]
        if resource["mode"] == "managed" and resource["type"] == resource_type
        for instance in resource["instances"]
    ]


@pytest.mark.parametrize("name, env", LIVES, ids=[f"{name}-{env}" for name, env in LIVES])
def test_plan_apply_replan_change_plan_apply(tmp_path: Path, monkeypatch, name: str, env: str):
    monkeypatch.chdir(tmp_path)
    blueprint = tmp_path / f"{name}.yaml"
    blueprint.write_text((BLUEPRINTS / f"{name}.yaml").read_text())
    if (BLUEPRINTS / "tfgen.context.json").is_file():
        (tmp_path / "tfgen.context.json").write_text((BLUEPRINTS / "tfgen.context.json").read_text())

    first = _plan(blueprint.name, env)
    assert first["totals"]["create"] > 10 and first["totals"]["delete"] == 0
    first_verdict = _verdict(tmp_path, name, env)
    _run("apply", blueprint.name, "-e", env, "--offline")
    state = _state(tmp_path, name, env)
    services = _instances(state, "aws_ecs_service")
    assert services and all(service["id"].startswith("arn:aws:ecs:") for service in services)
    definitions = _instances(state, "aws_ecs_task_definition")
    assert definitions and all(task["arn"] == f"{task['arn_without_revision']}:1" for task in definitions)

    again = _plan(blueprint.name, env)
    assert again["totals"] == NOTHING
    # The same checks on the same resources: nothing the first plan could not see (ARNs, URLs and
    # policies are known when planning). Only a queue's policy, unknown before apply and known to
    # be empty after it, is judged on the first plan alone.
    again_verdict = _verdict(tmp_path, name, env)
    assert set(again_verdict) <= set(first_verdict)
    assert {(check, resource.rsplit(".", 2)[-2]) for check, resource, _ in set(first_verdict) - set(again_verdict)} <= {("CKV_AWS_168", "aws_sqs_queue")}

    old, new = CHANGES[name]
    assert old in blueprint.read_text()
    blueprint.write_text(blueprint.read_text().replace(old, new, 1))
    changed = _plan(blueprint.name, env)
    kinds = {(change["address"].rsplit(".", 2)[-2], change["action"]) for change in changed["changes"]}
    assert ("aws_ecs_task_definition", "replace") in kinds and ("aws_ecs_service", "update") in kinds
    assert changed["destructive"] == []
    # A new revision is no loss (the old one stays registered): a protected environment applies it.
    _run("apply", blueprint.name, "-e", env, "--offline")
    memories = sorted(int(task["memory"]) for task in _instances(_state(tmp_path, name, env), "aws_ecs_task_definition"))
    assert int(new.split(":")[1]) in memories

    assert _plan(blueprint.name, env)["totals"] == NOTHING
