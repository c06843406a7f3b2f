locals {
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

resource "aws_lb_listener_rule" "this" {
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
    for_each = var.http.host_header == null ? [] : [var.http.host_header]

    content {
      host_header {
        values = [condition.value]
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })
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
  }

  scaling                      = var.scaling
  request_count_resource_label = "${var.load_balancer.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"

  tags = var.tags

  # ECS rejects a target group that no load balancer routes to yet.
  depends_on = [aws_lb_listener_rule.this]
}
