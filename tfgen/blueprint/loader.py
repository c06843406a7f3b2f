"""Reading blueprint files. PLACEHOLDER API, to be replaced by the located-error loader.

Public API (keep it):
    load_blueprint(path) -> LoadedBlueprint
    LoadedBlueprint.blueprint        the validated base Blueprint
    LoadedBlueprint.for_environment(env) -> Blueprint   overrides merged and validated
    LoadedBlueprint.raw_environment_values(env) -> dict  (merged plain dict)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tfgen.blueprint.model import Blueprint
from tfgen.errors import InputError


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass
class LoadedBlueprint:
    path: Path
    raw: dict[str, Any]
    blueprint: Blueprint

    def for_environment(self, env: str) -> Blueprint:
        if env not in self.blueprint.environments:
            raise InputError(f"{self.path}: environment '{env}' is not in the blueprint")
        overrides = self.raw["environments"][env].get("overrides") or {}
        return Blueprint.model_validate(deep_merge(self.raw, overrides))


def load_blueprint(path: Path) -> LoadedBlueprint:
    raw = yaml.safe_load(Path(path).read_text())
    return LoadedBlueprint(Path(path), raw, Blueprint.model_validate(raw))
