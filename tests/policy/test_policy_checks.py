"""tfgen's policy pack: every CKV_TFG check on its passing and failing plan fixture, through the
real checkov (one checkov run over the whole fixture directory: checkov takes seconds to start)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfgen.policy.checkov import run_checkov
from tfgen.policy.plan_checks import run_plan_checks

PLANS = Path(__file__).parents[1] / "data" / "plans"
CHECK_IDS = [f"CKV_TFG_{n}" for n in range(1, 10)]
PLAN_LEVEL = {"CKV_TFG_3", "CKV_TFG_4"}


@pytest.fixture(scope="module")
def results_by_file() -> dict[str, list]:
    report = run_checkov(PLANS / "checks")
    records = report.records
    assert report.version and report.resource_count >= len(list((PLANS / "checks").glob("*.json")))
    by_file: dict[str, list] = {}
    for record in records:
        by_file.setdefault(Path(record.file).name, []).append(record)
    for path in sorted((PLANS / "checks").glob("*.json")):
        by_file.setdefault(path.name, []).extend(run_plan_checks(json.loads(path.read_text()), str(path)))
    return by_file


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_passing_fixture_passes(results_by_file, check_id):
    records = [r for r in results_by_file[f"{check_id.lower()}_pass.json"] if r.check_id == check_id]
    assert records, f"{check_id} did not run on its passing fixture"
    assert {r.result for r in records} == {"passed"}, records


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_failing_fixture_fails(results_by_file, check_id):
    records = [r for r in results_by_file[f"{check_id.lower()}_fail.json"] if r.check_id == check_id]
    assert any(r.result == "failed" for r in records), records
    for record in records:
        assert record.name and record.resource and record.guideline
        assert record.source == ("tfgen" if check_id in PLAN_LEVEL else "checkov")


def test_checkov_reports_resource_addresses_of_child_modules(results_by_file):
    record = next(r for r in results_by_file["ckv_tfg_1_fail.json"] if r.check_id == "CKV_TFG_1")
    assert record.resource == "module.api.module.service.aws_ecs_service.this"
    assert record.lines and record.lines[0] > 0


def _plan(name: str) -> dict:
    return json.loads((PLANS / "edge" / name).read_text())


def test_service_ingress_inline_cidr_and_legacy_rule_fail():
    for name in ("tfg_3_inline_cidr.json", "tfg_3_legacy_rule.json"):
        records = [r for r in run_plan_checks(_plan(name), name) if r.check_id == "CKV_TFG_3"]
        assert [r.result for r in records] == ["failed"], name
        assert "0.0.0.0/0" in records[0].details


def test_load_balancer_ingress_from_cidr_is_not_a_service_finding():
    records = run_plan_checks(json.loads((PLANS / "checks" / "ckv_tfg_3_pass.json").read_text()), "p")
    assert [(r.check_id, r.resource) for r in records] == [("CKV_TFG_3", "module.api.module.service.aws_security_group.this")]


def test_service_group_passed_through_module_variables_is_followed():
    """The service module gets its security group from the parent module (var.security_group_ids)."""
    plan = json.loads((PLANS / "checks" / "ckv_tfg_3_fail.json").read_text())
    config = plan["configuration"]["root_module"]["module_calls"]["api"]
    service = config["module"]["module_calls"]["service"]
    ecs = next(r for r in service["module"]["resources"] if r["type"] == "aws_ecs_service")
    ecs["expressions"]["network_configuration"][0]["security_groups"] = {"references": ["var.security_group_ids"]}
    service["expressions"]["security_group_ids"] = {"references": ["aws_security_group.this.id", "aws_security_group.this"]}
    # move the group (and the rule on it) up into module.api
    for resource in plan["planned_values"]["root_module"]["child_modules"][0]["resources"]:
        if resource["type"] in ("aws_security_group", "aws_vpc_security_group_ingress_rule") and resource["address"].startswith("module.api.module.service."):
            resource["address"] = resource["address"].replace("module.api.module.service.", "module.api.")
    moved = [r for r in service["module"]["resources"] if r["type"] in ("aws_security_group", "aws_vpc_security_group_ingress_rule")]
    service["module"]["resources"] = [r for r in service["module"]["resources"] if r not in moved]
    config["module"]["resources"].extend(moved)
    # planned_values keeps module addresses per child module; regroup
    root = plan["planned_values"]["root_module"]
    everything = [r for m in root["child_modules"] for r in m["resources"]]
    groups: dict[str, list] = {}
    for r in everything:
        groups.setdefault(r["address"].rsplit(".", 2)[0], []).append(r)
    root["child_modules"] = [{"address": a, "resources": rs} for a, rs in groups.items()]
    records = [r for r in run_plan_checks(plan, "p") if r.check_id == "CKV_TFG_3"]
    assert [(r.resource, r.result) for r in records] == [("module.api.aws_security_group.this", "failed")]


def test_http_listener_without_https_is_not_judged():
    assert [r for r in run_plan_checks(_plan("tfg_4_no_certificate.json"), "p") if r.check_id == "CKV_TFG_4"] == []


def test_forwarding_rule_on_http_listener_fails():
    plan = json.loads((PLANS / "checks" / "ckv_tfg_4_pass.json").read_text())
    rule = {"address": "module.alb.aws_lb_listener_rule.api", "mode": "managed", "type": "aws_lb_listener_rule", "name": "api",
            "provider_name": "registry.terraform.io/hashicorp/aws", "values": {"priority": 10, "action": [{"type": "forward"}]}}
    plan["planned_values"]["root_module"]["child_modules"][0]["resources"].append(rule)
    plan["configuration"]["root_module"]["module_calls"]["alb"]["module"]["resources"].append(
        {"address": "aws_lb_listener_rule.api", "mode": "managed", "type": "aws_lb_listener_rule", "name": "api",
         "expressions": {"listener_arn": {"references": ["aws_lb_listener.http.arn", "aws_lb_listener.http"]}}})
    records = [r for r in run_plan_checks(plan, "p") if r.check_id == "CKV_TFG_4"]
    assert [r.result for r in records] == ["failed"]
    assert "module.alb.aws_lb_listener_rule.api" in records[0].details


def test_no_public_ip_reads_state_machines_that_run_tasks(results_by_file):
    """Scheduled jobs run their task through Step Functions: the state's AssignPublicIp counts."""
    machine = "module.tally.aws_sfn_state_machine.this"
    passing = {r.resource: r.result for r in results_by_file["ckv_tfg_2_pass.json"] if r.check_id == "CKV_TFG_2"}
    failing = {r.resource: r.result for r in results_by_file["ckv_tfg_2_fail.json"] if r.check_id == "CKV_TFG_2"}
    assert passing[machine] == "passed" and failing[machine] == "failed"
