output "service_name" {
  description = "Name of the ECS service."
  value       = module.service.service_name
}

output "target_group_arn" {
  description = "ARN of the service's target group."
  value       = aws_lb_target_group.this.arn
}

output "alternate_target_group_arn" {
  description = "ARN of the target group ECS deploys new revisions into (blue-green, canary, linear); null for rolling."
  value       = one(aws_lb_target_group.alternate[*].arn)
}

output "security_group_id" {
  description = "ID of the service's own security group."
  value       = module.service.security_group_id
}

output "task_role_arn" {
  description = "ARN of the task role (attach application permissions to it)."
  value       = module.task.task_role_arn
}
