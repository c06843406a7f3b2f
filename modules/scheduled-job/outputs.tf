output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule that runs the job (in the default schedule group)."
  value       = aws_scheduler_schedule.this.name
}

output "task_definition_arn" {
  description = "ARN of the job's task definition (with revision)."
  value       = module.task.task_definition_arn
}

output "state_machine_arn" {
  description = "ARN of the Step Functions state machine that runs the task (start it by hand with the schedule target's input for an unscheduled run)."
  value       = aws_sfn_state_machine.this.arn
}
