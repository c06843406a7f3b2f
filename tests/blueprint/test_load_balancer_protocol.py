"""HTTPS by default, plain HTTP only by declaration (`load_balancer.protocol: http`), one certificate
or several (the first is the listener's default, the others listener certificates)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.errors import InputError
from tfgen.render import render
from tfgen.terraform import Terraform

CERT_A = "arn:aws:acm:eu-west-1:111111111111:certificate/aaaaaaaa-1111-4a4a-9c9c-000000000001"
CERT_B = "arn:aws:acm:eu-west-1:111111111111:certificate/bbbbbbbb-1111-4a4a-9c9c-000000000002"


def blueprint(tmp_path: Path, load_balancer: str, prod_overrides: str = "{}") -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: shop
            region: eu-west-1
            network: {{vpc: {{cidr: 10.0.0.0/16}}}}
            {load_balancer}
            services:
              web: {{type: web-service, image: nginx, port: 8080, writable_paths: [/tmp]}}
            environments:
              dev: {{account: "111111111111", state: {{bucket: shop-tfstate-dev}}}}
              prod: {{account: "111111111111", protected: true, state: {{bucket: shop-tfstate-prod}}, overrides: {prod_overrides}}}
            """
        )
    )
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


HINT = "(set load_balancer.certificate: arn:aws:acm:REGION:ACCOUNT:certificate/ID, or serve plain HTTP on purpose with load_balancer.protocol: http)"


def test_a_load_balancer_without_certificate_or_declaration_is_an_error_saying_what_to_write(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = blueprint(tmp_path, "load_balancer: {public: true}")
    assert problems(path) == [f"FILE:4:1: load_balancer: the load balancer serves HTTPS and needs a certificate {HINT}"]
    result = CliRunner().invoke(cli, ["render", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "build").exists()


def test_web_services_without_any_load_balancer_key_get_the_same_error(tmp_path: Path):
    assert problems(blueprint(tmp_path, "")) == [f"FILE:1:1: load_balancer: the load balancer serves HTTPS and needs a certificate {HINT}"]


def test_an_environment_that_drops_the_certificate_is_reported_at_its_override(tmp_path: Path):
    path = blueprint(tmp_path, f"load_balancer: {{certificate: {CERT_A}}}", "{load_balancer: {certificate: null}}")
    assert problems(path) == [f"FILE:9:100: environments.prod.overrides.load_balancer: the load balancer serves HTTPS and needs a certificate {HINT}"]


@pytest.mark.parametrize(
    ("load_balancer", "message"),
    [
        (f"load_balancer: {{protocol: http, certificate: {CERT_A}}}", "protocol: http serves plain HTTP, so it takes no certificate"),
        (f"load_balancer: {{certificate: {CERT_A}, certificates: [{CERT_B}]}}", "give either certificate (one ARN) or certificates (a list), not both"),
        ("load_balancer: {protocol: htp}", "expected one of 'https', 'http', got 'htp' (did you mean 'http'?)"),
        ("load_balancer: {certificates: []}", "needs at least 1 item, got 0"),
    ],
    ids=["http with a certificate", "both forms", "typo", "empty list"],
)
def test_contradictions_are_located_errors(tmp_path: Path, load_balancer: str, message: str):
    (line,) = problems(blueprint(tmp_path, load_balancer))
    assert line.startswith("FILE:4:") and message in line, line


@pytest.mark.slow
def test_several_certificates_become_the_default_and_listener_certificates(tmp_path: Path):
    loaded = load_blueprint(blueprint(tmp_path, f"load_balancer: {{certificates: [{CERT_A}, {CERT_B}]}}"))
    root = tmp_path / "build"
    render(loaded, root)
    variables = json.loads((root / "env" / "dev.tfvars.json").read_text())["load_balancer"]
    assert (variables["certificate_arn"], variables["additional_certificate_arns"]) == (CERT_A, [CERT_B])
    terraform = Terraform(root, tmp_path / "data", offline=True)
    terraform.init()
    terraform.plan(tmp_path / "plan.tfplan", var_files=[root / "env" / "dev.tfvars.json"], on_event=lambda event: None)
    after = {rc["address"]: rc["change"]["after"] for rc in terraform.show_json(tmp_path / "plan.tfplan")["resource_changes"]}
    assert after["module.alb.aws_lb_listener.https[0]"]["certificate_arn"] == CERT_A
    assert {a: v["certificate_arn"] for a, v in after.items() if ".aws_lb_listener_certificate." in a} == {
        f'module.alb.aws_lb_listener_certificate.this["{CERT_B}"]': CERT_B
    }
    assert after["module.alb.aws_lb_listener.http"]["default_action"][0]["type"] == "redirect"


@pytest.mark.slow
def test_plain_http_serves_port_80_without_redirect(tmp_path: Path):
    loaded = load_blueprint(blueprint(tmp_path, "load_balancer: {protocol: http}", f"{{load_balancer: {{protocol: https, certificate: {CERT_A}}}}}"))
    root = tmp_path / "build"
    render(loaded, root)
    terraform = Terraform(root, tmp_path / "data", offline=True)
    terraform.init()
    terraform.plan(tmp_path / "plan.tfplan", var_files=[root / "env" / "dev.tfvars.json"], on_event=lambda event: None)
    after = {rc["address"]: rc["change"]["after"] for rc in terraform.show_json(tmp_path / "plan.tfplan")["resource_changes"]}
    assert "module.alb.aws_lb_listener.https[0]" not in after
    http = after["module.alb.aws_lb_listener.http"]
    assert (http["port"], http["protocol"]) == (80, "HTTP")
    rule = next(v for a, v in after.items() if a.endswith("aws_lb_listener_rule.this[0]"))
    assert rule["action"][0]["type"] == "forward"
    prod = json.loads((root / "env" / "prod.tfvars.json").read_text())["load_balancer"]
    assert prod["certificate_arn"] == CERT_A
