"""EventBridge schedule expressions: cron(...), rate(...) and @hourly-style shorthands."""

from __future__ import annotations

import re

from tfgen.blueprint.aws_rules import Refused, cron_problems, rate_problem

SHORTHANDS = {
    "@hourly": "cron(0 * * * ? *)",
    "@daily": "cron(0 0 * * ? *)",
    "@midnight": "cron(0 0 * * ? *)",
    "@weekly": "cron(0 0 ? * SUN *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
}
_RATE = re.compile(r"^rate\((?P<value>[1-9][0-9]*) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#L-]+$")


def normalize_schedule(expression: str) -> str:
    """The EventBridge expression for `expression`; ValueError says what is wrong."""
    text = expression.strip()
    if text in SHORTHANDS:
        return SHORTHANDS[text]
    if text.startswith("rate("):
        return _check_rate(text)
    if text.startswith("cron("):
        return _check_cron(text)
    raise ValueError(
        f"'{expression}' is not a schedule: use cron(min hour day month weekday year), "
        f"rate(N minutes|hours|days) or one of {', '.join(SHORTHANDS)}"
    )


def _check_rate(text: str) -> str:
    match = _RATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a rate: use rate(N minutes|hours|days), e.g. rate(5 minutes)")
    value, unit = int(match["value"]), match["unit"]
    if (value == 1) != (not unit.endswith("s")):
        raise ValueError(f"'{text}': EventBridge wants the singular unit for 1 and the plural otherwise")
    problem = rate_problem(value, unit)
    if problem:
        raise Refused(f"'{text}' {problem}", "for a yearly job write a cron with its month and day, e.g. cron(0 3 1 JAN ? *)")
    return text


def _check_cron(text: str) -> str:
    match = _CRON.match(text)
    fields = match["fields"].split() if match else []
    if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"'{text}' is not an EventBridge cron: it has 6 fields (minutes hours day-of-month month day-of-week year)")
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError(f"'{text}': exactly one of day-of-month and day-of-week must be '?'")
    problems = cron_problems(fields)
    if problems:
        raise Refused(f"'{text}' is not an EventBridge cron: {'; '.join(problems)}")
    return text
