"""CKV_TFG_6 (secret reads only of named secrets) and CKV_TFG_7 (no wildcard actions).

Both apply to every IAM policy in the plan, not only to the execution and task roles: a role of
the application has no more business reading every secret, or granting ``*`` actions, than those
two. A policy whose document is unknown at plan time (it embeds an ARN created by the same apply)
cannot be judged and gives no result.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from tfgen_check_helpers import GUIDELINE, SECRET_READ_ACTIONS, allow_statements, as_list, policy_documents

POLICY_RESOURCES = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_role"]

# A resource pattern that covers every secret/parameter (of an account, region or all of AWS).
_ALL_SECRETS = re.compile(r"^\*$|:secret:\*$|:parameter\*$|:parameter/\*$|^arn:[^:]*:(secretsmanager|ssm|kms):\*|:key/\*$")


def _grants(actions: list[Any], wanted: tuple[str, ...]) -> bool:
    for action in actions:
        if not isinstance(action, str):
            continue
        for name in wanted:
            if fnmatch.fnmatchcase(name, action.lower()):
                return True
    return False


class SecretsReadOnlyDeclared(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM policies read only named secrets and parameters (no '*' resource on secret reads)",
            id="CKV_TFG_6",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
            guideline=GUIDELINE,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["policy", "inline_policy"]
        documents = policy_documents(conf)
        if documents is None:
            return CheckResult.UNKNOWN
        for document in documents:
            for statement in allow_statements(document):
                if "NotAction" in statement:
                    if "NotResource" in statement or any(_ALL_SECRETS.search(str(r)) for r in as_list(statement.get("Resource"))):
                        return CheckResult.FAILED
                    continue
                if not _grants(as_list(statement.get("Action")), SECRET_READ_ACTIONS):
                    continue
                if "NotResource" in statement:
                    return CheckResult.FAILED
                if any(_ALL_SECRETS.search(str(r)) for r in as_list(statement.get("Resource"))):
                    return CheckResult.FAILED
        return CheckResult.PASSED


class NoWildcardActions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM policies of the application grant no wildcard actions ('*' or 'service:*')",
            id="CKV_TFG_7",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
            guideline=GUIDELINE,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["policy", "inline_policy"]
        documents = policy_documents(conf)
        if documents is None:
            return CheckResult.UNKNOWN
        for document in documents:
            for statement in allow_statements(document):
                if "NotAction" in statement:
                    return CheckResult.FAILED
                for action in as_list(statement.get("Action")):
                    if isinstance(action, str) and (action.strip() == "*" or action.strip().endswith(":*")):
                        return CheckResult.FAILED
        return CheckResult.PASSED


secrets_check = SecretsReadOnlyDeclared()
wildcard_check = NoWildcardActions()
