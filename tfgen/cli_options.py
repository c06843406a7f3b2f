"""Option types of tfgen's command line that click does not have: checked when the command line is
parsed, so a bad value is a usage error (exit 2) before any work starts or any file is touched."""

from __future__ import annotations

import math
import re
from typing import Any

import click

from tfgen.errors import InputError

# Go's time.ParseDuration, which Terraform uses for -lock-timeout: "0", "90s", "5m", "1h30m", "1.5h".
_GO_DURATION = re.compile(r"^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")


def seconds(text: str, name: str, minimum: float, maximum: float) -> float:
    """`text` as a number of seconds in [minimum, maximum]; InputError naming `name` otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{name}: {text} is not a number of seconds") from None
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise InputError(f"{name}: {text} is not a number of seconds from {minimum:g} to {maximum:g}")
    return value


class Seconds(click.ParamType):
    """A finite number of seconds within bounds (nan, inf and negatives are refused)."""

    name = "seconds"

    def __init__(self, minimum: float, maximum: float):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return seconds(str(value), "value", self.minimum, self.maximum)
        except InputError:
            self.fail(f"{value} is not a number of seconds from {self.minimum:g} to {self.maximum:g}", param, ctx)


class GoDuration(click.ParamType):
    """A duration as Terraform reads it (Go syntax: 90s, 5m, 1h30m)."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _GO_DURATION.match(text):
            self.fail(f"{value} is not a duration such as 90s, 5m or 1h30m", param, ctx)
        return text


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")


def duration_seconds(text: str) -> float:
    """A duration `GoDuration` accepted (90s, 10m, 1h30m, 0) as seconds."""
    return sum(float(number) * _GO_UNITS[unit] for number, unit in _GO_PART.findall(text))
