"""Helpers shared by tfgen's checkov checks (loaded by checkov, in checkov's environment).

checkov hands a resource check the plan values "hclified": scalars wrapped in one-element lists,
nested blocks as lists of dicts, tags as ``[{key: value}]``, and JSON policy/container documents of
known resource types already decoded. A value Terraform only knows after apply is absent.
"""

from __future__ import annotations

import json
import os
from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

GUIDELINE = "https://github.com/tfgen/tfgen#policy-checks"


class TfgenCheck(BaseResourceCheck):
    """A check of tfgen's pack: a subclass says its id, name, category and resource types, and
    checkov registers it when the module creates its one instance."""

    ID: str
    NAME: str
    CATEGORY: CheckCategories
    RESOURCES: tuple[str, ...]

    def __init__(self) -> None:
        super().__init__(name=self.NAME, id=self.ID, categories=[self.CATEGORY], supported_resources=list(self.RESOURCES), guideline=GUIDELINE)

class TfgenDataCheck(BaseDataCheck):
    """A check of tfgen's pack on a data source (``DATA``: its types)."""

    ID: str
    NAME: str
    CATEGORY: CheckCategories
    DATA: tuple[str, ...]

    def __init__(self) -> None:
        super().__init__(name=self.NAME, id=self.ID, categories=[self.CATEGORY], supported_data=list(self.DATA), guideline=GUIDELINE)


SECRET_READ_ACTIONS = (
    "secretsmanager:getsecretvalue",
    "ssm:getparameter",
    "ssm:getparameters",
    "ssm:getparametersbypath",
    "kms:decrypt",
)


def unwrap(value: Any) -> Any:
    """The value behind checkov's one-element list wrapping."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def first_block(conf: Any, key: str) -> dict[str, Any] | None:
    """The first nested block ``key`` of ``conf`` or None."""
    if not isinstance(conf, dict):
        return None
    value = conf.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, dict) else None


def is_true(value: Any) -> bool:
    value = unwrap(value)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def tags_of(conf: dict[str, Any]) -> dict[str, Any]:
    tags: dict[str, Any] = {}
    for key in ("tags_all", "tags"):
        value = unwrap(conf.get(key))
        if isinstance(value, dict):
            tags.update(value)
    return tags


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def policy_documents(conf: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The IAM policy documents of an IAM policy resource, decoded; None when unknown at plan time."""
    documents: list[dict[str, Any]] = []
    candidates: list[Any] = []
    if "policy" in conf:
        candidates.append(conf["policy"])
    for block in conf.get("inline_policy") or []:
        if isinstance(block, dict) and "policy" in block:
            candidates.append(block["policy"])
    if not candidates:
        return None
    for candidate in candidates:
        value = unwrap(candidate)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        documents.append(value)
    return documents


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def allow_statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]


def document_statements(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of an ``aws_iam_policy_document`` data source in IAM JSON form (Effect, Action,
    NotAction, Resource, NotResource). A plan holds such a data source when it is read during apply
    (its inputs are ARNs the same apply creates): the policy built from it is unknown at plan time,
    so its statements are what there is to judge."""
    keys = {"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}
    statements = []
    for block in as_list(conf.get("statement")):
        for statement in as_list(block):
            if not isinstance(statement, dict):
                continue
            effect = unwrap(statement.get("effect"))
            converted: dict[str, Any] = {"Effect": effect if isinstance(effect, str) else "Allow"}
            for key, name in keys.items():
                value = unwrap(statement.get(key))
                if value not in (None, []):
                    converted[name] = value
            statements.append(converted)
    return statements
