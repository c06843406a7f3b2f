output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster, known when planning; available once its capacity providers are associated (services depend on them)."
  # Spelled out from known parts rather than read from the resource (known only after apply): the
  # policies and definitions that use it stay known in the first plan, where the checks see them.
  value = "arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:cluster/${aws_ecs_cluster.this.name}"

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "service_connect_namespace_arn" {
  description = "ARN of the Service Connect (Cloud Map HTTP) namespace of the cluster."
  value       = aws_service_discovery_http_namespace.this.arn
}

output "services_security_group_id" {
  description = "ID of the application's shared security group that every task joins."
  value       = aws_security_group.services.id
}

output "dns_namespace" {
  description = "The private DNS namespace of the backend services: {id, name}; null without var.dns_namespace."
  value = var.dns_namespace == null ? null : {
    id   = aws_service_discovery_private_dns_namespace.this[0].id
    name = aws_service_discovery_private_dns_namespace.this[0].name
  }
}
