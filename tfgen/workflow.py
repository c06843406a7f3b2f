"""Plan and apply one environment at a time (SPEC §2): render if stale, init once, saved plans,
plan JSON and policy result on disk, and an apply that only runs the plan it was shown.

Artifacts live in `build/<name>/.tfgen/<env>/`: `plan.tfplan`, `plan.json` and `policy.json`
(mode 0600: plan JSON holds sensitive values in clear text) and `plan-meta.json`, the hashes
recorded at plan time that `apply` compares against.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.blueprint.model import Blueprint
from tfgen.errors import InputError, TfgenError
from tfgen.files import PRIVATE, write_file
from tfgen.naming import service_identifiers, snake
from tfgen.paths import BuildLayout, EnvironmentPaths
from tfgen.policy import PolicyResult, run_policy, write_policy_result
from tfgen.policy.checkov import PrestartedCheckov
from tfgen.policy.declared import EnvironmentPolicy, environment_policy
from tfgen.readback import read_model
from tfgen.render import render
from tfgen.summary import PlanSummary, summarize_plan
from tfgen.terraform import Terraform, TerraformError

EventHandler = Callable[[dict[str, Any]], None]
_SET_PATTERN = re.compile(r"^services\.(?P<service>[a-z][a-z0-9-]*)\.image_tag=(?P<value>[A-Za-z0-9_.\-]{1,128})$")


class PlanMeta(BaseModel):
    """What a saved plan was made from; `apply` refuses when any of it changed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    environment: str
    offline: bool
    config_hash: str  # every rendered file: root module, modules, var and backend files
    var_file_hash: str
    backend_file_hash: str
    policy_hash: str  # the skips, declared settings and protection the verdict was reached with
    variables: dict[str, str]
    protected: bool
    policy_passed: bool | None
    destructive: list[str] = Field(default_factory=list)
    destroy: bool = False  # a destroy plan (`terraform plan -destroy`): only `tfgen destroy` applies it


@dataclass
class PlanOutcome:
    """Result of `plan_environment`: the summary and where the artifacts are."""

    paths: EnvironmentPaths
    summary: PlanSummary
    policy: PolicyResult | None
    meta: PlanMeta


# --- hashing -----------------------------------------------------------------------------------


