locals {
  # One mount target per file system and subnet, keyed by the subnet's position (known when
  # planning, unlike the ids of subnets created in the same apply).
  mount_targets = {
    for pair in setproduct(distinct(var.file_system_ids), range(length(var.network.subnet_ids))) : "${pair[0]}/${pair[1]}" => {
      file_system_id = pair[0]
      subnet_id      = var.network.subnet_ids[pair[1]]
    }
  }
}

# NFS in from the application's tasks only. No egress rules: a mount target answers the
# connections it admitted (security groups are stateful) and opens none.
resource "aws_security_group" "this" {
  name        = var.name
  description = "EFS mount targets of ${var.name}: NFS from the application's tasks"
  vpc_id      = var.network.vpc_id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_vpc_security_group_ingress_rule" "nfs" {
  security_group_id            = aws_security_group.this.id
  description                  = "NFS from the application's tasks"
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049

  tags = var.tags
}

resource "aws_efs_mount_target" "this" {
  for_each = local.mount_targets

  file_system_id  = each.value.file_system_id
  subnet_id       = each.value.subnet_id
  security_groups = [aws_security_group.this.id]
}
