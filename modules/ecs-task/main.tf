data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  container_name = "app"
  port_name      = "app"

  requires_compatibilities = concat(
    anytrue([for cp in var.capacity_providers : contains(["FARGATE", "FARGATE_SPOT"], cp)]) ? ["FARGATE"] : [],
    anytrue([for cp in var.capacity_providers : !contains(["FARGATE", "FARGATE_SPOT"], cp)]) ? ["EC2"] : [],
  )

  # The secrets of every container of the task (the service's, then its sidecars'), each as the ARN
  # ECS and IAM read: a bare SSM parameter name is a parameter of the environment's own account
  # and region. The execution role reads exactly these.
  secret_sources = distinct(concat(values(var.task.secrets), flatten([for sidecar in values(var.task.sidecars) : values(sidecar.secrets)])))
  secret_arn_of = {
    for value in local.secret_sources : value => startswith(value, "arn:") ? value : join("", [
      "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:",
      "${data.aws_caller_identity.current.account_id}:parameter${startswith(value, "/") ? "" : "/"}${value}",
    ])
  }
  secrets = { for key, value in var.task.secrets : key => local.secret_arn_of[value] }

  # Secrets Manager references may carry ":json-key:version-stage:version-id"; IAM wants the secret.
  secret_arns = distinct([
    for source in local.secret_sources : join(":", slice(split(":", local.secret_arn_of[source]), 0, 7))
    if split(":", local.secret_arn_of[source])[2] == "secretsmanager"
  ])
  parameter_arns = distinct([for source in local.secret_sources : local.secret_arn_of[source] if split(":", local.secret_arn_of[source])[2] == "ssm"])

  # The URL of each queue the task sends to, in the variable named for it (VOTE_WORKER_QUEUE_URL).
  environment     = merge(var.task.environment, { for variable, queue in var.task.send_queues : variable => queue.url })
  send_queue_arns = sort(distinct([for queue in values(var.task.send_queues) : queue.arn]))

  # Writable directories are task-scoped scratch volumes. The SSM agent of ECS Exec writes its
  # state and logs into the container, so with a read-only root filesystem it gets two more.
  exec_paths      = var.task.enable_execute_command && var.task.readonly_root_filesystem ? ["/var/lib/amazon", "/var/log/amazon"] : []
  scratch_paths   = distinct(concat(var.task.writable_paths, local.exec_paths))
  scratch_volumes = { for index, path in local.scratch_paths : "scratch-${index}" => path }
  mount_points = concat(
    [for volume, path in local.scratch_volumes : { sourceVolume = volume, containerPath = path, readOnly = false }],
    [for name in sort(keys(var.task.volumes)) : { sourceVolume = name, containerPath = var.task.volumes[name].path, readOnly = var.task.volumes[name].read_only }],
  )

  # The file systems the task mounts (EFS IAM authorization): arn:PARTITION:elasticfilesystem:REGION:ACCOUNT:file-system/ID.
  efs_arn_prefix = "arn:${data.aws_partition.current.partition}:elasticfilesystem:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"

  # A sidecar's writable directories are scratch volumes of its own ("<sidecar>-scratch-<n>").
  # Sidecars' roots are always read-only, so with ECS Exec their agent directories are scratch too.
  sidecar_paths = {
    for name, sidecar in var.task.sidecars : name => distinct(concat(sidecar.writable_paths, var.task.enable_execute_command ? ["/var/lib/amazon", "/var/log/amazon"] : []))
  }
  sidecar_volumes = merge([
    for name, paths in local.sidecar_paths : { for index, path in paths : "${name}-scratch-${index}" => path }
  ]...)

  # Each container's health check by container name (sidecars are never named like the service's):
  # ECS's defaults spelled out (what DescribeTaskDefinition returns), startPeriod only when set.
  health_checks = {
    for name, check in merge({ (local.container_name) = var.task.healthcheck }, { for name, sidecar in var.task.sidecars : name => sidecar.healthcheck }) :
    name => check == null ? null : merge(
      { command = check.command, interval = check.interval, timeout = check.timeout, retries = check.retries },
      check.start_period == null ? {} : { startPeriod = check.start_period },
    )
  }

  container = {
    name                   = local.container_name
    image                  = var.task.image
    essential              = true
    entryPoint             = var.task.entrypoint
    command                = var.task.command
    healthCheck            = local.health_checks[local.container_name]
    readonlyRootFilesystem = var.task.readonly_root_filesystem
    portMappings = var.task.port == null ? [] : [{
      name          = local.port_name
      containerPort = var.task.port
      hostPort      = var.task.port
      protocol      = "tcp"
    }]
    environment      = [for key in sort(keys(local.environment)) : { name = key, value = local.environment[key] }]
    environmentFiles = var.task.env_file == null ? null : [{ value = var.task.env_file, type = "s3" }]
    secrets          = [for key in sort(keys(local.secrets)) : { name = key, valueFrom = local.secrets[key] }]
    dependsOn        = length(var.task.depends_on) == 0 ? null : [for name, condition in var.task.depends_on : { containerName = name, condition = condition }]
    # ECS Exec wants an init process to reap the session manager agent's children.
    linuxParameters = var.task.enable_execute_command ? { initProcessEnabled = true } : null
    mountPoints     = length(local.mount_points) == 0 ? null : local.mount_points
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "ecs"
      }
    }
  }
}

