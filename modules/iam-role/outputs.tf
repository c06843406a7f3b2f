output "arn" {
  description = "ARN of the role."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "id" {
  description = "ID of the role (its name)."
  value       = aws_iam_role.this.id
}
