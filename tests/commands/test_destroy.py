"""`tfgen destroy` end to end offline: real Terraform, the stand-in provider, local state and the
simulated account of each environment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.commands import destroy as destroy_module
from tfgen.offline import ACCOUNT_FILE

pytestmark = pytest.mark.slow

BLUEPRINT = Path(__file__).parents[2] / "blueprints" / "single-web.yaml"

TAG = ("--set", "services.storefront.image_tag=v1")  # the plan names the tag a built image deploys (a destroy needs none)

def run(*argv: str, input: str | None = None):
    return CliRunner().invoke(cli, list(argv), input=input)


def data_dir(project: Path, env: str) -> Path:
    return project / "build" / "single-web" / ".tfgen" / env


def managed(project: Path, env: str) -> list[str]:
    state = json.loads((data_dir(project, env) / "terraform.tfstate").read_text())
    return [f"{r.get('module', '')}.{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"]


def account_records(project: Path, env: str) -> list[dict[str, Any]]:
    return json.loads((data_dir(project, env) / ACCOUNT_FILE).read_text())["records"]


def plan_totals(env: str) -> dict[str, int]:
    result = run("plan", "single-web.yaml", "-e", env, "--offline", "--format", "json", *TAG)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["totals"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(BLUEPRINT, tmp_path / "single-web.yaml")
    return tmp_path


def applied(env: str) -> int:
    created = plan_totals(env)["create"]
    result = run("apply", "single-web.yaml", "-e", env, "--offline", *TAG)
    assert result.exit_code == 0, result.output
    return created


def test_destroy_refused_when_protected_then_destroys_everything(project: Path, monkeypatch):
    created = applied("prod")

    refused = run("destroy", "single-web.yaml", "-e", "prod", "--offline", "--yes")
    assert refused.exit_code == 1, refused.output
    assert "'prod' is protected and the plan destroys or replaces:" in refused.stderr
    assert "destroy with --allow-destroy if that is intended" in refused.stderr
    assert "Traceback" not in refused.output
    assert len(managed(project, "prod")) > 10  # nothing destroyed
    # the refused destroy plan is gone: `tfgen apply` cannot apply it afterwards
    again = run("apply", "single-web.yaml", "-e", "prod", "--offline")
    assert again.exit_code == 1 and "no saved plan for 'prod'" in again.stderr

    no_terminal = run("destroy", "single-web.yaml", "-e", "prod", "--offline", "--allow-destroy")
    assert no_terminal.exit_code == 2, no_terminal.output
    assert "pass --yes to destroy without asking" in no_terminal.stderr
    assert len(managed(project, "prod")) > 10

    monkeypatch.setattr(destroy_module, "interactive", lambda: True)
    wrong = run("destroy", "single-web.yaml", "-e", "prod", "--offline", "--allow-destroy", input="dev\n")
    assert wrong.exit_code == 1 and "destroy of 'prod' cancelled" in wrong.stderr
    assert len(managed(project, "prod")) > 10

    done = run("destroy", "single-web.yaml", "-e", "prod", "--offline", "--allow-destroy", input="prod\n")
    assert done.exit_code == 0, done.output
    assert "destroy plan for prod" in done.stdout
    assert "kept: the offline state and simulated account under" in done.stdout
    assert "ECR repositories" not in done.stdout  # prod has none: it pulls the images of dev's repository
    assert "note: protected: the load balancer has deletion protection on" in done.stdout
    assert managed(project, "prod") == []
    assert account_records(project, "prod") == []
    assert f"destroyed 'prod': {created} resources" in done.stderr
    assert plan_totals("prod") == {"create": created, "update": 0, "replace": 0, "delete": 0}


def test_destroy_unprotected_with_yes_then_nothing_left(project: Path):
    created = applied("dev")
    assert account_records(project, "dev") != []

    done = run("destroy", "single-web.yaml", "-e", "dev", "--offline", "--yes")
    assert done.exit_code == 0, done.output
    assert "note:" not in done.stdout  # force_delete and no deletion protection in dev
    assert "the task definition revisions (1 families): ECS keeps them registered" in done.stdout
    assert managed(project, "dev") == []
    assert account_records(project, "dev") == []
    assert not (data_dir(project, "dev") / "plan.tfplan").exists()

    empty = run("destroy", "single-web.yaml", "-e", "dev", "--offline", "--yes")
    assert empty.exit_code == 0, empty.output
    assert "nothing to destroy" in empty.stdout
    assert plan_totals("dev") == {"create": created, "update": 0, "replace": 0, "delete": 0}


def test_a_destroy_plan_is_not_applied_by_apply(project: Path):
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.errors import TfgenError
    from tfgen.workflow import apply_environment, plan_environment

    plan_environment(load_blueprint(project / "single-web.yaml"), "dev", offline=True, run_policy_checks=False, destroy=True)
    with pytest.raises(TfgenError, match="was made by `tfgen destroy`"):
        apply_environment(load_blueprint(project / "single-web.yaml"), "dev", offline=True)


def test_destroy_with_the_s3_backend_keeps_the_bucket_and_an_empty_state(aws_env, tmp_path: Path, monkeypatch):
    """The real S3 backend on moto_server (the stand-in serving hashicorp/aws): the state stays in
    its bucket, empty, and the lock file is released."""
    import boto3

    monkeypatch.setenv("TFGEN_AWS_PROVIDER", "offline")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text((Path(__file__).parents[1] / "data" / "workflow" / "shop.yaml").read_text())
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket="shop-tfstate-dev", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    web = ("--set", "services.web.image_tag=v1")
    assert run("plan", "shop.yaml", "-e", "dev", "--format", "json", *web).exit_code == 0
    assert run("apply", "shop.yaml", "-e", "dev", *web).exit_code == 0

    done = run("destroy", "shop.yaml", "-e", "dev", "--yes")

    assert done.exit_code == 0, done.output
    assert "kept: the state bucket shop-tfstate-dev (eu-west-1) with the state shop/dev.tfstate and its lock file shop/dev.tfstate.tflock" in done.stdout
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="shop-tfstate-dev").get("Contents", [])}
    assert keys == {"shop/dev.tfstate"}
    state = json.loads(s3.get_object(Bucket="shop-tfstate-dev", Key="shop/dev.tfstate")["Body"].read())
    assert [r for r in state["resources"] if r["mode"] == "managed"] == []
