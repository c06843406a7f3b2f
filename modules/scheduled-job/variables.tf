variable "name" {
  description = "Name of the service: <app>-<env>-<service>. Prefixes the ECS service, task family, IAM roles, log group and security group (ecs-task checks its length)."
  type        = string
}

variable "placement" {
  description = "Where the job's tasks run: cluster, VPC, subnets, public IPs (only for subnets without a NAT route), the application's services group and the capacity provider strategy. A task started by a schedule cannot join Service Connect: service_connect_namespace_arn is not used."
  type = object({
    cluster_arn                   = string
    cluster_name                  = string
    vpc_id                        = string
    subnet_ids                    = list(string)
    assign_public_ip              = optional(bool, false)
    services_security_group_id    = string
    service_connect_namespace_arn = optional(string)
    capacity_provider_strategy = list(object({
      capacity_provider = string
      base              = optional(number, 0)
      weight            = optional(number, 1)
    }))
  })
}

variable "task" {
  description = "The task: image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention. Passed to ecs-task, whose variables.tf declares its fields."
  type        = any
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "schedule" {
  description = "When the job runs: an EventBridge schedule expression (cron(...) or rate(...)), and the seconds a run may take before Step Functions stops its task (null: no limit)."
  type = object({
    expression = string
    timeout    = optional(number)
  })

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule.expression))
    error_message = "The schedule expression must be cron(...) or rate(...)."
  }

  validation {
    condition     = var.schedule.timeout == null ? true : var.schedule.timeout >= 60 && var.schedule.timeout <= 86400
    error_message = "The timeout is between 60 and 86400 seconds."
  }
}
