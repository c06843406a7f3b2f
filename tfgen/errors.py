"""Exceptions that the CLI turns into messages and exit codes (never tracebacks).

- ``InputError`` (exit 2): the user's input is wrong: a blueprint, a flag, a plan file.
- ``TfgenError`` (exit 1): the operation ran and found a problem: terraform failed,
  a policy check failed, an apply was refused, AWS said no.
"""

from __future__ import annotations

from dataclasses import dataclass


class TfgenError(Exception):
    """A problem found while doing the work; exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file: ``FILE:LINE:COL: dotted.path: message``."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.path or '<root>'}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class InputError(TfgenError):
    """Bad input (blueprint, usage, plan file); exit code 2. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
        else:
            self.problems = list(problems)
            super().__init__("\n".join(str(p) for p in self.problems))
