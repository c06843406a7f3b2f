"""pydantic's validation errors, turned into located, human problems.

pydantic reports an error at a `loc` such as ``('services', 'api', 'web-service', 'count',
'constrained-int')``: keys of the document mixed with the tags of the unions it tried. This module
walks the loc alongside the model's types to tell keys from tags, collapses the errors of a union's
branches into the one the user meant (or into one "expected X or Y" message), rewrites pydantic's
terse messages, and adds "did you mean" hints for misspelled keys and values.
"""

from __future__ import annotations

import difflib
import math
import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tfgen.blueprint import model as m
from tfgen.blueprint.yaml_positions import Path
from tfgen.errors import Problem


class Locator(Protocol):
    """Where a path of the validated document is in the file(s)."""

    def problem(self, path: Path, message: str, hint: str | None = None, *, at: str = "value") -> Problem | None: ...

    def source(self, path: Path) -> str | None: ...


def _choose(locator: Any, finding: Finding) -> Path:
    choose = getattr(locator, "choose", None)
    if choose is None or not finding.alternatives:
        return finding.path
    return choose((finding.path, *finding.alternatives))


@dataclass(frozen=True)
class Finding:
    """One problem before it is located: path in the validated data, where to point, what to say."""

    path: Path
    message: str
    hint: str | None = None
    at: str = "value"  # "value", "key" (the key of path) or "parent" (path is the parent mapping)
    quote: bool = False  # add a 'quote it: "<the text as written>"' hint
    alternatives: tuple[Path, ...] = ()  # other paths the problem may be reported at (see Locator.choose)


# --- public ------------------------------------------------------------------------------------


def validation_findings(error: ValidationError, data: Any, root: type[BaseModel] = m.Blueprint) -> list[Finding]:
    """Every error of `error` (raised validating `data` with `root`) as a Finding, unions collapsed."""
    items = []
    for err in error.errors(include_url=False):
        try:
            items.append(_Item(_segments(err["loc"], err["type"], root), dict(err)))
        except Exception:
            items.append(_Item([("key", part, None) for part in err["loc"] if not _looks_like_tag(part)], dict(err)))
    findings: list[Finding] = []
    for item, finding in _collapse(items, data):
        if finding is not None:
            findings.append(finding)
            continue
        assert item is not None  # _collapse gives an item wherever it gives no finding
        try:
            findings.append(_finding(item, data))
        except Exception:
            findings.append(Finding(item.path, _one_line(str(item.err.get("msg", "invalid value")))))
    return findings


def locate(findings: list[Finding], locator: Locator) -> list[Problem]:
    problems = []
    for finding in findings:
        at = "key" if finding.at in ("key", "parent") else "value"
        path = _choose(locator, finding)
        hint = finding.hint
        if finding.quote:
            written = locator.source(path)
            hint = f'quote it: "{written}"' if written else "quote it"
        problem = locator.problem(path, _one_line(finding.message), hint, at=at)
        if problem is not None:
            problems.append(problem)
    return problems


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


# --- loc -> segments ---------------------------------------------------------------------------

# A segment is (kind, element, info): kind "key" (a key or index of the data; info = the model
# owning that key, if any), "tag" (a union branch; info = the branch's type), "disc" (the tag of a
# discriminated union; stripped), "keyname" (the error is about the preceding key itself).
Segment = tuple[str, Any, Any]


@dataclass
class _Item:
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


