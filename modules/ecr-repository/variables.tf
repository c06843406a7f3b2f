variable "name" {
  description = "Name of the repository, e.g. <app>-<env>-<service>."
  type        = string
}

variable "max_image_count" {
  description = "Number of most recent images the lifecycle policy keeps."
  type        = number
  default     = 100
}

variable "untagged_image_days" {
  description = "Days after which the lifecycle policy expires untagged images."
  type        = number
  default     = 7
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the images; null uses the AWS managed key for ECR."
  type        = string
  default     = null
}

variable "pull_account_ids" {
  description = "Other AWS accounts (the application's other environments) whose roles may pull the repository's images, so one image is promoted through every environment without pushing it again."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.pull_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Account IDs have 12 digits."
  }
}

variable "force_delete" {
  description = "Delete the repository with its images on destroy. The root module sets it in unprotected environments only, where destroy must succeed while images exist."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags of the repository."
  type        = map(string)
  default     = {}
}
