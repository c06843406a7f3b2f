output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = aws_ecs_service.this.arn
}

output "security_group_id" {
  description = "ID of the service's own security group."
  value       = aws_security_group.this.id
}

output "scaling_resource_id" {
  description = "Application Auto Scaling resource ID of the service (service/<cluster>/<service>), once its scalable target exists."
  value       = aws_appautoscaling_target.this.resource_id
}
