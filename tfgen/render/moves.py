"""Addresses that renderings of earlier tfgen versions used, and today's: the `moved` blocks of
the root module (moved.tf), so that an environment applied with an earlier rendering plans as
no-op after an upgrade. Data, one entry per module refactoring; the root module carries them
because it knows where every module sits (`module.<service>.module.task`, ...).
"""

from __future__ import annotations

from tfgen.render.model import RenderModel

# Module directory -> (earlier address, today's address) inside that module.
MODULE_MOVES: dict[str, tuple[tuple[str, str], ...]] = {
    # The task security group moved into task-security-group; three count-switched scaling
    # policies became one with for_each.
    "ecs-service": (
        ("aws_security_group.this", "module.security_group.aws_security_group.this"),
        ("aws_vpc_security_group_ingress_rule.this", "module.security_group.aws_vpc_security_group_ingress_rule.this"),
        ("aws_vpc_security_group_egress_rule.https", 'module.security_group.aws_vpc_security_group_egress_rule.this["https"]'),
        ("aws_vpc_security_group_egress_rule.services", 'module.security_group.aws_vpc_security_group_egress_rule.this["services"]'),
        ("aws_appautoscaling_policy.cpu[0]", 'aws_appautoscaling_policy.target_tracking["cpu"]'),
        ("aws_appautoscaling_policy.memory[0]", 'aws_appautoscaling_policy.target_tracking["memory"]'),
        ("aws_appautoscaling_policy.requests[0]", 'aws_appautoscaling_policy.target_tracking["requests"]'),
    ),
    # Roles moved into iam-role.
    "ecs-task": (
        ("aws_iam_role.execution", "module.execution_role.aws_iam_role.this"),
        ("aws_iam_role_policy_attachment.execution", 'module.execution_role.aws_iam_role_policy_attachment.this["execution"]'),
        ("aws_iam_role_policy.secrets[0]", 'module.execution_role.aws_iam_role_policy.this["declared-secrets"]'),
        ("aws_iam_role.task", "module.task_role.aws_iam_role.this"),
        ("aws_iam_role_policy.execute_command[0]", 'module.task_role.aws_iam_role_policy.this["ecs-exec"]'),
        ("aws_iam_role_policy.task", "module.task_role.aws_iam_role_policy.this"),
    ),
    "scheduled-job": (
        ("aws_security_group.this", "module.security_group.aws_security_group.this"),
        ("aws_vpc_security_group_egress_rule.https", 'module.security_group.aws_vpc_security_group_egress_rule.this["https"]'),
        ("aws_vpc_security_group_egress_rule.services", 'module.security_group.aws_vpc_security_group_egress_rule.this["services"]'),
        ("aws_iam_role.events", "module.events_role.aws_iam_role.this"),
        ("aws_iam_role_policy.events", 'module.events_role.aws_iam_role_policy.this["start-run"]'),
        ("aws_iam_role.state_machine", "module.state_machine_role.aws_iam_role.this"),
        ("aws_iam_role_policy.state_machine", 'module.state_machine_role.aws_iam_role_policy.this["run-task"]'),
    ),
    "ec2-capacity": (
        ("aws_iam_role.instance", "module.instance_role.aws_iam_role.this"),
        ("aws_iam_role_policy_attachment.ecs", 'module.instance_role.aws_iam_role_policy_attachment.this["ecs"]'),
        ("aws_iam_role_policy_attachment.ssm", 'module.instance_role.aws_iam_role_policy_attachment.this["ssm"]'),
    ),
    "vpc": (
        ("aws_iam_role.flow_logs", "module.flow_logs_role.aws_iam_role.this"),
        ("aws_iam_role_policy.flow_logs", 'module.flow_logs_role.aws_iam_role_policy.this["flow-logs"]'),
    ),
}


def moves(model: RenderModel) -> list[tuple[str, str]]:
    """Every (from, to) address pair of the rendering's moved blocks, in a stable order."""
    placed: list[tuple[str, str]] = []  # (module address, module directory)
    if model.created_vpc:
        placed.append(("module.vpc", "vpc"))
    if model.ec2_capacity:
        placed.append(("module.ec2_capacity", "ec2-capacity"))
    for service in model.services:
        address = f"module.{service.module}"
        placed.append((address, service.type.module))
        placed += [(f"{address}.module.{call}", module) for call, module in service.type.building_blocks]
    inside = [(f"{address}.{old}", f"{address}.{new}") for address, module in placed for old, new in MODULE_MOVES.get(module, ())]
    # A built image's repository became one per application, created in its first environment only.
    repositories = [(f"module.{s.repository_module}", f"module.{s.repository_module}[0]") for s in model.services if s.builds_image]
    return inside + repositories
