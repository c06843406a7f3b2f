data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

resource "aws_service_discovery_http_namespace" "this" {
  name        = var.name
  description = "Service Connect namespace of ${var.name}"

  tags = var.tags
}

# Backend services register here too (Cloud Map DNS, A records of their tasks), so that what
# cannot join Service Connect (scheduled jobs, anything else in the VPC) resolves
# <service>.<namespace>. Service Connect keeps its own HTTP namespace above.
resource "aws_service_discovery_private_dns_namespace" "this" {
  count = var.dns_namespace == null ? 0 : 1

  name        = var.dns_namespace
  description = "DNS names of the backend services of ${var.name}"
  vpc         = var.vpc_id

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.this.arn
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = var.capacity_providers

  dynamic "default_capacity_provider_strategy" {
    for_each = var.default_capacity_provider_strategy

    content {
      capacity_provider = default_capacity_provider_strategy.value.capacity_provider
      base              = default_capacity_provider_strategy.value.base
      weight            = default_capacity_provider_strategy.value.weight
    }
  }
}

# Every task of the application joins this group; backend services admit traffic from it. It has
# no rules of its own: each service's own group carries its egress.
resource "aws_security_group" "services" {
  name        = "${var.name}-services"
  description = "Tasks of ${var.name}: backend services admit traffic from members of this group"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-services" })
}
