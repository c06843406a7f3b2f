"""The provider schema (`terraform providers schema -json` shape): where it comes from, loading,
packing, trimming and conversion to the plugin protocol's ``Schema`` messages.

tfgen ships the schema of one hashicorp/aws release inside the package (``data/``), packed: the
facts only (names, cty types, nesting modes, item limits, flags, schema versions), without
description text, gzip-compressed. ``TFGEN_AWS_SCHEMA`` overrides it with any schema file, raw
(`terraform providers schema -json` output) or packed (``python -m tfgen.offline.pack``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfgen.errors import TfgenError
from tfgen.offline import PROVIDER_SOURCE, SCHEMA_ENV

PACKAGED_VERSION = "6.47.0"
PACKAGED_SCHEMA = Path(__file__).resolve().parent / "data" / f"aws-{PACKAGED_VERSION}.json.gz"
DEFAULT_VERSION = "6.0.0"
_VERSION_IN_NAME = re.compile(r"(\d+\.\d+\.\d+)")
_GZIP_MAGIC = b"\x1f\x8b"
MAX_SCHEMA_BYTES = 256 * 1024 * 1024  # the full raw schema is about 5 MB
HOW_TO_PRODUCE = (
    "produce one from the real provider with `terraform providers schema -json > aws.json` "
    "(in a directory whose configuration requires hashicorp/aws, after `terraform init`) "
    "and point TFGEN_AWS_SCHEMA at it"
)
# What a packed schema keeps of each attribute and nested block: facts, never description text.
ATTRIBUTE_FACTS = ("type", "nested_type", "required", "optional", "computed", "sensitive", "deprecated", "write_only")
NESTED_BLOCK_FACTS = ("nesting_mode", "min_items", "max_items")

Block = dict[str, Any]
ProviderSchemas = dict[str, Any]  # {"provider": ..., "resource_schemas": ..., "data_source_schemas": ...}


class SchemaFileError(TfgenError):
    """The provider schema file is missing, unreadable or not in the expected shape."""


@dataclass(frozen=True)
class SchemaSource:
    """The schema tfgen uses: the packaged one, or the file TFGEN_AWS_SCHEMA names."""

    path: Path
    version: str
    packaged: bool

    def describe(self) -> str:
        if self.packaged:
            return f"hashicorp/aws {self.version} (packaged with tfgen)"
        return f"hashicorp/aws {self.version} from {self.path} (TFGEN_AWS_SCHEMA)"


def schema_source(path: Path | str | None = None) -> SchemaSource:
    """`path`, else TFGEN_AWS_SCHEMA, else the packaged schema."""
    chosen = path if path else os.environ.get(SCHEMA_ENV, "").strip()
    if not chosen:
        return SchemaSource(PACKAGED_SCHEMA, PACKAGED_VERSION, packaged=True)
    resolved = check_schema_path(chosen)
    return SchemaSource(resolved, version_from_path(resolved), packaged=resolved == PACKAGED_SCHEMA)


def version_from_path(path: Path) -> str:
    """`aws-6.47.0.json` -> `6.47.0`; a name without a version gives DEFAULT_VERSION."""
    match = _VERSION_IN_NAME.search(Path(path).name)
    return match.group(1) if match else DEFAULT_VERSION


def check_schema_path(path: Path | str | None) -> Path:
    """The schema path, or a SchemaFileError saying how to produce one."""
    if not path:
        raise SchemaFileError(f"no AWS provider schema given; {HOW_TO_PRODUCE}")
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise SchemaFileError(f"AWS provider schema not found at {resolved} (TFGEN_AWS_SCHEMA); {HOW_TO_PRODUCE}")
    return resolved.resolve()


def read_schema_document(path: Path | str) -> Any:
    """The JSON document of a raw or packed (gzip) schema file."""
    resolved = check_schema_path(path)
    try:
        with open(resolved, "rb") as stream:
            data = stream.read(MAX_SCHEMA_BYTES + 1)
        if len(data) > MAX_SCHEMA_BYTES:
            raise SchemaFileError(f"{resolved} is larger than {MAX_SCHEMA_BYTES // 2**20} MiB: not a provider schema")
        if data.startswith(_GZIP_MAGIC):
            data = gzip.decompress(data)
        return json.loads(data)
    except (OSError, ValueError, EOFError) as error:
        raise SchemaFileError(f"cannot read the AWS provider schema {resolved}: {error}; {HOW_TO_PRODUCE}") from None


def load_provider_schemas(path: Path | str) -> ProviderSchemas:
    """The hashicorp/aws entry of a schema document (raw, packed or trimmed)."""
    resolved = check_schema_path(path)
    entry = provider_entry(read_schema_document(resolved), resolved)
    entry.setdefault("provider", {"version": 0, "block": {}})
    entry.setdefault("data_source_schemas", {})
    return entry


def provider_entry(document: Any, where: Path | str) -> ProviderSchemas:
    """The hashicorp/aws entry of `document`, its shape checked (SchemaFileError names what is wrong)."""
    schemas = document.get("provider_schemas") if isinstance(document, dict) else None
    if not isinstance(schemas, dict):
        raise SchemaFileError(f"{where} is not a provider schema (no provider_schemas object); {HOW_TO_PRODUCE}")
    entry = schemas.get(PROVIDER_SOURCE) or next((value for key, value in schemas.items() if key.endswith("/aws")), None)
    if not isinstance(entry, dict) or not isinstance(entry.get("resource_schemas"), dict):
        raise SchemaFileError(f"{where} holds no schema for {PROVIDER_SOURCE}; {HOW_TO_PRODUCE}")
    for section in ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas"):
        types = entry.get(section, {})
        if not isinstance(types, dict):
            raise SchemaFileError(f"{where}: {section} is not an object; {HOW_TO_PRODUCE}")
        for name, schema in types.items():
            if not isinstance(schema, dict) or not isinstance(schema.get("block", {}), dict):
                raise SchemaFileError(f"{where}: {section}.{name} is not a schema ({{version, block}}); {HOW_TO_PRODUCE}")
    provider = entry.get("provider")
    if provider is not None and not isinstance(provider, dict):
        raise SchemaFileError(f"{where}: provider is not a schema; {HOW_TO_PRODUCE}")
    return entry


# --- packing ------------------------------------------------------------------------------------


def pack(document: Any, where: str = "the schema", version: str | None = None) -> bytes:
    """A `terraform providers schema -json` document reduced to its facts, gzip-compressed and
    byte-for-byte deterministic (same input, same bytes)."""
    entry = provider_entry(document, where)
    packed_entry: dict[str, Any] = {"provider": _pack_schema(entry.get("provider") or {"version": 0, "block": {}})}
    for section in ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas"):
        packed_entry[section] = {name: _pack_schema(schema) for name, schema in sorted((entry.get(section) or {}).items())}
    packed: dict[str, Any] = {"format_version": "1.0", "provider_schemas": {PROVIDER_SOURCE: packed_entry}}
    if version:
        packed["tfgen_provider_version"] = version
    text = json.dumps(packed, separators=(",", ":"), sort_keys=True).encode()
    return gzip.compress(text, compresslevel=9, mtime=0)


def _pack_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {"version": int(schema.get("version", 0)), "block": _pack_block(schema.get("block") or {})}


def _pack_block(block: Block) -> Block:
    packed: Block = {}
    attributes = {
        name: {key: spec[key] for key in ATTRIBUTE_FACTS if spec.get(key) not in (None, False)}
        for name, spec in (block.get("attributes") or {}).items()
    }
    if attributes:
        packed["attributes"] = attributes
    nested = {}
    for name, spec in (block.get("block_types") or {}).items():
        facts = {key: spec[key] for key in NESTED_BLOCK_FACTS if spec.get(key) not in (None, 0)}
        facts["block"] = _pack_block(spec.get("block") or {})
        nested[name] = facts
    if nested:
        packed["block_types"] = nested
    if block.get("deprecated"):
        packed["deprecated"] = True
    return packed


# --- trimming and serving -----------------------------------------------------------------------


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


def to_pb(schema: dict[str, Any]) -> Any:
    """A `{"version": N, "block": {...}}` JSON schema as a tfplugin6 ``Schema`` message."""
    from tf.gen import tfplugin_pb2 as pb

    return pb.Schema(version=int(schema.get("version", 0)), block=_block_to_pb(pb, schema.get("block", {})))


_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


def _block_to_pb(pb: Any, block: Block) -> Any:
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
