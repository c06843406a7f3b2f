output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer, for CloudWatch metrics and request-count scaling."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "ID of the load balancer's security group (services admit traffic from it)."
  value       = aws_security_group.this.id
}

output "listener_arn" {
  description = "ARN of the listener that service rules attach to: HTTPS when a certificate is set, else HTTP."
  value       = local.https ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
}

output "http_listener_arn" {
  description = "ARN of the HTTP listener."
  value       = aws_lb_listener.http.arn
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener, or null without a certificate."
  value       = local.https ? aws_lb_listener.https[0].arn : null
}

output "alias_names" {
  description = "Names of the alias records that point at the load balancer (empty without var.dns)."
  value       = sort([for record in aws_route53_record.alias : record.name])
}
