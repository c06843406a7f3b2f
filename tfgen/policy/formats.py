"""Policy results as a table (rich), JSON, SARIF 2.1.0, JUnit XML and Markdown (``tfgen.report_markdown``)."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from tfgen.policy.results import FAILED, PASSED, SKIPPED, PolicyResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/tfgen/tfgen"


def render(
    result: PolicyResult, output_format: str, *, color: bool = False, verbose: bool = False, blueprint: str | None = None, environment: str | None = None
) -> str:
    """``result`` in ``output_format``; ``blueprint`` and ``environment`` name the subject in the markdown heading."""
    if output_format == "table":
        return to_table(result, color=color, verbose=verbose)
    if output_format == "json":
        return to_json(result)
    if output_format == "sarif":
        return to_sarif(result)
    if output_format == "junit":
        return to_junit(result)
    if output_format == "markdown":
        from tfgen.report_markdown import render_markdown

        return render_markdown(policy=result, blueprint=blueprint, environment=environment)
    raise ValueError(f"unknown format {output_format}")


# --- table -------------------------------------------------------------------------------------


def to_table(result: PolicyResult, *, color: bool = False, verbose: bool = False, width: int | None = None) -> str:
    """Failures one row per resource; skips one row per check and reason (with the resources they
    cover); passes counted (listed one per resource with ``verbose``). Beyond a screenful of rows,
    plain aligned lines instead of a rich table (rich takes ~3 ms per row)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or _width(), highlight=False, soft_wrap=False)
    styles = {FAILED: "bold red", SKIPPED: "yellow", PASSED: "green"}
    rows: list[tuple[str, str, str, str]] = []
    skipped: dict[tuple[str, str, str], list[str]] = {}
    for record in result.records:
        if record.result == SKIPPED:
            skipped.setdefault((record.check_id, record.skip_source or "blueprint", record.skip_reason or ""), []).append(record.resource)
        elif record.result == FAILED or verbose:
            why = f"{record.name}: {record.details}" if record.details else record.name
            rows.append((record.result, record.check_id, record.resource, why))
    for (check_id, source, reason), resources in skipped.items():
        where = resources[0] if len(resources) == 1 else f"{resources[0]} and {len(resources) - 1} more"
        rows.append((SKIPPED, check_id, where, f"skipped ({source}): {reason}"))
    rows.sort(key=lambda row: ({FAILED: 0, SKIPPED: 1, PASSED: 2}[row[0]], row[1], row[2]))
    if rows and len(rows) <= 60:
        table = Table(show_lines=False, expand=False)
        for column in ("result", "check", "resource", "why"):
            table.add_column(column, overflow="fold")
        for status, check_id, resource, why in rows:
            table.add_row(f"[{styles[status]}]{status.upper()}[/]", check_id, escape(resource), escape(why))
        console.print(table)
    elif rows:
        check_width = max(len(row[1]) for row in rows)
        resource_width = min(80, max(len(row[2]) for row in rows))
        for status, check_id, resource, why in rows:
            console.print(
                f"[{styles[status]}]{status.upper():<7}[/] {check_id:<{check_width}}  {escape(resource):<{resource_width}}  {escape(why)}",
                overflow="ignore",
                crop=False,
            )
    for check_id, reason in sorted(result.unused_skips.items()):
        console.print(f"note: skip {check_id} matched no result ({escape(reason)})")
    summary = result.summary()
    verdict = "[bold red]FAILED[/]" if not result.passed else "[bold green]PASSED[/]"
    cached = ", cached" if result.cached else ""
    counts = f"{summary[FAILED]} failed, {summary[SKIPPED]} skipped, {summary[PASSED]} passed"
    console.print(f"{verdict} {escape(result.plan)}: {counts} (checkov {result.checkov_version or '?'}{cached})")
    return buffer.getvalue()


def _width() -> int:
    try:
        return max(100, int(os.environ.get("COLUMNS", "0")) or os.get_terminal_size().columns)
    except (OSError, ValueError):
        return 160


# --- JSON --------------------------------------------------------------------------------------


def to_json(result: PolicyResult) -> str:
    # Indented for people; compact beyond a few hundred results (the indenting encoder is pure
    # Python and takes ~0.2 s per thousand results).
    indent = 2 if len(result.records) <= 300 else None
    return json.dumps(result.to_dict(), indent=indent, sort_keys=True) + "\n"


