locals {
  port           = try(var.task.port, null)
  discovery_name = coalesce(var.discovery_name, var.name)
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

  scaling    = var.scaling
  deployment = var.deployment

  tags = var.tags
}
