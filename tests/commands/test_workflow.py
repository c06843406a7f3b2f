"""plan/apply of one environment at a time, with real Terraform and the offline provider
(local state) or the real S3 backend on moto_server."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.errors import InputError, TfgenError
from tfgen.workflow import EnvironmentPaths, apply_environment, describe_lock_error, plan_environment

pytestmark = pytest.mark.slow

BLUEPRINT = (Path(__file__).parents[1] / "data" / "workflow" / "shop.yaml").read_text()


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A directory with the blueprint, as a user's repository; build/ goes there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text(BLUEPRINT)
    return tmp_path


def loaded(project: Path):
    return load_blueprint(project / "shop.yaml")


def image_tags(project: Path) -> tuple[str, ...]:
    """The --set a pipeline passes: web builds its image, and a plan names the tag it deploys."""
    return ("services.web.image_tag=v1",) if "web" in loaded(project).blueprint.services else ()


def plan_offline(project: Path, env: str = "dev", **kwargs):
    kwargs.setdefault("settings", image_tags(project))
    return plan_environment(loaded(project), env, offline=True, run_policy_checks=False, **kwargs)


def apply_offline(project: Path, env: str = "dev", **kwargs):
    kwargs.setdefault("settings", image_tags(project))
    return apply_environment(loaded(project), env, offline=True, **kwargs)


def test_a_built_image_without_its_tag_is_a_usage_error(project: Path):
    with pytest.raises(InputError) as refused:
        plan_offline(project, settings=())
    assert str(refused.value) == (
        "services.web builds its image: give the tag to deploy with --set services.web.image_tag=TAG (the tag your pipeline pushed; no default)"
    )
    result = CliRunner().invoke(cli, ["plan", "shop.yaml", "-e", "dev", "--offline", "--no-progress"])
    assert result.exit_code == 2 and "--set services.web.image_tag=TAG" in result.stderr


def test_plan_apply_then_empty_plan_offline(project: Path):
    outcome = plan_offline(project)
    assert outcome.summary.totals["create"] > 10
    addresses = {change.address for change in outcome.summary.changes}
    assert "module.api.module.service.aws_ecs_service.this" in addresses
    # dev, the first environment, holds the application's repository (prod is in the same account: no pull policy)
    assert {a for a in addresses if a.startswith("module.web_repository")} == {
        "module.web_repository[0].aws_ecr_repository.this",
        "module.web_repository[0].aws_ecr_lifecycle_policy.this",
    }
    for artifact in (outcome.paths.plan_json, outcome.paths.meta_file):
        assert stat.S_IMODE(artifact.stat().st_mode) == 0o600
    plan = json.loads(outcome.paths.plan_json.read_text())
    assert {r["address"] for r in plan["resource_changes"] if r["mode"] == "managed"} >= addresses

    apply_offline(project, "dev")
    assert not outcome.paths.plan_file.exists(), "an applied plan must not be applied twice"

    again = plan_offline(project)
    assert again.summary.totals == {"create": 0, "update": 0, "replace": 0, "delete": 0}


def test_environments_keep_separate_data_and_state(project: Path):
    dev = plan_offline(project, "dev")
    apply_offline(project, "dev")
    prod = plan_offline(project, "prod")
    assert dev.paths.data_dir != prod.paths.data_dir
    # prod starts from its own empty state although dev was applied; it pulls dev's repository
    prod_addresses = {change.address for change in prod.summary.changes}
    assert not {a for a in prod_addresses if a.startswith("module.web_repository")}
    assert prod.summary.totals["create"] >= dev.summary.totals["create"] - 2
    assert prod.summary.totals["update"] == prod.summary.totals["delete"] == 0
    plan = json.loads(prod.paths.plan_json.read_text())
    target = next(r for r in plan["resource_changes"] if r["type"] == "aws_appautoscaling_target" and "module.api" in r["address"])
    assert (target["change"]["after"]["min_capacity"], target["change"]["after"]["max_capacity"]) == (2, 4)


def test_apply_refuses_without_plan(project: Path):
    with pytest.raises(TfgenError, match="no saved plan"):
        apply_offline(project, "dev")


def test_apply_refuses_after_blueprint_edit_and_works_after_replan(project: Path):
    plan_offline(project)
    blueprint = project / "shop.yaml"
    blueprint.write_text(BLUEPRINT.replace("port: 8080", "port: 8081"))
    with pytest.raises(TfgenError, match="changed since"):
        apply_offline(project, "dev")
    plan_offline(project)
    apply_offline(project, "dev")


def test_set_image_tag_reaches_the_plan_and_apply_checks_it(project: Path):
    outcome = plan_offline(project, settings=("services.web.image_tag=abc123",))
    plan = json.loads(outcome.paths.plan_json.read_text())
    assert plan["variables"]["web_image_tag"]["value"] == "abc123"
    with pytest.raises(TfgenError, match="--set values differ"):
        apply_offline(project, "dev", settings=("services.web.image_tag=other",))
    apply_offline(project, "dev", settings=("services.web.image_tag=abc123",))


@pytest.mark.parametrize(
    "setting, message",
    [
        ("services.api.image_tag=abc", "does not build its image"),
        ("services.nope.image_tag=abc", "no service 'nope'"),
        ("services.web.cpu=512", "expected services.NAME.image_tag=TAG"),
    ],
)
def test_bad_set_values_are_input_errors(project: Path, setting: str, message: str):
    with pytest.raises(InputError, match=message):
        plan_offline(project, settings=(setting,))


def test_protected_environment_refuses_destroy_without_allow_destroy(project: Path):
    plan_offline(project, "prod")
    apply_offline(project, "prod")
    without_web = BLUEPRINT.replace(
        "  web:\n    type: backend-service\n    image: {build: ./web}\n    port: 3000\n", ""
    )
    (project / "shop.yaml").write_text(without_web)
    outcome = plan_offline(project, "prod")
    assert outcome.summary.totals["delete"] > 0
    with pytest.raises(TfgenError, match="protected"):
        apply_offline(project, "prod")
    apply_offline(project, "prod", allow_destroy=True)


def test_cli_plan_json_output_matches_plan(project: Path):
    runner = CliRunner()
    result = runner.invoke(cli, ["plan", "shop.yaml", "-e", "dev", "--offline", "--format", "json", "--no-progress", "--set", "services.web.image_tag=v1"])
    summary = json.loads(result.stdout)
    paths = EnvironmentPaths(project / "build" / "shop", "dev")
    plan = json.loads(paths.plan_json.read_text())
    planned = sorted(r["address"] for r in plan["resource_changes"] if r["mode"] == "managed" and r["change"]["actions"] != ["no-op"])
    assert sorted(change["address"] for change in summary["changes"]) == planned
    assert summary["totals"]["create"] == len(planned)
    assert summary["environment"] == "dev"
    assert result.exit_code in (0, 1), result.output
    assert summary["policy_passed"] is (result.exit_code == 0)


def test_lock_error_names_holder_and_what_to_do():
    text = (
        "Error acquiring the state lock\n\nLock Info:\n  ID:        3e5b1f2a\n  Path:      b/shop/dev.tfstate\n"
        "  Operation: OperationTypeApply\n  Who:       alice@laptop\n  Version:   1.15.0\n  Created:   2026-11-22 10:00:00 UTC\n"
    )
    assert describe_lock_error(text, "dev") == (
        "the state of 'dev' is locked by alice@laptop since 2026-11-22 10:00:00 UTC for OperationTypeApply (lock 3e5b1f2a). "
        "Wait and retry (--lock-timeout 5m waits for it), or, if that process is gone: tfgen tf -e dev BLUEPRINT -- force-unlock 3e5b1f2a"
    )


def test_a_lock_that_failed_for_another_reason_is_not_called_held():
    text = (
        "Error: Error acquiring the state lock\n\nError message: 2 problems:\n\n- Unsupported state file format: The state file could not be parsed as\n"
        "JSON: syntax error at byte offset 1.\n\nTerraform acquires a state lock to protect the state from being written\nby multiple users at the same time."
    )
    assert describe_lock_error(text, "dev") == (
        "terraform could not take the state lock of 'dev', and no one holds it: 2 problems: - Unsupported state file format: "
        "The state file could not be parsed as JSON: syntax error at byte offset 1."
    )