# --- SARIF 2.1.0 -------------------------------------------------------------------------------


def to_sarif(result: PolicyResult) -> str:
    """SARIF 2.1.0: one rule per check; failures as `error` results, skips as results with an
    external suppression carrying the reason; resource addresses as logical locations, the plan
    JSON as the artifact location. Passes are not results (as in checkov's own SARIF)."""
    from tfgen import __version__

    checks = result.checks()
    rule_ids = sorted(checks, key=_rule_order)
    rule_index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = []
    for rule_id in rule_ids:
        record = checks[rule_id]
        rule: dict = {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": record.name},
            "fullDescription": {"text": record.name},
            "defaultConfiguration": {"level": "error"},
            "properties": {"source": "tfgen" if rule_id.startswith("CKV_TFG_") else "checkov"},
        }
        if record.guideline:
            rule["helpUri"] = record.guideline
            rule["help"] = {"text": f"{record.name}. See {record.guideline}"}
        if record.severity:
            rule["properties"]["severity"] = record.severity
        rules.append(rule)
    uri = _artifact_uri(result.plan)
    results = []
    for record in result.records:
        if record.result == PASSED:
            continue
        location: dict = {
            "physicalLocation": {"artifactLocation": {"uri": uri}},
            "logicalLocations": [{"fullyQualifiedName": record.resource, "name": record.resource.rsplit(".", 1)[-1], "kind": "resource"}],
        }
        if record.lines:
            location["physicalLocation"]["region"] = {"startLine": max(1, record.lines[0]), "endLine": max(1, record.lines[1])}
        message = record.name if not record.details else f"{record.name}: {record.details}"
        item: dict = {
            "ruleId": record.check_id,
            "ruleIndex": rule_index[record.check_id],
            "level": "error",
            "kind": "fail",
            "message": {"text": f"{message} ({record.resource})"},
            "locations": [location],
        }
        if record.result == SKIPPED:
            item["suppressions"] = [{"kind": "external", "status": "accepted", "justification": record.skip_reason or ""}]
        results.append(item)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "tfgen", "version": __version__, "informationUri": INFORMATION_URI, "rules": rules}},
                "artifacts": [{"location": {"uri": uri}}],
                "results": results,
                "properties": {"checkov_version": result.checkov_version, "summary": result.summary()},
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _rule_order(rule_id: str) -> tuple[str, int]:
    prefix, _, number = rule_id.rpartition("_")
    return (prefix, int(number)) if number.isdigit() else (rule_id, 0)


def _artifact_uri(plan: str) -> str:
    path = Path(plan)
    try:
        path = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.resolve().as_uri()
    return path.as_posix()


# --- JUnit XML ---------------------------------------------------------------------------------


def to_junit(result: PolicyResult) -> str:
    """One testcase per check and resource; failures as <failure>, skips as <skipped message=reason>."""
    summary = result.summary()
    suites = ET.Element(
        "testsuites", name="tfgen check", tests=str(len(result.records)), failures=str(summary[FAILED]), skipped=str(summary[SKIPPED]), errors="0"
    )
    suite = ET.SubElement(
        suites, "testsuite", name=f"tfgen policy: {result.plan}", tests=str(len(result.records)), failures=str(summary[FAILED]),
        skipped=str(summary[SKIPPED]), errors="0", time=f"{result.duration:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="checkov_version", value=str(result.checkov_version or ""))
    ET.SubElement(properties, "property", name="protected", value=str(result.protected).lower())
    for record in sorted(result.records, key=lambda r: (_rule_order(r.check_id), r.resource)):
        case = ET.SubElement(suite, "testcase", classname=record.check_id, name=f"{record.check_id} {record.resource}", file=record.file)
        if record.result == FAILED:
            failure = ET.SubElement(case, "failure", message=record.name, type=record.check_id)
            lines = [f"{record.check_id}: {record.name}", f"resource: {record.resource}", f"file: {record.file}"]
            if record.details:
                lines.append(f"details: {record.details}")
            if record.guideline:
                lines.append(f"guideline: {record.guideline}")
            failure.text = "\n".join(lines)
        elif record.result == SKIPPED:
            ET.SubElement(case, "skipped", message=record.skip_reason or "")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
