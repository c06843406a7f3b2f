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
  description = "The task: image, size, container port, CPU architecture (X86_64 or ARM64: ECS RuntimePlatform), entry point, command, the container's health check (ECS HealthCheck: CMD or CMD-SHELL command, interval, timeout, retries, start_period), environment, secrets (Secrets Manager or SSM parameter ARNs, or parameter names of the environment's account and region) and the customer managed KMS keys that encrypt them (kms_keys), filesystem, ECS Exec, log retention, the task role's permissions (managed policy ARNs attached to it; statements {effect, actions, resources, conditions} of one inline policy), the queues it sends to (send_queues: environment variable -> {queue ARN, queue URL}: the URL in that variable, sqs:SendMessage and sqs:GetQueueUrl on exactly those queues; sends_to: the same variables -> the blueprint's worker names, which the root module resolves into send_queues), an environment file (env_file: an S3 object ARN ending in .env, which only the execution role may read), sidecar containers by name (sidecars: image, essential, port, environment, secrets in the forms of the service's, command, health check, cpu and memory_reservation reservations, writable_paths; each logs to the task's log group under its own stream prefix, with a read-only root filesystem) and the sidecars the service's container waits for (depends_on: sidecar -> START, HEALTHY, COMPLETE or SUCCESS: ECS ContainerDependency), ephemeral_storage (GiB of Fargate task storage, 21-200) and volumes (name -> EFS volume {path in the container, read_only, file_system_id, access_point_id, root_directory}: mounted with transit encryption and IAM authorization, the task role allowed elasticfilesystem:ClientMount, and ClientWrite unless read_only, on exactly those file systems, through the access point when one is given; the tasks' NFS egress is the service's placement.egress). The service modules pass it through unchanged, so this is the one place where its fields are declared."
  type = object({
    image            = string
    cpu              = optional(number, 256)
    memory           = optional(number, 512)
    port             = optional(number)
    cpu_architecture = optional(string, "X86_64")
    entrypoint       = optional(list(string))
    command          = optional(list(string))
    healthcheck = optional(object({
      command      = list(string)
      interval     = optional(number, 30)
      timeout      = optional(number, 5)
      retries      = optional(number, 3)
      start_period = optional(number)
    }))
    environment              = optional(map(string), {})
    secrets                  = optional(map(string), {})
    kms_keys                 = optional(list(string), [])
    readonly_root_filesystem = optional(bool, true)
    writable_paths           = optional(list(string), [])
    enable_execute_command   = optional(bool, false)
    log_retention_days       = optional(number, 365)
    managed_policy_arns      = optional(list(string), [])
    sends_to                 = optional(map(string), {})
    send_queues = optional(map(object({
      arn = string
      url = string
    })), {})
    policy_statements = optional(list(object({
      effect    = optional(string, "Allow")
      actions   = list(string)
      resources = list(string)
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    })), [])
    ephemeral_storage = optional(number)
    volumes = optional(map(object({
      path            = string
      read_only       = optional(bool, false)
      file_system_id  = string
      access_point_id = optional(string)
      root_directory  = optional(string, "/")
    })), {})
    env_file = optional(string)
    sidecars = optional(map(object({
      image       = string
      essential   = optional(bool, true)
      port        = optional(number)
      environment = optional(map(string), {})
      secrets     = optional(map(string), {})
      command     = optional(list(string))
      healthcheck = optional(object({
        command      = list(string)
        interval     = optional(number, 30)
        timeout      = optional(number, 5)
        retries      = optional(number, 3)
        start_period = optional(number)
      }))
      cpu                = optional(number)
      memory_reservation = optional(number)
      writable_paths     = optional(list(string), [])
    })), {})
    depends_on = optional(map(string), {})
  })

  validation {
    condition = alltrue([
      for value in concat(values(var.task.secrets), flatten([for sidecar in values(var.task.sidecars) : values(sidecar.secrets)])) :
      can(regex("^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:(secret:|parameter/)", value)) || can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", value))
    ])
    error_message = "Every secret must be a Secrets Manager secret ARN, an SSM parameter ARN or an SSM parameter name."
  }

  validation {
    condition     = contains(["X86_64", "ARM64"], var.task.cpu_architecture)
    error_message = "The CPU architecture is X86_64 or ARM64."
  }

  validation {
    condition = var.task.healthcheck == null || try(
      contains(["CMD", "CMD-SHELL"], var.task.healthcheck.command[0]) && length(var.task.healthcheck.command) >= 2
      && var.task.healthcheck.interval >= 5 && var.task.healthcheck.interval <= 300
      && var.task.healthcheck.timeout >= 2 && var.task.healthcheck.timeout <= 60
      && var.task.healthcheck.retries >= 1 && var.task.healthcheck.retries <= 10
      && (var.task.healthcheck.start_period == null || (var.task.healthcheck.start_period >= 0 && var.task.healthcheck.start_period <= 300)),
      false,
    )
    error_message = "A health check command starts with CMD or CMD-SHELL; interval is 5-300 s, timeout 2-60 s, retries 1-10, start_period 0-300 s (ECS HealthCheck)."
  }

  validation {
    condition     = alltrue([for arn in var.task.managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", arn))])
    error_message = "Every managed policy must be an IAM policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)."
  }

  validation {
    condition     = var.task.ephemeral_storage == null || try(var.task.ephemeral_storage >= 21 && var.task.ephemeral_storage <= 200, false)
    error_message = "Ephemeral storage is 21-200 GiB (ECS EphemeralStorage, Fargate only)."
  }

  validation {
    condition = alltrue([
      for name, volume in var.task.volumes :
      can(regex("^[a-z][a-z0-9_-]{0,31}$", name)) && !can(regex("^(.+-)?scratch-[0-9]+$", name))
      && can(regex("^/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", volume.path))
      && can(regex("^fs-[0-9a-f]{8,40}$", volume.file_system_id))
      && (volume.access_point_id == null || can(regex("^fsap-[0-9a-f]{8,40}$", coalesce(volume.access_point_id, "-"))))
      && (volume.access_point_id == null || volume.root_directory == "/")
    ])
    error_message = "Every volume has a name of lower-case letters, digits, hyphens and underscores (not scratch-N or SIDECAR-scratch-N), an absolute path, a file system ID (fs-...), an optional access point ID (fsap-...), and with an access point the root directory / (ECS mounts the access point's directory)."
  }

  validation {
    condition     = length(distinct([for volume in values(var.task.volumes) : volume.path])) == length(var.task.volumes)
    error_message = "Every volume is mounted at its own path."
  }

  validation {
    condition     = alltrue([for statement in var.task.policy_statements : contains(["Allow", "Deny"], statement.effect) && length(statement.actions) > 0 && length(statement.resources) > 0])
    error_message = "Every policy statement has the effect Allow or Deny, at least one action and at least one resource."
  }

  validation {
    condition     = var.task.env_file == null || can(regex("^arn:aws[a-z-]*:s3:::[^/]+/.+\\.env$", var.task.env_file))
    error_message = "The environment file is an S3 object ARN whose key ends in .env (arn:aws:s3:::BUCKET/KEY.env)."
  }

  validation {
    condition     = length(var.task.sidecars) <= 9 && alltrue([for name in keys(var.task.sidecars) : name != "app" && can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "At most 9 sidecars (ECS: 10 containers per task definition). Sidecar names are lower-case letters, digits and hyphens (at most 32, starting with a letter), and not app (the service's own container)."
  }

  validation {
    # awsvpc: the containers of a task share its network, so no two listen on one port.
    condition = length([for port in concat([var.task.port], [for sidecar in values(var.task.sidecars) : sidecar.port]) : port if port != null]) == length(distinct(
      [for port in concat([var.task.port], [for sidecar in values(var.task.sidecars) : sidecar.port]) : port if port != null]
    ))
    error_message = "The service's container and its sidecars listen on different ports (awsvpc: they share the task's network)."
  }

  validation {
    # ECS ContainerDependency: HEALTHY needs the sidecar's health check; COMPLETE and SUCCESS cannot wait for an essential container.
    condition = alltrue([
      for name, condition in var.task.depends_on : contains(keys(var.task.sidecars), name) && (
        condition == "START"
        || (condition == "HEALTHY" && try(var.task.sidecars[name].healthcheck != null, false))
        || (contains(["COMPLETE", "SUCCESS"], condition) && !try(var.task.sidecars[name].essential, true))
      )
    ])
    error_message = "depends_on names sidecars with START, HEALTHY (a sidecar with a health check) or COMPLETE/SUCCESS (a non-essential sidecar)."
  }

  validation {
    condition = (
      sum(concat([0], [for sidecar in values(var.task.sidecars) : coalesce(sidecar.cpu, 0)])) < var.task.cpu
      && sum(concat([0], [for sidecar in values(var.task.sidecars) : coalesce(sidecar.memory_reservation, 0)])) < var.task.memory
    )
    error_message = "The sidecars' cpu and memory reservations stay below the task's cpu and memory (the service's container runs on the rest)."
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
