locals {
  discovery_name = coalesce(var.discovery_name, var.name)
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
  egress_security_group_id   = var.services_security_group_id
  capacity_provider_strategy = var.capacity_provider_strategy
  enable_execute_command     = var.enable_execute_command

  # Only the application's own services (members of its services group) reach the port.
  ingress = var.port == null ? {} : {
    services = {
      description              = "Traffic from the application's services to the container port"
      source_security_group_id = var.services_security_group_id
      port                     = var.port
    }
  }

  service_connect_namespace_arn = var.service_connect_namespace_arn
  service_connect_server = var.port == null ? null : {
    port_name      = module.task.port_name
    discovery_name = local.discovery_name
    port           = var.port
  }

  scaling = var.scaling

  tags = var.tags
}
