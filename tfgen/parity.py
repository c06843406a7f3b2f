"""`tfgen parity`: every value that differs between the environments of a blueprint, and which
of those differences nobody declared.

Source: the rendered var files (`build/<name>/env/<env>.tfvars.json`), because they are what
Terraform actually receives: a difference that reaches a var file reaches AWS, whatever produced it
(an override, a value derived from the environment, a hand edit, a stale rendering). They are
rendered first when missing. Each var file is flattened into dotted paths (`services.api.count`,
lists as `.0`, `.1`) and compared across environments. Every difference is classified:

- expected: derived from the environment itself (its name, account, region, state bucket, the
  `protected` flag): e.g. `vote-dev-api` vs `vote-prod-api`, `account_id`, `deletion_protection`.
- declared: it comes from `environments.<env>.overrides`: the same blueprint rendered with every
  environment's overrides removed has no difference there, and the var files hold exactly what the
  blueprint renders. `declared_by` names the override paths that match it.
- finding (exit 1): anything else: a var file that differs from what the blueprint renders
  (edited by hand or stale), or a difference that remains with the overrides removed and is not
  derived from the environment.

"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from tfgen.blueprint.context import CONTEXT_FILE
from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import TfgenError
from tfgen.render import render, render_model

ABSENT = "<absent>"
# Leaf names whose value is set per environment by the environment's own settings.
EXPECTED_KEYS = frozenset({
    "environment", "env", "environment_name", "account", "account_id", "aws_account_id", "region", "aws_region",
    "protected", "deletion_protection", "enable_deletion_protection", "state_bucket", "bucket", "allowed_account_ids",
})
EXPECTED, DECLARED, FINDING = "expected", "declared", "finding"


@dataclass
class Difference:
    path: str
    values: dict[str, Any]
    status: str  # expected | declared | finding
    reason: str
    declared_by: list[str] = field(default_factory=list)


@dataclass
class ParityReport:
    blueprint: str
    source: str  # "var-files": the rendered var files are what is compared
    environments: list[str]
    differences: list[Difference]

    @property
    def findings(self) -> list[Difference]:
        return [d for d in self.differences if d.status == FINDING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "blueprint": self.blueprint,
            "source": self.source,
            "environments": self.environments,
            "summary": {status: sum(1 for d in self.differences if d.status == status) for status in (FINDING, DECLARED, EXPECTED)},
            "differences": [asdict(d) for d in self.differences],
        }


# --- flattening and comparing ------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaves; lists of scalars are one leaf, lists of objects are indexed."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix] = value
    return out


def _differing(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    paths = sorted({p for doc in documents.values() for p in doc})
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        values = {env: doc.get(path, ABSENT) for env, doc in documents.items()}
        if len({json.dumps(v, sort_keys=True) for v in values.values()}) > 1:
            out[path] = values
    return out


def _normalized(value: Any, tokens: list[tuple[str, str]]) -> str:
    text = json.dumps(value, sort_keys=True)
    for token, placeholder in tokens:
        if token:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", placeholder, text)
    return text


def classify(
    actual: dict[str, dict[str, Any]],
    fresh: dict[str, dict[str, Any]],
    baseline: dict[str, dict[str, Any]],
    env_tokens: dict[str, list[tuple[str, str]]],
    overrides: dict[str, dict[str, Any]],
    owners: dict[str, str] | None = None,
) -> list[Difference]:
    """Classify the differences between environments of ``actual`` (flattened documents per env).

    ``fresh``: what the blueprint renders now; ``baseline``: the rendering with every override
    removed; ``env_tokens``: per env, (token, placeholder) pairs of environment-derived values;
    ``overrides``: per env, the flattened `environments.<env>.overrides`; ``owners``: root variable
    -> what owns it in the blueprint (`vote_api` -> `vote-api`; others are their own owner).
    """
    baseline_diff = _differing(baseline)
    differences: list[Difference] = []
    for path, values in _differing(actual).items():
        leaf = path.rsplit(".", 1)[-1]
        stale = [env for env in actual if actual[env].get(path, ABSENT) != fresh.get(env, {}).get(path, ABSENT)]
        if stale:
            differences.append(
                Difference(
                    path,
                    values,
                    FINDING,
                    f"the var file of {', '.join(stale)} differs from what the blueprint renders (edited by hand or stale: run `tfgen render`)",
                )
            )
            continue
        if len({_normalized(v, env_tokens.get(env, [])) for env, v in values.items()}) == 1:
            differences.append(Difference(path, values, EXPECTED, "derived from the environment's name, account, region or state bucket"))
            continue
        if leaf in EXPECTED_KEYS:
            differences.append(Difference(path, values, EXPECTED, f"'{leaf}' is set by the environment's own settings"))
            continue
        if path not in baseline_diff:
            differences.append(Difference(path, values, DECLARED, "set by an environment override", _declared_by(path, values, overrides, owners or {})))
            continue
        differences.append(Difference(path, values, FINDING, "differs between environments although no override declares it"))
    return differences


def _tokens(path: str) -> set[str]:
    return {t for t in re.split(r"[.\-_\[\]]+", path.lower()) if t and not t.isdigit()}


def _declared_by(path: str, values: dict[str, Any], overrides: dict[str, dict[str, Any]], owners: dict[str, str]) -> list[str]:
    """Override paths (of environments whose value differs) of the service or section that owns
    ``path``'s root variable, those sharing a key with ``path`` first."""
    root = path.split(".", 1)[0]
    owner_of_path = owners.get(root, root)
    path_tokens = _tokens(path)
    exact: list[str] = []
    owned: list[str] = []
    for env, flat in overrides.items():
        if env not in values:
            continue
        for override_path in flat:
            parts = override_path.split(".")
            owner = parts[1] if parts[0] == "services" and len(parts) > 1 else parts[0]
            if owner != owner_of_path:
                continue
            name = f"environments.{env}.overrides.{override_path}"
            owned.append(name)
            if _tokens(".".join(parts[2:] if parts[0] == "services" else parts[1:])) & path_tokens:
                exact.append(name)
    return sorted(set(exact or owned))


