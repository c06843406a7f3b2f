"""The shape of a provider schema, checked on the types a configuration uses before the stand-in
serves them. A schema file of the wrong shape (or of another provider, or one that lacks a type the
rendered code uses) is reported as what it is, never left for Terraform to blame on the rendered code."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tfgen.readback import describe


class _Fact(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class NestedAttributes(_Fact):
    nesting_mode: Literal["single", "list", "set", "map"]
    attributes: dict[str, Attribute] = Field(default_factory=dict)


class Attribute(_Fact):
    type: str | list[Any] | None = None
    nested_type: NestedAttributes | None = None
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False


class NestedBlock(_Fact):
    nesting_mode: Literal["single", "list", "set", "map", "group"]
    block: Block = Field(default_factory=lambda: Block())
    min_items: int = 0
    max_items: int = 0


class Block(_Fact):
    attributes: dict[str, Attribute] = Field(default_factory=dict)
    block_types: dict[str, NestedBlock] = Field(default_factory=dict)


class TypeSchema(_Fact):
    version: int = 0
    block: Block = Field(default_factory=Block)


class TrimmedSchemas(_Fact):
    provider: TypeSchema
    resource_schemas: dict[str, TypeSchema]
    data_source_schemas: dict[str, TypeSchema]


def shape_problems(schemas: dict[str, Any], resource_types: set[str], data_types: set[str]) -> list[str]:
    """What makes `schemas` (a trimmed provider entry) unusable for a configuration using these types."""
    try:
        checked = TrimmedSchemas.model_validate(schemas)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        return [f"{'.'.join(str(part) for part in first['loc'])}: {describe(first)}"]
    except RecursionError:
        return ["nested too deeply to be a provider schema"]
    problems = []
    if "region" not in checked.provider.block.attributes:
        problems.append("its provider block has no `region` argument: it is not the schema of hashicorp/aws")
    missing = sorted(resource_types - set(checked.resource_schemas)) + sorted(f"data.{name}" for name in data_types - set(checked.data_source_schemas))
    if missing:
        named = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        problems.append(f"it has no schema for {named}, used by the configuration")
    return problems
