module "task" {
  source = "../ecs-task"

  name                     = var.name
  region                   = var.region
  capacity_providers       = [for strategy in var.capacity_provider_strategy : strategy.capacity_provider]
  image                    = var.image
  cpu                      = var.cpu
  memory                   = var.memory
  port                     = var.port
  command                  = var.command
  environment              = var.environment
  secrets                  = var.secrets
  readonly_root_filesystem = var.readonly_root_filesystem
  writable_paths           = var.writable_paths
  enable_execute_command   = var.enable_execute_command
  log_retention_days       = var.log_retention_days

  tags = var.tags
}

################################################################################
# Security group: egress only
################################################################################

resource "aws_security_group" "this" {
  # A prefix lets a replacement group exist next to the one the schedule still uses.
  name_prefix = "${var.name}-"
  description = "Tasks of the scheduled job ${var.name} (no ingress)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# HTTPS to anywhere: ECR, CloudWatch Logs, Secrets Manager and other AWS APIs. DNS goes to the
# Amazon-provided resolver, which security groups do not filter.
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs, image registries and external services"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "services" {
  security_group_id            = aws_security_group.this.id
  description                  = "TCP to the other services of the application"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = var.services_security_group_id

  tags = var.tags
}

################################################################################
# Schedule
################################################################################

resource "aws_cloudwatch_event_rule" "this" {
  name                = var.name
  description         = "Runs the task of ${var.name} on its schedule"
  schedule_expression = var.schedule_expression
  state               = "ENABLED"

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "run-task"
  arn       = var.cluster_arn
  role_arn  = aws_iam_role.events.arn

  ecs_target {
    task_definition_arn     = module.task.task_definition_arn
    task_count              = 1
    enable_ecs_managed_tags = true
    enable_execute_command  = var.enable_execute_command
    propagate_tags          = "TASK_DEFINITION"

    dynamic "capacity_provider_strategy" {
      for_each = var.capacity_provider_strategy

      content {
        capacity_provider = capacity_provider_strategy.value.capacity_provider
        base              = capacity_provider_strategy.value.base
        weight            = capacity_provider_strategy.value.weight
      }
    }

    network_configuration {
      subnets          = var.subnet_ids
      security_groups  = [aws_security_group.this.id, var.services_security_group_id]
      assign_public_ip = false
    }
  }
}

################################################################################
# Role of EventBridge: run only this task definition, pass only its two roles
################################################################################

data "aws_iam_policy_document" "events_assume" {
  statement {
    sid     = "EventBridgeAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "events" {
  name               = "${var.name}-events"
  description        = "EventBridge role that runs the scheduled task of ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "run_task" {
  statement {
    sid       = "RunThisTaskDefinition"
    actions   = ["ecs:RunTask"]
    resources = ["${module.task.task_definition_family_arn}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  # RunTask with tags (managed tags, propagated tags) needs permission to tag the task it creates.
  statement {
    sid       = "TagTheTasksItRuns"
    actions   = ["ecs:TagResource"]
    resources = ["${replace(var.cluster_arn, ":cluster/", ":task/")}/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "PassTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [module.task.execution_role_arn, module.task.task_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "events" {
  name   = "run-task"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.run_task.json
}
