"""pydantic's validation errors, turned into located, human problems.

pydantic reports an error at a `loc` such as ``('services', 'api', 'web-service', 'count',
'constrained-int')``: keys of the document mixed with the tags of the unions it tried. This module
walks the loc alongside the model's types to tell keys from tags, collapses the errors of a union's
branches into the one the user meant (or into one "expected X or Y" message), rewrites pydantic's
terse messages, and adds "did you mean" hints for misspelled keys and values.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tfgen.blueprint import model as m
from tfgen.blueprint.findings import Finding, Item, Locator, Segment, is_model, is_union, show, strip_type, suggest
from tfgen.blueprint.messages import fallback_finding, single_finding, value_at
from tfgen.blueprint.yaml_positions import Path, one_line
from tfgen.errors import Problem


def _choose(locator: Any, finding: Finding) -> Path:
    choose = getattr(locator, "choose", None)
    if choose is None or not finding.alternatives:
        return finding.path
    return choose((finding.path, *finding.alternatives))


# --- public ------------------------------------------------------------------------------------


def validation_findings(error: ValidationError, data: Any, root: type[BaseModel] = m.Blueprint) -> list[Finding]:
    """Every error of `error` (raised validating `data` with `root`) as a Finding, unions collapsed."""
    items = []
    for err in error.errors(include_url=False):
        try:
            items.append(Item(_segments(err["loc"], err["type"], root), dict(err)))
        except Exception:
            items.append(Item([("key", part, None) for part in err["loc"] if not _looks_like_tag(part)], dict(err)))
    findings: list[Finding] = []
    for tag_item in list(items):
        if tag_item.err["type"] in ("union_tag_not_found", "union_tag_invalid") and isinstance(tag_item.err.get("input"), dict):
            tagged = _tagged_findings(tag_item, root)
            if tagged is not None:
                inner, replaces = tagged
                findings.extend(inner)
                if replaces:
                    items.remove(tag_item)
    for item, finding in _collapse(items, data):
        if finding is not None:
            findings.append(finding)
            continue
        assert item is not None  # _collapse gives an item wherever it gives no finding
        try:
            findings.append(single_finding(item, data))
        except Exception:
            findings.append(fallback_finding(item.path, item.err.get("type"), item.err.get("input")))
    return findings


def locate(findings: list[Finding], locator: Locator) -> list[Problem]:
    problems = []
    for finding in findings:
        path = _choose(locator, finding)
        hint = finding.hint
        if finding.quote:
            hint = _quote_hint(locator, path)
        problem = locator.problem(path, one_line(finding.message), hint, at=finding.at)
        if problem is not None:
            problems.append(problem)
    return problems


# --- a mapping whose `type` is missing or misspelled ---------------------------------------------


def _members(loc: tuple[Any, ...], root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The models of the tagged union expected at `loc`, by their `type` tag."""
    try:
        tp = strip_type(_walk(loc, root)[1])
    except Exception:
        return {}
    members: dict[str, type[BaseModel]] = {}
    for member in get_args(tp) if is_union(tp) else ():
        field = member.model_fields.get("type") if is_model(member) else None
        if field is not None and get_origin(field.annotation) is Literal:
            members.update({tag: member for tag in get_args(field.annotation) if isinstance(tag, str)})
    return members


def guessed_type(value: dict[str, Any], tags: list[str] | tuple[str, ...]) -> tuple[str | None, str] | None:
    """The type a mapping without a valid `type` most likely meant: (the misspelled key, if the
    key is misspelled, and the tag). `type: web-servise` -> (None, 'web-service');
    `tpye: web-service` -> ('tpye', 'web-service'); None when nothing says."""
    if "type" in value:
        tag = value["type"]
        close = difflib.get_close_matches(tag, list(tags), n=1, cutoff=0.6) if isinstance(tag, str) else []
        return (None, close[0]) if close else None
    for key, tag in value.items():
        if isinstance(key, str) and isinstance(tag, str) and difflib.get_close_matches(key, ["type"], n=1, cutoff=0.6):
            close = difflib.get_close_matches(tag, list(tags), n=1, cutoff=0.6)
            if close:
                return key, close[0]
    return None


def _tagged_findings(item: Item, root: type[BaseModel]) -> tuple[list[Finding], bool] | None:
    """The other problems of a mapping whose `type` is missing or misspelled, so that the typo
    does not hide them: validated as the type it most likely meant, or, when nothing says which,
    the problems it has whatever its type. With them, whether they replace the type problem (a
    misspelled key, which they report as "unknown key 'tpye' (did you mean 'type'?)")."""
    value: dict[str, Any] = item.err["input"]
    members = _members(tuple(item.err["loc"]), root)
    if not members:
        return None
    guess = guessed_type(value, list(members))
    candidates = [guess[1]] if guess else list(members)
    results: list[list[Finding]] = []
    for tag in candidates:
        attempt = {**value, "type": tag}
        try:
            members[tag].model_validate(attempt)
            results.append([])
        except ValidationError as error:
            results.append([_under(item.path, f) for f in validation_findings(error, attempt, members[tag])])
        except Exception:
            return None
    if guess:
        return results[0], guess[0] is not None
    common = []
    for finding in results[0]:
        same = [next((f for f in other if (f.path, f.message, f.at) == (finding.path, finding.message, finding.at)), None) for other in results[1:]]
        if all(same):
            hints = {finding.hint, *(f.hint for f in same if f is not None)}
            common.append(finding if len(hints) == 1 else Finding(finding.path, finding.message, None, finding.at, finding.quote, finding.alternatives))
    return common, False


