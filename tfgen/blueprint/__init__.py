"""The blueprint: its model (one source of truth for validation and JSON Schema) and its loader."""

from tfgen.blueprint.model import Blueprint, Environment, Service

__all__ = ["Blueprint", "Environment", "Service"]
