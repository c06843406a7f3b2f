"""Writes the plan-JSON fixtures of tfgen's policy pack (one passing, one failing plan per check).

The plans follow Terraform's JSON plan format (format_version 1.2) as `terraform show -json`
writes it: planned_values (root module + child modules), resource_changes with before/after/
after_unknown, and configuration with each module's resource expressions and references, which
tfgen's plan-level checks follow. Run it to regenerate: `python tests/data/plans/make_fixtures.py`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROVIDER = "registry.terraform.io/hashicorp/aws"


def resource(address: str, values: dict[str, Any], expressions: dict[str, Any] | None = None, unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    """A managed resource at `address` (e.g. module.api.aws_ecs_service.this)."""
    parts = address.split(".")
    module = ".".join(parts[:-2]) if len(parts) > 2 else ""
    return {
        "address": address,
        "module": module,
        "type": parts[-2],
        "name": parts[-1],
        "values": values,
        "expressions": expressions or {},
        "unknown": unknown or {},
    }


def plan(resources: list[dict[str, Any]]) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": [], "child_modules": []}
    config_root: dict[str, Any] = {"resources": [], "module_calls": {}}
    changes = []
    modules: dict[str, dict[str, Any]] = {}
    for res in resources:
        planned = {
            "address": res["address"],
            "mode": "managed",
            "type": res["type"],
            "name": res["name"],
            "provider_name": PROVIDER,
            "schema_version": 0,
            "values": copy.deepcopy(res["values"]),
            "sensitive_values": {},
        }
        conf = {
            "address": f"{res['type']}.{res['name']}",
            "mode": "managed",
            "type": res["type"],
            "name": res["name"],
            "provider_config_key": "aws",
            "expressions": res["expressions"],
            "schema_version": 0,
        }
        if res["module"]:
            if res["module"] not in modules:
                modules[res["module"]] = {"address": res["module"], "resources": []}
                root["child_modules"].append(modules[res["module"]])
            modules[res["module"]]["resources"].append(planned)
            # nested module calls: module.a.module.b
            calls = config_root["module_calls"]
            names = res["module"].split(".")[1::2]
            for index, name in enumerate(names):
                call = calls.setdefault(name, {"source": f"./modules/{name}", "expressions": {}, "module": {"resources": [], "module_calls": {}}})
                if index == len(names) - 1:
                    call["module"]["resources"].append(conf)
                calls = call["module"]["module_calls"]
        else:
            root["resources"].append(planned)
            config_root["resources"].append(conf)
        changes.append({
            "address": res["address"],
            **({"module_address": res["module"]} if res["module"] else {}),
            "mode": "managed",
            "type": res["type"],
            "name": res["name"],
            "provider_name": PROVIDER,
            "change": {
                "actions": ["create"],
                "before": None,
                "after": copy.deepcopy(res["values"]),
                "after_unknown": res["unknown"],
                "before_sensitive": False,
                "after_sensitive": {},
            },
        })
    return {
        "format_version": "1.2",
        "terraform_version": "1.15.0",
        "planned_values": {"root_module": root},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER, "expressions": {"region": {"constant_value": "eu-west-1"}}}},
            "root_module": config_root,
        },
        "timestamp": "2026-01-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def ecs_service(breaker: dict[str, Any] | None, public_ip: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "vote-dev-api",
        "desired_count": 1,
        "launch_type": None,
        "enable_execute_command": False,
        "network_configuration": [{"assign_public_ip": public_ip, "subnets": ["subnet-0a", "subnet-0b"]}],
        "deployment_circuit_breaker": [breaker] if breaker else [],
        "tags": {"Name": "vote-dev-api"},
    }
    return resource("module.api.module.service.aws_ecs_service.this", values, unknown={"id": True, "cluster": True, "task_definition": True})


def state_machine(assign_public_ip: str) -> dict[str, Any]:
    run_task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::ecs:runTask.sync",
        "Parameters": {
            "Cluster.$": "$.cluster",
            "TaskDefinition.$": "$.task_definition",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"Subnets.$": "$.subnets", "SecurityGroups.$": "$.security_groups", "AssignPublicIp": assign_public_ip}
            },
        },
        "TimeoutSeconds": 600,
        "End": True,
    }
    definition = json.dumps({"StartAt": "RunTask", "States": {"RunTask": run_task}})
    return resource(
        "module.tally.aws_sfn_state_machine.this", {"name": "vote-dev-tally", "definition": definition}, unknown={"id": True, "arn": True, "role_arn": True}
    )


def role_policy(name: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return resource(
        f"module.api.module.task.aws_iam_role_policy.{name}", {"name": f"vote-dev-api-{name}", "policy": document}, unknown={"id": True, "role": True}
    )


SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"


def container(log: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"name": "app", "image": "public.ecr.aws/docker/library/nginx:stable", "essential": True, "readonlyRootFilesystem": True}
    if log:
        item["logConfiguration"] = {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/vote-dev-api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app"},
        }
    return item


def task_definition(log: bool) -> dict[str, Any]:
    return resource(
        "module.api.module.task.aws_ecs_task_definition.this",
        {
            "family": "vote-dev-api",
            "cpu": "256",
            "memory": "512",
            "network_mode": "awsvpc",
            "requires_compatibilities": ["FARGATE"],
            "container_definitions": json.dumps([container(log)]),
        },
        unknown={"arn": True, "execution_role_arn": True, "task_role_arn": True},
    )


def log_group(retention: int | None) -> dict[str, Any]:
    return resource(
        "module.api.module.task.aws_cloudwatch_log_group.this", {"name": "/ecs/vote-dev-api", "retention_in_days": retention or 0, "skip_destroy": False}
    )


def load_balancer(protection: bool, tags: dict[str, str] | None = None) -> dict[str, Any]:
    return resource(
        "module.alb.aws_lb.this",
        {
            "name": "vote-prod",
            "internal": False,
            "load_balancer_type": "application",
            "drop_invalid_header_fields": True,
            "enable_deletion_protection": protection,
            "tags": tags or {},
        },
        unknown={"arn": True, "dns_name": True},
    )


def listener(name: str, port: int, protocol: str, action: dict[str, Any], certificate: bool = False, tags: dict[str, str] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"port": port, "protocol": protocol, "default_action": [action], "tags": tags or {}}
    if certificate:
        values["certificate_arn"] = "arn:aws:acm:eu-west-1:111111111111:certificate/abc"
        values["ssl_policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    return resource(
        f"module.alb.aws_lb_listener.{name}",
        values,
        expressions={"load_balancer_arn": {"references": ["aws_lb.this.arn", "aws_lb.this"]}},
        unknown={"arn": True, "load_balancer_arn": True},
    )


PROTECTED = {"tfgen:protected": "true"}
REDIRECT = {"type": "redirect", "redirect": [{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}]}
FIXED_404 = {"type": "fixed-response", "fixed_response": [{"content_type": "text/plain", "message_body": "not found", "status_code": "404"}]}
FORWARD = {"type": "forward", "target_group_arn": None}


def service_network(ingress_kind: str) -> list[dict[str, Any]]:
    """An ECS service, its security group and one ingress rule of the given kind."""
    service = resource(
        "module.api.module.service.aws_ecs_service.this",
        {
            "name": "vote-dev-api",
            "network_configuration": [{"assign_public_ip": False, "subnets": ["subnet-0a"]}],
            "deployment_circuit_breaker": [{"enable": True, "rollback": True}],
        },
        expressions={
            "network_configuration": [
                {"security_groups": {"references": ["aws_security_group.this.id", "aws_security_group.this", "var.services_security_group_id"]}}
            ]
        },
        unknown={"id": True},
    )
    group = resource(
        "module.api.module.service.aws_security_group.this",
        {
            "name": "vote-dev-api",
            "description": "ECS service vote-dev-api",
            "ingress": []
            if ingress_kind != "inline-cidr"
            else [
                {
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "anyone",
                    "from_port": 8000,
                    "to_port": 8000,
                    "protocol": "tcp",
                    "ipv6_cidr_blocks": [],
                    "prefix_list_ids": [],
                    "security_groups": [],
                    "self": False,
                }
            ],
        },
        unknown={"id": True, "arn": True},
    )
    alb_group = resource("module.alb.aws_security_group.this", {"name": "vote-dev-alb", "description": "ALB vote-dev", "ingress": []}, unknown={"id": True})
    alb_ingress = resource(
        "module.alb.aws_vpc_security_group_ingress_rule.http",
        {"cidr_ipv4": "0.0.0.0/0", "from_port": 80, "to_port": 80, "ip_protocol": "tcp", "description": "HTTP from the allowed sources"},
        expressions={"security_group_id": {"references": ["aws_security_group.this.id", "aws_security_group.this"]}},
        unknown={"security_group_id": True},
    )
    items = [service, group, alb_group, alb_ingress]
    if ingress_kind == "from-alb":
        items.append(
            resource(
                "module.api.module.service.aws_vpc_security_group_ingress_rule.this",
                {"from_port": 8000, "to_port": 8000, "ip_protocol": "tcp", "description": "from the load balancer"},
                expressions={
                    "security_group_id": {"references": ["aws_security_group.this.id", "aws_security_group.this"]},
                    "referenced_security_group_id": {"references": ["var.load_balancer_security_group_id"]},
                },
                unknown={"security_group_id": True, "referenced_security_group_id": True},
            )
        )
    if ingress_kind == "cidr-rule":
        items.append(resource(
            "module.api.module.service.aws_vpc_security_group_ingress_rule.this",
            {"cidr_ipv4": "10.0.0.0/8", "from_port": 8000, "to_port": 8000, "ip_protocol": "tcp", "description": "from the VPC"},
            expressions={"security_group_id": {"references": ["aws_security_group.this.id", "aws_security_group.this"]}},
            unknown={"security_group_id": True},
        ))
    if ingress_kind == "legacy-cidr-rule":
        items.append(resource(
            "module.api.module.service.aws_security_group_rule.extra",
            {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 8000, "to_port": 8000, "protocol": "tcp"},
            expressions={"security_group_id": {"references": ["aws_security_group.this.id", "aws_security_group.this"]}},
            unknown={"security_group_id": True},
        ))
    return items


FIXTURES: dict[str, list[dict[str, Any]]] = {
    # CKV_TFG_1 circuit breaker with rollback (the failing plan has it on but without rollback)
    "ckv_tfg_1_pass": [ecs_service({"enable": True, "rollback": True}, False)],
    "ckv_tfg_1_fail": [ecs_service({"enable": True, "rollback": False}, False)],
    # CKV_TFG_2 no public IP on tasks
    "ckv_tfg_2_pass": [ecs_service({"enable": True, "rollback": True}, False), state_machine("DISABLED")],
    "ckv_tfg_2_fail": [ecs_service({"enable": True, "rollback": True}, True), state_machine("ENABLED")],
    # CKV_TFG_3 service security groups admit only security groups (plan-level check)
    "ckv_tfg_3_pass": service_network("from-alb"),
    "ckv_tfg_3_fail": service_network("cidr-rule"),
    # CKV_TFG_4 HTTP redirects to HTTPS when an HTTPS listener exists (plan-level check)
    "ckv_tfg_4_pass": [load_balancer(False), listener("http", 80, "HTTP", REDIRECT), listener("https", 443, "HTTPS", FIXED_404, certificate=True)],
    "ckv_tfg_4_fail": [load_balancer(False), listener("http", 80, "HTTP", FIXED_404), listener("https", 443, "HTTPS", FIXED_404, certificate=True)],
    # CKV_TFG_5 awslogs on every container, retention on every log group
    "ckv_tfg_5_pass": [task_definition(True), log_group(30)],
    "ckv_tfg_5_fail": [task_definition(False), log_group(None)],
    # CKV_TFG_6 secret reads only of named secrets
    "ckv_tfg_6_pass": [role_policy("secrets", [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET]}])],
    "ckv_tfg_6_fail": [role_policy("secrets", [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameters"], "Resource": "*"}])],
    # CKV_TFG_7 no wildcard actions
    "ckv_tfg_7_pass": [
        role_policy(
            "task",
            [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "arn:aws:sqs:eu-west-1:111111111111:vote-dev-worker"}],
        )
    ],
    "ckv_tfg_7_fail": [role_policy("task", [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::vote-dev-data/*"}])],
    # CKV_TFG_8 deletion protection in protected environments (tag tfgen:protected; tfgen also sets TFGEN_POLICY_PROTECTED)
    "ckv_tfg_8_pass": [load_balancer(True, {"tfgen:protected": "true"})],
    "ckv_tfg_8_fail": [load_balancer(False, {"tfgen:protected": "true"})],
    # CKV_TFG_9 protected environments serve HTTPS (plain HTTP only by the blueprint's own skip)
    "ckv_tfg_9_pass": [listener("http", 80, "HTTP", REDIRECT, tags=PROTECTED), listener("https", 443, "HTTPS", FIXED_404, certificate=True, tags=PROTECTED)],
    "ckv_tfg_9_fail": [listener("http", 80, "HTTP", FIXED_404, tags=PROTECTED)],
}

# Extra plans for edge cases of the plan-level checks and the parser.
EXTRA: dict[str, list[dict[str, Any]]] = {
    "tfg_3_inline_cidr": service_network("inline-cidr"),
    "tfg_3_legacy_rule": service_network("legacy-cidr-rule"),
    "tfg_4_no_certificate": [load_balancer(False), listener("http", 80, "HTTP", FIXED_404)],
}


def main() -> None:
    for directory, fixtures in (("checks", FIXTURES), ("edge", EXTRA)):
        (HERE / directory).mkdir(exist_ok=True)
        for name, resources in fixtures.items():
            path = HERE / directory / f"{name}.json"
            path.write_text(json.dumps(plan(resources), indent=2, sort_keys=True) + "\n")
    (HERE / "empty.json").write_text(json.dumps(plan([]), indent=2) + "\n")
    bad = plan([])
    bad["format_version"] = "2.0"
    (HERE / "format_v2.json").write_text(json.dumps(bad, indent=2) + "\n")
    (HERE / "not_json.json").write_text("this is not { json\n")


if __name__ == "__main__":
    main()
