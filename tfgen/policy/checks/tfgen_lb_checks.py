"""CKV_TFG_8: load balancers of protected environments have deletion protection.
CKV_TFG_9: listeners of protected environments serve HTTPS (or redirect HTTP to it).

An environment is protected when tfgen runs the checks with ``TFGEN_POLICY_PROTECTED=1`` (it does
for environments marked ``protected: true``), or when the load balancer carries the tag
``tfgen:protected = "true"`` (so a bare ``checkov --external-checks-dir`` run judges it the same).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from tfgen_check_helpers import TfgenCheck, env_flag, first_block, is_true, tags_of, unwrap

PROTECTED_ENV = "TFGEN_POLICY_PROTECTED"
PROTECTED_TAG = "tfgen:protected"


class DeletionProtection(TfgenCheck):
    ID = "CKV_TFG_8"
    NAME = "Load balancers of protected environments have deletion protection"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    RESOURCES = ("aws_lb", "aws_alb")

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["enable_deletion_protection"]
        protected = env_flag(PROTECTED_ENV) or is_true(tags_of(conf).get(PROTECTED_TAG))
        if not protected:
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(conf.get("enable_deletion_protection")) else CheckResult.FAILED


class ProtectedServesHttps(TfgenCheck):
    """`load_balancer.protocol: http` is a choice for development environments: in a protected one,
    a plain HTTP listener fails unless the blueprint skips this check with its own reason."""

    ID = "CKV_TFG_9"
    NAME = "Listeners of protected environments serve HTTPS or redirect HTTP to HTTPS"
    CATEGORY = CheckCategories.ENCRYPTION
    RESOURCES = ("aws_lb_listener", "aws_alb_listener")

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["protocol", "default_action"]
        if not (env_flag(PROTECTED_ENV) or is_true(tags_of(conf).get(PROTECTED_TAG))):
            return CheckResult.PASSED
        protocol = str(unwrap(conf.get("protocol")) or "").upper()
        if protocol in ("HTTPS", "TLS"):
            return CheckResult.PASSED
        action = first_block(conf, "default_action") or {}
        redirect = first_block(action, "redirect") or {}
        if str(unwrap(action.get("type"))) == "redirect" and str(unwrap(redirect.get("protocol"))).upper() == "HTTPS":
            return CheckResult.PASSED
        return CheckResult.FAILED


check = DeletionProtection()
https_check = ProtectedServesHttps()
