variable "name" {
  description = "Name of the ECS service and prefix of its security group and scaling policies."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 255
    error_message = "The name of an ECS service has 1 to 255 characters."
  }
}

variable "placement" {
  description = "Where the tasks run: cluster, VPC and subnets, public IPs (only for subnets without a NAT route), the application's services group (every task joins it and may reach its members), the Service Connect namespace, the capacity provider strategy, and the service's own network access: extra security groups on its tasks (security_group_ids; ECS allows 5 with the two of every task) and egress rules beyond the defaults ({cidr_ipv4 or security_group_id, ports, key}). The service modules pass it through unchanged, so this is the one place where its fields are declared."
  type = object({
    cluster_arn                   = string
    cluster_name                  = string
    vpc_id                        = string
    subnet_ids                    = list(string)
    assign_public_ip              = optional(bool, false)
    services_security_group_id    = string
    service_connect_namespace_arn = string
    security_group_ids            = optional(list(string), [])
    egress = optional(list(object({
      cidr_ipv4         = optional(string)
      security_group_id = optional(string)
      ports             = list(number)
      key               = optional(string)
    })), [])
    capacity_provider_strategy = list(object({
      capacity_provider = string
      base              = optional(number, 0)
      weight            = optional(number, 1)
    }))
  })

  validation {
    condition     = length(var.placement.security_group_ids) <= 3
    error_message = "At most 3 extra security groups: ECS allows 5 per task, and every task has its own group and the services group."
  }

  validation {
    condition     = length(var.placement.capacity_provider_strategy) > 0
    error_message = "Name at least one capacity provider."
  }
}

variable "task_definition_arn" {
  description = "ARN of the task definition the service runs."
  type        = string
}

variable "container_name" {
  description = "Name of the application container (load balancer attachment)."
  type        = string
}

variable "ingress" {
  description = "Ingress rules of the service's security group: key -> {description, source security group, TCP port, egress_from_source (the source group also gets the matching egress rule)}. Nothing else is admitted. Keys must be known at plan time."
  type = map(object({
    description              = string
    source_security_group_id = string
    port                     = number
    egress_from_source       = optional(bool, false)
  }))
  default = {}
}

variable "enable_execute_command" {
  description = "Enable ECS Exec on the service's tasks."
  type        = bool
  default     = false
}

variable "health_check_grace_period_seconds" {
  description = "Seconds the scheduler ignores load balancer health checks after a task starts; null without a load balancer."
  type        = number
  default     = null
}

variable "load_balancer" {
  description = "Target group the service registers its tasks in; null for none. advanced: for blue-green, canary and linear deployments, the alternate target group, the production listener rule (forwarding to both) and the role ECS assumes to shift its weights."
  type = object({
    target_group_arn = string
    container_port   = number
    advanced = optional(object({
      alternate_target_group_arn = string
      production_listener_rule   = string
      role_arn                   = string
    }))
  })
  default = null
}

variable "deployment" {
  description = "How ECS deploys a new revision: strategy ROLLING (min_healthy_percent, max_percent), BLUE_GREEN, CANARY (canary: percent, interval) or LINEAR (linear: percent, interval), with bake_time (minutes) for the last three; alarms: create this module's CPU alarm (and watch load_balancer_alarm_names), plus the names of existing alarms. A deployment rolls back when one of them goes off."
  type = object({
    strategy            = optional(string, "ROLLING")
    min_healthy_percent = optional(number, 100)
    max_percent         = optional(number, 200)
    bake_time           = optional(number, 10)
    canary              = optional(object({ percent = number, interval = number }))
    linear              = optional(object({ percent = number, interval = number }))
    alarms = optional(object({
      create = optional(bool, false)
      names  = optional(list(string), [])
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"], var.deployment.strategy)
    error_message = "The deployment strategy is ROLLING, BLUE_GREEN, CANARY or LINEAR."
  }

  validation {
    condition     = (var.deployment.strategy == "CANARY") == (var.deployment.canary != null) && (var.deployment.strategy == "LINEAR") == (var.deployment.linear != null)
    error_message = "canary settings go with strategy CANARY, linear settings with LINEAR, and only there."
  }
}

variable "load_balancer_alarm_names" {
  description = "Alarms on the service's target groups (web-service) that a deployment watches when deployment.alarms.create is set."
  type        = list(string)
  default     = []
}

variable "service_connect_server" {
  description = "Expose the container port in the Service Connect namespace as <discovery_name>:<port>; null for a client only."
  type = object({
    port_name      = string
    discovery_name = string
    port           = number
  })
  default = null
}

variable "service_registry" {
  description = "Cloud Map service the tasks register in (registry_arn; A records of awsvpc tasks, so no port), alongside Service Connect; null for none."
  type = object({
    registry_arn = string
  })
  default = null
}

variable "scaling" {
  description = "Task count: min..max range of Application Auto Scaling, desired count at creation, target-tracking targets (average CPU and memory percent, ALB requests per task); a fixed count n is {min = n, max = n, desired = n}. The service modules pass it through, so this is where its fields are declared."
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

variable "request_count_resource_label" {
  description = "<load balancer arn_suffix>/<target group arn_suffix>, for scaling on ALB requests per target; required when scaling.requests is set."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
