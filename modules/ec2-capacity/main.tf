data "aws_partition" "current" {}

locals {
  # Graviton instance types: a1, or a family whose letters after the generation hold a "g"
  # (t4g, m7g, c6gn, r8gd, is4gen); they need the arm64 AMI.
  arm64 = can(regex("^(a1|[a-z]+[0-9]+[a-z]*g[a-z]*)\\.", var.instance_type))
}

# The latest ECS-optimized Amazon Linux 2023 AMI of the instance type's architecture, unless
# var.ami_id pins one: every AMI release then changes the launch template and starts an instance
# refresh on the next apply.
data "aws_ssm_parameter" "ecs_ami" {
  count = var.ami_id == null ? 1 : 0

  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/${local.arm64 ? "arm64/" : ""}recommended/image_id"
}

module "instance_role" {
  source = "../iam-role"

  name        = "${var.name}-instance"
  description = "Container instances of ${var.cluster_name}"
  trust       = { service = "ec2.amazonaws.com", sid = "EC2AssumeRole" }

  managed_policy_arns = {
    ecs = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    ssm = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  tags = var.tags
}
resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-instance"
  role = module.instance_role.name

  tags = var.tags
}

resource "aws_security_group" "instance" {
  name        = "${var.name}-instance"
  description = "Container instances of ${var.cluster_name}: no inbound traffic (tasks use their own network interfaces)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-instance" })
}

resource "aws_vpc_security_group_egress_rule" "instance_all" {
  security_group_id = aws_security_group.instance.id
  description       = "Outbound traffic of the ECS agent (ECS, ECR, CloudWatch and SSM APIs)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_launch_template" "this" {
  name                   = var.name
  description            = "ECS container instances of ${var.cluster_name}"
  image_id               = coalesce(var.ami_id, one(data.aws_ssm_parameter.ecs_ami[*].insecure_value))
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.instance.id]
  update_default_version = true
  ebs_optimized          = "true"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<'CONFIG'
    ECS_CLUSTER=${var.cluster_name}
    ECS_ENABLE_TASK_IAM_ROLE=true
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance
    CONFIG
  EOT
  )

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = "true"
      delete_on_termination = "true"
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.name })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name                  = var.name
  min_size              = var.min_size
  max_size              = var.max_size
  vpc_zone_identifier   = var.subnet_ids
  health_check_type     = "EC2"
  protect_from_scale_in = true

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 90
      # Instances are protected from scale-in (managed termination protection): "Wait" would
      # stall the refresh for an hour and fail; managed draining moves their tasks first.
      scale_in_protected_instances = "Refresh"
    }
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = merge(var.tags, { Name = var.name })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # ECS managed scaling owns the desired capacity.
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "this" {
  name = var.name

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.this.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = var.target_capacity
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 10
      instance_warmup_period    = 300
    }
  }

  tags = var.tags
}
