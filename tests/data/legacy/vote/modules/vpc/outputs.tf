output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone (load balancer, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone (tasks, instances)."
  value       = aws_subnet.private[*].id
}

output "availability_zones" {
  description = "Availability zones the subnets are in."
  value       = local.azs
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group that receives the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}