# --- sources -----------------------------------------------------------------------------------


def _environment_tokens(loaded: Any, env: str) -> list[tuple[str, str]]:
    settings = loaded.blueprint.environments[env]
    region = settings.region or loaded.blueprint.region
    tokens = [(env, "<env>"), (settings.account, "<account>"), (settings.state.bucket, "<state-bucket>")]
    if settings.region:
        tokens.append((region, "<region>"))
    return sorted(tokens, key=lambda t: -len(t[0]))


def _stripped_blueprint(loaded: Any, directory: Path) -> Path:
    """A copy of the blueprint without any environment override, next to a copy of its context."""
    raw = json.loads(json.dumps(loaded.raw, default=str))
    for settings in (raw.get("environments") or {}).values():
        if isinstance(settings, dict):
            settings.pop("overrides", None)
    target = directory / Path(loaded.path).name
    target.write_text(json.dumps(raw, indent=2))
    context = Path(loaded.path).parent / CONTEXT_FILE
    if context.is_file():
        shutil.copy(context, directory / CONTEXT_FILE)
    return target


def _var_files(root: Path, envs: list[str]) -> dict[str, dict[str, Any]] | None:
    documents: dict[str, dict[str, Any]] = {}
    for env in envs:
        path = root / "env" / f"{env}.tfvars.json"
        if not path.is_file():
            return None
        try:
            documents[env] = flatten(json.loads(path.read_text()))
        except ValueError as error:
            raise TfgenError(f"{path}: not JSON ({error}): run `tfgen render`") from None
    return documents


def _render_var_files(loaded: Any, out: Path) -> dict[str, dict[str, Any]]:

    render(loaded, out)
    documents = _var_files(out, loaded.environment_names())
    if documents is None:
        raise TfgenError(f"rendering {loaded.path} wrote no var file per environment under {out}/env")
    return documents


def compute_parity(blueprint: Path) -> ParityReport:
    loaded = load_blueprint(blueprint)
    envs = loaded.environment_names()
    tokens = {env: _environment_tokens(loaded, env) for env in envs}
    overrides = {env: flatten(json.loads(loaded.blueprint.environments[env].overrides.model_dump_json(exclude_defaults=True))) for env in envs}
    overrides = {env: {k: v for k, v in flat.items() if k and v not in ({}, [])} for env, flat in overrides.items()}
    with tempfile.TemporaryDirectory(prefix="tfgen-parity-") as tmp:
        tmp_path = Path(tmp)
        fresh = _render_var_files(loaded, tmp_path / "fresh")
        (tmp_path / "stripped").mkdir()
        stripped = load_blueprint(_stripped_blueprint(loaded, tmp_path / "stripped"))
        baseline = _render_var_files(stripped, tmp_path / "baseline")
    actual = _var_files(Path("build") / loaded.name, envs) or fresh
    owners = {service.variable: service.name for service in render_model(loaded).services}
    return ParityReport(str(blueprint), "var-files", envs, classify(actual, fresh, baseline, tokens, overrides, owners))


# --- output ------------------------------------------------------------------------------------


def format_table(report: ParityReport, *, color: bool = False) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=160, highlight=False)
    if report.differences:
        table = Table()
        table.add_column("status")
        table.add_column("path", overflow="fold")
        for env in report.environments:
            table.add_column(env, overflow="fold")
        table.add_column("why", overflow="fold")
        styles = {FINDING: "bold red", DECLARED: "green", EXPECTED: "dim"}
        for diff in sorted(report.differences, key=lambda d: ({FINDING: 0, DECLARED: 1, EXPECTED: 2}[d.status], d.path)):
            why = diff.reason + (f" ({', '.join(diff.declared_by)})" if diff.declared_by else "")
            table.add_row(f"[{styles[diff.status]}]{diff.status}[/]", diff.path, *(_show(diff.values.get(env, ABSENT)) for env in report.environments), why)
        console.print(table)
    summary = report.to_dict()["summary"]
    verdict = "[bold red]FINDINGS[/]" if report.findings else "[bold green]OK[/]"
    counts = f"{summary[FINDING]} undeclared, {summary[DECLARED]} declared, {summary[EXPECTED]} expected differences"
    console.print(f"{verdict} {report.blueprint} ({report.source}): {counts}")
    return buffer.getvalue()


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def parity_command(blueprint: Path, output_format: str) -> int:
    import sys

    report = compute_parity(blueprint)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(format_table(report, color=sys.stdout.isatty()), nl=False)
    return 1 if report.findings else 0
