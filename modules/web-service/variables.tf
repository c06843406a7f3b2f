variable "name" {
  description = "Name of the web service: <app>-<env>-<service>. Prefixes its ECS service, task family, IAM roles, log group and security group (ecs-task checks the length)."
  type        = string
}

variable "placement" {
  description = "Where the web service's tasks run: cluster, VPC, subnets, public IPs, the services group, the Service Connect namespace, the capacity provider strategy. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "task" {
  description = "The web service's task: its container listens on task.port, where the load balancer forwards (and health-checks). Passed to ecs-task, whose variables.tf declares its fields (image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention)."
  type        = any
}

variable "tags" {
  description = "Tags of every resource of the web service."
  type        = map(string)
  default     = {}
}

variable "scaling" {
  description = "Task count: {min, max, desired, cpu, memory, requests} with optional target-tracking targets. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "deployment" {
  description = "How ECS deploys a new revision: {strategy, min_healthy_percent, max_percent, bake_time, canary, linear, alarms}. BLUE_GREEN, CANARY and LINEAR add an alternate target group, a listener rule forwarding to both and the role ECS shifts traffic with; alarms.create adds 5xx-rate and unhealthy-target alarms per target group. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
  default     = {}
}

variable "load_balancer" {
  description = "The application load balancer the service's listener rule attaches to: the listener (HTTPS when there is a certificate, else HTTP), its security group (the only source admitted to the tasks) and its ARN suffix (CloudWatch dimension for scaling on requests)."
  type = object({
    listener_arn      = string
    security_group_id = string
    arn_suffix        = string
  })
}

variable "http" {
  description = "Routing and health: the start of the target group's name (at most 25 characters, shortened by the renderer; a digest of port, protocol, target type and VPC ends it), the listener rule's path pattern, host headers (empty: any host; at most 4 with the path, ALB's 5 condition values per rule) and priority (unique on the listener), and the target group health check, whose grace_period is the seconds ECS ignores it after a task starts."
  type = object({
    target_group_name = string
    path_pattern      = optional(string, "/*")
    host_headers      = optional(list(string), [])
    priority          = number
    health_check = optional(object({
      path                = optional(string, "/")
      port                = optional(number)
      success_codes       = optional(string, "200-399")
      interval            = optional(number, 30)
      timeout             = optional(number, 5)
      healthy_threshold   = optional(number, 3)
      unhealthy_threshold = optional(number, 3)
      grace_period        = optional(number, 60)
    }), {})
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,23}[A-Za-z0-9])?$", var.http.target_group_name))
    error_message = "The target group name's start has 1 to 25 letters, digits and hyphens and neither starts nor ends with a hyphen (a hyphen and 6 characters follow; AWS allows 32)."
  }

  validation {
    condition     = var.http.priority >= 1 && var.http.priority <= 50000
    error_message = "A listener rule priority is between 1 and 50000."
  }

  validation {
    condition     = length(var.http.host_headers) <= 4
    error_message = "At most 4 host headers: with the path pattern they are the rule's condition values, of which ALB allows 5."
  }
}
