variable "name" {
  description = "Task definition family and prefix of the log group and IAM roles (<app>-<env>-<service>)."
  type        = string

  validation {
    # IAM role names have at most 64 characters and the modules append "-exec", "-task", "-runs", "-events".
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$", var.name)) && length(var.name) <= 54
    error_message = "The name must be letters, digits and hyphens (not at either end), at most 54 characters (IAM role names \"<name>-exec\" have at most 64)."
  }
}

variable "task" {
  description = "The task: image, size, container port, command, environment, secrets (Secrets Manager or SSM parameter ARNs, or parameter names of the environment's account and region) and the customer managed KMS keys that encrypt them, filesystem, ECS Exec and log retention. The service modules pass it through unchanged, so this is the one place where its fields are declared."
  type = object({
    image                    = string
    cpu                      = optional(number, 256)
    memory                   = optional(number, 512)
    port                     = optional(number)
    command                  = optional(list(string))
    environment              = optional(map(string), {})
    secrets                  = optional(map(string), {})
    kms_keys                 = optional(list(string), [])
    readonly_root_filesystem = optional(bool, true)
    writable_paths           = optional(list(string), [])
    enable_execute_command   = optional(bool, false)
    log_retention_days       = optional(number, 365)
  })

  validation {
    condition = alltrue([
      for value in values(var.task.secrets) :
      can(regex("^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:(secret:|parameter/)", value)) || can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", value))
    ])
    error_message = "Every secret must be a Secrets Manager secret ARN, an SSM parameter ARN or an SSM parameter name."
  }
}

variable "capacity_providers" {
  description = "Capacity providers the task runs on: FARGATE/FARGATE_SPOT make it Fargate-compatible, any other (an Auto Scaling group provider) EC2-compatible."
  type        = list(string)

  validation {
    condition     = length(var.capacity_providers) > 0
    error_message = "Name at least one capacity provider."
  }
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
