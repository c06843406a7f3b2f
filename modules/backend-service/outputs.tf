output "service_name" {
  description = "Name of the ECS service."
  value       = module.service.service_name
}

output "security_group_id" {
  description = "ID of the service's own security group."
  value       = module.service.security_group_id
}

output "discovery_name" {
  description = "Name (and DNS name) of the service in the Service Connect namespace: other services reach it at http://<discovery_name>:<port>; null when it has no port."
  value       = local.port == null ? null : local.discovery_name
}

output "dns_name" {
  description = "DNS name of the service in the private DNS namespace (<discovery_name>.<namespace>), for anything in the VPC, scheduled jobs included; null without a port or a namespace."
  value       = length(aws_service_discovery_service.this) == 0 ? null : "${local.discovery_name}.${local.dns_namespace.name}"
}
