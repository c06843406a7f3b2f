"""Shared fixtures: paths to the provider schema and a real moto_server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = PROJECT_ROOT.parent / "shared" / "aws-provider-schema" / "aws-6.47.0.json"


@pytest.fixture(scope="session")
def aws_schema_path() -> Path:
    """The hashicorp/aws provider schema (TFGEN_AWS_SCHEMA, else ../shared/...)."""
    path = Path(os.environ.get("TFGEN_AWS_SCHEMA", DEFAULT_SCHEMA))
    if not path.is_file():
        pytest.fail(f"provider schema not found at {path}; set TFGEN_AWS_SCHEMA")
    return path


@pytest.fixture(autouse=True, scope="session")
def _offline_environment(aws_schema_path: Path):
    """Every test sees the schema and never real AWS credentials or config files."""
    saved = dict(os.environ)
    os.environ["TFGEN_AWS_SCHEMA"] = str(aws_schema_path)
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


@pytest.fixture(scope="session")
def moto_server():
    """A real moto_server on a free 127.0.0.1 port; yields its endpoint URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [*_moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    yield endpoint
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


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
