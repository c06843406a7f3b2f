"""Shared fixtures: the packaged provider schema, an offline environment, a real moto_server on loopback."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tfgen.offline.schema import PACKAGED_SCHEMA
from tfgen.policy.checkov_install import find_checkov

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def aws_schema_path() -> Path:
    """The hashicorp/aws provider schema tfgen ships (what every test and every user gets by default)."""
    return PACKAGED_SCHEMA


@pytest.fixture(autouse=True, scope="session")
def _offline_environment():
    """Every test uses the packaged schema and never real AWS credentials or config files."""
    saved = dict(os.environ)
    os.environ.pop("TFGEN_AWS_SCHEMA", None)
    # The checkov tfgen finds (provisioned under the user's cache on first use, as for any user),
    # pinned for the session so that tests with a cache folder of their own do not provision again.
    os.environ["TFGEN_CHECKOV"] = str(find_checkov())
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ.setdefault("AWS_CONFIG_FILE", os.devnull)
    os.environ.setdefault("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_server_command() -> list[str]:
    found = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "moto.server"]


@contextlib.contextmanager
def _running_moto_server(what: str, ready: Callable[[str, int], None], env: dict[str, str] | None = None) -> Iterator[str]:
    """Start moto_server on a free 127.0.0.1 port, wait until ``ready(endpoint, port)`` stops
    raising OSError, yield the endpoint, stop the server."""
    port = _free_port()
    proc = subprocess.Popen(
        [*_moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            ready(endpoint, port)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{what} did not start")
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _answers_http(endpoint: str, port: int) -> None:
    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)


def _accepts_connections(endpoint: str, port: int) -> None:
    # no request: every request counts against INITIAL_NO_AUTH_ACTION_COUNT
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.fixture(scope="session")
def moto_server():
    """A real moto_server on a free 127.0.0.1 port; yields its endpoint URL."""
    with _running_moto_server("moto_server", _answers_http) as endpoint:
        yield endpoint


@pytest.fixture
def aws_env(moto_server, monkeypatch):
    """Environment variables pointing boto3 and Terraform's S3 backend at moto_server."""
    values = {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    return values


# --- AWS commands (bootstrap / discover / status) ----------------------------------------------

IAM_LIMITED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}],
}


@pytest.fixture(scope="session")
def moto_server_iam():
    """A second moto_server that enforces IAM (INITIAL_NO_AUTH_ACTION_COUNT). Its first three
    requests create a user allowed only sts:GetCallerIdentity; yields
    {"endpoint", "access_key_id", "secret_access_key"} of that user."""
    import json

    import boto3

    with _running_moto_server("moto_server (IAM)", _accepts_connections, env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}) as endpoint:
        iam = boto3.client(
            "iam", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        iam.create_user(UserName="limited")
        key = iam.create_access_key(UserName="limited")["AccessKey"]
        iam.put_user_policy(UserName="limited", PolicyName="sts-only", PolicyDocument=json.dumps(IAM_LIMITED_POLICY))
        yield {"endpoint": endpoint, "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}


AWS_TEST_BLUEPRINT = """\
name: shop
region: eu-west-1
network:
  vpc: default
load_balancer:
  public: true
  protocol: http
services:
  web:
    type: web-service
    image: public.ecr.aws/docker/library/nginx:stable
    port: 80
    count: 2
  api:
    type: backend-service
    image: public.ecr.aws/docker/library/nginx:stable
    port: 8080
  nightly:
    type: scheduled-job
    image: public.ecr.aws/docker/library/busybox:stable
    schedule: rate(1 hour)
environments:
  dev:
    account: "123456789012"
    state: {bucket: shop-tfstate-dev}
  stage:
    account: "123456789012"
    region: eu-central-1
    state: {bucket: shop-tfstate-stage, region: eu-central-1}
  prod:
    account: "210987654321"
    state: {bucket: shop-tfstate-prod}
"""


@pytest.fixture
def aws_blueprint(tmp_path: Path) -> Path:
    """A blueprint for the AWS commands: env dev and stage in moto's default account, prod in another."""
    path = tmp_path / "shop.yaml"
    path.write_text(AWS_TEST_BLUEPRINT)
    return path
