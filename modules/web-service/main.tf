data "aws_partition" "current" {}

locals {
  # Blue-green, canary and linear deployments shift traffic between two target groups (ecs-service
  # declares the deployment's fields and defaults).
  shifts_traffic    = coalesce(try(var.deployment.strategy, null), "ROLLING") != "ROLLING"
  create_alarms     = coalesce(try(var.deployment.alarms.create, null), false)
  port              = var.task.port
  health_check      = var.http.health_check
  health_check_port = coalesce(local.health_check.port, local.port)

  # The load balancer reaches the container port, and the health check port when it differs.
  ingress = {
    for key, rule in {
      load_balancer = {
        description              = "Traffic from the load balancer to the container port"
        source_security_group_id = var.load_balancer.security_group_id
        port                     = local.port
        egress_from_source       = true
      }
      health_check = {
        description              = "Health checks from the load balancer"
        source_security_group_id = var.load_balancer.security_group_id
        port                     = local.health_check_port
        egress_from_source       = true
      }
    } : key => rule if key == "load_balancer" || local.health_check_port != local.port
  }
}

module "task" {
  source = "../ecs-task"

  name               = var.name
  task               = var.task
  capacity_providers = [for strategy in var.placement.capacity_provider_strategy : strategy.capacity_provider]

  tags = var.tags
}

################################################################################
# Load balancer routing
################################################################################

