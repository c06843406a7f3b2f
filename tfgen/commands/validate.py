"""`tfgen validate`: the blueprint, then real `terraform validate` of its rendering, offline,
and each environment's var file against the root variables."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.errors import TfgenError
from tfgen.offline.schema import HOW_TO_PRODUCE, schema_source
from tfgen.render import render_files
from tfgen.render.output import write_atomic
from tfgen.terraform import Terraform, TerraformError

_UNSUPPORTED_TYPE = re.compile(r'does not support (resource type|data source) "(aws_[a-z0-9_]+)"')


def validate_offline(loaded: LoadedBlueprint, work_dir: Path | None = None) -> list[str]:
    """Render into a temporary directory and run real `terraform validate` there through the
    offline provider; then check each environment's var file against the root variables.
    Returns one line per environment; TfgenError when Terraform finds a problem."""
    name = loaded.blueprint.name
    with tempfile.TemporaryDirectory(prefix=f"tfgen-validate-{name}-", dir=work_dir) as temporary:
        root = Path(temporary) / name
        files = render_files(loaded)
        for rel, data in files.items():
            write_atomic(root / rel, data)
        terraform = Terraform(root, Path(temporary) / ".tfgen" / "validate", offline=True)
        terraform.init()
        try:
            terraform.validate()
        except TerraformError as error:
            missing = _UNSUPPORTED_TYPE.search(str(error))
            if missing:
                # tfgen renders only hashicorp/aws types: the schema it was given is not a full one.
                raise TfgenError(
                    f"the AWS provider schema ({schema_source().describe()}) has no {missing.group(1)} {missing.group(2)}, "
                    f"which the rendered code uses: {HOW_TO_PRODUCE}"
                ) from None
            raise TfgenError(f"{loaded.path}: the rendered Terraform is not valid:\n{error}") from None
        declared = _declared_variables(files["variables.tf"].decode())
        lines = []
        for env in loaded.blueprint.environments:
            values = json.loads(files[f"env/{env}.tfvars.json"])
            unknown = sorted(set(values) - declared)
            if unknown:
                raise TfgenError(f"{loaded.path}: env/{env}.tfvars.json sets undeclared variables: {', '.join(unknown)}")
            lines.append(f"{loaded.path}: {env}: ok (blueprint valid, terraform validate passed)")
    return lines


def _declared_variables(text: str) -> set[str]:
    return {line.split('"')[1] for line in text.splitlines() if line.startswith('variable "')}