def _under(prefix: Path, finding: Finding) -> Finding:
    return Finding(
        (*prefix, *finding.path), finding.message, finding.hint, finding.at, finding.quote, tuple((*prefix, *p) for p in finding.alternatives)
    )


def _quote_hint(locator: Locator, path: Path) -> str:
    """'quote it' for a number or boolean where text was meant; a value already written in quotes
    is not text only because an explicit YAML tag (`!!int "8080"`) says so."""
    written = locator.source(path)
    tag = locator.quoted_tag(path)
    if tag:
        what = {"!!int": "a number", "!!float": "a number", "!!bool": "a boolean", "!!null": "null"}.get(tag, "something else than text")
        return f"it is quoted, but the tag {tag} makes it {what}: remove the tag"
    return f'quote it: "{written}"' if written else "quote it"


# --- loc -> segments ---------------------------------------------------------------------------

_TAG_WORD = re.compile(r"(\w+)\]?$")


def _pick_member(members: list[Any], tag: Any) -> tuple[str, Any]:
    for member in members:
        if is_model(member):
            type_field = member.model_fields.get("type")
            if type_field is not None and get_origin(type_field.annotation) is Literal and tag in get_args(type_field.annotation):
                return "disc", member
    if isinstance(tag, str):
        match = _TAG_WORD.search(tag)
        word = match.group(1) if match else None
        for member in members:
            if is_model(member) and member.__name__ == word:
                return "tag", member
        for member in members:
            inner = strip_type(member)
            if get_origin(inner) is Literal and tag.startswith("literal["):
                return "tag", inner
            if isinstance(inner, type) and not is_model(inner) and word and inner.__name__ == word:
                return "tag", inner
    return "tag", None


def _segments(loc: tuple[Any, ...], err_type: str, root: type[BaseModel]) -> list[Segment]:
    return _walk(loc, root)[0]


def _walk(loc: tuple[Any, ...], root: type[BaseModel]) -> tuple[list[Segment], Any]:
    """The segments of `loc`, and the type the model expects at its end."""
    segments: list[Segment] = []
    tp: Any = root
    for element in loc:
        if element == "[key]":
            segments.append(("keyname", element, None))
            continue
        tp = strip_type(tp)
        if is_union(tp):
            kind, member = _pick_member([a for a in get_args(tp) if a is not type(None)], element)
            segments.append((kind, element, member))
            tp = member
            continue
        if is_model(tp):
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
    return segments, tp


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


def _first_tag(item: Item) -> int | None:
    for index, (kind, _, _) in enumerate(item.segments):
        if kind == "tag":
            return index
    return None


def _collapse(items: list[Item], data: Any) -> list[tuple[Item | None, Finding | None]]:
    """Items without union branches as they are; each union's branches reduced to what the user meant."""
    out: list[tuple[Item | None, Finding | None]] = []
    groups: dict[tuple, list[tuple[int, Item]]] = {}
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
        branches: dict[Any, list[Item]] = {}
        branch_types: dict[Any, Any] = {}
        for index, item in members:
            tag = item.segments[index][1]
            stripped = Item(item.segments[:index] + item.segments[index + 1 :], item.err)
            branches.setdefault(tag, []).append(stripped)
            branch_types[tag] = item.segments[index][2]
        path = tuple(e for k, e in prefix if k == "key")
        value = value_at(data, path)
        chosen = _choose_branch(value, branches, branch_types)
        if chosen is not None:
            out.extend(_collapse(branches[chosen], data))
            continue
        out.append((None, _union_finding(path, value, branches, branch_types)))
    return out


def _choose_branch(value: Any, branches: dict[Any, list[Item]], branch_types: dict[Any, Any]) -> Any:
    tags = list(branches)
    models = [t for t in tags if is_model(branch_types[t])]
    scalars = [t for t in tags if not is_model(branch_types[t])]
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
    tp = strip_type(tp) if tp is not None else None
    if is_model(tp):
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


def _union_finding(path: Path, value: Any, branches: dict[Any, list[Item]], branch_types: dict[Any, Any]) -> Finding:
    descriptions: list[str] = []
    literals: list[str] = []
    for tp in branch_types.values():
        text = _describe(tp)
        if text not in descriptions:
            descriptions.append(text)
        if get_origin(strip_type(tp) if tp is not None else None) is Literal:
            literals.extend(str(v) for v in get_args(strip_type(tp)))
    expected = descriptions[0] if len(descriptions) == 1 else ", ".join(descriptions[:-1]) + " or " + descriptions[-1]
    hint = suggest(value, literals) if isinstance(value, str) else None
    return Finding(path, f"expected {expected}, got {show(value)}", hint)


