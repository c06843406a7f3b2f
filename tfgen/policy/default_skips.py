"""The ONE place where tfgen skips checkov built-in checks by default, each with its reason.

Keep this list short: a failing built-in check is fixed in the modules wherever AWS allows it,
and only what AWS or tfgen's design rules out is skipped here. A blueprint skip of the same id
(``policy.skip`` or ``environments.<env>.policy.skip``) replaces the reason. Every skip shows in
every output format with its reason; the README's policy section lists this table.
"""

from __future__ import annotations

DEFAULT_SKIPS: dict[str, str] = {
    # CloudWatch Logs encrypts every log group at rest with AWS-owned keys; a customer managed KMS
    # key per application (its key policy, rotation and cost) is a choice tfgen leaves to the account.
    "CKV_AWS_158": "log groups are encrypted at rest by CloudWatch Logs with AWS-owned keys; a customer managed KMS key is an account-level choice",
    # ALB access logs need an S3 bucket with a bucket policy for the regional ELB account: tfgen
    # configures them when the blueprint names a bucket (load_balancer.access_logs) and cannot
    # create one per application without owning its lifecycle.
    "CKV_AWS_91": "ALB access logs are enabled when the blueprint sets load_balancer.access_logs (an existing bucket); they cannot be on without one",
    # WAF is an optional association (load_balancer.waf_acl_arn): a web ACL is an account/organisation
    # resource with its own rules and cost.
    "CKV2_AWS_28": "a WAF web ACL is associated when the blueprint sets load_balancer.waf_acl_arn; web ACLs are managed outside the application",
}
