variable "name" {
  description = "Name of the job: <app>-<env>-<job>. Prefixes its task family, state machine, schedule, IAM roles, log groups and security group (ecs-task checks the length)."
  type        = string
}

variable "placement" {
  description = "Where the job's tasks run: cluster, VPC, subnets, public IPs (only for subnets without a NAT route), the application's services group, the capacity provider strategy, and the job's own network access: extra security groups on its tasks (security_group_ids) and egress rules beyond the defaults ({cidr_ipv4 or security_group_id, ports, key}). Other attributes (a placement shared with services) are ignored: a task started by a schedule cannot join Service Connect."
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
      key               = optional(string)
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
  description = "When the job runs: an EventBridge Scheduler expression (cron(...) or rate(...)) and the IANA time zone it is read in; the seconds a run may take before Step Functions stops its task (null: no limit); the retries of a failed run (null: none; max_attempts after the first, the first interval_seconds later, each next one backoff_rate times longer); the SNS topic (and its KMS key, if encrypted) where failures and timeouts are published (null: none)."
  type = object({
    expression = string
    timezone   = optional(string, "UTC")
    timeout    = optional(number)
    retries = optional(object({
      max_attempts     = number
      interval_seconds = optional(number, 60)
      backoff_rate     = optional(number, 2)
    }))
    notify = optional(object({
      topic_arn   = string
      kms_key_arn = optional(string)
    }))
  })

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule.expression))
    error_message = "The schedule expression must be cron(...) or rate(...)."
  }

  validation {
    condition     = var.schedule.timeout == null ? true : var.schedule.timeout >= 60 && var.schedule.timeout <= 86400
    error_message = "The timeout is between 60 and 86400 seconds."
  }

  validation {
    condition     = var.schedule.retries == null ? true : (var.schedule.retries.max_attempts >= 0 && var.schedule.retries.max_attempts <= 10 && var.schedule.retries.interval_seconds >= 1 && var.schedule.retries.interval_seconds <= 86400 && var.schedule.retries.backoff_rate >= 1 && var.schedule.retries.backoff_rate <= 10)
    error_message = "Retries: max_attempts 0 to 10, interval_seconds 1 to 86400, backoff_rate 1.0 to 10.0."
  }

  validation {
    condition     = var.schedule.notify == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.schedule.notify.topic_arn))
    error_message = "notify.topic_arn is the ARN of a standard SNS topic."
  }
}
