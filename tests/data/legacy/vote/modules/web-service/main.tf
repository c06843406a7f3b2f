locals {
  health_check_port = coalesce(var.health_check.port, var.port)

  # The load balancer reaches the container port, and the health check port when it differs.
  ingress = {
    for key, rule in {
      load_balancer = {
        description              = "Traffic from the load balancer to the container port"
        source_security_group_id = var.load_balancer_security_group_id
        port                     = var.port
      }
      health_check = {
        description              = "Health checks from the load balancer"
        source_security_group_id = var.load_balancer_security_group_id
        port                     = local.health_check_port
      }
    } : key => rule if key == "load_balancer" || local.health_check_port != var.port
  }
}

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
# Load balancer routing
################################################################################

resource "aws_lb_target_group" "this" {
  name                 = var.short_name
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.port
  deregistration_delay = "30"

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = var.health_check.path
    port                = var.health_check.port == null ? "traffic-port" : tostring(var.health_check.port)
    matcher             = var.health_check.success_codes
    interval            = var.health_check.interval
    timeout             = var.health_check.timeout
    healthy_threshold   = var.health_check.healthy_threshold
    unhealthy_threshold = var.health_check.unhealthy_threshold
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_lb_listener_rule" "this" {
  listener_arn = var.listener_arn
  priority     = var.listener_rule_priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  condition {
    path_pattern {
      values = [var.path_pattern]
    }
  }

  dynamic "condition" {
    for_each = var.host_header == null ? [] : [var.host_header]

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

  name                       = var.name
  cluster_arn                = var.cluster_arn
  cluster_name               = var.cluster_name
  task_definition_arn        = module.task.task_definition_arn
  container_name             = module.task.container_name
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.subnet_ids
  assign_public_ip           = var.assign_public_ip
  security_group_ids         = [var.services_security_group_id]
  ingress                    = local.ingress
  egress_security_group_id   = var.services_security_group_id
  capacity_provider_strategy = var.capacity_provider_strategy
  enable_execute_command     = var.enable_execute_command

  health_check_grace_period_seconds = var.health_check.grace_period
  load_balancer = {
    target_group_arn = aws_lb_target_group.this.arn
    container_port   = var.port
  }

  service_connect_namespace_arn = var.service_connect_namespace_arn

  scaling                      = var.scaling
  request_count_resource_label = "${var.load_balancer_arn_suffix}/${aws_lb_target_group.this.arn_suffix}"

  tags = var.tags

  # ECS rejects a target group that no load balancer routes to yet.
  depends_on = [aws_lb_listener_rule.this]
}
