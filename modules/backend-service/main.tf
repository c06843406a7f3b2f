locals {
  port           = try(var.task.port, null)
  discovery_name = coalesce(var.discovery_name, var.name)
  # Registered by DNS only with a port to reach and a namespace to register in.
  dns_namespace = local.port == null ? null : var.dns_namespace
}

# <discovery_name>.<namespace>: one A record per running task (MULTIVALUE answers up to eight
# healthy ones); ECS reports the tasks' health (custom health check), and a short TTL keeps
# stopped tasks' addresses out of resolvers' caches.
resource "aws_service_discovery_service" "this" {
  count = local.dns_namespace == null ? 0 : 1

  name        = local.discovery_name
  description = "Tasks of the ECS service ${var.name}"

  dns_config {
    namespace_id   = local.dns_namespace.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # failure_threshold is deprecated: AWS always uses 1.
  health_check_custom_config {}

  # Cloud Map refuses to delete a service that still has instances, and ECS deregisters a removed
  # service's tasks after Terraform moves on: delete them with it.
  force_destroy = true

  tags = var.tags
}

module "task" {
  source = "../ecs-task"

  name               = var.name
  task               = var.task
  capacity_providers = [for strategy in var.placement.capacity_provider_strategy : strategy.capacity_provider]

  tags = var.tags
}

module "service" {
  source = "../ecs-service"

  name                   = var.name
  placement              = var.placement
  task_definition_arn    = module.task.task_definition_arn
  container_name         = module.task.container_name
  enable_execute_command = module.task.enable_execute_command

  # Only the application's own services (members of its services group) reach the port.
  ingress = local.port == null ? {} : {
    services = {
      description              = "Traffic from the application's services to the container port"
      source_security_group_id = var.placement.services_security_group_id
      port                     = local.port
    }
  }

  service_connect_server = local.port == null ? null : {
    port_name      = module.task.port_name
    discovery_name = local.discovery_name
    port           = local.port
  }

  service_registry = local.dns_namespace == null ? null : { registry_arn = aws_service_discovery_service.this[0].arn }

  scaling    = var.scaling
  deployment = var.deployment

  tags = var.tags
}
