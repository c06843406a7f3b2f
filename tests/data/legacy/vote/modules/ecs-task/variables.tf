variable "name" {
  description = "Task definition family and prefix of the log group and IAM roles (<app>-<env>-<service>)."
  type        = string

  validation {
    # IAM role names have at most 64 characters and this module appends "-exec"/"-task".
    condition     = length(var.name) >= 1 && length(var.name) <= 54
    error_message = "The name must have 1 to 54 characters (IAM role names \"<name>-exec\" have at most 64)."
  }
}

variable "region" {
  description = "Region of the log group, for the awslogs log driver."
  type        = string
}

variable "capacity_providers" {
  description = "Capacity providers the task runs on: FARGATE/FARGATE_SPOT make it Fargate-compatible, any other (an Auto Scaling group provider) EC2-compatible."
  type        = list(string)

  validation {
    condition     = length(var.capacity_providers) > 0
    error_message = "Name at least one capacity provider."
  }
}

variable "image" {
  description = "Full image reference of the container."
  type        = string
}

variable "cpu" {
  description = "Task CPU units (Fargate cpu/memory pairs apply on Fargate)."
  type        = number
}

variable "memory" {
  description = "Task memory, MiB."
  type        = number
}

variable "port" {
  description = "Container port (TCP), or null for a container that listens on no port."
  type        = number
  default     = null
}

variable "command" {
  description = "Command of the container; null keeps the image's default."
  type        = list(string)
  default     = null
}

variable "environment" {
  description = "Plain environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables read from Secrets Manager or SSM Parameter Store: name -> secret or parameter ARN. The execution role may read exactly these."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.secrets) : can(regex("^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:(secret:|parameter/)", arn))])
    error_message = "Every secret must be a Secrets Manager secret ARN or an SSM parameter ARN."
  }
}

variable "readonly_root_filesystem" {
  description = "Mount the container's root filesystem read-only."
  type        = bool
  default     = true
}

variable "writable_paths" {
  description = "Directories the container writes to (e.g. /tmp): each becomes a task-scoped scratch volume, so the root filesystem can stay read-only."
  type        = list(string)
  default     = []
}

variable "enable_execute_command" {
  description = "Allow ECS Exec: grants the task role the SSM Session Manager channel actions."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the container logs, days."
  type        = number
  default     = 30
}

variable "task_role_policies" {
  description = "Inline policies of the task role (what the application itself may do): policy name -> IAM policy JSON. Keys must be known at plan time."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
