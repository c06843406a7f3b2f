locals {
  desired_count = coalesce(var.scaling.desired, var.scaling.min)
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

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
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

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]

    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.container_name
      container_port   = load_balancer.value.container_port
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
