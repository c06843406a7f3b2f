data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # Spelled out from known parts rather than read from the resource (known only after apply): the
  # policies and definitions that use it stay known in the first plan, where the checks see them.
  queue_url = "https://sqs.${data.aws_region.current.region}.${data.aws_partition.current.dns_suffix}/${data.aws_caller_identity.current.account_id}/${aws_sqs_queue.this.name}"
  queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:${aws_sqs_queue.this.name}"
}

################################################################################
# Queues
################################################################################

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.queue.visibility_timeout
  message_retention_seconds  = var.queue.retention
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.queue.max_receive_count
  })

  tags = var.tags
}

# Only the work queue may move its failed messages into the dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

data "aws_iam_policy_document" "consume" {
  statement {
    sid = "ConsumeOwnQueue"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]
    resources = [local.queue_arn]
  }
}

################################################################################
# Task and service
################################################################################

module "task" {
  source = "../ecs-task"

  name               = var.name
  task               = merge(var.task, { environment = merge(try(var.task.environment, {}), { QUEUE_URL = local.queue_url }) })
  capacity_providers = [for strategy in var.placement.capacity_provider_strategy : strategy.capacity_provider]
  task_role_policies = { consume-queue = data.aws_iam_policy_document.consume.json }

  tags = var.tags
}

module "service" {
  source = "../ecs-service"

  name                   = var.name
  placement              = var.placement
  task_definition_arn    = module.task.task_definition_arn
  container_name         = module.task.container_name
  enable_execute_command = module.task.enable_execute_command

  scaling = {
    min     = var.scaling.min
    max     = var.scaling.max
    desired = var.scaling.desired
  }
  deployment = var.deployment

  tags = var.tags
}

################################################################################
# Scaling on the queue
################################################################################

# Backlog per task = visible messages / running tasks (Container Insights' RunningTaskCount).
resource "aws_appautoscaling_policy" "backlog" {
  name               = "${var.name}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = module.service.scaling_resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.scaling.backlog_per_task
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Visible messages"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"

            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.this.name
            }
          }
        }
      }

      metrics {
        id          = "running"
        label       = "Running tasks"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = var.placement.cluster_name
            }

            dimensions {
              name  = "ServiceName"
              value = module.service.service_name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_task"
        label       = "Visible messages per running task"
        expression  = "visible / running"
        return_data = true
      }
    }
  }
}

# Backlog per task is undefined with no task running, so target tracking cannot start the first
# task: this step policy does, when messages are visible and no task runs.
resource "aws_appautoscaling_policy" "from_zero" {
  name               = "${var.name}-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = module.service.scaling_resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = "0"
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "from_zero" {
  alarm_name          = "${var.name}-from-zero"
  alarm_description   = "Messages visible in ${aws_sqs_queue.this.name} (ApproximateNumberOfMessagesVisible > 0) while no task of ${var.name} runs: start one."
  actions_enabled     = true
  alarm_actions       = [aws_appautoscaling_policy.from_zero.arn]
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "visible"
    label       = "Visible messages"
    return_data = false

    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.this.name }
      stat        = "Maximum"
      period      = 60
    }
  }

  metric_query {
    id          = "running"
    label       = "Running tasks"
    return_data = false

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = { ClusterName = var.placement.cluster_name, ServiceName = module.service.service_name }
      stat        = "Maximum"
      period      = 60
    }
  }

  metric_query {
    id          = "start_first_task"
    label       = "Messages waiting and no task running"
    expression  = "IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)"
    return_data = true
  }

  tags = var.tags
}
