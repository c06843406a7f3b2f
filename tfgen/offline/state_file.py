"""The offline environment's local state file, checked before Terraform or the stand-in reads it.

Terraform itself reports a broken state file only as a failure to take the state lock; reading it
here first says what is wrong with which file and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tfgen.files import MiB
from tfgen.readback import read_model

STATE_LIMIT = 256 * MiB


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class StateResource(_Open):
    mode: Literal["managed", "data"]
    type: str
    name: str
    instances: list[dict[str, Any]] = Field(default_factory=list)


class TerraformState(_Open):
    version: Literal[4]
    terraform_version: str
    serial: int
    lineage: str
    resources: list[StateResource] = Field(default_factory=list)


def read_state(path: Path) -> TerraformState | None:
    """The state at `path` (None when there is none yet); InputError when it is not a Terraform state."""
    if not path.exists() and not path.is_symlink():
        return None
    fix = f"restore it from {path.name}.backup beside it, or delete both to start the offline environment afresh"
    return read_model(path, TerraformState, "the offline Terraform state", fix, STATE_LIMIT)
