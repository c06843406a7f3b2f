variable "name" {
  description = "Name of the load balancer (at most 32 characters) and prefix of its security group."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "The name of a load balancer has at most 32 characters."
  }
}

variable "internal" {
  description = "Create an internal load balancer (private subnets) instead of an internet-facing one."
  type        = bool
  default     = false
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the load balancer: public subnets when internet-facing, private ones when internal."
  type        = list(string)
}

variable "allowed_source_ips" {
  description = "IPv4 CIDR blocks allowed to reach the listeners."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener; when set, HTTP redirects to HTTPS. Null: HTTP only."
  type        = string
  default     = null
}

variable "additional_certificate_arns" {
  description = "Further ACM certificates of the HTTPS listener (served by SNI); ignored without certificate_arn."
  type        = list(string)
  default     = []
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener (TLS 1.2 and 1.3 by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "idle_timeout" {
  description = "Connection idle timeout, seconds."
  type        = number
  default     = 60
}

variable "deletion_protection" {
  description = "Turn on deletion protection (protected environments)."
  type        = bool
  default     = true
}

variable "access_logs" {
  description = "Access logs to an existing S3 bucket; null turns them off."
  type = object({
    bucket = string
    prefix = string
  })
  default = null
}

variable "waf_acl_arn" {
  description = "WAFv2 web ACL to associate with the load balancer; null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the load balancer, its security group, rules and listeners."
  type        = map(string)
  default     = {}
}

variable "dns" {
  description = "Alias records (A) pointing at the load balancer: zone is the name of an existing public Route 53 hosted zone (looked up by name), names the record names, each in that zone. Null: no records."
  type = object({
    zone  = string
    names = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.dns == null || alltrue([for name in try(var.dns.names, []) : name == var.dns.zone || endswith(name, ".${var.dns.zone}")])
    error_message = "Every record name is the zone's name or ends with .<zone>."
  }
}
