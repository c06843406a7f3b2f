locals {
  desired_count = coalesce(var.scaling.desired, var.scaling.min)
}

################################################################################
# Security group: ingress only from the given sources
################################################################################

resource "aws_security_group" "this" {
  # A prefix lets a replacement group exist next to the one the service still uses.
  name_prefix = "${var.name}-"
  description = "Tasks of the ECS service ${var.name}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.ingress

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  referenced_security_group_id = each.value.source_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port

  tags = var.tags
}

# HTTPS to anywhere: ECR, CloudWatch Logs, Secrets Manager, SQS and other AWS APIs. DNS goes to
# the Amazon-provided resolver, which security groups do not filter.
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
  referenced_security_group_id = var.egress_security_group_id

  tags = var.tags
}

################################################################################
# Service
################################################################################

resource "aws_ecs_service" "this" {
  name                   = var.name
  cluster                = var.cluster_arn
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
    for_each = var.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      base              = capacity_provider_strategy.value.base
      weight            = capacity_provider_strategy.value.weight
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.this.id], var.security_group_ids)
    assign_public_ip = var.assign_public_ip
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
    namespace = var.service_connect_namespace_arn

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
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
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
