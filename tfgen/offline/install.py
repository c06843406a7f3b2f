"""Installing the offline provider where Terraform looks for it, with a schema trimmed to the
resource and data source types a configuration uses (the full schema is 1,650 resources; parsing
and serving all of them on every provider start would be too slow)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from tfgen import __version__
from tfgen.files import EXECUTABLE, PUBLIC, write_file
from tfgen.offline import SCHEMA_ENV, TRIMMED_SCHEMA_ENV
from tfgen.offline.schema import HOW_TO_PRODUCE, SchemaFileError, load_provider_schemas, schema_source, trim, wrap
from tfgen.offline.schema_model import shape_problems
from tfgen.offline.state_file import read_state
from tfgen.paths import cache_folder

_BLOCK = re.compile(r'^\s*(resource|data)\s+"(aws_[A-Za-z0-9_]+)"', re.MULTILINE)
_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}
PROVIDER_PATH = "registry.terraform.io/hashicorp/aws"


@dataclass(frozen=True)
class OfflineProvider:
    """An installed offline provider: ``-plugin-dir`` for init, environment for every command."""

    plugin_dir: Path
    executable: Path
    version: str
    schema_path: Path
    trimmed_schema: Path

    def environment(self) -> dict[str, str]:
        return {SCHEMA_ENV: str(self.schema_path), TRIMMED_SCHEMA_ENV: str(self.trimmed_schema)}


def os_arch() -> str:
    machine = platform.machine().lower()
    return f"{platform.system().lower()}_{_ARCHES.get(machine, machine)}"


def install(
    root: Path,
    plugin_dir: Path,
    schema_path: Path | str | None = None,
    version: str | None = None,
    state_path: Path | None = None,
) -> OfflineProvider:
    """Write the provider executable under ``plugin_dir`` and the trimmed schema for ``root``.

    Types still in ``state_path`` are served too: Terraform needs their schema to destroy
    resources whose configuration was removed.
    """
    source = schema_source(schema_path)
    schema = source.path
    version = version or source.version
    resources, data_sources = scan_types(root)
    resources |= state_types(state_path)
    trimmed = trimmed_schema(schema, resources, data_sources)
    executable = write_executable(plugin_dir, version, schema)
    return OfflineProvider(plugin_dir, executable, version, schema, trimmed)


def scan_types(root: Path) -> tuple[set[str], set[str]]:
    """aws_* resource and data source types declared in ``root`` and the local modules it calls."""
    resources: set[str] = set()
    data_sources: set[str] = set()
    pending, seen = [root.resolve()], set()
    while pending:
        directory = pending.pop()
        if directory in seen or not directory.is_dir():
            continue
        seen.add(directory)
        for path in sorted(directory.glob("*.tf")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for kind, name in _BLOCK.findall(text):
                (resources if kind == "resource" else data_sources).add(name)
            pending.extend((directory / source).resolve() for source in _LOCAL_SOURCE.findall(text))
    return resources, data_sources


def state_types(state_path: Path | None) -> set[str]:
    """aws_* managed resource types recorded in a local state file; InputError when it is not one."""
    state = read_state(state_path) if state_path else None
    if state is None:
        return set()
    return {resource.type for resource in state.resources if resource.mode == "managed" and resource.type.startswith("aws_")}


def trimmed_schema(schema: Path, resources: set[str], data_sources: set[str]) -> Path:
    """A cached schema file with only the given types (keyed by schema file, types and tfgen version)."""
    stat = schema.stat()
    key_material = json.dumps(
        [str(schema), stat.st_size, stat.st_mtime_ns, sorted(resources), sorted(data_sources), __version__]
    )
    key = hashlib.sha256(key_material.encode()).hexdigest()[:24]
    target = cache_folder("schemas") / f"{schema.stem}-{key}.json"
    if target.is_file():
        return target
    trimmed = trim(load_provider_schemas(schema), resources, data_sources)
    problems = shape_problems(trimmed)
    if problems:
        raise SchemaFileError(f"{schema} cannot serve this configuration: {'; '.join(problems)}; {HOW_TO_PRODUCE}")
    write_file(target, json.dumps(wrap(trimmed), separators=(",", ":")), mode=PUBLIC)
    return target


def write_executable(plugin_dir: Path, version: str, schema: Path) -> Path:
    """The executable Terraform runs: ``python -m tfgen.offline.server`` of this interpreter."""
    directory = plugin_dir / PROVIDER_PATH / version / os_arch()
    executable = directory / f"terraform-provider-aws_v{version}_x5"
    # -P: never import a `tfgen` from Terraform's working directory.
    script = (
        "#!/bin/sh\n"
        "# tfgen's offline stand-in for hashicorp/aws (generated; see tfgen/offline).\n"
        f': "${{{SCHEMA_ENV}:={_sh(str(schema))}}}"\n'
        f"export {SCHEMA_ENV}\n"
        f'exec {shlex.quote(stable_interpreter())} -P -m tfgen.offline.server "$@"\n'
    )
    if not executable.is_file() or executable.read_text() != script:
        write_file(executable, script, mode=EXECUTABLE)
    return executable


def stable_interpreter() -> str:
    """This interpreter under one name whichever alias started it (python, python3, python3.11),
    so the script, and the hash Terraform's lock file records of it, stays the same."""
    candidate = Path(sys.prefix) / "bin" / "python"
    if candidate.is_file() and os.path.samefile(candidate, sys.executable):
        return str(candidate)
    return sys.executable


def _sh(text: str) -> str:
    """Quote for use inside a double-quoted shell parameter expansion."""
    return re.sub(r'(["\\$`])', r"\\\1", text)
