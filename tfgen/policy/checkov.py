"""Running checkov (its own executable, its own virtualenv) and reading its JSON into records.

checkov is found (or provisioned on first use) by ``checkov_install``. It runs with no network:
``--skip-download``, ``BC_SKIP_MAPPING=TRUE``, no platform API key, and environment variables that
would change which checks run (``CKV_CHECK``, ``CKV_SKIP_CHECK``, ...) removed, so the result
depends only on the plan, the checks and the checkov version.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tfgen.errors import TfgenError
from tfgen.policy.checkov_install import find_checkov
from tfgen.policy.results import FAILED, PASSED, SKIPPED, CheckRecord
from tfgen.readback import describe

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
PROTECTED_ENV = "TFGEN_POLICY_PROTECTED"  # read by CKV_TFG_8 and CKV_TFG_9 inside checkov
PRESTART_ENV = "TFGEN_CHECKOV_PRESTART"  # "0": start checkov only once plan.json exists
GUIDELINE = "https://github.com/tfgen/tfgen#policy-checks"
_SCRUBBED = ("BC_API_KEY", "PRISMA_API_URL", "BC_API_URL", "CKV_CHECK", "CKV_SKIP_CHECK", "CKV_FRAMEWORK", "CKV_EXTERNAL_CHECKS_PUBLIC_KEY", "CKV_STDERR_DEBUG")
_RESULTS = {"PASSED": PASSED, "FAILED": FAILED, "SKIPPED": SKIPPED}


def checkov_identity(executable: Path) -> str:
    """What identifies the checkov installation cheaply (no `checkov --version`: it takes seconds)."""
    resolved = executable.resolve()
    stat = resolved.stat()
    parts = [str(resolved), str(stat.st_mtime_ns), str(stat.st_size)]
    # A venv's console script does not change when checkov is upgraded in place: add its dist-info.
    site = list(resolved.parent.parent.glob("lib/python*/site-packages"))
    for directory in site:
        parts.extend(sorted(p.name for p in directory.glob("checkov-*.dist-info")))
    return "\0".join(parts)


def checkov_environment(protected: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        BC_SKIP_MAPPING="TRUE",
        CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false",
        CKV_GITHUB_CONFIG_FETCH_DATA="False",
        CKV_GITLAB_CONFIG_FETCH_DATA="False",
        LOG_LEVEL="ERROR",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env[PROTECTED_ENV] = "1" if protected else "0"
    return env


def checkov_command(executable: Path, target: Path, checks_dir: Path = CHECKS_DIR) -> list[str]:
    return [
        str(executable),
        "-d" if target.is_dir() else "-f",
        str(target),
        "--framework", "terraform_plan",
        "-o", "json",
        "--compact",
        "--skip-download",
        "--skip-results-upload",
        "--external-checks-dir", str(checks_dir),
    ]


def run_checkov(
    target: Path, *, protected: bool = False, checks_dir: Path = CHECKS_DIR, executable: Path | None = None, timeout: float = 1800, file_name: str | None = None
) -> CheckovReport:
    """Run checkov on a plan JSON file (or a directory of them): its records, version and resource count.

    ``file_name``: what records name as their file (default: the absolute path checkov reports)."""
    executable = executable or find_checkov()
    command = checkov_command(executable, target, checks_dir)
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=checkov_environment(protected),
            timeout=timeout,
            cwd=str(target if target.is_dir() else target.parent),
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:
        raise TfgenError(f"could not run checkov ({executable}): {error}") from None
    except subprocess.TimeoutExpired:
        raise TfgenError(f"checkov did not finish within {timeout:.0f}s on {target}") from None
    return _read_report(proc.returncode, proc.stdout, proc.stderr, target, file_name)


def _read_report(returncode: int, stdout: str, stderr: str, target: Path, file_name: str | None) -> CheckovReport:
    if returncode not in (0, 1):
        raise TfgenError(f"checkov failed (exit {returncode}) on {target}:\n{_tail(stderr or stdout)}")
    try:
        data = _load_json(stdout)
    except ValueError:
        raise TfgenError(f"checkov printed no JSON report on {target}:\n{_tail(stderr or stdout)}") from None
    return parse_checkov_output(data, target, file_name)


# Runs in checkov's interpreter: import checkov now (about 3 s), read its arguments later as one
# JSON line on stdin; an empty line or EOF means it is not needed. The current directory is taken
# off sys.path so nothing there can shadow the checkov package.
_PRESTART_CODE = """\
import json, sys, warnings
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]
warnings.simplefilter("ignore", category=SyntaxWarning)
from checkov.main import Checkov
line = sys.stdin.readline()
if not line.strip():
    sys.exit(0)
