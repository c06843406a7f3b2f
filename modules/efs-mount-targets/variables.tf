variable "name" {
  description = "Name of the mount targets' security group and its Name tag: <app>-<env>-efs."
  type        = string
}

variable "network" {
  description = "Where the mount targets are: the VPC and its private subnets, one per availability zone (one mount target per file system and subnet). The subnet list's length must be known when planning; its ids may not be."
  type = object({
    vpc_id     = string
    subnet_ids = list(string)
  })

  validation {
    condition     = length(var.network.subnet_ids) > 0
    error_message = "Name at least one subnet."
  }
}

variable "file_system_ids" {
  description = "EFS file systems (fs-...) that get a mount target in every subnet. Each file system's mount targets must all be in this VPC (AWS refuses others: MountTargetConflict)."
  type        = list(string)

  validation {
    condition     = alltrue([for id in var.file_system_ids : can(regex("^fs-[0-9a-f]{8,40}$", id))])
    error_message = "File system ids look like fs-0123456789abcdef0."
  }
}

variable "client_security_group_id" {
  description = "The security group whose members mount the file systems (the application's services group, which every task joins): the only source admitted, on TCP 2049 (NFS)."
  type        = string
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
