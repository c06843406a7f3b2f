variable "name" {
  description = "Name of the worker: <app>-<env>-<service>. Prefixes its ECS service, task family, IAM roles, log group and security group (ecs-task checks the length)."
  type        = string
}

variable "placement" {
  description = "Where the worker's tasks run: cluster, VPC, subnets, public IPs, the services group, the Service Connect namespace, the capacity provider strategy. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
}

variable "task" {
  description = "The worker's task: its container also gets QUEUE_URL, the URL of the queue this module creates, in its environment. Passed to ecs-task, whose variables.tf declares its fields (image, size, port, command, environment, secrets, filesystem, ECS Exec, log retention)."
  type        = any
}

variable "tags" {
  description = "Tags of every resource of the worker."
  type        = map(string)
  default     = {}
}

variable "scaling" {
  description = "Task count: min..max (min 0 scales to zero when the queue is empty), desired count at creation, and the target of visible messages per running task."
  type = object({
    min              = optional(number, 0)
    max              = number
    desired          = optional(number)
    backlog_per_task = optional(number, 100)
  })
}

variable "queue" {
  description = "The SQS work queue: visibility timeout and message retention (seconds), receives before a message moves to the dead-letter queue."
  type = object({
    visibility_timeout = optional(number, 30)
    max_receive_count  = optional(number, 3)
    retention          = optional(number, 345600)
  })
  default = {}
}

variable "deployment" {
  description = "How ECS deploys a new revision: {strategy, min_healthy_percent, max_percent, bake_time, canary, linear, alarms}: ROLLING or BLUE_GREEN (nothing routes traffic to a worker, so there is none to shift); alarms.create adds a CPU alarm a deployment watches. Passed to ecs-service, whose variables.tf declares its fields."
  type        = any
  default     = {}
}
