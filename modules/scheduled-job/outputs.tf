output "rule_name" {
  description = "Name of the EventBridge rule that runs the job."
  value       = aws_cloudwatch_event_rule.this.name
}

output "task_definition_arn" {
  description = "ARN of the job's task definition (with revision)."
  value       = module.task.task_definition_arn
}
