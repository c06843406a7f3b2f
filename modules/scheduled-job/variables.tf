variable "name" {
  description = "Name of the job: <app>-<env>-<job>. Prefixes its task family, state machine, schedule, IAM roles, log groups and security group (ecs-task checks the length)."
  type        = string
}

variable "placement" {
  description = "Where the job's tasks run: cluster, VPC, subnets, public IPs (only for subnets without a NAT route), the application's services group, the capacity provider strategy, and the job's own network access: extra security groups on its tasks (security_group_ids) and egress rules beyond the defaults ({cidr_ipv4 or security_group_id, ports}). Other attributes (a placement shared with services) are ignored: a task started by a schedule cannot join Service Connect."
  type = object({
    cluster_arn                = string
    vpc_id                     = string
    subnet_ids                 = list(string)
    assign_public_ip           = optional(bool, false)
    services_security_group_id = string
    security_group_ids         = optional(list(string), [])
    egress = optional(list(object({
      cidr_ipv4         = optional(string)
      security_group_id = optional(string)
      ports             = list(number)
    })), [])
    capacity_provider_strategy = list(object({
      capacity_provider = string
      base              = optional(number, 0)
      weight            = optional(number, 1)
    }))
  })
}

variable "task" {
  description = "The job's task, run once per schedule: its log retention also applies to the run history. Passed to ecs-task, whose variables.tf declares its fields (image, size, command, environment, secrets, filesystem, ECS Exec, log retention)."
  type        = any
}

variable "tags" {
  description = "Tags of every resource of the job."
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
