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
  services_security_group_id = var.placement.services_security_group_id

  tags = var.tags
}

# The group and its rules lived in this module before task-security-group existed.
moved {
  from = aws_security_group.this
  to   = module.security_group.aws_security_group.this
}

moved {
  from = aws_vpc_security_group_ingress_rule.this
  to   = module.security_group.aws_vpc_security_group_ingress_rule.this
}

moved {
  from = aws_vpc_security_group_egress_rule.https
  to   = module.security_group.aws_vpc_security_group_egress_rule.https
}

moved {
  from = aws_vpc_security_group_egress_rule.services
  to   = module.security_group.aws_vpc_security_group_egress_rule.services
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
  wait_for_steady_state              = false

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
    security_groups  = [module.security_group.id, var.placement.services_security_group_id]
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

resource "aws_appautoscaling_policy" "cpu" {
  count = var.scaling.cpu == null ? 0 : 1

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value = var.scaling.cpu

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  count = var.scaling.memory == null ? 0 : 1

  name               = "${var.name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value = var.scaling.memory

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count = var.scaling.requests == null ? 0 : 1

  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value = var.scaling.requests

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = var.request_count_resource_label
    }
  }

  lifecycle {
    precondition {
      condition     = var.request_count_resource_label != null
      error_message = "Scaling on requests per target needs a load balancer target group (request_count_resource_label)."
    }
  }
}
