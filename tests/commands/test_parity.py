"""tfgen parity: differences between environments from the rendered var files; declared vs not."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.parity import DECLARED, EXPECTED, FINDING, classify, compute_parity, flatten

BLUEPRINT = """\
name: shop
region: eu-west-1
network:
  vpc: {{id: vpc-0abc, public_subnets: [subnet-0a, subnet-0b], private_subnets: [subnet-0c, subnet-0d]}}
load_balancer: {{protocol: http}}
services:
  api:
    type: web-service
    image: public.ecr.aws/docker/library/nginx:stable
    port: 80
    http: {{healthcheck: /health}}
environments:
  dev:
    account: "111111111111"
    state: {{bucket: shop-tfstate-dev}}
{dev_overrides}
  prod:
    account: "222222222222"
    protected: true
    state: {{bucket: shop-tfstate-prod}}
    overrides:
      services:
        api: {{count: 3}}
"""


def write(tmp_path: Path, dev_overrides: str = "") -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(BLUEPRINT.format(dev_overrides=dev_overrides))
    return path


def test_declared_overrides_and_environment_names_are_not_findings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    result = CliRunner().invoke(cli, ["parity", "shop.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["source"] == "var-files"
    by_status = {d["path"]: d["status"] for d in report["differences"]}
    assert report["summary"]["finding"] == 0
    declared = [d for d in report["differences"] if d["status"] == DECLARED]
    assert declared and all(d["values"]["prod"] != d["values"]["dev"] for d in declared)
    assert {d["path"]: d["declared_by"] for d in declared} == {
        f"api.scaling.{key}": ["environments.prod.overrides.services.api.count"] for key in ("desired", "max", "min")
    }
    assert by_status.get("environment") == EXPECTED and by_status.get("account_id") == EXPECTED


def test_hand_edited_var_file_is_a_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    assert CliRunner().invoke(cli, ["render", "shop.yaml"]).exit_code == 0
    var_file = tmp_path / "build" / "shop" / "env" / "prod.tfvars.json"
    data = json.loads(var_file.read_text())
    flat = flatten(data)
    health = next(p for p, v in flat.items() if v == "/health")
    node = data
    *parents, leaf = health.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[leaf] = "/healthz"
    var_file.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["parity", "shop.yaml", "--format", "json"])
    assert result.exit_code == 1
    findings = [d for d in json.loads(result.stdout)["differences"] if d["status"] == FINDING]
    assert [(d["path"], d["values"]) for d in findings] == [(health, {"dev": "/health", "prod": "/healthz"})]
    table = CliRunner().invoke(cli, ["parity", "shop.yaml"], env={"COLUMNS": "300"})
    assert table.exit_code == 1 and "FINDINGS" in table.stdout


def test_two_blueprints_differ_in_what_they_declare(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "    overrides:\n      services:\n        api: {cpu: 512, memory: 1024}")
    report = compute_parity(Path("shop.yaml"))
    declared = {d.path for d in report.differences if d.status == DECLARED}
    # prod's count (3) and dev's size (512/1024) are the declared differences
    assert declared == {"api.scaling.desired", "api.scaling.max", "api.scaling.min", "api.task.cpu", "api.task.memory"}
    assert not report.findings


def test_difference_that_remains_without_overrides_is_a_finding():
    actual = {"dev": {"a.name": "x-dev", "a.path": "/h", "a.count": 1}, "prod": {"a.name": "x-prod", "a.path": "/hz", "a.count": 3}}
    baseline = {"dev": {"a.name": "x-dev", "a.path": "/h", "a.count": 1}, "prod": {"a.name": "x-prod", "a.path": "/hz", "a.count": 1}}
    tokens = {"dev": [("dev", "<env>")], "prod": [("prod", "<env>")]}
    result = {d.path: d.status for d in classify(actual, actual, baseline, tokens, {"prod": {"services.a.count": 3}})}
    assert result == {"a.name": EXPECTED, "a.path": FINDING, "a.count": DECLARED}


def test_flatten_paths():
    assert flatten({"a": {"b": 1, "c": [1, 2], "d": [{"e": 1}]}, "f": {}}) == {"a.b": 1, "a.c": [1, 2], "a.d.0.e": 1, "f": {}}
