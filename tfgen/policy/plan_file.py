"""A Terraform plan JSON as the gate reads it: read safely, its shape checked before any check
runs on it (checkov would otherwise fail with its own traceback, or skip what it cannot read and
let the plan pass), and the number of resources a scanner must have seen in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from tfgen.errors import InputError, Problem
from tfgen.files import MiB, read_input
from tfgen.readback import describe

MAX_PLAN_BYTES = 512 * MiB
HOW_TO_WRITE_ONE = "write one with `terraform show -json plan.tfplan`"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class PlannedResource(_Open):
    address: str
    mode: str = "managed"
    type: str
    values: dict[str, Any] | None = None


class PlannedModule(_Open):
    address: str | None = None
    resources: list[PlannedResource] = Field(default_factory=list)
    child_modules: list[PlannedModule] = Field(default_factory=list)


class PlannedValues(_Open):
    root_module: PlannedModule = Field(default_factory=PlannedModule)


class Change(_Open):
    actions: list[str]


class ResourceChange(_Open):
    address: str
    mode: str = "managed"
    type: str
    change: Change


class PlanDocument(_Open):
    format_version: Annotated[str, StringConstraints(pattern=r"^1\.")]
    terraform_version: str
    planned_values: PlannedValues | None = None
    resource_changes: list[ResourceChange] = Field(default_factory=list)
    prior_state: dict[str, Any] | None = None
    configuration: dict[str, Any] | None = None


def read_plan(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The plan's bytes and its document; InputError (exit 2) naming what makes it unusable."""
    data = read_input(path, "a Terraform plan JSON", MAX_PLAN_BYTES)
    return data, parse_plan(path, data)


def parse_plan(path: Path, data: bytes) -> dict[str, Any]:
    """The document of plan bytes `data` (read from `path`), its shape checked."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise _problem(path, "", "not a Terraform plan JSON: the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError([Problem(str(path), error.lineno, error.colno, "", f"not a Terraform plan JSON: {error.msg}", HOW_TO_WRITE_ONE)]) from None
    except RecursionError:
        raise _problem(path, "", "not a Terraform plan JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise _problem(path, "", "not a Terraform plan JSON: the document is not an object")
    if "planned_values" not in document and "resource_changes" not in document and "values" in document:
        raise _problem(path, "planned_values", "missing: this looks like a state file, not a plan")
    try:
        PlanDocument.model_validate(document)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _problem(path, where, _describe(dict(first))) from None
    except RecursionError:
        raise _problem(path, "", "not a Terraform plan JSON: nested too deeply") from None
    return document


def managed_resource_count(plan: dict[str, Any]) -> int:
    """Managed resources the plan would leave in place: what a scanner of the plan must see."""

    def count(module: dict[str, Any]) -> int:
        own = sum(1 for resource in module.get("resources") or [] if resource.get("mode", "managed") == "managed")
        return own + sum(count(child) for child in module.get("child_modules") or [])

    return count((plan.get("planned_values") or {}).get("root_module") or {})


def _describe(error: dict[str, Any]) -> str:
    if error["type"] == "missing":
        return "missing: not a Terraform plan JSON"
    if error["type"] == "string_pattern_mismatch":
        return f"unsupported plan format {str(error.get('input'))[:40]}: tfgen reads format 1.x"
    return f"{describe(error)}: not a Terraform plan JSON"


def _problem(path: Path, where: str, message: str) -> InputError:
    return InputError([Problem(str(path), 1, 1, where, message, HOW_TO_WRITE_ONE)])
