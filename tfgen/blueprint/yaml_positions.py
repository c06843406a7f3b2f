"""YAML with positions: plain Python data plus the line and column of every key and value.

ruamel.yaml composes the document into nodes (YAML 1.2: `on`/`yes` are strings, `012` is 12);
this module turns the nodes into plain dicts, lists and scalars for pydantic and records, for
every path (a tuple of mapping keys and list indexes), where its key and its value start.

Problems that make the document unusable (broken YAML, empty file, not a mapping) and problems
that are errors but leave usable data (duplicate keys, non-scalar keys, tags such as `!Ref` that
plain YAML does not know) are returned as `Problem`s, never raised as ruamel exceptions.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tfgen.errors import Problem

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
# The tags of plain YAML data (YAML 1.2's core schema, plus the timestamps ruamel resolves):
# anything else (`!Ref`, `!Custom`, `!!python/object`, `!!binary`) means a tool the blueprint
# was written for, whose meaning tfgen would silently drop.
_PLAIN_TAGS = frozenset(_TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
# More nodes than any blueprint has; stops alias bombs ("billion laughs") from expanding forever.
MAX_NODES = 200_000


@dataclass(frozen=True)
class Position:
    """Where one mapping entry or list item sits in the file (1-based)."""

    line: int
    column: int
    key_line: int | None = None  # None for list items and the document itself
    key_column: int | None = None
    source: str | None = None  # the scalar's text as written (None for mappings and lists)
    quoted_tag: str | None = None  # the tag of a scalar written in quotes but tagged as a number or a boolean (`!!int "8080"`)

    @property
    def key(self) -> tuple[int, int]:
        """The key's position, or the value's when there is no key."""
        if self.key_line is None or self.key_column is None:
            return self.line, self.column
        return self.key_line, self.key_column

    @property
    def value(self) -> tuple[int, int]:
        return self.line, self.column


@dataclass
class YamlDocument:
    """A parsed file: data (None when unusable), positions by path, and problems found."""

    file: str
    data: Any = None
    positions: dict[Path, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    tagged: set[Path] = field(default_factory=set)  # nodes with a tag plain YAML does not know (reported)

    def problem(self, path: Path, message: str, hint: str | None = None, *, at: str = "value") -> Problem:
        """A Problem located at `path` (its key with at="key" or "parent", else its value), falling
        back to the nearest enclosing entry that exists in the file."""
        line, column = self.locate(path, at=at)
        return Problem(self.file, line, column, dotted(path), message, hint)

    def source(self, path: Path) -> str | None:
        """The scalar at `path` as written in the file (e.g. 0123 or true), or None."""
        position = self.positions.get(tuple(path))
        return position.source if position is not None else None

    def quoted_tag(self, path: Path) -> str | None:
        """The tag (as written: `!!int`) that makes the quoted scalar at `path` something else than text, or None."""
        position = self.positions.get(tuple(path))
        return position.quoted_tag if position is not None else None

    def locate(self, path: Path, *, at: str = "value") -> tuple[int, int]:
        probe = tuple(path)
        while probe not in self.positions and probe:
            probe = probe[:-1]
            at = "key"
        position = self.positions.get(probe)
        if position is None:
            return 1, 1
        return position.key if at in ("key", "parent") else position.value


def within(dotted_path: str, parent: str) -> bool:
    """Whether the dotted path is `parent` or below it."""
    return not parent or dotted_path == parent or dotted_path.startswith((parent + ".", parent + "["))


def dotted(path: Path) -> str:
    """services.vote-api.count, environments.dev.overrides.services.api, network.vpc.public_subnets[0]"""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + (printable(str(part)) or '""')
    return text


def printable(text: str) -> str:
    """`text` on one line: characters that are not printable (newlines, tabs, \\x85, ...) escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def clean(problem: Problem) -> Problem:
    """The problem with its path, message and hint on one printable line each."""
    hint = printable(problem.hint) if problem.hint else problem.hint
    return Problem(problem.file, problem.line, problem.column, printable(problem.path), printable(problem.message) or "invalid", hint)


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse `text`; the document's data is a dict unless `problems` says why it is not."""
    document = YamlDocument(file)
    yaml = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = yaml.compose(text)
    except MarkedYAMLError as error:
        document.problems.append(_marked_problem(error, file))
        return document
    except YAMLError as error:  # ReaderError: characters YAML forbids
        line, column = _offset_position(text, getattr(error, "position", 0) or 0)
        reason = getattr(error, "reason", None) or str(error).splitlines()[0]
        character = getattr(error, "character", None)
        what = f"character {character!r} is not allowed in YAML" if isinstance(character, str) else f"not readable as YAML: {reason}"
        document.problems.append(Problem(file, line, column, "", what))
        return document
    except RecursionError:
        document.problems.append(Problem(file, 1, 1, "", "the YAML is nested too deeply"))
        return document

    if root is None:
        document.problems.append(Problem(file, 1, 1, "", "the file is empty: a blueprint is a mapping with name, region, services and environments"))
        return document
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else f"the scalar {_short(root.value)}"
        document.problems.append(Problem(file, 1, 1, "", f"a blueprint is a mapping (name: ..., services: ...), this file holds {kind}"))
        return document
    converter = _Converter(document)
    try:
        document.data = converter.convert(root, ())
    except RecursionError:
        document.problems.append(Problem(file, 1, 1, "", "the YAML is nested too deeply"))
        document.data = None
    except _TooBig:
        document.problems.append(Problem(file, 1, 1, "", f"the YAML expands to more than {MAX_NODES} values (aliases?)"))
        document.data = None
    document.positions.setdefault((), Position(1, 1))
    return document


