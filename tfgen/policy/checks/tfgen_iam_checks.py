"""CKV_TFG_6 (secret reads only of named secrets) and CKV_TFG_7 (no wildcard actions).

Both apply to every IAM policy in the plan, not only to the execution and task roles: a role of
the application has no more business reading every secret, or granting ``*`` actions, than those
two. A policy whose document is unknown at plan time (it embeds an ARN created by the same apply)
cannot be judged there and gives no result; the ``aws_iam_policy_document`` it is built from is
then in the plan (read during apply), and the same statement rules judge that document instead, so
the first plan of a new application is judged as fully as every later one.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from tfgen_check_helpers import SECRET_READ_ACTIONS, TfgenCheck, TfgenDataCheck, allow_statements, as_list, document_statements, policy_documents

POLICY_RESOURCES = ("aws_iam_role_policy", "aws_iam_policy", "aws_iam_role")

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


class PolicyStatementCheck(TfgenCheck):
    """A check of every Allow statement of an IAM policy; no result when the document is unknown at plan time."""

    RESOURCES = POLICY_RESOURCES

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["policy", "inline_policy"]
        documents = policy_documents(conf)
        if documents is None:
            return CheckResult.UNKNOWN
        statements = [statement for document in documents for statement in allow_statements(document)]
        return CheckResult.FAILED if any(self.statement_fails(statement) for statement in statements) else CheckResult.PASSED

    def statement_fails(self, statement: dict[str, Any]) -> bool:
        raise NotImplementedError


def _reads_every_secret(statement: dict[str, Any]) -> bool:
    covers_all = any(_ALL_SECRETS.search(str(r)) for r in as_list(statement.get("Resource")))
    if "NotAction" in statement:
        return "NotResource" in statement or covers_all
    if not _grants(as_list(statement.get("Action")), SECRET_READ_ACTIONS):
        return False
    return "NotResource" in statement or covers_all


def _grants_wildcard_actions(statement: dict[str, Any]) -> bool:
    if "NotAction" in statement:
        return True
    return any(isinstance(action, str) and (action.strip() == "*" or action.strip().endswith(":*")) for action in as_list(statement.get("Action")))


class DocumentStatementCheck(TfgenDataCheck):
    """The statement rule of a PolicyStatementCheck, on an ``aws_iam_policy_document`` read during apply."""

    DATA = ("aws_iam_policy_document",)

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        statements = [s for s in document_statements(conf) if s.get("Effect") == "Allow"]
        return CheckResult.FAILED if any(self.statement_fails(statement) for statement in statements) else CheckResult.PASSED

    def statement_fails(self, statement: dict[str, Any]) -> bool:
        raise NotImplementedError


SECRETS_NAME = "IAM policies read only named secrets and parameters (no '*' resource on secret reads)"
WILDCARD_NAME = "IAM policies of the application grant no wildcard actions ('*' or 'service:*')"


class _ReadsOnlyNamedSecrets:
    """CKV_TFG_6's rule, judged on policy resources and on aws_iam_policy_document data alike."""

    ID = "CKV_TFG_6"
    NAME = SECRETS_NAME
    CATEGORY = CheckCategories.IAM

    def statement_fails(self, statement: dict[str, Any]) -> bool:
        return _reads_every_secret(statement)


class _GrantsNoWildcardActions:
    """CKV_TFG_7's rule, judged on policy resources and on aws_iam_policy_document data alike."""

    ID = "CKV_TFG_7"
    NAME = WILDCARD_NAME
    CATEGORY = CheckCategories.IAM

    def statement_fails(self, statement: dict[str, Any]) -> bool:
        return _grants_wildcard_actions(statement)


class SecretsReadOnlyDeclared(_ReadsOnlyNamedSecrets, PolicyStatementCheck):
    pass


class NoWildcardActions(_GrantsNoWildcardActions, PolicyStatementCheck):
    pass


class DocumentReadsOnlyNamedSecrets(_ReadsOnlyNamedSecrets, DocumentStatementCheck):
    pass


class DocumentHasNoWildcardActions(_GrantsNoWildcardActions, DocumentStatementCheck):
    pass


secrets_check = SecretsReadOnlyDeclared()
wildcard_check = NoWildcardActions()
document_secrets_check = DocumentReadsOnlyNamedSecrets()
document_wildcard_check = DocumentHasNoWildcardActions()
