module "task" {
  source = "../ecs-task"

  name               = var.name
  task               = var.task
  capacity_providers = [for strategy in var.placement.capacity_provider_strategy : strategy.capacity_provider]

  tags = var.tags
}

################################################################################
# Security group: egress only
################################################################################

module "security_group" {
  source = "../task-security-group"

  name                       = var.name
  description                = "Tasks of the scheduled job ${var.name} (no ingress)"
  vpc_id                     = var.placement.vpc_id
  egress                     = var.placement.egress
  services_security_group_id = var.placement.services_security_group_id

  tags = var.tags
}
################################################################################
# Run: a Step Functions state machine runs one task and waits for it, so a run that outlives
# var.timeout is stopped (ECS itself has no run timeout). A failed run is retried
# (var.schedule.retries: States.TaskFailed, every task error but the timeout); a run that still
# fails or times out is published to var.schedule.notify's SNS topic, then the execution fails
# with the run's own error. The definition takes the cluster, task definition and network from its
# input: it stays the same across deployments and is fully known at plan time, where the policy
# checks read it.
################################################################################

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  # Spelled out from known parts rather than read from the resource (known only after apply): the
  # policies and definitions that use it stay known in the first plan, where the checks see them.
  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:stateMachine:${aws_sfn_state_machine.this.name}"
}

locals {
  retries = var.schedule.retries == null ? [] : [var.schedule.retries]
  notify  = var.schedule.notify == null ? [] : [var.schedule.notify]

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
            AssignPublicIp     = var.placement.assign_public_ip ? "ENABLED" : "DISABLED"
          }
        }
        EnableECSManagedTags = true
        EnableExecuteCommand = module.task.enable_execute_command
        PropagateTags        = "TASK_DEFINITION"
      }
      End = true
    },
    var.schedule.timeout == null ? {} : { TimeoutSeconds = var.schedule.timeout },
    # States.TaskFailed matches every error of the task but States.Timeout: a run that ran out of
    # time is not started again (each attempt would have the whole timeout).
    merge([for retry in local.retries : {
      Retry = [{
        ErrorEquals     = ["States.TaskFailed"]
        IntervalSeconds = retry.interval_seconds
        MaxAttempts     = retry.max_attempts
        BackoffRate     = retry.backoff_rate
      }]
    }]...),
    merge([for notify in local.notify : {
      Catch = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "NotifyFailure" }]
    }]...),
  )

  # Publish what failed (the error and its cause, the execution), then fail with the run's own error.
  notify_states = merge([for notify in local.notify : {
    NotifyFailure = {
      Type     = "Task"
      Resource = "arn:${data.aws_partition.current.partition}:states:::sns:publish"
      Parameters = {
        TopicArn    = notify.topic_arn
        Subject     = "${var.name}: scheduled run failed"
        "Message.$" = "States.Format('The scheduled job ${var.name} failed with {}: {} (execution {})', $.error.Error, $.error.Cause, $$.Execution.Id)"
      }
      ResultPath = null
      Next       = "RunFailed"
    }
    RunFailed = {
      Type      = "Fail"
      ErrorPath = "$.error.Error"
      CausePath = "$.error.Cause"
    }
  }]...)

  run_input = {
    cluster         = var.placement.cluster_arn
    task_definition = module.task.task_definition_arn
    capacity_provider_strategy = [
      for strategy in var.placement.capacity_provider_strategy : {
        CapacityProvider = strategy.capacity_provider
        Base             = strategy.base
        Weight           = strategy.weight
      }
    ]
    subnets         = var.placement.subnet_ids
    security_groups = concat([module.security_group.id, var.placement.services_security_group_id], var.placement.security_group_ids)
  }
}

resource "aws_cloudwatch_log_group" "runs" {
  # CloudWatch Logs takes resource policies for Step Functions' log delivery under /aws/vendedlogs/.
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = module.task.log_retention_days

  tags = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name     = var.name
  role_arn = module.state_machine_role.arn
  definition = jsonencode({
    Comment = "Runs one task of ${var.name}${var.schedule.timeout == null ? "" : " and stops it after ${var.schedule.timeout} seconds"}"
    StartAt = "RunTask"
    States  = merge({ RunTask = local.run_task_state }, local.notify_states)
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
# Schedule: EventBridge Scheduler (time zones) starts the state machine with the run's input
################################################################################

resource "aws_scheduler_schedule" "this" {
  name        = var.name
  group_name  = "default"
  description = "Runs the task of ${var.name} on its schedule"

  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = var.schedule.timezone
  state                        = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.this.arn
    role_arn = module.events_role.arn
    input    = jsonencode(local.run_input)
  }
}

################################################################################
# Role of EventBridge Scheduler: start only this state machine
################################################################################

data "aws_iam_policy_document" "start_run" {
  statement {
    sid       = "StartThisStateMachine"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }
}

module "events_role" {
  source = "../iam-role"

  name        = "${var.name}-events"
  description = "EventBridge Scheduler role that starts the scheduled runs of ${var.name}"
  trust = {
    service    = "scheduler.amazonaws.com"
    sid        = "SchedulerAssumeRole"
    conditions = [{ test = "StringEquals", variable = "aws:SourceAccount", values = [data.aws_caller_identity.current.account_id] }]
  }

  inline_policies = { start-run = data.aws_iam_policy_document.start_run.json }

  tags = var.tags
}

################################################################################
# Role of the state machine: run, watch and stop only this task definition, pass only its two
# roles, publish failures to only the notify topic (with its key), and deliver its own logs and
# traces
################################################################################

data "aws_iam_policy_document" "run_task" {
  statement {
    sid       = "RunThisTaskDefinition"
    actions   = ["ecs:RunTask"]
    resources = ["${module.task.task_definition_family_arn}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.placement.cluster_arn]
    }
  }

  # RunTask with tags (managed tags, propagated tags) needs permission to tag the task it creates.
  statement {
    sid       = "TagTheTasksItRuns"
    actions   = ["ecs:TagResource"]
    resources = ["${replace(var.placement.cluster_arn, ":cluster/", ":task/")}/*"]

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
    resources = ["${replace(var.placement.cluster_arn, ":cluster/", ":task/")}/*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.placement.cluster_arn]
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
    resources = ["arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:rule/StepFunctionsGetEventsForECSTaskRule"]
  }

  dynamic "statement" {
    for_each = local.notify
    content {
      sid       = "PublishFailures"
      actions   = ["sns:Publish"]
      resources = [statement.value.topic_arn]
    }
  }

  # An encrypted topic: SNS encrypts the message with the publisher's permission on the key.
  dynamic "statement" {
    for_each = [for notify in local.notify : notify if notify.kms_key_arn != null]
    content {
      sid       = "EncryptFailureNotices"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sns.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
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

module "state_machine_role" {
  source = "../iam-role"

  name        = "${var.name}-runs"
  description = "Step Functions role that runs the task of ${var.name} and stops it at its timeout"
  trust = {
    service    = "states.amazonaws.com"
    sid        = "StepFunctionsAssumeRole"
    conditions = [{ test = "StringEquals", variable = "aws:SourceAccount", values = [data.aws_caller_identity.current.account_id] }]
  }

  inline_policies = { run-task = data.aws_iam_policy_document.run_task.json }

  tags = var.tags
}
