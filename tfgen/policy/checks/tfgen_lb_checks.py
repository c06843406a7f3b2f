"""CKV_TFG_8: load balancers of protected environments have deletion protection.

An environment is protected when tfgen runs the checks with ``TFGEN_POLICY_PROTECTED=1`` (it does
for environments marked ``protected: true``), or when the load balancer carries the tag
``tfgen:protected = "true"`` (so a bare ``checkov --external-checks-dir`` run judges it the same).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from tfgen_check_helpers import GUIDELINE, env_flag, is_true, tags_of

PROTECTED_ENV = "TFGEN_POLICY_PROTECTED"
PROTECTED_TAG = "tfgen:protected"


class DeletionProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Load balancers of protected environments have deletion protection",
            id="CKV_TFG_8",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_lb", "aws_alb"],
            guideline=GUIDELINE,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["enable_deletion_protection"]
        protected = env_flag(PROTECTED_ENV) or is_true(tags_of(conf).get(PROTECTED_TAG))
        if not protected:
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(conf.get("enable_deletion_protection")) else CheckResult.FAILED


check = DeletionProtection()
