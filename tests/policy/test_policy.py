"""tfgen check: result model, checkov output shapes, skips, formats, exit codes, cache."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.errors import InputError, TfgenError
from tfgen.policy import DEFAULT_SKIPS, load_plan, read_policy_result, run_policy, write_policy_result
from tfgen.policy.checkov import CheckovReport, parse_checkov_output
from tfgen.policy.formats import to_json, to_junit, to_sarif, to_table
from tfgen.policy.results import CheckRecord, PolicyResult, apply_skips

PLANS = Path(__file__).parents[1] / "data" / "plans"


@pytest.fixture(autouse=True, scope="module")
def _policy_cache(tmp_path_factory):
    """One cache per test module and worker: repeated checks of a fixture run checkov once."""
    saved = os.environ.get("TFGEN_CACHE_DIR")
    os.environ["TFGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("TFGEN_CACHE_DIR", None)
    else:
        os.environ["TFGEN_CACHE_DIR"] = saved


def record(check_id: str, result: str, resource: str = "module.a.aws_lb.this", **extra) -> CheckRecord:
    return CheckRecord(
        check_id=check_id, name=f"name of {check_id}", result=result, resource=resource, file="plan.json", guideline="https://example.com/g", **extra
    )


@pytest.fixture
def mixed_result() -> PolicyResult:
    records = [
        record("CKV_TFG_1", "failed", "module.api.aws_ecs_service.this", details="rollback off"),
        record("CKV_AWS_91", "failed"),
        record("CKV_TFG_2", "passed", "module.api.aws_ecs_service.this"),
    ]
    records, unused = apply_skips(records, {"CKV_AWS_91": "no bucket for access logs in dev"})
    return PolicyResult(
        plan="plan.json", records=records, checkov_version="3.3.30", skips={"CKV_AWS_91": "no bucket for access logs in dev"}, unused_skips=unused, duration=1.5
    )


# --- parsing checkov ---------------------------------------------------------------------------


ITEM = {
    "check_id": "CKV_AWS_1",
    "check_name": "n",
    "check_result": {"result": "FAILED"},
    "file_abs_path": "/p/plan.json",
    "resource": "aws_lb.x",
    "resource_address": "module.m.aws_lb.x",
    "file_line_range": [3, 9],
    "guideline": "https://g",
}


def test_parse_report_dict_list_and_bare_summary():
    report = {
        "check_type": "terraform_plan",
        "results": {
            "failed_checks": [ITEM],
            "passed_checks": [{**ITEM, "check_id": "CKV_AWS_2", "check_result": {"result": "PASSED"}}],
            "skipped_checks": [],
            "parsing_errors": [],
        },
        "summary": {"checkov_version": "3.3.30"},
    }
    parsed = parse_checkov_output(report, Path("plan.json"))
    records, version = parsed.records, parsed.version
    assert version == "3.3.30"
    assert [(r.check_id, r.result, r.resource, r.lines) for r in records] == [
        ("CKV_AWS_1", "failed", "module.m.aws_lb.x", (3, 9)),
        ("CKV_AWS_2", "passed", "module.m.aws_lb.x", (3, 9)),
    ]
    listed = parse_checkov_output(
        [report, {"check_type": "secrets", "results": {"failed_checks": [], "passed_checks": []}, "summary": {}}], Path("plan.json")
    ).records
    assert len(listed) == 2
    summary_only = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.3.30"}
    assert parse_checkov_output(summary_only, Path("p")) == CheckovReport([], "3.3.30", 0)


def test_parse_errors_are_an_error():
    with pytest.raises(TfgenError, match="could not parse"):
        parse_checkov_output({"results": {"parsing_errors": ["/p/plan.json"]}, "summary": {}}, Path("p"))


@pytest.mark.parametrize("errors", [True, 1, "plan.json", [["plan.json"]], [None]])
def test_parse_errors_of_another_shape_are_an_unexpected_report(errors):
    with pytest.raises(TfgenError, match=r"unexpected report on p: parsing_errors is "):
        parse_checkov_output({"results": {"parsing_errors": errors}, "summary": {}}, Path("p"))


# --- plan files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message", [("not_json.json", "not a Terraform plan JSON"), ("format_v2.json", "unsupported plan format 2.0"), ("missing.json", "cannot read")]
)
def test_bad_plan_files_are_input_errors(name, message):
    with pytest.raises(InputError, match=message):
        load_plan(PLANS / name)


def test_state_file_is_not_a_plan(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.15.0", "values": {}}))
    with pytest.raises(InputError, match="state file"):
        load_plan(path)


# --- skips -------------------------------------------------------------------------------------


def test_skips_keep_reason_and_unused_skips_are_reported():
    records, unused = apply_skips(
        [record("CKV_A_1", "failed"), record("CKV_A_1", "passed", "x"), record("CKV_A_2", "failed")], {"CKV_A_1": "because", "CKV_A_9": "never matches"}
    )
    assert [(r.check_id, r.result, r.skip_reason, r.skip_source) for r in records] == [
        ("CKV_A_1", "skipped", "because", "blueprint"),
        ("CKV_A_1", "skipped", "because", "blueprint"),
        ("CKV_A_2", "failed", None, None),
    ]
    assert unused == {"CKV_A_9": "never matches"}


def test_default_skips_turn_only_failures_into_skips():
    check_id = next(iter(DEFAULT_SKIPS))
    records, unused = apply_skips([record(check_id, "failed"), record(check_id, "passed", "other")], dict(DEFAULT_SKIPS), set(DEFAULT_SKIPS))
    assert [(r.result, r.skip_source) for r in records] == [("skipped", "default"), ("passed", None)]
    assert unused == {}


def test_default_skips_are_few_and_have_reasons():
    assert len(DEFAULT_SKIPS) <= 5
    assert all(len(reason) > 20 for reason in DEFAULT_SKIPS.values())


# --- formats -----------------------------------------------------------------------------------


def test_sarif_is_2_1_0_with_rules_levels_locations_and_suppressed_skips(mixed_result):
    sarif = json.loads(to_sarif(mixed_result))
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CKV_AWS_91", "CKV_TFG_1", "CKV_TFG_2"]
    assert all(r["shortDescription"]["text"] for r in rules)
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"CKV_TFG_1", "CKV_AWS_91"}  # passes are not results
    failed = results["CKV_TFG_1"]
    assert failed["level"] == "error" and rules[failed["ruleIndex"]]["id"] == "CKV_TFG_1"
    location = failed["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "plan.json"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "module.api.aws_ecs_service.this"
    assert "rollback off" in failed["message"]["text"]
    assert results["CKV_AWS_91"]["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "no bucket for access logs in dev"}]


def test_junit_one_testcase_per_check_and_resource(mixed_result):
    root = ET.fromstring(to_junit(mixed_result))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 3
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    by_class = {c.get("classname"): c for c in cases}
    assert by_class["CKV_TFG_1"].find("failure").get("message") == "name of CKV_TFG_1"
    assert by_class["CKV_AWS_91"].find("skipped").get("message") == "no bucket for access logs in dev"
    assert by_class["CKV_TFG_2"].find("failure") is None and by_class["CKV_TFG_2"].find("skipped") is None


def test_json_and_table_show_skips_with_reason(mixed_result):
    document = json.loads(to_json(mixed_result))
    assert document["passed"] is False and document["summary"] == {"passed": 1, "failed": 1, "skipped": 1}
    skipped = [r for r in document["results"] if r["result"] == "skipped"]
    assert skipped[0]["skip_reason"] == "no bucket for access logs in dev"
    table = to_table(mixed_result, width=200)
    assert "no bucket for access logs in dev" in table and "CKV_TFG_1" in table and "1 failed, 1 skipped, 1 passed" in table


def test_policy_json_round_trip_mode_0600(tmp_path, mixed_result):
    path = tmp_path / ".tfgen" / "dev" / "policy.json"
    write_policy_result(mixed_result, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = read_policy_result(path)
    assert again.passed is False and again.records == mixed_result.records


# --- checkov discovery -------------------------------------------------------------------------


# --- real checkov: run_policy, CLI, cache ------------------------------------------------------


def test_run_policy_protected_environment_requires_deletion_protection():
    result = run_policy(PLANS / "edge" / "tfg_4_no_certificate.json", skips={}, protected=True)
    assert [r.result for r in result.records if r.check_id == "CKV_TFG_8"] == ["failed"]
    assert result.protected and not result.passed


def test_cli_exit_codes():
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", "--plan-json", str(PLANS / "checks" / "ckv_tfg_1_pass.json")])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(cli, ["check", "--plan-json", str(PLANS / "checks" / "ckv_tfg_1_fail.json"), "--format", "json"])
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["passed"] is False
    for bad in ("not_json.json", "format_v2.json", "missing.json"):
        result = runner.invoke(cli, ["check", "--plan-json", str(PLANS / bad)])
        assert result.exit_code == 2, (bad, result.output)
        assert "Traceback" not in result.output
    usage = runner.invoke(cli, ["check"])
    assert usage.exit_code == 2


def test_cli_writes_every_format_to_a_file(tmp_path):
    runner = CliRunner()
    plan = str(PLANS / "checks" / "ckv_tfg_1_fail.json")
    for output_format in ("json", "sarif", "junit", "table"):
        out = tmp_path / f"out.{output_format}"
        result = runner.invoke(cli, ["check", "--plan-json", plan, "--format", output_format, "-o", str(out)])
        assert result.exit_code == 1
        assert "CKV_TFG_1" in out.read_text()
    ET.parse(tmp_path / "out.junit")
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


BLUEPRINT = """\
name: shop
region: eu-west-1
load_balancer: {protocol: http}
services:
  api: {type: web-service, image: nginx:stable, port: 80}
