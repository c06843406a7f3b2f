output "task_definition_arn" {
  description = "ARN of the task definition, with its revision."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family_arn" {
  description = "ARN of the task definition family: the task definition ARN without its revision."
  value       = replace(aws_ecs_task_definition.this.arn, "/:[0-9]+$/", "")
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
  value       = var.port == null ? null : local.port_name
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = aws_iam_role.task.name
}

output "log_group_name" {
  description = "Name of the log group of the container."
  value       = aws_cloudwatch_log_group.this.name
}
