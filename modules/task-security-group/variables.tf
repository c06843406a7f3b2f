variable "name" {
  description = "Prefix of the security group's name (a replacement group can exist beside the one in use) and its Name tag."
  type        = string
}

variable "description" {
  description = "Description of the security group (changing it replaces the group)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the security group."
  type        = string
}

variable "ingress" {
  description = "Ingress rules: key -> {description, source security group, TCP port, egress_from_source}. Nothing else is admitted. With egress_from_source the source group also gets the matching egress rule (a load balancer's group, which has no other egress). Keys must be known at plan time."
  type = map(object({
    description              = string
    source_security_group_id = string
    port                     = number
    egress_from_source       = optional(bool, false)
  }))
  default = {}
}

variable "services_security_group_id" {
  description = "The application's services group: the tasks may reach its members on any TCP port. HTTPS to anywhere is always allowed."
  type        = string
}

variable "egress" {
  description = "More outbound TCP than the defaults (HTTPS anywhere, the application's services): each rule has one destination, an IPv4 CIDR block (cidr_ipv4) or a security group (security_group_id), and its ports; key names the rules in state where the destination is not known when planning (a group created in the same apply), else the destination does. A destination (or key) and port appear once."
  type = list(object({
    cidr_ipv4         = optional(string)
    security_group_id = optional(string)
    ports             = list(number)
    key               = optional(string)
  }))
  default = []

  validation {
    condition     = alltrue([for rule in var.egress : (rule.cidr_ipv4 == null) != (rule.security_group_id == null) && length(rule.ports) > 0])
    error_message = "Every egress rule has one destination (cidr_ipv4 or security_group_id) and at least one port."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
