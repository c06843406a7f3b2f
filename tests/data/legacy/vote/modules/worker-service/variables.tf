variable "name" {
  description = "Name of the service: <app>-<env>-<service>. Prefixes the ECS service, task family, IAM roles, log group and security group."
  type        = string

  validation {
    # IAM role names ("<name>-exec", "<name>-task") have at most 64 characters.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]*$", var.name)) && length(var.name) <= 54
    error_message = "The name must be letters, digits and hyphens, at most 54 characters (IAM role names \"<name>-exec\" have at most 64)."
  }
}

variable "region" {
  description = "Region of the service (awslogs log driver)."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster."
  type        = string
}

variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "assign_public_ip" {
  description = "Give tasks public IPs: only for subnets without a NAT route (a default VPC with public subnets only); ingress stays limited by the security groups."
  type        = bool
  default     = false
}

variable "subnet_ids" {
  description = "Subnets of the tasks: private ones, unless assign_public_ip is set."
  type        = list(string)
}

variable "services_security_group_id" {
  description = "The application's shared services security group (from ecs-cluster): every task joins it."
  type        = string
}

variable "service_connect_namespace_arn" {
  description = "Service Connect namespace of the application: the service is a client of it."
  type        = string
}

variable "capacity_provider_strategy" {
  description = "Capacity provider strategy of the tasks (FARGATE, FARGATE_SPOT or an EC2 capacity provider)."
  type = list(object({
    capacity_provider = string
    base              = number
    weight            = number
  }))

  validation {
    condition     = length(var.capacity_provider_strategy) > 0
    error_message = "Name at least one capacity provider."
  }
}

variable "image" {
  description = "Full image reference of the container."
  type        = string
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
}

variable "memory" {
  description = "Task memory, MiB."
  type        = number
}

variable "port" {
  description = "Container port (TCP), or null. Nothing is admitted to it: the security group has no ingress rule."
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
  description = "Environment variables read from Secrets Manager or SSM Parameter Store: name -> ARN. The execution role may read exactly these."
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
  description = "Enable ECS Exec."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the container logs, days."
  type        = number
  default     = 30
}

variable "scaling" {
  description = "Task count: Application Auto Scaling range min..max, desired count at creation (default min), optional target-tracking targets: average CPU percent, average memory percent. A fixed count n is {min = n, max = n, desired = n}."
  type = object({
    min      = number
    max      = number
    desired  = optional(number)
    cpu      = optional(number)
    memory   = optional(number)
    requests = optional(number)
  })

  validation {
    condition     = var.scaling.min >= 0 && var.scaling.min <= var.scaling.max
    error_message = "Scaling needs 0 <= min <= max."
  }

  validation {
    condition     = var.scaling.requests == null
    error_message = "A worker service has no load balancer: it cannot scale on requests per target."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "queue" {
  description = "The work queue: visibility timeout (seconds), receives before a message moves to the dead-letter queue, message retention (seconds)."
  type = object({
    visibility_timeout = optional(number, 30)
    max_receive_count  = optional(number, 3)
    retention          = optional(number, 345600)
  })
  default = {}

  validation {
    condition     = var.queue.max_receive_count >= 1 && var.queue.retention >= 60 && var.queue.retention <= 1209600
    error_message = "The queue needs max_receive_count >= 1 and a retention of 60 to 1209600 seconds."
  }
}

variable "backlog_per_task" {
  description = "Target number of visible messages per running task (target tracking on queue depth / running tasks)."
  type        = number
  default     = 100

  validation {
    condition     = var.backlog_per_task > 0
    error_message = "The backlog per task must be positive."
  }
}
