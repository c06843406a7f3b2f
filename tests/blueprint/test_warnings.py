"""Located warnings (tfgen.blueprint.warnings): printed by render, validate and plan; the exit
code stays 0."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.blueprint.warnings import interfaces_of
from tfgen.cli import cli
from tfgen.errors import InputError

APP = """\
name: shop
region: eu-west-1
network: {vpc: {cidr: 10.0.0.0/16}}
cluster:
  capacity:
    ec2: {instance_type: m6i.large, max: 2}
services:
  api:
    type: backend-service
    image: nginx
    count: {min: 1, max: 3}
    secrets:
      DB: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
      TOKEN: /shop/token
    kms_keys: [arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab]
environments:
  dev: {account: "111111111111", state: {bucket: shop-dev}}
  prod:
    account: "222222222222"
    state: {bucket: shop-prod}
"""


def write(tmp_path: Path, text: str = APP) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_secret_in_another_account_than_its_environment(tmp_path):
    path = write(tmp_path)
    warnings = [str(w).replace(str(path), "FILE") for w in load_blueprint(path).warnings]
    assert warnings == [
        "FILE:13:11: services.api.secrets.DB: in environment 'prod': the secret is in account 111111111111, not in prod's account "
        "222222222222: ECS reads it only if the secret's resource policy admits this environment's execution role and its customer "
        "managed KMS key lets that role decrypt (give prod its own secret in environments.prod.overrides, or share this one and list "
        "its key in kms_keys)"
    ]


def test_the_environments_own_secret_in_an_override_has_no_warning(tmp_path):
    own = '    overrides: {services: {api: {secrets: {DB: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:db-GhIjKl"}}}}\n'
    path = write(tmp_path, APP + own)
    assert load_blueprint(path).warnings == []


def test_render_prints_warnings_on_stderr_and_succeeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    result = CliRunner().invoke(cli, ["render", "shop.yaml"])
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith("shop.yaml:13:11: services.api.secrets.DB: warning: in environment 'prod': the secret is in account 111111111111")


def test_more_awsvpc_tasks_than_the_instances_network_interfaces(tmp_path):
    path = write(tmp_path, APP.replace("count: {min: 1, max: 3}", "count: {min: 1, max: 5}"))
    warnings = [str(w).replace(str(path), "FILE") for w in load_blueprint(path).warnings if "PENDING" in str(w)]
    assert warnings == [
        f"FILE:6:42: cluster.capacity.ec2.max: in environment '{env}': 2 instances of m6i.large hold 4 awsvpc tasks (2 network interfaces "
        "each besides the primary), and the services on them may run 5 (api 5): the rest stay PENDING (raise max or the instance size, "
        "or enable awsvpcTrunking for the account (ECS account setting; not on burstable types))"
        for env in ("dev", "prod")
    ]


@pytest.mark.parametrize(
    "instance_type, interfaces",
    [("t3.medium", 3), ("t3.micro", 2), ("m6i.large", 3), ("c7g.xlarge", 4), ("m7g.medium", 2), ("r6i.4xlarge", 8), ("g4dn.xlarge", None), ("m6i.metal", None)],
)
def test_network_interfaces_of_the_instance_types_tfgen_knows(instance_type, interfaces):
    assert interfaces_of(instance_type) == interfaces


@pytest.mark.parametrize(
    "value, accepted",
    [
        ("/shop/token", True),
        ("shop-token", True),
        ("arn:aws:ssm:eu-west-1:111111111111:parameter/shop/token", True),
        ("shop token", False),
        ("/shop//token", False),
    ],
)
def test_secrets_may_be_parameter_names_of_the_environments_account(tmp_path, value, accepted):
    path = write(tmp_path, APP.replace("TOKEN: /shop/token", f'TOKEN: "{value}"'))
    if accepted:
        load_blueprint(path)
    else:
        with pytest.raises(InputError, match=r"services\.api\.secrets\.TOKEN"):
            load_blueprint(path)


def test_kms_keys_are_key_arns(tmp_path):
    path = write(tmp_path, APP.replace("key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/shop"))
    with pytest.raises(InputError, match=r"shop\.yaml:15:16: services\.api\.kms_keys\[0\]: expected a KMS key ARN \(arn:aws:kms:REGION"):
        load_blueprint(path)


INTERNAL_WEB = """\
name: shop
region: eu-west-1
network: {vpc: {cidr: 10.0.0.0/16}}
load_balancer: {public: %s, protocol: http, hosted_zone: example.com}
services:
  web: {type: web-service, image: nginx, http: {alias: shop.example.com}}
environments:
  dev: {account: "111111111111", state: {bucket: shop-dev}}
"""


def test_a_public_zone_for_an_internal_load_balancer(tmp_path):
    path = write(tmp_path, INTERNAL_WEB % "false")
    assert [str(w).replace(str(path), "FILE") for w in load_blueprint(path).warnings] == [
        "FILE:4:61: load_balancer.hosted_zone: in environment 'dev': the load balancer is internal (public: false), and example.com is "
        "looked up as a public zone: its alias records publish the load balancer's private addresses to anyone who resolves the names "
        "(leave hosted_zone out and register the names in your private zone, or make the load balancer public)"
    ]
    assert load_blueprint(write(tmp_path, INTERNAL_WEB % "true")).warnings == []
