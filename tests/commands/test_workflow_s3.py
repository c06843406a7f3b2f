"""plan/apply against the real S3 backend (moto_server on loopback, native S3 lock file), with
the offline stand-in serving hashicorp/aws (TFGEN_AWS_PROVIDER=offline)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import TfgenError
from tfgen.workflow import apply_environment, plan_environment

pytestmark = pytest.mark.slow

BLUEPRINT = (Path(__file__).parents[1] / "data" / "workflow" / "shop.yaml").read_text()
TAG = ("services.web.image_tag=v1",)  # web builds its image: a plan names the tag it deploys

BUCKET = "shop-tfstate-dev"
KEY = "shop/dev.tfstate"
LOCK_KEY = f"{KEY}.tflock"
SLEEPER = """\
# Test-only: a long-running resource to interrupt.
resource "terraform_data" "sleeper" {
  provisioner "local-exec" {
    command = "sleep 60"
  }
}
"""


@pytest.fixture
def s3(aws_env, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("TFGEN_AWS_PROVIDER", "offline")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text(BLUEPRINT)
    client = boto3.client("s3", region_name="eu-west-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


def plan(project: Path):
    return plan_environment(load_blueprint(project / "shop.yaml"), "dev", run_policy_checks=False, settings=TAG)


def apply(project: Path) -> None:
    apply_environment(load_blueprint(project / "shop.yaml"), "dev", settings=TAG)


def object_keys(s3) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_plan_apply_replan_keeps_state_in_the_bucket(s3, tmp_path: Path):
    first = plan(tmp_path)
    assert first.summary.totals["create"] > 10
    apply(tmp_path)
    state = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    types = {resource["type"] for resource in state["resources"]}
    assert {"aws_ecs_service", "aws_lb", "aws_ecs_task_definition"} <= types
    assert LOCK_KEY not in object_keys(s3), "the lock must be released after apply"
    assert not (tmp_path / "build/shop/.tfgen/dev/terraform.tfstate").exists(), "state must not be local"
    assert plan(tmp_path).summary.changes == []


def test_a_lock_held_by_someone_else_fails_apply_cleanly(s3, tmp_path: Path):
    plan(tmp_path)
    lock = {
        "ID": "8a1f6c3e-0000-4000-8000-000000000001",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "carol@ci-runner",
        "Version": "1.15.0",
        "Created": "2026-11-22T09:00:00Z",
        "Path": f"{BUCKET}/{KEY}",
    }
    s3.put_object(Bucket=BUCKET, Key=LOCK_KEY, Body=json.dumps(lock).encode())
    with pytest.raises(TfgenError) as caught:
        apply(tmp_path)
    message = str(caught.value)
    assert "locked by carol@ci-runner since 2026-11-22 09:00:00" in message
    assert "force-unlock 8a1f6c3e-0000-4000-8000-000000000001" in message
    assert KEY not in object_keys(s3), "no state may be written while someone else holds the lock"
    s3.delete_object(Bucket=BUCKET, Key=LOCK_KEY)
    apply(tmp_path)
    assert KEY in object_keys(s3)


def test_ctrl_c_during_apply_releases_the_lock(s3, tmp_path: Path):
    (tmp_path / "build" / "shop").mkdir(parents=True)
    (tmp_path / "build" / "shop" / "zz_sleeper.tf").write_text(SLEEPER)
    plan(tmp_path)
    tfgen = Path(sys.executable).with_name("tfgen")
    process = subprocess.Popen(
        [str(tfgen), "apply", "shop.yaml", "-e", "dev", "--no-progress", "--set", TAG[0]],
        cwd=tmp_path,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(lambda: LOCK_KEY in object_keys(s3), timeout=60, what="apply to take the lock", process=process)
        time.sleep(3)  # let the sleeper's provisioner start
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0, output
    assert "Traceback" not in output
    assert LOCK_KEY not in object_keys(s3), f"lock left behind after Ctrl-C:\n{output}"
    state = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    assert state["resources"], "state written before the interruption must be kept"
    (tmp_path / "build" / "shop" / "zz_sleeper.tf").unlink()
    plan(tmp_path)  # the next plan works: no lock, state readable


def _wait_for(condition, *, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}:\n{process.communicate()[0]}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)