class _TooBig(Exception):
    pass


class _Converter:
    def __init__(self, document: YamlDocument):
        self.document = document
        self.active: set[int] = set()
        self.count = 0

    def convert(self, node: Node, path: Path, key_node: Node | None = None) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig
        line, column = _mark(node)
        key_line, key_column = _mark(key_node) if key_node is not None else (None, None)
        source = node.value if isinstance(node, ScalarNode) else None
        tag = str(node.tag)
        quoted = isinstance(node, ScalarNode) and node.style in ("'", '"') and tag != _TAG + "str"
        self.document.positions[path] = Position(line, column, key_line, key_column, source, tag_as_written(tag) if quoted else None)
        if tag not in _PLAIN_TAGS:
            self.document.tagged.add(path)
            self.document.problems.append(
                self.document.problem(path, f"YAML tag {tag_as_written(tag)} is not supported: blueprints are plain YAML", "remove the tag")
            )
        if isinstance(node, ScalarNode):
            return scalar_value(node)
        if id(node) in self.active:
            self.document.problems.append(self.document.problem(path, "an alias refers to a node that contains it (a recursive structure)"))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            return None
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                line, column = _mark(key_node)
                self.document.problems.append(
                    Problem(self.document.file, line, column, dotted(path), "keys must be plain text, not a list or a mapping")
                )
                continue
            key = str(key_node.value)
            line, _ = _mark(key_node)
            if key in first_line:
                column = _mark(key_node)[1]
                self.document.problems.append(
                    Problem(
                        self.document.file,
                        line,
                        column,
                        dotted((*path, key)),
                        f"duplicate key '{key}' (lines {first_line[key]} and {line}): YAML keeps only one of them",
                        "remove one",
                    )
                )
                continue
            first_line[key] = line
            result[key] = self.convert(value_node, (*path, key), key_node)
        # YAML merge keys (<<: *defaults): keys written in the mapping win over merged ones.
        for source in merged:
            sources = source.value if isinstance(source, SequenceNode) else [source]
            for item in sources:
                if not isinstance(item, MappingNode):
                    self.document.problems.append(self.document.problem(path, "'<<' merges mappings only", at="key"))
                    continue
                if id(item) in self.active:
                    self.document.problems.append(self.document.problem(path, "an alias refers to a node that contains it (a recursive structure)"))
                    continue
                self.active.add(id(item))
                try:
                    for key_node, value_node in item.value:
                        merged_key = str(key_node.value) if isinstance(key_node, ScalarNode) else None
                        if merged_key is None or merged_key in result or key_node.tag == _TAG + "merge":
                            continue
                        result[merged_key] = self.convert(value_node, (*path, merged_key), key_node)
                finally:
                    self.active.discard(id(item))
        return result


def tag_as_written(tag: str) -> str:
    """`!Ref`, `!!binary` or `!<tag:example.com,2026:x>`: a node's tag the way YAML writes it."""
    if tag.startswith(_TAG):
        return "!!" + tag[len(_TAG) :]
    if tag.startswith("!"):
        return tag
    return f"!<{tag}>"


def scalar_value(node: ScalarNode) -> Any:
    """The Python value of a scalar under YAML 1.2's core schema; other tags stay text."""
    text = node.value
    tag = node.tag
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        value = _parse_int(text)
        return text if value is None else value
    if tag == _TAG + "float":
        return _parse_float(text)
    return text


def _parse_int(text: str) -> int | None:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    try:
        if digits[:2] in ("0o", "0O"):
            return sign * int(digits[2:], 8)
        if digits[:2] in ("0x", "0X"):
            return sign * int(digits[2:], 16)
        if digits[:2] in ("0b", "0B"):
            return sign * int(digits[2:], 2)
        return sign * int(digits, 10)
    except ValueError:
        return None


def _parse_float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in (".nan",):
        return math.nan
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    try:
        return float(lowered)
    except ValueError:
        return text


def _mark(node: Node | None) -> tuple[int, int]:
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _marked_problem(error: MarkedYAMLError, file: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (error.problem or "").strip() or "broken YAML"
    message = f"broken YAML: {problem}"
    context = (error.context or "").strip()
    if context and error.context_mark is not None:
        message += f" ({context} started at line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
    elif context:
        message += f" ({context})"
    return Problem(file, line, column, "", one_line(message))


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column


def one_line(text: str) -> str:
    """`text` with every run of white space (newlines too) as one space."""
    return " ".join(str(text).split())


def _short(value: Any, limit: int = 40) -> str:
    """A scalar's text in quotes, short (never a Python repr)."""
    text = printable(str(value))
    return "'" + (text if len(text) <= limit - 2 else text[: limit - 5] + "...") + "'"