def configuration_hash(root: Path) -> str:
    """sha256 over every file of the rendered configuration, of every kind (`*.tf`, `*.tf.json`,
    var and backend files, anything added beside them), but Terraform's and tfgen's own dot-folders."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def policy_hash(policy: EnvironmentPolicy) -> str:
    """What decides the gate's verdict besides the plan: skips, declared settings, protection."""
    document = {"skips": policy.skips, "declared": policy.declared, "protected": policy.protected}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file created mode 0600 (it may hold sensitive values), atomically."""
    write_file(path, text, mode=PRIVATE)


# --- --set -------------------------------------------------------------------------------------


def parse_settings(settings: tuple[str, ...] | list[str], blueprint: Blueprint) -> dict[str, str]:
    """`services.NAME.image_tag=VALUE` flags -> Terraform variables; bad ones exit 2."""
    variables: dict[str, str] = {}
    problems: list[str] = []
    for setting in settings:
        match = _SET_PATTERN.match(setting)
        if not match:
            problems.append(f"--set {setting}: expected services.NAME.image_tag=TAG")
            continue
        service = blueprint.services.get(match["service"])
        if service is None:
            problems.append(f"--set {setting}: no service '{match['service']}' (services: {', '.join(blueprint.services)})")
        elif not service.builds_image():
            problems.append(f"--set {setting}: service '{match['service']}' does not build its image (image: {{build: DIR}}), so it has no image_tag")
        else:
            variables[service_identifiers(match["service"], True)["image_tag_variable"]] = match["value"]
    if problems:
        raise InputError("\n".join(problems))
    return variables


DESTROY_IMAGE_TAG = "destroyed"


def _untagged_images(blueprint: Blueprint, tag: str) -> dict[str, str]:
    """The image tag variable of every service that builds its image -> `tag`."""
    return {_tag_variable(name): tag for name, service in blueprint.services.items() if service.builds_image()}


def _tag_variable(service: str) -> str:
    return service_identifiers(service, True)["image_tag_variable"]


def require_image_tags(variables: dict[str, str], blueprint: Blueprint) -> None:
    """Every service that builds its image deploys a tag the plan names: there is no default (a
    `latest` pushed twice into an immutable repository fails, and one not pushed yet cannot be
    pulled)."""
    missing = [name for name, service in blueprint.services.items() if service.builds_image() and _tag_variable(name) not in variables]
    if missing:
        raise InputError(
            "\n".join(
                f"services.{name} builds its image: give the tag to deploy with --set services.{name}.image_tag=TAG (the tag your pipeline pushed; no default)"
                for name in missing
            )
        )


# --- plan --------------------------------------------------------------------------------------


def render_environment(loaded: LoadedBlueprint, *, write: bool = True, out: Path | None = None) -> Path:
    """The rendered root directory (`out`, default build/<name>/). With `write`, render first if anything is stale.

    Without it (apply), a blueprint edited since the plan shows up as a stale rendering,
    which `render --check` reports and apply refuses.
    """
    if write:
        return Path(render(loaded, out).root)
    try:
        return Path(render(loaded, out, check=True).root)
    except TfgenError as error:
        raise TfgenError(f"the blueprint changed since it was rendered and planned ({error}): run `tfgen plan` again and review it") from None


def plan_environment(
    loaded: LoadedBlueprint,
    env: str,
    *,
    offline: bool = False,
    settings: tuple[str, ...] = (),
    lock_timeout: str | None = None,
    on_event: EventHandler | None = None,
    run_policy_checks: bool = True,
    out: Path | None = None,
    destroy: bool = False,
) -> PlanOutcome:
    """Render (into `out`, default build/<name>/), init (once), plan to a saved plan, write
    plan.json, run policy checks. With `destroy`, the saved plan destroys everything the state holds."""
    resolved = loaded.for_environment(env)
    variables = parse_settings(settings, resolved)
    paths = EnvironmentPaths(render_environment(loaded, out=out), env)
    # A destroy creates nothing: Terraform still wants every required variable, any tag will do.
    planned_variables = {**_untagged_images(resolved, DESTROY_IMAGE_TAG), **variables} if destroy else variables
    if not destroy:
        require_image_tags(variables, resolved)
    terraform = Terraform(paths.root, paths.data_dir, offline=offline)
    clear_plan(paths)
    prestarted = _prestart_checkov(paths, loaded, env) if run_policy_checks else None
    try:
        with _explained_terraform_errors(env):
            _init(terraform, paths, offline)
            extra = [f"-lock-timeout={lock_timeout}"] if lock_timeout else []
            if destroy:
                extra.append("-destroy")
            terraform.plan(paths.plan_file, [paths.var_file], planned_variables, on_event=on_event, extra_args=extra)
        plan = terraform.show_json(paths.plan_file)
        write_private(paths.plan_json, json.dumps(plan))
        summary = summarize_plan(plan, {snake(name): name for name in resolved.services})
        policy = _check_policy(paths, loaded, env, prestarted) if run_policy_checks else None
    finally:
        if prestarted is not None:
            prestarted.cancel()
    meta = PlanMeta(
        environment=env,
        offline=offline,
        config_hash=configuration_hash(paths.root),
        var_file_hash=file_hash(paths.var_file),
        backend_file_hash=file_hash(paths.backend_file),
        policy_hash=policy_hash(environment_policy(loaded, env)),
        variables=variables,
        protected=loaded.blueprint.environments[env].protected,
        policy_passed=None if policy is None else policy.passed,
        destructive=[change.address for change in summary.destructive],
        destroy=destroy,
    )
    write_private(paths.meta_file, meta.model_dump_json(indent=2))
    return PlanOutcome(paths, summary, policy, meta)


def clear_plan(paths: EnvironmentPaths) -> None:
    """Remove the saved plan of an environment and everything made with it."""
    for path in (paths.plan_file, paths.plan_json, paths.policy_json, paths.meta_file):
        path.unlink(missing_ok=True)


def _init(terraform: Terraform, paths: EnvironmentPaths, offline: bool) -> None:
    """`terraform init` with the environment's backend file (the runner skips it when nothing changed)."""
    if offline:
        terraform.init()
        return
    terraform.init(paths.backend_file, extra_args=[f"-backend-config={path}" for path in _custom_endpoint_config(paths)])