def _strip(tp: Any) -> Any:
    """Annotated[X, ...] -> X; Optional[X] -> X."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if _is_union(tp):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


_TAG_WORD = re.compile(r"(\w+)\]?$")


def _pick_member(members: list[Any], tag: Any) -> tuple[str, Any]:
    for member in members:
        if _is_model(member):
            type_field = member.model_fields.get("type")
            if type_field is not None and get_origin(type_field.annotation) is Literal and tag in get_args(type_field.annotation):
                return "disc", member
    if isinstance(tag, str):
        match = _TAG_WORD.search(tag)
        word = match.group(1) if match else None
        for member in members:
            if _is_model(member) and member.__name__ == word:
                return "tag", member
        for member in members:
            inner = _strip(member)
            if get_origin(inner) is Literal and tag.startswith("literal["):
                return "tag", inner
            if isinstance(inner, type) and not _is_model(inner) and word and inner.__name__ == word:
                return "tag", inner
    return "tag", None


def _segments(loc: tuple[Any, ...], err_type: str, root: type[BaseModel]) -> list[Segment]:
    segments: list[Segment] = []
    tp: Any = root
    for element in loc:
        if element == "[key]":
            segments.append(("keyname", element, None))
            continue
        tp = _strip(tp)
        if _is_union(tp):
            kind, member = _pick_member([a for a in get_args(tp) if a is not type(None)], element)
            segments.append((kind, element, member))
            tp = member
            continue
        if _is_model(tp):
            segments.append(("key", element, tp))
            field = tp.model_fields.get(element) if isinstance(element, str) else None
            tp = field.annotation if field is not None else None
            continue
        origin = get_origin(tp)
        args = get_args(tp)
        segments.append(("key", element, None))
        if origin is dict and len(args) == 2:
            tp = args[1]
        elif origin in (list, tuple) and args:
            tp = args[0]
        else:
            tp = None
    return segments


def _looks_like_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part in m.SERVICE_TYPES or part == "[key]" or bool(re.search(r"[\[\]]|^constrained-|^(str|int|bool|float)$", part)) or part[:1].isupper()
    )


# --- unions ------------------------------------------------------------------------------------

TYPE_ERRORS = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "string_type",
    "bool_type",
    "bool_parsing",
    "float_type",
    "float_parsing",
    "literal_error",
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "is_instance_of",
}


def _first_tag(item: _Item) -> int | None:
    for index, (kind, _, _) in enumerate(item.segments):
        if kind == "tag":
            return index
    return None


def _collapse(items: list[_Item], data: Any) -> list[tuple[_Item | None, Finding | None]]:
    """Items without union branches as they are; each union's branches reduced to what the user meant."""
    out: list[tuple[_Item | None, Finding | None]] = []
    groups: dict[tuple, list[tuple[int, _Item]]] = {}
    order: list[tuple] = []
    for item in items:
        index = _first_tag(item)
        if index is None:
            out.append((item, None))
            continue
        prefix = tuple((k, e) for k, e, _ in item.segments[:index])
        if prefix not in groups:
            groups[prefix] = []
            order.append(prefix)
        groups[prefix].append((index, item))
    for prefix in order:
        members = groups[prefix]
        branches: dict[Any, list[_Item]] = {}
        branch_types: dict[Any, Any] = {}
        for index, item in members:
            tag = item.segments[index][1]
            stripped = _Item(item.segments[:index] + item.segments[index + 1 :], item.err)
            branches.setdefault(tag, []).append(stripped)
            branch_types[tag] = item.segments[index][2]
        path = tuple(e for k, e in prefix if k == "key")
        value = _get(data, path)
        chosen = _choose_branch(value, branches, branch_types)
        if chosen is not None:
            out.extend(_collapse(branches[chosen], data))
            continue
        out.append((None, _union_finding(path, value, branches, branch_types)))
    return out


def _choose_branch(value: Any, branches: dict[Any, list[_Item]], branch_types: dict[Any, Any]) -> Any:
    tags = list(branches)
    models = [t for t in tags if _is_model(branch_types[t])]
    scalars = [t for t in tags if not _is_model(branch_types[t])]
    if isinstance(value, dict):
        if not models:
            return None
        return min(models, key=lambda t: (len(branches[t]), tags.index(t)))
    if isinstance(value, list):
        return None
    for tag in scalars:
        if any(item.err["type"] not in TYPE_ERRORS for item in branches[tag]):
            return tag
    return None


def _describe(tp: Any) -> str:
    tp = _strip(tp) if tp is not None else None
    if _is_model(tp):
        return "a mapping {" + ", ".join(tp.model_fields) + "}"
    if get_origin(tp) is Literal:
        return " or ".join(f"'{v}'" for v in get_args(tp))
    if tp is int:
        return "an integer"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is float:
        return "a number"
    return "a value of another type"


def _union_finding(path: Path, value: Any, branches: dict[Any, list[_Item]], branch_types: dict[Any, Any]) -> Finding:
    descriptions: list[str] = []
    literals: list[str] = []
    for tp in branch_types.values():
        text = _describe(tp)
        if text not in descriptions:
            descriptions.append(text)
        if get_origin(_strip(tp) if tp is not None else None) is Literal:
            literals.extend(str(v) for v in get_args(_strip(tp)))
    expected = descriptions[0] if len(descriptions) == 1 else ", ".join(descriptions[:-1]) + " or " + descriptions[-1]
    hint = suggest(value, literals) if isinstance(value, str) else None
    return Finding(path, f"expected {expected}, got {show(value)}", hint)


