variable "name" {
  description = "Prefix of every name the module creates, e.g. <app>-<env>."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC (a /24 or larger)."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 24
    error_message = "The cidr must be an IPv4 CIDR block of size /24 or larger."
  }
}

variable "azs" {
  description = "Number of availability zones: one public and one private subnet in each."
  type        = number
  default     = 2

  validation {
    condition     = var.azs >= 2 && var.azs <= 6
    error_message = "The azs must be between 2 and 6."
  }
}

variable "nat" {
  description = "NAT gateways for the private subnets: \"single\" (one, cheaper) or \"per-az\" (one per availability zone, highly available)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per-az"], var.nat)
    error_message = "The nat must be \"single\" or \"per-az\"."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "flow_log_retention_days" {
  description = "Days the CloudWatch log group keeps the VPC flow logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "The flow_log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}