# Port, protocol, target type and VPC replace a target group. Its name ends with a digest of them,
# so the successor gets a new name and is created before the old one is deleted: AWS refuses to
# delete a group a listener rule still forwards to, and to create one whose name is taken.
resource "aws_lb_target_group" "this" {
  name                 = "${var.http.target_group_name}-${substr(sha1(jsonencode([local.port, "HTTP", "ip", var.placement.vpc_id])), 0, 6)}"
  vpc_id               = var.placement.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = local.port
  deregistration_delay = "30"

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = local.health_check.path
    port                = local.health_check.port == null ? "traffic-port" : tostring(local.health_check.port)
    matcher             = local.health_check.success_codes
    interval            = local.health_check.interval
    timeout             = local.health_check.timeout
    healthy_threshold   = local.health_check.healthy_threshold
    unhealthy_threshold = local.health_check.unhealthy_threshold
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# Blue-green, canary, linear: the target group ECS starts the new revision in, the same as the
# first but for its name (the digest also covers "alternate"). The two swap roles on every deployment.
resource "aws_lb_target_group" "alternate" {
  count = local.shifts_traffic ? 1 : 0

  name                 = "${var.http.target_group_name}-${substr(sha1(jsonencode([local.port, "HTTP", "ip", var.placement.vpc_id, "alternate"])), 0, 6)}"
  vpc_id               = var.placement.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = local.port
  deregistration_delay = "30"

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = local.health_check.path
    port                = local.health_check.port == null ? "traffic-port" : tostring(local.health_check.port)
    matcher             = local.health_check.success_codes
    interval            = local.health_check.interval
    timeout             = local.health_check.timeout
    healthy_threshold   = local.health_check.healthy_threshold
    unhealthy_threshold = local.health_check.unhealthy_threshold
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# Rolling deployments: the rule forwards to the one target group.
resource "aws_lb_listener_rule" "this" {
  count = local.shifts_traffic ? 0 : 1

  listener_arn = var.load_balancer.listener_arn
  priority     = var.http.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  condition {
    path_pattern {
      values = [var.http.path_pattern]
    }
  }

  dynamic "condition" {
    for_each = length(var.http.host_headers) == 0 ? [] : [var.http.host_headers]

    content {
      host_header {
        values = condition.value
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

moved {
  from = aws_lb_listener_rule.this
  to   = aws_lb_listener_rule.this[0]
}

# Blue-green, canary, linear: the production listener rule forwards to both target groups, 100/0;
# ECS moves the weights during each deployment and leaves them swapped, so Terraform leaves the
# action alone once the rule exists (the target group set cannot be indexed to ignore only the
# weights: hashicorp/terraform-provider-aws#43905). A replaced target group replaces the rule,
# which then forwards to the new pair; Terraform creates it first (as the groups), so that apply
# needs another priority (CKV_TFG_11 says so at plan time). The rule's priority and conditions stay
# managed. tfgen derives it another priority than the rolling rule's, so a switch between the two
# never meets PriorityInUse (an explicit http.priority moves through a free one in two applies).
resource "aws_lb_listener_rule" "shifted" {
  count = local.shifts_traffic ? 1 : 0

  listener_arn = var.load_balancer.listener_arn
  priority     = var.http.priority

  action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this.arn
        weight = 100
      }

      target_group {
        arn    = aws_lb_target_group.alternate[0].arn
        weight = 0
      }
    }
  }

  condition {
    path_pattern {
      values = [var.http.path_pattern]
    }
  }

  dynamic "condition" {
    for_each = length(var.http.host_headers) == 0 ? [] : [var.http.host_headers]

    content {
      host_header {
        values = condition.value
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    ignore_changes       = [action]
    replace_triggered_by = [aws_lb_target_group.this.id, aws_lb_target_group.alternate]
  }
}

# The role ECS assumes to register tasks in the target groups and shift the rule's weights
# (Amazon ECS infrastructure IAM role for load balancers). The service depends on it, so on
# destroy the service goes first: ECS needs the role until its deployments end.
module "infrastructure_role" {
  source = "../iam-role"
  count  = local.shifts_traffic ? 1 : 0

  name        = "${var.name}-ecs-lb"
  description = "ECS infrastructure role of ${var.name}: shifts its listener rule's traffic between its two target groups"
  trust = {
    service = "ecs.amazonaws.com"
    sid     = "AllowAccessToECSForInfrastructureManagement"
  }
  managed_policy_arns = {
    load-balancers = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
  }

  tags = var.tags
}

################################################################################
# Rollback alarms on the target groups
################################################################################

locals {
  target_groups = merge(
    { primary = aws_lb_target_group.this.arn_suffix },
    local.shifts_traffic ? { alternate = aws_lb_target_group.alternate[0].arn_suffix } : {},
  )
  alarm_target_groups = local.create_alarms ? local.target_groups : {}
}

# 5xx responses of the service's targets above 5 % of its requests for 3 minutes, once it serves
# at least 10 requests a minute (so two failed requests do not roll back a quiet service). The
# load balancer reports no data without requests: not breaching.
resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each = local.alarm_target_groups

  alarm_name          = "${var.name}-5xx-rate-${each.key}"
  alarm_description   = "Share of 5xx responses of ${var.name}'s ${each.key} target group, percent: a deployment in progress rolls back"
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "rate"
    expression  = "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)"
    label       = "5xx responses, percent of requests"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      stat        = "Sum"
      period      = 60
      dimensions = {
        LoadBalancer = var.load_balancer.arn_suffix
        TargetGroup  = each.value
      }
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      stat        = "Sum"
      period      = 60
      dimensions = {
        LoadBalancer = var.load_balancer.arn_suffix
        TargetGroup  = each.value
      }
    }
  }

  tags = var.tags
}

# Any target failing its health checks for 2 minutes.
resource "aws_cloudwatch_metric_alarm" "unhealthy" {
  for_each = local.alarm_target_groups

  alarm_name          = "${var.name}-unhealthy-${each.key}"
  alarm_description   = "Unhealthy targets in ${var.name}'s ${each.key} target group: a deployment in progress rolls back"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    LoadBalancer = var.load_balancer.arn_suffix
    TargetGroup  = each.value
  }

  tags = var.tags
}

################################################################################
# Service
################################################################################

module "service" {
  source = "../ecs-service"

  name                   = var.name
  placement              = var.placement
  task_definition_arn    = module.task.task_definition_arn
  container_name         = module.task.container_name
  ingress                = local.ingress
  enable_execute_command = module.task.enable_execute_command

  health_check_grace_period_seconds = local.health_check.grace_period
  load_balancer = {
    target_group_arn = aws_lb_target_group.this.arn
    container_port   = local.port
    advanced = local.shifts_traffic ? {
      alternate_target_group_arn = aws_lb_target_group.alternate[0].arn
      production_listener_rule   = aws_lb_listener_rule.shifted[0].arn
      role_arn                   = module.infrastructure_role[0].arn
    } : null
  }

  deployment                = var.deployment
  load_balancer_alarm_names = concat([for alarm in aws_cloudwatch_metric_alarm.errors : alarm.alarm_name], [for alarm in aws_cloudwatch_metric_alarm.unhealthy : alarm.alarm_name])

  scaling                      = var.scaling
  request_count_resource_label = "${var.load_balancer.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"

  tags = var.tags

  # ECS rejects a target group that no load balancer routes to yet, and needs its role (with its
  # policy) for as long as the service deploys.
  depends_on = [aws_lb_listener_rule.this, aws_lb_listener_rule.shifted, module.infrastructure_role]
}
