"""The life of an environment, as a user lives it through the command line: plan, apply, plan again
(nothing to do, and the gate reaches the same verdict on the same configuration), change the
blueprint, plan, apply, plan again. For every example blueprint and each of its environments,
offline (real Terraform, the stand-in provider, local state)."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfgen.cli import cli

pytestmark = pytest.mark.slow

BLUEPRINTS = Path(__file__).parents[2] / "blueprints"
NOTHING = {"create": 0, "update": 0, "replace": 0, "delete": 0}
# The image tag of the examples' built images, as a pipeline passes it (there is no default).
TAGS = {"single-web": {"storefront": "v1"}}


@dataclass(frozen=True)
class Edit:
    """One change a team makes to a running environment: a blueprint edit (old -> new text) or a
    new image tag; what the plan must do (resource type, action) for it; whether a protected
    environment needs --allow-destroy (a replacement AWS performs without losing data still is one)."""

    what: str
    old: str = ""
    new: str = ""
    tag: tuple[str, str] | None = None
    expect: tuple[tuple[str, str], ...] = ()
    replaces: bool = False


MEMORY = "a task's memory: a new task definition revision, the service updated in place to use it"
EDITS = {
    "vote": [
        Edit(MEMORY, "    memory: 512\n", "    memory: 1024\n", expect=(("aws_ecs_task_definition", "replace"), ("aws_ecs_service", "update"))),
        # the successor target groups are created first under their new names, and vote-api's
        # production rule (blue-green: Terraform leaves its weights to ECS) is replaced with them,
        # create-before-destroy too: that apply gives it a free priority (CKV_TFG_11 fails it at
        # its own), then the service moves to the new groups
        Edit(
            "a web service's port",
            "    port: 8000\n    count: 3\n    http:\n",
            "    port: 8080\n    count: 3\n    http:\n      priority: 900\n",
            expect=(("aws_lb_target_group", "replace"), ("aws_lb_listener_rule", "replace")),
            replaces=True,
        ),
        Edit("a capacity weight", "fargate_spot: {weight: 1}}", "fargate_spot: {weight: 2}}", expect=(("aws_ecs_service", "update"),)),
        Edit(
            "a web service's path: its rule keeps its listener and its priority",
            "      path: /api/*\n",
            "      path: /api/v1/*\n",
            expect=(("aws_lb_listener_rule", "update"),),
        ),
    ],
    "single-web": [
        Edit(MEMORY, "    memory: 1024\n", "    memory: 2048\n", expect=(("aws_ecs_task_definition", "replace"), ("aws_ecs_service", "update"))),
        Edit("the image tag the pipeline pushed", tag=("storefront", "v2"), expect=(("aws_ecs_task_definition", "replace"),)),
    ],
    "ec2-app": [
        Edit(MEMORY, "    memory: 1024\n", "    memory: 2048\n", expect=(("aws_ecs_task_definition", "replace"), ("aws_ecs_service", "update"))),
        Edit("a web service's path", "      path: /api/*\n", "      path: /api/v2/*\n", expect=(("aws_lb_listener_rule", "update"),)),
    ],
}
LIVES = [(name, env) for name in sorted(EDITS) for env in ("dev", "prod")]


def _run(*argv: str) -> str:
    result = CliRunner().invoke(cli, list(argv))
    assert result.exit_code == 0, result.output
    return result.output


def _settings(tags: dict[str, str]) -> list[str]:
    return [argument for service, tag in sorted(tags.items()) for argument in ("--set", f"services.{service}.image_tag={tag}")]


def _plan(blueprint: str, env: str, tags: dict[str, str]) -> dict[str, Any]:
    summary = json.loads(_run("plan", blueprint, "-e", env, "--offline", "--format", "json", *_settings(tags)))
    assert summary["policy_passed"] is True
    return summary


def _apply(blueprint: str, env: str, tags: dict[str, str], *extra: str) -> None:
    _run("apply", blueprint, "-e", env, "--offline", *_settings(tags), *extra)


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
    tags = dict(TAGS.get(name, {}))

    first = _plan(blueprint.name, env, tags)
    assert first["totals"]["create"] > 10 and first["totals"]["delete"] == 0
    first_verdict = _verdict(tmp_path, name, env)
    _apply(blueprint.name, env, tags)
    state = _state(tmp_path, name, env)
    services = _instances(state, "aws_ecs_service")
    assert services and all(service["id"].startswith("arn:aws:ecs:") for service in services)
    definitions = _instances(state, "aws_ecs_task_definition")
    assert definitions and all(task["arn"] == f"{task['arn_without_revision']}:1" for task in definitions)

    again = _plan(blueprint.name, env, tags)
    assert again["totals"] == NOTHING
    # The same checks on the same resources: nothing the first plan could not see (ARNs, URLs and
    # policies are known when planning). Only a queue's policy, unknown before apply and known to
    # be empty after it, is judged on the first plan alone.
    again_verdict = _verdict(tmp_path, name, env)
    assert set(again_verdict) <= set(first_verdict)
    assert {(check, resource.rsplit(".", 2)[-2]) for check, resource, _ in set(first_verdict) - set(again_verdict)} <= {("CKV_AWS_168", "aws_sqs_queue")}

    # Each edit plans what AWS accepts, passes the gate, applies against the stand-in's simulated
    # account (which refuses taken names, priorities in use and deletes of what is in use), and
    # leaves nothing to do.
    for edit in EDITS[name]:
        if edit.tag:
            tags[edit.tag[0]] = edit.tag[1]
        else:
            assert edit.old in blueprint.read_text(), edit.what
            blueprint.write_text(blueprint.read_text().replace(edit.old, edit.new, 1))
        changed = _plan(blueprint.name, env, tags)
        kinds = {(change["address"].rsplit(".", 2)[-2], change["action"]) for change in changed["changes"]}
        assert set(edit.expect) <= kinds, edit.what
        assert bool(changed["destructive"]) == edit.replaces, edit.what
        protected_replacement = ("--allow-destroy",) if edit.replaces and env == "prod" else ()
        _apply(blueprint.name, env, tags, *protected_replacement)
        assert _plan(blueprint.name, env, tags)["totals"] == NOTHING, edit.what

    memories = sorted(int(task["memory"]) for task in _instances(_state(tmp_path, name, env), "aws_ecs_task_definition"))
    assert int(EDITS[name][0].new.split(":")[1]) in memories
    if name == "single-web":
        images = [json.loads(task["container_definitions"])[0]["image"] for task in _instances(_state(tmp_path, name, env), "aws_ecs_task_definition")]
        assert images and all(image.endswith(":v2") for image in images)