arguments = json.loads(line)
sys.argv = ["checkov", *arguments]
sys.exit(Checkov(argv=arguments).run())
"""


def checkov_interpreter(executable: Path) -> str | None:
    """The Python interpreter of a checkov console script (from its shebang); None for anything
    else (a wrapper script, `#!/usr/bin/env python3`, a binary), which then runs the usual way."""
    try:
        with open(executable, "rb") as handle:
            first_line = handle.readline(512)
    except OSError:
        return None
    if not first_line.startswith(b"#!"):
        return None
    parts = first_line[2:].decode(errors="replace").split()
    if len(parts) != 1 or not Path(parts[0]).name.startswith("python") or not Path(parts[0]).is_file():
        return None
    return parts[0]


class PrestartedCheckov:
    """checkov started before its input exists, so its imports overlap `terraform plan`.

    ``start`` returns None when checkov cannot be started this way; callers then use run_checkov.
    Always ``cancel()`` (or ``run``) it: a prestarted process that is never given work is killed.
    """

    def __init__(self, process: subprocess.Popen[str], executable: Path, protected: bool) -> None:
        self.process = process
        self.executable = executable
        self.protected = protected
        self._finished = False

    @classmethod
    def start(cls, workdir: Path, *, protected: bool) -> PrestartedCheckov | None:
        if os.environ.get(PRESTART_ENV, "1") == "0":
            return None
        try:
            executable = find_checkov()
        except TfgenError:
            return None  # run_policy explains later, when checks actually run
        interpreter = checkov_interpreter(executable)
        if interpreter is None:
            return None
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            process = subprocess.Popen(
                [interpreter, "-c", _PRESTART_CODE],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=checkov_environment(protected), cwd=str(workdir),
            )  # fmt: skip
        except OSError:
            return None
        return cls(process, executable, protected)

    def run(self, target: Path, *, file_name: str | None = None, timeout: float = 1800) -> CheckovReport:
        arguments = checkov_command(self.executable, target)[1:]
        try:
            stdout, stderr = self.process.communicate(json.dumps(arguments) + "\n", timeout=timeout)
            self._finished = True
        except subprocess.TimeoutExpired:
            self.cancel()
            raise TfgenError(f"checkov did not finish within {timeout:.0f}s on {target}") from None
        return _read_report(self.process.returncode, stdout, stderr, target, file_name)

    def cancel(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def _load_json(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        # Anything printed before the report (a warning on stdout): start at the first bracket.
        starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
        if not starts:
            raise
        return json.loads(text[min(starts):])


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


@dataclass(frozen=True)
class CheckovReport:
    """What checkov found in one plan: its records, its version, how many resources it read."""

    records: list[CheckRecord]
    version: str | None
    resource_count: int


def parse_checkov_output(data: Any, target: Path, file_name: str | None = None) -> CheckovReport:
    """checkov's JSON report in any of its shapes -> records.

    Shapes: a list of reports (several frameworks), one report dict ``{check_type, results,
    summary}``, or a bare summary ``{"passed": 0, "failed": 0, ...}`` when nothing was scanned.
    Parsing errors of a plan file are an error: no check ran on it; so is any other shape.
    """
    reports = data if isinstance(data, list) else [data]
    if not all(isinstance(report, dict) for report in reports):
        raise TfgenError(f"checkov printed an unexpected report on {target}: {_shown(data)}")
    records: list[CheckRecord] = []
    version: str | None = None
    resource_count = 0
    for report in reports:
        summary = report.get("summary") if "results" in report else report
        if isinstance(summary, dict):
            version = summary.get("checkov_version") if isinstance(summary.get("checkov_version"), str) else version
            count = summary.get("resource_count")
            resource_count += count if isinstance(count, int) and not isinstance(count, bool) else 0
        if "results" not in report:
            continue
        results = report.get("results")
        if not isinstance(results, dict):
            raise TfgenError(f"checkov printed an unexpected report on {target}: results is {_shown(results)}")
        errors = results.get("parsing_errors") or []
        if not isinstance(errors, list) or not all(isinstance(error, str) for error in errors):
            raise TfgenError(f"checkov printed an unexpected report on {target}: parsing_errors is {_shown(errors)}")
        if errors:
            raise TfgenError("checkov could not parse " + ", ".join(map(str, errors)))
        for key in ("failed_checks", "passed_checks", "skipped_checks"):
            items = results.get(key) or []
            if not isinstance(items, list) or not all(isinstance(item, dict) and isinstance(item.get("check_id"), str) for item in items):
                raise TfgenError(f"checkov printed an unexpected report on {target}: {key} is {_shown(items)}")
            records.extend(_record(item, target, file_name, f"{key}.{index}") for index, item in enumerate(items))
    return CheckovReport(records, version, resource_count)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


class _CheckResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    result: str = ""
    suppress_comment: str | None = None


class CheckovItem(BaseModel):
    """One result in checkov's JSON report (the fields tfgen reads; checkov writes more)."""

    model_config = ConfigDict(extra="allow")

    check_id: str
    check_name: str | None = None
    check_result: _CheckResult = Field(default_factory=_CheckResult)
    resource_address: str | None = None
    resource: str | None = None
    file_abs_path: str | None = None
    file_path: str | None = None
    file_line_range: tuple[int, int] | None = None
    guideline: str | None = None
    severity: str | None = None


def _record(item: dict[str, Any], target: Path, file_name: str | None = None, where: str = "results") -> CheckRecord:
    try:
        checked = CheckovItem.model_validate(item)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"])
        raise TfgenError(f"checkov printed an unexpected report on {target}: {where}.{field}: {describe(first)}") from None
    result = _RESULTS.get(checked.check_result.result.upper(), FAILED)
    skip_reason = checked.check_result.suppress_comment if result == SKIPPED else None
    file = file_name or checked.file_abs_path or checked.file_path or str(target)
    guideline = checked.guideline or (GUIDELINE if checked.check_id.startswith("CKV_TFG_") else None)
    return CheckRecord(
        check_id=checked.check_id,
        name=checked.check_name or checked.check_id,
        result=result,
        resource=checked.resource_address or checked.resource or "",
        file=str(file),
        guideline=guideline,
        skip_reason=skip_reason,
        skip_source="checkov" if skip_reason else None,
        severity=checked.severity,
        source="checkov",
        lines=checked.file_line_range,
    )
