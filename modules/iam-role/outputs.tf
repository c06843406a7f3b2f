output "arn" {
  description = "ARN of the role, known when planning."
  # Spelled out from known parts rather than read from the resource (known only after apply): the
  # policies and definitions that use it stay known in the first plan, where the checks see them.
  value = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.this.name}"
}

output "name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "id" {
  description = "ID of the role (its name)."
  value       = aws_iam_role.this.id
}
