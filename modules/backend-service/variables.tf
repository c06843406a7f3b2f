variable "name" {
  description = "Name of the service: <app>-<env>-<service>. Prefixes the ECS service, task family, IAM roles, log group and security group (ecs-task checks its length)."
  type        = string
}

variable "placement" {
  description = "Where the tasks run: cluster, VPC, subnets, public IPs, the services group, the Service Connect namespace, the capacity provider strategy. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "task" {
  description = "The task: image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention. Passed to ecs-task, whose variables.tf declares its fields."
  type        = any
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "scaling" {
  description = "Task count: {min, max, desired, cpu, memory, requests} with optional target-tracking targets. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "discovery_name" {
  description = "The service's name and DNS name in the Service Connect namespace: other services reach it at http://<discovery_name>:<port>. Null: the name variable."
  type        = string
  default     = null
}
