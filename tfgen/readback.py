"""Reading back the JSON files tfgen (or a tool it runs) wrote: manifests, saved-plan metadata,
tfgen.context.json, offline state, plan JSON, checkov reports.

Each is read with ``files.read_input`` (regular files only, bounded size) and checked against a
pydantic model before any field is used, so a truncated, hand-edited or hostile file is a one-line
``InputError`` naming the file, the field and what to do, never a traceback. Messages are worded
here: pydantic's own text and Python reprs do not reach the user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tfgen.errors import InputError, Problem
from tfgen.files import MiB, read_input

Model = TypeVar("Model", bound=BaseModel)

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "a list",
    "tuple_type": "a list",
    "none_required": "null",
}


def decode_json(path: Path, data: bytes, what: str, fix: str) -> Any:
    """The JSON value in `data`; InputError (located where the JSON breaks) when it is not JSON."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise refusal(path, "", f"{what} is not UTF-8 text", fix) from None
    except json.JSONDecodeError as error:
        raise InputError([Problem(str(path), error.lineno, error.colno, "", f"{what} is not valid JSON: {error.msg}", fix)]) from None
    except RecursionError:
        raise refusal(path, "", f"{what} is nested too deeply to be one", fix) from None


def validate(path: Path, value: Any, model: type[Model], what: str, fix: str) -> Model:
    """`value` as `model`; InputError at the first field that does not fit."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise refusal(path, where, f"{describe(first)} in {what}", fix) from None
    except RecursionError:
        raise refusal(path, "", f"{what} is nested too deeply to be one", fix) from None


def read_model(path: Path, model: type[Model], what: str, fix: str, limit: int = 16 * MiB) -> Model:
    """The file at `path` as `model` (`what` names the file in messages, `fix` says what to do)."""
    data = read_input(path, what, limit)
    return validate(path, decode_json(path, data, what, fix), model, what, fix)


def describe(error: Any) -> str:
    """One pydantic error as tfgen words it."""
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "not a field tfgen writes"
    if kind == "string_pattern_mismatch":
        return f"unexpected value {shown(value)}"
    if kind in ("literal_error", "enum"):
        return f"unexpected value {shown(value)}"
    expected = _EXPECTED.get(kind)
    if expected:
        return f"expected {expected}, got {shown(value)}"
    return f"unexpected value {shown(value)}"


def shown(value: Any) -> str:
    """A value as JSON would write it, short (objects and lists by kind, not content)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def refusal(path: Path, where: str, message: str, fix: str | None) -> InputError:
    return InputError([Problem(str(path), 1, 1, where, message, fix)])