locals {
  # Sidecars, by name: read-only root filesystems like the service's container, logging to the same
  # group under their own stream prefix; cpu and memoryReservation are reservations within the task.
  sidecars = [
    for name, sidecar in var.task.sidecars : {
      name      = name
      image     = sidecar.image
      essential = sidecar.essential
      command   = sidecar.command
      cpu       = sidecar.cpu
      # A soft limit: the sidecar may use free task memory and is not stopped at its reservation.
      memoryReservation      = sidecar.memory_reservation
      healthCheck            = local.health_checks[name]
      readonlyRootFilesystem = true
      portMappings = sidecar.port == null ? [] : [{
        name          = name
        containerPort = sidecar.port
        hostPort      = sidecar.port
        protocol      = "tcp"
      }]
      environment     = [for key in sort(keys(sidecar.environment)) : { name = key, value = sidecar.environment[key] }]
      secrets         = [for key in sort(keys(sidecar.secrets)) : { name = key, valueFrom = local.secret_arn_of[sidecar.secrets[key]] }]
      linuxParameters = var.task.enable_execute_command ? { initProcessEnabled = true } : null
      mountPoints = length(local.sidecar_paths[name]) == 0 ? null : [
        for index, path in local.sidecar_paths[name] : { sourceVolume = "${name}-scratch-${index}", containerPath = path, readOnly = false }
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = data.aws_region.current.region
          awslogs-stream-prefix = name
        }
      }
    }
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.task.log_retention_days

  tags = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  network_mode             = "awsvpc"
  requires_compatibilities = local.requires_compatibilities
  cpu                      = tostring(var.task.cpu)
  memory                   = tostring(var.task.memory)
  execution_role_arn       = module.execution_role.arn
  task_role_arn            = module.task_role.arn

  # The service's container first, then the sidecars; null members (no entry point, command, health
  # check, linuxParameters, ...) are left out of the definitions.
  container_definitions = jsonencode(concat(
    [{ for key, value in local.container : key => value if value != null }],
    [for sidecar in local.sidecars : { for key, value in sidecar : key => value if value != null }],
  ))

  # X86_64 is ECS's default: the block is there for ARM64 only, so x86 definitions stay as they were.
  dynamic "runtime_platform" {
    for_each = var.task.cpu_architecture == "X86_64" ? [] : [var.task.cpu_architecture]

    content {
      operating_system_family = "LINUX"
      cpu_architecture        = runtime_platform.value
    }
  }

  dynamic "ephemeral_storage" {
    for_each = var.task.ephemeral_storage == null ? [] : [var.task.ephemeral_storage]

    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  dynamic "volume" {
    for_each = merge(local.scratch_volumes, local.sidecar_volumes)

    content {
      name = volume.key
    }
  }

  # EFS: encrypted in transit and mounted as the task role (IAM authorization needs transit encryption).
  dynamic "volume" {
    for_each = var.task.volumes

    content {
      name = volume.key

      efs_volume_configuration {
        file_system_id     = volume.value.file_system_id
        root_directory     = volume.value.root_directory
        transit_encryption = "ENABLED"

        authorization_config {
          access_point_id = volume.value.access_point_id
          iam             = "ENABLED"
        }
      }
    }
  }

  # A change registers a new revision; the previous one stays registered (not deregistered), so
  # the tasks still running it are undisturbed during the rollout and a rollback can return to it.
  skip_destroy = true

  tags = var.tags
}

################################################################################
# Execution role: used by the ECS agent to pull the image, write logs and read the secrets
################################################################################

data "aws_iam_policy_document" "secrets" {
  count = length(local.secret_sources) == 0 ? 0 : 1

  dynamic "statement" {
    for_each = {
      for sid, statement in {
        ReadDeclaredSecrets    = { actions = ["secretsmanager:GetSecretValue"], resources = local.secret_arns }
        ReadDeclaredParameters = { actions = ["ssm:GetParameters"], resources = local.parameter_arns }
      } : sid => statement if length(statement.resources) > 0
    }

    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # Secrets encrypted with customer managed keys: decrypt only on behalf of Secrets Manager or
  # Parameter Store, in this region.
  dynamic "statement" {
    for_each = length(var.task.kms_keys) == 0 ? [] : [var.task.kms_keys]

    content {
      sid       = "DecryptDeclaredSecrets"
      actions   = ["kms:Decrypt"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com", "ssm.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}

# The environment file (ECS Developer Guide, "Pass environment variables to an Amazon ECS
# container"): the object itself, and the location of its bucket.
data "aws_iam_policy_document" "env_file" {
  count = var.task.env_file == null ? 0 : 1

  statement {
    sid       = "ReadEnvironmentFile"
    actions   = ["s3:GetObject"]
    resources = [var.task.env_file]
  }

  statement {
    sid       = "LocateEnvironmentFileBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [split("/", var.task.env_file)[0]]
  }
}

module "execution_role" {
  source = "../iam-role"

  name        = "${var.name}-exec"
  description = "ECS task execution role of ${var.name}: image pull, logs, declared secrets"
  trust       = { service = "ecs-tasks.amazonaws.com", sid = "EcsTasksAssumeRole" }

  managed_policy_arns = { execution = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" }
  inline_policies = merge(
    length(local.secret_sources) == 0 ? {} : { declared-secrets = data.aws_iam_policy_document.secrets[0].json },
    var.task.env_file == null ? {} : { env-file = data.aws_iam_policy_document.env_file[0].json },
  )

  tags = var.tags
}

################################################################################
# Task role: what the application itself may do
################################################################################

data "aws_iam_policy_document" "execute_command" {
  count = var.task.enable_execute_command ? 1 : 0

  statement {
    sid = "EcsExecSessionChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    # These actions support no resource-level permissions.
    resources = ["*"]
  }
}

# The blueprint's statements (services.NAME.permissions), one inline policy.
data "aws_iam_policy_document" "permissions" {
  count = length(var.task.policy_statements) == 0 ? 0 : 1

  dynamic "statement" {
    for_each = var.task.policy_statements

    content {
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

data "aws_iam_policy_document" "send" {
  count = length(var.task.send_queues) == 0 ? 0 : 1

  statement {
    sid       = "SendToDeclaredQueues"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = local.send_queue_arns
  }
}

# Mount (and write, unless read-only) exactly the declared file systems, through their access
# points when given; no ClientRootAccess, so root in the container is not root on the file system.
data "aws_iam_policy_document" "efs" {
  count = length(var.task.volumes) == 0 ? 0 : 1

  dynamic "statement" {
    for_each = var.task.volumes

    content {
      actions   = statement.value.read_only ? ["elasticfilesystem:ClientMount"] : ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = ["${local.efs_arn_prefix}:file-system/${statement.value.file_system_id}"]

      dynamic "condition" {
        for_each = statement.value.access_point_id == null ? [] : [statement.value.access_point_id]

        content {
          test     = "StringEquals"
          variable = "elasticfilesystem:AccessPointArn"
          values   = ["${local.efs_arn_prefix}:access-point/${condition.value}"]
        }
      }
    }
  }
}

module "task_role" {
  source = "../iam-role"

  name        = "${var.name}-task"
  description = "ECS task role of ${var.name}: what the application may do"
  trust = {
    service = "ecs-tasks.amazonaws.com"
    sid     = "EcsTasksAssumeRole"
    # Confused-deputy protection: only ECS acting for this account may assume the role.
    conditions = [
      { test = "StringEquals", variable = "aws:SourceAccount", values = [data.aws_caller_identity.current.account_id] },
      { test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:*"] },
    ]
  }

  inline_policies = merge(
    var.task.enable_execute_command ? { ecs-exec = data.aws_iam_policy_document.execute_command[0].json } : {},
    length(var.task.policy_statements) == 0 ? {} : { permissions = data.aws_iam_policy_document.permissions[0].json },
    length(var.task.send_queues) == 0 ? {} : { send-queues = data.aws_iam_policy_document.send[0].json },
    length(var.task.volumes) == 0 ? {} : { efs-volumes = data.aws_iam_policy_document.efs[0].json },
    var.task_role_policies,
  )
  # The blueprint's managed policies, keyed by ARN (known at plan time; reordering moves nothing).
  managed_policy_arns = { for arn in var.task.managed_policy_arns : arn => arn }

  tags = var.tags
}
