output "task_definition_arn" {
  description = "ARN of the task definition, with its revision."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family_arn" {
  description = "ARN of the task definition family (the task definition ARN without its revision), known when planning."
  # Spelled out from known parts rather than read from the resource (known only after apply): the
  # policies and definitions that use it stay known in the first plan, where the checks see them.
  value = "arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:task-definition/${aws_ecs_task_definition.this.family}"
}

output "family" {
  description = "Family of the task definition."
  value       = aws_ecs_task_definition.this.family
}

output "container_name" {
  description = "Name of the application container."
  value       = local.container_name
}

output "port_name" {
  description = "Name of the container's port mapping (Service Connect refers to it); null when the container has no port."
  value       = var.task.port == null ? null : local.port_name
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = module.execution_role.arn
}

output "task_role_arn" {
  description = "ARN of the task role."
  value       = module.task_role.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = module.task_role.name
}

output "log_group_name" {
  description = "Name of the log group of the container."
  value       = aws_cloudwatch_log_group.this.name
}

output "enable_execute_command" {
  description = "Whether the task allows ECS Exec (the service must enable it too)."
  value       = var.task.enable_execute_command
}

output "log_retention_days" {
  description = "Retention of the task's logs, days (other logs of the same workload may keep it)."
  value       = var.task.log_retention_days
}
