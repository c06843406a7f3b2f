"""Terraform type constraints as plain data, for the root variables tfgen declares:
``"string"`` | ``("object", [(name, spec), ...])`` | ``("list" | "map" | "set", spec)``."""

from __future__ import annotations

from typing import Any

TypeSpec = str | tuple[str, Any]
