"""`tfgen bootstrap` against a real moto_server on loopback (through AWS_ENDPOINT_URL)."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from tfgen.cli import cli

SETTINGS = ("bucket", "versioning", "encryption", "public access", "TLS-only policy")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def s3(region: str = "eu-west-1"):
    return boto3.client("s3", region_name=region)


def assert_fully_bootstrapped(bucket: str, region: str) -> None:
    client = s3(region)
    client.head_bucket(Bucket=bucket, ExpectedBucketOwner="123456789012")
    assert client.get_bucket_location(Bucket=bucket)["LocationConstraint"] == region
    assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = client.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    block = client.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    policy = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    deny = [s for s in policy["Statement"] if s.get("Sid") == "DenyInsecureTransport"]
    assert deny == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_bootstrap_creates_the_bucket_with_every_setting(aws_env, aws_blueprint):
    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    assert "state bucket shop-tfstate-dev (eu-west-1, account 123456789012): bootstrapped" in result.stdout
    for setting in SETTINGS:
        assert any(line.split()[0] == "changed" and setting in line for line in result.stdout.splitlines()), setting
    assert_fully_bootstrapped("shop-tfstate-dev", "eu-west-1")


def test_second_bootstrap_changes_nothing_and_says_so(aws_env, aws_blueprint):
    assert run("bootstrap", str(aws_blueprint), "-e", "dev").exit_code == 0
    policy_before = s3().get_bucket_policy(Bucket="shop-tfstate-dev")["Policy"]

    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    assert "already bootstrapped, nothing changed" in result.stdout
    lines = result.stdout.splitlines()[1:]
    assert len(lines) == len(SETTINGS)
    for setting, line in zip(SETTINGS, lines, strict=True):
        assert line.split()[0] == "ok" and setting in line, line
    assert "changed" not in result.stdout.replace("nothing changed", "")
    assert s3().get_bucket_policy(Bucket="shop-tfstate-dev")["Policy"] == policy_before
    assert_fully_bootstrapped("shop-tfstate-dev", "eu-west-1")


def test_bootstrap_completes_an_existing_bucket_and_keeps_its_settings(aws_env, aws_blueprint):
    client = s3()
    client.create_bucket(Bucket="shop-tfstate-dev", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_bucket_encryption(
        Bucket="shop-tfstate-dev",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/state"}}]
        },
    )
    other = {"Sid": "ReadForAuditors", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-tfstate-dev/*"}
    client.put_bucket_policy(Bucket="shop-tfstate-dev", Policy=json.dumps({"Version": "2012-10-17", "Statement": [other]}))

    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ok       bucket" in out and "ok       encryption" in out and "aws:kms" in out
    assert "changed  versioning" in out and "changed  TLS-only policy" in out and "added to the bucket policy" in out
    rules = client.get_bucket_encryption(Bucket="shop-tfstate-dev")["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    statements = json.loads(client.get_bucket_policy(Bucket="shop-tfstate-dev")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["ReadForAuditors", "DenyInsecureTransport"]
    assert_fully_bootstrapped("shop-tfstate-dev", "eu-west-1")


def test_bootstrap_uses_the_state_region(aws_env, aws_blueprint):
    result = run("bootstrap", str(aws_blueprint), "-e", "stage")

    assert result.exit_code == 0, result.output
    assert "(eu-central-1, account 123456789012)" in result.stdout
    assert_fully_bootstrapped("shop-tfstate-stage", "eu-central-1")


def test_bootstrap_refuses_credentials_of_another_account(aws_env, aws_blueprint):
    result = run("bootstrap", str(aws_blueprint), "-e", "prod")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: credentials are for account 123456789012, environment 'prod' is account 210987654321"
    assert "Traceback" not in result.output
    assert s3().list_buckets()["Buckets"] == []


def test_bootstrap_refuses_a_bucket_in_another_region(aws_env, aws_blueprint):
    s3("us-west-2").create_bucket(Bucket="shop-tfstate-dev", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})

    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 1
    assert "bucket shop-tfstate-dev exists in us-west-2, environment 'dev' keeps its state in eu-west-1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(s3().exceptions.ClientError):
        s3("us-west-2").get_bucket_policy(Bucket="shop-tfstate-dev")  # nothing was put on it


def test_bootstrap_refuses_a_bucket_it_may_not_read(moto_server_iam, aws_blueprint, monkeypatch):
    """HeadBucket answers 403: on AWS that is a bucket of another account (ExpectedBucketOwner
    mismatch) or one these credentials may not read. moto ignores ExpectedBucketOwner, so the 403
    comes from a moto_server enforcing IAM, with a user allowed only sts:GetCallerIdentity."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_iam["endpoint"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server_iam["access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server_iam["secret_access_key"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)

    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 1
    assert "error: bucket shop-tfstate-dev exists but is not owned by account 123456789012 of environment 'dev'" in result.stderr
    assert "Traceback" not in result.output
