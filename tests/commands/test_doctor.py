"""`tfgen doctor`: what tfgen will use, as a table and as JSON; the AWS identity from one STS call
(moto_server), a clear line without credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.offline.schema import PACKAGED_SCHEMA, PACKAGED_VERSION
from tfgen.policy.checkov_install import CHECKOV_VERSION


def doctor(*args: str):
    return CliRunner().invoke(cli, ["doctor", *args])


def test_doctor_json_names_terraform_checkov_schema_cache_and_no_credentials(monkeypatch, tmp_path: Path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    result = doctor("--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    terraform = report["terraform"]
    assert Path(terraform["path"]).is_file() and terraform["version"].startswith("1.") and terraform["source"] in ("PATH", "TFGEN_TERRAFORM", "embedded")
    assert terraform["embedded"] == (terraform["source"] == "embedded")
    checkov = report["checkov"]
    assert (checkov["path"], checkov["version"], checkov["found_by"]) == (os.environ["TFGEN_CHECKOV"], CHECKOV_VERSION, "TFGEN_CHECKOV")
    assert report["schema"] == {
        "ok": True,
        "packaged": True,
        "path": str(PACKAGED_SCHEMA),
        "version": PACKAGED_VERSION,
        "summary": f"hashicorp/aws {PACKAGED_VERSION} (packaged with tfgen)",
    }
    assert report["cache"]["path"] == str(tmp_path / "cache")
    assert report["aws"]["identity"] is None and report["aws"]["summary"].startswith("no AWS credentials")


def test_doctor_says_checkov_will_be_provisioned_and_where(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("TFGEN_CHECKOV")
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "checkov").exists()))
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    report = json.loads(doctor("--format", "json").output)
    assert report["checkov"]["found_by"] == "will be provisioned"
    assert report["checkov"]["provision_dir"].startswith(str(tmp_path / "cache" / "checkov" / f"{CHECKOV_VERSION}-py"))
    assert not (tmp_path / "cache").exists()  # doctor installs nothing


def test_doctor_table_and_aws_identity_from_sts(aws_env):
    result = doctor()
    assert result.exit_code == 0, result.output
    rows = {line.split()[1]: line for line in result.output.splitlines()}
    assert list(rows) == ["terraform", "checkov", "schema", "cache", "aws"]
    assert all(line.startswith("ok ") for line in rows.values())
    assert "account 123456789012 as arn:aws:sts::123456789012:user/moto" in rows["aws"]
    assert f"hashicorp/aws {PACKAGED_VERSION} (packaged with tfgen)" in rows["schema"]


def test_doctor_fails_on_a_schema_override_that_does_not_exist(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("TFGEN_AWS_SCHEMA", str(tmp_path / "nope.json"))
    result = doctor()
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if " schema " in f" {line} ")
    assert line.startswith("NO ") and "not found" in line and "Traceback" not in result.output