def _custom_endpoint_config(paths: EnvironmentPaths) -> list[Path]:
    """A custom S3 endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL: MinIO, LocalStack, moto)
    is passed to the S3 backend with path-style addressing, which such servers need."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return []
    text = f"endpoints = {{ s3 = {json.dumps(endpoint)} }}\nuse_path_style = true\n"
    path = paths.data_dir / f"endpoint-{hashlib.sha256(text.encode()).hexdigest()[:12]}.s3.tfbackend"
    write_file(path, text, mode=PRIVATE)
    return [path.resolve()]


def _prestart_checkov(paths: EnvironmentPaths, loaded: LoadedBlueprint, env: str) -> PrestartedCheckov | None:
    """checkov needs about 3 s to import: start it now, so that happens while terraform plans."""
    return PrestartedCheckov.start(paths.plan_json.parent, protected=loaded.blueprint.environments[env].protected)


def _check_policy(paths: EnvironmentPaths, loaded: LoadedBlueprint, env: str, prestarted: PrestartedCheckov | None = None) -> PolicyResult:
    policy = environment_policy(loaded, env)
    result = run_policy(paths.plan_json, skips=policy.skips, protected=policy.protected, declared=policy.declared, prestarted=prestarted)
    write_policy_result(result, paths.policy_json)
    return result


# --- apply -------------------------------------------------------------------------------------


def apply_environment(
    loaded: LoadedBlueprint,
    env: str,
    *,
    offline: bool = False,
    allow_destroy: bool = False,
    settings: tuple[str, ...] = (),
    lock_timeout: str | None = None,
    on_event: EventHandler | None = None,
    destroy: bool = False,
) -> PlanMeta:
    """Apply the saved plan of `env`, after checking it is still the plan that was reviewed.
    A destroy plan is applied only with `destroy` (by `tfgen destroy`), and only a destroy plan then."""
    resolved = loaded.for_environment(env)
    variables = parse_settings(settings, resolved)
    paths = BuildLayout.default().environment(loaded.name, env)
    meta = _saved_plan_meta(paths, env)
    if meta.destroy != destroy:
        made = "`tfgen destroy`" if meta.destroy else "`tfgen plan`"
        raise TfgenError(f"the saved plan of '{env}' was made by {made}; run `tfgen plan BLUEPRINT -e {env}` again and review it")
    render_environment(loaded, write=False)
    if variables != meta.variables:
        raise TfgenError(f"the --set values differ from those of the plan for '{env}' ({meta.variables}): plan again with the new values")
    _refuse_unsafe_apply(paths, meta, environment_policy(loaded, env), allow_destroy, offline)
    terraform = Terraform(paths.root, paths.data_dir, offline=offline)
    extra = [f"-lock-timeout={lock_timeout}"] if lock_timeout else []
    with _explained_terraform_errors(env):
        terraform.apply(paths.plan_file, on_event=on_event, extra_args=extra)
    clear_plan(paths)
    return meta


def _saved_plan_meta(paths: EnvironmentPaths, env: str) -> PlanMeta:
    if not paths.plan_file.exists() or not paths.meta_file.exists():
        raise TfgenError(f"no saved plan for '{env}': run `tfgen plan BLUEPRINT -e {env}` first")
    again = f"run `tfgen plan BLUEPRINT -e {env}` again"
    try:
        return read_model(paths.meta_file, PlanMeta, "the saved plan's metadata", again, limit=1024 * 1024)
    except InputError as error:
        raise TfgenError(f"the saved plan of '{env}' cannot be trusted: {error}") from None


def _refuse_unsafe_apply(paths: EnvironmentPaths, meta: PlanMeta, policy: EnvironmentPolicy, allow_destroy: bool, offline: bool) -> None:
    env = meta.environment
    replan = f"run `tfgen plan BLUEPRINT -e {env}` again and review it"
    if meta.offline != offline:
        mode = "offline" if meta.offline else "online"
        raise TfgenError(f"the saved plan for '{env}' was made {mode}; apply it the same way or {replan}")
    if file_hash(paths.var_file) != meta.var_file_hash:
        raise TfgenError(f"{paths.var_file} changed since the plan for '{env}' was made: {replan}")
    if file_hash(paths.backend_file) != meta.backend_file_hash:
        raise TfgenError(f"{paths.backend_file} (where the state is) changed since the plan for '{env}' was made: {replan}")
    if configuration_hash(paths.root) != meta.config_hash:
        raise TfgenError(f"the rendered configuration changed since the plan for '{env}' was made: {replan}")
    if policy_hash(policy) != meta.policy_hash:
        raise TfgenError(f"the policy skips or settings of '{env}' changed since its plan was checked: {replan}")
    protected = policy.protected
    if meta.policy_passed is False:
        raise TfgenError(f"the plan for '{env}' failed its policy checks ({paths.policy_json}): fix them or skip with a reason, then {replan}")
    refuse_protected_destroy(env, protected, meta.destructive, allow_destroy, "apply")


def refuse_protected_destroy(env: str, protected: bool, destructive: list[str], allow_destroy: bool, command: str) -> None:
    """A protected environment's destroys and replacements need --allow-destroy (exit 1 otherwise)."""
    if protected and destructive and not allow_destroy:
        listed = "\n  ".join(destructive)
        raise TfgenError(
            f"'{env}' is protected and the plan destroys or replaces:\n  {listed}\n"
            f"{command} with --allow-destroy if that is intended"
        )


