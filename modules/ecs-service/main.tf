locals {
  desired_count = coalesce(var.scaling.desired, var.scaling.min)
  rolling       = var.deployment.strategy == "ROLLING"
  # The alarms a deployment watches: this module's, the load balancer's (web-service) and existing ones.
  alarm_names = sort(distinct(concat(
    [for alarm in aws_cloudwatch_metric_alarm.cpu : alarm.alarm_name],
    var.deployment.alarms.create ? var.load_balancer_alarm_names : [],
    var.deployment.alarms.names,
  )))
}

################################################################################
# Security group: ingress only from the given sources
################################################################################

module "security_group" {
  source = "../task-security-group"

  name                       = var.name
  description                = "Tasks of the ECS service ${var.name}"
  vpc_id                     = var.placement.vpc_id
  ingress                    = var.ingress
  egress                     = var.placement.egress
  services_security_group_id = var.placement.services_security_group_id

  tags = var.tags
}
################################################################################
# Service
################################################################################

resource "aws_ecs_service" "this" {
  name                   = var.name
  cluster                = var.placement.cluster_arn
  task_definition        = var.task_definition_arn
  desired_count          = local.desired_count
  enable_execute_command = var.enable_execute_command

  deployment_minimum_healthy_percent = var.deployment.min_healthy_percent
  deployment_maximum_percent         = var.deployment.max_percent
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds
  # Changing the capacity provider strategy is refused unless it deploys anew (provider 6.x).
  force_new_deployment = true
  # An apply succeeds only when the tasks run: an image that cannot be pulled fails it.
  wait_for_steady_state = true

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  dynamic "capacity_provider_strategy" {
    for_each = var.placement.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      base              = capacity_provider_strategy.value.base
      weight            = capacity_provider_strategy.value.weight
    }
  }

  network_configuration {
    subnets          = var.placement.subnet_ids
    security_groups  = concat([module.security_group.id, var.placement.services_security_group_id], var.placement.security_group_ids)
    assign_public_ip = var.placement.assign_public_ip
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # ECS native blue-green, canary and linear deployments (rolling keeps ECS's default: no block,
  # so services deployed before the field existed plan no change). Bake times are always given:
  # ECS requires one for BLUE_GREEN, and an omitted computed value would plan as unknown.
  dynamic "deployment_configuration" {
    for_each = local.rolling ? [] : [var.deployment]

    content {
      strategy             = deployment_configuration.value.strategy
      bake_time_in_minutes = tostring(deployment_configuration.value.bake_time)

      dynamic "canary_configuration" {
        for_each = deployment_configuration.value.strategy == "CANARY" ? [deployment_configuration.value.canary] : []

        content {
          canary_percent              = canary_configuration.value.percent
          canary_bake_time_in_minutes = tostring(canary_configuration.value.interval)
        }
      }

      dynamic "linear_configuration" {
        for_each = deployment_configuration.value.strategy == "LINEAR" ? [deployment_configuration.value.linear] : []

        content {
          step_percent              = linear_configuration.value.percent
          step_bake_time_in_minutes = tostring(linear_configuration.value.interval)
        }
      }
    }
  }

  # A deployment fails, and rolls back, when one of these alarms goes off (ECS ignores an alarm
  # already in ALARM when the deployment starts).
  dynamic "alarms" {
    for_each = length(local.alarm_names) == 0 ? [] : [local.alarm_names]

    content {
      alarm_names = alarms.value
      enable      = true
      rollback    = true
    }
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]

    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.container_name
      container_port   = load_balancer.value.container_port

      # Blue-green, canary, linear: ECS registers the new revision in the alternate target group
      # and shifts the production rule's weights, as the role it assumes.
      dynamic "advanced_configuration" {
        for_each = load_balancer.value.advanced == null ? [] : [load_balancer.value.advanced]

        content {
          alternate_target_group_arn = advanced_configuration.value.alternate_target_group_arn
          production_listener_rule   = advanced_configuration.value.production_listener_rule
          role_arn                   = advanced_configuration.value.role_arn
        }
      }
    }
  }

  dynamic "service_registries" {
    for_each = var.service_registry == null ? [] : [var.service_registry]

    content {
      registry_arn = service_registries.value.registry_arn
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.placement.service_connect_namespace_arn

    dynamic "service" {
      for_each = var.service_connect_server == null ? [] : [var.service_connect_server]

      content {
        port_name      = service.value.port_name
        discovery_name = service.value.discovery_name

        client_alias {
          dns_name = service.value.discovery_name
          port     = service.value.port
        }
      }
    }
  }

  tags = var.tags

  lifecycle {
    # Application Auto Scaling owns the task count after creation.
    ignore_changes = [desired_count]
  }

  # Tasks start only once their security group's rules admit the load balancer and the services.
  depends_on = [module.security_group]
}

################################################################################
# Rollback alarm: CPU near the tasks' limit
################################################################################

# Average CPU of the service above 90 % for 3 minutes: above the 70 % the scaling targets by
# default, so scaling gets its chance first. No data (no tasks yet) does not fail a deployment.
resource "aws_cloudwatch_metric_alarm" "cpu" {
  count = var.deployment.alarms.create ? 1 : 0

  alarm_name          = "${var.name}-cpu-high"
  alarm_description   = "CPU of the ECS service ${var.name} near its limit: a deployment in progress rolls back"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    ClusterName = var.placement.cluster_name
    ServiceName = var.name
  }

  tags = var.tags
}

################################################################################
# Scaling
################################################################################

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.placement.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.scaling.min
  max_capacity       = var.scaling.max

  tags = var.tags
}

# One target-tracking policy per target the scaling sets: average CPU, average memory, ALB
# requests per task.
resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = {
    for metric, target in {
      cpu      = { metric_type = "ECSServiceAverageCPUUtilization", value = var.scaling.cpu, label = null }
      memory   = { metric_type = "ECSServiceAverageMemoryUtilization", value = var.scaling.memory, label = null }
      requests = { metric_type = "ALBRequestCountPerTarget", value = var.scaling.requests, label = var.request_count_resource_label }
    } : metric => target if target.value != null
  }

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value = each.value.value

    predefined_metric_specification {
      predefined_metric_type = each.value.metric_type
      resource_label         = each.value.label
    }
  }

  lifecycle {
    precondition {
      condition     = each.key != "requests" || var.request_count_resource_label != null
      error_message = "Scaling on requests per target needs a load balancer target group (request_count_resource_label)."
    }
  }
}
