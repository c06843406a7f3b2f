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
# Run: a Step Functions state machine runs one task and waits for it, so a run that outlives
# var.timeout is stopped (ECS itself has no run timeout). The definition takes the cluster, task
# definition and network from its input: it stays the same across deployments and is fully known
# at plan time, where the policy checks read it.
################################################################################

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  run_task_state = merge(
    {
      Type     = "Task"
      Resource = "arn:${data.aws_partition.current.partition}:states:::ecs:runTask.sync"
      Parameters = {
        "Cluster.$"                  = "$.cluster"
        "TaskDefinition.$"           = "$.task_definition"
        "CapacityProviderStrategy.$" = "$.capacity_provider_strategy"
        NetworkConfiguration = {
          AwsvpcConfiguration = {
            "Subnets.$"        = "$.subnets"
            "SecurityGroups.$" = "$.security_groups"
            AssignPublicIp     = var.assign_public_ip ? "ENABLED" : "DISABLED"
          }
        }
        EnableECSManagedTags = true
        EnableExecuteCommand = var.enable_execute_command
        PropagateTags        = "TASK_DEFINITION"
      }
      End = true
    },
    var.timeout == null ? {} : { TimeoutSeconds = var.timeout },
  )

  run_input = {
    cluster         = var.cluster_arn
    task_definition = module.task.task_definition_arn
    capacity_provider_strategy = [
      for strategy in var.capacity_provider_strategy : {
        CapacityProvider = strategy.capacity_provider
        Base             = strategy.base
        Weight           = strategy.weight
      }
    ]
    subnets         = var.subnet_ids
    security_groups = [aws_security_group.this.id, var.services_security_group_id]
  }
}

resource "aws_cloudwatch_log_group" "runs" {
  # CloudWatch Logs takes resource policies for Step Functions' log delivery under /aws/vendedlogs/.
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name     = var.name
  role_arn = aws_iam_role.state_machine.arn
  definition = jsonencode({
    Comment = "Runs one task of ${var.name}${var.timeout == null ? "" : " and stops it after ${var.timeout} seconds"}"
    StartAt = "RunTask"
    States  = { RunTask = local.run_task_state }
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.runs.arn}:*"
    include_execution_data = true
    level                  = "ALL" # a handful of events per run
  }

  tracing_configuration {
    enabled = true
  }

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
  arn       = aws_sfn_state_machine.this.arn
  role_arn  = aws_iam_role.events.arn
  input     = jsonencode(local.run_input)
}

################################################################################
# Role of EventBridge: start only this state machine
################################################################################

data "aws_iam_policy_document" "events_assume" {
  statement {
    sid     = "EventBridgeAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "events" {
  name               = "${var.name}-events"
  description        = "EventBridge role that starts the scheduled runs of ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "start_run" {
  statement {
    sid       = "StartThisStateMachine"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.this.arn]
  }
}

resource "aws_iam_role_policy" "events" {
  name   = "start-run"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.start_run.json
}

################################################################################
# Role of the state machine: run, watch and stop only this task definition, pass only its two
# roles, and deliver its own logs and traces
################################################################################

data "aws_iam_policy_document" "state_machine_assume" {
  statement {
    sid     = "StepFunctionsAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name}-runs"
  description        = "Step Functions role that runs the task of ${var.name} and stops it at its timeout"
  assume_role_policy = data.aws_iam_policy_document.state_machine_assume.json

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

  # .sync waits for the task and stops it when the state times out or the execution is stopped.
  statement {
    sid       = "WatchAndStopItsTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = ["${replace(var.cluster_arn, ":cluster/", ":task/")}/*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
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

  # The managed rule through which Step Functions learns that an ECS task stopped (.sync).
  statement {
    sid       = "ManagedRuleForTaskEvents"
    actions   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
    resources = ["arn:${data.aws_partition.current.partition}:events:${var.region}:${data.aws_caller_identity.current.account_id}:rule/StepFunctionsGetEventsForECSTaskRule"]
  }

  # Log delivery and X-Ray actions support no resource-level permissions.
  statement {
    sid = "DeliverRunLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "SendRunTraces"
    actions   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "run-task"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.run_task.json
}
