"""One result model for every policy check, whoever ran it (checkov's built-ins, tfgen's checkov
pack, tfgen's plan-level checks), and what every output format is made from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckRecord:
    """One check on one resource."""

    check_id: str
    name: str
    result: str  # passed | failed | skipped
    resource: str  # Terraform resource address, e.g. module.api.module.service.aws_ecs_service.this
    file: str  # the plan JSON the result is about
    guideline: str | None = None
    skip_reason: str | None = None
    skip_source: str | None = None  # "default" (tfgen.policy.default_skips) | "blueprint"
    severity: str | None = None
    source: str = "checkov"  # "checkov" (built-in or tfgen's pack) | "tfgen" (plan-level check)
    lines: tuple[int, int] | None = None  # line range in the plan JSON, when checkov knows it
    details: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies and costs ~0.1 s per thousand records
        data = {name: getattr(self, name) for name in _FIELDS}
        data["lines"] = list(self.lines) if self.lines else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckRecord:
        values = dict(data)
        lines = values.get("lines")
        values["lines"] = tuple(lines) if lines else None
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


_FIELDS = tuple(CheckRecord.__dataclass_fields__)


def _order(record: CheckRecord) -> tuple[int, str, str]:
    return ({FAILED: 0, SKIPPED: 1, PASSED: 2}[record.result], _natural(record.check_id), record.resource)


def _natural(check_id: str) -> str:
    prefix, _, number = check_id.rpartition("_")
    return f"{prefix}_{int(number):06d}" if number.isdigit() else check_id


@dataclass
class PolicyResult:
    """Every check of one plan, skips applied. ``passed`` is what `apply` reads."""

    plan: str
    records: list[CheckRecord]
    checkov_version: str | None = None
    protected: bool = False
    skips: dict[str, str] = field(default_factory=dict)  # every skip in force: id -> reason
    unused_skips: dict[str, str] = field(default_factory=dict)  # skips that matched no result
    duration: float = 0.0
    cached: bool = False
    checkov_duration: float = 0.0  # seconds spent in the checkov process (0 when cached)

    def __post_init__(self) -> None:
        self.records = sorted(self.records, key=_order)

    @property
    def failed(self) -> list[CheckRecord]:
        return [r for r in self.records if r.result == FAILED]

    @property
    def skipped(self) -> list[CheckRecord]:
        return [r for r in self.records if r.result == SKIPPED]

    @property
    def passed_records(self) -> list[CheckRecord]:
        return [r for r in self.records if r.result == PASSED]

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped checks do not fail a plan)."""
        return not self.failed

    def summary(self) -> dict[str, int]:
        return {PASSED: len(self.passed_records), FAILED: len(self.failed), SKIPPED: len(self.skipped)}

    def checks(self) -> dict[str, CheckRecord]:
        """One record per check id (the first seen), for rule metadata."""
        seen: dict[str, CheckRecord] = {}
        for record in sorted(self.records, key=lambda r: (_natural(r.check_id), r.resource)):
            seen.setdefault(record.check_id, record)
        return seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "passed": self.passed,
            "summary": self.summary(),
            "checkov_version": self.checkov_version,
            "protected": self.protected,
            "cached": self.cached,
            "duration": round(self.duration, 3),
            "checkov_duration": round(self.checkov_duration, 3),
            "skips": dict(sorted(self.skips.items())),
            "unused_skips": dict(sorted(self.unused_skips.items())),
            "results": [r.to_dict() for r in self.records],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyResult:
        return cls(
            plan=data["plan"],
            records=[CheckRecord.from_dict(r) for r in data.get("results", [])],
            checkov_version=data.get("checkov_version"),
            protected=bool(data.get("protected", False)),
            skips=dict(data.get("skips") or {}),
            unused_skips=dict(data.get("unused_skips") or {}),
            duration=float(data.get("duration") or 0.0),
            checkov_duration=float(data.get("checkov_duration") or 0.0),
            cached=bool(data.get("cached", False)),
        )


def apply_skips(
    records: list[CheckRecord],
    skips: dict[str, str],
    default_ids: set[str] | frozenset[str] = frozenset(),
    scoped: Callable[[CheckRecord], str | None] = lambda record: None,
) -> tuple[list[CheckRecord], dict[str, str]]:
    """Mark every result of a skipped check as skipped, keeping the reason.

    checkov itself drops a check given to ``--skip-check`` from its output altogether, so tfgen runs
    every check and marks the skipped ones here: a skipped check stays visible, with its reason, in
    every output format. Returns the records and the skips that matched no result.

    A default skip (``default_ids``: ids whose reason comes from ``tfgen.policy.default_skips``)
    only turns failures into skips: where a module does satisfy the check (access logs configured,
    say) the pass stays a pass. ``scoped`` gives the reason of a default skip of one check on some
    resources only (``tfgen.policy.default_skips.SCOPED_SKIPS``); it too only turns failures into skips.
    """
    used: set[str] = set()
    out: list[CheckRecord] = []
    for record in records:
        reason = skips.get(record.check_id)
        is_default = record.check_id in default_ids
        if record.result == FAILED and (reason is None or is_default):
            scoped_reason = scoped(record)
            if scoped_reason is not None:
                reason, is_default = scoped_reason, True
        if reason is None or (is_default and record.result != FAILED):
            out.append(record)
            continue
        used.add(record.check_id)
        out.append(replace(record, result=SKIPPED, skip_reason=reason, skip_source="default" if is_default else "blueprint"))
    unused = {k: v for k, v in skips.items() if k not in used and k not in default_ids}
    return out, unused
