resource "aws_security_group" "this" {
  # A prefix lets a replacement group exist next to the one the tasks still use.
  name_prefix = "${var.name}-"
  description = var.description
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.ingress

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  referenced_security_group_id = each.value.source_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "source" {
  for_each = { for key, rule in var.ingress : key => rule if rule.egress_from_source }

  security_group_id            = each.value.source_security_group_id
  description                  = "${each.value.description} (egress to ${var.name})"
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port

  tags = var.tags
}

# HTTPS to anywhere (ECR, CloudWatch Logs, Secrets Manager, SQS and other AWS APIs) and TCP to
# the application's other services. DNS goes to the Amazon-provided resolver, which security
# groups do not filter.
resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = {
    https = {
      description                  = "HTTPS to AWS APIs, image registries and external services"
      cidr_ipv4                    = "0.0.0.0/0"
      referenced_security_group_id = null
      from_port                    = 443
      to_port                      = 443
    }
    services = {
      description                  = "TCP to the other services of the application"
      cidr_ipv4                    = null
      referenced_security_group_id = var.services_security_group_id
      from_port                    = 0
      to_port                      = 65535
    }
  }

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.referenced_security_group_id

  tags = var.tags
}

# The blueprint's egress (services.NAME.network.egress, NFS to file systems' mount targets): one
# rule per destination and port.
resource "aws_vpc_security_group_egress_rule" "declared" {
  for_each = merge([
    for rule in var.egress : {
      for port in rule.ports : "${coalesce(rule.key, rule.cidr_ipv4, rule.security_group_id)}:${port}" => {
        cidr_ipv4                    = rule.cidr_ipv4
        referenced_security_group_id = rule.security_group_id
        port                         = port
      }
    }
  ]...)

  security_group_id            = aws_security_group.this.id
  description                  = "TCP ${each.value.port} to ${coalesce(each.value.cidr_ipv4, each.value.referenced_security_group_id)} (declared egress)"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.referenced_security_group_id

  tags = var.tags
}