policy:
  skip: {CKV_TFG_1: "rollback is handled by the deploy pipeline"}
environments:
  dev:
    account: "111111111111"
    state: {bucket: shop-tfstate-dev}
    policy:
      skip: {CKV_AWS_333: "reviewed: tasks need no public IP anyway"}
"""


def test_check_blueprint_environment_uses_its_plan_and_skips(tmp_path, monkeypatch):
    (tmp_path / "shop.yaml").write_text(BLUEPRINT)
    data_dir = tmp_path / "build" / "shop" / ".tfgen" / "dev"
    data_dir.mkdir(parents=True)
    shutil.copy(PLANS / "checks" / "ckv_tfg_1_fail.json", data_dir / "plan.json")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for output_format in ("json", "sarif", "junit", "table"):
        result = runner.invoke(cli, ["check", "shop.yaml", "-e", "dev", "--format", output_format], env={"COLUMNS": "400"})
        assert result.exit_code == 0, result.output  # the only failure is skipped
        assert "rollback is handled by the deploy pipeline" in result.stdout, output_format
    document = json.loads(runner.invoke(cli, ["check", "shop.yaml", "-e", "dev", "--format", "json"]).stdout)
    assert document["skips"]["CKV_TFG_1"] == "rollback is handled by the deploy pipeline"
    assert document["skips"]["CKV_AWS_333"].startswith("reviewed")
    unknown = runner.invoke(cli, ["check", "shop.yaml", "-e", "qa"])
    assert unknown.exit_code == 2


def test_second_check_of_unchanged_plan_is_answered_from_the_cache(tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(PLANS / "checks" / "ckv_tfg_5_fail.json", plan)
    first = run_policy(plan, skips={})
    assert not first.cached
    second = run_policy(plan, skips={"CKV_TFG_5": "a reason"})
    assert second.cached and second.passed and {r.result for r in second.records if r.check_id == "CKV_TFG_5"} == {"skipped"}
    # the whole command, as a process (how fast: benchmarks/check.py)
    proc = subprocess.run(
        [sys.executable, "-m", "tfgen.cli", "check", "--plan-json", str(plan), "--format", "json"], capture_output=True, text=True, env=os.environ.copy()
    )
    assert proc.returncode == 1 and json.loads(proc.stdout)["cached"] is True
    plan.write_text(plan.read_text().replace("vote-dev-api", "vote-dev-app"))
    assert not run_policy(plan, skips={}).cached


# --- scoped default skips --------------------------------------------------------------------------


def _scoped(facts):
    from tfgen.policy import _scoped_reason

    return lambda r: _scoped_reason(r, facts)


def test_alb_deletion_protection_is_skipped_only_in_unprotected_environments():
    from tfgen.policy.default_skips import PlanFacts

    failure = record("CKV_AWS_150", "failed", "module.alb.aws_lb.this")
    (open_env,), _ = apply_skips([failure], dict(DEFAULT_SKIPS), set(DEFAULT_SKIPS), _scoped(PlanFacts(protected=False, https_listener=True)))
    (protected_env,), _ = apply_skips([failure], dict(DEFAULT_SKIPS), set(DEFAULT_SKIPS), _scoped(PlanFacts(protected=True, https_listener=True)))
    assert (open_env.result, open_env.skip_source) == ("skipped", "default") and "protected" in open_env.skip_reason
    assert protected_env.result == "failed"


def test_port_80_from_anywhere_is_skipped_only_when_it_redirects_to_https():
    from tfgen.policy.default_skips import PlanFacts

    failure = record("CKV_AWS_260", "failed", 'module.alb.aws_vpc_security_group_ingress_rule.http["0.0.0.0/0"]')
    (with_certificate,), _ = apply_skips([failure], {}, set(), _scoped(PlanFacts(protected=False, https_listener=True)))
    (plain_http,), _ = apply_skips([failure], {}, set(), _scoped(PlanFacts(protected=False, https_listener=False)))
    assert with_certificate.result == "skipped" and "redirects" in with_certificate.skip_reason
    assert plain_http.result == "failed"


def test_scoped_skips_name_their_resources_and_yield_to_blueprint_reasons():
    from tfgen.policy.default_skips import PlanFacts

    facts = _scoped(PlanFacts(protected=False, https_listener=True))
    shared = record("CKV2_AWS_5", "failed", "module.cluster.aws_security_group.services")
    other = record("CKV2_AWS_5", "failed", "module.api.module.service.aws_security_group.this")
    records, _ = apply_skips([shared, other], {}, set(), facts)
    assert [(r.resource, r.result) for r in records] == [(shared.resource, "skipped"), (other.resource, "failed")]
    (mine,), _ = apply_skips([shared], {"CKV2_AWS_5": "ours"}, set(), facts)
    assert (mine.skip_reason, mine.skip_source) == ("ours", "blueprint")
    passed = record("CKV_AWS_150", "passed", "module.alb.aws_lb.this")
    (still_passed,), _ = apply_skips([passed], {}, set(), facts)
    assert still_passed.result == "passed"


def test_a_service_group_is_skipped_only_where_tfgen_followed_it_to_its_service():
    from tfgen.policy.default_skips import PlanFacts

    group = "module.api.module.service.module.security_group.aws_security_group.this"
    failure = record("CKV2_AWS_5", "failed", group)
    (unseen,), _ = apply_skips([failure], {}, set(), _scoped(PlanFacts(protected=False, https_listener=True)))
    (seen,), _ = apply_skips([failure], {}, set(), _scoped(PlanFacts(protected=False, https_listener=True, service_security_groups=frozenset({group}))))
    assert unseen.result == "failed"
    assert seen.result == "skipped" and seen.skip_source == "default" and "task-security-group module's output" in seen.skip_reason


def test_has_https_listener_reads_nested_modules():
    from tfgen.policy.default_skips import has_https_listener

    listener = {"type": "aws_lb_listener", "values": {"protocol": "HTTPS"}}
    plan = {
        "planned_values": {
            "root_module": {
                "child_modules": [{"resources": [{"type": "aws_lb_listener", "values": {"protocol": "HTTP"}}], "child_modules": [{"resources": [listener]}]}]
            }
        }
    }
    assert has_https_listener(plan) is True
    listener["values"]["protocol"] = "HTTP"
    assert has_https_listener(plan) is False


# --- checkov started ahead of its input (tfgen plan) -------------------------------------------------


def test_prestarted_checkov_reports_what_a_fresh_checkov_reports(tmp_path: Path):
    from tfgen.policy.checkov import PrestartedCheckov, run_checkov

    plan = tmp_path / "plan.json"
    shutil.copy(PLANS / "checks" / "ckv_tfg_1_fail.json", plan)
    prestarted = PrestartedCheckov.start(tmp_path, protected=True)
    assert prestarted is not None, "checkov from `make install` is a console script of its venv's python"
    early_report, fresh_report = prestarted.run(plan), run_checkov(plan, protected=True)
    early, fresh = early_report.records, fresh_report.records
    assert (early_report.version, early_report.resource_count) == (fresh_report.version, fresh_report.resource_count) == ("3.3.30", 1)
    assert sorted((r.check_id, r.resource, r.result) for r in early) == sorted((r.check_id, r.resource, r.result) for r in fresh)
    assert any(r.check_id == "CKV_TFG_1" and r.result == "failed" for r in early)


def test_prestarted_checkov_is_killed_when_not_needed(tmp_path: Path):
    from tfgen.policy.checkov import PrestartedCheckov

    prestarted = PrestartedCheckov.start(tmp_path, protected=False)
    assert prestarted is not None
    prestarted.cancel()
    assert prestarted.process.returncode is not None
    prestarted.cancel()  # idempotent


def test_prestarted_checkov_used_by_run_policy_and_cancelled_on_a_cache_hit(tmp_path: Path, monkeypatch):
    from tfgen.policy.checkov import PrestartedCheckov

    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))  # no entry from another test
    plan = tmp_path / "plan.json"
    shutil.copy(PLANS / "checks" / "ckv_tfg_2_fail.json", plan)
    first = run_policy(plan, skips={}, prestarted=PrestartedCheckov.start(tmp_path, protected=False))
    assert not first.cached and "CKV_TFG_2" in {r.check_id for r in first.failed}
    waiting = PrestartedCheckov.start(tmp_path, protected=False)
    second = run_policy(plan, skips={}, prestarted=waiting)
    assert second.cached and waiting.process.returncode is not None
    assert [r.to_dict() for r in second.records] == [r.to_dict() for r in first.records]


def test_checkov_interpreter_only_for_python_console_scripts(tmp_path: Path):
    from tfgen.policy.checkov import checkov_interpreter

    wrapper = tmp_path / "checkov"
    wrapper.write_text("#!/bin/sh\nexec /opt/checkov \"$@\"\n")
    assert checkov_interpreter(wrapper) is None
    wrapper.write_text("#!/usr/bin/env python3\n")
    assert checkov_interpreter(wrapper) is None
    wrapper.write_text(f"#!{sys.executable}\nfrom checkov.main import Checkov\n")
    assert checkov_interpreter(wrapper) == sys.executable
    assert checkov_interpreter(tmp_path / "missing") is None


def test_prestart_can_be_turned_off(tmp_path: Path, monkeypatch):
    from tfgen.policy.checkov import PrestartedCheckov

    monkeypatch.setenv("TFGEN_CHECKOV_PRESTART", "0")
    assert PrestartedCheckov.start(tmp_path, protected=False) is None
