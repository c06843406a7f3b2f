variable "name" {
  description = "Name of the cluster and prefix of every other name the module creates, e.g. <app>-<env>."
  type        = string
}

variable "container_insights" {
  description = "Turn on CloudWatch Container Insights for the cluster."
  type        = bool
  default     = true
}

variable "capacity_providers" {
  description = "Capacity providers associated with the cluster, e.g. [\"FARGATE\", \"FARGATE_SPOT\"] plus the names of Auto Scaling group capacity providers."
  type        = list(string)
  default     = ["FARGATE", "FARGATE_SPOT"]
}

variable "default_capacity_provider_strategy" {
  description = "Default capacity provider strategy of the cluster, used by services that name none."
  type = list(object({
    capacity_provider = string
    base              = number
    weight            = number
  }))
  default = [{ capacity_provider = "FARGATE", base = 0, weight = 1 }]
}

variable "vpc_id" {
  description = "VPC of the application's shared services security group."
  type        = string
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}

variable "dns_namespace" {
  description = "Name of a private DNS namespace (Cloud Map, a private Route 53 zone) to create on vpc_id for the backend services, e.g. <app>.<env>.internal. Null: none."
  type        = string
  default     = null
}
