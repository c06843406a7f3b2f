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
  description = "Container port (TCP) that the load balancer forwards to."
  type        = number
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
  description = "Task count: Application Auto Scaling range min..max, desired count at creation (default min), optional target-tracking targets: average CPU percent, average memory percent, ALB requests per task. A fixed count n is {min = n, max = n, desired = n}."
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
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "short_name" {
  description = "Name of the target group (at most 32 characters, already shortened by the renderer)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.short_name))
    error_message = "A target group name has 1 to 32 letters, digits and hyphens and neither starts nor ends with a hyphen."
  }
}

variable "listener_arn" {
  description = "Listener the routing rule attaches to (HTTPS when the load balancer has a certificate, else HTTP)."
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer: the only source admitted to the tasks."
  type        = string
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension for scaling on requests per target)."
  type        = string
}

variable "path_pattern" {
  description = "Path pattern of the listener rule, e.g. /api/*."
  type        = string
  default     = "/*"
}

variable "host_header" {
  description = "Host header of the listener rule, e.g. vote.example.com; null matches any host."
  type        = string
  default     = null
}

variable "listener_rule_priority" {
  description = "Priority of the listener rule (unique on the listener, 1..50000)."
  type        = number

  validation {
    condition     = var.listener_rule_priority >= 1 && var.listener_rule_priority <= 50000
    error_message = "A listener rule priority is between 1 and 50000."
  }
}

variable "health_check" {
  description = "Target group health check: path, port (null: the container port), success codes, interval/timeout seconds, thresholds, and the grace period (seconds) during which ECS ignores it after a task starts."
  type = object({
    path                = optional(string, "/")
    port                = optional(number)
    success_codes       = optional(string, "200-399")
    interval            = optional(number, 30)
    timeout             = optional(number, 5)
    healthy_threshold   = optional(number, 3)
    unhealthy_threshold = optional(number, 3)
    grace_period        = optional(number, 60)
  })
  default = {}
}
