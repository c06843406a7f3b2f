"""The provider schema JSON (`terraform providers schema -json` shape): loading, trimming and
conversion to the plugin protocol's ``Schema`` messages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tfgen.errors import TfgenError
from tfgen.offline import PROVIDER_SOURCE

DEFAULT_VERSION = "6.0.0"
_VERSION_IN_NAME = re.compile(r"(\d+\.\d+\.\d+)")
HOW_TO_PRODUCE = (
    "produce one from the real provider with `terraform providers schema -json > aws.json` "
    "(in a directory whose configuration requires hashicorp/aws, after `terraform init`) "
    "and point TFGEN_AWS_SCHEMA at it"
)

Block = dict[str, Any]
ProviderSchemas = dict[str, Any]  # {"provider": ..., "resource_schemas": ..., "data_source_schemas": ...}


class SchemaFileError(TfgenError):
    """The provider schema file is missing, unreadable or not in the expected shape."""


def version_from_path(path: Path) -> str:
    """`aws-6.47.0.json` -> `6.47.0`; a name without a version gives DEFAULT_VERSION."""
    match = _VERSION_IN_NAME.search(Path(path).name)
    return match.group(1) if match else DEFAULT_VERSION


def check_schema_path(path: Path | str | None) -> Path:
    """The schema path, or a SchemaFileError saying how to produce one."""
    if not path:
        raise SchemaFileError(f"offline mode needs the AWS provider schema: set TFGEN_AWS_SCHEMA; {HOW_TO_PRODUCE}")
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise SchemaFileError(f"AWS provider schema not found at {resolved}; {HOW_TO_PRODUCE}")
    return resolved.resolve()


def load_provider_schemas(path: Path | str) -> ProviderSchemas:
    """The hashicorp/aws entry of a `terraform providers schema -json` document (or of a trimmed one)."""
    resolved = check_schema_path(path)
    try:
        document = json.loads(resolved.read_bytes())
    except (OSError, ValueError) as error:
        raise SchemaFileError(f"cannot read the AWS provider schema {resolved}: {error}; {HOW_TO_PRODUCE}") from error
    schemas = document.get("provider_schemas", {}) if isinstance(document, dict) else {}
    entry = schemas.get(PROVIDER_SOURCE) or next(
        (value for key, value in schemas.items() if key.endswith("/aws")), None
    )
    if not isinstance(entry, dict) or "resource_schemas" not in entry:
        raise SchemaFileError(f"{resolved} holds no schema for {PROVIDER_SOURCE}; {HOW_TO_PRODUCE}")
    entry.setdefault("provider", {"version": 0, "block": {}})
    entry.setdefault("data_source_schemas", {})
    return entry


def trim(schemas: ProviderSchemas, resource_types: set[str], data_types: set[str]) -> ProviderSchemas:
    """Only the named resource and data source types (unknown names are skipped: Terraform reports them)."""
    resources = schemas["resource_schemas"]
    data_sources = schemas["data_source_schemas"]
    return {
        "provider": schemas["provider"],
        "resource_schemas": {name: resources[name] for name in sorted(resource_types) if name in resources},
        "data_source_schemas": {name: data_sources[name] for name in sorted(data_types) if name in data_sources},
    }


def wrap(schemas: ProviderSchemas) -> dict[str, Any]:
    """A provider entry back into the `terraform providers schema -json` document shape."""
    return {"format_version": "1.0", "provider_schemas": {PROVIDER_SOURCE: schemas}}


def to_pb(schema: dict[str, Any]):
    """A `{"version": N, "block": {...}}` JSON schema as a tfplugin6 ``Schema`` message."""
    from tf.gen import tfplugin_pb2 as pb

    return pb.Schema(version=int(schema.get("version", 0)), block=_block_to_pb(pb, schema.get("block", {})))


_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


def _block_to_pb(pb, block: Block):
    attributes = [
        pb.Schema.Attribute(
            name=name,
            type=json.dumps(spec["type"], separators=(",", ":")).encode(),
            required=bool(spec.get("required")),
            optional=bool(spec.get("optional")),
            computed=bool(spec.get("computed")),
            sensitive=bool(spec.get("sensitive")),
            deprecated=bool(spec.get("deprecated")),
        )
        for name, spec in sorted(block.get("attributes", {}).items())
    ]
    block_types = [
        pb.Schema.NestedBlock(
            type_name=name,
            block=_block_to_pb(pb, spec.get("block", {})),
            nesting=_NESTING[spec.get("nesting_mode", "list")],
            min_items=int(spec.get("min_items", 0)),
            max_items=int(spec.get("max_items", 0)),
        )
        for name, spec in sorted(block.get("block_types", {}).items())
    ]
    return pb.Schema.Block(attributes=attributes, block_types=block_types)
