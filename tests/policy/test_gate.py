"""The gate cannot be passed by what it did not read: a plan file is checked the same whatever its
name, a checkov that read nothing is an error (and nothing is cached), a plan of the wrong shape is
bad input before any check runs, and the report never overwrites the plan."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.errors import TfgenError
from tfgen.policy import run_policy

PLANS = Path(__file__).parents[1] / "data" / "plans"
FAILING = PLANS / "checks" / "ckv_tfg_1_fail.json"


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))


def check(*args: str):
    return CliRunner().invoke(cli, ["check", *args])


@pytest.mark.parametrize("name", ["plan.txt", "plan.JSON", "plan", "my plan.json.bak"])
def test_a_plan_is_checked_the_same_whatever_its_name(tmp_path: Path, name: str):
    plan = tmp_path / name
    shutil.copy(FAILING, plan)
    result = check("--plan-json", str(plan), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(r["check_id"], r["resource"]) for r in report["results"] if r["result"] == "failed"] == [
        ("CKV_TFG_1", "module.api.module.service.aws_ecs_service.this")
    ]
    # the verdict cached under the plan's bytes is that same verdict
    again = check("--plan-json", str(FAILING), "--format", "json")
    assert again.exit_code == 1 and json.loads(again.stdout)["cached"] is True


@pytest.mark.parametrize("printed", ["[]", "{}", '{"passed": 0, "failed": 0, "skipped": 0, "resource_count": 0, "checkov_version": "3.3.30"}'])
def test_a_checkov_that_read_nothing_is_an_error_and_nothing_is_cached(tmp_path: Path, monkeypatch, printed: str):
    # a stand-in for a broken checkov: it prints a report of no resources whatever it is given
    broken = tmp_path / "checkov"
    broken.write_text(f"#!/bin/sh\nprintf '%s' '{printed}'\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("TFGEN_CHECKOV", str(broken))
    with pytest.raises(TfgenError, match=r"checkov read none of the 1 resources of .*: tfgen does not pass a plan that was not checked"):
        run_policy(FAILING, skips={})
    assert not list((tmp_path / "cache").glob("policy/*.json"))
    result = check("--plan-json", str(FAILING))
    assert result.exit_code == 1 and "tfgen does not pass a plan that was not checked" in result.output and "Traceback" not in result.output


def test_an_empty_plan_passes_with_only_the_provider_checked(tmp_path: Path):
    result = run_policy(PLANS / "empty.json", skips={})
    assert result.passed
    assert [(r.check_id, r.resource, r.result) for r in result.records] == [
        ("CKV_AWS_41", "aws.default", "passed")
    ]


def _plan(**changes: object) -> dict:
    document = json.loads(FAILING.read_text())
    document.update(changes)
    return document


def _deep(depth: int) -> dict:
    node: dict = {}
    for _ in range(depth):
        node = {"child_modules": [node]}
    return node


WRONG_SHAPES = {
    "resource_changes of scalars": (_plan(resource_changes=[1, "x"]), "resource_changes.0: expected an object, got 1: not a Terraform plan JSON"),
    "planned_values a list": (_plan(planned_values=[1]), "planned_values: expected an object, got a list: not a Terraform plan JSON"),
    "planned_values a string": (_plan(planned_values="x"), 'planned_values: expected an object, got "x": not a Terraform plan JSON'),
    "resources scalars": (_plan(planned_values={"root_module": {"resources": [3]}}), "planned_values.root_module.resources.0: expected an object, got 3"),
    "values a string": (
        _plan(planned_values={"root_module": {"resources": [{"address": "a.b", "type": "a", "values": "v"}]}}),
        'planned_values.root_module.resources.0.values: expected an object, got "v"',
    ),
    "format_version a number": (_plan(format_version=1.2), "format_version: expected a string, got 1.2: not a Terraform plan JSON"),
    "format 2": (_plan(format_version="2.0"), "format_version: unsupported plan format 2.0: tfgen reads format 1.x"),
    "deep nesting": (_plan(planned_values={"root_module": _deep(5000)}), "nested too deeply"),
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_plans_of_the_wrong_shape_are_bad_input_before_any_check_runs(tmp_path: Path, case: str):
    document, message = WRONG_SHAPES[case]
    plan = tmp_path / "plan.json"
    deep = '{"format_version": "1.2", "terraform_version": "1.9", ' + "[" * 100000 + "]" * 100000 + "}"
    plan.write_text(json.dumps(document) if case != "deep nesting" else deep)
    result = check("--plan-json", str(plan))
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"{plan}:1:") and (message in line or case == "deep nesting"), line
    assert "Traceback" not in result.output and len(line.splitlines()) == 1


def test_the_report_never_overwrites_the_plan_and_bad_outputs_are_one_line(tmp_path: Path):
    plan = tmp_path / "plan.json"
    shutil.copy(FAILING, plan)
    before = plan.read_bytes()
    result = check("--plan-json", str(plan), "--format", "json", "-o", str(plan))
    assert result.exit_code == 2 and "the report would overwrite it" in result.output
    assert plan.read_bytes() == before
    for target, message in (("/dev/full", "is not a regular file"), (str(plan / "report.json"), "cannot write")):
        written = check("--plan-json", str(plan), "--format", "sarif", "-o", target)
        assert written.exit_code == 1, written.output
        assert message in written.output and "Traceback" not in written.output
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)
