"""network.placement: a default VPC with public subnets only. Tasks there need public IPs to reach
ECR, so tfgen refuses to render until the blueprint says `placement: public`; then tasks get public
IPs and the checks that forbid them are skipped with a reason that names the setting."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.blueprint.context import save_default_vpc, vpc_entry
from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.errors import InputError
from tfgen.policy.declared import environment_policy
from tfgen.render import render
from tfgen.terraform import Terraform

PUBLIC_SUBNETS = [{"id": "subnet-0a", "az": "eu-west-1a"}, {"id": "subnet-0b", "az": "eu-west-1b"}]


def blueprint(tmp_path: Path, network: str, capacity: str = "") -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: shop
            region: eu-west-1
            network: {network}
            {capacity}
            load_balancer: {{public: true, protocol: http, allowed_source_ips: [203.0.113.0/24]}}
            services:
              web: {{type: web-service, image: nginx, port: 8080, http: {{path: /*}}, writable_paths: [/tmp]}}
              nightly: {{type: scheduled-job, image: busybox, schedule: "@daily", timeout: 600}}
            environments:
              dev: {{account: "111111111111", state: {{bucket: shop-tfstate-dev}}}}
              prod: {{account: "111111111111", protected: true, state: {{bucket: shop-tfstate-prod}}}}
            """
        )
    )
    save_default_vpc(path, "111111111111", "eu-west-1", vpc_entry("vpc-0def", "172.31.0.0/16", PUBLIC_SUBNETS, []))
    return path


def test_default_vpc_without_private_subnets_is_refused_with_the_way_out(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = blueprint(tmp_path, "{vpc: default}")
    result = CliRunner().invoke(cli, ["render", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"{path}:3:16: network.vpc: the default VPC vpc-0def of account 111111111111 in eu-west-1 has no private subnets "
        "(tfgen.context.json): tasks without public IPs could not reach ECR or the internet there "
        "(set `network.placement: public` (tasks get public IPs; only the load balancer's security group reaches them), "
        "or let tfgen create a VPC: `network.vpc: {cidr: 10.0.0.0/16}`)"
    )


@pytest.mark.parametrize(
    ("network", "capacity", "message"),
    [
        ("{vpc: {cidr: 10.0.0.0/16}, placement: public}", "", "placement: public is for a default VPC without private subnets"),
        ("{vpc: default, placement: public}", "cluster: {capacity: {ec2: {instance_type: t3.small, max: 2}}}", "EC2 capacity needs private subnets"),
    ],
)
def test_public_placement_only_where_it_makes_sense(tmp_path: Path, network: str, capacity: str, message: str):
    with pytest.raises(InputError) as caught:
        load_blueprint(blueprint(tmp_path, network, capacity))
    assert f"network.placement: {message}" in str(caught.value)


@pytest.mark.slow
def test_public_placement_gives_tasks_public_ips_and_says_so_in_the_policy(tmp_path: Path):
    loaded = load_blueprint(blueprint(tmp_path, "{vpc: default, placement: public}"))
    root = tmp_path / "build"
    render(loaded, root)
    terraform = Terraform(root, tmp_path / "data", offline=True)
    terraform.init()
    terraform.plan(tmp_path / "plan.tfplan", var_files=[root / "env" / "dev.tfvars.json"], on_event=lambda event: None)
    plan = terraform.show_json(tmp_path / "plan.tfplan")
    after = {rc["address"]: rc["change"]["after"] for rc in plan["resource_changes"]}

    network = after["module.web.module.service.aws_ecs_service.this"]["network_configuration"][0]
    assert network["assign_public_ip"] is True
    assert sorted(network["subnets"]) == ["subnet-0a", "subnet-0b"]
    definition = json.loads(after["module.nightly.aws_sfn_state_machine.this"]["definition"])
    assert definition["States"]["RunTask"]["Parameters"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"

    from tfgen.policy import run_policy

    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps(plan))
    policy = environment_policy(loaded, "dev")
    result = run_policy(plan_json, skips=policy.skips, declared=policy.declared, use_cache=False)
    skipped = {(r.check_id, r.resource): r for r in result.skipped}
    for check_id, resource in [
        ("CKV_TFG_2", "module.web.module.service.aws_ecs_service.this"),
        ("CKV_TFG_2", "module.nightly.aws_sfn_state_machine.this"),
        ("CKV_AWS_333", "module.web.module.service.aws_ecs_service.this"),
    ]:
        assert skipped[(check_id, resource)].skip_reason.startswith("network.placement: public"), (check_id, resource)
    # without the setting's skips the same plan fails them
    bare = run_policy(plan_json, skips={}, use_cache=False)
    assert {"CKV_TFG_2", "CKV_AWS_333"} <= {r.check_id for r in bare.failed}
    # a protected environment must say why its tasks take public IPs: the declaration alone does not skip there
    protected = run_policy(plan_json, skips=policy.skips, declared=environment_policy(loaded, "prod").declared, protected=True, use_cache=False)
    assert {"CKV_TFG_2", "CKV_AWS_333"} <= {r.check_id for r in protected.failed}


def test_public_placement_is_skipped_by_declaration_only_outside_protected_environments(tmp_path: Path):
    loaded = load_blueprint(blueprint(tmp_path, "{vpc: default, placement: public}"))
    dev, prod = environment_policy(loaded, "dev"), environment_policy(loaded, "prod")
    assert {"CKV_TFG_2", "CKV_AWS_333"} <= set(dev.declared) and not dev.protected
    assert not {"CKV_TFG_2", "CKV_AWS_333"} & set(prod.declared) and prod.protected
    assert set(prod.declared) == {"CKV2_AWS_20", "CKV_AWS_2", "CKV_AWS_103", "CKV_AWS_260"}  # protocol: http (CKV_TFG_9 holds prod to it)
