"""The HCL emitter: the only way tfgen writes Terraform, in `terraform fmt`'s layout.

Blocks hold items: ``Attr`` (one line when its value is a literal, a ``Raw`` expression or a list
of literals; several for an ``Obj`` or a type constraint), nested ``Block``s, ``Comment`` lines and
``BLANK`` separators. Consecutive one-line attributes are aligned on ``=`` as fmt aligns them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tfgen.terraform_types import TypeSpec


class Raw(str):
    """An HCL expression, written as is."""


@dataclass
class Attr:
    key: str
    value: Any  # Raw / literal (one line), Obj or TypeValue (several lines)


@dataclass
class Obj:
    """An object constructor written over several lines."""

    items: list[Any]


@dataclass
class TypeValue:
    spec: TypeSpec


@dataclass
class Comment:
    text: str


@dataclass
class Block:
    type: str
    labels: tuple[str, ...] = ()
    items: list[Any] = field(default_factory=list)


BLANK = object()


def hcl_string(value: str) -> str:
    """A quoted HCL string literal; `${` and `%{` are escaped so nothing is interpolated."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("${", "$${").replace("%{", "%%{")


def hcl_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl_literal(v) for v in value) + "]"
    raise TypeError(f"no single-line HCL for {value!r}")


def type_attr(spec: TypeSpec) -> Attr:
    one_line = _type_one_line(spec)
    return Attr("type", Raw(one_line) if one_line is not None else TypeValue(spec))


def hcl_file(header: str, blocks: Iterable[Block]) -> str:
    parts = ["\n".join(_block(b)) for b in blocks]
    return header + "\n" + "\n\n".join(parts) + "\n"


def attributes_file(header: str, items: Sequence[Any]) -> str:
    """A file of top-level attributes only (a `.tfbackend` or `.tfvars` file)."""
    return header + "\n" + "\n".join(_body(items, 0)) + "\n"


def _type_one_line(spec: TypeSpec) -> str | None:
    if isinstance(spec, str):
        return spec
    kind, inner = spec
    if kind in ("list", "map", "set"):
        text = _type_one_line(inner)
        return None if text is None else f"{kind}({text})"
    return None


def _type_lines(spec: TypeSpec, indent: int) -> list[str]:
    """A multi-line object type: first line without indentation, last line closing it."""
    if isinstance(spec, str):
        return [spec]
    kind, inner = spec
    if kind in ("list", "map", "set"):
        lines = _type_lines(inner, indent)
        return [f"{kind}({lines[0]}", *lines[1:-1], lines[-1] + ")"]
    if kind != "object":
        raise TypeError(f"unknown type constructor {kind!r}")
    items: list[Any] = []
    for name, member in inner:
        one_line = _type_one_line(member)
        items.append(Attr(name, Raw(one_line) if one_line is not None else TypeValue(member)))
    return ["object({", *_body(items, indent + 2), " " * indent + "})"]


def _single_line(value: Any) -> bool:
    return not isinstance(value, (Obj, TypeValue, Block))


def _body(items: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    group: list[Attr] = []

    def flush() -> None:
        if group:
            width = max(len(a.key) for a in group)
            lines.extend(f"{pad}{a.key.ljust(width)} = {hcl_literal(a.value)}" for a in group)
            group.clear()

    for item in items:
        if item is BLANK:
            flush()
            lines.append("")
        elif isinstance(item, Comment):
            flush()
            lines.append(f"{pad}# {item.text}")
        elif isinstance(item, Attr) and _single_line(item.value):
            group.append(item)
        else:
            flush()
            lines.extend(_item_lines(item, indent))
    flush()
    return lines


def _item_lines(item: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(item, Block):
        return _block(item, indent)
    if isinstance(item.value, Obj):
        return [f"{pad}{item.key} = {{", *_body(item.value.items, indent + 2), pad + "}"]
    type_lines = _type_lines(item.value.spec, indent)
    return [f"{pad}{item.key} = {type_lines[0]}", *type_lines[1:]]


def _block(block: Block, indent: int = 0) -> list[str]:
    pad = " " * indent
    head = " ".join([block.type, *(hcl_string(label) for label in block.labels)])
    if not block.items:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{", *_body(block.items, indent + 2), pad + "}"]