# --- single errors -----------------------------------------------------------------------------

PATTERNS: dict[str, str] = {
    m.APP_NAME_PATTERN: "an application name (2-20 characters: a-z, 0-9 and '-', starting with a letter)",
    m.SERVICE_NAME_PATTERN: "a service name (1-32 characters: a-z, 0-9 and '-', starting with a letter)",
    r"^[a-z][a-z0-9-]{0,15}$": "an environment name (1-16 characters: a-z, 0-9 and '-', starting with a letter)",
    r"^[0-9]{12}$": "an AWS account id (12 digits, quoted)",
    r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$": "an AWS region such as eu-west-1",
    r"^arn:aws[a-z-]*:[a-z0-9-]+:": "an ARN (arn:aws:SERVICE:...)",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "an environment variable name (letters, digits and '_', not starting with a digit)",
    r"^vpc-[0-9a-f]+$": "a VPC id such as vpc-0abc123",
    r"^subnet-[0-9a-f]+$": "a subnet id such as subnet-0abc123",
    r"^/": "a path starting with '/'",
    m.WRITABLE_PATH_PATTERN: "an absolute directory path below / such as /tmp or /var/cache/nginx",
    r"^[0-9]{3}([,-][0-9]{3})*$": "HTTP status codes such as 200, 200,204 or 200-399",
    r"^[a-z][a-z0-9-]*\.[a-z0-9]+$": "an EC2 instance type such as t3.medium",
    r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$": "an S3 bucket name (3-63 characters: a-z, 0-9, '.' and '-')",
    r"^[a-z0-9*][a-z0-9.*-]*$": "a host name such as vote.example.com",
    r"^[A-Z][A-Z0-9_]+$": "a check id such as CKV_AWS_91",
}

_NAME_LIMITS = {m.APP_NAME_PATTERN: ("an application name", 20, "it prefixes every AWS name"), m.SERVICE_NAME_PATTERN: ("a service name", 32, "")}


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
            continue
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        return None
    return data


def _finding(item: _Item, data: Any) -> Finding:
    err = item.err
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    path = item.path

    if item.about_key:
        return _key_finding(path, value, ctx)
    if _is_skip(path) and kind in ("string_too_short", "string_type", "missing"):
        return Finding(path, "a skip needs a reason", f'write {path[-1]}: "why this check does not apply"', at="key")
    if kind == "missing":
        return Finding(path[:-1], f"missing required key '{path[-1]}'", at="parent")
    if kind == "extra_forbidden":
        owner = item.owner
        hint = suggest(str(path[-1]), list(owner.model_fields)) if _is_model(owner) else None
        if hint is None and _is_model(owner):
            hint = "known keys: " + ", ".join(owner.model_fields)
        return Finding(path, f"unknown key '{path[-1]}'", hint, at="key")
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        expected = _quoted_values(str(ctx.get("expected_tags", "")))
        hint = suggest(str(tag), expected) or "one of " + ", ".join(expected)
        if path and path[0] == "services":
            return Finding((*path, "type"), f"unknown service type {show(tag)}", hint)
        return Finding((*path, "type"), f"unknown type {show(tag)}", hint)
    if kind == "union_tag_not_found":
        known = ", ".join(m.SERVICE_TYPES)
        return Finding(path, f"missing required key 'type' (one of {known})", at="key")
    if kind == "literal_error":
        expected = _quoted_values(str(ctx.get("expected", "")))
        listed = ", ".join(f"'{e}'" for e in expected)
        return Finding(path, f"expected one of {listed}, got {show(value)}", suggest(value, expected) if isinstance(value, str) else None)
    if kind in ("int_type", "int_parsing"):
        return Finding(path, f"expected an integer, got {show(value)}")
    if kind == "int_from_float":
        return Finding(path, f"expected a whole number, got {show(value)}")
    if kind in ("float_type", "float_parsing"):
        return Finding(path, f"expected a number, got {show(value)}")
    if kind in ("bool_type", "bool_parsing"):
        return Finding(path, f"expected true or false, got {show(value)}")
    if kind == "string_type":
        quote = isinstance(value, (int, float))  # bool is an int too: `true` where text was meant
        return Finding(path, f"expected a string, got {show(value)}", quote=quote)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Finding(path, f"expected a mapping, got {show(value)}")
    if kind in ("list_type", "tuple_type", "set_type"):
        return Finding(path, f"expected a list, got {show(value)}", f"write [{_plain(value)}]" if isinstance(value, (str, int)) else None)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return Finding(path, _bound_message(kind, ctx, value))
    if kind == "string_pattern_mismatch":
        return _pattern_finding(path, value, str(ctx.get("pattern", "")))
    if kind == "too_short":
        return Finding(path, _length_message(path, ctx, value, "at least", "min_length"), at="key" if not value else "value")
    if kind == "too_long":
        return Finding(path, _length_message(path, ctx, value, "at most", "max_length"))
    if kind == "string_too_short":
        return Finding(path, f"must have at least {ctx.get('min_length')} characters, got {show(value)}")
    if kind == "string_too_long":
        return Finding(path, f"must have at most {ctx.get('max_length')} characters, got {len(str(value))}")
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", err.get("msg", "")))
        return Finding(path, text, _schedule_hint(value) if path and path[-1] == "schedule" else None)
    return Finding(path, str(err.get("msg", "invalid value")))


