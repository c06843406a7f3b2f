"""Policy checks on a plan JSON (SPEC §5): checkov's built-in checks and tfgen's own pack
(``tfgen/policy/checks``, a checkov external-checks directory), plus tfgen's plan-level checks
(``plan_checks``), into one result model (``results``), cached (``cache``), printed as a table,
JSON, SARIF 2.1.0 or JUnit XML (``formats``).

Public API:
    run_policy(plan_json, skips={}, protected=False, use_cache=True) -> PolicyResult
    write_policy_result(result, path)          # policy.json, mode 0600
    read_policy_result(path) -> PolicyResult
    load_plan(path) -> dict                    # InputError (exit 2) for an unusable plan file
    PolicyResult.passed                        # False when any check failed (apply refuses)
    print_policy_summary(result)               # the table on stdout (`tfgen plan`)
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfgen.errors import InputError, TfgenError
from tfgen.files import PRIVATE, read_input, write_file
from tfgen.policy.default_skips import DEFAULT_SKIPS, PlanFacts, plan_facts, scoped_skip_for
from tfgen.policy.formats import render
from tfgen.policy.plan_file import MAX_PLAN_BYTES, managed_resource_count, parse_plan, read_plan
from tfgen.policy.results import FAILED, PASSED, SKIPPED, CheckRecord, PolicyResult, apply_skips

if TYPE_CHECKING:
    from tfgen.policy.checkov import CheckovReport, PrestartedCheckov

__all__ = [
    "DEFAULT_SKIPS",
    "FAILED",
    "PASSED",
    "SKIPPED",
    "CheckRecord",
    "PolicyResult",
    "load_plan",
    "print_policy_summary",
    "read_policy_result",
    "run_policy",
    "write_policy_result",
]


def load_plan(path: Path) -> dict[str, Any]:
    """The plan JSON as a dict; InputError (exit 2) when it is unreadable or not a plan JSON of format 1.x."""
    return read_plan(path)[1]


def effective_skips(skips: dict[str, str] | None, declared: dict[str, str] | None = None) -> tuple[dict[str, str], set[str]]:
    """Default skips, then the checks defeated by declared settings (``tfgen.policy.declared``),
    overlaid by the blueprint's own; and the ids whose reason is not the blueprint's (those only
    turn failures into skips)."""
    merged = {**DEFAULT_SKIPS, **(declared or {})}
    for check_id, reason in (skips or {}).items():
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"policy.skip.{check_id}: a skip needs a reason")
        merged[check_id] = reason.strip()
    defaults = {k for k in merged if k not in (skips or {})}
    return merged, defaults


def run_policy(
    plan_json: Path,
    skips: dict[str, str] | None = None,
    protected: bool = False,
    *,
    declared: dict[str, str] | None = None,
    use_cache: bool = True,
    prestarted: PrestartedCheckov | None = None,
) -> PolicyResult:
    """Every check on ``plan_json``: checkov (built-ins + tfgen's pack) and tfgen's plan-level checks.

    ``skips`` (check id -> reason) come from the blueprint (top level and environment); the default
    skips of ``tfgen.policy.default_skips`` and ``declared`` (checks defeated by settings the blueprint
    declared, see ``tfgen.policy.declared``) apply unless the blueprint names the same id.
    ``protected`` turns on CKV_TFG_8 (deletion protection), CKV_TFG_9 (HTTPS) and CKV_TFG_12 (no data lost). ``prestarted``: a checkov process
    started earlier with the same ``protected`` (see `tfgen plan`), used instead of a new one and
    cancelled when the cache answers. Raises InputError for an unusable plan file and TfgenError
    when checkov is missing or fails.
    """

    # Imported when checks run, not with the package: `python -m tfgen.policy.checkov_install`
    # (make install) must not find itself imported already.
    from tfgen.policy import cache
    from tfgen.policy.checkov import checkov_identity, find_checkov, run_checkov
    from tfgen.policy.plan_checks import run_plan_checks

    started = time.perf_counter()
    plan_json = Path(plan_json)
    merged, default_ids = effective_skips(skips, declared)
    executable = find_checkov()
    data = read_input(plan_json, "a Terraform plan JSON", MAX_PLAN_BYTES)
    key = cache.cache_key(data, protected=protected, checkov_identity=checkov_identity(executable)) if use_cache else None
    # An entry exists only for plan bytes that were validated and read by checkov before.
    cached = cache.load(key) if key else None
    plan_name = str(plan_json)
    checkov_seconds = 0.0
    if prestarted is not None and (prestarted.executable != executable or prestarted.protected != protected):
        prestarted.cancel()
        prestarted = None
    if cached is not None and isinstance(cached.get("facts"), dict) and isinstance(cached.get("records"), list):
        records = [CheckRecord.from_dict({**r, "file": plan_name}) for r in cached["records"]]
        version = cached.get("checkov_version")
        facts = PlanFacts.from_dict(cached["facts"], protected=protected)
        if prestarted is not None:
            prestarted.cancel()
    else:
        cached = None
        plan = parse_plan(plan_json, data)
        checkov_started = time.perf_counter()
        report = _scan(data, plan, plan_name, prestarted, lambda target: run_checkov(target, protected=protected, executable=executable, file_name=plan_name))
        checkov_seconds = time.perf_counter() - checkov_started
        version = report.version
        records = report.records + run_plan_checks(plan, plan_name, protected=protected)
        facts = plan_facts(plan, protected=protected)
        if key:
            cache.store(key, {"records": [r.to_dict() for r in records], "checkov_version": version, "facts": facts.to_dict()})
    records, unused = apply_skips(records, merged, default_ids, scoped=lambda record: _scoped_reason(record, facts))
    return PolicyResult(
        plan=plan_name,
        records=records,
        checkov_version=version,
        protected=protected,
        skips=merged,
        unused_skips=unused,
        duration=time.perf_counter() - started,
        cached=cached is not None,
        checkov_duration=checkov_seconds,
    )


def _scan(data: bytes, plan: dict[str, Any], plan_name: str, prestarted: PrestartedCheckov | None, run: Callable[[Path], CheckovReport]) -> CheckovReport:
    """checkov on a private copy named plan.json (checkov reads only files that end in .json and
    silently skips others), and proof that it read the plan: a plan with resources of which
    checkov saw none is an error, never a pass."""
    with tempfile.TemporaryDirectory(prefix="tfgen-check-") as folder:
        staged = Path(folder) / "plan.json"
        write_file(staged, data, mode=PRIVATE)
        report = prestarted.run(staged, file_name=plan_name) if prestarted is not None else run(staged)
    expected = managed_resource_count(plan)
    if expected and (report.resource_count == 0 or not report.records):
        raise TfgenError(
            f"checkov read none of the {expected} resources of {plan_name} (it reported {report.resource_count} resources, "
            f"{len(report.records)} results): tfgen does not pass a plan that was not checked"
        )
    return report


def _scoped_reason(record: CheckRecord, facts: PlanFacts) -> str | None:
    skip = scoped_skip_for(record.check_id, record.resource, facts)
    return skip.reason if skip else None


def write_policy_result(result: PolicyResult, path: Path) -> None:
    """Write ``policy.json`` (mode 0600, atomically): what `apply` reads (``passed``)."""
    write_file(path, json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n", mode=PRIVATE)


def print_policy_summary(result: PolicyResult) -> None:
    """Print the policy table of ``result`` (failures, skips with their reasons, the verdict) on
    stdout, as `tfgen check` does: what `tfgen plan` shows after its plan summary."""
    import sys

    import click


    click.echo(render(result, "table", color=sys.stdout.isatty()), nl=False)


def read_policy_result(path: Path) -> PolicyResult:
    try:
        return PolicyResult.from_dict(json.loads(Path(path).read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TfgenError(f"cannot read the policy result {path}: {error}") from None
