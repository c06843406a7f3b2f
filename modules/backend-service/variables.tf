variable "name" {
  description = "Name of the backend service: <app>-<env>-<service>. Prefixes its ECS service, task family, IAM roles, log group and security group (ecs-task checks the length)."
  type        = string
}

variable "placement" {
  description = "Where the backend's tasks run: cluster, VPC, subnets, public IPs, the services group, the Service Connect namespace, the capacity provider strategy. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "task" {
  description = "The backend's task: task.port, when set, is what the application's services reach at http://<discovery_name>:<port>. Passed to ecs-task, whose variables.tf declares its fields (image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention)."
  type        = any
}

variable "tags" {
  description = "Tags of every resource of the backend service."
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

variable "deployment" {
  description = "How ECS deploys a new revision: {strategy, min_healthy_percent, max_percent, bake_time, canary, linear, alarms}: canary and linear shift Service Connect traffic (the service needs a port), BLUE_GREEN needs neither; alarms.create adds a CPU alarm a deployment watches. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
  default     = {}
}

variable "dns_namespace" {
  description = "Private DNS namespace (Cloud Map) the service registers in: {id, name}; anything in the VPC then resolves <discovery_name>.<name> to its tasks. Null, or a service without a port: not registered."
  type = object({
    id   = string
    name = string
  })
  default = null
}