def _plain(value: Any) -> str:
    return str(value)


def _is_skip(path: Path) -> bool:
    return len(path) >= 3 and path[-3] == "policy" and path[-2] == "skip"


def _quoted_values(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _bound_message(kind: str, ctx: dict[str, Any], value: Any) -> str:
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {show(value)}"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}, got {show(value)}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {show(value)}"
    return f"must be less than {ctx.get('lt')}, got {show(value)}"


def _length_message(path: Path, ctx: dict[str, Any], value: Any, bound: str, key: str) -> str:
    limit = ctx.get(key)
    if path == ("services",) and key == "min_length":
        return "a blueprint needs at least one service"
    if path == ("environments",) and key == "min_length":
        return "a blueprint needs at least one environment"
    noun = "entries" if isinstance(value, dict) else "items"
    if limit == 1 and key == "min_length":
        noun = noun[:-3] + "y" if noun == "entries" else noun[:-1]
    return f"needs {bound} {limit} {noun}, got {ctx.get('actual_length', '?')}"


def _pattern_finding(path: Path, value: Any, pattern: str) -> Finding:
    noun = PATTERNS.get(pattern, f"a value matching {pattern}")
    if pattern in _NAME_LIMITS and isinstance(value, str):
        what, limit, why = _NAME_LIMITS[pattern]
        if len(value) > limit and re.fullmatch(r"[a-z][a-z0-9-]*", value):
            reason = f": {why}" if why else ""
            return Finding(path, f"{show(value)} is too long for {what} ({len(value)} characters, at most {limit}){reason}")
    hint = None
    if pattern == r"^[0-9]{12}$" and isinstance(value, str) and value.isdigit():
        hint = f"an account id has 12 digits, this one has {len(value)}"
    return Finding(path, f"expected {noun}, got {show(value)}", hint)


def _key_finding(path: Path, key: Any, ctx: dict[str, Any]) -> Finding:
    pattern = str(ctx.get("pattern", ""))
    if pattern:
        noun = PATTERNS.get(pattern, f"a key matching {pattern}")
        if pattern in _NAME_LIMITS and isinstance(key, str):
            what, limit, _why = _NAME_LIMITS[pattern]
            if len(key) > limit:
                return Finding(path, f"{show(key)} is too long for {what} ({len(key)} characters, at most {limit})", at="key")
        return Finding(path, f"{show(key)} is not {noun}", at="key")
    return Finding(path, f"{show(key)} is not a valid key", at="key")


def _schedule_hint(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("@"):
        from tfgen.blueprint.schedule import SHORTHANDS

        return suggest(text, list(SHORTHANDS))
    rate = re.match(r"^rate\(\s*([0-9]+)\s*([a-z]+?)s?\s*\)$", text)
    if rate:
        number, unit = int(rate.group(1)), rate.group(2)
        if unit in ("minute", "hour", "day") and number > 0:
            return f"did you mean 'rate({number} {unit}{'' if number == 1 else 's'})'?"
    cron = re.match(r"^cron\((.*)\)$", text)
    if cron and len(cron.group(1).split()) == 5:
        return "EventBridge cron has a sixth field, the year: add ' *'; and one of day-of-month/day-of-week must be '?'"
    return None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
