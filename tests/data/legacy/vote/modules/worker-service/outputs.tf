output "service_name" {
  description = "Name of the ECS service."
  value       = module.service.service_name
}

output "queue_url" {
  description = "URL of the work queue (the container's QUEUE_URL)."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the work queue."
  value       = aws_sqs_queue.this.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}
