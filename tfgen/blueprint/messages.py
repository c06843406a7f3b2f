"""pydantic's single errors (one field, one problem) as the sentences a user reads: what the
field expects, in words, and a hint where one helps."""

from __future__ import annotations

import re
from typing import Any

from tfgen.blueprint import aws_rules
from tfgen.blueprint import model as m
from tfgen.blueprint.findings import Finding, Item, is_model, show, suggest
from tfgen.blueprint.schedule import SHORTHANDS
from tfgen.blueprint.yaml_positions import Path

PATTERNS: dict[str, str] = {
    m.APP_NAME_PATTERN: "an application name (2-20 characters: a-z, 0-9 and '-', starting with a letter)",
    m.SERVICE_NAME_PATTERN: "a service name (1-32 characters: a-z, 0-9 and '-', starting with a letter)",
    m.SIDECAR_NAME_PATTERN: "a sidecar name (1-32 characters: a-z, 0-9 and '-', starting with a letter)",
    m.ENVIRONMENT_NAME_PATTERN: "an environment name (1-16 characters: a-z, 0-9 and '-', starting with a letter)",
    r"^[0-9]{12}$": "an AWS account id (12 digits, quoted)",
    r"^arn:aws[a-z-]*:[a-z0-9-]+:": "an ARN (arn:aws:SERVICE:...)",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "an environment variable name (letters, digits and '_', not starting with a digit)",
    r"^vpc-[0-9a-f]+$": "a VPC id such as vpc-0abc123",
    r"^subnet-[0-9a-f]+$": "a subnet id such as subnet-0abc123",
    r"^/": "a path starting with '/'",
    m.WRITABLE_PATH_PATTERN: "an absolute directory path below / such as /tmp or /var/cache/nginx",
    r"^[0-9]{3}([,-][0-9]{3})*$": "HTTP status codes such as 200, 200,204 or 200-399",
    r"^[a-z][a-z0-9-]*\.[a-z0-9]+$": "an EC2 instance type such as t3.medium",
    m.BUCKET_PATTERN: "an S3 bucket name (3-63 characters: a-z, 0-9, '.' and '-', starting and ending with a letter or digit)",
    m.SECRET_PATTERN: "a Secrets Manager or SSM parameter ARN (arn:aws:secretsmanager:... or arn:aws:ssm:...:parameter/...), or a parameter name (/app/db)",
    r"^[a-z0-9*][a-z0-9.*-]*$": "a host name such as vote.example.com",
    aws_rules.KMS_KEY_ARN.pattern: "a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; IAM grants decrypt on keys, not on aliases)",
    r"^[A-Z][A-Z0-9_]+$": "a check id such as CKV_AWS_91",
}

_NAME_LIMITS = {
    m.APP_NAME_PATTERN: ("an application name", 20, "it prefixes every AWS name"),
    m.SERVICE_NAME_PATTERN: ("a service name", 32, ""),
    m.SIDECAR_NAME_PATTERN: ("a sidecar name", 32, ""),
}


def value_at(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
            continue
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        return None
    return data


def single_finding(item: Item, data: Any) -> Finding:
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
        hint = suggest(str(path[-1]), list(owner.model_fields)) if is_model(owner) else None
        if hint is None and is_model(owner):
            hint = "known keys: " + ", ".join(owner.model_fields)
        return Finding(path, f"unknown key '{path[-1]}'", hint, at="key")
    if kind == "union_tag_invalid":
        # ctx["tag"] is str() of the value (a null reads 'None'): show the value as written
        tag = value_at(data, (*path, "type")) if isinstance(value, dict) else ctx.get("tag")
        expected = _quoted_values(str(ctx.get("expected_tags", "")))
        hint = suggest(tag, expected) if isinstance(tag, str) else None
        hint = hint or "one of " + ", ".join(expected)
        what = "service type" if path and path[0] == "services" else "type"
        if not isinstance(tag, str):
            return Finding((*path, "type"), f"expected a {what}, got {show(tag)}", hint)
        return Finding((*path, "type"), f"unknown {what} {show(tag)}", hint)
    if kind == "union_tag_not_found":
        known = ", ".join(m.SERVICE_TYPES)
        return Finding(path, f"missing required key 'type' (one of {known})", at="parent")
    if kind == "literal_error":
        expected = _quoted_values(str(ctx.get("expected", "")))
        listed = ", ".join(f"'{e}'" for e in expected)
        return Finding(path, f"expected one of {listed}, got {show(value)}", suggest(value, expected) if isinstance(value, str) else None)
    if kind in ("int_type", "int_parsing", "finite_number"):
        return Finding(path, f"expected an integer, got {show(value)}", _unquote_hint(value, r"[+-]?[0-9]+"))
    if kind == "int_from_float":
        return Finding(path, f"expected a whole number, got {show(value)}")
    if kind in ("float_type", "float_parsing"):
        return Finding(path, f"expected a number, got {show(value)}")
    if kind in ("bool_type", "bool_parsing"):
        return Finding(path, f"expected true or false, got {show(value)}", _unquote_hint(value, r"true|false"))
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
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        error = ctx["error"]
        is_schedule = bool(path) and (path[-1] == "schedule" or tuple(path[-2:]) == ("schedule", "expression"))
        hint = getattr(error, "hint", None) or (_schedule_hint(value) if is_schedule else None)
        return Finding(path, str(error), hint)
    return fallback_finding(path, kind, value)


def fallback_finding(path: Path, kind: Any, value: Any) -> Finding:
    """An error this module has no sentence for: what was found, in the user's words (pydantic's own
    text, "Input should be ...", "Value error, ...", never reaches a message)."""
    what = str(kind).replace("_", " ") if isinstance(kind, str) and re.fullmatch(r"[a-z_]+", kind) else "invalid value"
    return Finding(path, f"{show(value)} is not valid here ({what})")


def _unquote_hint(value: Any, written: str) -> str | None:
    """'write it without quotes' for "80" or "true" given as text."""
    if isinstance(value, str) and re.fullmatch(written, value.strip(), flags=re.IGNORECASE):
        return f"write it without quotes: {value.strip().lower()}"
    return None


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
    actual = ctx.get("actual_length")
    if actual is None:  # pydantic stops counting a mapping at the limit
        actual = len(value) if isinstance(value, dict | list) else "?"
    return f"needs {bound} {limit} {noun}, got {actual}"


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
    if isinstance(ctx.get("error"), ValueError):
        return Finding(path, str(ctx["error"]), getattr(ctx["error"], "hint", None), at="key")
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
