"""The pull-request comment a CI posts (`--format markdown` of `tfgen plan` and `tfgen check`).

One Markdown document from a plan summary and a policy result, either of them optional:
a heading with the blueprint, the environment and the verdict; the plan's changes per service and
per shared module, destroys and replacements first; the policy failures with their reasons, the
skips folded in a ``<details>`` block, the passes counted. The layout is the jinja2 template
``tfgen/templates/pull_request.md.j2``; this module prepares the rows and escapes every value that
comes from a blueprint, a plan or a check (a ``|`` would end a table cell, a backtick a code span,
a ``<`` open an HTML tag in the comment).

Only addresses and action kinds of the plan are shown, never values (they may be sensitive).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

    from tfgen.policy.results import CheckRecord, PolicyResult
    from tfgen.summary import Change, GroupSummary, PlanSummary

TEMPLATE = "pull_request.md.j2"
LIMIT = 100  # rows per list at most: GitHub refuses comments over 65,536 characters
RESOURCES_PER_SKIP = 5

DESTRUCTIVE_ORDER = {"delete": 0, "replace": 1, "update": 2, "create": 3}
MARKS = {"delete": "🗑️ **delete**", "replace": "🔁 **replace**", "update": "update", "create": "create"}
SKIP_SOURCES = {"default": "tfgen default", "blueprint": "blueprint"}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


# --- escaping (the template's filters) ---------------------------------------------------------


def escape_markdown(value: object) -> str:
    """``value`` as literal text anywhere in the document, table cells included: Markdown's
    punctuation backslash-escaped, ``& < >`` as entities (no HTML reaches the comment), line
    breaks as ``<br>`` (a newline would end a table row)."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "<br>".join(line.strip() for line in _NEWLINES.split(text))


def code_cell(value: object) -> str:
    """``value`` as a code span inside a table cell: the fence one backtick longer than any run of
    backticks in the value, ``|`` escaped (GFM splits cells before reading code spans), line breaks
    as spaces. Outside a table use `escape_markdown`: there ``\\|`` would show its backslash."""
    text = " ".join(_NEWLINES.split(str(value))).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def link_target(url: str | None) -> str | None:
    """An http(s) URL made safe as a Markdown link destination, or None."""
    if not url or not re.match(r"https?://", url):
        return None
    return urllib.parse.quote(url, safe=":/?#@!$&'*+,;=%~-._")


# --- the rows the template lays out ------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    group: str
    action: str
    address: str

    @property
    def destructive(self) -> bool:
        return self.action in ("delete", "replace")


@dataclass(frozen=True)
class GroupRow:
    name: str
    create: int
    update: int
    replace: int
    delete: int

    @property
    def destructive(self) -> bool:
        return bool(self.replace or self.delete)


@dataclass(frozen=True)
class SkipRow:
    check_id: str
    resources: list[str]
    more: int
    source: str
    reason: str


@dataclass(frozen=True)
class Limited:
    """At most `LIMIT` rows of a list, and how many were left out."""

    rows: list
    more: int


def _limited(rows: list, limit: int) -> Limited:
    return Limited(rows[:limit], max(0, len(rows) - limit))


def plan_view(summary: PlanSummary, limit: int = LIMIT) -> dict:
    """The plan part: Terraform-style totals, groups (destructive first), destructive changes, every change."""
    totals = summary.totals
    groups: list[GroupSummary] = summary.by_group()
    group_rows = [GroupRow(g.name, *(g.counts.get(kind, 0) for kind in ("create", "update", "replace", "delete"))) for g in groups]
    group_rows.sort(key=lambda row: (not row.destructive, row.name))
    rank = {row.name: index for index, row in enumerate(group_rows)}

    def row(change: Change) -> ChangeRow:
        return ChangeRow(summary.group_name(change.module), change.kind, change.address)

    changes = sorted((row(c) for c in summary.changes), key=lambda r: (rank[r.group], DESTRUCTIVE_ORDER[r.action], r.address))
    destructive = [r for r in changes if r.destructive]
    return {
        "add": totals["create"] + totals["replace"],
        "change": totals["update"],
        "destroy": totals["delete"] + totals["replace"],
        "totals": totals,
        "replacements": totals["replace"],
        "deletions": totals["delete"],
        "groups": group_rows,
        "destructive": _limited(destructive, limit),
        "changes": _limited(changes, limit),
        "count": len(changes),
    }


def policy_view(result: PolicyResult, limit: int = LIMIT) -> dict:
    """The policy part: failures one row per check and resource, skips one row per check and reason."""
    failed: list[CheckRecord] = result.failed
    skips: dict[tuple[str, str, str], list[str]] = {}
    for record in result.skipped:
        key = (record.check_id, SKIP_SOURCES.get(record.skip_source or "blueprint", record.skip_source or ""), record.skip_reason or "")
        skips.setdefault(key, []).append(record.resource)
    skip_rows = [
        SkipRow(check_id, resources[:RESOURCES_PER_SKIP], max(0, len(resources) - RESOURCES_PER_SKIP), source, reason)
        for (check_id, source, reason), resources in skips.items()
    ]
    summary = result.summary()
    return {
        "passed": result.passed,
        "counts": summary,
        "failures": _limited(failed, limit),
        "skips": _limited(skip_rows, limit),
        "unused_skips": sorted(result.unused_skips.items()),
        "checkov_version": result.checkov_version,
        "cached": result.cached,
        "protected": result.protected,
        "plan": result.plan,
    }


# --- rendering ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tfgen", "templates"),
        autoescape=False,  # Markdown, not HTML: the filters below escape what needs it
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = escape_markdown
    env.filters["code"] = code_cell
    env.filters["link"] = link_target
    return env


def render_markdown(
    summary: PlanSummary | None = None,
    policy: PolicyResult | None = None,
    *,
    blueprint: str | None = None,
    environment: str | None = None,
    command: str | None = None,
    limit: int = LIMIT,
) -> str:
    """The pull-request comment for a plan `summary` and/or a `policy` result, as Markdown text.

    ``blueprint`` and ``environment`` name what was planned in the heading (the plan JSON's path
    when neither is given); ``command`` is the heading's verb (default: ``plan`` with a summary,
    ``check`` without one). Lists beyond ``limit`` rows end with how many were left out.
    """
    if summary is None and policy is None:
        raise ValueError("render_markdown needs a plan summary, a policy result or both")
    subject = [part for part in (blueprint, environment) if part]
    if not subject and policy is not None:
        subject = [policy.plan]
    verdict = "planned, policy not checked" if policy is None else "✅ passed" if policy.passed else "❌ failed"
    return _environment().get_template(TEMPLATE).render(
        command=command or ("plan" if summary is not None else "check"),
        subject=subject,
        verdict=verdict,
        plan=plan_view(summary, limit) if summary is not None else None,
        policy=policy_view(policy, limit) if policy is not None else None,
        marks=MARKS,
    )
