"""What a blueprint problem is before it is located in the file (``Finding``), where the loader
locates it (``Locator``), and the helpers every rule uses to word it: "did you mean" and values
shown as the user wrote them."""

from __future__ import annotations

import difflib
import math
import types
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

from pydantic import BaseModel

from tfgen.blueprint.yaml_positions import Path
from tfgen.errors import Problem


class Locator(Protocol):
    """Where a path of the validated document is in the file(s)."""

    def problem(self, path: Path, message: str, hint: str | None = None, *, at: str = "value") -> Problem | None: ...

    def source(self, path: Path) -> str | None: ...

    def quoted_tag(self, path: Path) -> str | None: ...


@dataclass(frozen=True)
class Finding:
    """One problem before it is located: path in the validated data, where to point, what to say."""

    path: Path
    message: str
    hint: str | None = None
    at: str = "value"  # "value", "key" (the key of path) or "parent" (path is the parent mapping)
    quote: bool = False  # a text was meant: add a 'quote it: "<the text as written>"' hint (see validation.locate)
    alternatives: tuple[Path, ...] = ()  # other paths the problem may be reported at (see Locator.choose)


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """'did you mean ...?' for a misspelled word, or None."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"did you mean '{close[0]}'?" if close else None


def show(value: Any, limit: int = 50) -> str:
    """A value as a user wrote it in YAML, short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return "'" + text.replace("\n", "\\n") + "'"


# A segment is (kind, element, info): kind "key" (a key or index of the data; info = the model
# owning that key, if any), "tag" (a union branch; info = the branch's type), "disc" (the tag of a
# discriminated union; stripped), "keyname" (the error is about the preceding key itself).
Segment = tuple[str, Any, Any]


@dataclass
class Item:
    segments: list[Segment]
    err: dict[str, Any]

    @property
    def path(self) -> Path:
        return tuple(el for kind, el, _ in self.segments if kind == "key")

    @property
    def owner(self) -> Any:
        """The model owning the last key (for "did you mean" on unknown keys)."""
        for kind, _, info in reversed(self.segments):
            if kind == "key":
                return info
        return None

    @property
    def about_key(self) -> bool:
        return any(kind == "keyname" for kind, _, _ in self.segments)


def strip_type(tp: Any) -> Any:
    """Annotated[X, ...] -> X; Optional[X] -> X."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if is_union(tp):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)
