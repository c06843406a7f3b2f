"""The shape of a provider schema, checked on the types a configuration uses before the stand-in
serves them. A schema file of the wrong shape (or of another provider, or one that lacks a type the
rendered code uses, see `tfgen validate`) is reported as what it is, not blamed on the rendered code."""

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


def shape_problems(schemas: dict[str, Any]) -> list[str]:
    """What makes `schemas` (a trimmed provider entry) unusable as the hashicorp/aws schema."""
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
    # A type the schema lacks is left to Terraform, whose message names it ("does not support
    # resource type"): a typo in a hand-written configuration is not the schema's fault.
    return problems
