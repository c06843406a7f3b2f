variable "name" {
  description = "Name of the role (IAM allows at most 64 characters)."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 64
    error_message = "An IAM role name has 1 to 64 characters."
  }
}

variable "description" {
  description = "Description of the role: whose it is and what it may do."
  type        = string
}

variable "trust" {
  description = "Who may assume the role: an AWS service principal (e.g. ecs-tasks.amazonaws.com), the trust statement's sid (null for none), and conditions that limit it (confused-deputy protection: aws:SourceAccount, aws:SourceArn)."
  type = object({
    service = string
    sid     = optional(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  })
}

variable "inline_policies" {
  description = "Inline policies of the role: policy name -> IAM policy JSON. Names must be known at plan time."
  type        = map(string)
  default     = {}
}

variable "managed_policy_arns" {
  description = "Managed policies attached to the role: a name of the attachment -> policy ARN. Names must be known at plan time."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags of the role."
  type        = map(string)
  default     = {}
}
