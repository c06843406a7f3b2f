output "capacity_provider_name" {
  description = "Name of the ECS capacity provider backed by the Auto Scaling group."
  value       = aws_ecs_capacity_provider.this.name
}

output "autoscaling_group_arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}

output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "ID of the launch template of the instances."
  value       = aws_launch_template.this.id
}

output "instance_role_arn" {
  description = "ARN of the IAM role of the container instances."
  value       = module.instance_role.arn
}

output "security_group_id" {
  description = "ID of the security group of the container instances."
  value       = aws_security_group.instance.id
}
