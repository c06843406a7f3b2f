"""The real S3 backend (native S3 locking) against a real moto_server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from tfgen.terraform import Terraform, TerraformError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "terraform"
BUCKET = "tfgen-state"
KEY = "fixture/dev.tfstate"


def backend_config(path: Path, endpoint: str) -> Path:
    """What tfgen writes per environment, pointed at moto_server."""
    path.write_text(
        f'bucket = "{BUCKET}"\n'
        f'key = "{KEY}"\n'
        'region = "eu-west-1"\n'
        "use_lockfile = true\n"
        "use_path_style = true\n"
        f'endpoints = {{ s3 = "{endpoint}" }}\n'
        "skip_credentials_validation = true\n"
        "skip_requesting_account_id = true\n"
        "skip_metadata_api_check = true\n"
        "skip_region_validation = true\n"
        "skip_s3_checksum = true\n"
    )
    return path


@pytest.fixture
def s3(aws_env, moto_server):
    client = boto3.client("s3", endpoint_url=moto_server, region_name="eu-west-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


@pytest.fixture
def applied(s3, moto_server, tmp_path) -> tuple[Terraform, Path]:
    root = tmp_path / "s3_backend"
    shutil.copytree(FIXTURES / "s3_backend", root)
    terraform = Terraform(root, root / ".tfgen" / "dev")
    config = backend_config(tmp_path / "dev.backend.hcl", moto_server)
    terraform.init(config)
    plan = terraform.data_dir / "plan.tfplan"
    terraform.plan(plan, on_event=lambda event: None)
    terraform.apply(plan, on_event=lambda event: None)
    return terraform, config


def stored_state(s3) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())


def test_state_is_stored_in_the_bucket(s3, applied):
    state = stored_state(s3)
    assert state["outputs"]["marker"]["value"] == "revision-1"
    assert [r["type"] for r in state["resources"]] == ["terraform_data"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert f"{KEY}.tflock" not in keys  # released after apply


def test_a_held_lock_fails_the_next_plan_and_keeps_the_state(s3, applied):
    terraform, _config = applied
    before = s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    lock = {
        "ID": "0d6e3e58-5a3f-4c4a-9f55-3b0f1b0c0b77",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "someone@elsewhere",
        "Version": "1.11.4",
        "Created": "2026-01-01T00:00:00Z",
        "Path": f"{BUCKET}/{KEY}",
    }
    s3.put_object(Bucket=BUCKET, Key=f"{KEY}.tflock", Body=json.dumps(lock).encode())
    with pytest.raises(TerraformError) as caught:
        terraform.plan(terraform.data_dir / "second.tfplan", variables={"revision": "2"}, on_event=lambda e: None)
    assert "Error acquiring the state lock" in str(caught.value)
    assert "someone@elsewhere" in str(caught.value)
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == before
    s3.delete_object(Bucket=BUCKET, Key=f"{KEY}.tflock")
    terraform.plan(terraform.data_dir / "third.tfplan", variables={"revision": "2"}, on_event=lambda e: None)
