"""`tfgen schema`: the JSON Schema of the blueprint format, from the same model that validates it,
with every field described by the docstring written under it in the model's source."""

from __future__ import annotations

import ast
import inspect
import textwrap
from itertools import pairwise
from typing import Any

from pydantic import BaseModel

from tfgen.blueprint import fields, model, service_model

MODEL_MODULES = (fields, service_model, model)


def blueprint_json_schema() -> dict[str, Any]:
    schema = model.Blueprint.model_json_schema()
    described = {cls.__name__: attribute_docstrings(cls) for cls in _model_classes()}
    for name, definition in [("Blueprint", schema), *schema.get("$defs", {}).items()]:
        for field, text in described.get(name, {}).items():
            prop = definition.get("properties", {}).get(field)
            if prop is not None and "description" not in prop:
                prop["description"] = text
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tfgen blueprint"
    return schema


def _model_classes() -> list[type[BaseModel]]:
    return [
        value
        for module in MODEL_MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
    ]


def attribute_docstrings(cls: type[BaseModel]) -> dict[str, str]:
    """Field -> the string literal right under its annotation, for `cls` and the models it extends."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found