@contextmanager
def _explained_terraform_errors(env: str) -> Iterator[None]:
    """Turns Terraform's lock and stale-plan errors into what happened and what to do."""
    try:
        yield
    except TerraformError as error:
        text = str(error)
        if "acquiring the state lock" in text:
            raise TfgenError(describe_lock_error(text, env)) from None
        if "Saved plan is stale" in text:
            raise TfgenError(
                f"the state of '{env}' changed since the plan was made (someone applied in between): run `tfgen plan BLUEPRINT -e {env}` again and review it"
            ) from None
        raise


def describe_lock_error(text: str, env: str) -> str:
    """'the state of dev is locked by alice@host since ... (operation OperationTypeApply, ID ...)',
    or, when Terraform could not take the lock for another reason (no lock info: an unreadable
    state file, a backend that refuses), that reason."""
    if "Lock Info:" not in text:
        reason = re.search(r"Error message:\s*(.*?)(?:\n\s*\n\s*Terraform acquires a state lock|\Z)", text, re.S)
        detail = " ".join((reason.group(1) if reason else text).split())
        return f"terraform could not take the state lock of '{env}', and no one holds it: {detail}"
    info = {key: value.strip() for key, value in re.findall(r"^\s*(ID|Path|Operation|Who|Created):\s*(.*)$", text, re.M)}
    holder = info.get("Who", "another process")
    since = f" since {info['Created']}" if "Created" in info else ""
    operation = f" for {info['Operation']}" if "Operation" in info else ""
    lock_id = info.get("ID", "LOCK_ID")
    return (
        f"the state of '{env}' is locked by {holder}{since}{operation} (lock {lock_id}). "
        f"Wait and retry (--lock-timeout 5m waits for it), or, if that process is gone: "
        f"tfgen tf -e {shlex.quote(env)} BLUEPRINT -- force-unlock {shlex.quote(lock_id)}"
    )
