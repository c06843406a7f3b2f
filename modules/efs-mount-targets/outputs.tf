output "security_group_id" {
  description = "ID of the mount targets' security group, known once every mount target exists: whatever uses it (the tasks' NFS egress rule, and so their ECS service) waits for them."
  value       = aws_security_group.this.id

  depends_on = [aws_efs_mount_target.this, aws_vpc_security_group_ingress_rule.nfs]
}

output "mount_target_ids" {
  description = "IDs of the mount targets: \"<file system id>/<subnet index>\" -> fsmt-..."
  value       = { for key, target in aws_efs_mount_target.this : key => target.id }
}
