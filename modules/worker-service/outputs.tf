output "service_name" {
  description = "Name of the ECS service."
  value       = module.service.service_name
}

output "queue_url" {
  description = "URL of the work queue (the container's QUEUE_URL), known when planning (spelled from its parts, as the senders' <WORKER>_QUEUE_URL)."
  value       = local.queue_url
}

output "queue_arn" {
  description = "ARN of the work queue, known when planning (spelled from its parts: the senders' policies stay known in the first plan, where the checks see them)."
  value       = local.queue_arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}
