variable "name" {
  description = "Prefix of every name the module creates and name of the capacity provider, e.g. <app>-<env>-ec2 (must not start with \"aws\", \"ecs\" or \"fargate\")."
  type        = string
}

variable "cluster_name" {
  description = "Name of the ECS cluster the instances join."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type of the Auto Scaling group."
  type        = string
  default     = "t3.medium"
}

variable "ami_id" {
  description = "AMI of the instances, pinned (e.g. ami-0abcdef1234567890). null: the latest ECS-optimized Amazon Linux 2023 AMI for the instance type's architecture (x86_64, or arm64 for Graviton types), read from SSM, so each AMI release starts an instance refresh."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", var.ami_id))
    error_message = "An AMI ID is ami- and 8 or 17 hexadecimal digits."
  }
}

variable "min_size" {
  description = "Minimum number of instances."
  type        = number
  default     = 0
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
  default     = 10
}

variable "target_capacity" {
  description = "Managed scaling target: percentage of the group's capacity that tasks should use (1-100)."
  type        = number
  default     = 100

  validation {
    condition     = var.target_capacity >= 1 && var.target_capacity <= 100
    error_message = "The target_capacity must be between 1 and 100."
  }
}

variable "vpc_id" {
  description = "VPC of the instances' security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets the instances run in (private subnets)."
  type        = list(string)
}

variable "root_volume_size" {
  description = "Size of the encrypted root volume of each instance, GiB."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every taggable resource and propagated to the instances."
  type        = map(string)
  default     = {}
}
